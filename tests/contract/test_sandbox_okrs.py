"""``GET /okrs`` and ``POST /okrs/:id/checkins``: shapes, ordering, the 500 cap, and scores on read."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.seed import add_bulk_objectives
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
DOCUMENTED = {"id", "title", "type", "owner", "progress", "status", "health_score", "cycle"}
EXTENSIONS = {"updated_at", "key_results"}
KR_FIELDS = {"id", "title", "start", "current", "target", "unit", "progress", "status", "last_checkin_at"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def seeded(http: httpx.Client) -> Iterator[list[dict[str, Any]]]:
    """Acme's objectives as a freshly seeded sandbox lists them."""
    with SandboxServer() as server:
        yield http.get(f"{server.base_url}/okrs", headers=HEADERS).json()


def okrs(http: httpx.Client, server: SandboxServer) -> list[dict[str, Any]]:
    response = http.get(f"{server.base_url}/okrs", headers=HEADERS)
    assert response.status_code == 200
    return response.json()


def find(records: list[dict[str, Any]], objective_id: str) -> dict[str, Any]:
    return next(o for o in records if o["id"] == objective_id)


def checkin(http: httpx.Client, server: SandboxServer, kr_id: str, **body: Any) -> httpx.Response:
    return http.post(f"{server.base_url}/okrs/{kr_id}/checkins", headers=HEADERS, json=body)


def parse(ts: str) -> float:
    return datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


def test_every_objective_has_the_documented_fields_and_the_extensions(seeded: list[dict[str, Any]]) -> None:
    for okr in seeded:
        assert set(okr) == DOCUMENTED | EXTENSIONS
        assert UUID.fullmatch(okr["id"])
        assert okr["type"] in {"org", "team", "individual"}
        assert isinstance(okr["title"], str) and okr["title"]
        assert isinstance(okr["owner"], str) and okr["owner"]
        assert 0 <= okr["progress"] <= 1
        assert okr["status"] in scoring.STATUSES
        assert isinstance(okr["health_score"], int) and 0 <= okr["health_score"] <= 100
        assert re.fullmatch(r"Q[1-4] \d{4}", okr["cycle"])
        assert TIMESTAMP.fullmatch(okr["updated_at"])
        for kr in okr["key_results"]:
            assert set(kr) == KR_FIELDS
            assert UUID.fullmatch(kr["id"])
            assert kr["unit"]
            assert kr["status"] in scoring.STATUSES
            assert kr["last_checkin_at"] is None or TIMESTAMP.fullmatch(kr["last_checkin_at"])


def test_acme_is_seeded_for_a_realistic_dashboard(seeded: list[dict[str, Any]]) -> None:
    now = time.time()
    this_quarter = scoring.quarter_of(now)
    assert 35 <= len(seeded) <= 45
    assert {o["type"] for o in seeded} == {"org", "team", "individual"}
    assert {o["cycle"] for o in seeded} == {this_quarter, scoring.shift_quarter(this_quarter, -1)}
    krs = [kr for o in seeded for kr in o["key_results"]]
    assert all(2 <= len(o["key_results"]) <= 5 for o in seeded)
    assert {"%", "$", "ms", "users", "NPS", "tickets"} <= {kr["unit"] for kr in krs}
    assert sum(kr["target"] < kr["start"] for kr in krs) >= 10  # decreasing key results
    assert any(kr["last_checkin_at"] is None for kr in krs)  # never checked in
    stale = [o for o in seeded if o["cycle"] == this_quarter and now - parse(o["updated_at"]) > 14 * 86400]
    assert stale  # no check-in for more than two weeks
    assert len({scoring.health_band(o["health_score"]) for o in seeded}) >= 3
    assert len({o["owner"] for o in seeded}) >= 20


def test_objectives_come_most_recently_updated_first(seeded: list[dict[str, Any]]) -> None:
    stamps = [o["updated_at"] for o in seeded]
    assert stamps == sorted(stamps, reverse=True)


def test_updated_at_is_the_latest_checkin_on_any_key_result(seeded: list[dict[str, Any]]) -> None:
    for okr in seeded:
        checked = [kr["last_checkin_at"] for kr in okr["key_results"] if kr["last_checkin_at"]]
        if checked:
            assert okr["updated_at"] == max(checked)


def test_progress_and_status_are_computed_from_the_key_results(seeded: list[dict[str, Any]]) -> None:
    for okr in seeded:
        krs = okr["key_results"]
        for kr in krs:
            expected = scoring.kr_progress(kr["start"], kr["current"], kr["target"])
            assert kr["progress"] == pytest.approx(expected, abs=1e-4)
        assert okr["progress"] == pytest.approx(sum(kr["progress"] for kr in krs) / len(krs), abs=1e-3)
        assert okr["status"] == scoring.worst_status(kr["status"] for kr in krs)


