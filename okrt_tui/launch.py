"""Starting the dashboard: on the user's workspace, or on a private sandbox for the demo.

This is the only module outside ``okrt_tui.tui`` that imports Textual, and only the commands that open
a screen import it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from okrt_tui.config import Settings, UiSettings
from okrt_tui.paths import Dirs
from okrt_tui.session import Session


def run_dashboard(
    base_url: str,
    api_key: str,
    *,
    dirs: Dirs,
    settings: Settings | None = None,
    workspace: str | None = None,
) -> None:
    from okrt_tui.tui.app import OkrtApp

    session = Session.open(
        base_url,
        api_key,
        dirs=dirs,
        workspace=workspace,
        polling_share=settings.polling_share if settings else 0.5,
    )
    app = OkrtApp(session.refresher, settings=settings.ui if settings else UiSettings())
    try:
        app.run()
    finally:
        session.database.close()


def run_demo(*, strict: bool, simulate: bool) -> None:
    """The sandbox and every file live in one temporary folder, removed on exit: the user's own
    profiles, keys, cache and rate ledger are never read or written."""
    from okrt_tui.sandbox.seed import ACME_ADMIN_KEY
    from okrt_tui.sandbox.server import SandboxServer

    with tempfile.TemporaryDirectory(prefix="okrt-tui-demo-") as root:
        dirs = Dirs.for_root(Path(root))
        with SandboxServer(Path(root) / "sandbox.sqlite3", strict=strict, simulate=simulate) as server:
            run_dashboard(server.base_url, ACME_ADMIN_KEY, dirs=dirs, workspace="Acme (demo sandbox)")
