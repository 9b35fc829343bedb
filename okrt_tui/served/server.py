"""``okrt-tui monitor --serve``: the wall monitor in browsers, through textual-serve.

Each page that connects gets a monitor process of its own (textual-serve runs the command with
Textual's web driver and relays its terminal over a websocket); the monitors of one workspace poll as
one (``okrt_tui.sync.shared``), so ten screens cost the budget of one. What okrt-tui changes in
textual-serve's server:

- its own page (``templates/app_index.html``): every URL relative, so the page asks nothing of any
  other host (textual-serve's page loads its font from a web font service, and builds absolute URLs
  from the address it was started with, which a TV cannot use when that is ``0.0.0.0``), and a page
  that reconnects by itself;
- a monitor process that ends closes its page's connection (textual-serve's left the page open on the
  last picture when the process died without saying goodbye), so the page reconnects to a new one;
- stopping the server (Ctrl-C, SIGTERM) closes every page's connection and ends their monitors,
  instead of waiting a minute for connections that never end by themselves;
- only its own pages may connect (``Origin``, and ``Host`` on loopback: see ``MonitorServer``);
- the socket is bound before the URL is printed (``--port 0`` picks a free one), and nothing but
  that is printed; its log goes to okrt-tui's log file.

Some of this reaches into textual-serve's private parts (``Server._make_app`` and
``_process_messages``, ``AppService._process``), hence its exact pin in pyproject. Textual itself is
not imported here: the monitor processes import it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import shlex
import socket
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from okrt_tui.api.errors import InvalidInput
from okrt_tui.sandbox.sockets import bind, is_loopback, url_host

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
#: Seconds a monitor gets to quit when its page goes or the server stops, before it is killed.
QUIT_WAIT = 5.0


class _Monitor(AppService):
    """One page's monitor process."""

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            # However the process ended (q, a crash, killed), its page learns it now and reconnects.
            await self.remote_close()

    async def stop(self) -> None:
        """Asks the monitor to quit, and kills it if it has not within ``QUIT_WAIT`` (or if this is
        cancelled meanwhile: the server stopping cancels what its pages were doing)."""
        try:
            await asyncio.wait_for(super().stop(), QUIT_WAIT)
        except TimeoutError:
            log.warning("a served monitor did not quit within %.1f s; killing it", QUIT_WAIT)
        finally:
            process = self._process
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()


