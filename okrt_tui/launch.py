"""Starting the dashboard: on the user's workspace, or on a private sandbox for the demo.

This is the only module outside ``okrt_tui.tui`` that brings in Textual, and only the commands that
open a screen call it. Start-up is arranged for speed: the app's code (Textual and the screens, ~0.3 s
to import) loads in a thread from the start. With objectives in the local cache (a warm start), the
main thread meanwhile reads the cached lists (SQLite and msgspec only: ``okrt_tui.sync.opening``), the
app paints them, and only then is the session (httpx, the budget and its ledger, the refresher, the
outbox) imported and opened, in a thread, and the app goes live on it (``OkrtApp.go_live``). Without
them (a first start, and the wall monitor), the main thread imports and opens the session at once, and
the refresher's first request goes out while the screen is being built, so the network and the server
work meanwhile. (Its modules import no cycle, so the two threads' imports cannot deadlock on each
other.)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import os
import signal
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NamedTuple

from okrt_tui import heap
from okrt_tui.config import Settings, UiSettings
from okrt_tui.paths import Dirs, workspace_label
from okrt_tui.store.db import Database
from okrt_tui.sync.opening import Opening, cached_snapshot
from okrt_tui.views.rotation import MONITOR_SHARE, MonitorOptions

if TYPE_CHECKING:
    from okrt_tui.session import Session


class _Door(NamedTuple):
    """What differs between the dashboard and the wall monitor at start-up: the module of the app (it
    loads in a thread), how the app is made, and the lists the refresher polls (None: all)."""

    module: str
    make: Callable[[ModuleType, Session, Callable[[], None]], Any]
    feeds: Sequence[str] | None = None
    #: The monitors of a workspace poll as one (okrt_tui.sync.shared); the dashboard polls on its own.
    poll_as_one: bool = False


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
    chosen = settings.ui if settings else ui or UiSettings()

    def make(tui: ModuleType, session: Session, first_shown: Callable[[], None]) -> Any:
        return tui.OkrtApp(
            session.refresher,
            settings=chosen,
            debug=debug,
            first_shown=first_shown,
            forms_built=heap.freeze_forms,
            watch_budget=session.budget.watch_problem,
            deliveries=session.deliveries,
        )

    door = _Door("okrt_tui.tui.app", make)
    share = settings.polling_share if settings else 0.5
    label = workspace or workspace_label(base_url)
    with heap.starting_up():
        loading = _load(door.module)
        database = Database(dirs.database_file(base_url, api_key))
        cached = cached_snapshot(database, label)
        if cached.okrs.items is None:
            # Nothing to show before the first answer: the session opens now, its request goes out.
            session = _session(door, base_url, api_key, dirs, share, label, database)
            return asyncio.run(_run(session, loading, door, headless, on_hangup, None))

        def open_session() -> Session:
            return _session(door, base_url, api_key, dirs, share, label, database)

        def make_cached(tui: ModuleType, opening: Opening, first_shown: Callable[[], None]) -> Any:
            return tui.OkrtApp(
                opening,
                settings=chosen,
                debug=debug,
                first_shown=first_shown,
                forms_built=heap.freeze_forms,
                live=False,
            )

        run = _run_cached(Opening(cached), database, loading, make_cached, open_session, headless, on_hangup)
        return asyncio.run(run)


def run_monitor(
    base_url: str,
    api_key: str,
    *,
    dirs: Dirs,
    options: MonitorOptions,
    kpi_directions: Mapping[str, str] | None = None,
    polling_share: float = MONITOR_SHARE,
    workspace: str | None = None,
    headless: bool = False,
    debug: bool = False,
    on_hangup: Callable[[], object] | None = None,
) -> int:
    """The wall monitor: read-only (the outbox's deliveries never run), polling only the lists its
    panels show. With ``options.require_readonly`` a key that can write is refused first
    (``api.scopes.ReadWriteKey``), found by two requests that cannot record anything (``api.scopes``)."""
    from okrt_tui.views.rotation import PANEL_FEEDS

    feeds = {feed for panel in options.panels for feed in PANEL_FEEDS[panel.name]}

    def make(tui: ModuleType, session: Session, first_shown: Callable[[], None]) -> Any:
        return tui.MonitorApp(
            session.refresher,
            options=options,
            configured=dict(kpi_directions or {}),
            debug=debug,
            first_shown=first_shown,
        )

    door = _Door("okrt_tui.tui.monitor.app", make, tuple(feeds), poll_as_one=True)
    check = _refuse_writers if options.require_readonly else None
    return _open(door, base_url, api_key, dirs, polling_share, workspace, headless, on_hangup, check)


def _open(
    door: _Door,
    base_url: str,
    api_key: str,
    dirs: Dirs,
    polling_share: float,
    workspace: str | None,
    headless: bool,
    on_hangup: Callable[[], object] | None,
    check: Callable[[Session], Awaitable[None]] | None = None,
) -> int:
    with heap.starting_up():
        loading = _load(door.module)
        session = _session(door, base_url, api_key, dirs, polling_share, workspace)
        return asyncio.run(_run(session, loading, door, headless, on_hangup, check))


def _load(module: str) -> concurrent.futures.Future[ModuleType]:
    """``module`` (the app's code: Textual and the screens), imported in a thread from here on, while
    this one reads the cache or imports the client's libraries and opens the session: much of an
    import is reading files."""
    loading = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="okrt-import")
    future = loading.submit(importlib.import_module, module)
    loading.shutdown(wait=False)
    return future


def _session(
    door: _Door,
    base_url: str,
    api_key: str,
    dirs: Dirs,
    polling_share: float,
    workspace: str | None,
    database: Database | None = None,
) -> Session:
    # Imported here, with the collector off (see okrt_tui.heap) as long as it is: the client's libraries
    # are a good part of what the dashboard imports.
    from okrt_tui.session import Session

    return Session.open(
        base_url,
        api_key,
        dirs=dirs,
        workspace=workspace,
        polling_share=polling_share,
        feeds=door.feeds,
        poll_as_one=door.poll_as_one,
        database=database,
    )


async def _run(
    session: Session,
    loading: concurrent.futures.Future[ModuleType],
    door: _Door,
    headless: bool,
    on_hangup: Callable[[], object] | None,
    check: Callable[[Session], Awaitable[None]] | None,
) -> int:
    try:
        if check is not None:
            await check(session)
        _on_hangup(on_hangup)
        session.refresher.start(visible_first=True)

        def first_shown() -> None:
            session.refresher.first_shown()
            heap.freeze_first_workspace()

        tui = await asyncio.wrap_future(loading)
        heap.freeze_imports()
        app = door.make(tui, session, first_shown)
        await app.run_async(headless=headless)
        return app.return_code or 0
    finally:
        await session.aclose()


async def _run_cached(
    opening: Opening,
    database: Database,
    loading: concurrent.futures.Future[ModuleType],
    make: Callable[[ModuleType, Opening, Callable[[], None]], Any],
    open_session: Callable[[], Session],
    headless: bool,
    on_hangup: Callable[[], object] | None,
) -> int:
    """The app on the cached lists (``opening``); once they are painted, the session is imported and
    opened in a thread (the screen stays responsive meanwhile), and the app goes live on it. ``database``
    is the session's, closed with it (or alone, when the app ended before the session was open)."""
    session: Session | None = None
    going_live: set[asyncio.Task[None]] = set()
    try:
        _on_hangup(on_hangup)

        async def go_live() -> None:
            nonlocal session
            try:
                session = await asyncio.to_thread(open_session)
            except BaseException:
                app.exit(return_code=1)  # raised again once the app has ended, as without a cache
                raise
            if app.is_running:
                refresher, watch = session.refresher, session.budget.watch_problem
                opening.opened(refresher)
                app.go_live(refresher, deliveries=session.deliveries, watch_budget=watch)

        def first_shown() -> None:
            heap.freeze_first_workspace()
            going_live.add(asyncio.ensure_future(go_live()))

        tui = await asyncio.wrap_future(loading)
        heap.freeze_imports()
        app = make(tui, opening, first_shown)
        await app.run_async(headless=headless)
        return app.return_code or 0
    finally:
        if going_live:  # a session being opened is waited for, and closed
            await asyncio.wait(going_live)
        if session is not None:
            await session.aclose()
        else:
            database.close()
        for task in going_live:
            task.result()  # a session that could not be opened fails the start


async def _refuse_writers(session: Session) -> None:
    from okrt_tui.api.scopes import refuse_writers

    await refuse_writers(session.client)


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


@contextmanager
def _demo(*, strict: bool, simulate: bool, debug: bool) -> Iterator[tuple[str, Dirs, ExitStack]]:
    """The sandbox and every file in one temporary folder, removed on exit: the user's own config,
    keys, cache, log and rate ledger are never read or written. Yields the sandbox's URL, the folder's
    directories, and the clean-up (for ``on_hangup``)."""
    from okrt_tui.logs import setup_logging
    from okrt_tui.sandbox.forked import demo_sandbox

    with ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="okrt-tui-demo-")))
        dirs = Dirs.for_root(root)
        # Its log too lives in the temporary folder, and goes with it (``--debug`` shows a crash).
        setup_logging(dirs.log_file, debug=debug)
        sandbox = stack.enter_context(
            demo_sandbox(root / "sandbox.sqlite3", strict=strict, simulate=simulate)
        )
        yield sandbox.base_url, dirs, stack


