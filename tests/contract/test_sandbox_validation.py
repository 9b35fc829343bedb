"""Write bodies: a JSON object whose ``value`` is a JSON number, a known ``status``, a string ``comment``.

Bad bodies are answered 400 and change nothing. The tests share one sandbox; each starts in a fresh
rate window, and none of the rejected writes may reach the writes log.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}", "Content-Type": "application/json"}

NOT_NUMBERS = [
    b'{"value": "70"}',
    b'{"value": "seventy"}',
    b'{"value": true}',
    b'{"value": false}',
    b'{"value": null}',
    b'{"value": []}',
    b'{"value": [70]}',
    b'{"value": {"amount": 70}}',
    b'{"value": NaN}',
    b'{"value": Infinity}',
    b'{"value": -Infinity}',
    b'{"value": 1e400}',
    b'{"value": -1e400}',
    b'{"value": 1' + b"0" * 400 + b"}",
    b'{"comment": "no value"}',
    b"{}",
]

NOT_OBJECTS = [
    b"",
    b"   ",
    b"[]",
    b'[{"value": 70}]',
    b'"70"',
    b"70",
    b"null",
    b"true",
    b"{",
    b'{"value": 70',
    b"value=70",
    b'{"value": 70}{"value": 71}',
    b"\xff\xfe{}",
    b"{'value': 70}",
]


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    with SandboxServer(control=True) as server:
        yield server


@pytest.fixture
def api(shared_server: SandboxServer) -> Iterator[SandboxServer]:
    """The module's sandbox in a fresh rate window; the test must leave the writes log as it found it."""
    control = shared_server.control
    control.set_clock(control.clock()["offset_seconds"] + 60)
    before = control.writes()
    yield shared_server
    assert control.writes() == before, "a rejected write reached the writes log"


@pytest.fixture(scope="module")
def targets(http: httpx.Client, shared_server: SandboxServer) -> dict[str, str]:
    base = shared_server.base_url
    okrs = http.get(f"{base}/okrs", headers=HEADERS).json()
    kpis = http.get(f"{base}/kpis", headers=HEADERS).json()
    return {
        "checkin": f"{base}/okrs/{okrs[0]['key_results'][0]['id']}/checkins",
        "kpi_update": f"{base}/kpis/{kpis[0]['id']}/updates",
    }


def assert_bad_request(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == "bad_request"
    assert body["message"]


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_value_that_is_not_a_json_number_is_400(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str], kind: str
) -> None:
    for body in NOT_NUMBERS:
        response = http.post(targets[kind], headers=HEADERS, content=body)
        assert response.status_code == 400, body
        assert_bad_request(response)


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_body_that_is_not_a_json_object_is_400(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str], kind: str
) -> None:
    for body in NOT_OBJECTS:
        response = http.post(targets[kind], headers=HEADERS, content=body)
        assert response.status_code == 400, body
        assert_bad_request(response)


def test_the_400_message_says_what_is_wrong_with_value(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str]
) -> None:
    missing = http.post(targets["checkin"], headers=HEADERS, json={"status": "on_track"}).json()["message"]
    text = http.post(targets["checkin"], headers=HEADERS, json={"value": "70"}).json()["message"]
    assert "value" in missing and "missing" in missing
    assert "value" in text and "string" in text


def test_a_checkin_status_outside_the_three_is_400(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str]
) -> None:
    for status in ("done", "On_Track", "on-track", "", None, 1, ["on_track"], {"status": "on_track"}):
        response = http.post(targets["checkin"], headers=HEADERS, json={"value": 1, "status": status})
        assert response.status_code == 400, status
        assert "status" in response.json()["message"]


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_comment_that_is_not_a_string_is_400(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str], kind: str
) -> None:
    for comment in (5, None, True, ["shipped"], {"text": "shipped"}):
        response = http.post(targets[kind], headers=HEADERS, json={"value": 1, "comment": comment})
        assert response.status_code == 400, comment
        assert "comment" in response.json()["message"]


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_every_json_number_is_a_value(http: httpx.Client, sandbox: SandboxServer, kind: str) -> None:
    headers = HEADERS
    base = sandbox.base_url
    if kind == "checkin":
        kr = http.get(f"{base}/okrs", headers=headers).json()[0]["key_results"][0]["id"]
        url = f"{base}/okrs/{kr}/checkins"
    else:
        url = f"{base}/kpis/{http.get(f'{base}/kpis', headers=headers).json()[0]['id']}/updates"
    for raw, expected in (
        (b"70", 70),
        (b"70.5", 70.5),
        (b"-3", -3),
        (b"0", 0),
        (b"1e3", 1000),
        (b"2.50", 2.5),
    ):
        response = http.post(url, headers=headers, content=b'{"value": ' + raw + b"}")
        assert response.status_code == 200, raw
        answer = response.json()
        assert answer["value" if kind == "checkin" else "new_value"] == expected
    assert len(sandbox.control.writes()) == 6


def test_unknown_fields_are_ignored_and_the_content_type_is_not_required(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    base = sandbox.base_url
    kpi = http.get(f"{base}/kpis", headers=HEADERS).json()[0]["id"]
    response = http.post(
        f"{base}/kpis/{kpi}/updates",
        headers={"Authorization": HEADERS["Authorization"], "Content-Type": "text/plain"},
        content=b'{"value": 12, "source": "cron", "unit": "ignored"}',
    )
    assert response.status_code == 200
    assert response.json()["new_value"] == 12
