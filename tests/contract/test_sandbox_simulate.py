"""``--simulate``: teammates check in and post KPI values, visible in the lists, outside any key's budget."""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox import quantities, scoring
from okrt_tui.sandbox.clock import Clock
from okrt_tui.sandbox.db import Database
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.seed import seed_database
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.sandbox.simulate import Teammates

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "sandbox.sqlite3")
    seed_database(db, seed=1, now=time.time())
    yield db
    db.close()


def picture(http: httpx.Client, server: SandboxServer) -> dict[str, Any]:
    okrs = http.get(f"{server.base_url}/okrs", headers=HEADERS).json()
    kpis = http.get(f"{server.base_url}/kpis", headers=HEADERS).json()
    return {
        "krs": {kr["id"]: kr["current"] for o in okrs for kr in o["key_results"]},
        "kpis": {k["id"]: (k["current"], k["last_updated"]) for k in kpis},
    }


def test_simulated_teammates_move_the_dashboard_outside_any_budget() -> None:
    with SandboxServer(control=True, simulate=True, every=0.1) as server, httpx.Client(timeout=10) as http:
        before = picture(http, server)
        reads = 2
        deadline = time.monotonic() + 5
        while picture(http, server) == before:
            reads += 2
            assert time.monotonic() < deadline, "nothing changed in 5 s with a teammate acting every 0.1 s"
            time.sleep(0.2)
        reads += 2
        assert server.control.writes() == []  # teammates are not API writes
        counted = server.control.requests()
        assert {entry["label"] for entry in counted} == {"acme-admin"}
        assert sum(entry["count"] for entry in counted) == reads  # only our own reads


def test_without_simulate_nothing_moves() -> None:
    with SandboxServer(every=0.05) as server, httpx.Client(timeout=10) as http:
        before = picture(http, server)
        time.sleep(0.3)
        assert picture(http, server) == before


def test_each_teammate_action_moves_one_key_result_or_kpi_a_little(database: Database) -> None:
    teammates = Teammates(database, Clock(), seed=3)
    cycle = scoring.quarter_of(time.time())
    kinds = set()
    for _ in range(30):
        krs = {kr.id: kr for kr, _ in database.key_results_in_cycle(cycle)}
        kpis = {k.id: k for k in database.all_kpis()}
        changed = teammates.act()
        if changed in krs:
            kinds.add("checkin")
            old = krs[changed]
            new = next(kr for kr, _ in database.key_results_in_cycle(cycle) if kr.id == changed)
            assert new.current != old.current
            assert abs(new.current - old.current) <= 0.07 * abs(old.target - old.start) + 10**-old.decimals
        else:
            kinds.add("kpi_update")
            old_kpi = kpis[changed]  # type: ignore[index]
            new_kpi = next(k for k in database.all_kpis() if k.id == changed)
            assert new_kpi.current != old_kpi.current
            assert abs(new_kpi.current - old_kpi.current) <= abs(old_kpi.current) * 0.1 + 1
            assert new_kpi.last_updated > old_kpi.last_updated
    assert kinds == {"checkin", "kpi_update"}


def test_teammates_are_repeatable_for_a_seed(tmp_path: Path) -> None:
    def run(name: str) -> list[str | None]:
        db = Database(tmp_path / name)
        try:
            now = 1_795_000_000.0
            seed_database(db, seed=1, now=now)
            teammates = Teammates(db, Clock(offset=now - time.time()), seed=7)
            return [teammates.act() for _ in range(10)]
        finally:
            db.close()

    assert run("a.sqlite3") == run("b.sqlite3")


# --- bounds: what the real quantity allows ----------------------------------------------------------

SCALES = {"%": (0, 100), "NPS": (-100, 100), "eNPS": (-100, 100), "stars": (1, 5), "points": (0, 100)}
DURATIONS = {"ms", "minutes", "hours", "days"}
AMOUNTS = {"$", "€", "x", "g", "events/s", "parcels/day"}  # money, ratios, rates, masses: any value >= 0
# Where the unit alone does not say: a rate per something (not whole), a percentage that passes 100 by
# nature, a score out of 10.
PER_SOMETHING = {
    "Hotfixes per release",
    "Picking errors per 10k orders",
    "Customer complaints per 10k parcels",
}
BEYOND_100 = {"Net revenue retention"}
OUT_OF_10 = {"Team engagement score"}


