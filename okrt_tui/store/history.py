"""The local history: what this computer saw of the workspace over time (the API tells only the present).

**What is kept.** A *series* is one measure of one entity, named by its ``kind`` and the entity's id:

==============  =========================================  ==========================================
kind            value                                      status (kept with the value)
==============  =========================================  ==========================================
``kpi``         a KPI's current value                      the KPI's status
``okr_progress``  an objective's progress (0-1)            the objective's status
``okr_health``  an objective's health score (0-100)        none
``kr_value``    a key result's current value               the key result's status
``kr_progress`` a key result's progress (0-1)              none
==============  =========================================  ==========================================

Key results are seen only when the API gives them (a sandbox extension; not with ``serve --strict``).
A point is stored only when its value or its status differs from the series' last stored point, so a
KPI polled every 30 s and changed once a week costs one row a week, and a report can tell the moment a
KPI crossed a status line.

**When a point happened.** A KPI's point (and a key result's) is placed at the entity's own time of
that value (``last_updated``, ``last_checkin_at``) when it parses, is not in the future (after the
poll's time) and is after the series' last point: the value was set then, not when this computer first
saw it. Otherwise, and always for objectives (whose progress and health move with time), at the poll's
time. An observation older than the series' last point (a slow process recording after a newer one)
is dropped: someone already recorded a newer state.

**This app's own KPI writes.** ``record_post`` stores the server's record of a delivered KPI update
(the dashboard's forms and the command line's writes both give it, through ``post_of``):
its ``previous_value`` just before the write (when the series did not already end on it; that is a
change this computer had not seen) and its ``new_value`` at the write's time, marked ``posted`` so a
chart can mark it. The list fetched next fills in the status the write's answer lacks.

**Retention.** Every point of the last 90 days (``DETAIL_DAYS``); older days keep one point a day per
series: the day's *last* point, the value the day ended on and the next day started from (a daily
close, as stock charts keep; it also keeps a series' latest point, whatever its age, so "the value 7
days ago" and the change detection always find one). Points this app posted are kept whatever their
age (a person's writes are few, and the chart marks them). Days are UTC days. So that no rate of change
can grow the file without bound, the full detail also holds at most ``MAX_DETAIL`` points (~25 MB): past
that, its oldest hours are thinned the same way early (as Prometheus's ``retention.size`` caps its
time-based retention); a realistic workspace never comes near it (see ``tests/benchmarks/
bench_history.py``). Downsampling runs in the writer thread once an hour of the polls' time at most,
one chunk of series at a time in short transactions, so no other process waits long for the file.

**Writing** happens off the event loop: ``record_poll`` and ``record_post`` put the
data on a queue (a few microseconds) and one writer thread, with its own connection, stores what
waits in one ``BEGIN IMMEDIATE`` transaction, comparing with the last stored values inside it. So a
monitor and two dashboards on one workspace record each change once: the second process to see a
change finds it stored. ``flush`` waits until what was queued is stored; ``close`` stores it and ends
the thread.

**Reading** (plain calls, a short read each on a connection of their own; the dashboard makes them
from a thread, the command line directly; times are epoch seconds):

- ``series(kind, entity, since=None)``: the points of one series, oldest first (``Point``);
- ``observations(kind, entity, since=None, state_then=False)``: the same with status and the posted
  mark (``Observation``); ``state_then`` adds the last point before ``since`` (the state then);
- ``changes(kind, since)``: every series of a kind, each from its state at ``since`` on (a report's
  "then and now" in one query);
- ``recent(kind, now)``: the last ``RECENT_POINTS`` points of every series of a kind, and the point
  ``TREND_DAYS`` before ``now``, in one query (what the dashboard loads at start-up);
- ``posted(kpi_id=None)``: the times this app posted to a KPI (to every KPI without an id);
- ``entities(kind)``: the ids that have a series of that kind;

**Failures** cost the history, never the app (the history is a convenience, like the cache): every
SQLite error is caught, a read that fails returns nothing, a write that fails loses the changes it held
(the next poll records the state it finds), and the session goes on. A trouble met once is only logged:
the database meets most of them too and says so (it moves a damaged file aside, and the history follows
to the fresh file; it stops saving to a locked or unwritable file, and the history stops with it), and
a lock may be gone at the next poll. Met again on the same file while the database is still on it, it
is said once in the database's ``notices`` (the dashboard shows them): a locked file is tried again at
each poll, a damaged or unwritable one is left alone until it is replaced.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import msgspec

from okrt_tui.api.models import Kpi, KpiUpdateResult, Okr
from okrt_tui.store.db import Database, Stage, Trouble, connect_file, trouble_of
from okrt_tui.views.numbers import finite
from okrt_tui.views.times import parse_timestamp

log = logging.getLogger(__name__)

T = TypeVar("T")

KPI = "kpi"
OKR_PROGRESS = "okr_progress"
OKR_HEALTH = "okr_health"
KR_VALUE = "kr_value"
KR_PROGRESS = "kr_progress"
KINDS = (KPI, OKR_PROGRESS, OKR_HEALTH, KR_VALUE, KR_PROGRESS)

DAY = 86400.0
DETAIL_DAYS = 90
"""Days kept in full detail; older days keep one point a day per series."""
MAX_DETAIL = 800_000
"""Points kept in full detail at most (~25 MB): past it the oldest detail is thinned early (see the
module's docstring), so that no rate of change makes the file grow without bound. With an hour of
writes before the next thinning and one point a day per series for a year, 500 KPIs and 500 objectives
changing at every 30-second poll come to ~1.53 million points, ~49 MB at the ~32 bytes a point takes."""
PRUNE_EVERY = 3600.0
"""Seconds (of the polls' time) between two downsampling runs of one process."""
PRUNE_CHUNK = 100
"""Series downsampled per transaction: the write lock is held a few milliseconds at a time."""
RECENT_POINTS = 32
"""Points per series loaded at start-up: a sparkline of the last ~30 changes and a trend to project."""
TREND_DAYS = 7
"""``recent`` also loads the point this many days back: the change "since 7 days ago"."""
LOCK_WAIT = 1.0
"""Seconds the writer thread waits for another process's lock (the event loop never waits for it).
Every writer of the file holds it for milliseconds (a poll's changes, a chunk of downsampling, an
outbox claim); longer is another program, and waiting for it would only hold up closing the app."""
READ_WAIT = 1.0
"""Seconds a read waits for a lock (a WAL file is read while another process writes: only an exclusive
lock makes a reader wait)."""
POST_GAP = 0.001
"""Seconds before a posted value at which the value it replaced is placed."""


class Point(msgspec.Struct, frozen=True, gc=False):
    """One value of a series at a moment (``at``: epoch seconds). The dashboard's ``KpiPoint``."""

    at: float
    value: float


class Observation(msgspec.Struct, frozen=True, gc=False):
    """One stored point with what came with it."""

    at: float
    value: float
    status: str | None  # the entity's status then (None for a kind without one, or not known)
    posted: bool  # this app posted the value (a KPI update it sent), rather than seeing it in a list


class Seen(NamedTuple):
    """One value as a list showed it, before it is placed in its series."""

    kind: str
    entity: str
    value: float
    status: str | None
    stamp: str | None  # the entity's own time of this value, as the API sent it (None: not given)


def seen_kpis(kpis: Iterable[Kpi]) -> Iterator[Seen]:
    for kpi in kpis:
        value = finite(kpi.current)  # None also for an integer past a float's range: shown, not kept
        if kpi.id is not None and value is not None:
            yield Seen(KPI, kpi.id, value, kpi.status, kpi.last_updated)


def seen_okrs(okrs: Iterable[Okr], *, key_results: bool = True) -> Iterator[Seen]:
    for okr in okrs:
        if okr.id is None:
            continue
        if (progress := finite(okr.progress)) is not None:
            yield Seen(OKR_PROGRESS, okr.id, progress, okr.status, None)
        if (health := finite(okr.health_score)) is not None:
            yield Seen(OKR_HEALTH, okr.id, health, None, None)
        if not key_results:
            continue
        for kr in okr.key_results or ():
            if kr.id is None:
                continue
            if (current := finite(kr.current)) is not None:
                yield Seen(KR_VALUE, kr.id, current, kr.status, kr.last_checkin_at)
            if (kr_progress := finite(kr.progress)) is not None:
                yield Seen(KR_PROGRESS, kr.id, kr_progress, None, kr.last_checkin_at)


def seen_in(feed: str, items: Iterable[Any], *, key_results: bool = True) -> Iterator[Seen]:
    """The values a fetched list (``okrs`` or ``kpis``) shows; nothing for the other lists."""
    if feed == "kpis":
        return seen_kpis(items)
    if feed == "okrs":
        return seen_okrs(items, key_results=key_results)
    return iter(())


def placed(stamp: str | None, poll_at: float, last_at: float | None) -> float | None:
    """When a changed value goes in its series (see the module's docstring); None: not at all."""
    after = -math.inf if last_at is None else last_at
    own = parse_timestamp(stamp) if stamp else None
    if own is not None and after < own <= poll_at:
        return own
    return poll_at if poll_at > after else None


def post_of(update: KpiUpdateResult, now: float) -> tuple[str, float | None, float, float] | None:
    """(KPI id, previous value, new value, when) of a KPI update the server recorded, as
    ``History.record_post`` and ``Recent.add_post`` take them (its time: the record's ``created_at``,
    else ``now``); None for a record that names no KPI or no new value."""
    new = finite(update.new_value)
    if update.kpi_id is None or new is None:
        return None
    return update.kpi_id, finite(update.previous_value), new, parse_timestamp(update.created_at) or now


def post_points(
    previous: float | None, new: float, at: float, last_value: float | None, last_at: float | None
) -> list[tuple[float, float, bool]]:
    """The points (at, value, posted) a delivered KPI write adds to a series that ends on ``last_value``
    at ``last_at``: the value it replaced, just before it, when the series did not end on it (a change
    not seen), and the new value at the write's time."""
    after = -math.inf if last_at is None else last_at
    points = []
    if previous is not None and last_value != previous and at - POST_GAP > after:
        points.append((at - POST_GAP, previous, False))
    points.append((at, new, True))
    return points


class LastPoll:
    """Each list's records by id as the previous poll had them. A record equal to its previous self
    (msgspec compares them in C, nested key results too) changed nothing and is passed over before any
    of its values is looked at: most of a poll's records, at a fraction of the cost of reading them."""

    def __init__(self) -> None:
        self._records: dict[str, dict[str | None, Any]] = {}

    def changed(self, feed: str, items: Iterable[Any]) -> Iterator[Any]:
        previous = self._records.setdefault(feed, {})
        for item in items:
            if previous.get(item.id) != item:
                previous[item.id] = item
                yield item

    def forget(self) -> None:
        self._records.clear()


class Keep(msgspec.Struct, frozen=True):
    """What of a series the screens read, besides its last ``limit`` points: every point of the last
    ``seconds``, the one in force when they began, and at least the last ``last`` points."""

    seconds: float
    last: int


class Recent:
    """The latest points of some kinds of series in memory, for the screens: what the store loaded at
    start-up, then every change seen since, by the store's own rules (a new point when the value
    changed, placed by ``placed``), at most ``limit`` points per series (the oldest go first).

    With ``keep``, a point older than what the screens read is let go as a series changes: its size then
    follows how often it changes, not how long the session has run, so memory stops growing once
    ``keep.seconds`` have passed (a series changing twice a month reached ``limit`` only after years).
    The local history holds the rest; without one (``keep`` None) the points seen are all there is."""

    def __init__(self, kinds: Sequence[str], limit: int, keep: Keep | None = None) -> None:
        self.limit = limit
        self.keep = keep
        #: Counts the changes, so a reader copies the series only when they changed.
        self.version = 0
        self._series: dict[str, dict[str, tuple[Point, ...]]] = {kind: {} for kind in kinds}
        self.posted: dict[str, tuple[float, ...]] = {}
        self._last_poll = LastPoll()
        self._key_results = KR_VALUE in kinds or KR_PROGRESS in kinds

    def of(self, kind: str) -> dict[str, tuple[Point, ...]]:
        return self._series[kind]

    def add_poll(self, feed: str, items: Iterable[Any], poll_at: float) -> None:
        """The values of a fetched list (only its records that changed since the previous poll are read)."""
        changed = self._last_poll.changed(feed, items)
        self.add(seen_in(feed, changed, key_results=self._key_results), poll_at)

    def add(self, seen: Iterable[Seen], poll_at: float) -> None:
        for kind, entity, value, _status, stamp in seen:
            series = self._series.get(kind)
            if series is None:
                continue
            points = series.get(entity, ())
            if points and points[-1].value == value:
                continue
            at = placed(stamp, poll_at, points[-1].at if points else None)
            if at is not None:
                series[entity] = self._bounded((*points, Point(at, value)), poll_at)
                self.version += 1

    def _bounded(self, points: tuple[Point, ...], now: float) -> tuple[Point, ...]:
        """``points`` (oldest first) without those no screen reads any more (see the class)."""
        points = points[-self.limit :]
        keep = self.keep
        if keep is None:
            return points
        since = now - keep.seconds
        most = len(points) - keep.last
        drop = 0
        # The first point kept is the one in force at ``since``: dropped are those before it.
        while drop < most and points[drop + 1].at <= since:
            drop += 1
        return points[drop:] if drop else points

    def add_post(self, kpi_id: str, previous: float | None, new: float, at: float) -> None:
        """This app's KPI write, as ``History.record_post`` stores it."""
        series = self._series[KPI]
        points = series.get(kpi_id, ())
        last_value, last_at = (points[-1].value, points[-1].at) if points else (None, None)
        added = [
            Point(p_at, value)
            for p_at, value, _ in post_points(previous, new, at, last_value, last_at)
            if last_at is None or p_at > last_at
        ]
        series[kpi_id] = self._bounded((*points, *added), at)
        self.posted[kpi_id] = (*self.posted.get(kpi_id, ()), at)
        self.version += 1

    def merge(self, kind: str, loaded: Mapping[str, Sequence[Point]], now: float) -> None:
        """Series read from the store at ``now``, before the points this session added meanwhile."""
        series = self._series[kind]
        for entity, points in loaded.items():
            since = points[-1].at if points else -math.inf
            newer = [p for p in series.get(entity, ()) if p.at > since]
            series[entity] = self._bounded((*points, *newer), now)
        self.version += 1

    def merge_posted(self, loaded: Mapping[str, Sequence[float]]) -> None:
        for kpi_id, times in loaded.items():
            self.posted[kpi_id] = tuple(sorted({*times, *self.posted.get(kpi_id, ())}))
        self.version += 1


class _Poll(NamedTuple):
    feed: str
    items: tuple[Any, ...]
    at: float


class _Post(NamedTuple):
    kpi_id: str
    previous: float | None
    new: float
    at: float


_Job = _Poll | _Post | threading.Event | None  # an Event: flush; None: stop

_DOWNSAMPLE = """
DELETE FROM history_point AS p
WHERE p.series = ?1 AND p.at >= ?2 AND p.at < ?3 AND p.posted = 0
  AND EXISTS (
    SELECT 1 FROM history_point AS later
    WHERE later.series = ?1 AND later.at > p.at AND later.at < (CAST(p.at / 86400 AS INTEGER) + 1) * 86400
  )
"""

_RECENT = """
SELECT s.entity, p.at, p.value FROM history_series AS s JOIN history_point AS p ON p.series = s.id
WHERE s.kind = ?1 AND p.at >= coalesce(
    (SELECT at FROM history_point WHERE series = s.id ORDER BY at DESC LIMIT 1 OFFSET ?2), -1e300)
UNION
SELECT s.entity, p.at, p.value FROM history_series AS s JOIN history_point AS p ON p.series = s.id
WHERE s.kind = ?1 AND p.at = (SELECT max(at) FROM history_point WHERE series = s.id AND at <= ?3)
ORDER BY 1, 2
"""

_OBSERVATIONS = """
SELECT s.entity, p.at, p.value, p.status, p.posted
FROM history_series AS s JOIN history_point AS p ON p.series = s.id
WHERE s.kind = ?1 AND (?2 IS NULL OR s.entity = ?2) AND p.at >= ?3
UNION ALL
SELECT s.entity, p.at, p.value, p.status, p.posted
FROM history_series AS s JOIN history_point AS p ON p.series = s.id
WHERE s.kind = ?1 AND (?2 IS NULL OR s.entity = ?2) AND ?4
    AND p.at = (SELECT max(at) FROM history_point WHERE series = s.id AND at < ?3)
ORDER BY 1, 2
"""

_WHY = {
    Trouble.LOCKED: "another program holds it locked; the changes seen meanwhile are not recorded, and "
    "recording goes on when it is free",
    Trouble.READ_ONLY: "it cannot be written; this session records no history",
    Trouble.UNREADABLE: "it is damaged; this session records no history",
    Trouble.FAILED: "the disk refused it (full, or failing); recording is tried again at the next poll",
}
#: Troubles after which the history leaves the file alone until it is replaced.
_STOPPING = (Trouble.READ_ONLY, Trouble.UNREADABLE)


class History:
    """The local history of one workspace's database (see the module's docstring)."""

    def __init__(
        self,
        db: Database,
        *,
        lock_wait: float = LOCK_WAIT,
        detail_days: float = DETAIL_DAYS,
        max_detail: int = MAX_DETAIL,
    ) -> None:
        self.path = db.path
        self._db = db
        self._lock_wait = lock_wait
        self._detail = detail_days * DAY
        self._max_detail = max_detail
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._starting = threading.Lock()
        self._writer: tuple[sqlite3.Connection, int] | None = None  # the writer thread's own
        self._reader: tuple[sqlite3.Connection, int] | None = None
        self._reading = threading.Lock()
        self._said: set[Trouble] = set()
        self._saying = threading.Lock()
        self._stopped_on: int | None = None  # the inode of a file the history stopped on
        self._suspect: tuple[Trouble, int | None] | None = None  # the last trouble met, and on which file
        self._pruned_at = -math.inf
        # The writer thread's knowledge, valid while no other process wrote (``generation`` in the
        # meta table counts the history's write transactions): each series' last stored point, and
        # the records of the previous poll, so an unchanged poll costs ~0.5 ms instead of ~30.
        self._generation: str | None = None
        self._last: dict[tuple[str, str], list[Any]] | None = None
        self._last_poll = LastPoll()

    @property
    def enabled(self) -> bool:
        """False when the database is not on its file (this session saves nothing to it)."""
        return self._db.stage is Stage.FILE

    # -- recording (from the event loop: each call only queues) ---------------------------------------

    def record_poll(self, feed: str, items: tuple[Any, ...], at: float) -> None:
        """The values of a fetched list (``okrs`` or ``kpis``), as received at ``at``."""
        if feed in ("okrs", "kpis"):
            self._put(_Poll(feed, items, at))

    def record_post(self, kpi_id: str, previous: float | None, new: float, at: float) -> None:
        """This app's KPI write the server recorded: the value it replaced and the new one, at ``at``."""
        self._put(_Post(kpi_id, previous, new, at))

    def flush(self, timeout: float = 30.0) -> bool:
        """Waits until everything queued so far is stored (or given up on); False on timeout."""
        if self._thread is None:
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stores what is queued and ends the writer thread; reads stay possible."""
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)
            self._thread = None
        with self._reading:
            if self._reader is not None:
                self._reader[0].close()
                self._reader = None

    def _put(self, job: _Job) -> None:
        if not self.enabled:
            return
        if self._thread is None:
            with self._starting:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="okrt-history", daemon=True)
                    self._thread.start()
        self._queue.put(job)

    # -- the writer thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            while True:
                jobs = [self._queue.get()]
                with contextlib.suppress(queue.Empty):
                    while True:
                        jobs.append(self._queue.get_nowait())
                writes = [job for job in jobs if isinstance(job, _Poll | _Post)]
                if writes:
                    self._write(writes)
                for job in jobs:
                    if isinstance(job, threading.Event):
                        job.set()
                if None in jobs:
                    return
        finally:
            if self._writer is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._writer[0].close()
                self._writer = None

    def _write(self, jobs: list[_Poll | _Post]) -> None:
        if not self.enabled:
            return
        try:
            conn = self._connection(writer=True)
            if conn is None:
                return
            with _immediate(conn):
                generation = _meta(conn, "generation")
                if generation != self._generation or self._last is None:
                    # Another process wrote since this one did: what it knew may be out of date.
                    self._last, self._last_poll = _last_values(conn), LastPoll()
                _Writing(conn, self._last, self._last_poll).apply(jobs)
                self._generation = str(int(generation or 0) + 1)
                _set_meta(conn, "generation", self._generation)
            self._suspect = None
            now = max((job.at for job in jobs), default=None)
            if now is not None and now - self._pruned_at >= PRUNE_EVERY:
                self._pruned_at = now
                self._downsample(conn, now)
        except (sqlite3.Error, OSError) as exc:
            self._last = None  # changed inside the transaction rolled back: read again next time
            self._trouble(exc, writer=True)
        except Exception:  # a bug of ours: it costs these changes, never the thread
            self._last = None
            log.exception("recording the history failed")

    def _downsample(self, conn: sqlite3.Connection, now: float) -> None:
        """Keeps one point a day per series (the day's last, and the posted ones) before the detail."""
        done = float(_meta(conn, "downsampled_until") or 0.0)
        cutoff = max(math.floor((now - self._detail) / DAY) * DAY, self._crowded_until(conn, done))
        if cutoff <= done:
            return
        ids = [row[0] for row in conn.execute("SELECT id FROM history_series")]
        for start in range(0, len(ids), PRUNE_CHUNK):
            with _immediate(conn):
                for series in ids[start : start + PRUNE_CHUNK]:
                    conn.execute(_DOWNSAMPLE, (series, done, cutoff))
        with _immediate(conn):
            _set_meta(conn, "downsampled_until", repr(cutoff))

    def _crowded_until(self, conn: sqlite3.Connection, done: float) -> float:
        """Where the detail must start for at most ``max_detail`` points to be kept in full: the start of
        the hour from which the newest points fill the allowance (-inf when all fit). One read of the
        detail's times, once an hour, in the writer thread."""
        kept = 0
        for hour, count in conn.execute(
            "SELECT CAST(at / 3600 AS INTEGER) AS hour, count(*) FROM history_point WHERE at >= ? "
            "GROUP BY hour ORDER BY hour DESC",
            (done,),
        ):
            kept += count
            if kept > self._max_detail:
                return (int(hour) + 1) * 3600.0
        return -math.inf

    # -- reading --------------------------------------------------------------------------------------

    def series(self, kind: str, entity: str, since: float | None = None) -> list[Point]:
        """The points of one series from ``since`` on (all of them for None), oldest first."""
        return [Point(o.at, o.value) for o in self.observations(kind, entity, since)]

    def observations(
        self, kind: str, entity: str, since: float | None = None, *, state_then: bool = False
    ) -> list[Observation]:
        """The points of one series with status and posted mark; ``state_then``: with the last point
        before ``since`` too (the value and status at ``since``)."""
        return self._observations(kind, entity, since, state_then).get(entity, [])

    def changes(self, kind: str, since: float) -> dict[str, list[Observation]]:
        """Every series of ``kind``: its state at ``since`` (the last point before it, if any), then
        each point from ``since`` on. Entity id → observations, oldest first."""
        return self._observations(kind, None, since, True)

    def recent(
        self, kind: str, now: float, *, points: int = RECENT_POINTS, days: float = TREND_DAYS
    ) -> dict[str, tuple[Point, ...]]:
        """The last ``points`` points of every series of ``kind``, and the one in force ``days`` before
        ``now`` (the value then), oldest first; one query."""
        rows: list[Any] = self._read(
            lambda c: c.execute(_RECENT, (kind, points - 1, now - days * DAY)).fetchall(), []
        )
        return {entity: tuple(Point(at, value) for _, at, value in group) for entity, group in _grouped(rows)}

    def posted(self, kpi_id: str | None = None) -> dict[str, tuple[float, ...]]:
        """When this app posted to each KPI (to ``kpi_id`` only, when given): KPI id → epoch seconds,
        oldest first."""
        rows: list[Any] = self._read(
            lambda c: c.execute(
                "SELECT s.entity, p.at FROM history_series AS s "
                "JOIN history_point AS p INDEXED BY history_posted ON p.series = s.id AND p.posted = 1 "
                "WHERE s.kind = ? AND (? IS NULL OR s.entity = ?) ORDER BY s.entity, p.at",
                (KPI, kpi_id, kpi_id),
            ).fetchall(),
            [],
        )
        return {entity: tuple(at for _, at in group) for entity, group in _grouped(rows)}

    def entities(self, kind: str) -> list[str]:
        rows: list[Any] = self._read(
            lambda c: c.execute(
                "SELECT entity FROM history_series WHERE kind = ? ORDER BY entity", (kind,)
            ).fetchall(),
            [],
        )
        return [str(row[0]) for row in rows]

    def _observations(
        self, kind: str, entity: str | None, since: float | None, state_then: bool
    ) -> dict[str, list[Observation]]:
        params = (kind, entity, -math.inf if since is None else since, state_then)
        rows: list[Any] = self._read(lambda c: c.execute(_OBSERVATIONS, params).fetchall(), [])
        return {
            entity: [Observation(at, value, status, bool(posted)) for _, at, value, status, posted in group]
            for entity, group in _grouped(rows)
        }

    def _read(self, query: Callable[[sqlite3.Connection], T], default: T) -> T:
        if not self.enabled:
            return default
        with self._reading:
            try:
                conn = self._connection(writer=False)
                if conn is None:
                    return default
                result = query(conn)
                self._suspect = None
                return result
            except (sqlite3.Error, OSError) as exc:
                self._trouble(exc, writer=False)
                return default

    # -- the file -------------------------------------------------------------------------------------

    def _connection(self, *, writer: bool) -> sqlite3.Connection | None:
        """This side's connection, opened again when the file was replaced (moved aside as damaged and
        a fresh one started); None while the history stays off this file."""
        try:
            inode = os.stat(self.path).st_ino
        except OSError:
            inode = None
        if self._stopped_on is not None and inode == self._stopped_on:
            return None
        held = self._writer if writer else self._reader
        if held is not None and held[1] == inode:
            return held[0]
        if held is not None:
            held[0].close()
        opened = connect_file(self.path, self._lock_wait if writer else READ_WAIT)
        if writer:
            self._writer = opened
        else:
            self._reader = opened
        self._stopped_on = None
        return opened[0]

    def _trouble(self, exc: sqlite3.Error | OSError, *, writer: bool) -> None:
        trouble = trouble_of(exc)
        held = self._writer if writer else self._reader
        if held is not None:
            with contextlib.suppress(sqlite3.Error):
                held[0].close()
            if writer:
                self._writer = None
            else:
                self._reader = None
        try:
            inode: int | None = os.stat(self.path).st_ino
        except OSError:
            inode = None
        with self._saying:
            # Met once, a trouble is only logged: the database meets most of them too and says so (it
            # moves a damaged file aside, and the history follows; it stops saving to a locked or
            # unwritable file, and so does the history), and a lock may be gone at the next poll.
            # Met again on the same file, with the database still on it, it is the history's to say.
            first = self._suspect != (trouble, inode)
            self._suspect = (trouble, inode)
            said = first or not self.enabled or trouble in self._said
            if not said:
                self._said.add(trouble)
            if not first and trouble in _STOPPING:
                self._stopped_on = inode
        if said:
            log.info("local history in %s: %s", self.path, exc)
        else:
            self._db.say(f"The local history in {self.path} cannot be used: {_WHY[trouble]}.", exc)


def _last_values(conn: sqlite3.Connection) -> dict[tuple[str, str], list[Any]]:
    """(kind, entity) → [series id, last_at, last_value, last_status], as stored."""
    return {
        (kind, entity): [series, at, value, status]
        for kind, entity, series, at, value, status in conn.execute(
            "SELECT kind, entity, id, last_at, last_value, last_status FROM history_series"
        )
    }


class _Writing:
    """One write transaction of the writer thread: the series' last stored values, as read inside it
    or known to be unchanged since (see ``History._write``), decide what changed."""

    def __init__(
        self, conn: sqlite3.Connection, last: dict[tuple[str, str], list[Any]], last_poll: LastPoll
    ) -> None:
        self.conn = conn
        self.last = last
        self.last_poll = last_poll

    def apply(self, jobs: Iterable[_Poll | _Post]) -> None:
        for job in jobs:
            if isinstance(job, _Poll):
                for seen in seen_in(job.feed, self.last_poll.changed(job.feed, job.items)):
                    self.observe(seen, job.at)
            else:
                self.post(job)

    def _entry(self, kind: str, entity: str) -> list[Any]:
        entry = self.last.get((kind, entity))
        if entry is None:
            cursor = self.conn.execute(
                "INSERT INTO history_series (kind, entity) VALUES (?, ?)", (kind, entity)
            )
            entry = self.last[kind, entity] = [cursor.lastrowid, None, None, None]
        return entry

    def observe(self, seen: Seen, poll_at: float) -> None:
        entry = self._entry(seen.kind, seen.entity)
        series, last_at, last_value, last_status = entry
        if last_value == seen.value:
            if last_status == seen.status:
                return
            if last_status is None and last_at is not None:
                # A posted point (the write's answer has no status): this list says what it is.
                self.conn.execute(
                    "UPDATE history_point SET status = ? WHERE series = ? AND at = ?",
                    (seen.status, series, last_at),
                )
                self._last(entry, last_at, last_value, seen.status)
                return
        at = placed(seen.stamp, poll_at, last_at)
        if at is not None:
            self._insert(entry, at, seen.value, seen.status, posted=False)

    def post(self, post: _Post) -> None:
        entry = self._entry(KPI, post.kpi_id)
        for at, value, posted in post_points(post.previous, post.new, post.at, entry[2], entry[1]):
            self._insert(entry, at, value, None, posted=posted)

    def _insert(self, entry: list[Any], at: float, value: float, status: str | None, *, posted: bool) -> None:
        self.conn.execute(
            "INSERT INTO history_point (series, at, value, status, posted) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (series, at) DO UPDATE SET value = excluded.value, "
            "posted = max(posted, excluded.posted)",
            (entry[0], at, value, status, int(posted)),
        )
        if entry[1] is None or at > entry[1]:
            self._last(entry, at, value, status)

    def _last(self, entry: list[Any], at: float, value: float, status: str | None) -> None:
        entry[1:] = [at, value, status]
        self.conn.execute(
            "UPDATE history_series SET last_at = ?, last_value = ?, last_status = ? WHERE id = ?",
            (at, value, status, entry[0]),
        )


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM history_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO history_meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _grouped(rows: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """Rows ordered by their first column (the entity), in groups."""
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            yield str(rows[start][0]), rows[start:i]
            start = i
