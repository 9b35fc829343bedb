"""Rich ``Text`` for table cells and labels, coloured from the theme, built from :mod:`okrt_tui.views`.

Every piece of server text enters as ``Text(...)`` (never markup), already made safe by the views, so
brackets stay brackets. Colours come from the current theme's semantic variables; a tone always goes
with a glyph or a word, so nothing depends on colour (and ``NO_COLOR`` loses no meaning).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rich.style import Style
from rich.text import Span, Text
from textual.color import Color

from okrt_tui.views.numbers import Number, bar, percent
from okrt_tui.views.status import BAD, FAIR, GOOD, INFO, MUTED, WARN, Band, Label, health_band

_TONE_VARIABLES = {
    GOOD: ("text-success", True),
    FAIR: ("text-success", False),
    WARN: ("text-warning", False),
    BAD: ("text-error", True),
    INFO: ("text-primary", False),
    MUTED: ("foreground-muted", False),
}


@dataclass(frozen=True)
class Tones:
    """Tone name → Rich style for the current theme."""

    styles: Mapping[str, Style]

    def __getitem__(self, tone: str) -> Style:
        return self.styles.get(tone, Style())

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


class LazyText:
    """A table cell built on first render: of 500 rows only the visible ones ever build their Text."""

    __slots__ = ("_build", "_text")

    def __init__(self, build: Callable[[], Text]) -> None:
        self._build: Callable[[], Text] | None = build
        self._text: Text | None = None

    def __rich__(self) -> Text:
        if self._text is None:
            assert self._build is not None
            self._text = self._build()
            self._build = None
        return self._text

    @property
    def plain(self) -> str:
        return self.__rich__().plain


def label_text(label: Label, tones: Tones) -> Text:
    """``▲ at risk`` in the warning colour."""
    return Text(label.display, style=tones[label.tone], no_wrap=True, overflow="ellipsis", end="")


def plain(text: str, style: Style | str = "", *, justify: str = "left") -> Text:
    """A cell of (already safe) text: one line, ellipsis when the column is narrower."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", justify=justify, end="")  # type: ignore[arg-type]


def _joined(*pieces: tuple[str, Style | None]) -> Text:
    """One-line Text of styled pieces, built in one go (``Text.append`` cleans and spans each piece
    on its own, a third of the cost of drawing a never-seen row)."""
    spans = []
    start = 0
    for piece, style in pieces:
        end = start + len(piece)
        if style and end > start:
            spans.append(Span(start, end, style))
        start = end
    return Text("".join(piece for piece, _ in pieces), spans=spans, no_wrap=True, overflow="ellipsis", end="")


def progress_cell(fraction: Number | None, width: int, tones: Tones) -> Text:
    """``██████▌░░░  65%``: the bar in the accent colour, its track muted."""
    number = f"{percent(fraction):>4}"
    if width <= 0:
        return _joined((number, None))
    drawn = bar(fraction, width)
    filled = drawn.rstrip("░")
    return _joined((filled, tones[INFO]), (drawn[len(filled) :], tones[MUTED]), (" " + number, None))


def health_cell(score: Number | None, bar_width: int, tones: Tones, *, band: Band | None = None) -> Text:
    """A small gauge, the score and its band: ``▰▰▰▰▱ 82 Strong`` in the band's colour."""
    band = band or health_band(score)
    muted = tones[MUTED]
    if band.score is None:
        track = "▱" * bar_width + " " if bar_width > 0 else ""
        return _joined((track + "— no score", muted))
    style = tones[band.tone]
    words = f"{band.score:>3} {band.label}" if bar_width > 0 else f"{band.score} {band.label}"
    if bar_width <= 0:
        return _joined((words, style))
    filled = min(bar_width, round(band.score / 100 * bar_width))
    return _joined(("▰" * filled, style), ("▱" * (bar_width - filled), muted), (" ", None), (words, style))
