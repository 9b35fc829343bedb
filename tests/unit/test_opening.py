"""What the dashboard shows before its session is open: the cached lists, and a stand-in refresher."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from processes import start_script

from okrt_tui.api.clock import FakeClock
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.store.directions import RememberedDirections
from okrt_tui.sync.opening import Opening, cached_snapshot
from okrt_tui.sync.snapshot import Snapshot


def test_the_cached_lists_come_with_their_age_and_marked_as_cached(tmp_path: Path) -> None:
    db = Database(tmp_path / "ws.sqlite3")
    Cache(db).save("okrs", b'[{"id": "o-1", "title": "Kept"}]', 5.0)
    Cache(db).save("kpis", b'{"not": "a list"}', 6.0)  # written by another version: left out
    RememberedDirections(db).remember({"k-1": "lower"})
    snapshot = cached_snapshot(db, "Acme", FakeClock(start=100.0))
    assert [okr.title for okr in snapshot.okrs.items or ()] == ["Kept"]
    assert snapshot.okrs.from_cache and snapshot.okrs.fetched_at == 5.0
    assert not snapshot.okrs.loading  # nothing is fetched before the session is open
    assert snapshot.kpis.items is None and snapshot.cycles.items is None
    assert snapshot.kpi_directions == {"k-1": "lower"}
    assert (snapshot.workspace, snapshot.taken_at) == ("Acme", 100.0)


# What a warm start imports before the cached rows are painted: launch (the cache read) and the app's code.
BEFORE_THE_PAINT = """
import json, sys
import okrt_tui.launch, okrt_tui.tui.app
later = ("httpx", "filelock", "okrt_tui.api.client", "okrt_tui.api.budget", "okrt_tui.session",
          "okrt_tui.sync.refresher", "okrt_tui.sync.deliveries", "textual.widgets._text_area",
          "okrt_tui.tui.screens.kpis", "okrt_tui.tui.screens.reviews", "okrt_tui.tui.screens.outbox",
          "okrt_tui.tui.screens.objective", "okrt_tui.tui.screens.review")
print(json.dumps([name for name in later if name in sys.modules]))
"""


def test_the_cached_rows_are_painted_without_what_talks_to_the_server_nor_the_other_screens() -> None:
    process = start_script(BEFORE_THE_PAINT)
    out, err = process.communicate(timeout=60)
    assert json.loads(out) == [], err


class Live:
    """A session's refresher, as far as the stand-in hands anything to it."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    async def fetch_review(self, review_id: str) -> str:
        self.asked.append(("review", review_id))
        return f"summary of {review_id}"

    async def load_series(self, kind: str, entity: str, since: float | None = None) -> list[str]:
        self.asked.append(("series", kind, entity))
        return ["point"]


async def test_what_needs_the_session_waits_for_it_then_goes_to_its_refresher() -> None:
    opening = Opening(Snapshot(workspace="Acme"))
    review = asyncio.ensure_future(opening.fetch_review("rev-1"))
    series = asyncio.ensure_future(opening.load_series("kpi", "k-1"))
    running = asyncio.ensure_future(opening.run())
    await asyncio.sleep(0.01)
    assert not (review.done() or series.done() or running.done())
    live = Live()
    opening.opened(live)  # type: ignore[arg-type]
    assert await review == "summary of rev-1"
    assert await series == ["point"]
    await asyncio.wait_for(running, 1)  # the app runs the session's refresher from here on
    assert live.asked == [("review", "rev-1"), ("series", "kpi", "k-1")]


def test_a_refresh_asked_for_before_the_session_is_open_costs_nothing() -> None:
    opening = Opening(Snapshot(workspace="Acme"))
    opening.refresh_now("okrs")
    opening.set_visible("kpis")
    opening.subscribe(lambda snapshot: None)
    assert opening.snapshot == Snapshot(workspace="Acme")
