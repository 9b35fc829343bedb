"""The rate budget on a fake clock: never a 61st request in a server window, priorities, pauses."""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import stat
import tempfile
from collections import Counter
from email.utils import formatdate
from pathlib import Path

import pytest

from okrt_tui.api.budget import Budget, Priority, Wait
from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import LedgerUnavailable, RateLimited
from okrt_tui.paths import Dirs

START = 1_800_000_000.0  # a whole minute (1800000000 / 60 = 30000000)


def http_date(t: float) -> str:
    return formatdate(math.floor(t), usegmt=True)


class Server:
    """The server's side of the story: its clock runs ``skew`` ahead, and each request takes a while."""

    def __init__(self, clock: FakeClock, skew: float = 0.0, latency: float = 0.0, seed: int = 1) -> None:
        self.clock, self.skew, self.latency = clock, skew, latency
        self.rng = random.Random(seed)
        self.arrivals: list[float] = []

    def now(self) -> float:
        return self.clock.now() + self.skew

    def receive(self) -> float:
        """Records one request arriving now (plus a random trip); returns its server time."""
        at = self.now() + self.rng.uniform(0, self.latency)
        self.arrivals.append(at)
        return at

    def per_window(self) -> Counter[int]:
        return Counter(math.floor(t / 60) for t in self.arrivals)


async def burst(budget: Budget, server: Server, *, workers: int = 20, each: int = 10, observe: bool = True):
    async def worker() -> None:
        for _ in range(each):
            await budget.acquire()
            sent = server.clock.now()
            at = server.receive()
            if observe:
                budget.observe(date=http_date(at), remaining=None, reset=None, sent_at=sent)

    await asyncio.gather(*(worker() for _ in range(workers)))


@pytest.mark.parametrize(
    ("skew", "latency", "start_second"),
    [
        (0.0, 0.0, 0.0),
        (0.0, 0.3, 58.7),
        (17.3, 0.4, 20.0),
        (-41.9, 0.4, 1.5),
        (2.9, 0.8, 57.0),  # a skew under 3 s: the client must still correct it
    ],
)
async def test_a_burst_of_200_never_puts_more_than_60_in_a_server_window(skew, latency, start_second) -> None:
    clock = FakeClock(START + start_second)
    budget = Budget(None, clock=clock)
    server = Server(clock, skew=skew, latency=latency)
    budget.observe(date=http_date(server.now()), remaining=None, reset=None)

    await burst(budget, server)

    counts = server.per_window()
    assert sum(counts.values()) == 200
    assert max(counts.values()) <= 60, counts
    # ... and the budget does not waste the windows either: 200 requests fit in 4 windows.
    assert len(counts) <= 5
    assert clock.now() - (START + start_second) < 4 * 60 + 10


@pytest.mark.parametrize("margin", [0.5, 2.0, 5.0])
async def test_the_margin_covers_a_skew_error_smaller_than_itself(margin) -> None:
    clock = FakeClock(START + 55.0)
    budget = Budget(None, clock=clock, margin=margin)
    # The budget believes the clocks agree; the server is in fact (margin - 0.1) s ahead or behind.
    for sign in (1, -1):
        server = Server(clock, skew=sign * (margin - 0.1))
        budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
        await burst(budget, server, observe=False)
        assert max(server.per_window().values()) <= 60, (sign, server.per_window())


@pytest.mark.parametrize(("margin", "broken"), [(0.0, True), (2.0, False)])
async def test_the_margin_is_what_keeps_a_skewed_window_right(margin, broken) -> None:
    # The budget believes the clocks agree; the server runs 1.9 s ahead. Half a window late in the
    # minute, then the rest right after the local minute turns: without a margin, the late half and
    # the next minute's requests all land in one server window.
    clock = FakeClock(START + 10.0)
    budget = Budget(None, clock=clock, margin=margin)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    server = Server(clock, skew=1.9)
    for at, count in ((10.0, 30), (59.0, 30), (60.0, 60)):
        clock.set(START + at)
        for _ in range(count):
            try:
                await budget.acquire(wait=False)
            except RateLimited:
                break
            server.receive()
    assert (max(server.per_window().values()) > 60) is broken, server.per_window()


