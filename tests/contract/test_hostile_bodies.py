"""Hostile bodies over real HTTP, from a tiny local server (the sandbox cannot send them): the CLI
says which endpoint and field with exit 7, and the refresher keeps polling."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_server import HostileServer
from test_refresher import drive, running, until, until_asleep

from okrt_tui.api import client as client_module
from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import ApiDataError, OkrtError
from okrt_tui.cli import main
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY

DEEP = b"[" * 100_000
GOOD_KPIS = b'[{"id": "k-1", "name": "Weekly Active Users", "current": 3721, "target": 4500}]'


def test_a_deep_body_is_exit_7_naming_endpoint_and_field() -> None:
    with HostileServer({"/kpis": (200, DEEP)}) as server:
        result = CliRunner().invoke(
            main, ["--base-url", server.base_url, "kpis"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
        )
    assert result.exit_code == 7, result.stderr
    assert "The API's answer to /kpis cannot be read at $[0]" in result.stderr
    assert "unexpected error" not in result.stderr


@pytest.mark.parametrize("status", [404, 429])
def test_a_deep_error_body_is_still_the_status_exit_code(status: int) -> None:
    with HostileServer({"/reviews/r-1/summary": (status, b"[" * 5000)}) as server:
        result = CliRunner().invoke(
            main,
            ["--base-url", server.base_url, "--no-wait", "review", "r-1"],
            env={"OKRT_API_KEY": ACME_ADMIN_KEY},
        )
    assert result.exit_code == {404: 4, 429: 5}[status], result.stderr
    assert "unexpected error" not in result.stderr


async def test_the_refresher_keeps_polling_through_a_deep_body(tmp_path: Path) -> None:
    clock = FakeClock(auto=False)
    with HostileServer({"/kpis": (200, DEEP)}) as server:
        async with running(server.base_url, ACME_ADMIN_KEY, tmp_path, clock) as session:
            session.refresher.set_visible("kpis")
            failed = await until(session, lambda s: s.kpis.error is not None and not s.kpis.loading)
            assert isinstance(failed.kpis.error, ApiDataError) and failed.kpis.error.field == "$[0]"
            await until_asleep(clock)
            await drive(clock, 60)  # the backoff: 15 s, then 30 s
            assert server.hits["/kpis"] == 3
            server.answers["/kpis"] = (200, GOOD_KPIS)
            await drive(clock, 30)
            healed = await until(session, lambda s: s.kpis.error is None and s.kpis.items is not None)
    assert [kpi.name for kpi in healed.kpis.items or ()] == ["Weekly Active Users"]


async def test_an_unexpected_failure_of_one_fetch_is_shown_and_polling_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A decoder that raises ``ZeroDivisionError`` stands in for any bug of ours (no server can make one
    on purpose): the KPIs feed says so, the log has the traceback, and the next poll works."""
    real = client_module.decode_kpis

    def broken(raw: bytes, endpoint: str) -> object:
        return 1 / 0

    monkeypatch.setattr(client_module, "decode_kpis", broken)
    clock = FakeClock(auto=False)
    with HostileServer({"/kpis": (200, GOOD_KPIS)}) as server:
        async with running(server.base_url, ACME_ADMIN_KEY, tmp_path, clock) as session:
            session.refresher.set_visible("kpis")
            with caplog.at_level(logging.ERROR, logger="okrt_tui.sync.refresher"):
                failed = await until(session, lambda s: s.kpis.error is not None and not s.kpis.loading)
            error = failed.kpis.error
            assert type(error) is OkrtError and "unexpected error (ZeroDivisionError)" in str(error)
            assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
            monkeypatch.setattr(client_module, "decode_kpis", real)
            await until_asleep(clock)
            await drive(clock, 15)
            healed = await until(session, lambda s: s.kpis.error is None and s.kpis.items is not None)
    assert [kpi.name for kpi in healed.kpis.items or ()] == ["Weekly Active Users"]
    assert server.hits["/kpis"] == 2


async def test_a_kpi_past_the_range_of_a_float_is_listed(tmp_path: Path) -> None:
    huge = b'[{"id": "k-1", "name": "Atoms", "current": 1' + b"0" * 400 + b', "target": 1e308}]'
    with HostileServer({"/kpis": (200, huge)}) as server:
        async with running(server.base_url, ACME_ADMIN_KEY, tmp_path, FakeClock()) as session:
            session.refresher.set_visible("kpis")
            loaded = await until(session, lambda s: s.kpis.items is not None or s.kpis.error is not None)
    assert loaded.kpis.error is None
    assert loaded.kpis.items is not None and loaded.kpis.items[0].current == 10**400
