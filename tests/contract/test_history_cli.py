"""``okrt-tui history`` and ``okrt-tui report`` on a real workspace database: filled through the History
API at chosen times (a fake clock, which the recording path takes as ``at``), with the cached lists the
dashboard would have left. The base URL is a listening socket that never accepts: a connection the
commands made would wait in its backlog, and the tests count none there. One test runs them on what the
real refresher recorded from the sandbox, which counts their requests: none."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from okrt_tui.api.models import KeyResult, Kpi, Okr
from okrt_tui.cli import main
from okrt_tui.paths import APP_NAME, Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.session import Session
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.store.history import History
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.views.recorded import NOTHING_RECORDED
from okrt_tui.views.times import DAY, iso_utc

NOW = time.time()
CYCLE = f"Q{(time.gmtime(NOW).tm_mon - 1) // 3 + 1} {time.gmtime(NOW).tm_year}"  # the current quarter
T_OLD, T_MID, T_POST = NOW - 10 * DAY, NOW - 3 * DAY, NOW - 2 * DAY


class Workspace(msgspec.Struct):
    root: Path
    base_url: str
    listener: socket.socket

    def env(self, **extra: str) -> dict[str, str]:
        xdg = {
            f"XDG_{name.upper()}_HOME": str(self.root / name) for name in ("config", "data", "state", "cache")
        }
        return {"OKRT_API_KEY": ACME_ADMIN_KEY, "OKRT_BASE_URL": self.base_url, **xdg, **extra}

    def connections(self) -> int:
        count = 0
        while True:
            try:
                connection, _ = self.listener.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1


def kpis(nps: float, nps_status: str, bugs: float, bugs_status: str) -> tuple[Kpi, ...]:
    return (
        Kpi(id="k-nps", name="Net promoter score", current=nps, target=40, unit="NPS", status=nps_status),
        Kpi(id="k-bugs", name="Open bugs", current=bugs, target=40, unit="bugs", status=bugs_status),
        Kpi(id="k-net", name="Net revenue", current=10, target=20, unit="$", status="off_track"),
    )


def okrs(progress: float, health: int, status: str) -> tuple[Okr, ...]:
    stale = KeyResult(id="kr-1", title="Reach 5k users", last_checkin_at=iso_utc(NOW - 20 * DAY))
    fresh = KeyResult(id="kr-2", title="Launch referrals", last_checkin_at=iso_utc(NOW - 1 * DAY))
    return (
        Okr(
            id="o-grow",
            title="Grow signups",
            cycle=CYCLE,
            progress=progress,
            health_score=health,
            status=status,
            key_results=(stale, fresh),
        ),
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("recorded")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.setblocking(False)
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1"
    dirs = Dirs(*(root / name / APP_NAME for name in ("config", "data", "state", "cache")))
    database = Database(dirs.database_file(base_url, ACME_ADMIN_KEY))
    history = History(database)
    history.record_poll("kpis", kpis(35, "at_risk", 45, "at_risk"), T_OLD)
    history.record_poll("okrs", okrs(0.4, 82, "on_track"), T_OLD)
    history.record_poll("kpis", kpis(38, "at_risk", 38, "on_track"), T_MID)
    history.record_poll("okrs", okrs(0.5, 55, "at_risk"), T_MID)
    history.record_post("k-nps", 38, 41, T_POST)  # this app's own write: the server said 38 → 41
    history.record_poll("kpis", kpis(41, "on_track", 38, "on_track"), T_POST + 60)
    assert history.flush()
    history.close()
    cache = Cache(database)
    cache.save("kpis", msgspec.json.encode(kpis(41, "on_track", 38, "on_track")), T_POST + 60)
    cache.save("okrs", msgspec.json.encode(okrs(0.5, 55, "at_risk")), T_MID)
    database.close()
    with listener:
        yield Workspace(root, base_url, listener)
        assert Workspace(root, base_url, listener).connections() == 0


def run(workspace: Workspace, *args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env=workspace.env(**env))


def test_history_of_a_kpi_by_name_as_csv_for_a_spreadsheet(workspace: Workspace) -> None:
    result = run(workspace, "history", "promoter", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["value"], r["status"], r["posted"]) for r in rows] == [
        ("35", "at_risk", "false"),
        ("38", "at_risk", "false"),
        ("41", "on_track", "true"),  # posted by this app; the list after it said on track
    ]
    assert rows[0]["time"] == iso_utc(T_OLD)
    assert workspace.connections() == 0


def test_history_since_leaves_older_points_out_and_all_brings_them_back(workspace: Workspace) -> None:
    week = json.loads(run(workspace, "history", "k-nps", "--json", "--since", "7d").stdout)
    assert [p["value"] for p in week] == [38, 41]
    everything = json.loads(run(workspace, "history", "k-nps", "--json", "--since", "all").stdout)
    assert [p["value"] for p in everything] == [35, 38, 41]
    assert set(everything[0]) == {"time", "value", "status", "posted"}


def test_history_of_an_objective_has_its_progress_health_and_status(workspace: Workspace) -> None:
    result = run(workspace, "history", "grow signups", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"time": iso_utc(T_OLD), "progress": 0.4, "health": 82, "status": "on_track"},
        {"time": iso_utc(T_MID), "progress": 0.5, "health": 55, "status": "at_risk"},
    ]
    table = run(workspace, "history", "o-grow")
    assert "Grow signups (objective o-grow): 2 points recorded" in table.stdout
    assert "55 Needs attention" in table.stdout and "▲ at risk" in table.stdout


def test_history_of_an_ambiguous_or_unknown_name_exits_1_listing_the_candidates(workspace: Workspace) -> None:
    ambiguous = run(workspace, "history", "net")
    assert ambiguous.exit_code == 1
    assert "KPI Net promoter score (k-nps); KPI Net revenue (k-net)" in ambiguous.stderr
    unknown = run(workspace, "history", "churn")
    assert unknown.exit_code == 1 and "No KPI or objective is named or has the id 'churn'" in unknown.stderr


def test_history_of_a_known_kpi_with_nothing_recorded_says_so_and_exits_0(workspace: Workspace) -> None:
    result = run(workspace, "history", "Net revenue", "--since", "1d")
    assert result.exit_code == 0
    assert "Net revenue (KPI k-net): no change recorded since" in result.stdout
    assert "--since all shows every point" in result.stdout
    csv_result = run(workspace, "history", "Net revenue", "--since", "1d", "--csv")
    assert (
        csv_result.stdout_bytes == b"time,value,status,posted\r\n"
        and "no change recorded" in csv_result.stderr
    )


def test_a_bad_since_is_exit_1_with_one_sentence(workspace: Workspace) -> None:
    for command in (["history", "k-nps"], ["report"]):
        result = run(workspace, *command, "--since", "7x")
        assert result.exit_code == 1
        assert result.stderr == (
            "okrt-tui: --since takes a span like 12h, 7d or 2w, a date like 2026-11-01 (UTC), or all, "
            "not '7x'.\n"
        )
    assert run(workspace, "history", "k-nps", "--csv", "--json").exit_code == 2


def test_report_as_text_markdown_and_json(workspace: Workspace) -> None:
    text = run(workspace, "report")
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("What changed in the last 7 days\n")
    assert "Grow signups: ● on track → ▲ at risk (worse)" in text.stdout
    assert "Open bugs: ▲ at risk → ● on track (better), 45 bugs → 38 bugs" in text.stdout
    assert "Reach 5k users (of Grow signups): last check-in 20 d ago" in text.stdout
    assert "Launch referrals" not in text.stdout
    markdown = run(workspace, "report", "--markdown", "--since", "30d")
    assert markdown.stdout.startswith("# What changed in the last 30 days\n")
    assert "## KPIs that crossed their target" in markdown.stdout
    document = json.loads(run(workspace, "report", "--json", "--since", "2w").stdout)
    assert document["mean_health"] == {"then": 82.0, "now": 55.0, "objectives": 1}
    assert [(c["id"], c["then"], c["now"]) for c in document["kpi_status_changes"]] == [
        ("k-nps", "at_risk", "on_track"),
        ("k-bugs", "at_risk", "on_track"),
    ]
    # Which way is better, from the statuses recorded (the latest list is near both targets).
    assert [(c["id"], c["better"], c["meets_target"]) for c in document["kpi_target_crossings"]] == [
        ("k-nps", "higher", True),
        ("k-bugs", "lower", True),
    ]
    assert [k["id"] for k in document["stale_key_results"]] == ["kr-1"]


def test_without_a_database_both_say_nothing_is_recorded_make_no_file_and_exit_0(
    workspace: Workspace,
) -> None:
    elsewhere = workspace.base_url.replace("/api/v1", "/other/api/v1")  # another workspace: no file
    report = run(workspace, "report", "--json", OKRT_BASE_URL=elsewhere)
    assert report.exit_code == 0 and json.loads(report.stdout)["note"] == NOTHING_RECORDED
    history = run(workspace, "history", "k-nps", "--csv", OKRT_BASE_URL=elsewhere)
    assert history.exit_code == 0 and history.stdout_bytes == b"time,value,status,posted\r\n"
    assert NOTHING_RECORDED in history.stderr
    assert len(list((workspace.root / "data" / APP_NAME).glob("*.sqlite3"))) == 1


def test_the_key_must_be_set_though_nothing_is_sent(workspace: Workspace) -> None:
    result = run(workspace, "report", OKRT_API_KEY="")
    assert result.exit_code == 3 and "OKRT_API_KEY" in result.stderr


def test_both_run_as_processes_without_textual_or_an_http_client_and_send_nothing(
    workspace: Workspace,
) -> None:
    probe = (
        "import sys\nfrom okrt_tui.cli import main\n"
        "for args in (['history', 'promoter', '--csv'], ['report', '--markdown']):\n"
        "    try:\n        main(args)\n    except SystemExit as e:\n        assert not e.code, e.code\n"
        "unwanted = ('textual', 'httpx', 'okrt_tui.api.client', 'okrt_tui.tui')\n"
        "loaded = [m for m in unwanted if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, **workspace.env()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "LOADED []" in done.stderr, done.stderr
    assert (
        done.stdout.startswith("time,value,status,posted\n")  # CRLF, read back as text
        and "\n# What changed in the last 7 days\n" in done.stdout
    )
    assert workspace.connections() == 0


async def test_on_what_the_dashboard_s_refresher_recorded_both_ask_the_server_nothing(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    dirs = Dirs(*(tmp_path / name / APP_NAME for name in ("config", "data", "state", "cache")))
    session = Session.open(sandbox.base_url, ACME_ADMIN_KEY, dirs=dirs)
    loaded: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()

    def check(snapshot: Snapshot) -> None:
        if not loaded.done() and snapshot.kpis.items and snapshot.okrs.items:
            loaded.set_result(snapshot)

    session.refresher.subscribe(check)
    task = session.refresher.start()
    try:
        first = await asyncio.wait_for(loaded, 10)
        kpi = next(k for k in first.kpis.items or () if k.name == "Net Promoter Score")
        assert kpi.id and isinstance(kpi.current, int | float)
        posted = await session.deliveries.submit("kpi_update", kpi.id, "NPS", str(kpi.current + 3))
        assert posted.state == "delivered"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await session.aclose()
    asked = sum(row["count"] for row in sandbox.control.requests())
    env = {"OKRT_API_KEY": ACME_ADMIN_KEY, "OKRT_BASE_URL": sandbox.base_url}
    env |= {f"XDG_{name.upper()}_HOME": str(tmp_path / name) for name in ("config", "data", "state", "cache")}
    history = CliRunner().invoke(main, ["history", "net promoter score", "--json"], env=env)
    assert history.exit_code == 0, history.output
    points = json.loads(history.stdout)
    assert [p["value"] for p in points] == [kpi.current, kpi.current + 3] and points[-1]["posted"] is True
    report = CliRunner().invoke(main, ["report", "--json"], env=env)
    assert report.exit_code == 0, report.output
    assert isinstance(json.loads(report.stdout)["stale_key_results"], list)  # the sandbox lists key results
    assert sum(row["count"] for row in sandbox.control.requests()) == asked
