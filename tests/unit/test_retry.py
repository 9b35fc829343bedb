"""What is retried, how often and after how long: the policy, and the client following it.

The client runs against an in-process ``httpx.MockTransport`` scripted per test, on a fake clock:
no test here sleeps for real.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from email.utils import formatdate

import httpx
import pytest

from okrt_tui.api.budget import Budget, Priority
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import (
    NetworkError,
    RateLimited,
    ServerError,
    WriteUnconfirmed,
)
from okrt_tui.api.retry import RetryPolicy, may_retry

KEY = "okrt_acme_admin_7Fq2Lx9Rk3Vm8Tz4"
BASE = "https://okrs.example/api/v1"
START = 1_800_000_010.0
OKRS = b'[{"id": "o1", "title": "T"}]'
CHECKIN = b'{"id": "c1", "kr_id": "kr1", "value": 70, "status": "on_track"}'

Step = Callable[[httpx.Request], httpx.Response] | int | type[Exception]


class Script:
    """Answers requests from a list of steps: a status (with a standard body), an exception, a callable."""

    def __init__(self, clock: FakeClock, *steps: Step, body: bytes = OKRS) -> None:
        self.clock = clock
        self.steps = list(steps)
        self.body = body
        self.times: list[float] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.times.append(self.clock.now())
        self.requests.append(request)
        step = self.steps.pop(0) if self.steps else 200
        headers = {"Date": formatdate(self.clock.now(), usegmt=True)}
        if isinstance(step, type) and issubclass(step, Exception):
            raise step("scripted failure", request=request)
        if callable(step):
            return step(request)
        if step == 200:
            return httpx.Response(200, content=self.body, headers=headers)
        code = {429: "rate_limit_exceeded", 500: "server_error"}.get(step, "error")
        if step == 429:
            headers["Retry-After"] = "7"
            return httpx.Response(429, json={"error": code, "retry_after_seconds": 7}, headers=headers)
        return httpx.Response(step, json={"error": code, "message": "scripted"}, headers=headers)


def make_client(script: Script, budget: Budget | None = None) -> OkrtClient:
    budget = budget or Budget(None, clock=script.clock)
    return OkrtClient(
        BASE,
        KEY,
        budget=budget,
        transport=httpx.MockTransport(script),
        clock=script.clock,
        retry=RetryPolicy(rng=random.Random(7)),
    )


# -- the policy itself --------------------------------------------------------------------------------


def server_error(status: int) -> ServerError:
    error = ServerError("boom")
    error.status = status
    return error


@pytest.mark.parametrize(
    ("method", "error", "expected"),
    [
        ("GET", NetworkError("refused", sent=False), True),
        ("GET", NetworkError("timeout", sent=True), True),
        ("GET", RateLimited("429", retry_after=3, from_server=True), True),
        ("GET", RateLimited("budget", retry_after=3), False),  # our own refusal: the caller said no wait
        ("GET", server_error(500), True),
        ("GET", server_error(503), True),
        ("GET", server_error(302), False),
        ("GET", ValueError(), False),
        ("POST", NetworkError("refused", sent=False), True),
        ("POST", WriteUnconfirmed("lost"), False),
        ("POST", NetworkError("odd", sent=True), False),
        ("POST", RateLimited("429", retry_after=3, from_server=True), True),
        ("POST", server_error(500), True),
        ("POST", server_error(502), False),  # only 500 is "safe to retry" in the reference
        ("POST", server_error(503), False),
    ],
)
def test_what_may_be_retried(method: str, error: BaseException, expected: bool) -> None:
    assert may_retry(method, error) is expected


def test_a_429_is_not_retried_when_the_caller_will_not_wait() -> None:
    assert not may_retry("GET", RateLimited("429", retry_after=3, from_server=True), wait=False)


async def test_a_caller_with_its_own_schedule_hears_of_a_refused_connection_at_once() -> None:
    # The refresher (reconnect=False): a server that is down is said after one attempt, with no wait,
    # instead of after four attempts and 3.5 to 5 s of backoff. The budget gets the send back.
    clock = FakeClock(START)
    script = Script(clock, httpx.ConnectError, 200)
    async with make_client(script) as client:
        with pytest.raises(NetworkError) as error:
            await client.list_okrs(priority=Priority.POLL, wait=False, reconnect=False)
        assert client.budget.status().used == 0
    assert len(script.requests) == 1 and clock.now() == START
    assert error.value.sent is False


async def test_a_caller_with_its_own_schedule_hears_of_a_server_that_hangs_after_one_timeout() -> None:
    clock = FakeClock(START)
    script = Script(clock, httpx.ReadTimeout, 200)
    async with make_client(script) as client:
        with pytest.raises(NetworkError) as error:
            await client.list_okrs(reconnect=False)
    assert len(script.requests) == 1 and error.value.timed_out and "no answer in time" in str(error.value)


async def test_a_connection_lost_on_the_way_is_tried_again_even_without_reconnecting() -> None:
    # A keep-alive the server closed as the request went out is no sign of a server down.
    clock = FakeClock(START)
    script = Script(clock, httpx.RemoteProtocolError, 200)
    async with make_client(script) as client:
        fetched = await client.list_okrs(reconnect=False)
    assert len(script.requests) == 2 and fetched.data[0].id == "o1"


def test_backoff_grows_is_jittered_and_capped() -> None:
    policy = RetryPolicy(wait_initial=0.5, wait_max=4.0, jitter=0.5, rng=random.Random(1))
    waits = [policy.backoff(n) for n in range(1, 8)]
    assert 0.5 <= waits[0] <= 1.0
    assert 1.0 <= waits[1] <= 1.5
    assert 2.0 <= waits[2] <= 2.5
    assert all(w <= 4.0 for w in waits)
    assert waits[-1] == 4.0


# -- the client following it --------------------------------------------------------------------------


async def test_a_get_is_retried_on_500_then_succeeds_without_real_sleeping() -> None:
    clock = FakeClock(START)
    script = Script(clock, 500, 503, 200)
    async with make_client(script) as client:
        fetched = await client.list_okrs()
    assert fetched.data[0].id == "o1"
    assert len(script.requests) == 3
    gaps = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert 0.5 <= gaps[0] <= 1.0 and 1.0 <= gaps[1] <= 1.5  # waited on the fake clock


async def test_a_get_gives_up_after_four_attempts() -> None:
    clock = FakeClock(START)
    script = Script(clock, 500, 500, 500, 500, 200)
    async with make_client(script) as client:
        with pytest.raises(ServerError) as error:
            await client.list_okrs()
    assert len(script.requests) == 4
    assert error.value.status == 500
    assert clock.now() - START < 10  # capped backoff: a few seconds in all


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError]
)
async def test_a_get_is_retried_on_network_failures(failure: type[Exception]) -> None:
    clock = FakeClock(START)
    script = Script(clock, failure, 200)
    async with make_client(script) as client:
        await client.list_okrs()
    assert len(script.requests) == 2


async def test_a_429_pauses_the_budget_and_the_retry_waits_for_retry_after(tmp_path) -> None:
    clock = FakeClock(START)
    ledger = tmp_path / "budget-k"
    script = Script(clock, 429, 200)
    budget = Budget(ledger, clock=clock)
    other_process = Budget(ledger, clock=clock)
    polled: list[float] = []

    async def poll_elsewhere() -> None:
        # Another process with the same key, asking just after the 429: it waits as well.
        while not script.requests:
            await clock.sleep(0.1)
        await other_process.acquire(Priority.POLL)
        polled.append(clock.now())

    async with make_client(script, budget) as client:
        import asyncio

        results = await asyncio.gather(client.list_okrs(), poll_elsewhere())
    assert results[0].data
    assert len(script.requests) == 2
    assert script.times[1] - script.times[0] >= 7  # nothing sent before Retry-After
    assert script.times[1] - script.times[0] < 7.5  # and not much later
    assert polled and polled[0] - script.times[0] >= 7


async def test_a_429_falls_back_to_the_body_then_to_the_next_window() -> None:
    clock = FakeClock(START)

    def body_only(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": "rate_limit_exceeded", "retry_after_seconds": 4})

    def nothing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, content=b"Too Many Requests")

    script = Script(clock, body_only, nothing, 200)
    async with make_client(script) as client:
        await client.list_okrs()
    assert script.times[1] - script.times[0] == pytest.approx(4, abs=0.01)
    assert script.times[2] >= START + 50  # no hint at all: wait for the next window (START is at :10)


async def test_retry_after_as_an_http_date() -> None:
    clock = FakeClock(START)

    def dated(request: httpx.Request) -> httpx.Response:
        headers = {
            "Date": formatdate(clock.now(), usegmt=True),
            "Retry-After": formatdate(clock.now() + 9, usegmt=True),
        }
        return httpx.Response(429, headers=headers)

    script = Script(clock, dated, 200)
    async with make_client(script) as client:
        await client.list_okrs()
    assert 8 <= script.times[1] - script.times[0] <= 10


async def test_a_429_without_waiting_raises_at_once_and_still_pauses() -> None:
    clock = FakeClock(START)
    script = Script(clock, 429, 200)
    budget = Budget(None, clock=clock)
    async with make_client(script, budget) as client:
        with pytest.raises(RateLimited) as error:
            await client.list_okrs(wait=False)
    assert error.value.from_server and error.value.retry_after == 7
    assert len(script.requests) == 1
    assert budget.status().paused_for == 7
    assert clock.now() == START


async def test_every_attempt_goes_through_the_budget() -> None:
    clock = FakeClock(START)
    script = Script(clock, 500, httpx.ConnectError, 429, 200)
    budget = Budget(None, clock=clock)
    asked: list[Priority] = []
    acquire = budget.acquire

    async def counting(
        priority: Priority = Priority.INTERACTIVE, *, wait: bool = True, max_wait: float | None = None
    ) -> float:
        asked.append(priority)
        return await acquire(priority, wait=wait, max_wait=max_wait)

    budget.acquire = counting  # type: ignore[method-assign]
    async with make_client(script, budget) as client:
        await client.list_kpis(priority=Priority.POLL)
    assert asked == [Priority.POLL] * 4
    assert len(script.requests) == 4


async def test_a_full_budget_with_no_wait_sends_nothing() -> None:
    clock = FakeClock(START)
    script = Script(clock)
    budget = Budget(None, clock=clock, limit=2)
    async with make_client(script, budget) as client:
        await client.list_okrs()
        await client.list_okrs()
        with pytest.raises(RateLimited) as error:
            await client.list_okrs(wait=False)
    assert not error.value.from_server
    assert error.value.exit_code == 5
    assert len(script.requests) == 2


# -- writes -------------------------------------------------------------------------------------------


async def test_a_post_is_retried_on_500_and_sent_with_the_same_body() -> None:
    clock = FakeClock(START)
    script = Script(clock, 500, 200, body=CHECKIN)
    async with make_client(script) as client:
        fetched = await client.create_checkin("kr1", 70, status="on_track", comment="Shipped")
    assert fetched.data.value == 70
    assert len(script.requests) == 2
    bodies = [json.loads(r.content) for r in script.requests]
    assert bodies[0] == bodies[1] == {"value": 70, "comment": "Shipped", "status": "on_track"}


async def test_a_post_is_retried_on_429_after_the_pause() -> None:
    clock = FakeClock(START)
    script = Script(clock, 429, 200, body=CHECKIN)
    async with make_client(script) as client:
        await client.create_checkin("kr1", 70)
    assert len(script.requests) == 2
    assert script.times[1] - script.times[0] >= 7


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_post_is_not_retried_on_other_5xx(status: int) -> None:
    clock = FakeClock(START)
    script = Script(clock, status, 200, body=CHECKIN)
    async with make_client(script) as client:
        with pytest.raises(ServerError) as error:
            await client.create_kpi_update("kpi1", 3810)
    assert error.value.status == status
    assert len(script.requests) == 1


async def test_a_post_is_retried_when_the_connection_could_not_be_made() -> None:
    clock = FakeClock(START)
    script = Script(clock, httpx.ConnectError, httpx.ConnectTimeout, 200, body=CHECKIN)
    async with make_client(script) as client:
        await client.create_checkin("kr1", 70)
    assert len(script.requests) == 3


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.WriteTimeout],
)
async def test_a_post_whose_answer_was_lost_is_never_resent(failure: type[Exception]) -> None:
    clock = FakeClock(START)
    script = Script(clock, failure, 200, body=CHECKIN)
    async with make_client(script) as client:
        with pytest.raises(WriteUnconfirmed) as error:
            await client.create_checkin("kr1", 70)
    assert len(script.requests) == 1
    assert error.value.sent is True
    assert error.value.exit_code == 75
    assert "may or may not have been recorded" in str(error.value)


async def test_connect_failures_on_a_post_end_as_not_sent() -> None:
    clock = FakeClock(START)
    script = Script(clock, *[httpx.ConnectError] * 4)
    async with make_client(script) as client:
        with pytest.raises(NetworkError) as error:
            await client.create_kpi_update("kpi1", 1.5)
    assert not isinstance(error.value, WriteUnconfirmed)
    assert error.value.sent is False
    assert len(script.requests) == 4
