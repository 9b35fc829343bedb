"""The wall monitor in a real terminal, against a sandbox with simulated teammates (``serve
--simulate``): it rotates, its clock runs, its numbers change as teammates act; the sandbox stopped,
it says so over the last data; the sandbox back on the same port, it recovers with no key pressed.

Two tests of about half a minute each (run side by side), on the real schedule (no interval is
shortened for the test): the monitor polls the list on screen every 30 s, so a teammate's change shows
within ~30 s and a stopped server is found by the next poll, up to 30 s later; the first probe after
that comes 5 s on.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_tmux_dashboard import Pane, eventually, started_pane

from okrt_tui.sandbox.server import SandboxServer

pytestmark = pytest.mark.terminal

CLOCK = re.compile(r"\d\d:\d\d$")  # by the minute, at the end of the top line
ROW = "Improve onboarding conversion"  # an org or team objective of the seed's current cycle


def clock(pane: Pane) -> str:
    found = CLOCK.search(pane.text().splitlines()[0].rstrip())
    return found.group(0) if found else ""


def board(pane: Pane) -> str | None:
    """The objectives' rows when the board is on screen (the lines between the heading and the end)."""
    lines = pane.text().splitlines()
    if not lines or "Objectives (2/2)" not in lines[0] or ROW not in "\n".join(lines):
        return None
    return "\n".join(line for line in lines[1:-1] if "%" in line)


@contextmanager
def attached(pane: Pane, columns: int, lines: int) -> Iterator[None]:
    """A tmux client of that size attached to the monitor's session (in a pseudo-terminal of
    ``script``'s), detached at the end: someone looking in over ssh. The window takes its size."""
    command = f"stty cols {columns} rows {lines}; tmux -L {pane.socket} attach -t okrt"
    pane.tmux("set-option", "-t", "okrt", "window-size", "latest")  # not the size it was created with
    pane.tmux("set-option", "-t", "okrt", "status", "off")  # the whole client for the monitor
    client = subprocess.Popen(
        ["script", "-qfec", command, "/dev/null"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert eventually(lambda: pane.tmux("list-clients").strip() != "", 10), "the client never attached"
        yield
    finally:
        pane.tmux("detach-client", "-s", "okrt")
        client.wait(timeout=10)


@contextmanager
def monitored(tmp_path: Path) -> Iterator[tuple[Pane, SandboxServer]]:
    """A monitor on KPIs and objectives, 5 s each, against a sandbox whose teammates act twice a second."""
    server = SandboxServer(tmp_path / "sandbox.sqlite3", simulate=True, every=0.5)
    server.start()
    arguments = f"--base-url {shlex.quote(server.base_url)} monitor --screens kpis:5,okrs:5"
    try:
        with started_pane(tmp_path, arguments) as pane:
            pane.wait_for("KPIs (1/2)", "Open customer-facing")
            yield pane, server
    finally:
        server.stop()


@pytest.mark.slow
def test_the_monitor_rotates_ticks_and_follows_teammates(tmp_path: Path) -> None:
    with monitored(tmp_path) as (pane, _):
        first = clock(pane)
        assert first == time.strftime("%H:%M") or eventually(lambda: clock(pane) == time.strftime("%H:%M"), 3)
        pane.wait_for("Objectives (2/2)", ROW, timeout=8)
        # Attached at 100x30 and detached again: it follows the size and goes on.
        with attached(pane, 100, 30):
            assert eventually(lambda: len(pane.text().splitlines()) == 30, 10), pane.text()
            pane.wait_for("Objectives (2/2)", ROW, timeout=12)
            assert eventually(lambda: clock(pane) != "", 5), pane.text()  # the top line fits, clock last
        seen = board(pane)
        assert seen, pane.text()

        # The teammates check in: within a poll or two, the board shows other numbers; and the clock,
        # which shows minutes, turns to the next one (both waited for together: a minute at most).
        def moved_and_turned() -> bool:
            now = board(pane)
            return now is not None and now != seen and clock(pane) not in ("", first)

        assert eventually(moved_and_turned, 75), pane.text()
        assert clock(pane) == time.strftime("%H:%M")


@pytest.mark.slow
def test_the_monitor_says_offline_over_the_last_data_and_recovers_by_itself(tmp_path: Path) -> None:
    with monitored(tmp_path) as (pane, server):
        pane.wait_for("Objectives (2/2)", ROW, timeout=12)  # both lists on screen once before the outage
        port = int(server.root_url.rsplit(":", 1)[1])
        server.stop()
        screen = pane.wait_for("✖ offline since", timeout=45)
        assert "showing the data of" in screen
        pane.wait_for("✖ offline since", ROW, timeout=12)  # the last data stays under the banner

        back = SandboxServer(tmp_path / "sandbox.sqlite3", port=port, simulate=True, every=0.5)
        back.start()
        try:
            pane.wait_gone("offline", timeout=40)
            pane.wait_for("updated", ROW, timeout=12)
        finally:
            back.stop()
