"""The seed: deterministic, realistic, and spread over every health band."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.db import Checkin, Database, KeyResult, Kpi, Objective, Review, ReviewCycle
from okrt_tui.sandbox.keys import ACME, ACME_ADMIN_KEY, GLOBEX, GLOBEX_ADMIN_KEY
from okrt_tui.sandbox.seed import seed_database, seed_rows
from okrt_tui.sandbox.server import SandboxServer

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
NOW = datetime(2026, 11, 28, 14, 30, tzinfo=UTC).timestamp()


def listing(http: httpx.Client, server: SandboxServer, key: str = ACME_ADMIN_KEY) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    return {
        path: http.get(server.base_url + path, headers=headers).json()
        for path in ("/okrs", "/kpis", "/review-cycles")
    }


def identity(data: dict[str, Any]) -> dict[str, Any]:
    """What a seed fixes whatever the moment: ids, names, units, targets, owners."""
    return {
        "okrs": sorted(
            (
                o["id"],
                o["title"],
                o["owner"],
                o["type"],
                tuple((k["id"], k["unit"], k["target"]) for k in o["key_results"]),
            )
            for o in data["/okrs"]
        ),
        "kpis": sorted((k["id"], k["name"], k["unit"], k["target"]) for k in data["/kpis"]),
        "cycles": sorted(
            (c["id"], c["name"], c["status"], tuple(r["id"] for r in c["reviews"]))
            for c in data["/review-cycles"]
        ),
    }


def scores(rows: list[Any], workspace: str, now: float) -> list[scoring.Score]:
    krs: dict[str, list[KeyResult]] = defaultdict(list)
    checkins: dict[str, list[Checkin]] = defaultdict(list)
    for row in rows:
        if isinstance(row, KeyResult):
            krs[row.objective_id].append(row)
        elif isinstance(row, Checkin):
            checkins[row.kr_id].append(row)
    return [
        scoring.score_objective(
            o.cycle,
            [
                scoring.KeyResultState(
                    kr.start,
                    kr.target,
                    kr.current,
                    tuple(scoring.Checkin(c.created_at, c.value, c.status) for c in checkins[kr.id]),
                )
                for kr in krs[o.id]
            ],
            now,
        )
        for o in rows
        if isinstance(o, Objective) and o.workspace == workspace
    ]


def test_the_same_seed_gives_identical_rows_at_the_same_moment() -> None:
    assert seed_rows(1, NOW) == seed_rows(1, NOW)


def test_two_sandboxes_with_the_same_seed_serve_the_same_workspaces(http: httpx.Client) -> None:
    with SandboxServer(seed=5) as first, SandboxServer(seed=5) as second, SandboxServer(seed=6) as other:
        a, b, c = listing(http, first), listing(http, second), listing(http, other)
    assert identity(a) == identity(b)
    assert identity(a)["okrs"] != identity(c)["okrs"]
    assert {o["id"] for o in a["/okrs"]}.isdisjoint({o["id"] for o in c["/okrs"]})


def test_ids_do_not_depend_on_the_moment_of_seeding() -> None:
    def ids(now: float) -> set[str]:
        return {
            r.id
            for r in seed_rows(1, now)
            if isinstance(r, Objective | KeyResult | Kpi | ReviewCycle | Review)
        }

    assert ids(NOW) == ids(NOW + 40 * 86_400)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 10, 20, tzinfo=UTC),
        datetime(2026, 11, 28, 14, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 20, tzinfo=UTC),
        datetime(2027, 2, 15, tzinfo=UTC),
        datetime(2027, 5, 30, tzinfo=UTC),
    ],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_acme_health_spans_every_band(moment: datetime, seed: int) -> None:
    now = moment.timestamp()
    bands = {scoring.health_band(s.health) for s in scores(seed_rows(seed, now), ACME, now)}
    assert bands == {"Strong", "Good", "Needs attention", "At risk"}


def test_acme_statuses_span_every_status() -> None:
    assert {s.status for s in scores(seed_rows(1, NOW), ACME, NOW)} == set(scoring.STATUSES)


def test_check_in_histories_are_realistic() -> None:
    rows = seed_rows(1, NOW)
    checkins: dict[str, list[Checkin]] = defaultdict(list)
    for row in rows:
        if isinstance(row, Checkin):
            checkins[row.kr_id].append(row)
    krs = [r for r in rows if isinstance(r, KeyResult)]
    assert sum(1 for kr in krs if not checkins[kr.id]) >= 10  # never checked in
    weekly = [kr for kr in krs if len(checkins[kr.id]) >= 5]
    assert len(weekly) >= 20  # a real cadence of check-ins
    for kr in krs:
        history = checkins[kr.id]
        assert [c.created_at for c in history] == sorted(c.created_at for c in history)
        assert all(c.created_at <= NOW for c in history)
        assert kr.current == (history[-1].value if history else kr.start)
    assert sum(c.comment is not None for cs in checkins.values() for c in cs) > 100


def test_the_current_cycle_is_the_quarter_of_the_moment_of_seeding() -> None:
    cycles = {r.cycle for r in seed_rows(1, NOW) if isinstance(r, Objective)}
    assert cycles == {"Q4 2026", "Q3 2026"}
    january = datetime(2027, 1, 10, tzinfo=UTC).timestamp()
    assert {r.cycle for r in seed_rows(1, january) if isinstance(r, Objective)} == {"Q1 2027", "Q4 2026"}


def test_review_cycles_are_named_after_the_quarters() -> None:
    names = [
        (r.name, r.status) for r in seed_rows(1, NOW) if isinstance(r, ReviewCycle) and r.workspace == ACME
    ]
    assert names == [
        ("Q3 2026 Quarterly Review", "closed"),
        ("Q4 2026 Year-End Review", "active"),
        ("Q1 2027 Goal-Setting Review", "upcoming"),
    ]


def test_globex_is_smaller_with_data_of_its_own() -> None:
    rows = seed_rows(1, NOW)

    def count(kind: type, workspace: str) -> int:
        return sum(1 for r in rows if isinstance(r, kind) and r.workspace == workspace)

    for kind in (Objective, Kpi, ReviewCycle):
        assert 0 < count(kind, GLOBEX) < count(kind, ACME)


def test_an_existing_database_is_not_seeded_again(tmp_path: Path, http: httpx.Client) -> None:
    path = tmp_path / "kept.sqlite3"
    db = Database(path)
    assert seed_database(db, seed=1, now=NOW) is True
    assert seed_database(db, seed=2, now=NOW) is False
    db.close()
    with SandboxServer(path) as server:
        first = listing(http, server, GLOBEX_ADMIN_KEY)
        kr = first["/okrs"][0]["key_results"][0]
        checkin = http.post(
            f"{server.base_url}/okrs/{kr['id']}/checkins",
            headers={"Authorization": f"Bearer {GLOBEX_ADMIN_KEY}"},
            json={"value": 12345},
        )
        assert checkin.status_code == 200
    assert path.exists()  # a database that was given is kept
    with SandboxServer(path, seed=9) as server:
        again = listing(http, server, GLOBEX_ADMIN_KEY)
    kept = next(k for o in again["/okrs"] for k in o["key_results"] if k["id"] == kr["id"])
    assert kept["current"] == 12345