async def test_with_an_unknown_skew_no_window_is_broken_whatever_the_server_clock() -> None:
    for skew in (0.0, 13.0, 29.5, -44.0):
        clock = FakeClock(START + 50.0)
        budget = Budget(None, clock=clock)  # never told the server's Date: moving window
        server = Server(clock, skew=skew, latency=0.5)
        await burst(budget, server, observe=False)
        assert max(server.per_window().values()) <= 60, (skew, server.per_window())


async def test_skew_from_the_date_header_moves_the_window_boundary() -> None:
    clock = FakeClock(START + 20.0)  # local :20
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now() + 30.0), remaining=None, reset=None)  # the server says :50
    for _ in range(60):
        await budget.acquire(wait=False)
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(wait=False)
    # The server's window ends in 10 s (not the local minute's 40 s), plus the 2 s margin.
    assert 11 <= refused.value.retry_after <= 13
    before = clock.now()
    await budget.acquire()
    assert 11.5 <= clock.now() - before <= 12.5


async def test_polls_alone_never_use_more_than_their_share_of_a_window() -> None:
    clock = FakeClock(START + 5.0)
    budget = Budget(None, clock=clock, poll_share=0.5)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    times: list[float] = []

    async def poller() -> None:
        for _ in range(10):
            await budget.acquire(Priority.POLL)
            times.append(clock.now())

    await asyncio.gather(*(poller() for _ in range(10)))
    counts = Counter(math.floor(t / 60) for t in times)
    assert max(counts.values()) == 30, counts
    # A person's request still finds the other half of the window at once.
    for _ in range(30):
        await budget.acquire(Priority.INTERACTIVE, wait=False)


async def test_poll_share_counts_interactive_requests_too() -> None:
    clock = FakeClock(START + 5.0)
    budget = Budget(None, clock=clock, poll_share=0.25)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(10):
        await budget.acquire(Priority.INTERACTIVE)
    accepted = 0
    with pytest.raises(RateLimited) as refused:
        while True:
            await budget.acquire(Priority.POLL, wait=False)
            accepted += 1
    assert accepted == 5  # 15 a window for polls, 10 of them already taken by a person
    assert "Background refreshing" in str(refused.value)


async def test_an_interactive_request_overtakes_waiting_polls() -> None:
    clock = FakeClock(START + 5.0)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(60):
        await budget.acquire(wait=False)  # the window is full
    order: list[str] = []

    async def ask(name: str, priority: Priority) -> None:
        await budget.acquire(priority)
        order.append(name)

    polls = [asyncio.create_task(ask(f"poll{i}", Priority.POLL)) for i in range(3)]
    await asyncio.sleep(0)
    person = asyncio.create_task(ask("person", Priority.INTERACTIVE))
    await asyncio.gather(person, *polls)
    assert order[0] == "person"
    assert order[1:] == ["poll0", "poll1", "poll2"]


async def test_an_interactive_request_passes_polls_held_by_the_poll_share() -> None:
    clock = FakeClock(START + 5.0)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(30):
        await budget.acquire(Priority.POLL)
    waiting = asyncio.create_task(budget.acquire(Priority.POLL))
    await asyncio.sleep(0)
    started = clock.now()
    await budget.acquire(Priority.INTERACTIVE)  # not queued behind the poll
    assert clock.now() == started
    assert not waiting.done()
    await waiting
    assert clock.now() >= START + 60.0  # the next window (with the margin, later still)


