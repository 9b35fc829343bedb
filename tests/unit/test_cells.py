"""Table cells: rows that show the same thing share one Text (the table draws it once per look)."""

from __future__ import annotations

from rich.style import Style

from okrt_tui.tui.widgets.cells import Tones, health_cell, progress_cell, text_cell
from okrt_tui.views.status import INFO

TONES = Tones({INFO: Style(color="blue")})


def test_progress_cells_that_look_alike_are_one_text():
    # 65.1% and 65.4% draw the same bar and the same "65%"; 66% does not.
    assert progress_cell(0.651, 10, TONES) is progress_cell(0.654, 10, TONES)
    assert progress_cell(0.651, 10, TONES) is not progress_cell(0.66, 10, TONES)
    assert progress_cell(0.651, 10, TONES).plain == "██████▌░░░  65%"


def test_shared_cells_follow_the_theme_and_the_width():
    other_theme = Tones({INFO: Style(color="red")})
    assert progress_cell(0.5, 10, TONES) is not progress_cell(0.5, 10, other_theme)
    assert progress_cell(0.5, 10, other_theme).spans[0].style == Style(color="red")
    assert health_cell(82, 5, TONES) is not health_cell(82, 3, TONES)
    assert health_cell(82, 5, TONES).plain == "▰▰▰▰▱  82 Strong"


def test_server_text_cells_are_shared_by_value_and_stay_literal():
    assert text_cell("Dana Ortiz") is text_cell("Dana Ortiz")
    assert text_cell("[bold]x[/]\x1b[2J").plain == "[bold]x[/]␛[2J"
    assert text_cell(None).plain == "—"
