"""``okrt-tui demo``'s sandbox in a forked child process, so that it starts on another core.

The sandbox's start (importing Starlette and uvicorn, seeding SQLite: ~0.3 s here) used to come
before the dashboard's own, all of it on one core under one GIL. Forked once the modules both need
are imported and before any thread exists, the child imports, seeds and serves while the parent
imports and draws the dashboard. The socket listens before the fork, so the dashboard's first request
waits in its backlog until the child accepts it. The child stops on the parent's SIGTERM, on its own
when the parent is gone (checked ten times a second), and with the terminal (SIGHUP). Where fork is
missing or unsafe (macOS, Windows; or threads already running) the sandbox runs in a thread instead,
as in the tests.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple, NoReturn

from okrt_tui.sandbox.sockets import bind, url_host

HOST = "127.0.0.1"


class Running(NamedTuple):
    base_url: str
    pid: int | None  # the child's; None when the sandbox runs in a thread


@contextmanager
def demo_sandbox(db_path: Path, *, strict: bool = False, simulate: bool = False) -> Iterator[Running]:
    """A sandbox on ``db_path`` (it may still be starting: requests wait); stopped and its process
    reaped on exit."""
    if sys.platform != "linux" or threading.active_count() > 1:
        from okrt_tui.sandbox.server import SandboxServer

        with SandboxServer(db_path, strict=strict, simulate=simulate) as server:
            yield Running(server.base_url, None)
        return
    sock = bind(HOST, 0)
    port = sock.getsockname()[1]
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        _serve_in_child(sock, db_path, strict=strict, simulate=simulate, parent=parent)
    sock.close()
    try:
        yield Running(f"http://{url_host(HOST)}:{port}/api/v1", pid)
    finally:
        stop(pid)


def _serve_in_child(
    sock: socket.socket, db_path: Path, *, strict: bool, simulate: bool, parent: int
) -> NoReturn:
    code = 1
    try:
        from okrt_tui.sandbox.server import serve_socket

        serve_socket(sock, db_path, strict=strict, simulate=simulate, parent=parent)
        code = 0
    except BaseException:  # the parent shows the connection errors; the log says why
        logging.getLogger(__name__).exception("The demo sandbox stopped.")
    finally:
        os._exit(code)  # never the parent's clean-up: its temporary folder is the parent's to remove


def stop(pid: int, *, grace: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds; reaps the child either way."""
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG) == (0, 0):
                time.sleep(0.01)
                continue
        return
    with suppress(ProcessLookupError, ChildProcessError):
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
