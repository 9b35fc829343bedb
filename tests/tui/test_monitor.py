"""The wall monitor in a pilot: its keys, the rotation on a controlled clock, pause, public mode, the
banners over the last data, and data as ``serve --strict`` sends it. No sleeps: the clock is a list
the test moves, and ``tick`` is called as the app's one-second timer would."""

from __future__ import annotations

import pytest
from monitor_data import seed_snapshot
from msgspec.structs import replace
from tui_data import NOW, FakeRefresher, screen_text, wait_for

from okrt_tui.api.errors import NetworkError, RateLimited
from okrt_tui.sync.snapshot import Feed, Offline
from okrt_tui.tui.monitor.app import MonitorApp
from okrt_tui.tui.monitor.panels import Panel
from okrt_tui.views.rotation import MonitorOptions, parse_screens
from okrt_tui.views.wall import NO_KEY_RESULTS

SIZE = (100, 30)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def seed():
    return seed_snapshot()


@pytest.fixture(scope="module")
def strict_seed():
    return seed_snapshot(strict=True)


def monitor(snapshot, clock=None, **options) -> tuple[MonitorApp, FakeRefresher]:
    fake = FakeRefresher(snapshot)
    app = MonitorApp(fake, options=MonitorOptions(**options), clock=clock or Clock(), tick=None)
    return app, fake


