"""Running the sandbox: in a background thread (``SandboxServer``, for tests), in a forked child
(``serve_socket``, for ``demo``: see ``forked``) or in the foreground (``serve_forever``, for
``okrt-tui serve``).

All bind and listen on the socket themselves before uvicorn starts (see ``sockets``), so port 0 gives
a free port that is known at once, and the URL can be used as soon as it is announced. Uvicorn's
``Server`` header is off in every mode; the ``Date`` header comes from the app, on the sandbox clock
(clients use it to notice clock skew).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import httpx
import uvicorn
from uvicorn.config import LOGGING_CONFIG

from okrt_tui.sandbox.app import SandboxApp, create_app
from okrt_tui.sandbox.keys import ALL_SCOPES, KEYS, WORKSPACES, key_hash
from okrt_tui.sandbox.protocol import REQUEST_TIMEOUT, Config
from okrt_tui.sandbox.sockets import bind, is_loopback, url_host

_STARTUP_TIMEOUT = 15.0


def _config(app: SandboxApp, host: str, port: int, *, log_config: Any, request_timeout: float) -> Config:
    return Config(  # h11, with a deadline per request; the drop fault closes this protocol's transport
        app,
        request_timeout=request_timeout,
        host=host,
        port=port,
        lifespan="on",
        log_level="warning",
        log_config=log_config,
        access_log=False,
        server_header=False,
        date_header=False,  # the app sends Date from the sandbox clock
        proxy_headers=False,
        timeout_graceful_shutdown=1,
    )


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")


class _Server(uvicorn.Server):
    """Uvicorn's server, woken at once by ``stop()`` instead of at its next 0.1 s tick."""

    _wakeup: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    #: The process that started this one (the forked demo sandbox): when it is gone, stop.
    parent: int | None = None

    async def on_tick(self, counter: int) -> bool:
        if self.parent is not None and os.getppid() != self.parent:
            self.should_exit = True
        return await super().on_tick(counter)

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wakeup = asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Uvicorn's shutdown, minus its fixed 0.1 s pauses (tests start and stop hundreds of sandboxes):
        stop listening, close idle connections, give answers in flight ``timeout_graceful_shutdown``
        seconds, then run the lifespan's shutdown."""
        state = getattr(self, "server_state", None)
        servers = getattr(self, "servers", None)
        lifespan = getattr(self, "lifespan", None)
        if state is None or servers is None or lifespan is None:
            await super().shutdown(sockets)  # a uvicorn unlike the one this was written for
            return
        for server in servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        while (state.connections or state.tasks) and loop.time() < deadline and not self.force_exit:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel()
        if not self.force_exit:
            await lifespan.shutdown()

    def stop_soon(self) -> None:
        """Thread-safe: asks the server to shut down now."""
        self.should_exit = True
        if self._loop is not None and self._wakeup is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._wakeup.set)


def _server_on(
    app: SandboxApp,
    sock: socket.socket,
    *,
    log_config: Any = None,
    request_timeout: float = REQUEST_TIMEOUT,
) -> _Server:
    """Uvicorn's server for ``app`` on the bound ``sock``; the app's background work (the simulated
    teammates) asks it whether it is stopping. Without ``log_config``, logging is left to the host
    program (the TUI logs to a file, tests capture), uvicorn's own at warnings and above. A request
    that has not arrived in full ``request_timeout`` seconds after the server began waiting for it
    loses its connection (see ``protocol``)."""
    if log_config is None:
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    host, port = sock.getsockname()[:2]
    server = _Server(_config(app, host, port, log_config=log_config, request_timeout=request_timeout))
    app.sandbox.is_stopping = lambda: server.should_exit
    return server


