"""The refresher when the server cannot be reached: every list says so at once, one probe at a time
tries again (never more than 30 s apart), and the server's return makes every list live by itself.

"Server down" is a port nobody listens on (the discard port), or the sandbox stopped and started again
on the same port with the same database; time is a fake clock, moved by hand while the sockets are real.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from test_refresher import drive, running, until, until_asleep

from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import NetworkError
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.sync.snapshot import Feed, Snapshot

DOWN = "http://127.0.0.1:9/api/v1"  # the discard port: nothing listens
START = 1_800_000_000.0
BODIES = {
    "okrs": b'[{"id": "o-1", "title": "Kept objective"}]',
    "kpis": b'[{"id": "k-1", "name": "Kept KPI"}]',
    "cycles": b'[{"id": "c-1", "name": "Kept cycle"}]',
}


def feeds(snapshot: Snapshot) -> tuple[Feed[object], ...]:
    return (snapshot.okrs, snapshot.kpis, snapshot.cycles)


def all_offline(snapshot: Snapshot) -> bool:
    return snapshot.offline is not None and all(isinstance(f.error, NetworkError) for f in feeds(snapshot))


def all_live(snapshot: Snapshot) -> bool:
    return snapshot.offline is None and all(
        f.items is not None and f.error is None and not f.from_cache and not f.loading
        for f in feeds(snapshot)
    )


def cache_every_list(tmp_path: Path, base_url: str, fetched_at: float) -> None:
    cache = Cache(Database(Dirs.for_root(tmp_path).database_file(base_url, ACME_ADMIN_KEY)))
    for name, body in BODIES.items():
        cache.save(name, body, fetched_at)


class Attempts:
    """Each fetch the refresher begins (a list turning ``loading``), as (fake time, list)."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str]] = []
        self._loading: set[str] = set()

    def __call__(self, snapshot: Snapshot) -> None:
        for name, feed in zip(("okrs", "kpis", "cycles"), feeds(snapshot), strict=True):
            if feed.loading and name not in self._loading:
                self.seen.append((snapshot.taken_at, name))
            (self._loading.add if feed.loading else self._loading.discard)(name)


async def test_with_a_fresh_cache_and_the_server_down_every_list_says_offline_within_5_s(
    tmp_path: Path,
) -> None:
    # The new user's case: the cache is 23 s old (not yet due by the polling interval), the server is
    # down. The cached lists show at once, and within 5 s every list says offline and when it retries.
    cache_every_list(tmp_path, DOWN, START - 23)
    clock = FakeClock(START)
    async with running(DOWN, ACME_ADMIN_KEY, tmp_path, clock, visible_first=True) as session:
        cached = await until(session, lambda s: all(f.items for f in feeds(s)))
        offline = await until(session, all_offline)
    assert all(f.from_cache and f.error is None for f in feeds(cached)) and cached.taken_at == START
    assert offline.offline is not None
    assert offline.taken_at - START <= 5 and offline.offline.since - START <= 5
    for feed in feeds(offline):
        assert feed.items and feed.from_cache and feed.fetched_at == START - 23  # still on screen
        assert feed.retry_at == offline.offline.retry_at and 0 < feed.retry_at - offline.taken_at <= 30


async def test_while_offline_one_probe_at_a_time_and_the_next_is_never_more_than_30_s_away(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START, auto=False)
    attempts = Attempts()
    async with running(DOWN, ACME_ADMIN_KEY, tmp_path, clock) as session:
        session.refresher.subscribe(attempts)
        await until(session, all_offline)
        for _ in range(600):  # ten minutes, a second at a time
            await until_asleep(clock)
            snapshot = session.refresher.snapshot
            assert all_offline(snapshot) and snapshot.offline is not None
            assert 0 <= snapshot.offline.retry_at - clock.now() <= 30
            clock.advance(1)
            await asyncio.sleep(0.001)
        await until_asleep(clock)
        probes = len(attempts.seen)
        session.refresher.refresh_now("okrs")  # r: one probe now, without waiting for the schedule
        await until(session, lambda s: len(attempts.seen) > probes and not s.okrs.loading)
        await until_asleep(clock)
    times = [at for at, _ in attempts.seen]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times[:-1])]
    assert {name for _, name in attempts.seen} == {"okrs"}  # only the visible list probes
    assert gaps[:4] == [5, 10, 20, 30] and set(gaps[4:]) == {30}
    assert times[-2] == START + 575  # the schedule's next would be at 605
    assert times[-1] == START + 600 and len(attempts.seen) == probes + 1  # r's, at once, and only one


async def test_when_the_server_comes_back_every_list_is_live_within_one_retry_interval(
    tmp_path: Path,
) -> None:
    server = SandboxServer(tmp_path / "sandbox.sqlite3", control=True)
    server.start()
    port = int(server.root_url.rsplit(":", 1)[1])
    clock = FakeClock(START, auto=False)
    try:
        async with running(server.base_url, ACME_ADMIN_KEY, tmp_path, clock) as session:
            await until(session, all_live)
            await until_asleep(clock)
            server.stop()
            await drive(clock, 30, step=1)  # the visible list's next poll finds the server gone
            await until(session, all_offline)
            await drive(clock, 40, step=1)  # a while offline: the probes are further apart now
            server = SandboxServer(tmp_path / "sandbox.sqlite3", port=port, control=True)
            server.start()
            back_at = clock.now()
            offline = session.refresher.snapshot.offline
            assert offline is not None
            interval = offline.retry_at - back_at
            assert 0 < interval <= 30
            for _ in range(int(interval) + 1):  # no key press: only time passes
                if all_live(session.refresher.snapshot):
                    break
                clock.advance(1)
                await asyncio.sleep(0.001)
                await until_asleep(clock)
            live = session.refresher.snapshot
    finally:
        server.stop()
    assert all_live(live), live
    assert clock.now() - back_at <= interval
    assert all((f.fetched_at or 0) >= back_at for f in feeds(live))
