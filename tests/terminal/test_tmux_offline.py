"""The offline state in a real terminal: the app started on a sandbox and quit; the sandbox stopped and
the app started again on the same data folder (the cache shows at once, then "offline"); the sandbox
started again on the same port (the app is live again by itself, with no key pressed).

About 9 s: two starts of the app, and the wait for its next probe, at most 5 s after the first failed
one (the real schedule: no interval is shortened for the test)."""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path

import pytest
from test_tmux_dashboard import Pane, eventually, started_pane

from okrt_tui.sandbox.server import SandboxServer

pytestmark = pytest.mark.terminal

ROW = "Improve onboarding conversion"  # an objective of the seed's current cycle
#: The cached rows are on the first screen painted (no "Loading" before them). How soon that is (the
#: issue asks for a second) is the warm-start benchmark's measure, against a bare Textual app in the same
#: run: a bound in seconds here failed under a full test run on a shared machine (3.5 s once).


def screens_until(pane: Pane, needle: str, timeout: float = 10.0) -> list[str]:
    """Every capture of the pane, every 20 ms, until one shows ``needle``."""
    deadline = time.monotonic() + timeout
    captures: list[str] = []
    while time.monotonic() < deadline:
        captures.append(pane.text())
        if needle in captures[-1]:
            return captures
        time.sleep(0.02)
    raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{pane.text()}")


@pytest.mark.slow
def test_restarted_with_the_server_down_then_up_again(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    server = SandboxServer(db, control=True)
    server.start()
    port = server.root_url.rsplit(":", 1)[1]
    arguments = f"--base-url {shlex.quote(server.base_url)}"
    try:
        with started_pane(tmp_path, arguments) as pane:
            pane.wait_for(ROW, "● live")
            pane.keys("2")  # the KPIs too, fetched after the first paint: cached once live
            pane.wait_for("Monthly Recurring Revenue", "● live")
            pane.keys("q")
            assert eventually(lambda: not pane.alive(), 10), pane.text()
        server.stop()

        with started_pane(tmp_path, arguments) as pane:  # the same XDG folders: the same cache
            captures = screens_until(pane, ROW)
            assert not [screen for screen in captures if "Loading" in screen]
            # Within 5 s of the app being up: a refused connection is said at once.
            screen = pane.wait_for("✖ offline since", timeout=5)
            assert ROW in screen and "updated" in screen  # the cached rows stay, with their age
            pane.keys("2")
            pane.wait_for("✖ offline since", "Monthly Recurring Revenue")  # every screen says it

            server = SandboxServer(db, port=int(port), control=True)
            server.start()
            retry = re.search(r"retrying in (\d+) s", pane.text())
            wait = int(retry.group(1)) if retry else 0
            assert wait <= 30
            # No key pressed: the next probe finds the server, and every list is fetched again.
            screen = pane.wait_for("● live", timeout=wait + 3)
            assert "offline" not in screen
            pane.keys("1")
            pane.wait_for(ROW, "● live", timeout=3)
    finally:
        server.stop()
