"""The local database's notices (a file that cannot be used, history off), each said once as a toast.

The refresher keeps them in ``Snapshot.store_notices``, oldest first, and only ever appends; an app
remembers how many it has said. The dashboard and the wall monitor both run without the file when it
is broken or locked, and both must say so rather than go on silently.
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from okrt_tui.sync.snapshot import Snapshot


def say_store_notices(app: App[Any], snapshot: Snapshot, said: int) -> int:
    """Notifies the notices after the first ``said``; returns how many have been said now."""
    for notice in snapshot.store_notices[said:]:
        app.notify(notice, title="Local database", severity="warning", timeout=20, markup=False)
    return len(snapshot.store_notices)
