"""A warm start: the cached lists on screen before the session is open, then live once it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from processes import start_script
from test_tui_fuzz import FakeDeliveries
from tui_data import NOW, OKRS, FakeRefresher, data_snapshot, frozen_clock, screen_text, table_keys

from okrt_tui.sandbox.server import SandboxServer
from okrt_tui.sync.opening import Opening
from okrt_tui.sync.snapshot import Feed
from okrt_tui.tui.app import OkrtApp


async def test_the_cached_lists_show_until_the_session_is_open_then_its_refresher_takes_over() -> None:
    cached = data_snapshot(okrs=Feed(items=OKRS, fetched_at=NOW - 7200, from_cache=True))
    opening = Opening(cached)
    app = OkrtApp(opening, clock=frozen_clock, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        assert table_keys(app) and "◌ cached" in screen_text(app) and "updated 2 h ago" in screen_text(app)
        await pilot.press("r", "2", "1")  # nothing to send yet: the session fetches every list as it opens
        assert "◌ cached" in screen_text(app)

        live, deliveries, said = FakeRefresher(cached), FakeDeliveries(), []
        opening.opened(live)  # type: ignore[arg-type]
        app.go_live(live, deliveries=deliveries, watch_budget=lambda say: said.append(say))
        await pilot.pause()
        assert live.callbacks and live.running and live.visible == ["okrs"]
        assert app.deliveries is deliveries and said  # the budget's problems are told on screen
        live.publish(data_snapshot())
        await pilot.pause()
        assert "● live" in screen_text(app) and "◌ cached" not in screen_text(app)


async def test_a_checkin_asked_for_before_the_session_is_open_opens_once_it_is() -> None:
    from okrt_tui.tui.forms.write_form import CheckinForm

    cached = data_snapshot(okrs=Feed(items=OKRS, fetched_at=NOW - 60, from_cache=True))
    opening = Opening(cached)
    app = OkrtApp(opening, clock=frozen_clock, live=False)
    async with app.run_test(size=(100, 30)) as pilot:
        highlighted = table_keys(app)[0]
        await pilot.press("c")  # within the half second before the session is open: nothing to write with
        await pilot.pause()
        assert not isinstance(app.screen, CheckinForm)
        live = FakeRefresher(cached)
        opening.opened(live)  # type: ignore[arg-type]
        app.go_live(live, deliveries=FakeDeliveries())
        await pilot.pause()
        assert isinstance(app.screen, CheckinForm)
        assert app.screen.okr.id == highlighted


# The dashboard as ``okrt-tui`` runs it (headless, on the sandbox), in a fresh interpreter: ``fill`` quits
# once the first objectives are shown (fetched, and so cached); ``broken`` cannot open its session;
# otherwise it quits once the app is live.
DASHBOARD = """
import json, sys
from pathlib import Path
from okrt_tui import heap
from okrt_tui.launch import run_dashboard
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.tui import app as tui

seen = {}
settled = heap.freeze_first_workspace
def first_shown():
    seen["session imported"] = "okrt_tui.session" in sys.modules
    settled()
    if sys.argv[3] == "fill":
        raise SystemExit
heap.freeze_first_workspace = first_shown
live = tui.OkrtApp.go_live
def go_live(app, refresher, **parts):
    seen["shown"] = {"cached": app.snapshot.okrs.from_cache, "objectives": len(app.snapshot.okrs.items or ())}
    live(app, refresher, **parts)
    seen["live on"] = type(refresher).__name__
    app.exit()
tui.OkrtApp.go_live = go_live
if sys.argv[3] == "broken":
    import okrt_tui.launch
    def broken(*args, **kwargs):
        raise RuntimeError("no session")
    okrt_tui.launch._session = broken
dirs = Dirs.for_root(Path(sys.argv[2]))
try:
    seen["code"] = run_dashboard(sys.argv[1], ACME_ADMIN_KEY, dirs=dirs, headless=True)
except SystemExit:
    pass
except RuntimeError as error:
    seen["raised"] = str(error)
print(json.dumps(seen))
"""


def dashboard(sandbox: SandboxServer, home: Path, mode: str) -> dict[str, Any]:
    process = start_script(DASHBOARD, sandbox.base_url, str(home), mode)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    seen: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return seen


@pytest.mark.slow
def test_a_warm_start_paints_the_cache_before_importing_the_session_then_goes_live(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    assert dashboard(sandbox, tmp_path, "fill") == {"session imported": True}  # nothing cached: at once
    sandbox.control.fault("slow", count=100, match="reads", seconds=30)  # no answer before the end
    seen = dashboard(sandbox, tmp_path, "warm")
    assert seen["session imported"] is False
    assert seen["shown"]["cached"] and seen["shown"]["objectives"] > 0
    assert seen["live on"] == "Refresher" and seen["code"] == 0


@pytest.mark.slow
def test_a_session_that_cannot_be_opened_after_the_cached_paint_fails_the_start(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    assert dashboard(sandbox, tmp_path, "fill") == {"session imported": True}
    seen = dashboard(sandbox, tmp_path, "broken")
    assert seen == {"session imported": False, "raised": "no session"}  # not left on the cache for good