class SandboxControl:
    """The ``/_sandbox/`` endpoints, through plain synchronous httpx calls (for tests)."""

    def __init__(self, root_url: str) -> None:
        self.root_url = root_url
        self._client: httpx.Client | None = None

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        """The endpoint's JSON; each caller names the shape its endpoint answers with."""
        if self._client is None:
            self._client = httpx.Client(timeout=10, verify=False, trust_env=False)  # loopback, plain HTTP
        response = self._client.request(method, f"{self.root_url}/_sandbox/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def fault(
        self, kind: str, count: int = 1, match: str = "all", seconds: float | None = None
    ) -> dict[str, Any]:
        """Arms a fault for the next ``count`` matching requests (see ``faults``); ``seconds`` is sent
        only when given (the server's default is 5; for ``429`` it then sets ``Retry-After``)."""
        body: dict[str, Any] = {"kind": kind, "count": count, "match": match}
        if seconds is not None:
            body["seconds"] = seconds
        answer: dict[str, Any] = self._call("POST", "faults", body)
        return answer

    def clear_faults(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._call("POST", "faults", {"kind": "none"})
        return answer

    def set_clock(self, offset_seconds: float) -> dict[str, Any]:
        """Makes the sandbox clock run ``offset_seconds`` ahead of real time; returns its new ``now``."""
        answer: dict[str, Any] = self._call("POST", "clock", {"offset_seconds": offset_seconds})
        return answer

    def clock(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._call("GET", "clock")
        return answer

    def writes(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self._call("GET", "writes")
        return answer

    def requests(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = self._call("GET", "requests")
        return answer

    def requests_of(self, key: str) -> int:
        """How many requests the server counted against ``key``, in every window it remembers."""
        return sum(row["count"] for row in self.requests() if row["key_hash"] == key_hash(key))


class SandboxServer:
    """A sandbox on a loopback port, in a daemon thread: ``with SandboxServer() as s: s.base_url``."""

    def __init__(
        self,
        db_path: Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 1,
        strict: bool = False,
        control: bool = False,
        simulate: bool = False,
        every: float = 5.0,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.host = host
        self.request_timeout = request_timeout
        self.port = port
        self.seed = seed
        self.strict = strict
        self.control_enabled = control
        self.simulate = simulate
        self.every = every
        self._temporary = db_path is None
        self.db_path = Path(db_path) if db_path is not None else None
        self.app: SandboxApp | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._root_url: str | None = None
        self._control: SandboxControl | None = None

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``: where ``/_sandbox/`` lives."""
        if self._root_url is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._root_url

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v1``: the API's base URL."""
        return f"{self.root_url}/api/v1"

    @property
    def control(self) -> SandboxControl:
        """Helpers for ``/_sandbox/`` (the server must run with ``control=True``)."""
        if self._control is None:
            self._control = SandboxControl(self.root_url)
        return self._control

    def start(self) -> str:
        """Starts the server; returns the base URL once it accepts connections."""
        if self._thread is not None:
            return self.base_url
        if self.db_path is None:
            fd, name = tempfile.mkstemp(prefix="okrt-sandbox-", suffix=".sqlite3")
            os.close(fd)
            self.db_path = Path(name)
        try:
            port = self._launch()
        except BaseException:
            self.stop()
            raise
        self._root_url = f"http://{url_host(self.host)}:{port}"
        return self.base_url

    def _launch(self) -> int:
        assert self.db_path is not None
        self.app = create_app(
            self.db_path,
            strict=self.strict,
            control=self.control_enabled,
            simulate=self.simulate,
            every=self.every,
            seed=self.seed,
        )
        sock = bind(self.host, self.port)
        port: int = sock.getsockname()[1]
        server = self._server = _server_on(self.app, sock, request_timeout=self.request_timeout)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), name=f"okrt-sandbox-{port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError("the sandbox did not start")
            time.sleep(0.005)
        return port

    def stop(self) -> None:
        """Stops the server (in-flight answers get a second to finish) and removes a temporary database."""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._server is not None:
            self._server.stop_soon()
        if self._thread is not None:
            self._thread.join(timeout=5)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(timeout=5)
        if self.app is not None:
            self.app.sandbox.db.close()
        if self._temporary and self.db_path is not None:
            _remove_db(self.db_path)
            self.db_path = None
        self._server = self._thread = self.app = None
        self._root_url = None

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def keys_table() -> str:
    """The fixed keys, their workspace and scopes, as ``serve`` prints them."""
    rows = [("key", "workspace", "scopes")]
    for key in KEYS.values():
        scopes = (
            "revoked: every request gets 401"
            if key.revoked
            else " ".join(s for s in ALL_SCOPES if s in key.scopes) or "(none)"
        )
        rows.append((key.key, WORKSPACES[key.workspace], scopes))
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(f"{k:<{widths[0]}}  {w:<{widths[1]}}  {s}" for k, w, s in rows)


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    db_path: Path | None = None,
    *,
    seed: int = 1,
    strict: bool = False,
    control: bool = False,
    simulate: bool = False,
    every: float = 5.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> None:
    """``okrt-tui serve``: runs the sandbox in the foreground until Ctrl-C (or SIGTERM).

    The first line on ``out`` is exactly ``sandbox: http://HOST:PORT/api/v1``, flushed at once; the keys
    follow. Without ``db_path`` the data lives in a temporary file, removed on exit; with it, an existing
    database is reused as it is. Returns normally after Ctrl-C, with no traceback.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    temporary = db_path is None
    if db_path is None:
        fd, name = tempfile.mkstemp(prefix="okrt-sandbox-", suffix=".sqlite3")
        os.close(fd)
        db_path = Path(name)
    app: SandboxApp | None = None
    restore: list[tuple[int, Any]] = []
    try:
        app = create_app(db_path, strict=strict, control=control, simulate=simulate, every=every, seed=seed)
        sock = bind(host, port)
        root = f"http://{url_host(host)}:{sock.getsockname()[1]}"
        server = _server_on(app, sock, log_config=LOGGING_CONFIG)
        if threading.current_thread() is threading.main_thread():
            # Until uvicorn installs its own handlers (and after it restores these), Ctrl-C asks the
            # server to stop instead of raising KeyboardInterrupt in the middle of asyncio's start-up.
            def stop(signum: int, frame: object) -> None:
                server.should_exit = True

            restore = [(sig, signal.signal(sig, stop)) for sig in (signal.SIGINT, signal.SIGTERM)]
        if not is_loopback(host):
            print(
                f"warning: the sandbox listens on {host}, not on loopback: other machines can reach it, "
                "and its keys are public.",
                file=err,
                flush=True,
            )
        print(f"sandbox: {root}/api/v1", file=out, flush=True)
        print(keys_table(), file=out)
        modes = [
            "strict: documented fields and headers only" if strict else "extension fields on (--strict: off)"
        ]
        if simulate:
            modes.append(f"simulated teammates act every {every:g} s")
        if control:
            modes.append(f"control endpoints: {root}/_sandbox/ (faults, writes, clock, requests)")
        print("\n".join(modes), file=out)
        print("Ctrl-C stops it.", file=out, flush=True)
        if server.should_exit:  # stopped before it started
            sock.close()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:  # a Ctrl-C that still slipped through: stop quietly all the same
        pass
    finally:
        for sig, handler in restore:
            signal.signal(sig, handler)
        if app is not None:
            app.sandbox.db.close()
        if temporary:
            _remove_db(db_path)


def serve_socket(
    sock: socket.socket, db_path: Path, *, strict: bool = False, simulate: bool = False, parent: int
) -> None:
    """Serves on ``sock`` (bound and listening) until SIGTERM, or until process ``parent`` is gone: the
    demo's sandbox in its forked child (see ``forked``)."""
    app = create_app(db_path, strict=strict, simulate=simulate)
    server = _server_on(app, sock)
    server.parent = parent
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        app.sandbox.db.close()
