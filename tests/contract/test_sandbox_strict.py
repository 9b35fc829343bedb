"""``--strict`` sends exactly the documented fields and headers; the default mode adds the extensions."""

from __future__ import annotations

import math
import sqlite3
import time
from email.utils import parsedate_to_datetime

import httpx

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_NONE_KEY, ACME_REVOKED_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
RATE_HEADERS = {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}
BASIC_HEADERS = {"content-type", "content-length", "date"}


def get(http: httpx.Client, server: SandboxServer, path: str, key: str = ACME_ADMIN_KEY) -> httpx.Response:
    return http.get(server.base_url + path, headers={"Authorization": f"Bearer {key}"})


def a_review_id(server: SandboxServer) -> str:
    with sqlite3.connect(server.db_path) as conn:  # type: ignore[arg-type]
        return conn.execute("SELECT id FROM reviews WHERE status = 'shared' LIMIT 1").fetchone()[0]


def answers_of_every_kind(http: httpx.Client, server: SandboxServer) -> dict[str, httpx.Response]:
    """One answer of each status a valid key can get, plus a 401."""
    okr = get(http, server, "/okrs").json()[0]
    kr_id = okr["key_results"][0]["id"] if "key_results" in okr else None
    kpi_id = get(http, server, "/kpis").json()[0]["id"]
    base = server.base_url
    answers = {
        "okrs": get(http, server, "/okrs"),
        "kpis": get(http, server, "/kpis"),
        "cycles": get(http, server, "/review-cycles"),
        "summary": get(http, server, f"/reviews/{a_review_id(server)}/summary"),
        "kpi_update": http.post(f"{base}/kpis/{kpi_id}/updates", headers=HEADERS, json={"value": 5}),
        "400": http.post(f"{base}/kpis/{kpi_id}/updates", headers=HEADERS, json={"value": "5"}),
        "403": get(http, server, "/okrs", ACME_NONE_KEY),
        "404": get(http, server, "/nowhere"),
        "401": get(http, server, "/okrs", ACME_REVOKED_KEY),
    }
    if kr_id is not None:
        answers["checkin"] = http.post(f"{base}/okrs/{kr_id}/checkins", headers=HEADERS, json={"value": 5})
    return answers


def fill_window(http: httpx.Client, server: SandboxServer) -> httpx.Response:
    real = time.time()
    server.control.set_clock((math.floor(real / 60) + 5) * 60 + 5 - real)
    for _ in range(60):
        get(http, server, "/nowhere")
    return get(http, server, "/okrs")


def test_strict_records_have_exactly_the_documented_fields(
    http: httpx.Client, strict_sandbox: SandboxServer
) -> None:
    for okr in get(http, strict_sandbox, "/okrs").json():
        assert set(okr) == {"id", "title", "type", "owner", "progress", "status", "health_score", "cycle"}
    for kpi in get(http, strict_sandbox, "/kpis").json():
        assert set(kpi) == {"id", "name", "current", "target", "unit", "status", "last_updated"}
    for cycle in get(http, strict_sandbox, "/review-cycles").json():
        assert set(cycle) == {"id", "name", "status", "due_date", "reviewee_count"}
    body = get(http, strict_sandbox, f"/reviews/{a_review_id(strict_sandbox)}/summary").json()
    assert set(body) == {"review_id", "employee", "cycle", "type", "status", "answers", "shared_at"}


def test_strict_write_answers_have_exactly_the_documented_fields(
    http: httpx.Client, strict_sandbox: SandboxServer
) -> None:
    with sqlite3.connect(strict_sandbox.db_path) as conn:  # type: ignore[arg-type]
        kr_id = conn.execute("SELECT id FROM key_results LIMIT 1").fetchone()[0]
    kpi_id = get(http, strict_sandbox, "/kpis").json()[0]["id"]
    base = strict_sandbox.base_url
    checkin = http.post(f"{base}/okrs/{kr_id}/checkins", headers=HEADERS, json={"value": 5}).json()
    assert set(checkin) == {"id", "kr_id", "value", "status", "created_at"}
    update = http.post(f"{base}/kpis/{kpi_id}/updates", headers=HEADERS, json={"value": 5}).json()
    assert set(update) == {"id", "kpi_id", "previous_value", "new_value", "created_at"}


def test_strict_answers_carry_only_the_basic_headers(
    http: httpx.Client, strict_sandbox: SandboxServer
) -> None:
    for name, response in answers_of_every_kind(http, strict_sandbox).items():
        assert set(response.headers) == BASIC_HEADERS, name


def test_strict_429_adds_only_retry_after(http: httpx.Client, strict_sandbox: SandboxServer) -> None:
    response = fill_window(http, strict_sandbox)
    assert response.status_code == 429
    assert set(response.headers) == BASIC_HEADERS | {"retry-after"}
    assert response.json() == {
        "error": "rate_limit_exceeded",
        "retry_after_seconds": int(response.headers["retry-after"]),
    }


def test_default_records_carry_the_extension_fields(http: httpx.Client, sandbox: SandboxServer) -> None:
    assert all({"updated_at", "key_results"} <= set(o) for o in get(http, sandbox, "/okrs").json())
    assert all("direction" in k for k in get(http, sandbox, "/kpis").json())
    assert all("reviews" in c for c in get(http, sandbox, "/review-cycles").json())


def test_default_answers_to_a_valid_key_carry_rate_headers_and_a_401_does_not(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    for name, response in answers_of_every_kind(http, sandbox).items():
        expected = BASIC_HEADERS if name == "401" else BASIC_HEADERS | RATE_HEADERS
        assert set(response.headers) == expected, name
    limited = fill_window(http, sandbox)
    assert set(limited.headers) == BASIC_HEADERS | RATE_HEADERS | {"retry-after"}


def test_no_answer_names_the_server_software(http: httpx.Client, sandbox: SandboxServer) -> None:
    for response in answers_of_every_kind(http, sandbox).values():
        assert "server" not in response.headers


def test_the_date_header_follows_the_sandbox_clock(http: httpx.Client, strict_sandbox: SandboxServer) -> None:
    strict_sandbox.control.set_clock(3 * 3600)
    response = get(http, strict_sandbox, "/okrs")
    skew = parsedate_to_datetime(response.headers["date"]).timestamp() - time.time()
    assert 3 * 3600 - 5 < skew < 3 * 3600 + 5


def test_control_endpoints_work_in_strict_mode(strict_sandbox: SandboxServer) -> None:
    assert strict_sandbox.control.writes() == []
    assert strict_sandbox.control.fault("500")["kind"] == "500"
