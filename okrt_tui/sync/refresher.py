"""The one background worker that keeps the workspace fresh, and the only reader of the API.

Screens tell it what they need (``set_visible``, ``refresh_now``, ``fetch_review``) and receive
``Snapshot``s; they never hold a client. The schedule keeps polling cheap: the visible list every
30 s, the other lists every 2 minutes, review cycles every 10 minutes, which is about 3 requests a
minute, far inside the polling share of the budget. Every poll goes through the budget at POLL
priority, so a user's own request always overtakes it. A failed fetch keeps the last good items on
screen with the error beside them; the next attempt backs off instead of hammering a broken server.

A server that cannot be reached is one fact about the workspace, not about one list: the first fetch
that finds it so (a refused or timed-out connection, said at once rather than after the client's own
retries) puts every list offline, with one shared time of the next attempt. While offline, one probe
at a time (the visible list, so a success shows at once) goes out after 5, 10, 20, then every 30 s;
``r`` sends one now. The first answer from the server ends the spell, and the other lists are fetched
right after it, so every screen is live again without a key press. A 429 or a spent budget is not
offline: the server answered, and the list says it is rate limited.

At start-up every list is fetched once, however fresh its cache: the cache puts the last lists on
screen at once (marked as cached, with their age), and the first fetch says whether they still hold
or the server cannot be reached.

The refresher never waits for the rate budget inside the client (``wait=False``): a 429, or a budget
with no room, comes back at once as ``RateLimited``, the list says so with its countdown, and the next
attempt is scheduled for when the room is back. Waiting inside the client showed "refreshing" for as
long as the wait lasted, with no word of why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from msgspec.structs import replace

from okrt_tui.api.budget import Budget, Priority
from okrt_tui.api.client import Fetched, OkrtClient
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.errors import (
    Forbidden,
    NetworkError,
    OkrtError,
    RateLimited,
    TlsFailure,
    Unauthorized,
)
from okrt_tui.api.models import Kpi, KpiUpdateResult, ReviewSummary
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.store.directions import RememberedDirections
from okrt_tui.store.history import (
    DAY,
    KPI,
    OKR_HEALTH,
    OKR_PROGRESS,
    History,
    Keep,
    Point,
    Recent,
    post_of,
)
from okrt_tui.store.reviews import RememberedReviews
from okrt_tui.sync.opening import load_cached
from okrt_tui.sync.snapshot import FEEDS, Feed, KpiPoint, Offline, Snapshot
from okrt_tui.views.changes import TRACKED, ChangeMarks
from okrt_tui.views.direction import learn_directions
from okrt_tui.views.projection import WINDOW_DAYS
from okrt_tui.views.sparkline import WIDTH

log = logging.getLogger(__name__)

#: Points kept per series in memory (KPI values, objectives' progress and health): a sparkline, a week
#: of a KPI updated hourly, a projection's window. The local history holds the rest (``load_series``);
#: this bounds a session of weeks: 1500 series of 256 points are ~34 MB at most.
MAX_POINTS = 256
#: With a local history, what the screens read of a series in memory, the rest let go: the
#: projection's window (the 7-day change is inside it) and the sparkline's last values, each change
#: once (``recent_values`` reads twice its width). Memory then stops growing after those 30 days.
KEEP = Keep(seconds=WINDOW_DAYS * DAY, last=2 * WIDTH)
#: The series the snapshot carries, loaded from the local history at start-up.
REMEMBERED = (KPI, OKR_PROGRESS, OKR_HEALTH)


class Intervals(msgspec.Struct, frozen=True):
    visible: float = 30.0
    background: float = 120.0
    cycles: float = 600.0
    #: After a failure, wait this long, doubling on each failure in a row, but never past the interval.
    first_backoff: float = 15.0
    #: While the server cannot be reached: the first probe this long after, doubling, at most ``offline_max``.
    offline_backoff: float = 5.0
    offline_max: float = 30.0


DEFAULT_INTERVALS = Intervals()


class Refresher:
    def __init__(
        self,
        client: OkrtClient,
        budget: Budget,
        *,
        workspace: str,
        store: Database | None = None,
        history: History | None = None,
        clock: Clock = SYSTEM_CLOCK,
        intervals: Intervals = DEFAULT_INTERVALS,
        feeds: Sequence[str] = FEEDS,
    ) -> None:
        """``feeds``: the lists polled (the wall monitor polls only those its panels show); the others
        keep their cache and are never fetched."""
        self._client = client
        self._budget = budget
        # The store never raises: a file that fails costs its contents (see store.db), and what
        # happened reaches the screens once, through ``Snapshot.store_notices``.
        self._store = store
        self._cache = Cache(store) if store is not None else None
        self._reviews = RememberedReviews(store) if store is not None else None
        self._directions = RememberedDirections(store) if store is not None else None
        # Written and read in threads; its problems reach the store's notices (see store.history).
        self._history = history
        self._clock = clock
        self._intervals = intervals
        self._fetchers: dict[str, Callable[..., Awaitable[Fetched[tuple[Any, ...]]]]] = {
            "okrs": client.list_okrs,
            "kpis": client.list_kpis,
            "cycles": client.list_review_cycles,
        }
        self._feeds: dict[str, Feed[Any]] = {name: Feed() for name in FEEDS}
        self._due: dict[str, float] = dict.fromkeys(FEEDS, 0.0)
        self._failures: dict[str, int] = dict.fromkeys(FEEDS, 0)
        self._urgent: set[str] = set()
        self._offline: Offline | None = None
        self._probes = 0  # failed probes in a row while offline
        self._polled = tuple(feed for feed in FEEDS if feed in feeds)
        if not self._polled:
            raise ValueError(f"a refresher polls at least one of {FEEDS}")
        self._visible = self._polled[0]
        self._wake = asyncio.Event()
        self._recent = Recent(REMEMBERED, MAX_POINTS, KEEP if history is not None else None)
        self._seen_copy: tuple[int, dict[str, Any]] = (-1, {})
        # The cached lists are the previous session's last view: the first fresh list is compared
        # with them, each later one with the one before.
        self._marks = {name: ChangeMarks() for name in TRACKED}
        self._subscribers: list[Callable[[Snapshot], None]] = []
        self._listeners: list[Callable[[str, tuple[Any, ...]], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._holding_others = False
        self._snapshot = Snapshot(
            workspace=workspace,
            remembered_reviews=self._reviews.all() if self._reviews else (),
            kpi_directions=self._directions.all() if self._directions else {},
            store_notices=store.notices if store is not None else (),
            budget=budget.status(),
            taken_at=clock.now(),
        )

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def subscribe(self, callback: Callable[[Snapshot], None]) -> None:
        self._subscribers.append(callback)

    def on_fetched(self, listener: Callable[[str, tuple[Any, ...]], None]) -> None:
        """``listener(feed, items)`` after each good fetch (the outbox settles unconfirmed writes)."""
        self._listeners.append(listener)

    def patch(self, feed: str, items: tuple[Any, ...]) -> None:
        """Shows ``items`` now (a write's answer) until the next fetch replaces them."""
        self._feeds[feed] = replace(self._feeds[feed], items=items)
        self._publish()

    def publish(self, **changes: Any) -> None:
        """A new snapshot with ``changes`` (e.g. ``outbox=``) and the lists as they are."""
        self._publish(**changes)

    def set_visible(self, feed: str) -> None:
        """The screen on view polls fastest; switching to a list not fetched lately refreshes it."""
        if feed not in self._polled:
            return
        if feed != self._visible:
            self._holding_others = False  # the user moved on: start-up is over
        self._visible = feed
        self._due[feed] = min(self._due[feed], self._last_good(feed) + self._intervals.visible)
        self._wake.set()

    def refresh_now(self, feed: str | None = None) -> None:
        """Ask for an interactive refresh; asking again while one is pending costs nothing more."""
        self._urgent.update(self._polled if feed is None else {feed} & set(self._polled))
        self._wake.set()

    def start(self, *, visible_first: bool = False) -> asyncio.Task[None]:
        """Starts the polling loop now (if it is not running) so the first fetch need not wait for a
        screen: the dashboard's start-up overlaps with the network. ``run`` joins the same loop.

        ``visible_first``: the other lists wait until ``first_shown`` (or until the visible list fails,
        or another screen is shown).
        At start-up their fetching, decoding and caching would compete with the dashboard's own
        imports and first paint for the one core that Python code runs on, and nobody sees them yet.
        """
        if self._task is None or self._task.done():
            self._holding_others = visible_first
            self._task = asyncio.ensure_future(self._loop())
        return self._task

    def first_shown(self) -> None:
        """The visible list is on screen: the other lists may be fetched now."""
        self._holding_others = False
        self._wake.set()

    async def run(self) -> None:
        """Runs the polling loop until cancelled (cancelling this cancels the loop)."""
        await self.start()

    async def _loop(self) -> None:
        self._load_cache()
        loading = asyncio.ensure_future(self._load_history())
        try:
            await self._poll()
        finally:
            loading.cancel()

    async def _poll(self) -> None:
        while True:
            name = self._next_feed()
            if name is None:
                await self._sleep_until_due()
                continue
            # Offline, one probe answers every refresh asked for.
            urgent = bool(self._urgent) if self._offline else name in self._urgent
            try:
                await self._fetch(name, urgent=urgent)
            except Exception as exc:
                # A bug of ours, or a failure nobody foresaw: it costs this attempt, never the polling.
                log.exception("refreshing %s failed unexpectedly", name)
                self._failed(name, _unexpected(name, exc))

    async def fetch_review(self, review_id: str) -> ReviewSummary:
        """One review, fetched now at interactive priority, and remembered for the Reviews screen."""
        fetched = await self._client.get_review_summary(review_id, priority=Priority.INTERACTIVE)
        if self._reviews is not None:
            self._reviews.remember(review_id, fetched.data)
            self._publish(remembered_reviews=self._reviews.all())
        else:
            self._publish()
        return fetched.data

    def _last_good(self, feed: str) -> float:
        return self._feeds[feed].fetched_at or 0.0

    def _interval(self, feed: str) -> float:
        if feed == "cycles":
            return self._intervals.cycles
        return self._intervals.visible if feed == self._visible else self._intervals.background

    def _fetchable(self) -> tuple[str, ...]:
        return (self._visible,) if self._holding_others else self._polled

    def _next_feed(self) -> str | None:
        if self._offline is not None:
            probe = bool(self._urgent) or self._clock.now() >= self._offline.retry_at
            return self._visible if probe else None
        fetchable = self._fetchable()
        urgent = sorted(self._urgent.intersection(fetchable))
        if urgent:
            # The visible screen's list first: it is the one the user is looking at.
            return self._visible if self._visible in urgent else urgent[0]
        now = self._clock.now()
        due = [name for name in fetchable if self._due[name] <= now]
        if not due:
            return None
        return self._visible if self._visible in due else min(due, key=self._due.__getitem__)

    async def _sleep_until_due(self) -> None:
        self._wake.clear()
        if self._offline is not None:
            due = self._offline.retry_at
        else:
            due = min(self._due[name] for name in self._fetchable())
        delay = max(0.0, due - self._clock.now())
        sleeper = asyncio.ensure_future(self._clock.sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            waker.cancel()

    def _load_cache(self) -> None:
        if self._cache is None:
            return
        for name in FEEDS:
            feed = load_cached(self._cache, name)
            if feed is None or feed.items is None or feed.fetched_at is None:
                continue
            # Still due at once: the cached list shows until the first fetch renews it or says why not.
            self._feeds[name] = feed
            self._mark_changes(name, feed.items)
            self._remember(name, feed.items, feed.fetched_at)
        self._publish()

    async def _load_history(self) -> None:
        """The recent series from the local history, read in a thread while the first fetch goes out;
        the points this session saw meanwhile come after them."""
        history = self._history
        if history is None:
            return
        now = self._clock.now()

        def read() -> tuple[dict[str, dict[str, tuple[Point, ...]]], dict[str, tuple[float, ...]]]:
            return {kind: history.recent(kind, now) for kind in REMEMBERED}, history.posted()

        series, posted = await asyncio.to_thread(read)
        for kind, loaded in series.items():
            self._recent.merge(kind, loaded, now)
        self._recent.merge_posted(posted)
        self._publish()

    async def load_series(self, kind: str, entity: str, since: float | None = None) -> Sequence[KpiPoint]:
        """One series from the local history from ``since`` on (all of it for None; ``kind``:
        ``okrt_tui.store.history.KPI``, ...), oldest first, read in a thread; what this session holds
        in memory when there is no history."""
        if self._history is None:
            points = self._recent.of(kind).get(entity, ()) if kind in REMEMBERED else ()
            return [p for p in points if since is None or p.at >= since]
        return await asyncio.to_thread(self._history.series, kind, entity, since)

    def record_kpi_update(self, update: KpiUpdateResult) -> None:
        """This app's KPI write the server recorded: shown in the KPI's series, marked as posted, and
        stored in the local history."""
        post = post_of(update, self._clock.now())
        if post is None:
            return
        self._recent.add_post(*post)
        if self._history is not None:
            self._history.record_post(*post)
        self._publish()

    async def _fetch(self, name: str, *, urgent: bool) -> None:
        if self._offline is not None:
            self._urgent.clear()
        self._urgent.discard(name)
        self._feeds[name] = replace(self._feeds[name], loading=True)
        self._publish()
        priority = Priority.INTERACTIVE if urgent else Priority.POLL
        try:
            # A connection refused is said at once (reconnect=False): this schedule is the retry.
            fetched = await self._fetchers[name](priority=priority, wait=False, reconnect=False)
        except OkrtError as exc:
            self._failed(name, exc)
            return
        now = self._clock.now()
        self._back_online(name, now)
        self._failures[name] = 0
        self._due[name] = now + self._interval(name)
        self._feeds[name] = Feed(items=fetched.data, fetched_at=fetched.received_at)
        self._mark_changes(name, fetched.data)
        self._remember(name, fetched.data, fetched.received_at)
        if self._history is not None:
            self._history.record_poll(name, fetched.data, fetched.received_at)  # queued: written in a thread
        if self._cache is not None:
            self._cache.save(name, fetched.raw, fetched.received_at)
        for listener in self._listeners:
            try:
                listener(name, fetched.data)
            except Exception:  # a listener's bug must not stop the refreshing
                log.exception("a listener of the %s list failed", name)
        self._publish()

    def _failed(self, name: str, exc: OkrtError) -> None:
        log.warning("refreshing %s failed: %s", name, exc)
        if isinstance(exc, NetworkError) and not isinstance(exc, TlsFailure):
            self._unreachable(exc)
            return
        # The server answered (or something of ours failed): not offline, whatever this list says.
        self._back_online(name, self._clock.now())
        self._holding_others = False  # the screen shows the failure; the other lists may say theirs
        self._failures[name] += 1
        interval = self._interval(name)
        if isinstance(exc, Unauthorized | Forbidden):
            wait = interval  # nothing changes until someone fixes the key; don't spend the budget on it
        elif isinstance(exc, RateLimited):
            wait = max(exc.retry_after, 1.0)
        else:
            wait = min(interval, self._intervals.first_backoff * 2 ** (self._failures[name] - 1))
        self._due[name] = self._clock.now() + wait
        self._feeds[name] = replace(self._feeds[name], error=exc, loading=False, retry_at=self._due[name])
        self._publish()

    def _remember(self, name: str, items: tuple[Any, ...], at: float) -> None:
        """The values of a list in the series in memory: one point per change, placed as the local
        history places it (a KPI's at its ``last_updated``), so the chart and the trend stay honest."""
        self._recent.add_poll(name, items, at)
        if name == "kpis":
            self._learn_directions(items)

    def _unreachable(self, exc: NetworkError) -> None:
        """Every list is offline, with one next attempt for all; a TLS failure is not offline (it is
        the same every time, so it waits as any other failure does)."""
        now = self._clock.now()
        self._probes += 1
        wait = min(self._intervals.offline_max, self._intervals.offline_backoff * 2 ** (self._probes - 1))
        since = now if self._offline is None else self._offline.since
        self._offline = Offline(since=since, retry_at=now + wait)
        self._holding_others = False
        for feed in FEEDS:
            self._feeds[feed] = replace(self._feeds[feed], error=exc, loading=False, retry_at=now + wait)
        self._publish()

    def _back_online(self, answered: str, now: float) -> None:
        """The server answered ``answered``'s fetch: if it was offline, the other lists are fetched now
        (they still carry the network error, which their own fetch replaces)."""
        if self._offline is None:
            return
        log.info("the server answers again (offline since %s)", self._offline.since)
        self._offline = None
        self._probes = 0
        for feed in FEEDS:
            if feed != answered:
                self._due[feed] = now

    def _mark_changes(self, name: str, items: tuple[Any, ...]) -> None:
        marks = self._marks.get(name)
        if marks is not None and marks.seen(items):
            self._snapshot = replace(self._snapshot, changed={**self._snapshot.changed, name: marks.marked})

    def _learn_directions(self, kpis: tuple[Kpi, ...]) -> None:
        """Which way is better, as the statuses of this list show it, kept for the lists that cannot."""
        known = self._snapshot.kpi_directions
        learned = learn_directions(kpis, known)
        if not learned:
            return
        if self._directions is not None:
            self._directions.remember(learned)
        self._snapshot = replace(self._snapshot, kpi_directions={**known, **learned})

    def _seen(self) -> dict[str, Any]:
        """The values seen, as the snapshot's copies: new ones only when they changed, so a screen can
        tell by identity that its rows need no rebuilding (most snapshots: a fetch starting, the budget)."""
        recent = self._recent
        if self._seen_copy[0] != recent.version:
            copies = {
                "kpi_seen": dict(recent.of(KPI)),
                "okr_progress_seen": dict(recent.of(OKR_PROGRESS)),
                "okr_health_seen": dict(recent.of(OKR_HEALTH)),
                "kpi_posted": dict(recent.posted),
            }
            self._seen_copy = (recent.version, copies)
        return self._seen_copy[1]

    def _publish(self, **changes: Any) -> None:
        self._snapshot = replace(
            self._snapshot,
            okrs=self._feeds["okrs"],
            kpis=self._feeds["kpis"],
            cycles=self._feeds["cycles"],
            **self._seen(),
            budget=self._budget.status(),
            taken_at=self._clock.now(),
            store_notices=self._store.notices if self._store is not None else (),
            offline=self._offline,
            **changes,
        )
        for callback in self._subscribers:
            callback(self._snapshot)


def _unexpected(name: str, exc: Exception) -> OkrtError:
    """The feed's error for an exception no layer turned into a sentence; its text could hold anything,
    so only its type is shown (the log has the traceback)."""
    return OkrtError(
        f"Refreshing the {name} list failed on an unexpected error ({type(exc).__name__}); the details "
        "are in the log file. Please report it."
    )
