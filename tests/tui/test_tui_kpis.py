"""The KPI screens as a user reads them: the list's sparklines, changes and projections, and the
detail's chart with dated axes, ticks written like the header, the target's place and the range key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from msgspec.structs import replace
from tui_data import (
    KPI_SEEN,
    KPIS,
    NOW,
    OKR_PROGRESS_SEEN,
    FakeRefresher,
    data_snapshot,
    frozen_clock,
    screen_text,
    show_all_cycles,
    wait_for,
)

from okrt_tui.api.models import Kpi
from okrt_tui.sync.snapshot import Feed, KpiPoint
from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.screens.kpi_detail import KpiScreen
from okrt_tui.tui.widgets.kpi_chart import KpiChart

DAY = 86400.0
HOUR = 3600.0


def row_of(app, name: str) -> str:
    return next(line for line in screen_text(app).splitlines() if name in line)


def daily(*values: float, last_days_ago: float = 0.0) -> tuple[KpiPoint, ...]:
    last = last_days_ago + len(values) - 1
    return tuple(KpiPoint(NOW - (last - i) * DAY, float(v)) for i, v in enumerate(values))


async def test_at_80_columns_the_sparkline_and_the_last_change_show_and_the_rest_gives_way():
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        header = row_of(app, "Current")
        assert "Recent" in header and "Change" in header
        assert "Updated" not in header and "7 days" not in header and "At this pace" not in header
        # Five values seen (3,721 once, though seen twice), lowest to highest; +89 since 3,632.
        assert "▁▃▆▇█  ↑ +89" in row_of(app, "Weekly Active Users")
        assert row_of(app, "Monthly recurring").rstrip().endswith("·  ·")  # nothing seen yet
        assert "Support first resp" in row_of(app, "Support first")  # names keep their room


@pytest.mark.parametrize("size", [(120, 30), (160, 40)], ids=["120x30", "160x40"])
async def test_wider_the_change_over_7_days_and_the_projection_join(size):
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=size) as pilot:
        await pilot.press("2")
        header = row_of(app, "Current")
        assert "pdated" in header and "7 days" in header and "At this pace" in header
        # 3,500 held 7 days ago; 3,300 to 3,721 over 25 days, steadily: 4,500 on 20 Jun at that pace.
        assert row_of(app, "Weekly Active Users").rstrip().endswith("↑ +89   ↑ +221  20 Jun")
        # Unchanged for 16 days (its last update): no change over the week, and no pace to project.
        assert row_of(app, "Monthly recurring").rstrip().endswith("·       → 0     ·")


async def test_reached_off_pace_and_unsteady_read_in_the_list_and_in_the_detail():
    kpis = (
        Kpi(id="up", name="Reached already", current=120, target=100, unit="x", direction="increase"),
        Kpi(id="down", name="Sliding away", current=60, target=100, unit="x", direction="increase"),
        Kpi(id="wild", name="Swinging about", current=160, target=300, unit="x", direction="increase"),
        Kpi(id="bugs", name="Open bugs", current=20, target=10, unit="bugs", direction="decrease"),
    )
    seen = {
        "up": daily(90, 100, 110, 120),
        "down": daily(90, 80, 70, 60),
        "wild": daily(100, 180, 90, 170, 110, 160),
        "bugs": daily(40, 35, 30, 25, 20),  # -5 a day: 10 in two days
    }
    fake = FakeRefresher(data_snapshot(kpis=Feed(items=kpis, fetched_at=NOW), kpi_seen=seen))
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        assert row_of(app, "Reached already").rstrip().endswith("✓ reached")
        assert row_of(app, "Sliding away").rstrip().endswith("off pace")
        assert row_of(app, "Swinging about").rstrip().endswith("·")
        assert row_of(app, "Open bugs").rstrip().endswith("8 May")  # lower is better, falling to it
        app.screen.query_one("#table").move_to_key("down")
        await pilot.press("enter")
        assert "off pace: moving away from the target" in screen_text(app)
        await pilot.press("escape")
        app.screen.query_one("#table").move_to_key("wild")
        await pilot.press("enter")
        assert "no projection: the values are not steady" in screen_text(app)


async def test_a_refresh_with_a_new_value_moves_the_sparkline_and_the_changes():
    fake = FakeRefresher()
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        before = row_of(app, "Weekly Active Users")
        moved = replace(KPIS[0], current=3650, last_updated="2026-05-06T11:59:00Z")
        seen = {**KPI_SEEN, "kpi-1": (*KPI_SEEN["kpi-1"], KpiPoint(NOW - 60, 3650.0))}
        fake.publish(data_snapshot(kpis=Feed(items=(moved, *KPIS[1:]), fetched_at=NOW), kpi_seen=seen))
        await pilot.pause()
        after = row_of(app, "Weekly Active Users")
        assert "▁▃▆▇█" in before and "▁▃▆▇█▇" in after  # down a little, from the top
        assert "↓ -71" in after and "↑ +150" in after  # since 3,721, and since 3,500 a week ago


async def test_t_cycles_the_range_and_the_dates_under_the_chart_follow_it():
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "enter")
        screen = app.screen
        assert isinstance(screen, KpiScreen) and screen.range_name == "30d"
        text = screen_text(app)
        assert (
            "(0 = now)" not in text and "minutes" not in text and "days" not in text.split("values seen")[1]
        )
        assert "13 Apr" in text and "4 May" in text  # weekly, at midnights
        expected = {
            "90d": ("19 Feb", "5 Mar", "16 Apr", "30 Apr"),  # fortnightly
            "all": ("3 Apr", "10 Apr", "1 May"),  # from the first value seen, 40 days ago
            "7d": ("30 Apr", "1 May", "2 May", "3 May", "4 May", "5 May", "6 May"),  # daily
        }
        for name, labels in expected.items():
            await pilot.press("t")
            assert screen.range_name == name
            axis = screen_text(app).splitlines()
            dates = next(line for line in axis if labels[0] in line)
            assert all(label in dates for label in labels), dates
        assert "3,600" in screen_text(app) and "3,700" in screen_text(app)  # ticks written as the header


async def test_a_money_kpi_updated_hours_ago_far_from_its_target_reads_as_its_header():
    """The issue's case: ticks of ``2498000`` under a header of ``$1,464,258``, a value updated 7 h
    ago plotted when this computer first saw it, and the target squashing the values into two rows."""
    kpi = Kpi(
        id="mrr",
        name="Monthly recurring revenue",
        current=1_464_258,
        target=2_500_000,
        unit="$",
        status="off_track",
        last_updated="2026-05-06T05:00:00Z",  # 7 h before NOW
        direction="increase",
    )
    seen = {"mrr": (KpiPoint(NOW - 3 * DAY, 1_400_000.0), KpiPoint(NOW - 60, 1_464_258.0))}
    posted = {"mrr": (NOW - 3 * DAY,)}  # this app's update, as the local history keeps it
    snapshot = data_snapshot(kpis=Feed(items=(kpi,), fetched_at=NOW), kpi_seen=seen, kpi_posted=posted)
    app = OkrtApp(FakeRefresher(snapshot), clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "enter")
        text = screen_text(app)
        assert "Current $1,464,258" in text
        assert "$1,400,000" in text and "$1,460,000" in text  # round ticks, written like the header
        assert "2500000" not in text and "2498000" not in text
        assert "target $2,500,000 ↑ above" in text  # named, not drawn: the values keep the height
        assert "▲ posted from here" in text and "▲" in text.split("posted from here")[1]
        model = app.screen.query_one(KpiChart).model
        assert model is not None and model.target_y is None
        # The current value is drawn when it was set, 7 h ago, not when it was first seen.
        assert model.latest is not None and model.latest[0] * DAY == pytest.approx(30 * DAY - 7 * HOUR)


async def test_as_hours_pass_a_refresh_moves_the_week_back_though_no_value_changed():
    kpi = Kpi(
        id="nps", name="Net Promoter Score", current=15, target=40, unit="NPS",
        last_updated="2026-05-03T12:00:00Z", direction="increase",
    )  # fmt: skip
    seen = {"nps": (KpiPoint(NOW - 20 * DAY, 10.0), KpiPoint(NOW - 7 * DAY + 2 * HOUR, 12.0))}
    now = [NOW]
    fake = FakeRefresher(data_snapshot(kpis=Feed(items=(kpi,), fetched_at=NOW), kpi_seen=seen))
    app = OkrtApp(fake, clock=lambda: now[0])
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        assert "3 d ago" in row_of(app, "Net Promoter")
        assert row_of(app, "Net Promoter").rstrip().endswith("↑ +3    ↑ +5    ·")  # 10 held a week ago
        now[0] = NOW + 3 * HOUR  # 12 held a week ago now; still "3 d ago"
        fake.publish(data_snapshot(kpis=Feed(items=(kpi,), fetched_at=now[0]), kpi_seen=seen))
        await pilot.pause()
        assert "3 d ago" in row_of(app, "Net Promoter")
        assert row_of(app, "Net Promoter").rstrip().endswith("↑ +3    ↑ +3    ·")


async def test_the_detail_draws_the_series_the_local_history_kept_beyond_the_recent_points():
    kpi = Kpi(id="mrr", name="MRR", current=1_464_258, target=1_500_000, unit="$", direction="increase")
    seen = {"mrr": (KpiPoint(NOW - 3 * DAY, 1_400_000.0), KpiPoint(NOW - 60, 1_464_258.0))}

    class WithHistory(FakeRefresher):
        async def load_series(self, kind, entity, since=None):
            assert (kind, entity) == ("kpi", "mrr")
            return (KpiPoint(NOW - 80 * DAY, 1_000_000.0), KpiPoint(NOW - 3 * DAY, 1_400_000.0))

    snapshot = data_snapshot(kpis=Feed(items=(kpi,), fetched_at=NOW), kpi_seen=seen)
    app = OkrtApp(WithHistory(snapshot), clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "enter", "t")  # 90 days
        await wait_for(pilot, lambda: "of 3 values seen" in screen_text(app), message="the stored series")
        assert "3 of 3 values seen" in screen_text(app)
        await pilot.press("t", "t")  # 7 days: the stored point of 80 days ago is outside
        assert "of 3 values seen" in screen_text(app) and "3 of 3" not in screen_text(app)


async def test_series_loaded_from_the_history_show_without_a_new_list():
    # Start-up with the server down: the cached list is on screen, then the history's series arrive
    # with the very same list (nothing fetched); the sparklines must appear all the same.
    listed = data_snapshot(kpi_seen={}, okr_progress_seen={}, okr_health_seen={})
    fake = FakeRefresher(listed)
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        assert "▁▃▆▇█" not in row_of(app, "Weekly Active Users")
        fake.publish(replace(listed, kpi_seen=KPI_SEEN))
        await pilot.pause()
        assert "▁▃▆▇█" in row_of(app, "Weekly Active Users")
        await pilot.press("1")
        await show_all_cycles(pilot)
        assert "▁▄▆█" not in screen_text(app)
        fake.publish(replace(listed, kpi_seen=KPI_SEEN, okr_progress_seen=OKR_PROGRESS_SEEN))
        await pilot.pause()
        assert "▁▄▆█" in screen_text(app)


async def test_a_snapshot_that_changes_neither_list_nor_values_seen_leaves_the_rows_alone():
    # A fetch starting, the budget, the outbox: most snapshots change nothing the rows show, and
    # looking at 500 rows again for each of them blocked the loop for nothing.
    fake = FakeRefresher()
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        screen = app.screen
        looked: list[str] = []
        original = screen.cache_key
        screen.cache_key = lambda item, layout: looked.append(item.id) or original(item, layout)
        fake.publish(replace(fake.snapshot, taken_at=NOW + 1))
        await pilot.pause()
        assert looked == []
        fake.publish(replace(fake.snapshot, kpi_seen={**KPI_SEEN}))  # the same values, a new mapping
        await pilot.pause()
        assert sorted(looked) == sorted(k.id for k in KPIS)


async def test_a_direction_learnt_later_shows_on_the_same_record_and_a_changed_record_is_read_again():
    """The list works a KPI's direction out once per record (a refresh asks it of every row): a
    direction learnt meanwhile, or a record that changed, is read again."""
    churn = Kpi(id="kpi-9", name="Churned accounts", current=12, target=8, unit="accounts", status=None)
    refresher = FakeRefresher(data_snapshot(kpis=Feed(items=(*KPIS, churn), fetched_at=NOW - 12)))
    app = OkrtApp(refresher, clock=frozen_clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        assert "≤" not in row_of(app, "Churned") and "?" in row_of(app, "Churned")  # nobody knows
        learnt = data_snapshot(kpis=Feed(items=(*KPIS, replace(churn)), fetched_at=NOW - 6))
        refresher.publish(replace(learnt, kpi_directions={"kpi-9": "lower"}))  # the refresher learnt it
        await wait_for(pilot, lambda: "≤ 8*" in row_of(app, "Churned"))
        told = replace(churn, direction="increase")  # now the server says: the same id, another record
        refresher.publish(replace(learnt, kpis=Feed(items=(*KPIS, told), fetched_at=NOW), kpi_directions={}))
        await wait_for(pilot, lambda: "≥ 8 " in row_of(app, "Churned"))


async def test_a_value_seen_that_changed_before_the_last_one_rebuilds_the_row():
    """The row is kept by its values seen themselves, not their count and last one: the history can
    hand over a series whose earlier values differ (the week's start here) with the same newest."""
    kpi = Kpi(
        id="nps", name="Net Promoter Score", current=15, target=40, unit="NPS",
        last_updated="2026-05-03T12:00:00Z", direction="increase",
    )  # fmt: skip
    seen = {"nps": (KpiPoint(NOW - 20 * DAY, 10.0), KpiPoint(NOW - 7 * DAY + 2 * HOUR, 12.0))}
    fake = FakeRefresher(data_snapshot(kpis=Feed(items=(kpi,), fetched_at=NOW), kpi_seen=seen))
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2")
        assert row_of(app, "Net Promoter").rstrip().endswith("↑ +3    ↑ +5    ·")  # 10 held a week ago
        earlier = {"nps": (KpiPoint(NOW - 20 * DAY, 11.0), seen["nps"][1])}
        fake.publish(data_snapshot(kpis=Feed(items=(kpi,), fetched_at=NOW), kpi_seen=earlier))
        await pilot.pause()
        assert row_of(app, "Net Promoter").rstrip().endswith("↑ +3    ↑ +4    ·")


def many_kpis(count: int, shift: float = 0.0) -> tuple[Kpi, ...]:
    return tuple(
        Kpi(id=f"k{i}", name=f"Metric {i:03}", current=100 + i + shift, target=500, unit="users")
        for i in range(count)
    )


@asynccontextmanager
async def kpi_list(count: int) -> AsyncIterator[tuple[FakeRefresher, OkrtApp, Any]]:
    """The KPI list of ``count`` KPIs on screen, at 120x30."""
    fake = FakeRefresher(data_snapshot(kpis=Feed(items=many_kpis(count), fetched_at=NOW)))
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("2")
        yield fake, app, pilot


async def test_a_refresh_of_many_rows_is_built_in_slices_with_the_keys_handled_between():
    """A refresh that changes more rows than one slice (``SLICE``) builds them a slice at a time, the
    keys typed meanwhile handled between two slices; the table shows the rows it had until the last."""
    from okrt_tui.tui.screens.lists import SLICE

    count = 12 * SLICE  # a key goes from the table up to the app, which runs its binding: a few slices
    async with kpi_list(count) as (fake, app, pilot):
        screen = app.screen
        happened: list[str] = []
        build_row = screen.build_row
        screen.build_row = lambda *args: happened.append("row") or build_row(*args)
        cursor_down = screen.table.action_cursor_down
        then: list[str] = []  # the first row as the key is handled

        def down() -> None:
            happened.append("key")
            then.append(row_of(app, "Metric 000"))
            cursor_down()

        screen.table.action_cursor_down = down
        fake.publish(data_snapshot(kpis=Feed(items=many_kpis(count, shift=1000), fetched_at=NOW)))
        await pilot.press("down")
        await pilot.pause()
        assert happened.count("row") == count
        assert SLICE <= happened.index("key") < count  # between two slices, not after the last
        assert "1,100" not in then[0]  # the rows shown before, until the last slice
        assert "1,100" in row_of(app, "Metric 000")
        assert screen.table.cursor_row == 1


async def test_rows_still_to_build_when_a_screen_covers_the_list_are_built_when_it_is_back(monkeypatch):
    """Changing the table beneath another screen would repaint the whole terminal: the building stops
    while the list is covered, and the rows are built when it shows again."""
    from okrt_tui.tui.screens.lists import SLICE
    from okrt_tui.tui.widgets.keyed_table import KeyedTable

    count = 12 * SLICE  # more slices than the key for the help takes to reach the app
    covered: list[int] = []
    set_rows = KeyedTable.set_rows

    def counted(table, rows):
        if table.app.screen is not table.screen:
            covered.append(len(rows))
        return set_rows(table, rows)

    monkeypatch.setattr(KeyedTable, "set_rows", counted)
    async with kpi_list(count) as (fake, app, pilot):
        screen = app.screen
        fake.publish(data_snapshot(kpis=Feed(items=many_kpis(count, shift=1000), fetched_at=NOW)))
        await pilot.press("question_mark")  # the help, over the list
        await wait_for(pilot, lambda: app.screen is not screen, message="the help")
        await pilot.pause()
        assert covered == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: "1,100" in row_of(app, "Metric 000"), message="the new rows")
    assert covered == []