def test_the_list_holds_at_most_500_objectives_the_most_recent(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    assert sandbox.db_path is not None
    add_bulk_objectives(sandbox.db_path, 600, title="Bulk objective", now=time.time())

    records = okrs(http, sandbox)
    assert len(records) == 500
    assert [o["title"] for o in records] == [f"Bulk objective {i}" for i in range(500)]


def test_a_checkin_answers_exactly_the_reference_record(http: httpx.Client, sandbox: SandboxServer) -> None:
    kr = okrs(http, sandbox)[0]["key_results"][0]
    response = checkin(http, sandbox, kr["id"], value=70, comment="New flow shipped", status="on_track")
    assert response.status_code == 200
    record = response.json()
    assert set(record) == {"id", "kr_id", "value", "status", "created_at"}
    assert isinstance(record["id"], str) and record["id"]
    assert record["kr_id"] == kr["id"]
    assert record["value"] == 70
    assert record["status"] == "on_track"
    assert TIMESTAMP.fullmatch(record["created_at"])
    assert abs(parse(record["created_at"]) - time.time()) < 5


def test_a_checkin_value_becomes_the_key_results_current_value(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    okr = okrs(http, sandbox)[-1]  # the least recently updated objective
    kr = okr["key_results"][0]
    value = kr["start"] + (kr["target"] - kr["start"]) / 2
    created_at = checkin(http, sandbox, kr["id"], value=value, status="at_risk").json()["created_at"]
    records = okrs(http, sandbox)
    assert records[0]["id"] == okr["id"]  # now the most recently updated
    assert records[0]["updated_at"] == created_at
    updated = records[0]["key_results"][0]
    assert updated["current"] == value
    assert updated["progress"] == pytest.approx(0.5, abs=1e-4)
    assert updated["status"] == "at_risk"
    assert updated["last_checkin_at"] == created_at


def test_a_checkin_on_a_decreasing_key_result_counts_progress_downwards(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    okr, kr = next(
        (o, kr) for o in okrs(http, sandbox) for kr in o["key_results"] if kr["target"] < kr["start"]
    )
    value = kr["start"] - (kr["start"] - kr["target"]) * 0.75
    checkin(http, sandbox, kr["id"], value=value, status="on_track")
    updated = next(k for k in find(okrs(http, sandbox), okr["id"])["key_results"] if k["id"] == kr["id"])
    assert updated["progress"] == pytest.approx(0.75, abs=1e-4)


def test_a_checkin_without_status_gets_one_from_the_gap(http: httpx.Client, sandbox: SandboxServer) -> None:
    records = okrs(http, sandbox)
    okr = records[0]
    start, end = scoring.quarter_bounds(okr["cycle"])  # type: ignore[misc]
    sandbox.control.set_clock(start + (end - start) / 2 - time.time())  # halfway: 0.5 expected
    kr = okr["key_results"][0]
    statuses = []
    for progress in (0.45, 0.30, 0.10):  # gaps 0.05, 0.20, 0.40
        value = kr["start"] + progress * (kr["target"] - kr["start"])
        response = checkin(http, sandbox, kr["id"], value=value)
        assert response.status_code == 200
        statuses.append(response.json()["status"])
    assert statuses == ["on_track", "at_risk", "off_track"]
    after = find(okrs(http, sandbox), okr["id"])
    assert after["key_results"][0]["status"] == "off_track"
    assert after["status"] == "off_track"  # the worst key result sets the objective's status
    assert sandbox.control.writes()[-1]["body"] == {"value": value}  # the log keeps the body as sent


def test_the_objective_status_is_the_worst_key_results(http: httpx.Client, sandbox: SandboxServer) -> None:
    okr = okrs(http, sandbox)[0]
    for kr in okr["key_results"]:
        checkin(http, sandbox, kr["id"], value=kr["current"], status="on_track")
    assert find(okrs(http, sandbox), okr["id"])["status"] == "on_track"
    checkin(
        http, sandbox, okr["key_results"][-1]["id"], value=okr["key_results"][-1]["current"], status="at_risk"
    )
    assert find(okrs(http, sandbox), okr["id"])["status"] == "at_risk"


def test_reaching_every_target_today_makes_an_objective_fully_healthy(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    this_quarter = scoring.quarter_of(time.time())
    okr = min((o for o in okrs(http, sandbox) if o["cycle"] == this_quarter), key=lambda o: o["health_score"])
    assert okr["health_score"] < 60
    for kr in okr["key_results"]:
        checkin(http, sandbox, kr["id"], value=kr["target"], status="on_track")
    after = find(okrs(http, sandbox), okr["id"])
    assert after["progress"] == 1.0
    assert after["status"] == "on_track"
    assert after["health_score"] == 100  # checked in now, ahead of pace, nothing more needed


def test_a_checkin_on_a_previous_cycle_key_result_is_recorded(
    http: httpx.Client, sandbox: SandboxServer
) -> None:
    previous = scoring.shift_quarter(scoring.quarter_of(time.time()), -1)
    okr = next(o for o in okrs(http, sandbox) if o["cycle"] == previous)
    kr = okr["key_results"][0]
    assert checkin(http, sandbox, kr["id"], value=kr["target"]).status_code == 200
    assert find(okrs(http, sandbox), okr["id"])["key_results"][0]["current"] == kr["target"]
