"""``monitor --serve``'s server (``okrt_tui.served.server``) in a process of its own, spoken to over
HTTP and its websocket as a browser would: what it prints, the page it serves, and what becomes of each
page's process. The page in a real browser: ``tests/browser``."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import httpx
import pytest
from click.testing import CliRunner
from processes import process_alive, start_script

from okrt_tui.api.errors import InvalidInput
from okrt_tui.cli import main
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_READ_KEY
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.served.server import monitor_command, serve

SERVE = """
import sys
from okrt_tui.served import server
server.QUIT_WAIT = 0.5
server.serve(sys.argv[3:], host=sys.argv[1], port=int(sys.argv[2]))
"""


@contextmanager
def serving(*command: str, host: str = "127.0.0.1") -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = start_script(SERVE, host, "0", *command)
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)


def local_url(line: str) -> str:
    port = re.fullmatch(r"monitor: http://[^/]+:(\d+)/\n", line)
    assert port, line
    return f"http://127.0.0.1:{port[1]}/"


def test_the_url_comes_first_and_the_page_asks_only_this_host() -> None:
    with serving(sys.executable, "-c", "") as (process, line):
        assert re.fullmatch(r"monitor: http://127\.0\.0\.1:\d+/\n", line)
        page = httpx.get(local_url(line)).text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None and process.stderr.read() == ""  # loopback: no warning
    urls = re.findall(r'(?:src|href)="([^"]*)"|url\("([^"]*)"\)', page)
    assert urls and all(u.startswith(("/", "data:")) for pair in urls for u in pair if u), urls
    assert "RobotoMono-VariableFont_wght.ttf" in page and "googleapis" not in page
    assert "/ws" in page and "ws://" not in page  # the socket's address comes from the page's own


def test_another_address_than_loopback_earns_a_warning() -> None:
    with serving(sys.executable, "-c", "", host="0.0.0.0") as (process, line):
        assert line == f"monitor: http://{socket.gethostname()}:{local_url(line).rsplit(':', 1)[1]}\n"
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        assert process.stderr is not None
        warning = process.stderr.read()
    assert (
        "listens on 0.0.0.0, not on loopback: anyone who can reach this address sees the dashboard" in warning
    )
    assert "--public" in warning


async def test_a_page_whose_monitor_ends_is_told_at_once() -> None:
    # The monitor process dies without a word (no Textual "exit"): the page must learn it, to reconnect.
    with serving(sys.executable, "-c", "import sys; sys.exit(1)") as (_, line):
        async with aiohttp.ClientSession() as client, client.ws_connect(f"{local_url(line)}ws") as ws:
            message = await asyncio.wait_for(ws.receive(), 5)
    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)


async def test_stopping_the_server_ends_every_pages_monitor(tmp_path: Path) -> None:
    # A monitor that ignores the request to quit is killed: none outlives the server.
    pids = tmp_path / "pids"
    stubborn = f"import os, time; open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n'); time.sleep(60)"
    with serving(sys.executable, "-c", stubborn) as (process, line):
        async with aiohttp.ClientSession() as client:
            pages = [await client.ws_connect(f"{local_url(line)}ws") for _ in range(2)]
            for _ in range(100):
                if pids.exists() and len(pids.read_text().split()) == 2:
                    break
                await asyncio.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 10) == 0
            for page in pages:
                assert (await asyncio.wait_for(page.receive(), 5)).type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSED,
                )
    monitors = [int(pid) for pid in pids.read_text().split()]
    assert len(monitors) == 2 and not any(process_alive(pid) for pid in monitors)


def test_each_page_runs_the_command_given_minus_the_serving_options() -> None:
    argv = ["--debug", "monitor", "--serve", "--host", "0.0.0.0", "--rotate", "30", "--port=9000", "--public"]
    assert monitor_command(argv) == [
        sys.executable,
        "-m",
        "okrt_tui",
        "--debug",
        "monitor",
        "--rotate",
        "30",
        "--public",
    ]
    # The pages of --demo share the server's one demo sandbox.
    assert monitor_command(["monitor", "--demo", "--serve"]) == [sys.executable, "-m", "okrt_tui", "monitor"]
    # A key the server checked is not checked again by each page: ten screens, not twenty requests.
    argv = ["monitor", "--require-readonly", "--serve"]
    assert monitor_command(argv, checked_readonly=True) == [sys.executable, "-m", "okrt_tui", "monitor"]
    assert "--require-readonly" in monitor_command(argv)


def test_a_port_in_use_is_said_in_a_sentence_that_says_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            InvalidInput, match=f"Port {port} is in use on 127.0.0.1: choose another with --port"
        ):
            serve([sys.executable, "-c", ""], host="127.0.0.1", port=port)


def test_host_or_port_without_serve_is_a_usage_error() -> None:
    for option in ("--host", "--port"):
        result = CliRunner().invoke(main, ["monitor", option, "8081"])
        assert result.exit_code == 2 and f"{option} goes with --serve." in result.stderr


def test_serving_without_a_key_fails_at_once() -> None:
    result = CliRunner().invoke(main, ["monitor", "--serve", "--port", "0"])
    assert result.exit_code == 3 and "No API key" in result.stderr


def test_require_readonly_is_checked_once_by_the_server_before_it_serves(sandbox: SandboxServer) -> None:
    result = CliRunner().invoke(
        main,
        ["monitor", "--serve", "--port", "0", "--require-readonly"],
        env={"OKRT_API_KEY": ACME_ADMIN_KEY, "OKRT_BASE_URL": sandbox.base_url},
    )
    assert result.exit_code == 3 and "this key can write" in result.stderr
    assert "monitor: http" not in result.stdout  # refused before serving anything
    assert sum(row["count"] for row in sandbox.control.requests()) == 2
    assert sandbox.control.writes() == []


def test_the_command_prints_the_url_and_stops_on_sigterm(sandbox: SandboxServer) -> None:
    env = {**os.environ, "OKRT_API_KEY": ACME_READ_KEY, "OKRT_BASE_URL": sandbox.base_url}
    process = subprocess.Popen(
        [sys.executable, "-m", "okrt_tui", "monitor", "--serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert httpx.get(local_url(line)).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert process.stderr is not None and process.stderr.read() == ""


async def test_only_the_monitors_own_pages_may_connect() -> None:
    # A websocket is open to any site's page: one from elsewhere must not read the dashboard, nor may a
    # site whose name was pointed at 127.0.0.1 (DNS rebinding).
    with serving(sys.executable, "-c", "import time; time.sleep(60)") as (_, line):
        url = local_url(line)
        port = url.rsplit(":", 1)[1].rstrip("/")
        async with aiohttp.ClientSession() as client:
            for headers in ({"Origin": "http://evil.example"}, {"Host": f"evil.example:{port}"}):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(f"{url}ws", headers=headers)
                assert refused.value.status == 403
            async with client.get(url, headers={"Host": f"evil.example:{port}"}) as page:
                assert page.status == 403
            own = await client.ws_connect(f"{url}ws", headers={"Origin": url.rstrip("/")})
            await own.close()


def test_the_serving_process_never_imports_textual() -> None:
    # import-linter sees okrt-tui's imports, not textual-serve's own: this looks at what gets loaded.
    probe = (
        "import sys, okrt_tui.served.server\n"
        "print(sorted(m for m in ('textual', 'okrt_tui.tui') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout == "[]\n", done.stderr
