"""The refresher against the real sandbox: what it fetches, how often, and what a failure leaves on screen."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from store_files import corrupt_pages, lock_held, unwritable

from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import Forbidden, NetworkError, ServerError, Unauthorized
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_NONE_KEY, ACME_REVOKED_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.session import Session
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.store.history import KPI
from okrt_tui.store.outbox import DELIVERED
from okrt_tui.sync.snapshot import Snapshot


def server_requests(sandbox: SandboxServer) -> int:
    return sum(row["count"] for row in sandbox.control.requests())


async def until(session: Session, condition: Callable[[Snapshot], bool], timeout: float = 10.0) -> Snapshot:
    """The first snapshot that meets ``condition`` (real-time timeout: the server is real)."""
    if condition(session.refresher.snapshot):
        return session.refresher.snapshot
    reached: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()

    def check(snapshot: Snapshot) -> None:
        if not reached.done() and condition(snapshot):
            reached.set_result(snapshot)

    session.refresher.subscribe(check)
    return await asyncio.wait_for(reached, timeout)


def all_loaded(snapshot: Snapshot) -> bool:
    return all(
        feed.items is not None and not feed.from_cache
        for feed in (snapshot.okrs, snapshot.kpis, snapshot.cycles)
    )


@contextlib.asynccontextmanager
async def running(
    base_url: str, key: str, tmp_path: Path, clock: FakeClock | None = None, *, visible_first: bool = False
) -> AsyncIterator[Session]:
    kwargs = {"clock": clock} if clock else {}
    session = Session.open(base_url, key, dirs=Dirs.for_root(tmp_path), **kwargs)
    task = session.refresher.start(visible_first=visible_first)
    try:
        yield session
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await session.aclose()


async def test_first_snapshot_holds_every_list_the_server_has(sandbox: SandboxServer, tmp_path: Path) -> None:
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        snapshot = await until(session, all_loaded)
    headers = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    okrs = httpx.get(f"{sandbox.base_url}/okrs", headers=headers).json()
    assert [okr.id for okr in snapshot.okrs.items or ()] == [okr["id"] for okr in okrs]
    assert snapshot.kpis.items and snapshot.cycles.items
    assert snapshot.okrs.error is None and not snapshot.okrs.stale


async def until_asleep(clock: FakeClock) -> None:
    """Until the refresher sleeps on the fake clock: it has nothing left to fetch now."""
    for _ in range(2000):
        if clock.sleeping:
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the refresher never went to sleep")


async def test_at_start_up_the_other_lists_wait_until_the_visible_one_is_shown(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # The dashboard's start: fetching the lists nobody sees yet would compete with its first paint.
    clock = FakeClock(auto=False)
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path, clock, visible_first=True) as session:
        first = await until(session, lambda s: s.okrs.items is not None)
        await until_asleep(clock)
        assert server_requests(sandbox) == 1
        assert session.refresher.snapshot.kpis.items is None
        session.refresher.first_shown()
        await until(session, all_loaded)
    assert first.okrs.items and server_requests(sandbox) == 3


async def test_at_start_up_a_screen_switch_lets_the_other_lists_be_fetched(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    clock = FakeClock(auto=False)
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path, clock, visible_first=True) as session:
        await until(session, lambda s: s.okrs.items is not None)
        session.refresher.set_visible("kpis")  # the user pressed 2 before the objectives were painted
        await until(session, all_loaded)
    assert server_requests(sandbox) == 3


async def test_at_start_up_a_failed_visible_list_lets_the_others_say_theirs(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with running(sandbox.base_url, ACME_NONE_KEY, tmp_path, FakeClock(), visible_first=True) as session:
        failed = await until(session, lambda s: all(f.error is not None for f in (s.okrs, s.kpis, s.cycles)))
    assert isinstance(failed.kpis.error, Forbidden) and failed.kpis.error.scope == "kpis:read"


async def drive(clock: FakeClock, seconds: float, step: float = 5.0) -> None:
    """Moves fake time forward a step at a time, each step only once the refresher sleeps again.

    Real HTTP takes real time, so the fake clock must not run ahead while a fetch is on the wire.
    """
    for _ in range(round(seconds / step)):
        clock.advance(step)
        await asyncio.sleep(0.001)
        await until_asleep(clock)


async def test_ten_minutes_of_polling_costs_under_three_requests_a_minute(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    clock = FakeClock(auto=False)
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path, clock) as session:
        await until(session, all_loaded)
        await drive(clock, 600)
    # Visible OKRs every 30 s (21), KPIs every 2 min (6), cycles every 10 min (2).
    assert server_requests(sandbox) == 29


async def test_refresh_requests_made_while_one_is_pending_cost_one_request(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        await until(session, all_loaded)
        before = server_requests(sandbox)
        for _ in range(20):
            session.refresher.refresh_now("kpis")
        first = session.refresher.snapshot.kpis.fetched_at or 0
        await until(session, lambda s: (s.kpis.fetched_at or 0) > first and not s.kpis.loading)
        await asyncio.sleep(0.2)  # real time: give a (wrong) second request the chance to leave
    assert server_requests(sandbox) - before == 1


async def test_failed_refresh_keeps_the_last_good_list_and_says_why(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path, clock) as session:
        good = await until(session, all_loaded)
        sandbox.control.fault("500", count=100, match="reads")
        session.refresher.refresh_now("okrs")
        stale = await until(session, lambda s: s.okrs.error is not None)
    assert stale.okrs.items == good.okrs.items
    assert stale.okrs.stale
    assert isinstance(stale.okrs.error, ServerError)
    assert stale.okrs.retry_at is not None and stale.okrs.retry_at - stale.taken_at == 15  # the first backoff


async def test_cached_lists_are_on_screen_before_the_network_answers(tmp_path: Path) -> None:
    base_url = "http://127.0.0.1:9/api/v1"  # the discard port: nothing listens
    dirs = Dirs.for_root(tmp_path)
    Cache(Database(dirs.database_file(base_url, ACME_ADMIN_KEY))).save(
        "okrs", b'[{"id": "o-1", "title": "Kept"}]', 5.0
    )
    clock = FakeClock()
    async with running(base_url, ACME_ADMIN_KEY, tmp_path, clock) as session:
        cached = await until(session, lambda s: s.okrs.items is not None)
        failed = await until(session, lambda s: s.okrs.error is not None)
    assert cached.okrs.from_cache and cached.okrs.fetched_at == 5.0
    assert [okr.title for okr in failed.okrs.items or ()] == ["Kept"]
    assert isinstance(failed.okrs.error, NetworkError)


async def test_a_key_without_scopes_is_asked_again_only_after_the_full_interval(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    clock = FakeClock(auto=False)
    async with running(sandbox.base_url, ACME_NONE_KEY, tmp_path, clock) as session:
        failed = await until(session, lambda s: all(f.error is not None for f in (s.okrs, s.kpis, s.cycles)))
        assert isinstance(failed.okrs.error, Forbidden)
        assert failed.okrs.error.scope == "okrs:read"
        await drive(clock, 115)
    # One try per list, then (OKRs being visible) one more after 30, 60 and 90 s.
    assert server_requests(sandbox) == 3 + 3


async def test_each_kpi_value_seen_is_remembered_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        first = await until(session, all_loaded)
        kpi = (first.kpis.items or ())[0]
        assert kpi.id is not None and kpi.current is not None
        session.refresher.refresh_now("kpis")
        await until(session, lambda s: (s.kpis.fetched_at or 0) > (first.kpis.fetched_at or 0))
        httpx.post(
            f"{sandbox.base_url}/kpis/{kpi.id}/updates", headers=headers, json={"value": kpi.current + 7}
        )
        session.refresher.refresh_now("kpis")
        later = await until(session, lambda s: len(s.kpi_seen.get(kpi.id or "", ())) == 2)
    assert [p.value for p in later.kpi_seen[kpi.id]] == [kpi.current, kpi.current + 7]


async def test_an_opened_review_is_remembered_for_next_time(sandbox: SandboxServer, tmp_path: Path) -> None:
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        snapshot = await until(session, all_loaded)
        ref = next(r for c in snapshot.cycles.items or () for r in c.reviews or ())
        assert ref.id is not None
        summary = await session.refresher.fetch_review(ref.id)
    assert summary.answers
    again = Session.open(sandbox.base_url, ACME_ADMIN_KEY, dirs=Dirs.for_root(tmp_path))
    assert [r.id for r in again.refresher.snapshot.remembered_reviews] == [ref.id]
    await again.aclose()


async def test_a_revoked_key_says_so_on_every_list(sandbox: SandboxServer, tmp_path: Path) -> None:
    async with running(sandbox.base_url, ACME_REVOKED_KEY, tmp_path, FakeClock()) as session:
        failed = await until(session, lambda s: all(f.error is not None for f in (s.okrs, s.kpis, s.cycles)))
    for feed in (failed.okrs, failed.kpis, failed.cycles):
        assert isinstance(feed.error, Unauthorized)
        assert "Settings → API Keys" in str(feed.error)
        assert ACME_REVOKED_KEY not in str(feed.error)


async def test_kpi_directions_learnt_from_strict_statuses_are_stored_for_next_time(
    strict_sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with running(strict_sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        snapshot = await until(session, all_loaded)
    by_name = {k.name: k.id for k in snapshot.kpis.items or ()}
    bugs, users, latency = (
        by_name["Open customer-facing bugs"],
        by_name["Weekly Active Users"],
        by_name["API p95 latency"],
    )
    assert bugs and users and latency
    assert snapshot.kpi_directions[bugs] == "lower" and snapshot.kpi_directions[users] == "higher"
    assert latency not in snapshot.kpi_directions  # 268 ms against 250: both readings are on track
    again = Session.open(strict_sandbox.base_url, ACME_ADMIN_KEY, dirs=Dirs.for_root(tmp_path))
    assert again.refresher.snapshot.kpi_directions == snapshot.kpi_directions
    await again.aclose()


def filled_store(base_url: str, tmp_path: Path) -> Path:
    """The workspace's database file, holding a cached list (more than one page), closed."""
    path = Dirs.for_root(tmp_path).database_file(base_url, ACME_ADMIN_KEY)
    db = Database(path)
    Cache(db).save("okrs", b'[{"id": "o-1", "title": "Kept"}]' + b" " * 20_000, 5.0)
    db.close()
    return path


