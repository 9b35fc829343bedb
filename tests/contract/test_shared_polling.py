"""Monitors that poll as one (``okrt_tui.sync.shared``), against the real sandbox: one of them polls,
the others render what it recorded, and another takes over when it goes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from processes import start_script
from test_refresher import until

from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import NetworkError, RateLimited
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_READ_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.session import Session
from okrt_tui.sync import shared
from okrt_tui.sync.shared import SharedRefresher
from okrt_tui.sync.snapshot import Snapshot


def server_requests(sandbox: SandboxServer) -> int:
    return sum(row["count"] for row in sandbox.control.requests())


def refresher_of(session: Session) -> SharedRefresher:
    assert isinstance(session.refresher, SharedRefresher)
    return session.refresher


def all_live(snapshot: Snapshot) -> bool:
    feeds = (snapshot.okrs, snapshot.kpis, snapshot.cycles)
    return all(f.items is not None and not f.from_cache and not f.loading and f.error is None for f in feeds)


async def until_asleep(clock: FakeClock, count: int) -> None:
    """Until ``count`` refreshers sleep on the fake clock: none has anything left to do now."""
    for _ in range(5000):
        if clock.sleeping >= count:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"only {clock.sleeping} of {count} refreshers went to sleep")


async def drive(clock: FakeClock, count: int, seconds: float, step: float = 1.0) -> None:
    """Fake time forward a step at a time, each step once every refresher sleeps again (real HTTP
    takes real time: the fake clock must not run ahead while a fetch is on the wire)."""
    for _ in range(round(seconds / step)):
        clock.advance(step)
        await asyncio.sleep(0.001)
        await until_asleep(clock, count)


@contextlib.asynccontextmanager
async def monitors(
    base_url: str, root: Path, count: int, clock: FakeClock | None = None
) -> AsyncIterator[list[Session]]:
    """``count`` sessions of one workspace polling as one (one folder: one database, one lock), the
    first started first so that it leads."""
    kwargs = {"clock": clock} if clock else {}
    sessions: list[Session] = []
    tasks: list[asyncio.Task[None]] = []
    try:
        for _ in range(count):
            session = Session.open(
                base_url, ACME_READ_KEY, dirs=Dirs.for_root(root), poll_as_one=True, **kwargs
            )
            sessions.append(session)
            tasks.append(session.refresher.start())
            if len(sessions) == 1:
                await until(session, all_live)
        yield sessions
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for session in sessions:
            await session.aclose()


async def test_five_monitors_cost_the_requests_of_one(sandbox: SandboxServer, tmp_path: Path) -> None:
    async def ten_minutes(count: int, root: Path) -> int:
        before = server_requests(sandbox)
        clock = FakeClock(auto=False)
        async with monitors(sandbox.base_url, root, count, clock) as sessions:
            await until_asleep(clock, count)
            await drive(clock, count, 600, step=5)
            await drive(clock, count, 1)  # the followers' next read (they lag by up to a second)
            assert [refresher_of(s).leading for s in sessions] == [True] + [False] * (count - 1)
            leader = sessions[0].refresher.snapshot
            for follower in sessions[1:]:
                assert follower.refresher.snapshot.okrs.fetched_at == leader.okrs.fetched_at
        return server_requests(sandbox) - before

    one = await ten_minutes(1, tmp_path / "one")
    sandbox.control.set_clock(60)  # the next run in a fresh server window, as the first had
    five = await ten_minutes(5, tmp_path / "five")
    # Visible OKRs every 30 s (21), KPIs every 2 min (6), cycles every 10 min (2): one monitor's polling.
    assert five == one == 29


async def test_followers_show_the_leaders_lists_failures_and_offline_spell(tmp_path: Path) -> None:
    server = SandboxServer(control=True)
    server.start()
    clock = FakeClock(auto=False)
    try:
        async with monitors(server.base_url, tmp_path, 3, clock) as sessions:
            leader, followers = sessions[0], sessions[1:]
            await drive(clock, 3, 1)
            before = server_requests(server)
            for follower in followers:
                shown = follower.refresher.snapshot
                assert all_live(shown)
                assert shown.okrs.items == leader.refresher.snapshot.okrs.items
                assert shown.okrs.fetched_at == leader.refresher.snapshot.okrs.fetched_at

            # A teammate updates a KPI; the leader's next fetch reaches every follower.
            kpi = (leader.refresher.snapshot.kpis.items or ())[0]
            headers = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
            answer = httpx.post(
                f"{server.base_url}/kpis/{kpi.id}/updates", json={"value": 4242}, headers=headers
            )
            answer.raise_for_status()
            leader.refresher.refresh_now("kpis")
            await until(leader, lambda s: any(k.current == 4242 for k in s.kpis.items or ()))
            await drive(clock, 3, 1)
            for follower in followers:
                shown = {k.id: k.current for k in follower.refresher.snapshot.kpis.items or ()}
                assert shown[kpi.id] == 4242
                assert follower.refresher.snapshot.kpi_seen[kpi.id][-1].value == 4242

            # The server asks the leader to slow down: the followers say so, with the same countdown.
            server.control.fault("429", match="reads", seconds=7)
            leader.refresher.refresh_now("okrs")
            limited = await until(leader, lambda s: s.okrs.error is not None)
            await drive(clock, 3, 1)
            for follower in followers:
                okrs = follower.refresher.snapshot.okrs
                assert isinstance(okrs.error, RateLimited) and okrs.error.from_server
                assert str(okrs.error) == str(limited.okrs.error)
                assert okrs.retry_at == limited.okrs.retry_at and okrs.items == limited.okrs.items
            # Three monitors sent what one does: its start-up (3), a refresh of the KPIs and one of the
            # objectives (the 429); the teammate's update is another key's.
            monitors_sent = [r["count"] for r in server.control.requests() if r["label"] == "acme-read"]
            assert sum(monitors_sent) == 5

            # The server goes: the leader's offline spell, since and next probe, is every follower's.
            server.stop()
            await drive(clock, 3, 8)
            offline = await until(leader, lambda s: s.offline is not None)
            await drive(clock, 3, 1)
            for follower in followers:
                shown = follower.refresher.snapshot
                assert shown.offline is not None and shown.offline.since == offline.offline.since  # type: ignore[union-attr]
                assert isinstance(shown.kpis.error, NetworkError) and shown.kpis.stale
            assert not any(refresher_of(f).leading for f in followers)
        assert before == 3  # three monitors started: one start-up's fetches
    finally:
        server.stop()


async def test_when_the_leader_goes_another_carries_on_its_schedule(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    clock = FakeClock(auto=False)
    async with monitors(sandbox.base_url, tmp_path, 3, clock) as sessions:
        await drive(clock, 3, 10)
        assert server_requests(sandbox) == 3
        leader = sessions[0]
        await leader.aclose()  # its lock is free: the next follower to try takes it
        leader.refresher._task.cancel()  # type: ignore[union-attr]
        await drive(clock, 2, 2)
        leading = [refresher_of(s).leading for s in sessions[1:]]
        assert sorted(leading) == [False, True]
        assert server_requests(sandbox) == 3  # the lists are 12 s old: nothing to fetch yet
        await drive(clock, 2, 20)  # 32 s after the first fetch: the visible list is due again
        assert server_requests(sandbox) == 4


LEADER = """
import asyncio, sys
from pathlib import Path
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_READ_KEY
from okrt_tui.session import Session

