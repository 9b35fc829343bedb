"""Starting and stopping the sandbox: ``SandboxServer`` in a thread, ``serve_forever`` in the foreground."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from processes import process_alive, start_script

from okrt_tui.sandbox.db import Database
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, KEYS
from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.sandbox.sockets import bind

HEADERS = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
REPO = Path(__file__).resolve().parents[2]


def test_start_returns_the_base_url_once_the_server_accepts_connections() -> None:
    server = SandboxServer()
    try:
        url = server.start()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", url)
        assert url == server.base_url
        port = int(url.split(":")[2].split("/")[0])
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
        assert httpx.get(f"{url}/okrs", headers=HEADERS).status_code == 200
    finally:
        server.stop()


def test_a_bound_sandbox_socket_takes_connections_before_the_server_runs() -> None:
    # ``okrt-tui serve`` announces its URL, and the demo hands it to the dashboard, before uvicorn
    # accepts: a client that connects at once must wait in the backlog, not be refused.
    sock = bind("127.0.0.1", 0)
    try:
        socket.create_connection(sock.getsockname()[:2], timeout=1).close()
    finally:
        sock.close()


def test_the_base_url_is_unknown_before_start() -> None:
    with pytest.raises(RuntimeError):
        _ = SandboxServer().base_url


def test_stop_is_quick_closes_the_port_and_removes_the_temporary_database() -> None:
    with SandboxServer() as server:
        path = server.db_path
        assert path is not None and path.exists()
        port = int(server.base_url.split(":")[2].split("/")[0])
    assert not path.exists()
    assert not Path(f"{path}-wal").exists()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_stop_does_not_wait_for_a_slow_fault(tmp_path: Path) -> None:
    with SandboxServer(control=True) as server:
        server.control.fault("slow", seconds=30)
        answers: list[int] = []

        def read() -> None:
            answers.append(httpx.get(f"{server.base_url}/kpis", headers=HEADERS, timeout=20).status_code)

        reader = threading.Thread(target=read)
        reader.start()
        deadline = time.monotonic() + 10
        while not server.control.requests():  # the read has reached the server and is being held
            assert time.monotonic() < deadline, "the read never reached the sandbox"
            time.sleep(0.01)
        started = time.perf_counter()
        server.stop()
        assert time.perf_counter() - started < 2
        reader.join(timeout=5)
    assert answers == [200]


def test_a_given_database_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    with SandboxServer(path):
        pass
    assert path.exists()


def test_two_sandboxes_run_side_by_side_on_different_ports() -> None:
    with SandboxServer() as first, SandboxServer() as second:
        assert first.base_url != second.base_url
        for server in (first, second):
            assert httpx.get(f"{server.base_url}/kpis", headers=HEADERS).status_code == 200


def test_an_unhandled_error_is_500_in_the_standard_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    with SandboxServer() as server:
        monkeypatch.setattr(Database, "kpi_page", broken)
        response = httpx.get(f"{server.base_url}/kpis", headers=HEADERS)
    assert response.status_code == 500
    assert response.json() == {
        "error": "server_error",
        "message": "Something went wrong on our end. Safe to retry.",
    }
    assert "disk on fire" not in response.text
    assert response.headers["x-ratelimit-remaining"] == "59"


def serve(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys; from okrt_tui.sandbox.server import serve_forever; serve_forever(*sys.argv[1:2], port=0)"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_serve_forever_prints_the_url_first_then_the_keys_and_stops_cleanly_on_ctrl_c() -> None:
    process = serve()
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"sandbox: (http://127\.0\.0\.1:\d+/api/v1)\n", first)
        assert match, first
        assert httpx.get(f"{match[1]}/okrs", headers=HEADERS).status_code == 200
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        out, err = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Traceback" not in err
    for key in KEYS:
        assert key in out
    assert "revoked" in out


def test_serve_forever_warns_when_it_listens_beyond_loopback() -> None:
    process = serve("0.0.0.0")
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert re.fullmatch(r"sandbox: http://0\.0\.0\.0:\d+/api/v1\n", first), first
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        err = process.stderr.read()  # type: ignore[union-attr]
    finally:
        process.kill()
    assert "warning" in err and "0.0.0.0" in err
    assert "Traceback" not in err


# -- the demo's sandbox in a forked child (okrt_tui.sandbox.forked) -----------------------------------
# Forking needs a process without threads, so these run a script in a fresh interpreter (a pytest
# worker runs threads of its own, where demo_sandbox falls back to SandboxServer).

DEMO_SANDBOX = """
import json, os, sys, time, httpx
from pathlib import Path
from okrt_tui.sandbox.forked import demo_sandbox
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
with demo_sandbox(Path(sys.argv[1])) as sandbox:
    key = {"Authorization": "Bearer " + ACME_ADMIN_KEY}
    answer = httpx.get(sandbox.base_url + "/okrs", headers=key, timeout=15)
    print(json.dumps({"pid": sandbox.pid, "url": sandbox.base_url, "status": answer.status_code,
                      "objectives": len(answer.json())}), flush=True)
    if sys.argv[2] == "hang":
        time.sleep(60)
try:
    os.kill(sandbox.pid, 0)
    print("child still there")
except ProcessLookupError:
    print("child gone")
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is forked on Linux only")
def test_the_demo_sandbox_serves_from_a_forked_child_that_is_reaped_on_exit(tmp_path: Path) -> None:
    script = start_script(DEMO_SANDBOX, str(tmp_path / "demo.sqlite3"), "exit")
    out, err = script.communicate(timeout=60)
    assert script.returncode == 0, err
    first, last = out.strip().splitlines()
    seen = json.loads(first)
    assert seen["pid"] not in (None, script.pid)
    assert (seen["status"], seen["objectives"]) == (200, 40)  # Acme's seed
    assert last == "child gone"
    port = int(seen["url"].split(":")[2].split("/")[0])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


@pytest.mark.skipif(sys.platform != "linux", reason="the sandbox is forked on Linux only")
def test_the_demo_sandbox_stops_when_the_dashboard_is_killed(tmp_path: Path) -> None:
    script = start_script(DEMO_SANDBOX, str(tmp_path / "demo.sqlite3"), "hang")
    try:
        assert script.stdout is not None
        seen = json.loads(script.stdout.readline())
        assert process_alive(seen["pid"])
    finally:
        script.kill()  # SIGKILL: no clean-up runs in the parent
        script.wait(timeout=10)
    deadline = time.monotonic() + 10
    while process_alive(seen["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(seen["pid"])  # it noticed its parent was gone (checked ten times a second)