async def test_after_a_pause_nothing_is_acquired_before_it_ends(tmp_path: Path) -> None:
    clock = FakeClock(START + 10.0)
    ledger = tmp_path / "budget-x"
    budget = Budget(ledger, clock=clock)
    other_process = Budget(ledger, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    paused_at = clock.now()
    budget.pause(30)
    assert other_process.status().paused_for == 30
    times: list[float] = []

    async def ask(b: Budget, priority: Priority) -> None:
        await b.acquire(priority)
        times.append(clock.now())

    await asyncio.gather(
        *(ask(budget, Priority.INTERACTIVE) for _ in range(5)),
        *(ask(other_process, Priority.POLL) for _ in range(5)),
    )
    assert len(times) == 10
    assert min(times) >= paused_at + 30


async def test_a_shorter_pause_does_not_shorten_a_longer_one() -> None:
    clock = FakeClock(START)
    budget = Budget(None, clock=clock)
    budget.pause(30)
    budget.pause(5)
    assert budget.status().paused_for == 30


async def test_no_wait_raises_at_once_with_when_the_budget_frees_up() -> None:
    clock = FakeClock(START + 15.0)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(60):
        await budget.acquire(wait=False)
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(wait=False)
    # Date has whole seconds: the estimate is up to 1 s off, so the window ends in 45 s (+-1) + 2 s.
    assert 46 <= refused.value.retry_after <= 48
    assert refused.value.from_server is False
    assert "frees up in" in str(refused.value)
    assert clock.now() == START + 15.0  # raised without waiting

    budget.pause(20)
    clock.advance(50)  # next window, but paused until +20 from the pause... already over
    await budget.acquire(wait=False)
    budget.pause(20)
    with pytest.raises(RateLimited) as paused:
        await budget.acquire(wait=False)
    assert paused.value.retry_after == 20
    assert "pause" in str(paused.value)


async def test_rate_limit_remaining_raises_the_count() -> None:
    clock = FakeClock(START + 10.0)
    budget = Budget(None, clock=clock)
    window_end = START + 60
    budget.observe(date=http_date(clock.now()), remaining=10, reset=window_end)  # a Slack bot used 50
    assert budget.status().used == 50
    accepted = 0
    with pytest.raises(RateLimited):
        while True:
            await budget.acquire(wait=False)
            accepted += 1
    assert accepted == 10


async def test_rate_limit_remaining_never_lowers_what_we_sent() -> None:
    clock = FakeClock(START + 10.0)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(20):
        await budget.acquire()
    budget.observe(date=http_date(clock.now()), remaining=59, reset=START + 60)  # the server saw 1 yet
    assert budget.status().used == 20
    accepted = 0
    with pytest.raises(RateLimited):
        while True:
            await budget.acquire(wait=False)
            accepted += 1
    assert accepted == 40


async def test_rate_limit_reset_names_the_window_it_counts() -> None:
    clock = FakeClock(START + 59.5)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    # The answer counted in the *next* window (the server had just turned the minute).
    budget.observe(date=http_date(clock.now() + 1), remaining=0, reset=START + 120)
    clock.advance(5)
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(wait=False)
    assert refused.value.retry_after >= 50


async def test_two_budgets_on_one_ledger_share_the_window(tmp_path: Path) -> None:
    clock = FakeClock(START + 10.0)
    ledger = tmp_path / "state" / "budget-abc"
    first, second = Budget(ledger, clock=clock), Budget(ledger, clock=clock)
    first.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(35):
        await first.acquire(wait=False)
    accepted = 0
    with pytest.raises(RateLimited):
        while True:
            await second.acquire(wait=False)
            accepted += 1
    assert accepted == 25
    assert second.status().used == 60


async def test_a_corrupt_ledger_is_rebuilt_as_a_full_window(tmp_path: Path, caplog) -> None:
    clock = FakeClock(START + 10.0)
    ledger = tmp_path / "budget-abc"
    ledger.write_bytes(b"\x00{not json")
    budget = Budget(ledger, clock=clock)
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(wait=False)
    assert refused.value.retry_after <= 62
    assert "unreadable" in caplog.text
    assert json.loads(ledger.read_bytes())["version"] == 1  # rewritten, readable again
    await budget.acquire()  # waits for the safe moment, does not crash
    assert clock.now() <= START + 10.0 + 62


@pytest.mark.parametrize(
    "content",
    [b"", b"[]", b'{"version": 99}', b'{"version": 1, "sends": "x"}', b'{"version": 1, "sends": [NaN]}'],
)
async def test_odd_ledgers_do_not_crash(tmp_path: Path, content: bytes) -> None:
    clock = FakeClock(START)
    ledger = tmp_path / "budget-abc"
    ledger.write_bytes(content)
    budget = Budget(ledger, clock=clock)
    await budget.acquire()
    assert budget.status().limit == 60


async def test_a_ledger_lock_held_by_another_program_is_said_once_and_gone_on_without(
    tmp_path: Path, monkeypatch
) -> None:
    """A real lock held by a second open of the file (as another process would hold it): the
    requests go on without it, after the wait, and the user hears why once."""
    import filelock

    from okrt_tui.api import budget as budget_module

    monkeypatch.setattr(budget_module, "LOCK_TIMEOUT", 0.2)
    waits: list[float] = []
    acquire = filelock.FileLock.acquire

    def timed(lock, timeout=None, *args, **kwargs):
        waits.append(timeout)
        return acquire(lock, timeout, *args, **kwargs)

    monkeypatch.setattr(filelock.FileLock, "acquire", timed)
    ledger = tmp_path / "budget-abc"
    budget = Budget(ledger, clock=FakeClock(START))
    told: list[str] = []
    budget.watch_problem(told.append)
    with filelock.FileLock(f"{ledger}.lock"):
        waits.clear()
        await budget.acquire()
        await budget.acquire()
        held = list(waits)
    await budget.acquire()  # freed: had again at a glance,
    await budget.acquire()  # and from then on waited for as long as ever
    assert budget.status().used == 4
    assert len(told) == 1 and f"{ledger}.lock stayed held by another program" in told[0]
    # The wait blocks the thread (the dashboard's event loop): the whole of it once, then a glance.
    assert held[0] == 0.2 and set(held[1:]) == {budget_module.STUCK_TIMEOUT}
    assert waits[-1] == 0.2


async def test_an_unusable_ledger_moves_to_one_fallback_that_every_budget_shares(tmp_path: Path) -> None:
    clock = FakeClock(START)
    ledger = tmp_path / "state" / "budget-abc"
    ledger.mkdir(parents=True)  # cannot be read or replaced as a file
    told: list[str] = []
    first, second = Budget(ledger, clock=clock), Budget(ledger, clock=clock)
    first.watch_problem(told.append)
    for _ in range(40):
        await first.acquire(wait=False)
    accepted = 0
    with pytest.raises(RateLimited):
        while True:
            await second.acquire(wait=False)
            accepted += 1
    assert accepted == 20  # the two share one window, as with a healthy ledger
    assert len(told) == 1 and f"{ledger} is a directory" in told[0] and "remove it" in told[0]
    fallback = Path(tempfile.gettempdir()) / f"okrt-tui-{os.getuid()}" / "budget-abc"
    assert str(fallback) in told[0]
    assert len(json.loads(fallback.read_bytes())["sends"]) == 60
    assert stat.S_IMODE(fallback.parent.stat().st_mode) == 0o700


async def test_with_no_usable_place_for_the_ledger_nothing_is_sent(tmp_path: Path) -> None:
    clock = FakeClock(START)
    ledger = tmp_path / "budget-abc"
    ledger.mkdir()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    budget = Budget(ledger, fallback_path=blocked / "budget-abc", clock=clock)
    with pytest.raises(LedgerUnavailable) as error:
        await budget.acquire()
    assert f"{ledger} is a directory" in str(error.value) and "sends no request" in str(error.value)
    assert error.value.exit_code == 1
    assert budget.status().used == 0


async def test_a_ledger_that_becomes_unusable_carries_what_it_held_into_the_fallback(tmp_path: Path) -> None:
    clock = FakeClock(START)
    ledger = tmp_path / "budget-abc"
    budget = Budget(ledger, fallback_path=tmp_path / "fallback" / "budget-abc", clock=clock)
    for _ in range(50):
        await budget.acquire(wait=False)
    other = Budget(ledger, fallback_path=tmp_path / "fallback" / "budget-abc", clock=clock)
    await other.acquire(wait=False)  # 51, on file
    ledger.unlink()
    ledger.mkdir()  # from now on, unusable
    await other.acquire(wait=False)  # 52: the 51 it saw on file, moved to the fallback, and this one
    accepted = 0
    with pytest.raises(RateLimited):
        while True:
            await budget.acquire(wait=False)  # brings its own 50, already there: counted once
            accepted += 1
    assert accepted == 8


async def test_the_ledger_holds_numbers_only_and_is_named_by_a_hash(tmp_path: Path) -> None:
    key = "okrt_acme_admin_7Fq2Lx9Rk3Vm8Tz4"
    path = Dirs.for_root(tmp_path).ledger_file("https://go.okrstool.com/api/v1", key)
    # One ledger per server and key, as the server's windows are.
    assert path != Dirs.for_root(tmp_path).ledger_file("https://eu.okrstool.com/api/v1", key)
    assert path == Dirs.for_root(tmp_path).ledger_file("https://go.okrstool.com/api/v1/", key)
    clock = FakeClock(START)
    budget = Budget(path, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=50, reset=START + 60)
    await budget.acquire()
    budget.pause(3)
    assert key not in str(path)
    for file in path.parent.iterdir():
        assert b"okrt_" not in file.read_bytes()
    assert key not in repr(budget)


async def test_status_reports_the_current_server_window() -> None:
    clock = FakeClock(START + 10.0)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now() + 20), remaining=None, reset=None)  # server at :30
    for _ in range(7):
        await budget.acquire()
    status = budget.status()
    assert status.used == 7
    assert status.limit == 60
    assert 29 <= status.reset_in <= 31
    assert status.paused_for == 0