async def main():
    dirs = Dirs.for_root(Path(sys.argv[2]))
    session = Session.open(sys.argv[1], ACME_READ_KEY, dirs=dirs, poll_as_one=True)
    def say(snapshot):
        if snapshot.kpis.items and not snapshot.kpis.loading and session.refresher.leading:
            print("leading", flush=True)
    session.refresher.subscribe(say)
    await session.refresher.run()

asyncio.run(main())
"""


async def test_a_killed_leader_process_is_replaced_within_a_second(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "FOLLOW_EVERY", 0.1)
    process = start_script(LEADER, sandbox.base_url, str(tmp_path))
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), 15)
        assert line.strip() == "leading", process.stderr.read() if process.stderr else ""
        session = Session.open(
            sandbox.base_url, ACME_READ_KEY, dirs=Dirs.for_root(tmp_path), poll_as_one=True
        )
        task = session.refresher.start()
        try:
            followed = await until(session, all_live)
            assert not refresher_of(session).leading
            os.kill(process.pid, signal.SIGKILL)  # no clean-up of any kind: the OS frees the lock
            process.wait()
            loop = asyncio.get_running_loop()
            killed_at = loop.time()
            while not refresher_of(session).leading:
                assert loop.time() - killed_at < 1.0, "no follower took over within a second"
                await asyncio.sleep(0.02)
            # It carries on the dead leader's schedule: the lists it showed are fresh, nothing is sent.
            await asyncio.sleep(0.3)
            assert server_requests(sandbox) == 3
            assert session.refresher.snapshot.okrs.fetched_at == followed.okrs.fetched_at
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await session.aclose()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
