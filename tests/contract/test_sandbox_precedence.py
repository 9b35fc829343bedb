"""When several things are wrong at once, the first of 401, 429, 403, 404, 400 answers (INTERFACE.md)."""

from __future__ import annotations

import math
import time

import httpx

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_NONE_KEY, ACME_READ_KEY, ACME_REVOKED_KEY
from okrt_tui.sandbox.server import SandboxServer

BAD_BODY = b'{"value": "seventy"}'
BAD_ID = "00000000-0000-4000-8000-000000000000"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]


def full_window(http: httpx.Client, server: SandboxServer, key: str) -> None:
    """Moves the sandbox to second 5 of a minute and spends ``key``'s 60 requests there."""
    real = time.time()
    server.control.set_clock((math.floor(real / 60) + 5) * 60 + 5 - real)
    for _ in range(60):
        http.get(f"{server.base_url}/nowhere", headers=bearer(key))


def a_key_result(http: httpx.Client, server: SandboxServer) -> str:
    okrs = http.get(f"{server.base_url}/okrs", headers=bearer(ACME_ADMIN_KEY)).json()
    return okrs[0]["key_results"][0]["id"]


def test_a_revoked_key_gets_401_however_many_requests_it_makes(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    answers = {
        code(http.get(f"{sandbox.base_url}/okrs", headers=bearer(ACME_REVOKED_KEY))) for _ in range(70)
    }
    assert answers == {(401, "unauthorized")}


def test_no_key_on_an_unknown_path_is_401_not_404(http: httpx.Client, sandbox: SandboxServer) -> None:
    assert code(http.get(f"{sandbox.root_url}/no/such/thing")) == (401, "unauthorized")


def test_a_full_window_beats_a_missing_scope(http: httpx.Client, sandbox: SandboxServer) -> None:
    full_window(http, sandbox, ACME_NONE_KEY)
    assert code(http.get(f"{sandbox.base_url}/okrs", headers=bearer(ACME_NONE_KEY))) == (
        429,
        "rate_limit_exceeded",
    )


def test_a_full_window_beats_an_unknown_path_a_bad_id_and_a_bad_body(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    full_window(http, sandbox, ACME_ADMIN_KEY)
    headers = bearer(ACME_ADMIN_KEY)
    assert code(http.get(f"{sandbox.base_url}/nowhere", headers=headers))[0] == 429
    response = http.post(f"{sandbox.base_url}/okrs/{BAD_ID}/checkins", headers=headers, content=BAD_BODY)
    assert code(response)[0] == 429


def test_a_missing_scope_beats_a_bad_id(http: httpx.Client, sandbox: SandboxServer) -> None:
    response = http.post(
        f"{sandbox.base_url}/okrs/{BAD_ID}/checkins", headers=bearer(ACME_READ_KEY), json={"value": 1}
    )
    assert code(response) == (403, "forbidden")
    response = http.get(f"{sandbox.base_url}/reviews/{BAD_ID}/summary", headers=bearer(ACME_NONE_KEY))
    assert code(response) == (403, "forbidden")


def test_a_missing_scope_beats_a_bad_body(http: httpx.Client, sandbox: SandboxServer) -> None:
    kr = a_key_result(http, sandbox)
    response = http.post(
        f"{sandbox.base_url}/okrs/{kr}/checkins", headers=bearer(ACME_READ_KEY), content=BAD_BODY
    )
    assert code(response) == (403, "forbidden")


def test_a_bad_id_beats_a_bad_body(http: httpx.Client, sandbox: SandboxServer) -> None:
    headers = bearer(ACME_ADMIN_KEY)
    assert code(
        http.post(f"{sandbox.base_url}/okrs/{BAD_ID}/checkins", headers=headers, content=BAD_BODY)
    ) == (
        404,
        "not_found",
    )
    assert code(http.post(f"{sandbox.base_url}/kpis/{BAD_ID}/updates", headers=headers, content=b"")) == (
        404,
        "not_found",
    )


def test_a_wrong_method_is_404_even_without_the_scope(http: httpx.Client, sandbox: SandboxServer) -> None:
    # A wrong method names no endpoint, so there is no scope to lack: the path is unknown.
    assert code(http.put(f"{sandbox.base_url}/okrs", headers=bearer(ACME_NONE_KEY))) == (404, "not_found")


def test_the_same_check_in_with_nothing_wrong_succeeds(http: httpx.Client, sandbox: SandboxServer) -> None:
    kr = a_key_result(http, sandbox)
    response = http.post(
        f"{sandbox.base_url}/okrs/{kr}/checkins", headers=bearer(ACME_ADMIN_KEY), json={"value": 1}
    )
    assert response.status_code == 200


BAD_BODIES = [
    ({"Content-Type": "text/plain"}, b'{"value": 1}'),
    ({}, b'{"value": 1, "value": 2}'),
    ({}, b'{"value": 1, "comment": "\\u001b[2J"}'),
]


def test_every_kind_of_bad_body_comes_after_the_key_the_scope_and_the_id(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    kr = a_key_result(http, sandbox)

    def post(key: str, target: str, extra: dict[str, str], body: bytes) -> tuple[int, str]:
        url = f"{sandbox.base_url}/okrs/{target}/checkins"
        return code(http.post(url, headers={**bearer(key), **extra}, content=body))

    for extra, body in BAD_BODIES:
        assert post(ACME_REVOKED_KEY, kr, extra, body) == (401, "unauthorized"), body
        assert post(ACME_READ_KEY, kr, extra, body) == (403, "forbidden"), body
        assert post(ACME_ADMIN_KEY, BAD_ID, extra, body) == (404, "not_found"), body
        assert post(ACME_ADMIN_KEY, kr, extra, body) == (400, "bad_request"), body
