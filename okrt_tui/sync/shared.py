"""Monitors that poll as one: ten screens on one key cost the budget of one.

Every monitor process of a workspace (the served monitor starts one per browser) runs a
``SharedRefresher``. One of them, the *leader*, polls as any refresher does and records into the
workspace's database what all of them show: the lists in the cache (``store.cache``), the series in
the history, and its lists' state (when each was fetched, the latest failure and when it is tried
again, offline) in ``store.poll_state``. The others, the *followers*, send nothing: about once a
second they read that state and, when a list is newer than theirs, read it from the cache, through the
same decoder and the same bookkeeping (series, change marks) as a fetched list. So their snapshots are
the leader's, its "rate limited" and "offline since 14:02, retrying in 20 s" included.

The leader is whoever holds a lock file in the state dir (``Leadership``): taken without waiting, and
released by the operating system when its process ends, however it ends (a crash, ``kill -9``, the
browser tab of a served monitor closed). Each follower tries to take it before each read, so when the
leader goes, another leads within a second and carries on its schedule: each list comes due when it
would have under the old leader, and an offline spell goes on with its next probe, so the change of
hands costs no request. A process whose state dir cannot hold the lock polls on its own (it cannot
know whether another polls), as a lone refresher would.

A group is the workspace (base URL and key) and the lists polled (``group_of``): monitors whose panels
need other lists poll in a group of their own. A follower's ``refresh_now`` does nothing: the leader's
schedule serves every screen of the group.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import filelock
import msgspec
from msgspec.structs import replace

from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.errors import (
    ApiDataError,
    ApiError,
    BadRequest,
    Forbidden,
    InvalidInput,
    LedgerUnavailable,
    NetworkError,
    NotFound,
    OkrtError,
    RateLimited,
    ServerError,
    TlsFailure,
    Unauthorized,
    WriteUnconfirmed,
)
from okrt_tui.store.db import Database
from okrt_tui.store.history import History
from okrt_tui.store.poll_state import PollState
from okrt_tui.sync.opening import load_cached
from okrt_tui.sync.refresher import DEFAULT_INTERVALS, Intervals, Refresher
from okrt_tui.sync.snapshot import FEEDS, Feed, Offline

log = logging.getLogger(__name__)

#: Seconds between a follower's reads of the leader's state (and its tries to lead): what a follower
#: shows lags the leader's by at most this, and a dead leader is replaced within it.
FOLLOW_EVERY = 1.0


def group_of(feeds: Iterable[str]) -> str:
    """The name of the group polling ``feeds`` (in a file name and a database row)."""
    return "+".join(sorted(set(feeds)))


class Leadership:
    """The right to poll for a group, held by one process at a time: a lock on ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # No soft fallback (a marker file) where the file system has no flock: a marker outlives a
        # killed leader, and nobody would ever take over.
        self._lock = filelock.FileLock(
            path, timeout=0, thread_local=False, fallback_to_soft=False, preserve_lock_file=True
        )
        self._alone = False

    @property
    def held(self) -> bool:
        return self._alone or self._lock.is_locked

    def try_take(self) -> bool:
        """True when this process leads (now or already); never waits."""
        if self.held:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire(blocking=False)
        except filelock.Timeout:
            return False
        except OSError as exc:
            log.warning("the poller's lock %s cannot be used (%s); polling on its own", self.path, exc)
            self._alone = True
        return True

    def release(self) -> None:
        """Lets another process lead at once (a process that ends releases it anyway)."""
        if self._lock.is_locked:
            self._lock.release()


# -- the leader's state, as the followers read it ----------------------------------------------------------

_ERRORS: dict[str, type[OkrtError]] = {
    cls.__name__: cls
    for cls in (
        OkrtError,
        InvalidInput,
        ApiError,
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        RateLimited,
        LedgerUnavailable,
        ServerError,
        NetworkError,
        TlsFailure,
        WriteUnconfirmed,
        ApiDataError,
    )
}


class _Error(msgspec.Struct, frozen=True, omit_defaults=True):
    """A feed's error, as much of it as the screens read: its class (the nearest one ``api.errors``
    defines), its sentence, and what the status texts take from a 429 or a 403."""

    kind: str
    message: str
    retry_after: float = 0.0
    from_server: bool = False
    scope: str | None = None


class _Feed(msgspec.Struct, frozen=True, omit_defaults=True):
    fetched_at: float | None = None
    error: _Error | None = None
    loading: bool = False
    from_cache: bool = False
    retry_at: float | None = None


class _State(msgspec.Struct, frozen=True):
    feeds: dict[str, _Feed]
    offline: Offline | None = None


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(_State)


