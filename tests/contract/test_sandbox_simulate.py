"""``--simulate``: teammates check in and post KPI values, visible in the lists, outside any key's budget."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.clock import Clock
from okrt_tui.sandbox.db import Database
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.seed import seed_database
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.sandbox.simulate import Teammates

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(tmp_path / "sandbox.sqlite3")
    seed_database(db, seed=1, now=time.time())
    yield db
    db.close()


def picture(http: httpx.Client, server: SandboxServer) -> dict[str, Any]:
    okrs = http.get(f"{server.base_url}/okrs", headers=HEADERS).json()
    kpis = http.get(f"{server.base_url}/kpis", headers=HEADERS).json()
    return {
        "krs": {kr["id"]: kr["current"] for o in okrs for kr in o["key_results"]},
        "kpis": {k["id"]: (k["current"], k["last_updated"]) for k in kpis},
    }


def test_simulated_teammates_move_the_dashboard_outside_any_budget() -> None:
    with SandboxServer(control=True, simulate=True, every=0.1) as server, httpx.Client(timeout=10) as http:
        before = picture(http, server)
        reads = 2
        deadline = time.monotonic() + 5
        while picture(http, server) == before:
            reads += 2
            assert time.monotonic() < deadline, "nothing changed in 5 s with a teammate acting every 0.1 s"
            time.sleep(0.2)
        reads += 2
        assert server.control.writes() == []  # teammates are not API writes
        counted = server.control.requests()
        assert {entry["label"] for entry in counted} == {"acme-admin"}
        assert sum(entry["count"] for entry in counted) == reads  # only our own reads


def test_without_simulate_nothing_moves() -> None:
    with SandboxServer(every=0.05) as server, httpx.Client(timeout=10) as http:
        before = picture(http, server)
        time.sleep(0.3)
        assert picture(http, server) == before


def test_each_teammate_action_moves_one_key_result_or_kpi_a_little(database: Database) -> None:
    teammates = Teammates(database, Clock(), seed=3)
    cycle = scoring.quarter_of(time.time())
    kinds = set()
    for _ in range(30):
        krs = {kr.id: kr for kr, _ in database.key_results_in_cycle(cycle)}
        kpis = {k.id: k for k in database.all_kpis()}
        changed = teammates.act()
        if changed in krs:
            kinds.add("checkin")
            old = krs[changed]
            new = next(kr for kr, _ in database.key_results_in_cycle(cycle) if kr.id == changed)
            assert new.current != old.current
            assert abs(new.current - old.current) <= 0.07 * abs(old.target - old.start) + 10**-old.decimals
        else:
            kinds.add("kpi_update")
            old_kpi = kpis[changed]  # type: ignore[index]
            new_kpi = next(k for k in database.all_kpis() if k.id == changed)
            assert new_kpi.current != old_kpi.current
            assert abs(new_kpi.current - old_kpi.current) <= abs(old_kpi.current) * 0.1 + 1
            assert new_kpi.last_updated > old_kpi.last_updated
    assert kinds == {"checkin", "kpi_update"}


def test_teammates_are_repeatable_for_a_seed(tmp_path: Path) -> None:
    def run(name: str) -> list[str | None]:
        db = Database(tmp_path / name)
        try:
            now = 1_795_000_000.0
            seed_database(db, seed=1, now=now)
            teammates = Teammates(db, Clock(offset=now - time.time()), seed=7)
            return [teammates.act() for _ in range(10)]
        finally:
            db.close()

    assert run("a.sqlite3") == run("b.sqlite3")
