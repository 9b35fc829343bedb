"""The scripting commands against the real sandbox: output, exit codes and what never leaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner, Result
from hostile_server import HostileServer

from okrt_tui.cli import main
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_KPI_KEY, ACME_NONE_KEY, ACME_REVOKED_KEY
from okrt_tui.sandbox.server import SandboxServer


def run(sandbox: SandboxServer, *args: str, key: str | None = ACME_ADMIN_KEY) -> Result:
    env = {"OKRT_API_KEY": key} if key else {}
    return CliRunner().invoke(main, ["--base-url", sandbox.base_url, *args], env=env)


def api(sandbox: SandboxServer, path: str) -> httpx.Response:
    return httpx.get(f"{sandbox.base_url}{path}", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"})


@pytest.mark.parametrize(
    ("command", "path"), [("okrs", "/okrs"), ("kpis", "/kpis"), ("cycles", "/review-cycles")]
)
def test_json_is_exactly_what_the_api_sent(sandbox: SandboxServer, command: str, path: str) -> None:
    result = run(sandbox, command, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == api(sandbox, path).json()


def test_json_under_strict_carries_only_documented_fields(strict_sandbox: SandboxServer) -> None:
    result = run(strict_sandbox, "kpis", "--json")
    assert result.exit_code == 0
    fields = set(json.loads(result.stdout)[0])
    assert fields == {"id", "name", "current", "target", "unit", "status", "last_updated"}


def test_okr_filters_keep_the_api_records_that_match(sandbox: SandboxServer) -> None:
    everything = api(sandbox, "/okrs").json()
    first = everything[0]  # filter on its values, so the answer is never empty whatever the date
    args = ["--status", first["status"], "--type", first["type"], "--cycle", first["cycle"].lower()]
    result = run(sandbox, "okrs", "--json", *args)
    assert result.exit_code == 0
    wanted = (first["status"], first["type"], first["cycle"])
    expected = [o for o in everything if (o["status"], o["type"], o["cycle"]) == wanted]
    assert 0 < len(expected) < len(everything)
    assert json.loads(result.stdout) == expected


def test_okr_table_shows_titles_bars_and_bands(sandbox: SandboxServer) -> None:
    first = api(sandbox, "/okrs").json()[0]
    result = run(sandbox, "okrs")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["TITLE", "TYPE", "OWNER", "CYCLE"]
    assert len(rows) == len(api(sandbox, "/okrs").json())
    assert first["title"] in rows[0] and first["id"] in rows[0] and "%" in rows[0]


def test_kpi_and_cycle_tables_list_every_record(sandbox: SandboxServer) -> None:
    kpis = run(sandbox, "kpis")
    assert kpis.exit_code == 0
    assert len(kpis.stdout.splitlines()) == 1 + len(api(sandbox, "/kpis").json())
    cycles = run(sandbox, "cycles")
    names = [c["name"] for c in api(sandbox, "/review-cycles").json()]
    assert all(name in cycles.stdout for name in names)


def shared_review_id(sandbox: SandboxServer) -> str:
    return next(r["id"] for c in api(sandbox, "/review-cycles").json() for r in c["reviews"])


def test_review_as_text_markdown_and_json(sandbox: SandboxServer) -> None:
    review_id = shared_review_id(sandbox)
    truth = api(sandbox, f"/reviews/{review_id}/summary").json()
    text = run(sandbox, "review", review_id)
    assert text.exit_code == 0
    assert truth["employee"] in text.stdout and truth["answers"][0]["question"] in text.stdout
    markdown = run(sandbox, "review", review_id, "--markdown")
    assert markdown.stdout.startswith("# ") and f"## {truth['answers'][0]['question']}" in markdown.stdout
    assert json.loads(run(sandbox, "review", review_id, "--json").stdout) == truth


def test_unknown_review_is_exit_4(sandbox: SandboxServer) -> None:
    result = run(sandbox, "review", "rv-does-not-exist")
    assert result.exit_code == 4
    assert "not" in result.stderr.lower() and "Traceback" not in result.stderr


def test_id_that_cannot_be_a_path_segment_is_exit_1_and_sends_nothing(sandbox: SandboxServer) -> None:
    result = run(sandbox, "review", "../okrs")
    assert result.exit_code == 1
    assert sandbox.control.requests() == []


def test_bad_option_value_is_exit_1_and_unknown_option_exit_2(sandbox: SandboxServer) -> None:
    bad = run(sandbox, "okrs", "--status", "great")
    assert bad.exit_code == 1 and "on_track, at_risk, off_track" in bad.stderr
    assert run(sandbox, "okrs", "--colour").exit_code == 2
    assert sandbox.control.requests() == []


def test_missing_key_is_exit_3_and_says_where_keys_are_made(sandbox: SandboxServer) -> None:
    result = run(sandbox, "kpis", key=None)
    assert result.exit_code == 3 and "OKRT_API_KEY" in result.stderr


def test_revoked_key_is_exit_3(sandbox: SandboxServer) -> None:
    result = run(sandbox, "kpis", key=ACME_REVOKED_KEY)
    assert result.exit_code == 3 and "401" in result.stderr


@pytest.mark.parametrize(
    ("key", "command", "scope"),
    [(ACME_NONE_KEY, "okrs", "okrs:read"), (ACME_KPI_KEY, "cycles", "reviews:read")],
)
def test_missing_scope_is_exit_3_naming_the_scope(
    sandbox: SandboxServer, key: str, command: str, scope: str
) -> None:
    result = run(sandbox, command, key=key)
    assert result.exit_code == 3 and scope in result.stderr


@pytest.mark.parametrize("before", [True, False], ids=["before-the-command", "after-the-command"])
def test_no_wait_on_a_429_is_exit_5_with_the_wait(sandbox: SandboxServer, before: bool) -> None:
    sandbox.control.fault("429", seconds=30)
    options = ["--base-url", sandbox.base_url, "--no-wait"]
    args = [*options, "kpis"] if before else ["kpis", *options]
    result = CliRunner().invoke(main, args, env={"OKRT_API_KEY": ACME_ADMIN_KEY})
    assert result.exit_code == 5 and "30 s" in result.stderr


def test_server_error_that_outlasts_the_retries_is_exit_6(sandbox: SandboxServer) -> None:
    sandbox.control.fault("500", count=10)
    result = run(sandbox, "kpis")
    assert result.exit_code == 6 and "500" in result.stderr
    assert sum(r["count"] for r in sandbox.control.requests()) == 4  # the retries, and no more


def test_errors_never_show_the_key_even_with_debug(sandbox: SandboxServer) -> None:
    for args in (["kpis"], ["--debug", "kpis"], ["review", "nope"]):
        result = CliRunner().invoke(
            main, ["--base-url", sandbox.base_url, *args], env={"OKRT_API_KEY": ACME_REVOKED_KEY}
        )
        assert result.exit_code != 0
        assert ACME_REVOKED_KEY not in result.output + result.stderr + repr(result.exception)


@pytest.fixture
def cli_env(sandbox: SandboxServer) -> Iterator[dict[str, str]]:
    yield {**os.environ, "OKRT_API_KEY": ACME_ADMIN_KEY, "OKRT_BASE_URL": sandbox.base_url}


def test_scripting_commands_never_import_textual(cli_env: dict[str, str]) -> None:
    # Nor httpx's own command-line client, which would bring pygments with it: start-up time.
    probe = (
        "import sys\nfrom okrt_tui.cli import main\n"
        "try:\n    main(['kpis', '--json'])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "unneeded = ('textual', 'starlette', 'uvicorn', 'pygments', 'keyring')\n"
        "loaded = [m for m in unneeded if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=cli_env, capture_output=True, text=True, timeout=60
    )
    assert "LOADED []" in done.stderr, done.stderr


def test_config_path_loads_neither_the_dashboard_nor_the_keyring_nor_a_client() -> None:
    probe = (
        "import sys\nfrom okrt_tui.cli import main\n"
        "try:\n    main(['config', 'path'])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "loaded = [m for m in ('textual', 'keyring', 'httpx', 'okrt_tui.api.client') if m in sys.modules]\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "LOADED []" in done.stderr, done.stderr


def test_a_kpi_update_loads_only_what_one_write_needs(
    sandbox: SandboxServer, cli_env: dict[str, str]
) -> None:
    # Start-up time: not the dashboard, the sandbox, the refresher, a CSV reader for one value, a TOML
    # parser when there is no config file, nor httpcore's asynchronous backend (anyio's streams).
    unneeded = (
        "textual", "starlette", "uvicorn", "pygments", "okrt_tui.tui", "okrt_tui.sandbox",
        "okrt_tui.sync.refresher", "okrt_tui.sync.deliveries", "csv", "tomllib", "anyio.streams",
        "anyio.abc",
    )  # fmt: skip
    kpi_id = api(sandbox, "/kpis").json()[0]["id"]
    probe = (
        "import sys\nfrom okrt_tui.cli import main\n"
        f"try:\n    main(['kpi-update', {kpi_id!r}, '41', '--json'])\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        f"unneeded = {unneeded!r}\n"
        "loaded = sorted(m for m in sys.modules if any(m == u or m.startswith(u + '.') for u in unneeded))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=cli_env, capture_output=True, text=True, timeout=60
    )
    assert "LOADED []" in done.stderr, done.stderr
    assert [w["target_id"] for w in sandbox.control.writes()] == [kpi_id]


def test_module_entry_point_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "okrt_tui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.startswith("okrt-tui, version ")


def test_serve_prints_its_url_first_and_answers_the_reference_curl() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "okrt_tui", "serve", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().rstrip("\n")
        assert first.startswith("sandbox: http://127.0.0.1:") and first.endswith("/api/v1")
        url = first.removeprefix("sandbox: ")
        answer = httpx.get(f"{url}/okrs", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"})
        assert answer.status_code == 200 and answer.json()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def garbage_api() -> Iterator[str]:
    """Answers every GET with 200 and a body that is not a list: the sandbox, being faithful, cannot."""
    with HostileServer({path: (200, b'{"progress": "most of it"}') for path in ("/okrs", "/kpis")}) as server:
        yield server.base_url


def test_unreadable_answer_is_exit_7_naming_the_endpoint(garbage_api: str) -> None:
    result = CliRunner().invoke(
        main, ["--base-url", garbage_api, "okrs", "--json"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
    )
    assert result.exit_code == 7
    assert "/okrs" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""  # nothing half-read reaches a pipe


def test_an_unexpected_error_is_one_sentence_pointing_to_the_log(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okrt_tui import render

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug, with text that could hold anything")

    monkeypatch.setattr(render, "kpi_table", broken)
    result = run(sandbox, "kpis")
    assert result.exit_code == 1
    assert "unexpected error (ZeroDivisionError)" in result.stderr and "okrt-tui.log" in result.stderr
    assert "Traceback" not in result.stderr and "could hold anything" not in result.stderr


def kpi_rows(result: Result) -> dict[str, str]:
    """The table's lines by KPI name (the names of the seed start each line)."""
    return {line.split("  ")[0]: line for line in result.stdout.splitlines() if "  " in line}


