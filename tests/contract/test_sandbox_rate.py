"""The 60-per-minute fixed UTC window of each key, reached without sleeping by moving the sandbox clock."""

from __future__ import annotations

import math
import time

import httpx

from okrt_tui.sandbox.keys import (
    ACME_ADMIN_KEY,
    ACME_NONE_KEY,
    ACME_READ_KEY,
    ACME_REVOKED_KEY,
    GLOBEX_ADMIN_KEY,
    key_hash,
)
from okrt_tui.sandbox.server import SandboxServer

CHEAP = "/review-cycles"  # the smallest list: filling a window stays fast


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def at_second(server: SandboxServer, second: float, minutes_ahead: int = 5) -> float:
    """Sets the sandbox clock to ``second`` past a whole UTC minute; returns that minute's start."""
    real = time.time()
    minute = (math.floor(real / 60) + minutes_ahead) * 60
    server.control.set_clock(minute + second - real)
    return minute


def fill(http: httpx.Client, server: SandboxServer, key: str = ACME_ADMIN_KEY, n: int = 60) -> None:
    for i in range(n):
        response = http.get(server.base_url + CHEAP, headers=bearer(key))
        assert response.status_code == 200, f"request {i + 1}: {response.text}"


def test_61st_request_in_a_minute_gets_429_with_retry_after(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    at_second(sandbox, 10)
    fill(http, sandbox)
    response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error", "retry_after_seconds"}
    assert body["error"] == "rate_limit_exceeded"
    seconds = body["retry_after_seconds"]
    assert isinstance(seconds, int)
    assert 45 <= seconds <= 50
    assert response.headers["retry-after"] == str(seconds)


def test_retry_after_is_whole_seconds_to_the_next_window_rounded_up(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    minute = at_second(sandbox, 10)
    fill(http, sandbox)
    sandbox.control.set_clock(minute + 20.2 - time.time())  # however long filling took
    response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
    # 39.8 s minus the time this one request took (well under 0.8 s), rounded up
    assert response.json()["retry_after_seconds"] == 40


def test_retry_after_is_at_least_one_second(http: httpx.Client, sandbox: SandboxServer) -> None:
    minute = at_second(sandbox, 30)
    fill(http, sandbox)
    sandbox.control.set_clock(minute + 59.8 - time.time())
    response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
    assert response.status_code == 429
    assert response.json()["retry_after_seconds"] == 1
    assert response.headers["retry-after"] == "1"


def test_the_window_resets_at_the_start_of_the_next_utc_minute(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    minute = at_second(sandbox, 10)
    fill(http, sandbox)
    # Later in the same minute: still full (a fixed window, not a sliding one).
    sandbox.control.set_clock(minute + 59.0 - time.time())
    assert http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY)).status_code == 429
    # The first second of the next minute: a fresh window of 60.
    sandbox.control.set_clock(minute + 60.2 - time.time())
    response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
    assert response.status_code == 200
    assert response.headers["x-ratelimit-remaining"] == "59"


def test_rate_limit_headers_count_down_and_name_the_window_end(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    minute = at_second(sandbox, 5)
    remaining = []
    for _ in range(3):
        response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
        assert response.headers["x-ratelimit-limit"] == "60"
        assert response.headers["x-ratelimit-reset"] == str(minute + 60)
        remaining.append(response.headers["x-ratelimit-remaining"])
    assert remaining == ["59", "58", "57"]
    fill(http, sandbox, n=57)
    response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
    assert response.status_code == 429
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-reset"] == str(minute + 60)


def test_every_request_with_a_valid_key_counts_whatever_its_answer(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    at_second(sandbox, 5)
    base, headers = sandbox.base_url, bearer(ACME_ADMIN_KEY)
    kpi = http.get(f"{base}/kpis", headers=headers).json()[0]["id"]  # the 1st
    wrong = [
        lambda: http.get(f"{base}/nowhere", headers=headers),  # 404: path
        lambda: http.post(f"{base}/kpis/missing/updates", headers=headers, json={}),  # 404: id
        lambda: http.post(f"{base}/kpis/{kpi}/updates", headers=headers, content=b"nope"),  # 400
        lambda: http.delete(f"{base}/kpis", headers=headers),  # 404: method
    ]
    statuses = {wrong[i % 4]().status_code for i in range(59)}  # the 2nd to the 60th
    assert statuses == {400, 404}
    assert http.get(base + CHEAP, headers=headers).status_code == 429  # the 61st


def test_403_answers_count_too(http: httpx.Client, sandbox: SandboxServer) -> None:
    at_second(sandbox, 5)
    for _ in range(60):
        assert http.get(f"{sandbox.base_url}/okrs", headers=bearer(ACME_NONE_KEY)).status_code == 403
    assert http.get(f"{sandbox.base_url}/okrs", headers=bearer(ACME_NONE_KEY)).status_code == 429


def test_each_key_has_its_own_window(http: httpx.Client, sandbox: SandboxServer) -> None:
    at_second(sandbox, 5)
    fill(http, sandbox)
    assert http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY)).status_code == 429
    assert http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_READ_KEY)).status_code == 200
    assert http.get(sandbox.base_url + CHEAP, headers=bearer(GLOBEX_ADMIN_KEY)).status_code == 200


def test_the_requests_log_counts_what_reached_the_server_without_the_key(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    minute = at_second(sandbox, 5)
    fill(http, sandbox, n=7)
    http.get(f"{sandbox.base_url}/okrs", headers=bearer(ACME_NONE_KEY))  # 403: counts
    http.get(f"{sandbox.base_url}/okrs", headers=bearer(ACME_REVOKED_KEY))  # 401: no window
    http.get(f"{sandbox.base_url}/okrs", headers=bearer("okrt_unknown"))  # 401: no window
    log = sandbox.control.requests()
    counts = {(entry["key_hash"], entry["window"]): entry["count"] for entry in log}
    window = int(minute // 60)
    assert counts == {(key_hash(ACME_ADMIN_KEY), window): 7, (key_hash(ACME_NONE_KEY), window): 1}
    text = httpx.get(f"{sandbox.root_url}/_sandbox/requests").text
    assert "okrt_" not in text
    assert {entry["label"] for entry in log} == {"acme-admin", "acme-none"}


def test_429_answers_are_counted_as_requests_that_reached_the_server(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    at_second(sandbox, 5)
    fill(http, sandbox)
    for _ in range(5):
        assert http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY)).status_code == 429
    assert [entry["count"] for entry in sandbox.control.requests()] == [65]


def test_windows_follow_the_utc_minute_of_the_sandbox_clock(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    minute = at_second(sandbox, 58.5, minutes_ahead=30)
    response = http.get(sandbox.base_url + CHEAP, headers=bearer(ACME_ADMIN_KEY))
    assert int(response.headers["x-ratelimit-reset"]) == minute + 60
    assert response.headers["x-ratelimit-reset"].isdigit()
