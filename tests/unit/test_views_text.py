"""Server text is shown literally and safely: no escape sequence, control character or markup acts."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from okrt_tui.views.text import cell, fold, humanize_enum, one_line, safe_text, truncate


def test_escape_sequences_become_visible_and_inert():
    text = safe_text("a\x1b[2Jb\x1b]0;title\x07c")
    assert "\x1b" not in text and "\x07" not in text
    assert text == "a␛[2Jb␛]0;title␇c"


@pytest.mark.parametrize("char", [chr(c) for c in range(0x20) if c not in (9, 10, 13)] + ["\x7f"])
def test_every_c0_control_and_del_is_replaced(char):
    assert char not in safe_text(f"x{char}y")


def test_c1_controls_and_bidi_overrides_are_replaced():
    text = safe_text("a\x9b31mb\u202eevil\u2066")
    assert "\x9b" not in text and "\u202e" not in text and "\u2066" not in text
    assert text.count("\ufffd") == 3


def test_markup_brackets_are_untouched():
    assert (
        safe_text("[bold red]x[/] [link=https://e.x]y[/link]") == "[bold red]x[/] [link=https://e.x]y[/link]"
    )


def test_multiline_keeps_newlines_and_normalises_crlf():
    assert safe_text("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour"


def test_one_line_collapses_newlines_tabs_and_spaces():
    assert one_line("  a\n\nb\tc   d \u2028e ") == "a b c d e"


def test_none_is_empty():
    assert safe_text(None) == "" and one_line(None) == ""


def test_truncate_by_cell_width_with_ellipsis():
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 3) == "abc"
    assert truncate("abc", 0) == ""
    assert truncate("abc", 1) == "…"


@pytest.mark.parametrize("text", ["日本語のタイトルです", "🚀🚀🚀🚀🚀🚀", "mixed 日本 and 🚀 emoji"])
@pytest.mark.parametrize("width", [1, 2, 3, 5, 8, 11])
def test_truncate_never_exceeds_width_for_wide_characters(text, width):
    result = truncate(text, width)
    assert cell_len(result) <= width
    if cell_len(text) > width:
        assert result.endswith("…")


def test_a_400_character_title_fits_a_cell():
    title = "x" * 400
    assert cell_len(cell(title, 30)) == 30


def test_cell_uses_a_dash_for_nothing():
    assert cell(None) == "—" and cell("   ") == "—" and cell("", empty="") == ""


def test_humanize_enum():
    assert humanize_enum("on_track") == "on track"
    assert humanize_enum(None) == "—"
    assert humanize_enum("\x1b[31mweird") == "␛[31mweird"


def test_fold_is_case_insensitive_one_line():
    assert fold("Alice\nNGUYEN") == "alice nguyen"
