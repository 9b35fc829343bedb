"""Columns share the width by what their content needs, from 80x24 to 300x100, as a user reads them."""

from __future__ import annotations

import re

import pytest
from tui_data import FakeRefresher, frozen_clock, screen_text, show_all_cycles

from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.widgets.keyed_table import share_width

SIZES = [(80, 24), (120, 40), (200, 60), (300, 100)]


def table_lines(app, selector: str = "#table") -> list[str]:
    """The table's lines as shown (header first), cut to the table's own width."""
    table = app.screen.query_one(selector)
    region = table.region
    lines = screen_text(app).splitlines()[region.y : region.y + min(region.height, table.row_count + 1)]
    return [line[region.x : region.x + region.width] for line in lines]


def assert_no_waste_while_cut(lines: list[str], width: int) -> None:
    """A cell cut with an ellipsis while the right of the table stays empty is width thrown away."""
    if any("…" in line for line in lines[1:]):
        used = max(len(line.rstrip()) for line in lines)
        assert used >= width - 4, "cells cut, with room to spare:\n" + "\n".join(lines)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_okrs_and_kpis_use_the_width_their_cells_need(size):
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=size) as pilot:
        width = app.screen.query_one("#table").scrollable_content_region.width
        okrs = table_lines(app)  # one cycle, as the screen opens: its name is in the summary line
        assert_no_waste_while_cut(okrs, width)
        assert "Improve onboarding con" in okrs[1]  # 18 cells of it at 80x24 before
        assert "Alice Nguyen" in okrs[1]  # owners whole (11 cells at 80x24 before)
        assert "Cycle" not in okrs[0]
        await show_all_cycles(pilot)
        every = table_lines(app)  # rows of several cycles: each shows its own, at every width
        assert_no_waste_while_cut(every, width)
        assert "Cycle" in every[0] and "Q2 2026" in every[1]
        summary = screen_text(app).splitlines()[1]
        assert not re.search(r"·\s*\d+\s*$", summary), summary  # never a bare "· 40"
        await pilot.press("2")
        kpis = table_lines(app)
        assert_no_waste_while_cut(kpis, width)
        header = kpis[0]
        # The numbers sit next to the names (at 200x60 they were ~105 cells away).
        assert header.index("Current") - header.index("KPI") <= len("Support first response time") + 8
        assert "Support first resp" in kpis[2]  # 13 cells of a name at 80x24 before
        # The sparkline and the last change at every width; the week's change and the pace from 120.
        assert "Recent" in header and "Change" in header
        assert ("7 days" in header and "At this pace" in header) == (size[0] >= 120), header


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_a_sorted_header_keeps_its_arrow_and_key_results_their_values(size):
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=size) as pilot:
        await pilot.press("right", "right", "right", "s")
        assert re.search(r"\w ▲", table_lines(app)[0]), table_lines(app)[0]  # the arrow, after a label
        await pilot.press("left", "s", "s")
        assert re.search(r"\w ▼", table_lines(app)[0]), table_lines(app)[0]
        app.screen.query_one("#table").move_to_key("okr-1")
        await pilot.press("enter")
        krs = table_lines(app, "#krs")
        assert "Current / target" in krs[0]
        values = {"kr-1": "14.5% / 20%", "kr-2": "12 min / 8 min", "kr-3": "1 launch / 1 launch"}
        shown = "\n".join(krs)
        assert all(value in shown for value in values.values()), shown


async def test_the_reviews_screen_shows_its_cycles_at_40x10():
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.press("3")
        assert "Q2 2026 Mid" in screen_text(app)


def test_widths_are_what_cells_need_when_they_fit():
    assert share_width([20, 10, 5], [8, 8, 5], [2, 1, 1], 50) == [20, 10, 5]


def test_the_widest_columns_give_up_cells_first_and_short_ones_stay_whole():
    # A title of 40 and a health of 18 must lose 13 cells: the title (weight 2) keeps twice the health.
    widths = share_width([40, 12, 10, 18], [12, 8, 10, 9], [2, 1, 1, 1], 67)
    assert sum(widths) == 67 and widths[1:3] == [12, 10]
    assert widths[0] >= 2 * widths[3] - 1 and widths[3] >= 9


def test_never_below_the_floors():
    assert share_width([40, 12, 10], [12, 8, 10], [2, 1, 1], 20) == [12, 8, 10]