def top_line(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_arrows_change_panel_and_the_refresher_polls_what_it_shows(seed):
    app, fake = monitor(seed)
    async with app.run_test(size=SIZE) as pilot:
        assert "Objectives (1/4)" in top_line(app)
        assert fake.visible[-1] == "okrs"
        await pilot.press("right")
        await wait_for(pilot, lambda: "KPIs (2/4)" in top_line(app))
        assert fake.visible[-1] == "kpis"
        await pilot.press("left", "left")
        await wait_for(pilot, lambda: "Reviews (4/4)" in top_line(app))
        assert fake.visible[-1] == "cycles"
        assert "Q2 2026 Mid-Year Review" in screen_text(app)


async def test_panels_rotate_on_the_clock_each_with_its_own_dwell(seed):
    clock = Clock()
    app, _ = monitor(seed, clock, panels=parse_screens("okrs:30,risk:10"))
    async with app.run_test(size=SIZE) as pilot:
        clock.now += 29
        app.tick()
        await pilot.pause()
        assert "Objectives (1/2)" in top_line(app)
        assert "next: At risk now in 5 s" in screen_text(app)  # the countdown moves in steps of 5 s
        clock.now += 1
        app.tick()
        await wait_for(pilot, lambda: "At risk now (2/2)" in top_line(app))
        assert "next: Objectives in 10 s" in screen_text(app)
        clock.now += 10
        app.tick()
        await wait_for(pilot, lambda: "Objectives (1/2)" in top_line(app))


async def test_space_pauses_the_rotation_and_says_so(seed):
    clock = Clock()
    app, _ = monitor(seed, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")
        await pilot.pause()
        assert "⏸ paused" in top_line(app)
        assert "⏸ paused · space resumes" in screen_text(app)
        clock.now += 600
        app.tick()
        await pilot.pause()
        assert "Objectives (1/4) · ⏸ paused" in top_line(app)
        await pilot.press("space")
        await pilot.pause()
        assert "paused" not in screen_text(app)
        clock.now += 20
        app.tick()
        await wait_for(pilot, lambda: "KPIs (2/4)" in top_line(app))


async def test_the_top_lines_change_together_every_5_s_without_redrawing_the_panel(seed, monkeypatch):
    clock = Clock()
    app, _ = monitor(seed, clock, panels=parse_screens("okrs:120,kpis"))
    painted = []
    original = Panel.paint
    monkeypatch.setattr(Panel, "paint", lambda self, *a: (painted.append(self.id), original(self, *a))[1])
    async with app.run_test(size=SIZE) as pilot:
        app.tick()  # the first, with the widths laid out
        await pilot.pause()
        before = len(painted)
        chrome = (top_line(app), screen_text(app).splitlines()[1])
        assert chrome[0].endswith("updated 4 s ago  12:00")
        assert "next: KPIs in 2 min " in chrome[1]
        for _ in range(4):  # 4 s: nothing on screen changes
            clock.now += 1
            app.tick()
        await pilot.pause()
        assert (top_line(app), screen_text(app).splitlines()[1]) == chrome
        clock.now += 1
        app.tick()
        await pilot.pause()
        assert top_line(app).endswith("updated 9 s ago  12:00")
        assert "next: KPIs in 1 min 55 s " in screen_text(app).splitlines()[1]
        clock.now += 55
        app.tick()
        await pilot.pause()
        assert top_line(app).endswith("updated 1 min ago  12:01")
        assert len(painted) == before


async def test_kpi_tiles_page_through_the_rest_on_later_turns(seed):
    clock = Clock()
    app, _ = monitor(seed, clock, panels=parse_screens("kpis"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "page 1 of 3" in screen_text(app))
        await wait_for(pilot, lambda: "Open customer-facing" in screen_text(app))
        clock.now += 20
        app.tick()
        await wait_for(pilot, lambda: "page 2 of 3" in screen_text(app))
        await wait_for(pilot, lambda: "Logo churn rate" in screen_text(app))
        assert "Open customer-facing" not in screen_text(app)


@pytest.mark.parametrize("public", [False, True])
async def test_public_shows_no_owner_and_no_review_content(seed, public):
    app, _ = monitor(seed, public=public)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert "Hire and onboard great people" in screen_text(app)
        assert ("Hannah Weiss" in screen_text(app)) is not public
        await pilot.press("left")
        await wait_for(pilot, lambda: "Reviews (4/4)" in top_line(app))
        text = screen_text(app)
        assert "Q2 2026 Mid-Year Review" in text
        assert ("Zara Ahmed" in text) is not public


async def test_offline_banner_over_the_last_good_data(seed):
    app, fake = monitor(seed)
    async with app.run_test(size=SIZE) as pilot:
        error = NetworkError("Cannot reach the server")
        offline = replace(
            seed,
            okrs=replace(seed.okrs, error=error, retry_at=NOW + 20),
            offline=Offline(since=NOW - 58, retry_at=NOW + 20),
        )
        fake.publish(offline)
        await wait_for(pilot, lambda: "offline since" in screen_text(app))
        text = screen_text(app)
        assert "✖ offline since 11:59, retrying in 20 s · showing the data of 11:59" in text
        assert "Hire and onboard great people" in text  # the last data stays
        fake.publish(seed)
        await wait_for(pilot, lambda: "offline" not in screen_text(app), message="the banner to go")


async def test_rate_limited_banner(seed):
    app, fake = monitor(seed)
    async with app.run_test(size=SIZE) as pilot:
        limited = RateLimited("Too many requests", retry_after=23)
        fake.publish(replace(seed, okrs=replace(seed.okrs, error=limited, retry_at=NOW + 23)))
        await wait_for(pilot, lambda: "rate limited" in screen_text(app))
        assert "▲ rate limited: the server asks to wait, retrying in 23 s" in screen_text(app)


async def test_strict_data_has_no_key_results_and_no_kpi_direction(strict_seed):
    assert all(okr.key_results is None for okr in strict_seed.okrs.items)
    assert all(kpi.direction is None for kpi in strict_seed.kpis.items)
    app, _ = monitor(strict_seed, panels=parse_screens("risk,kpis"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: NO_KEY_RESULTS in screen_text(app))
        assert "✖ off track" in screen_text(app)
        await pilot.press("right")
        await wait_for(pilot, lambda: "KPIs (2/2)" in top_line(app))
        await wait_for(pilot, lambda: "Open customer-facing" in screen_text(app))
        assert "target ≤ 40*" in screen_text(app)  # the better way inferred from the server's status


@pytest.mark.parametrize("panel", ["okrs", "risk"])
async def test_nothing_yet_then_the_first_data(seed, panel):
    app, fake = monitor(
        replace(seed, okrs=Feed(loading=True), kpis=Feed(loading=True), cycles=Feed()),
        panels=parse_screens(panel),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "not updated yet" in top_line(app)
        assert "waiting for the first data" in screen_text(app)
        assert "on track" not in screen_text(app) and "Nothing at risk" not in screen_text(app)
        fake.publish(seed)
        await wait_for(pilot, lambda: "Hire and onboard great people" in screen_text(app))


async def test_data_that_arrived_before_the_app_was_mounted_is_shown(seed):
    """launch.py starts fetching before the app exists: a snapshot published before it subscribed."""
    app, fake = monitor(replace(seed, okrs=Feed(loading=True)))
    fake.publish(seed)  # nobody has subscribed yet
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Hire and onboard great people" in screen_text(app))
        assert "updated 4 s ago" in top_line(app)


async def test_a_resize_shows_more_tiles_rather_than_bigger_ones(seed):
    app, _ = monitor(seed, panels=parse_screens("kpis"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "page 1 of 3" in screen_text(app))
        await pilot.resize_terminal(240, 67)
        await wait_for(pilot, lambda: "Signups per week" in screen_text(app))
        text = screen_text(app)
        assert "page" not in text.splitlines()[2]
        # The first and the last of the 16, worst status first: all on one page.
        assert "Open customer-facing" in text and "Signups per week" in text


async def test_only_the_monitors_keys_are_bound():
    app, _ = monitor(seed_snapshot())
    ids = {binding.id for binding in app.BINDINGS}  # type: ignore[union-attr]
    assert ids == {"okrt.monitor.pause", "okrt.monitor.previous", "okrt.monitor.next", "okrt.quit"}


async def test_a_health_of_zero_is_shown_as_0_on_a_narrow_board_not_as_missing(seed):
    okrs = seed.okrs.items
    worst = next(okr for okr in okrs if okr.type in ("org", "team") and okr.cycle == okrs[0].cycle)
    zeroed = tuple(replace(okr, health_score=0) if okr is worst else okr for okr in okrs)
    app, _ = monitor(replace(seed, okrs=replace(seed.okrs, items=zeroed)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = next(line for line in screen_text(app).splitlines() if worst.title[:20] in line)
        assert " 0 " in row and "—" not in row, row


async def test_a_broken_local_database_is_said_once_on_the_wall(seed):
    said = "The local database cannot be used (it is not a database): running without history."
    app, fake = monitor(replace(seed, store_notices=(said,)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        fake.publish(replace(seed, store_notices=(said,), taken_at=seed.taken_at + 1))
        await pilot.pause()
        assert [n.message for n in app._notifications] == [said]