async def test_a_cancelled_waiter_lets_the_next_one_through() -> None:
    clock = FakeClock(START + 5)
    budget = Budget(None, clock=clock)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(60):
        await budget.acquire(wait=False)
    head = asyncio.create_task(budget.acquire())
    behind = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)
    head.cancel()
    await behind
    assert head.cancelled()
    assert budget.status().used == 1


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        Budget(None, poll_share=0)
    with pytest.raises(ValueError):
        Budget(None, poll_share=1.5)
    with pytest.raises(ValueError):
        Budget(None, limit=0)


async def test_a_wait_is_told_as_it_begins_and_a_wait_past_max_wait_fails_at_once() -> None:
    clock = FakeClock(START + 42.0)
    waits: list[Wait] = []
    budget = Budget(None, clock=clock, on_wait=waits.append)
    budget.observe(date=http_date(clock.now()), remaining=None, reset=None)
    for _ in range(60):
        await budget.acquire(wait=False)
    with pytest.raises(RateLimited) as refused:
        await budget.acquire(max_wait=10)  # the window frees up in 20 s: later than 10
    assert clock.now() == START + 42.0 and waits == []
    assert "later than okrt-tui waits" in str(refused.value)
    await budget.acquire(max_wait=30)
    assert [(round(w.seconds), w.why) for w in waits] == [(20, "for the next rate window")]
    assert START + 61 <= clock.now() <= START + 63  # the next window, and the margin


