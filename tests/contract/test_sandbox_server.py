"""Starting and stopping the sandbox: ``SandboxServer`` in a thread, ``serve_forever`` in the foreground."""

from __future__ import annotations

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

from okrt_tui.sandbox.db import Database
from okrt_tui.sandbox.seed import ACME_ADMIN_KEY, KEYS
from okrt_tui.sandbox.server import SandboxServer

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
        time.sleep(0.3)
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