def _told(error: OkrtError | None) -> _Error | None:
    if error is None:
        return None
    kind = next(cls.__name__ for cls in type(error).__mro__ if _ERRORS.get(cls.__name__) is cls)
    return _Error(
        kind,
        str(error),
        retry_after=error.retry_after if isinstance(error, RateLimited) else 0.0,
        from_server=isinstance(error, RateLimited) and error.from_server,
        scope=error.scope if isinstance(error, Forbidden) else None,
    )


def _heard(told: _Error | None) -> OkrtError | None:
    if told is None:
        return None
    cls = _ERRORS.get(told.kind, OkrtError)
    if issubclass(cls, RateLimited):
        return cls(told.message, retry_after=told.retry_after, from_server=told.from_server)
    if issubclass(cls, Forbidden):
        return cls(told.message, scope=told.scope)
    return cls(told.message)


class SharedRefresher(Refresher):
    """A refresher that polls only while it leads its group, and otherwise renders the leader's data.

    It extends the refresher's loop at its two decisions: which list to fetch next (none, while
    following) and how to wait (a follower reads the leader's state once a second); and every snapshot
    a leader publishes tells the followers its state."""

    def __init__(
        self,
        client: OkrtClient,
        budget: Budget,
        *,
        leadership: Leadership,
        group: str,
        workspace: str,
        store: Database,
        history: History | None = None,
        clock: Clock = SYSTEM_CLOCK,
        intervals: Intervals = DEFAULT_INTERVALS,
        follow_every: float | None = None,
        **options: Any,
    ) -> None:
        super().__init__(
            client,
            budget,
            workspace=workspace,
            store=store,
            history=history,
            clock=clock,
            intervals=intervals,
            **options,
        )
        self._leadership = leadership
        self._state = PollState(store, group)
        self._follow_every = FOLLOW_EVERY if follow_every is None else follow_every
        self._leading = False
        self._followed = False  # this process followed before it led: it takes over a schedule
        self._said: bytes | None = None  # the state this leader wrote last
        self._heard_raw: bytes | None = None  # the state this follower read last

    @property
    def leading(self) -> bool:
        return self._leading

    def _next_feed(self) -> str | None:
        if not self._leading and self._leadership.try_take():
            self._lead()
        return super()._next_feed() if self._leading else None

    async def _sleep_until_due(self) -> None:
        if self._leading:
            await super()._sleep_until_due()
            return
        self._follow()
        await self._clock.sleep(self._follow_every)

    def _publish(self, **changes: Any) -> None:
        super()._publish(**changes)
        if self._leading:
            self._tell()

    def _lead(self) -> None:
        """From now on this process polls. At its start it fetches every list at once, as any
        refresher does; after following, each list comes due when it would have under the old leader."""
        self._leading = True
        log.info("this monitor polls for its group now (pid %d)", os.getpid())
        if not self._followed:
            return
        now = self._clock.now()
        for name in FEEDS:
            feed = self._feeds[name]
            if feed.loading or feed.fetched_at is None:
                due = now  # the old leader went during this fetch, or never made it
            elif feed.error is not None and feed.retry_at is not None:
                due = feed.retry_at
            else:
                due = feed.fetched_at + self._interval(name)
            self._due[name] = due
            self._feeds[name] = replace(feed, loading=False)
        self._holding_others = False
        self._probes = 1 if self._offline is not None else 0
        self._publish()

    def _tell(self) -> None:
        state = _State(
            feeds={
                name: _Feed(feed.fetched_at, _told(feed.error), feed.loading, feed.from_cache, feed.retry_at)
                for name, feed in self._feeds.items()
            },
            offline=self._offline,
        )
        raw = _ENCODER.encode(state)
        if raw != self._said:
            self._state.save(raw, self._clock.now())
            self._said = raw

    def _follow(self) -> None:
        """The leader's state, when it changed: newer lists from the cache, and every feed's errors,
        schedule and offline spell as the leader has them."""
        self._followed = True
        raw = self._state.load()
        if raw is None or raw == self._heard_raw:
            return
        self._heard_raw = raw
        try:
            state = _DECODER.decode(raw)
        except msgspec.DecodeError as exc:  # written by another version of okrt-tui
            log.info("ignoring the poller's state, which does not decode: %s", exc)
            return
        for name, shared in state.feeds.items():
            feed = self._feeds.get(name)
            if feed is None:
                continue
            items, fetched_at = feed.items, feed.fetched_at
            if shared.fetched_at is not None and shared.fetched_at != fetched_at and self._cache is not None:
                loaded = load_cached(self._cache, name)
                if loaded is not None and loaded.items is not None and loaded.fetched_at is not None:
                    items, fetched_at = loaded.items, loaded.fetched_at
                    self._mark_changes(name, items)
                    self._remember(name, items, fetched_at)
            self._feeds[name] = Feed(
                items=items,
                fetched_at=fetched_at,
                error=_heard(shared.error),
                loading=shared.loading,
                from_cache=shared.from_cache,
                retry_at=shared.retry_at,
            )
        self._offline = state.offline
        self._publish()
