"""The ``/_sandbox/`` control endpoints: faults, the writes log and the clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_NONE_KEY, ACME_READ_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}


def kr_and_kpi(http: httpx.Client, server: SandboxServer) -> tuple[dict[str, Any], dict[str, Any]]:
    okrs = http.get(f"{server.base_url}/okrs", headers=HEADERS).json()
    kpis = http.get(f"{server.base_url}/kpis", headers=HEADERS).json()
    return okrs[0]["key_results"][0], kpis[0]


def post_checkin(http: httpx.Client, server: SandboxServer, kr_id: str, **body: Any) -> httpx.Response:
    return http.post(f"{server.base_url}/okrs/{kr_id}/checkins", headers=HEADERS, json=body)


def current_of(http: httpx.Client, server: SandboxServer, kr_id: str) -> float:
    okrs = http.get(f"{server.base_url}/okrs", headers=HEADERS).json()
    return next(kr["current"] for o in okrs for kr in o["key_results"] if kr["id"] == kr_id)


def test_control_endpoints_exist_only_with_control(http: httpx.Client) -> None:
    with SandboxServer() as server:
        for method, path in (("POST", "faults"), ("GET", "writes"), ("POST", "clock"), ("GET", "requests")):
            anonymous = http.request(method, f"{server.root_url}/_sandbox/{path}", json={"kind": "500"})
            assert anonymous.status_code == 401  # an unknown path, and no key
            keyed = http.request(
                method, f"{server.root_url}/_sandbox/{path}", json={"kind": "500"}, headers=HEADERS
            )
            assert keyed.status_code == 404
            assert keyed.json()["error"] == "not_found"


def test_control_endpoints_need_no_key_and_do_not_count(http: httpx.Client, sandbox: SandboxServer) -> None:
    for _ in range(70):
        assert http.get(f"{sandbox.root_url}/_sandbox/writes").status_code == 200
    assert http.get(f"{sandbox.root_url}/_sandbox/requests").json() == []


def test_a_500_fault_fails_the_next_matching_request_once(http: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", match="reads")
    failed = http.get(f"{sandbox.base_url}/okrs", headers=HEADERS)
    assert failed.status_code == 500
    assert failed.json() == {"error": "server_error", "message": failed.json()["message"]}
    assert http.get(f"{sandbox.base_url}/okrs", headers=HEADERS).status_code == 200


def test_a_500_fault_on_writes_records_nothing_and_spares_reads(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    kr, _ = kr_and_kpi(http, sandbox)
    sandbox.control.fault("500", match="writes")
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 200
    assert post_checkin(http, sandbox, kr["id"], value=kr["current"] + 1).status_code == 500
    assert sandbox.control.writes() == []
    assert current_of(http, sandbox, kr["id"]) == kr["current"]
    assert post_checkin(http, sandbox, kr["id"], value=kr["current"] + 1).status_code == 200


def test_a_429_fault_answers_like_a_full_window_for_count_requests(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    kr, _ = kr_and_kpi(http, sandbox)
    sandbox.control.fault("429", count=2, match="reads")
    assert post_checkin(http, sandbox, kr["id"], value=1).status_code == 200  # a write: not matched
    answers = [http.get(f"{sandbox.base_url}/review-cycles", headers=HEADERS) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    limited = answers[0]
    seconds = limited.json()["retry_after_seconds"]
    assert limited.json() == {"error": "rate_limit_exceeded", "retry_after_seconds": seconds}
    assert 1 <= seconds <= 60
    assert limited.headers["retry-after"] == str(seconds)
    assert limited.headers["x-ratelimit-remaining"] == "0"  # as if the window were spent
    assert answers[2].headers["x-ratelimit-remaining"] == "54"  # it was not: 6 requests so far


def test_a_429_fault_with_seconds_sets_retry_after(http: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.control.fault("429", seconds=2)
    limited = http.get(f"{sandbox.base_url}/kpis", headers=HEADERS)
    assert limited.json()["retry_after_seconds"] == 2
    assert limited.headers["retry-after"] == "2"


def test_injected_faults_count_in_the_rate_window(http: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", count=3)
    for _ in range(3):
        assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 500
    response = http.get(f"{sandbox.base_url}/kpis", headers=HEADERS)
    assert response.headers["x-ratelimit-remaining"] == "56"
    assert [entry["count"] for entry in sandbox.control.requests()] == [4]


def test_faults_match_reads_writes_or_all(http: httpx.Client, sandbox: SandboxServer) -> None:
    _, kpi = kr_and_kpi(http, sandbox)
    sandbox.control.fault("500", count=2, match="all")
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 500
    update = http.post(f"{sandbox.base_url}/kpis/{kpi['id']}/updates", headers=HEADERS, json={"value": 1})
    assert update.status_code == 500
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 200


def test_faults_are_not_used_up_by_requests_that_never_reach_an_endpoint(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    sandbox.control.fault("500")
    assert http.get(f"{sandbox.base_url}/okrs").status_code == 401  # no key
    assert http.get(f"{sandbox.base_url}/nowhere", headers=HEADERS).status_code == 404  # no endpoint
    assert http.delete(f"{sandbox.base_url}/okrs", headers=HEADERS).status_code == 404  # wrong method
    assert http.get(f"{sandbox.base_url}/okrs", headers=HEADERS).status_code == 500


def test_faults_apply_before_the_scope_check(http: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", match="writes")
    _, kpi = kr_and_kpi(http, sandbox)
    update = http.post(
        f"{sandbox.base_url}/kpis/{kpi['id']}/updates",
        headers={"Authorization": f"Bearer {ACME_READ_KEY}"},
        json={"value": 1},
    )
    assert update.status_code == 500


def test_a_new_fault_replaces_the_pending_one_and_none_clears(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    sandbox.control.fault("500", count=5)
    sandbox.control.fault("429", count=1)
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 429
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 200
    sandbox.control.fault("500", count=5)
    assert sandbox.control.clear_faults() == {"kind": "none", "count": 0, "match": "all", "seconds": 0.0}
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 200


def test_a_slow_write_is_recorded_before_the_answer_waits(http: httpx.Client, sandbox: SandboxServer) -> None:
    kr, _ = kr_and_kpi(http, sandbox)
    sandbox.control.fault("slow", match="writes", seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        http.post(
            f"{sandbox.base_url}/okrs/{kr['id']}/checkins", headers=HEADERS, json={"value": 42}, timeout=0.5
        )
    assert [w["body"] for w in sandbox.control.writes()] == [{"value": 42}]
    assert current_of(http, sandbox, kr["id"]) == 42


def test_a_slow_read_answers_after_the_delay(http: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.control.fault("slow", match="reads", seconds=0.6)
    started = time.perf_counter()
    response = http.get(f"{sandbox.base_url}/review-cycles", headers=HEADERS)
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.6
    started = time.perf_counter()
    http.get(f"{sandbox.base_url}/review-cycles", headers=HEADERS)
    assert time.perf_counter() - started < 0.5


def test_a_dropped_write_lands_but_the_client_sees_a_broken_connection(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    kr, _ = kr_and_kpi(http, sandbox)
    sandbox.control.fault("drop", match="writes")
    with pytest.raises(httpx.RemoteProtocolError):
        post_checkin(http, sandbox, kr["id"], value=43, comment="did it land?")
    assert sandbox.control.writes()[0]["body"] == {"value": 43, "comment": "did it land?"}
    assert current_of(http, sandbox, kr["id"]) == 43  # the same client works again on a new connection


def test_a_dropped_read_gets_no_answer_at_all(http: httpx.Client, sandbox: SandboxServer) -> None:
    sandbox.control.fault("drop", match="reads", count=2)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            http.get(f"{sandbox.base_url}/kpis", headers=HEADERS)
    assert http.get(f"{sandbox.base_url}/kpis", headers=HEADERS).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "404"},
        {},
        {"kind": "500", "count": -1},
        {"kind": "500", "count": 1.5},
        {"kind": "500", "count": True},
        {"kind": "500", "match": "some"},
        {"kind": "slow", "seconds": -1},
        {"kind": "slow", "seconds": "5"},
    ],
)
def test_a_fault_that_makes_no_sense_is_400(
    http: httpx.Client, sandbox: SandboxServer, body: dict[str, Any]
) -> None:
    response = http.post(f"{sandbox.root_url}/_sandbox/faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_a_fault_has_defaults(sandbox: SandboxServer) -> None:
    assert sandbox.control._call("POST", "faults", {"kind": "slow"}) == {
        "kind": "slow",
        "count": 1,
        "match": "all",
        "seconds": 5.0,
    }


def test_the_writes_log_lists_recorded_writes_in_order(http: httpx.Client, sandbox: SandboxServer) -> None:
    kr, kpi = kr_and_kpi(http, sandbox)
    post_checkin(http, sandbox, kr["id"], value=1, status="at_risk", comment="first")
    http.post(f"{sandbox.base_url}/kpis/{kpi['id']}/updates", headers=HEADERS, json={"value": 2})
    post_checkin(http, sandbox, kr["id"], value="three")  # 400: not recorded
    post_checkin(http, sandbox, "nope", value=3)  # 404: not recorded
    http.post(
        f"{sandbox.base_url}/okrs/{kr['id']}/checkins",
        headers={"Authorization": f"Bearer {ACME_NONE_KEY}"},
        json={"value": 3},
    )  # 403: not recorded
    post_checkin(http, sandbox, kr["id"], value=3)
    writes = sandbox.control.writes()
    assert [(w["kind"], w["target_id"], w["body"]) for w in writes] == [
        ("checkin", kr["id"], {"value": 1, "status": "at_risk", "comment": "first"}),
        ("kpi_update", kpi["id"], {"value": 2}),
        ("checkin", kr["id"], {"value": 3}),
    ]
    for write in writes:
        assert set(write) == {"kind", "target_id", "body", "recorded_at"}
        recorded = datetime.strptime(write["recorded_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert abs(recorded.timestamp() - time.time()) < 5


def test_the_clock_offset_moves_timestamps(http: httpx.Client, sandbox: SandboxServer) -> None:
    kr, _ = kr_and_kpi(http, sandbox)
    answer = sandbox.control.set_clock(86_400)
    assert answer["offset_seconds"] == 86_400
    record = post_checkin(http, sandbox, kr["id"], value=5).json()
    created = datetime.strptime(record["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(created - (time.time() + 86_400)) < 5
    assert sandbox.control.writes()[0]["recorded_at"] == record["created_at"]
    assert sandbox.control.clock()["now"] >= record["created_at"]


def test_a_clock_offset_must_be_a_number(http: httpx.Client, sandbox: SandboxServer) -> None:
    for body in ({"offset_seconds": "60"}, {}, {"offset_seconds": None}, [60]):
        assert http.post(f"{sandbox.root_url}/_sandbox/clock", json=body).status_code == 400
