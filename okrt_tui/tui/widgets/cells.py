"""Rich ``Text`` for table cells and labels, coloured from the theme, built from :mod:`okrt_tui.views`.

Every piece of server text enters as ``Text(...)`` (never markup), already made safe by the views, so
brackets stay brackets. Colours come from the current theme's semantic variables; a tone always goes
with a glyph or a word, so nothing depends on colour (and ``NO_COLOR`` loses no meaning).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import msgspec
from rich.console import JustifyMethod
from rich.style import Style
from rich.text import Span, Text
from textual.color import Color

from okrt_tui.views.numbers import Number, bar, percent
from okrt_tui.views.status import BAD, FAIR, GOOD, INFO, MUTED, WARN, Band, Label, health_band
from okrt_tui.views.text import DASH, cell

_TONE_VARIABLES = {
    GOOD: ("text-success", True),
    FAIR: ("text-success", False),
    WARN: ("text-warning", False),
    BAD: ("text-error", True),
    INFO: ("text-primary", False),
    MUTED: ("foreground-muted", False),
}


#: The style of a tone the theme does not define (made once: a refresh looks tones up thousands of times).
NO_STYLE = Style()


class Tones(msgspec.Struct, frozen=True, eq=False):
    """Tone name → Rich style for the current theme (equal only to itself: a key of shared cells)."""

    styles: Mapping[str, Style]

    def __getitem__(self, tone: str) -> Style:
        return self.styles.get(tone, NO_STYLE)

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> Tones:
        background = Color.parse(variables.get("background", "#000000"))
        styles: dict[str, Style] = {}
        for tone, (name, bold) in _TONE_VARIABLES.items():
            raw = variables.get(name)
            try:
                color = background + Color.parse(raw) if raw else None
            except Exception:  # a theme without this variable, or an 'auto' value
                color = None
            styles[tone] = Style(color=color.rich_color if color else None, bold=bold)
        return cls(styles)

    @classmethod
    def plain(cls) -> Tones:
        return cls({})


# Cells that many rows show alike (a type, an owner, a status, a 65% bar, a health of 82) are made once
# (``lru_cache`` on the builders below, by what they are built from) and are then one Text object,
# which the table also draws once per width and look rather than once per row: so a cell is never
# changed in place. At most 4096 of each kind are kept.
_shared = lru_cache(maxsize=4096)


@_shared
def label_text(label: Label, tones: Tones) -> Text:
    """``▲ at risk`` in the warning colour (shared: see ``_shared``)."""
    return Text(label.display, style=tones[label.tone], no_wrap=True, overflow="ellipsis", end="")


def plain(text: str, style: Style | str = "", *, justify: JustifyMethod = "left") -> Text:
    """A cell of (already safe) text: one line, ellipsis when the column is narrower."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", justify=justify, end="")


@_shared
def shared_plain(text: str, style: Style | str = "", justify: JustifyMethod = "left") -> Text:
    """``plain`` for a cell many rows show alike, or one row at every refresh (a target, an age, a
    change): found by what it shows rather than made (shared: see ``_shared``)."""
    return plain(text, style, justify=justify)


@_shared
def text_cell(value: str | None, width: int | None = None, empty: str = DASH) -> Text:
    """A field the server wrote (a type, an owner, a cycle, a name) as a one-line cell, ``cell``'s
    arguments after it (shared: see ``_shared``), found by the raw value: no cleaning again for the
    500 rows that share a few dozen owners, nor for a name at each refresh that changes its row."""
    return plain(cell(value, width, empty=empty))


def _joined(*pieces: tuple[str, Style | None]) -> Text:
    """One-line Text of styled pieces, built in one go (``Text.append`` cleans and spans each piece
    on its own)."""
    spans = []
    start = 0
    for piece, style in pieces:
        end = start + len(piece)
        if style and end > start:
            spans.append(Span(start, end, style))
        start = end
    return Text("".join(piece for piece, _ in pieces), spans=spans, no_wrap=True, overflow="ellipsis", end="")


def progress_cell(fraction: Number | None, width: int, tones: Tones) -> Text:
    """``██████▌░░░  65%``: the bar in the accent colour, its track muted (shared, by what it shows: see
    ``_shared``)."""
    return _progress_cell(bar(fraction, width), f"{percent(fraction):>4}", tones)


@_shared
def _progress_cell(drawn: str, number: str, tones: Tones) -> Text:
    if not drawn:
        return _joined((number, None))
    filled = drawn.rstrip("░")
    return _joined((filled, tones[INFO]), (drawn[len(filled) :], tones[MUTED]), (" " + number, None))


def health_cell(score: Number | None, bar_width: int, tones: Tones, *, band: Band | None = None) -> Text:
    """A small gauge, the score and its band: ``▰▰▰▰▱ 82 Strong`` in the band's colour (shared: see
    ``_shared``)."""
    return _health_cell(band or health_band(score), bar_width, tones)


@_shared
def _health_cell(band: Band, bar_width: int, tones: Tones) -> Text:
    muted = tones[MUTED]
    if band.score is None:
        track = "▱" * bar_width + " " if bar_width > 0 else ""
        return _joined((track + "— no score", muted))
    style = tones[band.tone]
    if bar_width <= 0:
        return _joined((f"{band.score} {band.label}", style))
    filled = min(bar_width, round(band.score / 100 * bar_width))
    words = f"{band.score:>3} {band.label}"
    return _joined(("▰" * filled, style), ("▱" * (bar_width - filled), muted), (" ", None), (words, style))


@_shared
def spark_cell(drawn: str, tones: Tones) -> Text:
    """A sparkline (``▂▃▅▆█``) in the accent colour, or a muted ``·`` before two values were seen
    (shared, by what it draws: see ``_shared``)."""
    if not drawn:
        return plain("·", tones[MUTED], justify="right")
    return plain(drawn, tones[INFO], justify="right")
