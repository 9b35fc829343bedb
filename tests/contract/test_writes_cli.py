"""``checkin``, ``kpi-update`` and ``outbox`` against the real sandbox: each write recorded exactly once,
whatever the server does, counted from the sandbox's own log of writes (``/_sandbox/writes``)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result
from processes import start_script

from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient
from okrt_tui.cli import main
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_READ_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.session import Session
from okrt_tui.store.db import Database
from okrt_tui.store.history import KPI, History, Observation
from okrt_tui.store.outbox import Outbox
from okrt_tui.writes import Target, Writer, find_kpi, read_csv, resolve_rows


def run(sandbox: SandboxServer, *args: str, key: str = ACME_ADMIN_KEY, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        main, ["--base-url", sandbox.base_url, *args], env={"OKRT_API_KEY": key}, input=stdin
    )


def kpi(sandbox: SandboxServer, name: str) -> dict:
    kpis = httpx.get(f"{sandbox.base_url}/kpis", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}).json()
    return next(k for k in kpis if k["name"] == name)


def key_result(sandbox: SandboxServer, title: str) -> dict:
    okrs = httpx.get(f"{sandbox.base_url}/okrs", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}).json()
    return next(kr for o in okrs for kr in o["key_results"] if kr["title"] == title)


def writes(sandbox: SandboxServer) -> list[dict]:
    return sandbox.control.writes()


def outbox_states(sandbox: SandboxServer) -> Counter[str]:
    path = Dirs.default().database_file(sandbox.base_url, ACME_ADMIN_KEY)
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return Counter(state for (state,) in db.execute("SELECT state FROM outbox"))
    except sqlite3.Error:  # not made yet (the command is still starting)
        return Counter()


def test_a_kpi_value_given_by_name_is_recorded_once(sandbox: SandboxServer) -> None:
    before = kpi(sandbox, "Net Promoter Score")
    result = run(sandbox, "kpi-update", "net promoter score", "41", "--comment", "after the survey")
    assert result.exit_code == 0, result.stderr
    assert f"{before['current']} → 41" in result.stdout
    (write,) = writes(sandbox)
    assert write["target_id"] == before["id"]
    assert write["body"] == {"value": 41, "comment": "after the survey"}
    assert outbox_states(sandbox) == {"delivered": 1}
    history = History(Database(Dirs.default().database_file(sandbox.base_url, ACME_ADMIN_KEY)))
    (posted,) = history.posted(before["id"])[before["id"]]  # the chart marks this app's writes
    assert history.observations(KPI, before["id"])[-1] == Observation(posted, 41, None, True)


def test_a_change_is_added_to_the_current_value_and_json_prints_the_record(sandbox: SandboxServer) -> None:
    before = kpi(sandbox, "Net Promoter Score")
    result = run(sandbox, "kpi-update", "Net Promoter Score", "-2", "--json")
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["previous_value"], record["new_value"]) == (before["current"], before["current"] - 2)


def test_a_checkin_with_a_status_is_recorded(sandbox: SandboxServer) -> None:
    kr = key_result(sandbox, "Onboarding NPS")
    result = run(sandbox, "checkin", kr["id"], "1,234.5", "--status", "at_risk")
    assert result.exit_code == 0, result.stderr
    (write,) = writes(sandbox)
    assert write["kind"] == "checkin" and write["body"] == {"value": 1234.5, "status": "at_risk"}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("kpi-update", "net promoter", "41"), "matches 2 KPIs"),
        (("kpi-update", "no such kpi", "41"), "No KPI is named"),
        (("kpi-update", "Net Promoter Score", "1,5"), "use a dot for decimals"),
        (("kpi-update", "Net Promoter Score", "nan"), "finite number"),
        (("checkin", "Onboarding NPS", "5", "--status", "great"), "--status must be one of"),
    ],
)
def test_bad_input_exits_1_and_queues_nothing(
    sandbox: SandboxServer, args: tuple[str, ...], said: str
) -> None:
    result = run(sandbox, *args)
    assert result.exit_code == 1
    assert said in result.stderr
    assert writes(sandbox) == []


def test_a_write_refused_for_a_missing_scope_exits_3_and_is_not_kept(sandbox: SandboxServer) -> None:
    result = run(sandbox, "kpi-update", "Net Promoter Score", "41", key=ACME_READ_KEY)
    assert result.exit_code == 3
    assert "kpis:write" in result.stderr
    assert run(sandbox, "outbox", "list", "--json", key=ACME_READ_KEY).stdout.strip() == "[]"


def test_a_write_that_meets_500s_stays_queued_and_a_flush_sends_it_once(sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", count=4, match="writes")  # every attempt of the command fails
    result = run(sandbox, "kpi-update", "Net Promoter Score", "44")
    assert result.exit_code == 75
    assert "It is write 1 in the outbox" in result.stderr
    assert writes(sandbox) == []
    flushed = run(sandbox, "outbox", "flush")
    assert flushed.exit_code == 0, flushed.stderr
    assert [w["body"] for w in writes(sandbox)] == [{"value": 44}]
    assert run(sandbox, "outbox", "flush").exit_code == 0
    assert len(writes(sandbox)) == 1


def test_a_write_refused_by_a_429_without_waiting_stays_queued(sandbox: SandboxServer) -> None:
    sandbox.control.fault("429", count=1, match="writes", seconds=1)
    result = run(sandbox, "--no-wait", "kpi-update", "Net Promoter Score", "45")
    assert result.exit_code == 75
    assert writes(sandbox) == []
    assert outbox_states(sandbox) == {"queued": 1}


def test_a_dropped_answer_is_unconfirmed_and_the_next_kpi_list_confirms_it(sandbox: SandboxServer) -> None:
    sandbox.control.fault("drop", count=1, match="writes")
    result = run(sandbox, "kpi-update", "Net Promoter Score", "46")
    assert result.exit_code == 75
    assert "unconfirmed write 1" in result.stderr
    listed = json.loads(run(sandbox, "outbox", "list", "--json").stdout)
    assert [(e["id"], e["state"], e["value"]) for e in listed] == [(1, "unconfirmed", 46)]
    flushed = run(sandbox, "outbox", "flush")
    assert flushed.exit_code == 0
    assert "was recorded after all" in flushed.stdout
    assert len(writes(sandbox)) == 1  # confirmed from GET /kpis, never sent again


def test_resending_an_unconfirmed_write_asks_first(sandbox: SandboxServer) -> None:
    sandbox.control.fault("drop", count=1, match="writes")
    run(sandbox, "checkin", "Onboarding NPS", "47")
    refused = run(sandbox, "outbox", "resend", "1")
    assert refused.exit_code == 1 and "pass --yes" in refused.stderr
    assert len(writes(sandbox)) == 1
    resent = run(sandbox, "outbox", "resend", "1", "--yes")
    assert resent.exit_code == 0, resent.stderr
    assert len(writes(sandbox)) == 2  # the person chose to risk a double


def test_dropping_a_queued_write_means_it_is_never_sent(sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", count=4, match="writes")
    run(sandbox, "kpi-update", "Net Promoter Score", "48")
    assert run(sandbox, "outbox", "drop", "1", "--yes").exit_code == 0
    assert run(sandbox, "outbox", "flush").exit_code == 0
    assert writes(sandbox) == []


def test_a_csv_with_bad_lines_is_refused_whole(sandbox: SandboxServer, tmp_path: Path) -> None:
    lines = ["name,value,comment", "Net Promoter Score,41,ok", "No such KPI,3,", "Signups per week,1,5,x"]
    result = run(sandbox, "kpi-update", "--from", "-", stdin="\n".join(lines) + "\n")
    assert result.exit_code == 1
    assert "line 3" in result.stderr and "line 4" in result.stderr
    assert "Nothing was queued" in result.stderr
    assert writes(sandbox) == [] and outbox_states(sandbox) == {}


def test_a_csv_of_checkins_is_delivered_in_order(sandbox: SandboxServer, tmp_path: Path) -> None:
    kr = key_result(sandbox, "Onboarding NPS")
    source = tmp_path / "checkins.csv"
    source.write_text(f"id,value,status,comment\n{kr['id']},10,on_track,first\n{kr['id']},+5,,second\n")
    result = run(sandbox, "checkin", "--from", str(source))
    assert result.exit_code == 0, result.stderr
    assert "2 recorded, 0 queued" in result.stdout
    assert [w["body"] for w in writes(sandbox)] == [
        {"value": 10, "status": "on_track", "comment": "first"},
        {"value": kr["current"] + 5, "comment": "second"},
    ]


def test_two_flushes_at_once_send_each_write_once(sandbox: SandboxServer, tmp_path: Path) -> None:
    target = kpi(sandbox, "Signups per week")["id"]
    box = Outbox(Database(Dirs.default().database_file(sandbox.base_url, ACME_ADMIN_KEY)))
    box.add_many([("kpi_update", target, str(value), "", None, None) for value in range(12)], now=time.time())
    assert outbox_states(sandbox) == {"queued": 12}
    flushes = [_cli_process(sandbox, "outbox", "flush") for _ in range(2)]
    for process in flushes:
        process.communicate(timeout=120)
    assert sorted(w["body"]["value"] for w in writes(sandbox)) == list(range(12))
    assert outbox_states(sandbox) == {"delivered": 12}


def test_killed_while_waiting_to_send_the_write_is_sent_once_later(strict_sandbox: SandboxServer) -> None:
    # Strict: its 429 carries no X-RateLimit-Remaining: 0, so the budget waits only Retry-After. 8 s of
    # it leave room to see the write claimed and kill the process before it is sent (3 s were too few
    # on a crowded CI: the write was already sending, and so unconfirmed after the kill).
    sandbox = strict_sandbox
    sandbox.control.fault("429", count=1, match="writes", seconds=8)
    process = _cli_process(sandbox, "kpi-update", "Net Promoter Score", "49")
    _until(lambda: outbox_states(sandbox).get("claimed") == 1 and _requests(sandbox) >= 2)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert writes(sandbox) == []
    flushed = run(sandbox, "outbox", "flush")
    assert flushed.exit_code == 0, flushed.stderr
    assert [w["body"] for w in writes(sandbox)] == [{"value": 49}]


def test_killed_between_sending_and_the_answer_the_write_is_unconfirmed_then_confirmed(
    sandbox: SandboxServer,
) -> None:
    sandbox.control.fault("slow", count=1, match="writes", seconds=30)
    process = _cli_process(sandbox, "kpi-update", "Net Promoter Score", "50")
    _until(lambda: len(writes(sandbox)) == 1)  # recorded; the answer is being held back
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    listed = json.loads(run(sandbox, "outbox", "list", "--json").stdout)
    assert [e["state"] for e in listed] == ["unconfirmed"]
    assert run(sandbox, "outbox", "flush").exit_code == 0
    assert len(writes(sandbox)) == 1


def test_ctrl_c_while_the_answer_is_awaited_ends_the_command_at_once(sandbox: SandboxServer) -> None:
    # The command sends through httpx's blocking client (okrt_tui.api.blocking) on a thread of its own:
    # Ctrl+C still ends it at once, not when the 30 s answer (or the 15 s read timeout) comes.
    sandbox.control.fault("slow", count=1, match="writes", seconds=30)
    process = _cli_process(sandbox, "kpi-update", "Net Promoter Score", "51")
    _until(lambda: len(writes(sandbox)) == 1)  # recorded; the answer is being held back
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - interrupted < 5
    assert process.returncode == 130 and stderr.rstrip().endswith("okrt-tui: interrupted."), stderr
    listed = json.loads(run(sandbox, "outbox", "list", "--json").stdout)
    assert [e["state"] for e in listed] == ["unconfirmed"]  # sent, its answer unknown: never resent


# -- helpers ----------------------------------------------------------------------------------------------


def _cli_process(sandbox: SandboxServer, *args: str):
    script = "import sys; from okrt_tui.cli import main; sys.exit(main())"
    os.environ["OKRT_API_KEY"] = ACME_ADMIN_KEY
    try:
        return start_script(script, "--base-url", sandbox.base_url, *args)
    finally:
        del os.environ["OKRT_API_KEY"]


def _requests(sandbox: SandboxServer) -> int:
    return sum(row["count"] for row in sandbox.control.requests() if row["label"] == "acme-admin")


def _until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class SandboxTime:
    """The client's clock is the sandbox's: a sleep moves both ahead at once instead of waiting, so a
    minute of rate limiting passes in milliseconds and both sides agree on every window."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self._control = sandbox.control
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.offset += seconds
            self._control.set_clock(self.offset)
        await asyncio.sleep(0)


