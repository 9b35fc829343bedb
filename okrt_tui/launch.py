"""Starting the dashboard: on the user's workspace, or on a private sandbox for the demo.

This is the only module outside ``okrt_tui.tui`` that brings in Textual, and only the commands that
open a screen call it. Start-up is arranged for speed: the dashboard's code (Textual and the screens,
~0.3 s to import) loads in a thread from the start, while the client's libraries are imported, the
session opened, the cached lists read and the refresher's first request sent, so the network and the
server work while the screen is being built. (Its modules import no cycle, so the two threads'
imports cannot deadlock on each other.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import os
import signal
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from okrt_tui import heap
from okrt_tui.config import Settings, UiSettings
from okrt_tui.paths import Dirs

if TYPE_CHECKING:
    from okrt_tui.session import Session


def run_dashboard(
    base_url: str,
    api_key: str,
    *,
    dirs: Dirs,
    settings: Settings | None = None,
    ui: UiSettings | None = None,
    workspace: str | None = None,
    headless: bool = False,
    debug: bool = False,
    on_hangup: Callable[[], object] | None = None,
) -> int:
    """Returns the dashboard's exit code (1 after a crash). ``headless`` runs without a terminal;
    ``on_hangup`` cleans up when the terminal closes (see ``_on_hangup``); ``ui`` stands in for
    ``settings.ui`` when there are no settings (the demo)."""
    with heap.starting_up():
        # The dashboard's code (Textual and the screens) loads in a thread from here on, while this one
        # imports the client's libraries and opens the session: much of an import is reading files.
        loading = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="okrt-import")
        tui = loading.submit(importlib.import_module, "okrt_tui.tui.app")
        loading.shutdown(wait=False)
        # Imported here, with the collector off (see okrt_tui.heap): the client's libraries are a
        # good part of what the dashboard imports.
        from okrt_tui.session import Session

        session = Session.open(
            base_url,
            api_key,
            dirs=dirs,
            workspace=workspace,
            polling_share=settings.polling_share if settings else 0.5,
        )
        ui = settings.ui if settings else ui or UiSettings()
        return asyncio.run(_run(session, tui, ui, headless, debug, on_hangup))


async def _run(
    session: Session,
    loading: concurrent.futures.Future[ModuleType],
    ui: UiSettings,
    headless: bool,
    debug: bool,
    on_hangup: Callable[[], object] | None,
) -> int:
    _on_hangup(on_hangup)
    session.refresher.start(visible_first=True)

    def first_shown() -> None:
        session.refresher.first_shown()
        heap.freeze_first_workspace()

    try:
        tui = await asyncio.wrap_future(loading)
        heap.freeze_imports()
        app = tui.OkrtApp(
            session.refresher,
            settings=ui,
            debug=debug,
            first_shown=first_shown,
            watch_budget=session.budget.watch_problem,
            deliveries=session.deliveries,
        )
        await app.run_async(headless=headless)
        return app.return_code or 0
    finally:
        await session.aclose()


def _on_hangup(cleanup: Callable[[], object] | None) -> None:
    """A closed terminal (SIGHUP) ends the program at once, as SIGHUP's default action would, but after
    ``cleanup`` (the demo stops its sandbox and removes its folder). Not through ``app.exit()``: there
    is no terminal left to restore, and Textual's output thread dies on its first write to a hung-up
    terminal, after which the app's next writes wait for it forever (seen: demos left running, each
    with its sandbox, after their tmux server was killed)."""
    hangup = getattr(signal, "SIGHUP", None)  # not on Windows
    if hangup is None:
        return

    def hang_up() -> None:
        try:
            if cleanup is not None:
                cleanup()
        finally:
            os._exit(128 + hangup)

    asyncio.get_running_loop().add_signal_handler(hangup, hang_up)


def run_demo(*, strict: bool, simulate: bool, debug: bool = False) -> int:
    """The sandbox and every file live in one temporary folder, removed on exit: the user's own
    config, keys, cache, log and rate ledger are never read or written."""
    from okrt_tui.logs import setup_logging
    from okrt_tui.sandbox.forked import demo_sandbox
    from okrt_tui.sandbox.keys import ACME_ADMIN_KEY

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="okrt-tui-demo-")))
        dirs = Dirs.for_root(root)
        # Its log too lives in the temporary folder, and goes with it (``--debug`` shows a crash).
        setup_logging(dirs.log_file, debug=debug)
        sandbox = stack.enter_context(
            demo_sandbox(root / "sandbox.sqlite3", strict=strict, simulate=simulate)
        )
        return run_dashboard(
            sandbox.base_url,
            ACME_ADMIN_KEY,
            dirs=dirs,
            ui=UiSettings(demo=True),
            workspace="Acme (demo sandbox)",
            debug=debug,
            on_hangup=stack.close,  # the same clean-up as on q: stop the sandbox, remove the folder
        )
