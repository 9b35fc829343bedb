"""Keys, scopes, workspaces and unknown paths, over real HTTP against the running sandbox.

Tests that only read share one sandbox (``api``); each of them starts in a fresh rate window, one
minute further on the sandbox clock. Tests that write get their own (``sandbox``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox.keys import (
    ACME_ADMIN_KEY,
    ACME_KPI_KEY,
    ACME_NONE_KEY,
    ACME_READ_KEY,
    ACME_REVOKED_KEY,
    GLOBEX_ADMIN_KEY,
    KEYS,
)
from okrt_tui.sandbox.server import SandboxServer

READS = ("/okrs", "/kpis", "/review-cycles")


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SandboxServer]:
    with SandboxServer(control=True) as server:
        yield server


@pytest.fixture
def api(shared_server: SandboxServer) -> SandboxServer:
    """The module's sandbox, one minute later: a fresh rate window for every key."""
    control = shared_server.control
    control.set_clock(control.clock()["offset_seconds"] + 60)
    return shared_server


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def some_ids(http: httpx.Client, server: SandboxServer, key: str = ACME_ADMIN_KEY) -> dict[str, str]:
    """A key result, a KPI and a shared review of the key's workspace."""
    okrs = http.get(f"{server.base_url}/okrs", headers=bearer(key)).json()
    kpis = http.get(f"{server.base_url}/kpis", headers=bearer(key)).json()
    cycles = http.get(f"{server.base_url}/review-cycles", headers=bearer(key)).json()
    kr = next(kr for okr in okrs for kr in okr["key_results"])
    review = next(r for cycle in cycles for r in cycle["reviews"])
    return {"kr": kr["id"], "kpi": kpis[0]["id"], "review": review["id"]}


