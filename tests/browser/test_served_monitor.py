"""The served monitor in a real browser: Debian's headless Chromium, driven by Playwright, against a
``monitor --serve`` process serving the sandbox's workspace.

The page's terminal is read as the browser receives it: the monitor's websocket output, fed to a
``pyte`` terminal of the size the page asked for. Skipped where ``/usr/bin/chromium`` (Debian's
``chromium`` package; ``.ci/run`` installs it) or Playwright is absent: Playwright's own browser
download is not used. One served monitor and one browser serve every assertion (each page costs a
monitor process), so it is one test, in steps.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from okrt_tui.sandbox.server import SandboxServer

CHROMIUM = Path("/usr/bin/chromium")
pytest.importorskip("pyte")
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

import pyte  # noqa: E402  (after the skips: without it the module is skipped, not failed)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READ_KEY_LABEL = "acme-read"


def eventually(condition: Callable[[], bool], timeout: float, page: sync_api.Page) -> bool:
    """Polls ``condition`` while the browser's events keep arriving (Playwright's sync API delivers
    them only while it waits)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(100)
    return True


class Terminal:
    """A page's terminal as its websockets carry it: a new screen for each connection."""

    def __init__(self, page: sync_api.Page) -> None:
        self.page = page
        self.connections = 0
        self.screen = pyte.Screen(80, 24)
        page.on("websocket", self._connected)

    def _connected(self, websocket: sync_api.WebSocket) -> None:
        query = parse_qs(urlsplit(websocket.url).query)
        screen = pyte.Screen(int(query["width"][0]), int(query["height"][0]))
        stream = pyte.ByteStream(screen)

        def received(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                stream.feed(payload)

        def sent(payload: bytes | str) -> None:
            message = json.loads(payload) if isinstance(payload, str) else None
            if message and message[0] == "resize":
                screen.resize(message[1]["height"], message[1]["width"])

        websocket.on("framereceived", received)
        websocket.on("framesent", sent)
        self.screen = screen
        self.connections += 1

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        if not eventually(lambda: needle in self.text(), timeout, self.page):
            raise AssertionError(f"{needle!r} never appeared on the page's terminal:\n{self.text()}")
        return self.text()


class Served:
    """``monitor --serve`` in a process of its own, on a fixed port so that it can be restarted."""

    def __init__(self, sandbox: SandboxServer, root: Path) -> None:
        self.env = {
            **os.environ,
            "OKRT_API_KEY": "okrt_acme_read_Hs6Jp1Wd5Ny0Bc2Q",
            "OKRT_BASE_URL": sandbox.base_url,
            **{f"XDG_{k.upper()}_HOME": str(root / k) for k in ("config", "data", "state", "cache")},
        }
        self.port = 0
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> str:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "okrt_tui",
                "monitor",
                "--rotate",
                "600",
                "--serve",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("monitor: http://127.0.0.1:"), line + self.process.stderr.read()  # type: ignore[union-attr]
        url = line.removeprefix("monitor: ").strip()
        self.port = int(urlsplit(url).port or 0)
        return url

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


#: Served: a monitor that stays on its first panel while the test looks at it.
MONITOR = [sys.executable, "-m", "okrt_tui", "monitor", "--rotate", "600"]
#: The objectives board, the first panel, says how it is ordered.
SHOWN = "objectives, worst health first"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[SandboxServer, Served]]:
    with SandboxServer(control=True) as sandbox:
        server = Served(sandbox, tmp_path)
        try:
            yield sandbox, server
        finally:
            server.stop()


def requests_of_monitors(sandbox: SandboxServer) -> int:
    """What the server counted against the monitors' key."""
    return sum(row["count"] for row in sandbox.control.requests() if row["label"] == READ_KEY_LABEL)


def settled(sandbox: SandboxServer, page: sync_api.Page) -> int:
    """The monitors' requests once their start-up is over: no new one for two seconds."""
    count, since = requests_of_monitors(sandbox), time.monotonic()
    while time.monotonic() - since < 2:
        page.wait_for_timeout(200)
        if (now := requests_of_monitors(sandbox)) != count:
            count, since = now, time.monotonic()
    return count


@pytest.mark.slow
def test_the_served_monitor_in_chromium(served: tuple[SandboxServer, Served]) -> None:
    sandbox, server = served
    url = server.start()
    origin = f"127.0.0.1:{server.port}"
    # Chromium's profile sockets need a short path: the tests' own TMPDIR is too deep for them.
    with (
        tempfile.TemporaryDirectory(prefix="okrt-chromium-", dir="/tmp") as short,
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, "TMPDIR": short}
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            # The page's watchdog for a silent connection, quicker than its 20 s and 45 s.
            context.add_init_script("window.okrtWatchdog = { ping: 1000, silent: 6000 };")
            asked: list[str] = []
            context.on("request", lambda request: asked.append(request.url))
            page = context.new_page()
            page.on("websocket", lambda websocket: asked.append(websocket.url))
            terminal = Terminal(page)
            page.goto(url)

            # The page shows the monitor's text, and space pauses it.
            terminal.wait_for(SHOWN)
            terminal.wait_for("next: ")
            page.focus(".xterm-helper-textarea")  # where xterm.js takes the keyboard
            page.keyboard.press("Space")
            terminal.wait_for("paused")
            one, since = settled(sandbox, page), time.monotonic()
            assert one > 0

            # Four more pages, four more monitors: the requests are still those of one.
            others = [(other := context.new_page(), Terminal(other)) for _ in range(4)]
            for other, _ in others:
                other.goto(url)
            for _, other_terminal in others:
                other_terminal.wait_for(SHOWN)
            page.wait_for_timeout(2000)  # a follower that polled would have sent by now
            polled = requests_of_monitors(sandbox) - one
            # At most the one monitor's own polls meanwhile (its lists every 30 s at the most), never
            # the followers' own first fetches (four times the first monitor's).
            assert polled <= 3 * math.ceil((time.monotonic() - since) / 30) < 4 * one, polled
            for other, _ in others:
                other.close()

            # The server restarts: the page shows the monitor again by itself.
            server.stop()
            page.wait_for_timeout(500)
            assert SHOWN in terminal.text()  # the last picture stays meanwhile
            server.start()
            assert eventually(lambda: terminal.connections == 2, 30, page)
            terminal.wait_for(SHOWN)

            # The connection goes silent without closing (the server frozen: its sockets stay open,
            # as when a TV's network drops): the page gives it up, says so, and comes back by itself.
            assert server.process is not None
            server.process.send_signal(signal.SIGSTOP)
            try:
                status = page.locator("#status")
                assert eventually(lambda: status.is_visible(), 15, page), terminal.text()
                assert "reconnecting" in status.inner_text().lower()
            finally:
                server.process.send_signal(signal.SIGCONT)
            assert eventually(lambda: terminal.connections == 3, 45, page)
            terminal.wait_for(SHOWN)

            # Every request the pages made went to this host: the page, its script, style and font,
            # and the monitor's websocket.
            assert asked and all(urlsplit(u).netloc == origin for u in asked), asked
            assert any(u.endswith(".ttf") for u in asked)
        finally:
            browser.close()
