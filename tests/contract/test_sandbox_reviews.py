"""``GET /review-cycles`` and ``GET /reviews/:id/summary``: shared reviews only, drafts are 404."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, GLOBEX_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    """Reviews are read-only: one sandbox for the module (under 60 requests in all)."""
    with SandboxServer() as running:
        yield running


@pytest.fixture(scope="module")
def cycles(http: httpx.Client, server: SandboxServer) -> list[dict[str, Any]]:
    response = http.get(f"{server.base_url}/review-cycles", headers=HEADERS)
    assert response.status_code == 200
    return response.json()


def reviews_in_db(server: SandboxServer, status: str) -> list[tuple[str, str]]:
    """(review id, cycle id) of the reviews with this status, straight from the sandbox's database."""
    with sqlite3.connect(server.db_path) as conn:  # type: ignore[arg-type]
        return conn.execute(
            "SELECT id, cycle_id FROM reviews WHERE status = ? ORDER BY id", (status,)
        ).fetchall()


def summary(
    http: httpx.Client, server: SandboxServer, review_id: str, key: str = ACME_ADMIN_KEY
) -> httpx.Response:
    return http.get(
        f"{server.base_url}/reviews/{review_id}/summary", headers={"Authorization": f"Bearer {key}"}
    )


def test_every_cycle_has_the_documented_fields_and_its_shared_reviews(cycles: list[dict[str, Any]]) -> None:
    for cycle in cycles:
        assert set(cycle) == {"id", "name", "status", "due_date", "reviewee_count", "reviews"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", cycle["due_date"])
        assert isinstance(cycle["reviewee_count"], int)
        for review in cycle["reviews"]:
            assert set(review) == {"id", "employee", "type", "shared_at"}
            assert TIMESTAMP.fullmatch(review["shared_at"])


def test_acme_has_an_upcoming_an_active_and_a_closed_cycle_latest_due_first(
    cycles: list[dict[str, Any]],
) -> None:
    assert [c["status"] for c in cycles] == ["upcoming", "active", "closed"]
    dates = [c["due_date"] for c in cycles]
    assert dates == sorted(dates, reverse=True)


def test_reviewee_count_counts_distinct_reviewees_drafts_included(
    server: SandboxServer, cycles: list[dict[str, Any]]
) -> None:
    with sqlite3.connect(server.db_path) as conn:  # type: ignore[arg-type]
        for cycle in cycles:
            rows = conn.execute("SELECT employee FROM reviews WHERE cycle_id = ?", (cycle["id"],)).fetchall()
            assert cycle["reviewee_count"] == len({employee for (employee,) in rows})
    closed = next(c for c in cycles if c["status"] == "closed")
    assert len(closed["reviews"]) > closed["reviewee_count"]  # several reviews of the same people


def test_the_reviews_extension_lists_shared_reviews_only(
    server: SandboxServer, cycles: list[dict[str, Any]]
) -> None:
    listed = {r["id"] for c in cycles for r in c["reviews"]}
    shared = {review_id for review_id, cycle_id in reviews_in_db(server, "shared")}
    drafts = {review_id for review_id, cycle_id in reviews_in_db(server, "draft")}
    acme_cycles = {c["id"] for c in cycles}
    assert listed == {rid for rid, cid in reviews_in_db(server, "shared") if cid in acme_cycles}
    assert listed <= shared
    assert not listed & drafts
    assert {r["type"] for c in cycles for r in c["reviews"]} == {"self", "manager", "peer", "360"}


def test_a_shared_review_summary_is_exactly_the_reference_shape(
    http: httpx.Client, server: SandboxServer, cycles: list[dict[str, Any]]
) -> None:
    cycle = next(c for c in cycles if c["status"] == "active")
    listed = cycle["reviews"][0]
    response = summary(http, server, listed["id"])
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["review_id", "employee", "cycle", "type", "status", "answers", "shared_at"]
    assert body["review_id"] == listed["id"]
    assert body["employee"] == listed["employee"]
    assert body["cycle"] == cycle["name"]
    assert body["type"] == listed["type"]
    assert body["status"] == "shared"
    assert body["shared_at"] == listed["shared_at"]
    assert body["answers"]
    for answer in body["answers"]:
        assert set(answer) == {"question", "answer"}
        assert answer["question"].strip() and answer["answer"].strip()


def test_every_shared_review_is_readable_and_realistic(
    http: httpx.Client, server: SandboxServer, cycles: list[dict[str, Any]]
) -> None:
    for cycle in cycles:
        for listed in cycle["reviews"]:
            body = summary(http, server, listed["id"]).json()
            assert len(body["answers"]) >= 3
            assert all(len(a["answer"]) > 10 for a in body["answers"])


def test_a_draft_review_is_404(http: httpx.Client, server: SandboxServer) -> None:
    drafts = reviews_in_db(server, "draft")
    assert len(drafts) >= 3
    for review_id, _ in drafts:
        response = summary(http, server, review_id)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_another_workspaces_review_is_404(
    http: httpx.Client, server: SandboxServer, cycles: list[dict[str, Any]]
) -> None:
    acme_review = cycles[1]["reviews"][0]["id"]
    assert summary(http, server, acme_review, GLOBEX_ADMIN_KEY).status_code == 404
    globex = http.get(
        f"{server.base_url}/review-cycles", headers={"Authorization": f"Bearer {GLOBEX_ADMIN_KEY}"}
    )
    globex_review = next(r["id"] for c in globex.json() for r in c["reviews"])
    assert summary(http, server, globex_review, GLOBEX_ADMIN_KEY).status_code == 200
    assert summary(http, server, globex_review).status_code == 404
