"""The dashboard before its session is open: the cached lists, served as the refresher serves its own.

A warm start paints the last lists this computer saw (the local cache) before it imports what talks to
the server: httpx, the budget with its file-locked ledger, the refresher and the outbox's deliveries,
about a third of what okrt-tui imports beyond Textual. ``okrt_tui.launch`` reads them with this module
(SQLite and msgspec only), opens the session once they are on screen, and the app then goes live on the
session's refresher (``OkrtApp.go_live``). Meanwhile ``Opening`` stands in for that refresher: what the
app asks of it waits for the session or needs nothing from it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.decode import decode_kpis, decode_okrs, decode_review_cycles
from okrt_tui.store.cache import Cache, decoded
from okrt_tui.store.db import Database
from okrt_tui.store.directions import RememberedDirections
from okrt_tui.store.reviews import RememberedReviews
from okrt_tui.sync.snapshot import Feed, KpiPoint, Snapshot

if TYPE_CHECKING:
    from okrt_tui.api.models import ReviewSummary
    from okrt_tui.sync.refresher import Refresher

log = logging.getLogger(__name__)

DECODERS: dict[str, Callable[[bytes], tuple[Any, ...]]] = {
    "okrs": decode_okrs,
    "kpis": decode_kpis,
    "cycles": decode_review_cycles,
}
"""Each list's decoder: the one of fresh answers, so a cached list can never look different."""


def load_cached(cache: Cache, name: str) -> Feed[Any] | None:
    """The cached list ``name``, decoded, as a feed marked as cached; None when none is cached or it no
    longer decodes (written by an older okrt-tui)."""
    cached = cache.load(name)
    items = decoded(cached, DECODERS[name])
    if cached is None or items is None:
        if cached is not None:
            log.info("ignoring a cached %s list that no longer decodes", name)
        return None
    return Feed(items=items, fetched_at=cached.fetched_at, from_cache=True)


def cached_snapshot(database: Database, workspace: str, clock: Clock = SYSTEM_CLOCK) -> Snapshot:
    """What the dashboard shows before its session is open: the cached lists (with their age), the
    remembered reviews and KPI directions, and what went wrong with the file."""
    cache = Cache(database)
    return Snapshot(
        workspace=workspace,
        okrs=load_cached(cache, "okrs") or Feed(),
        kpis=load_cached(cache, "kpis") or Feed(),
        cycles=load_cached(cache, "cycles") or Feed(),
        remembered_reviews=RememberedReviews(database).all(),
        kpi_directions=RememberedDirections(database).all(),
        store_notices=database.notices,
        taken_at=clock.now(),
    )


class Opening:
    """Stands in for the session's refresher (``okrt_tui.tui.app.RefresherLike``) until it is open.

    Its snapshot never changes, so it sends none. A refresh asked for meanwhile needs nothing: the
    session's refresher fetches every list as it starts, the visible one first. A review opened or a
    KPI's stored series asked for waits for the session (``opened``), then goes to its refresher."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._refresher: Refresher | None = None
        self._open = asyncio.Event()

    def opened(self, refresher: Refresher) -> None:
        """The session is open: whatever waits for it goes on, to ``refresher``."""
        self._refresher = refresher
        self._open.set()

    async def _live(self) -> Refresher:
        await self._open.wait()
        assert self._refresher is not None
        return self._refresher

    def subscribe(self, callback: Callable[[Snapshot], None]) -> None:
        """Nothing to send: the cached lists stay as they are until the session's refresher sends."""

    async def run(self) -> None:
        """Returns once the session is open (the app then runs the session's refresher instead)."""
        await self._live()

    def refresh_now(self, feed: str | None = None) -> None:
        """Nothing to do: the session's refresher fetches every list as it starts."""

    def set_visible(self, feed: str) -> None:
        """Nothing to do: the app tells the session's refresher which list is on view as it goes live."""

    async def fetch_review(self, review_id: str) -> ReviewSummary:
        return await (await self._live()).fetch_review(review_id)

    async def load_series(self, kind: str, entity: str, since: float | None = None) -> Sequence[KpiPoint]:
        return await (await self._live()).load_series(kind, entity, since)