class MonitorServer(Server):
    """textual-serve's server with okrt-tui's page, and a clean end for every page's monitor.

    Only pages of its own may connect: a websocket is opened by any page in a browser, whatever its
    site, so a page from elsewhere (``Origin``) is refused, lest it read the dashboard from the
    browser of someone who can reach the monitor. On loopback, only the loopback names are served
    (``Host``), so that a site whose name was made to point at 127.0.0.1 (DNS rebinding) is refused
    too."""

    def __init__(
        self, command: Sequence[str], *, loopback: bool = True, title: str = "okrt-tui monitor"
    ) -> None:
        # ``exec``: the shell textual-serve starts becomes the monitor, so a kill reaches the monitor.
        super().__init__(f"exec {shlex.join(command)}", title=title, templates_path=TEMPLATES)
        self._loopback = loopback
        self._pages: dict[web.WebSocketResponse, _Monitor] = {}

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._only_its_own_pages)
        return app

    @web.middleware
    async def _only_its_own_pages(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if self._loopback and not is_loopback(request.url.host or ""):
            raise web.HTTPForbidden(text="This monitor answers on its loopback address only.")
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="Only the monitor's own page may connect to it.")
        return await handler(request)

    def initialize_logging(self) -> None:
        """Nothing on the terminal: textual-serve's records go to okrt-tui's log file."""

    async def on_startup(self, app: web.Application) -> None:
        """No banner: ``serve`` prints the URL once the socket is bound."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Every page's monitor ends, and every page is told, before the server goes."""
        pages = list(self._pages.items())
        await asyncio.gather(*(monitor.stop() for _, monitor in pages), return_exceptions=True)

        async def tell(websocket: web.WebSocketResponse) -> None:
            with contextlib.suppress(TimeoutError):  # a page that does not answer the goodbye
                await asyncio.wait_for(websocket.close(code=WSCloseCode.GOING_AWAY), 1.0)

        await asyncio.gather(*(tell(websocket) for websocket, _ in pages), return_exceptions=True)

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        return {"title": self.title, "font_size": to_int(request.query.get("fontsize", "16"), 16)}

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)

        async def close() -> None:
            await websocket.close()

        monitor = _Monitor(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        self._pages[websocket] = monitor
        try:
            await monitor.start(width, height)
            await self._process_messages(websocket, monitor)
        except Exception:
            log.exception("a served monitor's connection failed")
        finally:
            del self._pages[websocket]
            await monitor.stop()
            await websocket.close()
        return websocket


def page_url(host: str, port: int) -> str:
    """The URL to open: this machine's name when the server listens on every address."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    return f"http://{url_host(host)}:{port}/"


def serve(
    command: Sequence[str],
    *,
    host: str,
    port: int,
    env: Mapping[str, str] | None = None,
    public: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> None:
    """Serves ``command`` (an argv: each page runs it in a process of its own, with this process's
    environment and ``env``) until Ctrl-C or SIGTERM.

    The first line on ``out`` is exactly ``monitor: URL``, flushed once the socket listens. Listening
    anywhere but loopback earns a warning on ``err`` first: whoever reaches the address sees the
    dashboard (``public``: it already hides names and review content)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        sock = bind(host, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InvalidInput(
                f"Port {port} is in use on {host}: choose another with --port (0 picks a free one)."
            ) from None
        raise InvalidInput(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}): give an address of this machine "
            "with --host."
        ) from None
    os.environ.update(env or {})  # textual-serve gives each monitor a copy of this environment
    if not is_loopback(host):
        hide = "" if public else "; add --public in shared spaces to hide owners' names and review content"
        print(
            f"warning: the monitor listens on {host}, not on loopback: anyone who can reach this address "
            f"sees the dashboard{hide}.",
            file=err,
            flush=True,
        )
    print(f"monitor: {page_url(host, sock.getsockname()[1])}", file=out, flush=True)
    print("Each page runs a monitor of its own; they poll as one. Ctrl-C stops it.", file=out, flush=True)
    server = MonitorServer(command, loopback=is_loopback(host))
    with contextlib.suppress(KeyboardInterrupt):
        web.run_app(
            server._make_app(),
            sock=sock,
            print=None,
            access_log=None,
            shutdown_timeout=QUIT_WAIT + 1,
            handle_signals=True,
        )


def monitor_command(argv: Sequence[str], *, checked_readonly: bool = False) -> list[str]:
    """The command each page runs: this program as it was started (``argv``: its arguments), minus
    ``--serve``, ``--host`` and ``--port``; ``--demo`` too, since the pages share one demo sandbox;
    and ``--require-readonly`` when the server checked the key itself (once for every page)."""
    dropped = ("--serve", "--demo", "--require-readonly") if checked_readonly else ("--serve", "--demo")
    kept: list[str] = []
    arguments = iter(argv)
    for argument in arguments:
        if argument in ("--host", "--port"):
            next(arguments, None)
        elif argument not in dropped and not argument.startswith(("--host=", "--port=")):
            kept.append(argument)
    return [sys.executable, "-m", "okrt_tui", *kept]


@contextlib.contextmanager
def demo_environment() -> Iterator[dict[str, str]]:
    """``monitor --serve --demo``: one sandbox with simulated teammates for every page, and one
    temporary folder for their files (so they poll as one), removed at the end; the environment that
    points the pages' monitors at them, with the Acme read-only key. None of the user's files is
    read or written."""
    from okrt_tui.sandbox.forked import demo_sandbox
    from okrt_tui.sandbox.keys import ACME_READ_KEY

    with tempfile.TemporaryDirectory(prefix="okrt-tui-demo-") as folder:
        root = Path(folder)
        with demo_sandbox(root / "sandbox.sqlite3", simulate=True) as sandbox:
            kinds = ("config", "data", "state", "cache")
            places = {f"XDG_{kind.upper()}_HOME": str(root / kind) for kind in kinds}
            yield {"OKRT_BASE_URL": sandbox.base_url, "OKRT_API_KEY": ACME_READ_KEY, **places}
