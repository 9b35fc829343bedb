"""Simulated teammates (``--simulate``): every few seconds someone checks in or posts a KPI value.

Each tick makes one change, in either workspace (Acme about four times in five): two times in three a
check-in on a key result of the current quarter, moving it a little (mostly towards its target,
sometimes back), with the status its owner would pick (the gap-derived one, now and then a step more
worried); otherwise a new value for a KPI, drifting around its current value with a slight pull
towards the target. Every value stays within what its quantity allows (``quantities``: a percentage
within 0-100, a count whole and not negative, a duration above 0), rounded to the places its key
result or KPI is kept in. These changes are stored exactly like API writes (the key result's current
value, the objective's ``updated_at``, a KPI's ``current`` and ``last_updated``), so every list shows
them.

They are not API requests: they count against no key's rate window, and ``GET /_sandbox/writes``,
which lists what clients sent, does not show them (their rows are marked ``source = "simulate"``).
The teammates' choices come from ``random.Random(seed)``, so a run is repeatable given the same ticks.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.clock import Clock
from okrt_tui.sandbox.db import Checkin, Database, KpiUpdate
from okrt_tui.sandbox.keys import ACME, GLOBEX
from okrt_tui.sandbox.quantities import Kind, kind_of
from okrt_tui.sandbox.seed import CHECKIN_COMMENTS

logger = logging.getLogger(__name__)


class Teammates:
    def __init__(self, db: Database, clock: Clock, seed: int = 1) -> None:
        self.db = db
        self.clock = clock
        self.rng = random.Random(f"simulate-{seed}")

    def act(self) -> str | None:
        """Makes one change; returns the id of the key result or KPI that changed (None if nothing could)."""
        if self.rng.random() < 2 / 3:
            return self._checkin() or self._kpi_update()
        return self._kpi_update() or self._checkin()

    def _workspace(self) -> str:
        return ACME if self.rng.random() < 0.8 else GLOBEX

    def _checkin(self) -> str | None:
        now = self.clock.now()
        cycle = scoring.quarter_of(now)
        candidates = self.db.key_results_in_cycle(cycle)
        workspace = self._workspace()
        candidates = [c for c in candidates if c[1].workspace == workspace] or candidates
        if not candidates:
            return None
        kr, objective = self.rng.choice(candidates)
        kind = kind_of(kr.kind, kr.unit)
        progress = scoring.kr_progress(kr.start, kr.current, kr.target)
        step = self.rng.uniform(-0.02, 0.06)
        value = kind.fit(
            kr.start + scoring.clamp(progress + step, 0.0, 1.05) * (kr.target - kr.start), kr.decimals
        )
        if value == kr.current:
            value = _nudge(kind, kr.current, kr.decimals, 1 if kr.target >= kr.start else -1)
        status = scoring.derived_checkin_status(cycle, kr.start, value, kr.target, now)
        if self.rng.random() < 0.1:
            status = scoring.STATUSES[min(2, scoring.STATUSES.index(status) + 1)]
        comment = self.rng.choice(CHECKIN_COMMENTS[status]) if self.rng.random() < 0.5 else None
        checkin = Checkin(
            str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            kr.id,
            float(value),
            status,
            comment,
            "simulate",
            now,
        )
        self.db.record_checkin(checkin, objective.id)
        return kr.id

    def _kpi_update(self) -> str | None:
        workspace = self._workspace()
        kpis = self.db.all_kpis()
        kpis = [k for k in kpis if k.workspace == workspace] or kpis
        if not kpis:
            return None
        kpi = self.rng.choice(kpis)
        kind = kind_of(kpi.kind, kpi.unit)
        pull = 0.004 if (kpi.target >= kpi.current) else -0.004
        value = kind.fit(kpi.current * (1 + pull + self.rng.gauss(0, 0.012)), kpi.decimals)
        if value == kpi.current:
            value = _nudge(kind, kpi.current, kpi.decimals, 1 if pull > 0 else -1)
        update = KpiUpdate(
            f"u-{self.rng.getrandbits(48):012x}",
            kpi.id,
            kpi.current,
            float(value),
            None,
            "simulate",
            self.clock.now(),
        )
        self.db.record_kpi_update(update)
        return kpi.id

    async def run(self, every: float) -> None:
        """Acts every ``every`` seconds until cancelled; a failed tick is logged and the next one runs."""
        while True:
            await asyncio.sleep(every)
            try:
                self.act()
            except Exception:
                logger.exception("simulated teammate failed")


def _nudge(kind: Kind, current: float, decimals: int, direction: int) -> float:
    """The smallest visible move from ``current``, ``direction`` first, the other way when that would
    pass a bound (a percentage at 100, a count at 0); a step of zero would show nothing moving."""
    step = 10.0 ** -(0 if kind.whole else decimals)
    for move in (direction * step, -direction * step):
        value = kind.fit(current + move, decimals)
        if value != current:
            return value
    return current
