"""The client against the real sandbox over HTTP: every endpoint, every error row, every fault.

Each test gets a fresh sandbox (``tests/conftest.py``); faults are armed through its control endpoints
and the outcome checked on the server's side too (its writes log and request counts), so "retried",
"not resent" and "waited" are facts about the wire, not about the client's own bookkeeping.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from okrt_tui.api.budget import Budget, Priority
from okrt_tui.api.client import (
    OkrtClient,
    _Call,  # a body the client itself refuses to build, for the 400 row
)
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock, FakeClock
from okrt_tui.api.decode import decode_checkin
from okrt_tui.api.errors import (
    BadRequest,
    Forbidden,
    NetworkError,
    NotFound,
    RateLimited,
    Unauthorized,
    WriteUnconfirmed,
)
from okrt_tui.sandbox.keys import (
    ACME_ADMIN_KEY,
    ACME_KPI_KEY,
    ACME_NONE_KEY,
    ACME_READ_KEY,
    ACME_REVOKED_KEY,
    GLOBEX_ADMIN_KEY,
)


def client(
    server,
    key: str = ACME_ADMIN_KEY,
    *,
    clock: Clock = SYSTEM_CLOCK,
    budget: Budget | None = None,
    timeout: httpx.Timeout | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> OkrtClient:
    base = server if isinstance(server, str) else server.base_url
    return OkrtClient(
        base,
        key,
        budget=budget or Budget(None, clock=clock),
        clock=clock,
        timeout=timeout,
        transport=transport,
    )


class Recording(httpx.AsyncBaseTransport):
    """A real HTTP transport that notes when each request left."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((time.time(), request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def api_requests(server, label: str = "acme-admin") -> int:
    """Requests with this key that reached the server, all windows together."""
    return sum(row["count"] for row in server.control.requests() if row["label"] == label)


