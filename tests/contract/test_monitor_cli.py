"""``okrt-tui monitor``'s command line: a bad ``--screens`` or ``--rotate`` is a usage error naming it,
and ``--require-readonly`` refuses a key that can write before the monitor opens, having written
nothing (two requests that cannot record anything)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from okrt_tui.cli import main
from okrt_tui.launch import _refuse_writers
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_KPI_KEY, ACME_READ_KEY
from okrt_tui.session import Session


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--screens", "okrs,charts"], "unknown panel 'charts'"),
        (["--screens", "okrs:fast"], "'okrs:fast' needs a dwell of 5 to 3600 seconds"),
        (["--screens", "kpis,kpis"], "names 'kpis' twice"),
        (["--rotate", "1"], "--rotate"),
    ],
)
def test_bad_options_are_usage_errors_naming_the_entry(args, said):
    result = CliRunner().invoke(main, ["monitor", *args], env={"OKRT_API_KEY": ACME_READ_KEY})
    assert result.exit_code == 2, result.output
    assert said in result.output


@pytest.mark.parametrize(
    ("key", "scopes"), [(ACME_ADMIN_KEY, "kpis:write and okr-checkins:write"), (ACME_KPI_KEY, "(kpis:write)")]
)
def test_require_readonly_refuses_a_key_that_can_write(server, key, scopes):
    before = server.control.requests_of(key)
    result = CliRunner().invoke(
        main, ["monitor", "--require-readonly"], env={"OKRT_API_KEY": key, "OKRT_BASE_URL": server.base_url}
    )
    assert result.exit_code == 3, result.output
    assert scopes in result.output
    assert "make a key with only okrs:read, kpis:read and reviews:read" in result.output
    assert "Traceback" not in result.output and key not in result.output
    assert server.control.requests_of(key) - before == 2
    assert server.control.writes() == []


async def test_a_read_only_key_passes_in_two_requests(server, tmp_path: Path):
    session = Session.open(server.base_url, ACME_READ_KEY, dirs=Dirs.for_root(tmp_path))
    try:
        before = server.control.requests_of(ACME_READ_KEY)
        await _refuse_writers(session)
        assert server.control.requests_of(ACME_READ_KEY) - before == 2
    finally:
        await session.aclose()


def test_a_profile_that_requires_a_read_only_key_refuses_one_that_can_write(server):
    config = Dirs.default().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('default_profile = "wall"\n\n[profiles.wall]\nmonitor_require_readonly = true\n')
    config.chmod(0o600)
    before = server.control.requests_of(ACME_KPI_KEY)
    result = CliRunner().invoke(
        main, ["monitor"], env={"OKRT_API_KEY": ACME_KPI_KEY, "OKRT_BASE_URL": server.base_url}
    )
    assert result.exit_code == 3, result.output
    assert "this key can write (kpis:write)" in result.output
    assert server.control.requests_of(ACME_KPI_KEY) - before == 2


def test_served_pages_do_not_check_again_what_the_server_checked_for_the_profile(server, monkeypatch):
    """Ten screens on one key cost the budget of one: the server looks once (two requests) and tells
    its pages, whose profile asks them to look too."""
    from okrt_tui import launch
    from okrt_tui.served import server as served

    config = Dirs.default().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('default_profile = "wall"\n\n[profiles.wall]\nmonitor_require_readonly = true\n')
    config.chmod(0o600)
    pages: list[dict[str, str]] = []
    monkeypatch.setattr(served, "serve", lambda command, **kw: pages.append(dict(kw["env"])))
    env = {"OKRT_API_KEY": ACME_READ_KEY, "OKRT_BASE_URL": server.base_url}
    before = server.control.requests_of(ACME_READ_KEY)
    result = CliRunner().invoke(main, ["monitor", "--serve", "--port", "0"], env=env)
    assert result.exit_code == 0, result.output
    assert server.control.requests_of(ACME_READ_KEY) - before == 2  # the server's one look

    started = []
    monkeypatch.setattr(launch, "run_monitor", lambda *a, options, **kw: started.append(options) or 0)
    for _ in range(3):  # three pages, each its monitor with the environment the server gave it
        result = CliRunner().invoke(main, ["monitor"], env=pages[0])
        assert result.exit_code == 0, result.output
    assert [options.require_readonly for options in started] == [False, False, False]
    assert server.control.requests_of(ACME_READ_KEY) - before == 2