def test_the_reference_curl_example_works_with_only_the_host_changed(api: SandboxServer) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    result = subprocess.run(
        [curl, "-s", f"{api.base_url}/okrs", "-H", f"Authorization: Bearer {ACME_ADMIN_KEY}"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    )
    assert result.stdout.startswith('[{"id":')


def test_the_reference_post_example_works_verbatim(http: httpx.Client, sandbox: SandboxServer) -> None:
    kpi = some_ids(http, sandbox)["kpi"]
    response = http.post(
        f"{sandbox.base_url}/kpis/{kpi}/updates",
        headers={**bearer(ACME_ADMIN_KEY), "Content-Type": "application/json"},
        content=b'{\n    "value": 3810,\n    "comment": "Small uptick after release"\n  }',
    )
    assert response.status_code == 200
    assert response.json()["new_value"] == 3810


def test_a_trailing_slash_is_tolerated(http: httpx.Client, api: SandboxServer) -> None:
    for path in ("/okrs/", "/kpis/", "/review-cycles/"):
        response = http.get(api.base_url + path, headers=bearer(ACME_ADMIN_KEY))
        assert response.status_code == 200, path
        assert response.json() == http.get(api.base_url + path[:-1], headers=bearer(ACME_ADMIN_KEY)).json()


def test_a_request_without_a_key_is_401_on_every_path(http: httpx.Client, api: SandboxServer) -> None:
    for path in (*READS, "/reviews/x/summary", "/nowhere"):
        assert_error(http.get(api.base_url + path), 401, "unauthorized")
    assert_error(http.post(f"{api.base_url}/okrs/x/checkins", json={"value": 1}), 401, "unauthorized")


@pytest.mark.parametrize(
    "header",
    [
        f"Basic {ACME_ADMIN_KEY}",
        f"Token {ACME_ADMIN_KEY}",
        ACME_ADMIN_KEY,
        "Bearer",
        "Bearer acme_admin_7Fq2Lx9Rk3Vm8Tz4",
        "Bearer okrt_",
        "Bearer okrt_not_a_real_key_0000000000",
        f"Bearer {ACME_ADMIN_KEY}x",
        f"Bearer {ACME_ADMIN_KEY.upper()}",
    ],
)
def test_anything_but_a_known_bearer_okrt_key_is_401(
    http: httpx.Client, api: SandboxServer, header: str
) -> None:
    assert_error(http.get(f"{api.base_url}/okrs", headers={"Authorization": header}), 401, "unauthorized")


def test_the_bearer_scheme_is_case_insensitive(http: httpx.Client, api: SandboxServer) -> None:
    response = http.get(f"{api.base_url}/okrs", headers={"Authorization": f"bearer {ACME_ADMIN_KEY}"})
    assert response.status_code == 200


def test_the_revoked_key_gets_401_on_every_endpoint(http: httpx.Client, api: SandboxServer) -> None:
    ids = some_ids(http, api)
    headers = bearer(ACME_REVOKED_KEY)
    for path in (*READS, f"/reviews/{ids['review']}/summary"):
        assert_error(http.get(api.base_url + path, headers=headers), 401, "unauthorized")
    checkin = http.post(f"{api.base_url}/okrs/{ids['kr']}/checkins", headers=headers, json={"value": 1})
    assert_error(checkin, 401, "unauthorized")
    update = http.post(f"{api.base_url}/kpis/{ids['kpi']}/updates", headers=headers, json={"value": 1})
    assert_error(update, 401, "unauthorized")


def test_the_fixed_keys_are_the_six_of_the_interface() -> None:
    table = {k.key: (k.workspace, sorted(k.scopes), k.revoked) for k in KEYS.values()}
    all_five = sorted(["okrs:read", "kpis:read", "kpis:write", "okr-checkins:write", "reviews:read"])
    assert table == {
        ACME_ADMIN_KEY: ("acme", all_five, False),
        ACME_READ_KEY: ("acme", ["kpis:read", "okrs:read", "reviews:read"], False),
        ACME_KPI_KEY: ("acme", ["kpis:read", "kpis:write"], False),
        ACME_NONE_KEY: ("acme", [], False),
        ACME_REVOKED_KEY: ("acme", all_five, True),
        GLOBEX_ADMIN_KEY: ("globex", all_five, False),
    }


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/okrs", "okrs:read"),
        ("POST", "/okrs/{kr}/checkins", "okr-checkins:write"),
        ("GET", "/kpis", "kpis:read"),
        ("POST", "/kpis/{kpi}/updates", "kpis:write"),
        ("GET", "/review-cycles", "reviews:read"),
        ("GET", "/reviews/{review}/summary", "reviews:read"),
    ],
)
def test_a_key_without_the_scope_gets_403_naming_it(
    http: httpx.Client, api: SandboxServer, method: str, path: str, scope: str
) -> None:
    url = api.base_url + path.format(**some_ids(http, api))
    response = http.request(method, url, headers=bearer(ACME_NONE_KEY), json={"value": 1})
    body = assert_error(response, 403, "forbidden")
    assert body["message"] == f"This key does not have {scope} permission"


def test_the_read_key_reads_everything_and_writes_nothing(http: httpx.Client, api: SandboxServer) -> None:
    ids = some_ids(http, api)
    headers = bearer(ACME_READ_KEY)
    for path in (*READS, f"/reviews/{ids['review']}/summary"):
        assert http.get(api.base_url + path, headers=headers).status_code == 200, path
    response = http.post(f"{api.base_url}/okrs/{ids['kr']}/checkins", headers=headers, json={"value": 1})
    assert "okr-checkins:write" in assert_error(response, 403, "forbidden")["message"]
    response = http.post(f"{api.base_url}/kpis/{ids['kpi']}/updates", headers=headers, json={"value": 1})
    assert "kpis:write" in assert_error(response, 403, "forbidden")["message"]


def test_the_kpi_key_reads_and_writes_kpis_only(http: httpx.Client, sandbox: SandboxServer) -> None:
    ids = some_ids(http, sandbox)
    headers = bearer(ACME_KPI_KEY)
    assert http.get(f"{sandbox.base_url}/kpis", headers=headers).status_code == 200
    response = http.post(f"{sandbox.base_url}/kpis/{ids['kpi']}/updates", headers=headers, json={"value": 1})
    assert response.status_code == 200
    assert_error(http.get(f"{sandbox.base_url}/okrs", headers=headers), 403, "forbidden")
    assert_error(http.get(f"{sandbox.base_url}/review-cycles", headers=headers), 403, "forbidden")
    checkin = http.post(f"{sandbox.base_url}/okrs/{ids['kr']}/checkins", headers=headers, json={"value": 1})
    assert_error(checkin, 403, "forbidden")