# -- every endpoint, in both modes --------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sandbox", "strict_sandbox"])
async def test_every_endpoint_decodes(mode: str, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(mode)
    strict = mode == "strict_sandbox"
    async with client(server) as api:
        okrs = await api.list_okrs()
        kpis = await api.list_kpis(priority=Priority.POLL)
        cycles = await api.list_review_cycles()
        assert okrs.data and kpis.data and cycles.data
        assert all(o.id and o.title and o.progress is not None for o in okrs.data)
        assert all(k.id and k.current is not None for k in kpis.data)
        assert json.loads(okrs.raw)[0]["id"] == okrs.data[0].id  # the body as sent
        if strict:
            assert all(o.key_results is None and o.updated_at is None for o in okrs.data)
            assert all(k.direction is None for k in kpis.data)
            assert all(c.reviews is None for c in cycles.data)
            # No extension to find a shared review by: take one from the sandbox's own database.
            review_id = shared_review(server)
            kr_id = key_result(server)
        else:
            assert any(o.key_results for o in okrs.data)
            assert {k.direction for k in kpis.data} <= {"increase", "decrease"}
            review_id = next(r.id for c in cycles.data for r in c.reviews or ())
            kr_id = next(kr.id for o in okrs.data for kr in o.key_results or ())
        summary = await api.get_review_summary(review_id)
        assert summary.data.review_id == review_id and summary.data.answers

        checkin = await api.create_checkin(kr_id, 42.5, status="at_risk", comment="from the contract test")
        assert (checkin.data.kr_id, checkin.data.value, checkin.data.status) == (kr_id, 42.5, "at_risk")
        kpi = kpis.data[0]
        update = await api.create_kpi_update(kpi.id, 1234, comment="tick")
        assert update.data.previous_value == kpi.current and update.data.new_value == 1234
        assert decode_checkin(checkin.raw) == checkin.data
    writes = server.control.writes()
    assert [(w["kind"], w["target_id"]) for w in writes] == [("checkin", kr_id), ("kpi_update", kpi.id)]


async def test_a_checkin_without_status_gets_the_derived_one(sandbox) -> None:
    async with client(sandbox) as api:
        kr_id = key_result(sandbox)
        result = await api.create_checkin(kr_id, 1)
    assert result.data.status in ("on_track", "at_risk", "off_track")


# -- the error table ----------------------------------------------------------------------------------


async def test_a_revoked_key_is_unauthorized(sandbox) -> None:
    async with client(sandbox, ACME_REVOKED_KEY) as api:
        with pytest.raises(Unauthorized) as error:
            await api.list_okrs()
    assert error.value.exit_code == 3
    assert "revoked" in str(error.value)
    assert ACME_REVOKED_KEY not in str(error.value)


async def test_an_unknown_key_is_unauthorized(sandbox) -> None:
    async with client(sandbox, "okrt_not_a_real_key_000") as api:
        with pytest.raises(Unauthorized):
            await api.list_kpis()


async def test_403_names_the_missing_scope(sandbox) -> None:
    kpi_id = (await _first_kpi(sandbox)).id
    async with client(sandbox, ACME_READ_KEY) as api:
        with pytest.raises(Forbidden) as error:
            await api.create_kpi_update(kpi_id, 5)
    assert error.value.scope == "kpis:write"
    assert "kpis:write" in str(error.value)
    assert sandbox.control.writes() == []
    for key, call, scope in [
        (ACME_NONE_KEY, "list_okrs", "okrs:read"),
        (ACME_KPI_KEY, "list_review_cycles", "reviews:read"),
    ]:
        async with client(sandbox, key) as api:
            with pytest.raises(Forbidden) as error:
                await getattr(api, call)()
        assert error.value.scope == scope


async def test_404_for_another_workspaces_ids_drafts_and_unknown_ids(sandbox) -> None:
    async with client(sandbox, GLOBEX_ADMIN_KEY) as globex:
        globex_okrs = await globex.list_okrs()
        globex_kpis = await globex.list_kpis()
        globex_cycles = await globex.list_review_cycles()
    globex_kr = next(kr.id for o in globex_okrs.data for kr in o.key_results or ())
    globex_review = next(r.id for c in globex_cycles.data for r in c.reviews or ())
    async with client(sandbox) as api:
        for attempt in (
            api.create_checkin(globex_kr, 10),
            api.create_kpi_update(globex_kpis.data[0].id, 10),
            api.get_review_summary(globex_review),
            api.get_review_summary(draft_review(sandbox)),
            api.get_review_summary("rc-2c8"),
            api.create_checkin("00000000-0000-0000-0000-000000000000", 1),
        ):
            with pytest.raises(NotFound) as error:
                await attempt
            assert error.value.exit_code == 4
    assert sandbox.control.writes() == []


async def test_400_is_mapped_with_the_servers_message(sandbox) -> None:
    # The client never builds such a body itself (it refuses the value first): send one by hand.
    kpi_id = (await _first_kpi(sandbox)).id
    async with client(sandbox) as api:
        call = _Call("POST", f"/kpis/{kpi_id}/updates", "kpis:write", "", body=b'{"value": "70"}', what="x")
        with pytest.raises(BadRequest) as error:
            await api._fetch(call, decode_checkin, Priority.INTERACTIVE, True)
    assert "value must be a JSON number" in str(error.value)
    assert error.value.exit_code == 1
    assert sandbox.control.writes() == []


# -- rate limiting ------------------------------------------------------------------------------------


async def test_an_injected_429_pauses_every_request_until_retry_after(sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "budget-shared"
    transport = Recording()
    other_transport = Recording()
    # An injected 429 reports the window as spent, as a real one would: the client then also waits for
    # the next window. Put that window three seconds away, so the test does not wait up to a minute.
    sandbox.control.set_clock(offset_to_second(57.0))
    sandbox.control.fault("429", count=1, match="reads", seconds=1)
    async with (
        client(sandbox, budget=Budget(ledger), transport=transport) as api,
        client(sandbox, budget=Budget(ledger), transport=other_transport) as other,
    ):
        first = asyncio.create_task(api.list_kpis())
        while api.budget.status().paused_for == 0:  # until the 429 has come back
            await asyncio.sleep(0.001)
        # Another client of the key (another process would share the ledger the same way) asks now.
        await other.list_review_cycles()
        await first
    refused_at = transport.sent[0][0]
    assert len(transport.sent) == 2  # the 429, then the retry
    assert transport.sent[1][0] - refused_at >= 1.0
    assert other_transport.sent[0][0] - refused_at >= 1.0
    assert api_requests(sandbox) == 3


async def test_a_real_429_at_the_end_of_a_window_is_waited_out(sandbox) -> None:
    # A budget that believes in 100 a minute meets the server's 60: the 61st request is refused, the
    # client pauses for Retry-After (the rest of the window) and the retry lands in the next window.
    # The window's last 8 s, from once the client is open: 3 s were too few for 61 requests on a
    # crowded machine, and they all landed in the next window, whose 429 asked for a whole minute.
    budget = Budget(None, limit=100)
    async with client(sandbox, budget=budget) as api:
        sandbox.control.set_clock(offset_to_second(52.0))
        started = time.monotonic()
        results = await asyncio.gather(*(api.list_kpis() for _ in range(61)))
    assert len(results) == 61
    assert sorted(per_window(sandbox).items()) == [
        (min(per_window(sandbox)), 61),
        (max(per_window(sandbox)), 1),
    ]
    assert time.monotonic() - started < 15  # the rest of the window (8 s), not a whole one


async def test_a_budget_refusal_without_waiting_sends_nothing(sandbox) -> None:
    budget = Budget(None, limit=3)
    async with client(sandbox, budget=budget) as api:
        for _ in range(3):
            await api.list_kpis(wait=False)
        with pytest.raises(RateLimited) as error:
            await api.list_kpis(wait=False)
    assert error.value.exit_code == 5 and not error.value.from_server
    assert api_requests(sandbox) == 3


async def test_other_clients_of_the_key_count_in_the_budget(sandbox) -> None:
    sandbox.control.set_clock(offset_to_second(10.0))  # no window turns during the test
    budget = Budget(None)
    async with client(sandbox, budget=budget) as api:
        await api.list_kpis()
        async with client(sandbox, budget=Budget(None)) as stranger:  # a Slack bot with the same key
            for _ in range(9):
                await stranger.list_kpis()
        await api.list_kpis()
    status = budget.status()
    assert status.used == 11  # 2 of ours and 9 of the bot's, learnt from X-RateLimit-Remaining
    assert 45 < status.reset_in < 51  # the sandbox's window, learnt from its Date


# -- faults -------------------------------------------------------------------------------------------


async def test_a_500_on_a_get_is_retried_then_succeeds(sandbox) -> None:
    sandbox.control.fault("500", count=2, match="reads")
    async with client(sandbox, clock=FakeClock(time.time())) as api:
        fetched = await api.list_kpis()
    assert fetched.data
    assert api_requests(sandbox) == 3


async def test_a_500_on_a_post_is_retried_and_recorded_once(sandbox) -> None:
    kpi_id = (await _first_kpi(sandbox)).id
    sandbox.control.fault("500", count=1, match="writes")
    async with client(sandbox, clock=FakeClock(time.time())) as api:
        result = await api.create_kpi_update(kpi_id, 77)
    assert result.data.new_value == 77
    writes = sandbox.control.writes()
    assert len(writes) == 1 and writes[0]["body"] == {"value": 77}
    assert api_requests(sandbox) == 3  # the list, the 500, the retry


async def test_a_dropped_post_is_unconfirmed_and_never_resent(sandbox) -> None:
    kr_id = key_result(sandbox)
    sandbox.control.fault("drop", count=1, match="writes")
    async with client(sandbox, clock=FakeClock(time.time())) as api:
        with pytest.raises(WriteUnconfirmed) as error:
            await api.create_checkin(kr_id, 55, comment="dropped")
    assert error.value.exit_code == 75
    writes = sandbox.control.writes()
    assert len(writes) == 1 and writes[0]["body"]["comment"] == "dropped"
    assert api_requests(sandbox) == 1


async def test_a_slow_post_past_the_read_timeout_is_unconfirmed_and_never_resent(sandbox) -> None:
    kpi_id = (await _first_kpi(sandbox)).id
    sandbox.control.fault("slow", count=1, match="writes", seconds=2)
    timeout = httpx.Timeout(5.0, read=0.3)
    started = time.monotonic()
    async with client(sandbox, clock=FakeClock(time.time()), timeout=timeout) as api:
        with pytest.raises(WriteUnconfirmed):
            await api.create_kpi_update(kpi_id, 9)
    assert time.monotonic() - started < 1.5
    assert len(sandbox.control.writes()) == 1
    assert api_requests(sandbox) == 2  # the list, the one write


async def test_a_dropped_get_is_retried(sandbox) -> None:
    sandbox.control.fault("drop", count=1, match="reads")
    async with client(sandbox, clock=FakeClock(time.time())) as api:
        assert (await api.list_review_cycles()).data
    assert api_requests(sandbox) == 2


async def test_a_slow_get_is_retried_after_the_read_timeout(sandbox) -> None:
    sandbox.control.fault("slow", count=1, match="reads", seconds=2)
    timeout = httpx.Timeout(5.0, read=0.3)
    async with client(sandbox, clock=FakeClock(time.time()), timeout=timeout) as api:
        assert (await api.list_kpis()).data
    assert api_requests(sandbox) == 2


async def test_a_refused_connection_on_a_post_is_retried_then_not_sent() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed as soon as the block ends: nobody listens there
    base = f"http://127.0.0.1:{port}/api/v1"
    transport = Recording()
    clock = FakeClock(time.time())
    async with client(base, clock=clock, transport=transport) as api:
        with pytest.raises(NetworkError) as error:
            await api.create_checkin("kr-1", 3)
    assert not isinstance(error.value, WriteUnconfirmed)
    assert error.value.sent is False
    assert len(transport.sent) == 4  # every attempt tried to connect; none got through
    assert "nothing was sent" in str(error.value)


# -- helpers ------------------------------------------------------------------------------------------


async def _first_kpi(server):
    async with client(server) as api:
        return (await api.list_kpis()).data[0]


def _query(server, sql: str) -> list[str]:
    with sqlite3.connect(server.db_path) as db:
        return [row[0] for row in db.execute(sql)]


def shared_review(server) -> str:
    return _query(
        server,
        "SELECT r.id FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id "
        "WHERE r.status = 'shared' AND c.workspace = 'acme' LIMIT 1",
    )[0]


def draft_review(server) -> str:
    return _query(
        server,
        "SELECT r.id FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id "
        "WHERE r.status = 'draft' AND c.workspace = 'acme' LIMIT 1",
    )[0]


def key_result(server) -> str:
    return _query(
        server,
        "SELECT k.id FROM key_results k JOIN objectives o ON o.id = k.objective_id "
        "WHERE o.workspace = 'acme' LIMIT 1",
    )[0]


def offset_to_second(second: float) -> float:
    """The clock offset that puts the sandbox at ``second`` of a minute now."""
    now = time.time()
    return (second - now % 60) % 60


def per_window(server, label: str = "acme-admin") -> Counter[int]:
    return Counter(
        {row["window"]: row["count"] for row in server.control.requests() if row["label"] == label}
    )