async def test_a_store_that_cannot_be_written_costs_the_cache_never_the_refreshing(
    sandbox: SandboxServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Before: the first save raised "attempt to write a readonly database" and ended the refresher.
    path = filled_store(sandbox.base_url, tmp_path)
    with unwritable(path):  # mode 444 or another user's file, as root sees it (see store_files)
        async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
            first = await until(session, all_loaded)
            session.refresher.refresh_now("okrs")
            again = await until(session, lambda s: (s.okrs.fetched_at or 0) > (first.okrs.fetched_at or 0))
    assert again.okrs.items and not again.okrs.from_cache and again.okrs.error is None
    (notice,) = again.store_notices
    assert str(path) in notice and "cannot be written" in notice
    assert any(notice in record.getMessage() for record in caplog.records)


async def test_a_store_locked_by_another_program_is_left_alone_and_refreshing_goes_on(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # Before: each save waited 5 s on the event loop, then "database is locked" ended the refresher.
    path = filled_store(sandbox.base_url, tmp_path)
    with lock_held(path, exclusive=False):
        async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
            first = await until(session, all_loaded)
            session.refresher.refresh_now("okrs")
            again = await until(session, lambda s: (s.okrs.fetched_at or 0) > (first.okrs.fetched_at or 0))
            assert session.database.moved_aside is None
    assert again.okrs.items and again.okrs.error is None
    assert again.kpi_seen and again.okr_health_seen  # no history saved: this session's memory still
    (notice,) = again.store_notices  # the history says nothing more: nothing is saved to the file
    assert "locked by another program" in notice
    assert list(path.parent.glob("*.unreadable-*")) == []


async def test_a_store_with_corrupt_pages_is_set_aside_and_the_lists_load(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # Before: the Session did not open (DatabaseError "database disk image is malformed").
    path = filled_store(sandbox.base_url, tmp_path)
    corrupt_pages(path)
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        loaded = await until(session, all_loaded)
        assert session.database.moved_aside is not None
        kpi_id = (loaded.kpis.items or ())[0].id or ""
        assert session.history.flush()
        assert session.history.series(KPI, kpi_id)  # the history goes on in the fresh file
    (notice,) = loaded.store_notices
    assert "moved aside" in notice and "history starts again" in notice


async def test_a_kpi_updated_between_two_sessions_is_marked_changed_in_the_next(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        first = await until(session, all_loaded)
    assert first.changed.get("kpis", frozenset()) == frozenset()  # the first session has no baseline
    kpi = next(k for k in first.kpis.items or () if k.current is not None)
    httpx.post(
        f"{sandbox.base_url}/kpis/{kpi.id}/updates",
        headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"},
        json={"value": kpi.current + 7},  # type: ignore[operator]
    )
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        session.refresher.refresh_now("kpis")
        again = await until(session, lambda s: s.kpis.items is not None and not s.kpis.from_cache)
    assert again.changed["kpis"] == {kpi.id}


async def test_the_series_seen_come_back_from_the_history_after_a_restart(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        first = await until(session, all_loaded)
        kpi = next(k for k in first.kpis.items or () if k.name == "Net Promoter Score")
        okr = next(o for o in first.okrs.items or () if o.key_results)
        kr = (okr.key_results or ())[0]
        assert kpi.id and kpi.current is not None and okr.id and kr.id and kr.current is not None
        posted = await session.deliveries.submit("kpi_update", kpi.id, "NPS", str(kpi.current + 3))
        checkin = await session.deliveries.submit("checkin", kr.id, "kr", str(kr.current + 5))
        assert posted.state == checkin.state == DELIVERED
        session.refresher.refresh_now("okrs")
        seen = await until(session, lambda s: len(s.okr_progress_seen.get(okr.id or "", ())) == 2)
        assert [p.value for p in seen.kpi_seen[kpi.id]] == [kpi.current, kpi.current + 3]
    # Restarted with the server failing every read: what the snapshot holds beyond the cached lists
    # (one value each) comes from the local history.
    sandbox.control.fault("500", count=100, match="reads")
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as again:
        loaded = await until(again, lambda s: len(s.okr_progress_seen.get(okr.id or "", ())) == 2)
        assert loaded.okrs.from_cache
    assert loaded.kpi_seen[kpi.id] == seen.kpi_seen[kpi.id]
    assert loaded.okr_progress_seen[okr.id] == seen.okr_progress_seen[okr.id]
    assert loaded.kpi_posted[kpi.id] == seen.kpi_posted[kpi.id] == (seen.kpi_seen[kpi.id][-1].at,)
    assert loaded.okr_health_seen[okr.id]


async def test_snapshots_keep_the_same_values_seen_until_one_changes(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # The screens tell by identity that their rows need no rebuilding.
    async with running(sandbox.base_url, ACME_ADMIN_KEY, tmp_path) as session:
        loaded = await until(session, all_loaded)
        session.refresher.publish()
        again = session.refresher.snapshot
    assert again is not loaded
    assert again.kpi_seen is loaded.kpi_seen and again.okr_progress_seen is loaded.okr_progress_seen