async def test_sorted_by_pace_a_refresh_projects_again_only_the_kpis_that_changed(monkeypatch):
    """A row's place in a sort is kept with the row: the projection of every KPI at each refresh, to
    sort 500 of them, blocked the loop ~50 ms. The order stays the one the cells show."""
    from okrt_tui.tui.screens import kpis as kpi_screen

    projected: list[str | None] = []
    project = kpi_screen.project
    monkeypatch.setattr(
        kpi_screen,
        "project",
        lambda points, current, *rest: projected.append(current) or project(points, current, *rest),
    )
    fake = FakeRefresher()
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        await pilot.press(*["right"] * 10, "s")  # the last column: At this pace
        assert app.screen.sort_state == ("pace", False)
        order = app.screen.table.row_keys()
        projected.clear()
        wau = next(k for k in KPIS if k.name == "Weekly Active Users")
        changed = replace(wau, current=3722)
        fake.publish(
            data_snapshot(kpis=Feed(items=tuple(changed if k is wau else k for k in KPIS), fetched_at=NOW))
        )
        await pilot.pause()
        assert projected == [3722, 3722]  # its cell and its place; none of the others
        assert app.screen.table.row_keys() == order


async def test_a_widest_cell_that_changes_within_its_column_s_room_redraws_only_its_row():
    """Every line is drawn again when a column's width changes; a refresh where a name or an age grew
    by a character, its column as wide as before (here the name's, cut to the room left), drew the
    whole table again (~15 ms with a screenful of KPIs)."""
    from okrt_tui.tui.widgets.keyed_table import KeyedTable

    long = "Quarterly recurring revenue of the enterprise segment"
    kpis = many_kpis(20)
    first = replace(kpis[0], name=long)
    fake = FakeRefresher(data_snapshot(kpis=Feed(items=(first, *kpis[1:]), fetched_at=NOW)))
    app = OkrtApp(fake, clock=frozen_clock)
    async with app.run_test(size=(80, 30)) as pilot:
        await pilot.press("2")
        table = app.screen.table
        widths = [column.width for column in table.ordered_columns]
        drawn: list[int] = []
        draw_line = KeyedTable._draw_line
        table._draw_line = lambda *args: drawn.append(1) or draw_line(table, *args)
        longer = replace(first, name=long + " and more")
        fake.publish(data_snapshot(kpis=Feed(items=(longer, *kpis[1:]), fetched_at=NOW)))
        await pilot.pause()
        assert [column.width for column in table.ordered_columns] == widths
        assert len(drawn) == 1  # its own line
