"""The real program in a real terminal: ``python -m okrt_tui`` in a tmux pane, against the sandbox.

Keys go in with ``tmux send-keys``; the screen comes back with ``tmux capture-pane -p``, polled until
the expected text appears. Each test has its own tmux server (a private socket), killed at the end.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from processes import process_alive

import okrt_tui
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

pytestmark = pytest.mark.terminal

REPO_ROOT = Path(okrt_tui.__file__).resolve().parent.parent


def eventually(condition: Callable[[], bool], timeout: float) -> bool:
    """Polls ``condition`` (a terminal offers nothing to wait on) until it holds or ``timeout`` s pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


class Pane:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True, timeout=10
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "okrt", key)

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "okrt")

    def wait_for(self, *needles: str, timeout: float = 20.0) -> str:
        if not eventually(lambda: all(needle in self.text() for needle in needles), timeout):
            raise AssertionError(f"{needles!r} did not appear; the pane shows:\n{self.text()}")
        return self.text()

    def wait_gone(self, needle: str, timeout: float = 20.0) -> str:
        if not eventually(lambda: needle not in self.text(), timeout):
            raise AssertionError(f"{needle!r} did not go away; the pane shows:\n{self.text()}")
        return self.text()

    def pid(self) -> int:
        """The program's process (``env`` runs it in its own place)."""
        return int(self.tmux("display-message", "-p", "-t", "okrt", "#{pane_pid}").strip())

    def alive(self) -> bool:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "has-session", "-t", "okrt"], capture_output=True, timeout=10
        )
        return result.returncode == 0


