"""Pictures of the wall monitor's panels at 80x24, 160x48 and 240x67, from the sandbox's seed data on
a stopped clock; public mode; the offline and rate-limited banners.

Regenerate after an intended change with ``pytest tests/tui/test_monitor_snapshots.py
--snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import pytest
from monitor_data import seed_snapshot
from msgspec.structs import replace
from tui_data import NOW, FakeRefresher, frozen_clock, screen_text, wait_for

from okrt_tui.api.errors import NetworkError, RateLimited
from okrt_tui.sync.snapshot import Offline
from okrt_tui.tui.monitor.app import MonitorApp
from okrt_tui.views.rotation import MonitorOptions, parse_screens

SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((160, 48), id="160x48"),
    pytest.param((240, 67), id="240x67"),
]
#: A word each panel shows once it is drawn (tiles and cycles are mounted a frame later).
DRAWN = {"okrs": "Hire and onboard", "kpis": "Open customer", "risk": "off track", "reviews": "Mid-Year"}


def wall(panel: str, snapshot=None, *, public: bool = False) -> MonitorApp:
    """The monitor with ``panel`` first (the others after it, as the position in the top line shows)."""
    order = [panel, *(name for name in DRAWN if name != panel)]
    options = MonitorOptions(panels=parse_screens(",".join(order)), public=public)
    return MonitorApp(
        FakeRefresher(snapshot or seed_snapshot()), options=options, clock=frozen_clock, tick=None
    )


def drawn(panel: str):
    async def settle(pilot) -> None:
        await wait_for(pilot, lambda: DRAWN[panel] in screen_text(pilot.app), message=f"the {panel} panel")
        await pilot.pause()

    return settle


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("panel", list(DRAWN))
def test_panel(snap_compare, panel, size):
    assert snap_compare(wall(panel), terminal_size=size, run_before=drawn(panel))


@pytest.mark.parametrize("panel", ["okrs", "reviews"])
def test_public(snap_compare, panel):
    assert snap_compare(wall(panel, public=True), terminal_size=(160, 48), run_before=drawn(panel))


def test_offline_banner(snap_compare):
    seed = seed_snapshot()
    error = NetworkError("Cannot reach the server")
    offline = replace(
        seed,
        okrs=replace(seed.okrs, error=error, retry_at=NOW + 20),
        kpis=replace(seed.kpis, error=error, retry_at=NOW + 20),
        offline=Offline(since=NOW - 58, retry_at=NOW + 20),
    )
    assert snap_compare(wall("kpis", offline), terminal_size=(80, 24), run_before=drawn("kpis"))


def test_rate_limited_banner(snap_compare):
    seed = seed_snapshot()
    limited = RateLimited("Too many requests", retry_after=23)
    snapshot = replace(seed, okrs=replace(seed.okrs, error=limited, retry_at=NOW + 23))
    assert snap_compare(wall("okrs", snapshot), terminal_size=(80, 24), run_before=drawn("okrs"))
