"""The client's answers: what it sends, how statuses and failures become errors, and the key kept secret.

Against an in-process ``httpx.MockTransport`` (the contract tests cross real HTTP to the sandbox).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import traceback
from email.utils import formatdate

import httpx
import pytest

from okrt_tui import __version__
from okrt_tui.api import decode as decode_module
from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import (
    ApiDataError,
    BadRequest,
    Forbidden,
    InvalidInput,
    NetworkError,
    NotFound,
    OkrtError,
    RateLimited,
    ServerError,
    Unauthorized,
    WriteUnconfirmed,
)
from okrt_tui.api.retry import RetryPolicy

KEY = "okrt_acme_admin_7Fq2Lx9Rk3Vm8Tz4"
BASE = "https://okrs.example/api/v1"
START = 1_800_000_010.0
OKRS = b'[ {"id": "o1", "title": "T", "progress": 0.5} ]\n'


def client_for(handler, *, clock: FakeClock | None = None, key: str = KEY, budget: Budget | None = None):
    clock = clock or FakeClock(START)
    return OkrtClient(
        BASE,
        key,
        budget=budget or Budget(None, clock=clock),
        transport=httpx.MockTransport(handler),
        clock=clock,
        retry=RetryPolicy(rng=random.Random(3)),
    )


def answer(status: int, body: object = None, **headers: str):
    content = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers=headers)

    return handler


def everything_said(error: BaseException) -> str:
    """All an error can show: str, repr, args, attributes, and the formatted traceback with its chain."""
    parts = [str(error), repr(error), repr(error.args), repr(vars(error))]
    parts += traceback.format_exception(error)
    seen, link = set(), error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        parts += [str(link), repr(link), repr(getattr(link, "args", ()))]
        request = getattr(link, "_request", None)
        if request is not None:
            parts.append(repr(dict(request.headers)))
        link = link.__cause__ or link.__context__
    return "\n".join(parts)


# -- what goes out ------------------------------------------------------------------------------------


async def test_the_request_carries_the_key_only_in_the_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=OKRS)

    async with client_for(handler) as client:
        await client.list_okrs()
    (request,) = seen
    assert request.url == "https://okrs.example/api/v1/okrs"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"] == f"okrt-tui/{__version__}"
    assert request.headers["Accept"] == "application/json"
    others = [v for k, v in request.headers.items() if k.lower() != "authorization"]
    assert all(KEY not in v for v in others)
    assert KEY not in str(request.url)


async def test_timeouts_are_explicit() -> None:
    client = client_for(answer(200, []))
    timeout = client._http.timeout
    assert (timeout.connect, timeout.read) == (5.0, 15.0)
    await client.aclose()


async def test_fetched_keeps_the_body_exactly_and_when_it_arrived() -> None:
    clock = FakeClock(START)
    async with client_for(answer(200, OKRS), clock=clock) as client:
        fetched = await client.list_okrs()
    assert fetched.raw == OKRS
    assert fetched.received_at == START
    assert fetched.data[0].progress == 0.5


async def test_every_endpoint_uses_its_documented_path_and_method() -> None:
    seen: list[tuple[str, str, bytes]] = []
    bodies = {
        "/api/v1/okrs": b"[]",
        "/api/v1/kpis": b"[]",
        "/api/v1/review-cycles": b"[]",
        "/api/v1/reviews/rc-2c8%E2%80%A6/summary": b'{"review_id": "rc-2c8\xe2\x80\xa6"}',
        "/api/v1/okrs/kr-1/checkins": b'{"id": "c", "kr_id": "kr-1", "value": 70}',
        "/api/v1/kpis/u-7c2/updates": b'{"id": "u", "kpi_id": "u-7c2", "new_value": 3810.5}',
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.raw_path.decode(), request.content))
        return httpx.Response(200, content=bodies[request.url.raw_path.decode()])

    async with client_for(handler) as client:
        await client.list_okrs()
        await client.list_kpis()
        await client.list_review_cycles()
        summary = await client.get_review_summary("rc-2c8…")
        checkin = await client.create_checkin("kr-1", 70)
        update = await client.create_kpi_update("u-7c2", 3810.5, comment="Small uptick")
    assert summary.data.review_id == "rc-2c8…"
    assert checkin.data.value == 70
    assert update.data.new_value == 3810.5
    assert [(m, p) for m, p, _ in seen] == [
        ("GET", p) if i < 4 else ("POST", p) for i, p in enumerate(bodies)
    ]
    assert json.loads(seen[4][2]) == {"value": 70}
    assert json.loads(seen[5][2]) == {"value": 3810.5, "comment": "Small uptick"}


async def test_rate_headers_feed_the_budget() -> None:
    clock = FakeClock(START)
    budget = Budget(None, clock=clock)
    headers = {
        "Date": formatdate(START, usegmt=True),
        "X-RateLimit-Limit": "60",
        "X-RateLimit-Remaining": "12",
        "X-RateLimit-Reset": str(int(START // 60 * 60 + 60)),
    }
    async with client_for(answer(200, [], **headers), clock=clock, budget=budget) as client:
        await client.list_kpis()
    assert budget.status().used == 48


# -- what comes back ----------------------------------------------------------------------------------


async def test_400_is_bad_request_with_the_servers_message() -> None:
    handler = answer(400, {"error": "bad_request", "message": "value must be a number"})
    async with client_for(handler) as client:
        with pytest.raises(BadRequest) as error:
            await client.create_checkin("kr1", 5)
    assert "value must be a number" in str(error.value)
    assert error.value.server_message == "value must be a number"
    assert error.value.exit_code == 1


async def test_401_says_what_to_do() -> None:
    handler = answer(401, {"error": "unauthorized", "message": "Invalid API key"})
    async with client_for(handler) as client:
        with pytest.raises(Unauthorized) as error:
            await client.list_okrs()
    text = str(error.value)
    assert text.startswith("The API key was rejected (401)")
    assert "Settings → API Keys" in text
    assert error.value.exit_code == 3
    assert text.count(". ") <= 2  # one or two sentences


async def test_403_names_the_scope_from_the_message() -> None:
    handler = answer(403, {"error": "forbidden", "message": "This key does not have kpis:write permission"})
    async with client_for(handler) as client:
        with pytest.raises(Forbidden) as error:
            await client.create_kpi_update("kpi1", 3)
    assert error.value.scope == "kpis:write"
    assert "kpis:write" in str(error.value) and "Grant" in str(error.value)
    assert error.value.exit_code == 3


async def test_403_without_a_scope_in_the_message_names_the_documented_one() -> None:
    async with client_for(answer(403, b"<h1>Forbidden</h1>")) as client:
        with pytest.raises(Forbidden) as error:
            await client.list_review_cycles()
    assert error.value.scope == "reviews:read"


async def test_404_on_a_review_says_it_may_not_be_shared() -> None:
    async with client_for(answer(404, {"error": "not_found", "message": "Not found"})) as client:
        with pytest.raises(NotFound) as error:
            await client.get_review_summary("rv-1")
    assert "'rv-1'" in str(error.value) and "shared" in str(error.value)
    assert error.value.exit_code == 4


async def test_404_on_a_list_points_at_the_base_url() -> None:
    async with client_for(answer(404, b"Not Found")) as client:
        with pytest.raises(NotFound) as error:
            await client.list_okrs()
    assert BASE in str(error.value)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_server_error(status: int) -> None:
    async with client_for(answer(status, b"<html>oops</html>")) as client:
        with pytest.raises(ServerError) as error:
            await client.list_okrs()
    assert error.value.status == status
    assert f"({status})" in str(error.value)
    assert error.value.exit_code == 6


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1,2]", b'{"error": 5, "message": ["x"]}', b'{"message": "' + b"x" * 5000 + b'"}'],
)
async def test_odd_error_bodies_still_give_the_right_class_and_a_sentence(body: bytes) -> None:
    for status, kind in [(400, BadRequest), (401, Unauthorized), (403, Forbidden), (404, NotFound)]:
        async with client_for(answer(status, body)) as client:
            with pytest.raises(kind) as error:
                await client.list_kpis()
        text = str(error.value)
        assert 20 < len(text) < 400 and text.endswith(".")


async def test_a_redirect_is_not_followed() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/login"})

    async with client_for(handler) as client:
        with pytest.raises(ServerError) as error:
            await client.list_okrs()
    assert len(seen) == 1  # neither followed nor retried: the key stays here
    assert "redirect" in str(error.value)


async def test_a_connect_failure_is_network_error_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    async with client_for(handler) as client:
        with pytest.raises(NetworkError) as error:
            await client.list_okrs()
    assert error.value.sent is False
    assert "Connection refused" in str(error.value)
    assert error.value.exit_code == 6


async def test_a_read_timeout_on_a_get_is_network_error_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    async with client_for(handler) as client:
        with pytest.raises(NetworkError) as error:
            await client.list_okrs()
    assert error.value.sent is True and not isinstance(error.value, WriteUnconfirmed)


class Truncated(httpx.AsyncByteStream):
    async def __aiter__(self):
        yield b'{"id": "c1", "va'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


async def test_a_body_cut_off_after_a_get_status_is_retried_as_a_network_failure() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(200, stream=Truncated())
        return httpx.Response(200, content=b"[]")

    async with client_for(handler) as client:
        assert (await client.list_okrs()).data == ()
    assert len(calls) == 2


async def test_a_write_whose_record_was_cut_off_is_reported_recorded() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, stream=Truncated())

    async with client_for(handler) as client:
        with pytest.raises(ApiDataError) as error:
            await client.create_checkin("kr1", 3)
    assert len(calls) == 1
    assert "was recorded" in str(error.value)


async def test_a_body_over_the_cap_is_refused_while_reading(monkeypatch) -> None:
    monkeypatch.setattr(decode_module, "MAX_BODY", 10_000)
    monkeypatch.setattr("okrt_tui.api.client.MAX_BODY", 10_000)

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield b"["
            while True:
                yield b'{"id": "x"},' * 100

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless())

    async with client_for(handler) as client:
        with pytest.raises(ApiDataError) as error:
            await client.list_okrs()
    assert "base URL" in str(error.value)

    async with client_for(answer(200, b"[]", **{"Content-Length": "99999999999"})) as client:
        with pytest.raises(ApiDataError):
            await client.list_okrs()


async def test_a_success_with_unreadable_data_names_the_endpoint_and_field() -> None:
    async with client_for(answer(200, b'[{"id": "k"}, {"current": "high"}]')) as client:
        with pytest.raises(ApiDataError) as error:
            await client.list_kpis()
    assert error.value.endpoint == "/kpis" and error.value.field == "$[1].current"


# -- input refused before anything is sent -----------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, "70", True, None, [1]])
async def test_a_value_that_is_not_a_number_sends_nothing(value) -> None:
    seen = []
    async with client_for(lambda r: seen.append(r) or httpx.Response(200)) as client:
        with pytest.raises(InvalidInput):
            await client.create_checkin("kr1", value)
        with pytest.raises(InvalidInput):
            await client.create_kpi_update("kpi1", value)
    assert seen == []


async def test_bad_ids_and_statuses_send_nothing() -> None:
    seen = []
    async with client_for(lambda r: seen.append(r) or httpx.Response(200)) as client:
        with pytest.raises(InvalidInput):
            await client.create_checkin("kr1", 5, status="great")
        with pytest.raises(InvalidInput):
            await client.create_checkin("../kpis", 5)
        with pytest.raises(InvalidInput):
            await client.get_review_summary("a b")
    assert seen == []


def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(InvalidInput):
        OkrtClient("ftp://example.com/api", KEY, budget=Budget(None))
    with pytest.raises(InvalidInput):
        OkrtClient("not a url", KEY, budget=Budget(None))


# -- the key stays secret -----------------------------------------------------------------------------


def _raise(exc_type, message: str):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return handler


def echoing(status: int):
    """A hostile or careless server that repeats the key in its error message."""

    def handler(request: httpx.Request) -> httpx.Response:
        said = f"Key {request.headers['Authorization'][7:]} is bad"
        return httpx.Response(status, json={"error": "x", "message": said, "retry_after_seconds": 1})

    return handler


LEAKY_CASES = [
    (echoing(400), BadRequest, "post"),
    (echoing(401), Unauthorized, "get"),
    (echoing(403), Forbidden, "post"),
    (echoing(404), NotFound, "get"),
    (echoing(429), RateLimited, "get-nowait"),
    (echoing(500), ServerError, "get"),
    (echoing(503), ServerError, "post"),
    (answer(200, b"{broken"), ApiDataError, "get"),
    (_raise(httpx.ConnectError, f"cannot connect with {KEY}"), NetworkError, "get"),
    (_raise(httpx.ConnectTimeout, "connect timed out"), NetworkError, "post"),
    (_raise(httpx.ReadTimeout, "read timed out"), NetworkError, "get"),
    (_raise(httpx.ReadTimeout, f"read timed out {KEY}"), WriteUnconfirmed, "post"),
    (_raise(httpx.RemoteProtocolError, "Server disconnected"), WriteUnconfirmed, "post"),
    (_raise(httpx.LocalProtocolError, f"Illegal header value b'Bearer {KEY}'"), NetworkError, "get"),
]


@pytest.mark.parametrize(("handler", "kind", "how"), LEAKY_CASES)
async def test_no_error_ever_shows_the_key(handler, kind, how, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(handler)
    assert KEY not in repr(client)
    with pytest.raises(OkrtError) as caught:
        if how == "post":
            await client.create_kpi_update("kpi1", 3)
        else:
            await client.list_okrs(wait=how != "get-nowait")
    await client.aclose()
    assert type(caught.value) is kind
    assert KEY not in everything_said(caught.value)
    assert caught.value.__cause__ is None
    assert KEY not in caplog.text


@pytest.mark.parametrize("key", ["okrt_abc\ndef", "okrt_abc def", "okrt_é", "okrt_\x00x", ""])
async def test_a_key_that_cannot_be_a_header_is_refused_without_showing_it(key: str) -> None:
    seen = []
    client = client_for(lambda r: seen.append(r) or httpx.Response(200), key=key)
    with pytest.raises(Unauthorized) as error:
        await client.list_okrs()
    await client.aclose()
    assert seen == []
    if key:
        assert key not in everything_said(error.value)
    assert error.value.exit_code == 3


async def test_the_budget_wait_can_be_cancelled() -> None:
    clock = FakeClock(START, auto=False)
    budget = Budget(None, clock=clock, limit=1)
    async with client_for(answer(200, b"[]"), clock=clock, budget=budget) as client:
        await client.list_okrs()
        pending = asyncio.create_task(client.list_okrs())
        await asyncio.sleep(0.01)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending


def test_the_api_package_never_imports_textual() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys\n"
        "import okrt_tui.api.client, okrt_tui.api.budget, okrt_tui.api.retry, okrt_tui.api.decode\n"
        "import okrt_tui.api.clock\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": root})
