"""The sandbox's seed data at a fixed moment, as the monitor's snapshot tests draw it.

The lists come from the sandbox's own app (``create_app`` on a stopped clock, asked through
httpx's ASGI transport: the same JSON the HTTP server sends), and the KPI values seen are the
seeded update history, as a monitor that had been watching would have recorded them. Built once per
mode: the seed is deterministic for a given ``now``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import sqlite3
import tempfile
from pathlib import Path

import httpx
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


async def _lists(app: object) -> dict[str, bytes]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    headers = {"Authorization": f"Bearer {ACME_READ_KEY}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers) as client:
        return {
            name: (await client.get(f"/api/v1/{name}")).content for name in ("okrs", "kpis", "review-cycles")
        }


@functools.cache
def seed_snapshot(*, strict: bool = False, now: float = NOW) -> Snapshot:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sandbox.sqlite3"
        app = create_app(path, strict=strict, clock=StoppedClock(now))
        try:
            # On a thread of its own: an async test may be the first to ask, inside its running loop.
            with concurrent.futures.ThreadPoolExecutor(1) as thread:
                raw = thread.submit(asyncio.run, _lists(app)).result()
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