@contextmanager
def started_pane(
    tmp_path: Path, arguments: str, extra_env: dict[str, str] | None = None, *, record: Path | None = None
) -> Iterator[Pane]:
    """``python -m okrt_tui ARGUMENTS`` in a fresh 120x40 pane of a private tmux server, with its own
    XDG folders; the server is killed at the end (which hangs up on whatever still runs in it).
    ``record``: every byte the program writes to the terminal (titles and all) is appended to this
    file, from its first one (the program waits for a line until the recording has started)."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    socket = f"okrt-test-{uuid.uuid4().hex[:8]}"
    xdg = {
        name: str(tmp_path / "xdg" / name.lower())
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    }
    for directory in xdg.values():
        Path(directory).mkdir(parents=True, exist_ok=True)
    env = {
        **xdg,
        "OKRT_API_KEY": ACME_ADMIN_KEY,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        **(extra_env or {}),
    }
    # COLUMNS/LINES (pytest's terminal may export them) would pin the app's size and defeat resizing.
    command = f"env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m okrt_tui {arguments}"
    if record is not None:
        command = f"sh -c {shlex.quote(f'read _ && exec {command}')}"
    env_flags = [flag for name, value in env.items() for flag in ("-e", f"{name}={value}")]
    session = ["new-session", "-d", "-s", "okrt", "-x", "120", "-y", "40", *env_flags, command]
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", *session],
        check=True,
        timeout=10,
    )
    socket_path = subprocess.run(
        ["tmux", "-L", socket, "display-message", "-p", "#{socket_path}"],
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    try:
        pane = Pane(socket)
        if record is not None:
            pane.tmux("pipe-pane", "-o", "-t", "okrt", f"cat >> {shlex.quote(str(record))}")
            pane.keys("Enter")
        yield pane
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)


@pytest.fixture
def pane(sandbox, tmp_path):
    with started_pane(tmp_path, f"--base-url {shlex.quote(sandbox.base_url)}") as started:
        yield started


def test_the_dashboard_runs_in_a_real_terminal(pane):
    screen = pane.wait_for("1 OKRs", "objectives", "on track", "● live")
    assert "req" in screen and "updated" in screen
    pane.keys("/")
    pane.wait_for("filter title/owner")
    pane.keys("Alice")
    # The OKR screen shows the current cycle: 28 of the seed's 40 objectives (12 are last quarter's).
    pane.wait_for("Alice Nguyen", "1 of 28 objectives")
    # Each escape is awaited: a key sent right after ESC would arrive as alt+key, as in any terminal.
    pane.keys("Escape")
    pane.wait_for(": 28 objectives")
    pane.keys("Enter")
    pane.wait_for("Key results (")
    pane.keys("Escape")
    pane.wait_for(": 28 objectives")
    pane.keys("2")
    pane.wait_for("Of tgt", "Recent", "At this pace")
    pane.keys("Enter")
    pane.wait_for("values seen", " 30d ")
    pane.keys("t")
    pane.wait_for("values seen")
    pane.keys("3")
    pane.wait_for("Review cycle", "Reviewees")
    pane.keys("?")
    pane.wait_for("Keys: Reviews", "Open by id")
    pane.keys("Escape")
    pane.wait_gone("Keys: Reviews")
    pane.keys("q")
    assert eventually(lambda: not pane.alive(), 10), f"q did not quit; the pane shows:\n{pane.text()}"


def test_letters_typed_right_after_the_slash_go_into_the_filter(pane):
    # One send-keys: the terminal delivers "/" and the letters together, as a fast typist or a paste
    # does. Not one letter may go to the table instead (there "q" quit the app and "s" sorted).
    pane.wait_for("objectives", "● live")
    pane.keys("/quit sorting")
    pane.wait_for("quit sorting", "No objectives match")
    pane.keys("C-u", "Alice")
    pane.wait_for("Alice Nguyen", "1 of 28 objectives")


def test_a_screen_key_then_a_filter_typed_at_once_filter_that_screen(pane):
    pane.wait_for("objectives", "● live")
    pane.keys("2/net")
    pane.wait_for("Net Promoter Score", "Of tgt")
    assert "Monthly cloud spend" not in pane.text()


def test_an_id_pasted_right_after_the_key_that_asks_for_it_is_kept_whole(pane):
    pane.wait_for("objectives", "● live")
    pane.keys("3")
    pane.wait_for("Review cycle")
    pane.keys("orev-pasted-42")
    pane.wait_for("Open a shared review", "rev-pasted-42")


def test_resizing_the_terminal_does_not_crash(pane):
    pane.wait_for("objectives", "● live")
    for width, height in ((80, 24), (200, 60), (40, 12), (120, 40)):
        pane.tmux("resize-window", "-t", "okrt", "-x", str(width), "-y", str(height))
        time.sleep(0.2)
    pane.wait_for("1 OKRs", "objectives")
    assert pane.alive()


def test_the_demo_shows_the_seed_workspace_and_cleans_up_when_the_terminal_closes(tmp_path):
    temp = tmp_path / "temp"
    temp.mkdir()
    with started_pane(tmp_path, "demo --no-simulate", {"TMPDIR": str(temp)}) as demo:
        demo.wait_for("Acme (demo sandbox)", "Improve onboarding conversion", ": 28 objectives", "● live")
        assert [p.name[:14] for p in temp.iterdir()] == ["okrt-tui-demo-"]
        demo.keys("2")
        demo.wait_for("Weekly Active Users", "Of tgt")
        demo.keys("3")
        demo.wait_for("Review cycle", "Reviewees")
        pid = demo.pid()
    # The tmux server is gone: the terminal hung up. The demo stops its sandbox, removes its folder
    # and ends (it used to hang in Textual's output thread, sandbox and all).
    assert eventually(lambda: not any(temp.iterdir()), 10), sorted(p.name for p in temp.iterdir())
    assert eventually(lambda: not process_alive(pid), 10)


def test_the_dashboard_ends_when_its_terminal_closes_at_start_up(tmp_path, sandbox):
    # Hung up while it starts (the benchmark's case): no program may stay behind, blocked.
    with started_pane(tmp_path, f"--base-url {shlex.quote(sandbox.base_url)}") as pane:
        pane.wait_for("objectives")
        pid = pane.pid()
    assert eventually(lambda: not process_alive(pid), 10)


def test_the_demo_writes_none_of_the_users_files(tmp_path):
    # HOME and every XDG folder in one empty place: after a demo, no file is there (the log went to
    # the user's state folder, because logging was set up before the command was known).
    home = tmp_path / "home"
    home.mkdir()
    xdg = {
        name: str(home / name.lower())
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    }
    with started_pane(tmp_path, "demo --no-simulate", {"HOME": str(home), **xdg}) as demo:
        demo.wait_for("Acme (demo sandbox)", ": 28 objectives", "● live")
        demo.keys("q")
        assert eventually(lambda: not demo.alive(), 10), f"q did not quit; the pane shows:\n{demo.text()}"
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*") if not p.is_dir()) == []


def sparklines(screen: str) -> list[str]:
    """The KPI list's sparklines, row by row (runs of two or more block characters)."""
    return [match for line in screen.splitlines() for match in re.findall("[▁▂▃▄▅▆▇█]{2,}", line)]


def test_the_kpi_sparklines_move_as_teammates_update_the_sandbox(tmp_path):
    # The sandbox's simulated teammates change a KPI every 0.3 s; each r fetches the list again.
    with (
        SandboxServer(simulate=True, every=0.3) as server,
        started_pane(tmp_path, f"--base-url {shlex.quote(server.base_url)}") as pane,
    ):
        pane.wait_for("objectives", "● live")
        pane.keys("2")
        pane.wait_for("Of tgt", "Recent")
        seen: list[list[str]] = []

        def moved() -> bool:
            pane.keys("r")
            time.sleep(1.0)
            seen.append(sparklines(pane.text()))
            return len(seen) >= 2 and seen[-1] != seen[-2] and bool(seen[-1])

        assert eventually(moved, 20), f"the sparklines did not move; the pane shows:\n{pane.text()}"