def test_kpis_under_strict_reads_lower_is_better_kpis_by_their_status_and_marks_it_inferred(
    strict_sandbox: SandboxServer,
) -> None:
    result = run(strict_sandbox, "kpis")
    assert result.exit_code == 0, result.output
    rows = kpi_rows(result)
    bugs = rows["Open customer-facing bugs"].split()
    assert "≤ 40 bugs*" in rows["Open customer-facing bugs"] and "46%" in bugs and "217%" not in bugs
    assert "≤ $72,000*" in rows["Monthly cloud spend"] and "89%" in rows["Monthly cloud spend"].split()
    assert "≥ 4,500 users*" in rows["Weekly Active Users"]
    # Near its target both readings are on track: no direction is claimed, no percent guessed.
    latency = rows["API p95 latency"]
    assert "250 ms" in latency and "≤" not in latency and "≥" not in latency and " ? " in latency
    assert "* better way inferred from the server's status" in result.stdout
    assert "? unknown · config.toml [kpis.direction] sets it" in result.stdout


def test_kpis_remembers_a_direction_once_the_status_no_longer_shows_it(
    strict_sandbox: SandboxServer,
) -> None:
    assert run(strict_sandbox, "kpis").exit_code == 0
    bugs = next(k for k in api(strict_sandbox, "/kpis").json() if k["name"] == "Open customer-facing bugs")
    httpx.post(
        f"{strict_sandbox.base_url}/kpis/{bugs['id']}/updates",
        headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"},
        json={"value": 41},
    ).raise_for_status()
    # 41 against 40 is on track either way: only the first run's memory knows lower is better.
    row = kpi_rows(run(strict_sandbox, "kpis"))["Open customer-facing bugs"]
    assert "≤ 40 bugs*" in row and "98%" in row.split()


def test_config_sets_a_kpi_direction_over_the_inferred_one_and_the_api_field(
    strict_sandbox: SandboxServer, sandbox: SandboxServer
) -> None:
    config = Dirs.default().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '[kpis.direction]\n"API p95 latency" = "lower"\n"Open customer-facing bugs" = "higher"\n'
    )
    for server in (strict_sandbox, sandbox):
        rows = kpi_rows(run(server, "kpis"))
        assert "≤ 250 ms " in rows["API p95 latency"] + " " and "93%" in rows["API p95 latency"].split()
        assert "≥ 40 bugs " in rows["Open customer-facing bugs"] + " "
        assert "217%" in rows["Open customer-facing bugs"].split()  # the user's word, even when wrong
