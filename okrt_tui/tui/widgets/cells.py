"""Rich ``Text`` for table cells and labels, coloured from the theme, built from :mod:`okrt_tui.views`.

Every piece of server text enters as ``Text(...)`` (never markup), already made safe by the views, so
brackets stay brackets. Colours come from the current theme's semantic variables; a tone always goes
with a glyph or a word, so nothing depends on colour (and ``NO_COLOR`` loses no meaning).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
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


def progress_cell(fraction: Number | None, width: int, tones: Tones) -> Text:
    """``██████▌░░░  65%``: the bar in the accent colour, its track muted."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if width > 0:
        drawn = bar(fraction, width)
        filled = drawn.rstrip("░")
        text.append(filled, style=tones[INFO])
        text.append(drawn[len(filled) :], style=tones[MUTED])
        text.append(" ")
    text.append(f"{percent(fraction):>4}")
    return text


def health_cell(score: Number | None, bar_width: int, tones: Tones, *, band: Band | None = None) -> Text:
    """A small gauge, the score and its band: ``▰▰▰▰▱ 82 Strong`` in the band's colour."""
    band = band or health_band(score)
    style = tones[band.tone]
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if band.score is None:
        if bar_width > 0:
            text.append("▱" * bar_width + " ", style=tones[MUTED])
        text.append("— no score", style=tones[MUTED])
        return text
    if bar_width > 0:
        filled = min(bar_width, round(band.score / 100 * bar_width))
        text.append("▰" * filled, style=style)
        text.append("▱" * (bar_width - filled), style=tones[MUTED])
        text.append(" ")
    text.append(f"{band.score:>3} " if bar_width > 0 else f"{band.score} ", style=style)
    text.append(band.label, style=style)
    return text