def test_a_csv_of_150_updates_goes_at_the_budgets_pace_with_no_429(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    names = [
        k["name"]
        for k in httpx.get(
            f"{sandbox.base_url}/kpis", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
        ).json()
    ]
    rows = [f"{names[n % len(names)]},{n},row {n}" for n in range(150)]
    broken = ["name,value,comment", *rows]
    broken[40] = "No such KPI,1,x"
    broken[90] = f"{names[0]},1;5,x"
    refused = run(sandbox, "kpi-update", "--from", "-", stdin="\n".join(broken) + "\n")
    assert refused.exit_code == 1
    assert "line 41" in refused.stderr and "line 91, column value" in refused.stderr
    assert writes(sandbox) == []

    # Fixed, the same steps as the command's, on the sandbox's time instead of the wall clock's.
    clock = SandboxTime(sandbox)
    started = clock.now()

    async def deliver() -> list:
        budget = Budget(tmp_path / "ledger", clock=clock)
        async with OkrtClient(sandbox.base_url, ACME_ADMIN_KEY, budget=budget, clock=clock) as client:
            writer = Writer(client, Database(tmp_path / "ws.sqlite3"))
            found, problems = read_csv("name,value,comment\n" + "\n".join(rows) + "\n", statuses=False)
            kpis = await writer.kpis()
            entries = writer.queue("kpi_update", resolve_rows(found, problems, lambda a: find_kpi(a, kpis)))
            return await writer.deliver(entries[-1].id)

    outcomes = asyncio.run(deliver())
    took = clock.now() - started
    assert [o.state for o in outcomes] == ["delivered"] * 150
    assert [w["body"]["value"] for w in writes(sandbox)] == list(range(150))
    per_window = [row["count"] for row in sandbox.control.requests() if row["label"] == "acme-admin"]
    # Three KPI lists (this test's, the refused command's, the import's), then 150 writes: no 429.
    assert max(per_window) <= 60 and sum(per_window) == 153
    # At the API's pace and no slower: no window skipped, every one but the first (partly over when
    # the import began) and the last (what was left) nearly full; how the 153 fall into windows
    # depends on the second of the minute the test starts at ([12, 50, 60, 31] or [47, 60, 46]).
    assert len(per_window) <= 4 and all(count >= 50 for count in per_window[1:-1])
    assert 60 < took < 3 * 60 + 5


def test_a_write_that_cannot_be_stored_on_disk_is_not_sent(sandbox: SandboxServer) -> None:
    path = Dirs.default().database_file(sandbox.base_url, ACME_ADMIN_KEY)
    path.mkdir(parents=True)  # where the database should be, a folder: no file can be made there
    result = run(sandbox, "kpi-update", "Net Promoter Score", "41")
    assert result.exit_code == 1
    assert "Nothing was sent" in result.stderr and str(path) in result.stderr
    assert writes(sandbox) == []  # never sent without being stored first


def test_a_dashboard_and_a_cli_flush_at_once_send_each_write_once(sandbox: SandboxServer) -> None:
    """The dashboard's sender (in this process, as the app runs it) and ``okrt-tui outbox flush`` (another
    process) on one outbox at the same moment."""
    target = kpi(sandbox, "Signups per week")["id"]
    path = Dirs.default().database_file(sandbox.base_url, ACME_ADMIN_KEY)
    box = Outbox(Database(path))
    box.add_many([("kpi_update", target, str(value), "", None, None) for value in range(16)], now=time.time())

    async def dashboard() -> None:
        session = Session.open(sandbox.base_url, ACME_ADMIN_KEY, dirs=Dirs.default())
        try:
            await session.deliveries.sender.flush()
        finally:
            await session.aclose()

    cli = _cli_process(sandbox, "outbox", "flush")
    asyncio.run(dashboard())
    cli.communicate(timeout=120)
    assert sorted(w["body"]["value"] for w in writes(sandbox)) == list(range(16))
    assert outbox_states(sandbox) == {"delivered": 16}


def test_a_write_whose_answer_is_slower_than_the_read_timeout_is_unconfirmed_then_confirmed(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    target = kpi(sandbox, "Signups per week")
    sandbox.control.fault("slow", count=1, match="writes", seconds=2)

    async def send() -> str:
        timeout = httpx.Timeout(5.0, read=0.3)
        async with OkrtClient(
            sandbox.base_url, ACME_ADMIN_KEY, budget=Budget(None), timeout=timeout
        ) as client:
            writer = Writer(client, Database(tmp_path / "ws.sqlite3"))
            (entry,) = writer.queue("kpi_update", [(Target(target["id"], target["name"]), "901", None, None)])
            (outcome,) = await writer.deliver(entry.id)
            confirmed = await writer.confirm_unconfirmed()
            return f"{outcome.state} {[e.id for e in confirmed]}"

    assert asyncio.run(send()) == "unconfirmed [1]"  # never sent again; the KPI list shows it landed
    assert [w["body"] for w in writes(sandbox)] == [{"value": 901}]


@pytest.mark.slow
def test_a_write_made_while_the_server_is_down_is_sent_once_when_it_is_back(tmp_path: Path) -> None:
    data = tmp_path / "sandbox.sqlite3"  # the server keeps its data across the outage
    with SandboxServer(db_path=data, control=True) as server:
        base = server.base_url
        port = httpx.URL(base).port
        target = kpi(server, "Signups per week")["id"]
        assert run(server, "kpis").exit_code == 0  # the KPI list, as a user would have it cached
    down = run_against(base, "kpi-update", target, "41")
    assert down.exit_code == 75 and "queued" in down.stderr
    with SandboxServer(db_path=data, port=port, control=True) as back:
        assert back.base_url == base
        flushed = run_against(base, "outbox", "flush")
        assert flushed.exit_code == 0, flushed.stderr
        assert [w["body"] for w in writes(back)] == [{"value": 41}]
        assert run_against(base, "outbox", "flush").exit_code == 0
        assert len(writes(back)) == 1


def run_against(base: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--base-url", base, *args], env={"OKRT_API_KEY": ACME_ADMIN_KEY})