def assert_allowed(name: str, unit: str, value: float) -> None:
    """``value`` is one the quantity ``name`` in ``unit`` can take (the test's own reading of the units)."""
    where = f"{name}: {value!r} {unit}"
    assert math.isfinite(value), where
    low, high = SCALES.get(unit, (0, math.inf))
    if name in BEYOND_100:
        high = math.inf
    if name in OUT_OF_10:
        high = 10
    assert low <= value <= high, where
    if unit in DURATIONS:
        assert value > 0, where
    counted = unit not in SCALES.keys() - {"NPS", "eNPS"} | DURATIONS | AMOUNTS and name not in PER_SOMETHING
    if counted:
        assert value.is_integer(), where


def every_value(path: Path) -> list[tuple[str, str, str, float]]:
    """Every value ever held by a key result or KPI in the database: its name, unit, kind and value (the
    seed's history, each simulated step, and the current values)."""
    queries = (
        "SELECT k.title, k.unit, k.kind, c.value FROM checkins c JOIN key_results k ON k.id = c.kr_id",
        "SELECT title, unit, kind, current FROM key_results",
        "SELECT k.name, k.unit, k.kind, u.new_value FROM kpi_updates u JOIN kpis k ON k.id = u.kpi_id",
        "SELECT k.name, k.unit, k.kind, u.previous_value FROM kpi_updates u JOIN kpis k ON k.id = u.kpi_id",
        "SELECT name, unit, kind, current FROM kpis",
    )
    with contextlib.closing(sqlite3.connect(path)) as db:
        return [row for query in queries for row in db.execute(query)]


class SteppedClock(Clock):
    """The sandbox clock moved by hand, so hours of simulation take no real time."""

    def __init__(self, at: float) -> None:
        super().__init__()
        self.at = at

    def now(self) -> float:
        return self.at


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_hours_of_simulation_keep_every_value_within_what_its_quantity_allows(
    tmp_path: Path, seed: int
) -> None:
    # Four simulated hours at the default pace (a step every 5 s); ~4 minutes once showed 101.18% uptime.
    path = tmp_path / "sandbox.sqlite3"
    clock = SteppedClock(1_795_000_000.0)  # 2026-11-18, in Q4 2026
    db = Database(path)
    try:
        seed_database(db, seed=seed, now=clock.now())
        teammates = Teammates(db, clock, seed=seed)
        changed = set()
        for _ in range(4 * 3600 // 5):
            clock.at += 5
            changed.add(teammates.act())
    finally:
        db.close()
    values = every_value(path)
    assert len(values) > 4 * 3600 // 5
    for name, unit, kind, value in values:
        assert_allowed(name, unit, value)
        assert quantities.KINDS[kind].allows(value), (name, kind, value)
    assert len(changed) > 50  # the steps went round most key results and KPIs, not a few
    at_bounds = {name for name, unit, _, value in values if unit == "%" and value == 100}
    assert "API uptime (30 days)" in at_bounds  # the step that passed 100% was held there


def test_a_database_from_before_kinds_gets_them_from_the_units(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = Database(path)
    seed_database(db, seed=1, now=1_795_000_000.0)
    db.close()
    with contextlib.closing(sqlite3.connect(path)) as raw:  # as a file made before kinds looks
        raw.execute("ALTER TABLE kpis DROP COLUMN kind")
        raw.execute("ALTER TABLE key_results DROP COLUMN kind")
        raw.commit()
    db = Database(path)
    try:
        uptime = next(k for k in db.all_kpis() if k.name == "API uptime (30 days)")
        assert uptime.kind == ""
        assert quantities.kind_of(uptime.kind, uptime.unit) == quantities.PERCENT
    finally:
        db.close()
