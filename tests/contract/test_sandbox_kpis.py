"""``GET /kpis`` and ``POST /kpis/:id/updates``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, GLOBEX_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
DOCUMENTED = {"id", "name", "current", "target", "unit", "status", "last_updated"}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def seeded(http: httpx.Client) -> Iterator[list[dict[str, Any]]]:
    with SandboxServer() as server:
        yield http.get(f"{server.base_url}/kpis", headers=HEADERS).json()


def kpis(
    http: httpx.Client, server: SandboxServer, headers: dict[str, str] = HEADERS
) -> list[dict[str, Any]]:
    response = http.get(f"{server.base_url}/kpis", headers=headers)
    assert response.status_code == 200
    return response.json()


def update(http: httpx.Client, server: SandboxServer, kpi_id: str, **body: Any) -> httpx.Response:
    return http.post(f"{server.base_url}/kpis/{kpi_id}/updates", headers=HEADERS, json=body)


def test_every_kpi_has_the_documented_fields_and_direction(seeded: list[dict[str, Any]]) -> None:
    for kpi in seeded:
        assert set(kpi) == DOCUMENTED | {"direction"}
        assert kpi["direction"] in {"increase", "decrease"}
        assert isinstance(kpi["current"], int | float) and isinstance(kpi["target"], int | float)
        assert kpi["unit"]
        assert TIMESTAMP.fullmatch(kpi["last_updated"])


def test_acme_tracks_a_dozen_kpis_in_real_units_some_lower_is_better(seeded: list[dict[str, Any]]) -> None:
    assert len(seeded) >= 12
    assert {"users", "$", "%", "ms", "NPS", "hours"} <= {k["unit"] for k in seeded}
    assert sum(k["direction"] == "decrease" for k in seeded) >= 4
    assert {k["status"] for k in seeded} == set(scoring.STATUSES)


def test_the_reference_example_is_seeded_and_at_risk(seeded: list[dict[str, Any]]) -> None:
    wau = next(k for k in seeded if k["name"] == "Weekly Active Users")
    assert (wau["current"], wau["target"], wau["unit"], wau["status"]) == (3721, 4500, "users", "at_risk")


def test_kpi_status_follows_the_ratio_rule(seeded: list[dict[str, Any]]) -> None:
    for kpi in seeded:
        assert kpi["status"] == scoring.kpi_status(kpi["current"], kpi["target"], kpi["direction"]), kpi[
            "name"
        ]


def test_kpis_come_most_recently_updated_first(seeded: list[dict[str, Any]]) -> None:
    stamps = [k["last_updated"] for k in seeded]
    assert stamps == sorted(stamps, reverse=True)
    assert len(set(stamps)) == len(stamps)


def test_an_update_answers_exactly_the_reference_record(http: httpx.Client, sandbox: SandboxServer) -> None:
    kpi = kpis(http, sandbox)[-1]
    response = update(http, sandbox, kpi["id"], value=3810, comment="Small uptick after release")
    assert response.status_code == 200
    record = response.json()
    assert set(record) == {"id", "kpi_id", "previous_value", "new_value", "created_at"}
    assert isinstance(record["id"], str) and record["id"]
    assert record["kpi_id"] == kpi["id"]
    assert record["previous_value"] == kpi["current"]
    assert record["new_value"] == 3810
    assert TIMESTAMP.fullmatch(record["created_at"])


def test_an_update_becomes_current_and_last_updated(http: httpx.Client, sandbox: SandboxServer) -> None:
    kpi = kpis(http, sandbox)[-1]  # the stalest
    record = update(http, sandbox, kpi["id"], value=4321.5).json()
    after = kpis(http, sandbox)
    assert after[0]["id"] == kpi["id"]  # now the most recently updated
    assert after[0]["current"] == 4321.5
    assert after[0]["last_updated"] == record["created_at"]
    moment = datetime.strptime(record["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(moment - time.time()) < 5


def test_each_update_captures_the_value_it_replaced(http: httpx.Client, sandbox: SandboxServer) -> None:
    kpi = kpis(http, sandbox)[0]
    first = update(http, sandbox, kpi["id"], value=10).json()
    second = update(http, sandbox, kpi["id"], value=12.5).json()
    assert first["previous_value"] == kpi["current"]
    assert second["previous_value"] == 10
    assert second["new_value"] == 12.5


def test_an_update_recomputes_the_status(http: httpx.Client, sandbox: SandboxServer) -> None:
    wau = next(k for k in kpis(http, sandbox) if k["name"] == "Weekly Active Users")
    update(http, sandbox, wau["id"], value=4100)  # r = 0.91
    assert next(k for k in kpis(http, sandbox) if k["id"] == wau["id"])["status"] == "on_track"
    update(http, sandbox, wau["id"], value=3000)  # r = 0.67
    assert next(k for k in kpis(http, sandbox) if k["id"] == wau["id"])["status"] == "off_track"


def test_a_lower_is_better_kpi_improves_when_it_falls(http: httpx.Client, sandbox: SandboxServer) -> None:
    kpi = next(k for k in kpis(http, sandbox) if k["direction"] == "decrease")
    update(http, sandbox, kpi["id"], value=kpi["target"] * 0.95)
    assert next(k for k in kpis(http, sandbox) if k["id"] == kpi["id"])["status"] == "on_track"
    update(http, sandbox, kpi["id"], value=kpi["target"] * 2)
    assert next(k for k in kpis(http, sandbox) if k["id"] == kpi["id"])["status"] == "off_track"


def test_globex_has_its_own_smaller_set(http: httpx.Client, sandbox: SandboxServer) -> None:
    acme = kpis(http, sandbox)
    globex = kpis(http, sandbox, {"Authorization": f"Bearer {GLOBEX_ADMIN_KEY}"})
    assert 0 < len(globex) < len(acme)
    assert not {k["id"] for k in acme} & {k["id"] for k in globex}
