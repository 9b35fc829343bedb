"""The long tables' quick scroll bar draws exactly what Textual's own draws."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from okrt_tui.tui.widgets.keyed_table import KeyedTable
from okrt_tui.tui.widgets.scroll_bar import QuickScrollBar


class Tall(App[None]):
    def __init__(self, quick: bool, rows: int) -> None:
        super().__init__()
        self.quick, self.rows = quick, rows

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        if self.quick:  # as KeyedTable makes its bar
            table._vertical_scrollbar = KeyedTable.vertical_scrollbar.fget(table)
        table.add_column("n")
        table.add_rows([[str(i)] for i in range(self.rows)])


def bar_lines(app: App) -> list[list[tuple[str, str]]]:
    bar = app.query_one(DataTable).vertical_scrollbar
    assert isinstance(bar, QuickScrollBar) == app.quick
    lines = bar.render_lines(bar.region.reset_offset)
    return [[(s.text, str(s.style), s.style and s.style.meta) for s in strip] for strip in lines]


@pytest.mark.parametrize("rows", [30, 200, 5000])
@pytest.mark.parametrize("scroll", [0, 0.37, 1.0])
@pytest.mark.parametrize("no_color", [False, True])
async def test_the_quick_scroll_bar_draws_what_textuals_draws(
    rows: int, scroll: float, no_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")  # Textual then filters every line to monochrome
    drawn = []
    for quick in (False, True):
        app = Tall(quick, rows)
        async with app.run_test(size=(40, 20)) as pilot:
            await pilot.pause()
            table = app.query_one(DataTable)
            table.scroll_to(y=round(table.max_scroll_y * scroll), animate=False)
            await pilot.pause()
            drawn.append(bar_lines(app))
            assert any(type(f).__name__ == "Monochrome" for f in app.get_line_filters()) == no_color
    assert drawn[0] == drawn[1]
    assert len(drawn[0]) == 20
    assert any(meta == {"@mouse.down": "grab"} for line in drawn[0] for _, _, meta in line)  # the thumb