def test_each_workspace_sees_only_its_own_data(http: httpx.Client, api: SandboxServer) -> None:
    def names(key: str) -> tuple[set[str], set[str], set[str]]:
        get = lambda path: http.get(api.base_url + path, headers=bearer(key)).json()  # noqa: E731
        return (
            {o["id"] for o in get("/okrs")},
            {k["id"] for k in get("/kpis")},
            {c["id"] for c in get("/review-cycles")},
        )

    acme, globex = names(ACME_ADMIN_KEY), names(GLOBEX_ADMIN_KEY)
    for mine, theirs in zip(acme, globex, strict=True):
        assert mine and theirs
        assert not mine & theirs


def test_ids_of_another_workspace_are_404(http: httpx.Client, sandbox: SandboxServer) -> None:
    globex = some_ids(http, sandbox, GLOBEX_ADMIN_KEY)
    headers = bearer(ACME_ADMIN_KEY)
    checkin = http.post(
        f"{sandbox.base_url}/okrs/{globex['kr']}/checkins", headers=headers, json={"value": 1}
    )
    assert_error(checkin, 404, "not_found")
    update = http.post(f"{sandbox.base_url}/kpis/{globex['kpi']}/updates", headers=headers, json={"value": 1})
    assert_error(update, 404, "not_found")
    summary = http.get(f"{sandbox.base_url}/reviews/{globex['review']}/summary", headers=headers)
    assert_error(summary, 404, "not_found")
    assert sandbox.control.writes() == []


def test_ids_the_workspace_does_not_hold_are_404(http: httpx.Client, api: SandboxServer) -> None:
    headers = bearer(ACME_ADMIN_KEY)
    base = api.base_url
    for id_ in ("00000000-0000-4000-8000-000000000000", "not-a-uuid", "KR_ID", "%20", "rc-2c8", "%E2%80%A6"):
        checkin = http.post(f"{base}/okrs/{id_}/checkins", headers=headers, json={"value": 1})
        assert_error(checkin, 404, "not_found")
        update = http.post(f"{base}/kpis/{id_}/updates", headers=headers, json={"value": 1})
        assert_error(update, 404, "not_found")
        assert_error(http.get(f"{base}/reviews/{id_}/summary", headers=headers), 404, "not_found")


def test_an_unknown_path_is_404_with_the_standard_shape(http: httpx.Client, api: SandboxServer) -> None:
    for path in (
        "/api/v1",
        "/api/v1/objectives",
        "/api/v1/okrs/extra",
        "/api/v2/okrs",
        "/",
        "/okrs",
        "/api/v1/reviews",
        "/api/v1/okrs/a/b/checkins",
    ):
        assert_error(http.get(api.root_url + path, headers=bearer(ACME_ADMIN_KEY)), 404, "not_found")


def test_a_wrong_method_on_a_known_path_is_404(http: httpx.Client, api: SandboxServer) -> None:
    ids = some_ids(http, api)
    for method, path in (
        ("POST", "/okrs"),
        ("DELETE", "/okrs"),
        ("PUT", "/kpis"),
        ("GET", "/okrs/{kr}/checkins"),
        ("PUT", "/okrs/{kr}/checkins"),
        ("GET", "/kpis/{kpi}/updates"),
        ("POST", "/reviews/{review}/summary"),
        ("PATCH", "/review-cycles"),
        ("OPTIONS", "/okrs"),
    ):
        url = api.base_url + path.format(**ids)
        assert_error(http.request(method, url, headers=bearer(ACME_ADMIN_KEY)), 404, "not_found")


def test_head_on_a_known_path_is_404_without_a_body(http: httpx.Client, api: SandboxServer) -> None:
    response = http.head(f"{api.base_url}/okrs", headers=bearer(ACME_ADMIN_KEY))
    assert response.status_code == 404
    assert response.content == b""


def test_answers_are_utf8_json_without_escapes(http: httpx.Client, api: SandboxServer) -> None:
    response = http.get(f"{api.base_url}/okrs", headers=bearer(ACME_ADMIN_KEY))
    assert response.headers["content-type"] == "application/json"
    assert "Tomás Herrera" in response.content.decode("utf-8")
