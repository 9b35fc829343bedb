"""The immutable picture of the workspace that screens render.

The refresher builds a new ``Snapshot`` after every fetch (good or failed) and hands it to the UI in a
message; screens only ever read it. Because every part is frozen, a screen can keep the last one it
drew and compare it with the next without copying.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

import msgspec

from okrt_tui.api.budget_status import BudgetStatus
from okrt_tui.api.errors import OkrtError
from okrt_tui.api.models import Kpi, Okr, ReviewCycle, ReviewRef
from okrt_tui.store.history import Point as KpiPoint
from okrt_tui.store.outbox import Entry

__all__ = ["FEEDS", "Feed", "KpiPoint", "Offline", "OutboxView", "Outcome", "Snapshot"]

T = TypeVar("T")

#: The lists the API offers, by the name the refresher, the store and the screens all use.
FEEDS = ("okrs", "kpis", "cycles")


class Feed(msgspec.Struct, Generic[T], frozen=True):
    """One list as last seen: its items, when they arrived, and why the latest fetch failed."""

    items: tuple[T, ...] | None = None  # None: never loaded (not even from the cache)
    fetched_at: float | None = None  # epoch seconds of the data shown
    error: OkrtError | None = None  # the latest attempt's failure; None after a success
    loading: bool = False  # a fetch is in flight
    from_cache: bool = False  # items come from the local cache, not yet from this session
    retry_at: float | None = None  # after a failure: when the refresher tries again (epoch seconds)

    @property
    def stale(self) -> bool:
        """Data is on screen, but the latest attempt to renew it failed."""
        return self.items is not None and self.error is not None


class Offline(msgspec.Struct, frozen=True):
    """The server cannot be reached: the whole workspace is offline, whichever list found out first.

    ``since``: the first failed attempt of this spell (epoch seconds); ``retry_at``: when the refresher
    tries again (one probe for every list: each list's ``retry_at`` says the same)."""

    since: float
    retry_at: float


class Outcome(msgspec.Struct, frozen=True):
    """What became of one write this time: its new state, and a sentence saying so (the forms show it;
    here rather than beside the sender, so screens need nothing that talks HTTP)."""

    entry: Entry
    state: str
    message: str
    error: OkrtError | None = None
    record: bytes | None = None  # the server's JSON, when delivered


class OutboxView(msgspec.Struct, frozen=True):
    """The writes not yet delivered, for the status bar and the Outbox screen."""

    entries: tuple[Entry, ...] = ()

    def count(self, state: str) -> int:
        return sum(1 for entry in self.entries if entry.state == state)


class Snapshot(msgspec.Struct, frozen=True):
    workspace: str = ""
    okrs: Feed[Okr] = msgspec.field(default_factory=Feed)
    kpis: Feed[Kpi] = msgspec.field(default_factory=Feed)
    cycles: Feed[ReviewCycle] = msgspec.field(default_factory=Feed)
    budget: BudgetStatus = msgspec.field(default_factory=BudgetStatus)
    #: Values per KPI id, oldest first (``KpiPoint``: the history's ``Point``): the recent points the
    #: local history held at start-up, then each change seen since (``okrt_tui.store.history``).
    kpi_seen: Mapping[str, tuple[KpiPoint, ...]] = msgspec.field(default_factory=dict)
    #: The same per objective id: its progress (0-1) and its health score (0-100).
    okr_progress_seen: Mapping[str, tuple[KpiPoint, ...]] = msgspec.field(default_factory=dict)
    okr_health_seen: Mapping[str, tuple[KpiPoint, ...]] = msgspec.field(default_factory=dict)
    #: KPI id → when this app posted to it (epoch seconds, oldest first): the chart marks them.
    kpi_posted: Mapping[str, tuple[float, ...]] = msgspec.field(default_factory=dict)
    #: Reviews opened by pasting their id, remembered locally with their employee and type.
    remembered_reviews: tuple[ReviewRef, ...] = ()
    #: KPI id → ``lower`` or ``higher``: the directions inferred from the server's statuses, stored
    #: across sessions (``okrt_tui.views.direction.kpi_direction`` reads them with config.toml's).
    kpi_directions: Mapping[str, str] = msgspec.field(default_factory=dict)
    #: What went wrong with the local database this session, one sentence each, oldest first; only
    #: ever grows, so a screen shows each once however many snapshots it skips.
    store_notices: tuple[str, ...] = ()
    outbox: OutboxView = msgspec.field(default_factory=OutboxView)
    #: Per list (``okrs``, ``kpis``): the ids of the rows changed since the user last looked
    #: (``okrt_tui.views.changes``).
    changed: Mapping[str, frozenset[str]] = msgspec.field(default_factory=dict)
    #: Set while the server cannot be reached; every list then carries the network error.
    offline: Offline | None = None
    taken_at: float = 0.0