DEMO_WORKSPACE = "Acme (demo sandbox)"


def run_demo(*, strict: bool, simulate: bool, debug: bool = False) -> int:
    from okrt_tui.sandbox.keys import ACME_ADMIN_KEY

    with _demo(strict=strict, simulate=simulate, debug=debug) as (base_url, dirs, stack):
        return run_dashboard(
            base_url,
            ACME_ADMIN_KEY,
            dirs=dirs,
            ui=UiSettings(demo=True),
            workspace=DEMO_WORKSPACE,
            debug=debug,
            on_hangup=stack.close,  # the same clean-up as on q: stop the sandbox, remove the folder
        )


def run_monitor_demo(options: MonitorOptions, *, debug: bool = False) -> int:
    """The monitor on the demo's sandbox, with simulated teammates, on the Acme read-only key: a wall
    display needs no more (so ``--require-readonly`` passes, as it should on a real wall)."""
    from okrt_tui.sandbox.keys import ACME_READ_KEY

    with _demo(strict=False, simulate=True, debug=debug) as (base_url, dirs, stack):
        return run_monitor(
            base_url,
            ACME_READ_KEY,
            dirs=dirs,
            options=options,
            workspace=DEMO_WORKSPACE,
            debug=debug,
            on_hangup=stack.close,
        )
