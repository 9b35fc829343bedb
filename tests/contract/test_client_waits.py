"""Waiting for the rate limit, said and capped; and what a 429 or a refused connection costs the budget.

A 429 with an odd ``Retry-After`` (huge, missing) is something the faithful sandbox never sends, so a
tiny scripted HTTP server on loopback sends it; the rest runs against the sandbox.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrt_tui.api.budget import Budget, Wait
from okrt_tui.api.client import OkrtClient
from okrt_tui.api.clock import FakeClock
from okrt_tui.api.errors import NetworkError, RateLimited
from okrt_tui.cli import COMMAND_MAX_WAIT, main
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

START = 1_800_000_000.0  # a whole minute

Answer = tuple[int, dict[str, str], bytes]


class Scripted:
    """An HTTP server on loopback that gives the scripted answers in turn (the last one ever after).
    No ``Date`` header: the client learns no clock skew, so its windows are its own clock's."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = outer.answers[min(outer.requests, len(outer.answers) - 1)]
                outer.requests += 1
                self.send_response_only(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[type[Scripted]]:
    servers: list[Scripted] = []

    class Tracked(Scripted):
        def __init__(self, *answers: Answer) -> None:
            super().__init__(*answers)
            servers.append(self)

    yield Tracked
    for server in servers:
        server.close()


def too_many(retry_after: str | None) -> Answer:
    return (429, {"Retry-After": retry_after} if retry_after is not None else {}, b"")


OK: Answer = (200, {"Content-Type": "application/json"}, b"[]")


def cli(base_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OKRT_API_KEY": ACME_ADMIN_KEY}
    return subprocess.Popen(
        [sys.executable, "-m", "okrt_tui", "--base-url", base_url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_a_command_says_at_once_on_stderr_that_it_waits_for_a_429(scripted: type[Scripted]) -> None:
    server = scripted(too_many("3"), OK)
    process = cli(server.base_url, "kpis", "--json")  # stderr is a pipe, not a terminal
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert process.poll() is None and server.requests == 1  # said while waiting, not after
        assert line == (
            "okrt-tui: waiting 3 s because the API asked to pause after too many requests with this key "
            "(429); --no-wait fails instead.\n"
        )
        out, _ = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0 and json.loads(out) == []
    assert server.requests == 2


def test_a_retry_after_beyond_the_cap_fails_at_once_with_the_servers_time(scripted: type[Scripted]) -> None:
    server = scripted(too_many("99999"), OK)
    began = time.monotonic()
    result = CliRunner().invoke(
        main, ["--base-url", server.base_url, "kpis"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
    )
    assert time.monotonic() - began < 10
    assert result.exit_code == 5
    assert "99999 s (about 28 h)" in result.stderr and f"{COMMAND_MAX_WAIT:.0f} s" in result.stderr
    assert "waiting" not in result.stderr
    assert server.requests == 1


async def test_a_429_without_retry_after_waits_for_each_next_window_within_the_cap(
    scripted: type[Scripted],
) -> None:
    server = scripted(too_many(None))
    clock = FakeClock(START + 10)
    waits: list[Wait] = []
    budget = Budget(None, clock=clock, on_wait=waits.append)
    api = OkrtClient(server.base_url, ACME_ADMIN_KEY, budget=budget, clock=clock, max_wait=COMMAND_MAX_WAIT)
    async with api:
        with pytest.raises(RateLimited) as error:
            await api.list_kpis()
    # 429 at :10 -> wait to the next window (+2 s margin), again at 1:02 -> to 2:02, again at 2:02:
    # a third wait would end past the 120 s cap, so it fails then, without waiting.
    assert server.requests == 3
    assert [round(w.seconds) for w in waits] == [52, 60]
    assert clock.now() == START + 122
    assert error.value.exit_code == 5 and "more than a command waits (120 s in all)" in str(error.value)


async def test_a_refused_connection_gives_its_send_back_to_the_window(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed as soon as the block ends: nobody listens there
    clock = FakeClock(START + 10)
    ledger = tmp_path / "budget-refused"
    budget = Budget(ledger, fallback_path=tmp_path / "fallback" / ledger.name, clock=clock)
    async with OkrtClient(
        f"http://127.0.0.1:{port}/api/v1", ACME_ADMIN_KEY, budget=budget, clock=clock
    ) as api:
        with pytest.raises(NetworkError):
            await api.list_kpis()  # four attempts, none reached a server
    assert budget.status().used == 0
    assert json.loads(ledger.read_bytes())["sends"] == []


def test_a_429_pauses_the_key_on_that_server_only(tmp_path: Path) -> None:
    with SandboxServer(control=True) as first, SandboxServer(control=True) as second:
        first.control.fault("429", seconds=50)
        env = {"OKRT_API_KEY": ACME_ADMIN_KEY}
        paused = CliRunner().invoke(main, ["--base-url", first.base_url, "--no-wait", "kpis"], env=env)
        assert paused.exit_code == 5
        elsewhere = CliRunner().invoke(main, ["--base-url", second.base_url, "--no-wait", "kpis"], env=env)
        assert elsewhere.exit_code == 0, elsewhere.stderr
        assert sum(row["count"] for row in second.control.requests()) == 1
        again = CliRunner().invoke(main, ["--base-url", first.base_url, "--no-wait", "kpis"], env=env)
        assert again.exit_code == 5 and "pause" in again.stderr  # refused without sending: still paused
        assert sum(row["count"] for row in first.control.requests()) == 1


def test_a_corrupt_ledger_is_said_when_it_holds_a_command_back(sandbox: SandboxServer) -> None:
    ledger = Dirs.default().ledger_file(sandbox.base_url, ACME_ADMIN_KEY)
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(b'{"version": 1, "sends": [1.0, 2.')  # truncated
    result = CliRunner().invoke(
        main, ["--base-url", sandbox.base_url, "--no-wait", "kpis"], env={"OKRT_API_KEY": ACME_ADMIN_KEY}
    )
    assert result.exit_code == 5
    assert f"The rate ledger {ledger} could not be read (corrupt)" in result.stderr
    assert sandbox.control.requests() == []
