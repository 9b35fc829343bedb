"""Every way out of a command has INTERFACE.md's exit code, the same with ``--debug`` as without it;
``--debug`` only adds the traceback on stderr, before the same sentence."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_server import HostileServer
from processes import ROOT

from okrt_tui import render
from okrt_tui.cli import main
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_REVOKED_KEY
from okrt_tui.sandbox.server import SandboxServer

TRACEBACK = "Traceback (most recent call last)"


@contextlib.contextmanager
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


class Run:
    """One command line being set up: the sandbox, what to close afterwards, and its environment."""

    def __init__(
        self, sandbox: SandboxServer, stack: contextlib.ExitStack, patch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        self.sandbox = sandbox
        self.stack = stack
        self.patch = patch
        self.tmp_path = tmp_path
        self.env = {"OKRT_API_KEY": ACME_ADMIN_KEY}


def refused_key(run: Run) -> list[str]:
    run.env["OKRT_API_KEY"] = ACME_REVOKED_KEY
    return ["kpis"]


def rate_limited(run: Run) -> list[str]:
    run.sandbox.control.fault("429", seconds=30)
    return ["--no-wait", "kpis"]


def server_error(run: Run) -> list[str]:
    run.sandbox.control.fault("500", count=10)
    return ["kpis"]


def unreadable(run: Run) -> list[str]:
    server = run.stack.enter_context(HostileServer({"/kpis": (200, b"[" * 100_000)}))
    return ["--base-url", server.base_url, "kpis"]


def path_is_not_a_directory(run: Run) -> list[str]:
    """A folder okrt-tui writes in turns out to be a file. Stood in for: the files a command uses now
    all cope with that (the rate ledger moves to its fallback, the database to memory)."""
    where = run.tmp_path / "a-file" / "okrt-tui"

    def broken(*args: object, **kwargs: object) -> None:
        raise NotADirectoryError(20, "Not a directory", str(where))

    run.patch.setattr(render, "kpi_table", broken)
    return ["kpis"]


def port_in_use(run: Run) -> list[str]:
    return ["serve", "--port", str(run.stack.enter_context(busy_port()))]


def a_bug(run: Run) -> list[str]:
    """A table builder that raises stands in for any bug of ours."""

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug, with text that could hold anything")

    run.patch.setattr(render, "kpi_table", broken)
    return ["kpis"]


#: name: (exit code, what stderr says, the command line after any setup it needs)
CASES: dict[str, tuple[int, str, Callable[[Run], list[str]]]] = {
    "invalid input": (1, "--status must be one of", lambda run: ["okrs", "--status", "great"]),
    "usage inside a command": (2, "Choose one of", lambda run: ["review", "r-1", "--json", "--markdown"]),
    "unknown option": (2, "No such option", lambda run: ["okrs", "--colour"]),
    "refused key": (3, "rejected (401)", refused_key),
    "not found": (4, "rv-does-not-exist", lambda run: ["review", "rv-does-not-exist"]),
    "rate limited": (5, "30 s", rate_limited),
    "server error": (6, "500", server_error),
    "unreadable answer": (7, "/kpis cannot be read at $[0]", unreadable),
    "OS error on a path": (1, "a-file/okrt-tui: Not a directory. Check the path", path_is_not_a_directory),
    "OS error on a socket": (1, "okrt-tui: Address already in use.\n", port_in_use),
    "a bug": (1, "unexpected error (ZeroDivisionError)", a_bug),
}


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("case", CASES.keys())
def test_exit_codes_are_the_same_with_and_without_debug(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, case: str, debug: bool
) -> None:
    code, says, setup = CASES[case]
    with contextlib.ExitStack() as stack:
        run = Run(sandbox, stack, monkeypatch, tmp_path)
        args = ["--base-url", sandbox.base_url, *setup(run)]
        args = ["--debug", *args] if debug else args
        result = CliRunner().invoke(main, args, env=run.env)
    assert result.exit_code == code, result.stderr
    assert says in result.stderr
    assert (TRACEBACK in result.stderr) == (debug and code != 2)  # click says usage errors itself
    if code != 2:
        assert result.stderr.rstrip().splitlines()[-1].startswith("okrt-tui: ")  # the sentence comes last
    assert ("could hold anything" in result.stderr) == (debug and case == "a bug")
    assert run.env["OKRT_API_KEY"] not in result.stderr


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_an_interrupted_wait_is_exit_130_with_and_without_debug(sandbox: SandboxServer, debug: bool) -> None:
    """Ctrl+C (SIGINT) while the command waits out a 429: a real process, a real signal."""
    sandbox.control.fault("429", seconds=30)
    args = ["--debug"] if debug else []
    process = subprocess.Popen(
        [sys.executable, "-m", "okrt_tui", *args, "--base-url", sandbox.base_url, "kpis"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OKRT_API_KEY": ACME_ADMIN_KEY, "PYTHONPATH": str(ROOT)},
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not sandbox.control.requests():  # the 429 went out: the command is waiting now
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr.rstrip().endswith("okrt-tui: interrupted.")
    assert (TRACEBACK in stderr) == debug