async def test_a_wait_for_a_corrupt_ledger_says_so(tmp_path: Path) -> None:
    clock = FakeClock(START + 10.0)
    ledger = tmp_path / "budget-abc"
    ledger.write_bytes(b"garbage")
    waits: list[Wait] = []
    budget = Budget(
        ledger, fallback_path=tmp_path / "fallback" / ledger.name, clock=clock, on_wait=waits.append
    )
    await budget.acquire()
    assert len(waits) == 1 and f"the rate ledger {ledger} could not be read (corrupt)" in waits[0].why


async def test_a_state_directory_that_cannot_be_made_is_named_in_the_notice(tmp_path: Path) -> None:
    clock = FakeClock(START)
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state directory should be")
    told: list[str] = []
    budget = Budget(blocker / "budget-abc", fallback_path=tmp_path / "fallback" / "budget-abc", clock=clock)
    budget.watch_problem(told.append)
    await budget.acquire()
    assert len(told) == 1 and f"{blocker} cannot be created" in told[0]
    assert budget.status().used == 1  # counted in the fallback


async def test_a_usable_ledger_leaves_nothing_in_the_temporary_directory(tmp_path: Path) -> None:
    budget = Budget(tmp_path / "state" / "budget-abc", clock=FakeClock(START))
    await budget.acquire()
    budget.pause(1)
    assert list(Path(tempfile.gettempdir()).glob("okrt-tui-*")) == []
