"""The sandbox's seed data at a fixed moment, as the monitor's snapshot tests draw it.

The lists come from the sandbox's own app (``create_app`` on a stopped clock, asked through
Starlette's test client: the same JSON the HTTP server sends), and the KPI values seen are the
seeded update history, as a monitor that had been watching would have recorded them. Built once per
mode: the seed is deterministic for a given ``now``.
"""

from __future__ import annotations

import functools
import sqlite3
import tempfile
from pathlib import Path

from starlette.testclient import TestClient
from tui_data import NOW

from okrt_tui.api.decode import decode_kpis, decode_okrs, decode_review_cycles
from okrt_tui.sandbox.app import create_app
from okrt_tui.sandbox.clock import Clock
from okrt_tui.sandbox.keys import ACME_READ_KEY
from okrt_tui.sync.snapshot import Feed, KpiPoint, Snapshot

WORKSPACE = "Acme (seed data)"


class StoppedClock(Clock):
    def __init__(self, at: float) -> None:
        super().__init__()
        self.at = at

    def now(self) -> float:
        return self.at


@functools.cache
def seed_snapshot(*, strict: bool = False, now: float = NOW) -> Snapshot:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sandbox.sqlite3"
        app = create_app(path, strict=strict, clock=StoppedClock(now))
        try:
            with TestClient(app) as client:
                headers = {"Authorization": f"Bearer {ACME_READ_KEY}"}
                raw = {
                    name: client.get(f"/api/v1/{name}", headers=headers).content
                    for name in ("okrs", "kpis", "review-cycles")
                }
        finally:
            app.state.sandbox.db.close()
        with sqlite3.connect(path) as db:
            rows = db.execute(
                "SELECT kpi_id, new_value, created_at FROM kpi_updates ORDER BY created_at"
            ).fetchall()
    seen: dict[str, tuple[KpiPoint, ...]] = {}
    for kpi_id, value, at in rows:
        seen[kpi_id] = (*seen.get(kpi_id, ()), KpiPoint(at=at, value=value))
    return Snapshot(
        workspace=WORKSPACE,
        okrs=Feed(items=decode_okrs(raw["okrs"]), fetched_at=now - 4),
        kpis=Feed(items=decode_kpis(raw["kpis"]), fetched_at=now - 4),
        cycles=Feed(items=decode_review_cycles(raw["review-cycles"]), fetched_at=now - 4),
        kpi_seen=seen,
        taken_at=now,
    )
