"""The offline state on every screen, on the real path (cache → refresher → screens), with the server down.

The base URL is the discard port (nothing listens): the refresher's first fetch is refused at once.
"""

from __future__ import annotations

import re
import time

from tui_data import screen_text, wait_for

from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.session import Session
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.widgets.status_bar import StatusBar

DOWN = "http://127.0.0.1:9/api/v1"
OFFLINE = re.compile(r"✖ offline since (\d\d:\d\d) · retrying (in \d+ s|now)")


async def test_every_screen_says_offline_since_when_and_when_it_retries(tmp_path):
    cached_at = time.time() - 23  # fresh: not yet due by the polling interval
    dirs = Dirs.for_root(tmp_path)
    database = Database(dirs.database_file(DOWN, ACME_ADMIN_KEY))
    cache = Cache(database)
    cache.save("okrs", b'[{"id": "o-1", "title": "Kept objective", "owner": "Alice"}]', cached_at)
    cache.save("kpis", b'[{"id": "k-1", "name": "Kept KPI", "current": 3, "target": 5}]', cached_at)
    cache.save("cycles", b'[{"id": "c-1", "name": "Kept cycle", "status": "active"}]', cached_at)
    database.close()
    session = Session.open(DOWN, ACME_ADMIN_KEY, dirs=dirs)
    app = OkrtApp(session.refresher)
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            for key, row in (("1", "Kept objective"), ("2", "Kept KPI"), ("3", "Kept cycle"), ("4", "")):
                await pilot.press(key)

                def offline_said() -> bool:
                    return OFFLINE.search(app.screen.query_one(StatusBar).text.plain) is not None

                await wait_for(pilot, offline_said, timeout=5, message=f"offline on screen {key}")
                bar = app.screen.query_one(StatusBar).text.plain
                found = OFFLINE.search(bar)
                offline = app.snapshot.offline
                assert found and offline is not None, bar
                assert found.group(1) == time.strftime("%H:%M", time.localtime(offline.since))
                assert "updated" in bar and "ago" in bar  # the cached data's age
                assert row in screen_text(app)
    finally:
        await session.aclose()
