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


def test_unknown_fields_are_ignored(http: httpx.Client, sandbox: SandboxServer) -> None:
    base = sandbox.base_url
    kpi = http.get(f"{base}/kpis", headers=HEADERS).json()[0]["id"]
    response = http.post(
        f"{base}/kpis/{kpi}/updates", headers=HEADERS, content=b'{"value": 12, "source": "cron", "unit": "x"}'
    )
    assert response.status_code == 200
    assert response.json()["new_value"] == 12


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_body_declared_as_anything_but_json_is_400(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str], kind: str
) -> None:
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",  # what curl -d sends without -H
        "multipart/form-data; boundary=x",
        "text/json",
        "application/json-patch+json",
        "",
    ):
        headers = {**HEADERS, "Content-Type": content_type}
        response = http.post(targets[kind], headers=headers, content=b'{"value": 12}')
        assert_bad_request(response)
        assert "Content-Type: application/json" in response.json()["message"], content_type


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_json_with_any_parameters_or_no_content_type_at_all_is_read(
    http: httpx.Client, sandbox: SandboxServer, kind: str
) -> None:
    base, auth = sandbox.base_url, {"Authorization": HEADERS["Authorization"]}
    if kind == "checkin":
        kr = http.get(f"{base}/okrs", headers=auth).json()[0]["key_results"][0]["id"]
        url = f"{base}/okrs/{kr}/checkins"
    else:
        url = f"{base}/kpis/{http.get(f'{base}/kpis', headers=auth).json()[0]['id']}/updates"
    declared = ("application/json", "application/json; charset=utf-8", "Application/JSON", None)
    for n, content_type in enumerate(declared):
        headers = auth if content_type is None else {**auth, "Content-Type": content_type}
        assert http.post(url, headers=headers, content=b'{"value": %d}' % n).status_code == 200, content_type
    assert [w["body"] for w in sandbox.control.writes()] == [{"value": n} for n in range(len(declared))]


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_key_given_twice_is_400_naming_it(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str], kind: str
) -> None:
    for body, key in (
        (b'{"value": 1, "value": 2}', "value"),
        (b'{"value": 1, "comment": "a", "comment": "b"}', "comment"),
        (b'{"value": 1, "meta": {"at": 1, "at": 2}}', "at"),
    ):
        response = http.post(targets[kind], headers=HEADERS, content=body)
        assert_bad_request(response)
        assert f'"{key}" twice' in response.json()["message"], body


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_comment_with_control_characters_is_400(
    http: httpx.Client, api: SandboxServer, targets: dict[str, str], kind: str
) -> None:
    for comment in ("nul\x00", "bell\x07", "\x1b[2Jcleared", "del\x7f", "c1 csi\x9b31m", "\x0bvertical tab"):
        response = http.post(targets[kind], headers=HEADERS, json={"value": 1, "comment": comment})
        assert_bad_request(response)
        assert "control characters" in response.json()["message"], repr(comment)


@pytest.mark.parametrize("kind", ["checkin", "kpi_update"])
def test_a_comment_with_tabs_line_breaks_and_any_script_is_stored_as_sent(
    http: httpx.Client, sandbox: SandboxServer, kind: str
) -> None:
    base = sandbox.base_url
    if kind == "checkin":
        kr = http.get(f"{base}/okrs", headers=HEADERS).json()[0]["key_results"][0]["id"]
        url = f"{base}/okrs/{kr}/checkins"
    else:
        url = f"{base}/kpis/{http.get(f'{base}/kpis', headers=HEADERS).json()[0]['id']}/updates"
    comments = [
        "line one\nline two",
        "a\tb",
        "windows\r\nline",
        "ünïcödé 🎉 日本語",
        "\u200f\u0645\u0631\u062d\u0628\u0627",  # a right-to-left mark, then Arabic
        "[b]x[/b]",
    ]
    for comment in comments:
        assert http.post(url, headers=HEADERS, json={"value": 1, "comment": comment}).status_code == 200
    assert [w["body"]["comment"] for w in sandbox.control.writes()] == comments
