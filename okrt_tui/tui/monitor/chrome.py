"""What the monitor always shows around its panel: the top line (workspace, panel, freshness, clock),
the progress to the next panel (or the pause) under it, and the banner over stale data.

Each is a small widget updated on its own, so a tick repaints a few cells, never the panel (a wall
display runs for weeks: a full repaint every second would cost a core's percent or more). And they
change rarely: the clock by the minute, the data's age by the minute, the countdown by ``STEP``
seconds. Any change repaints the top lines (~4 ms at 160x48, mostly Textual visiting each widget that
overlaps them), so a chrome that changed every second took a third of the 1% a wall display may use.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from okrt_tui.views.numbers import bar
from okrt_tui.views.times import countdown
from okrt_tui.views.wall import Banner

TONE_CLASSES = ("-good", "-fair", "-warn", "-bad", "-info", "-muted")


def set_tone(widget: Widget, tone: str) -> None:
    """The widget's colour class for ``tone`` (the stylesheet maps them to the theme's colours)."""
    for name in TONE_CLASSES:
        widget.set_class(name == f"-{tone}", name)


class Cell(Static):
    """A one-line piece of the chrome that repaints only when its text changes, and only itself:
    ``fixed`` cells have a width of their own (the stylesheet's), so a new text needs no layout of
    the screen (Textual lays the whole screen out for a widget sized by its content: ~20 ms at
    160x48, every second)."""

    def __init__(self, *, fixed: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fixed = fixed
        self._shown: str | None = None

    def show(self, text: str) -> None:
        if text == self._shown:
            return
        resized = not self._fixed and len(text) != len(self._shown or "")
        self._shown = text
        self.update(Text(text, no_wrap=True, overflow="ellipsis", end=""), layout=resized)


class BannerLine(Static):
    """Offline, rate limited or failing: over the last good data, never instead of it."""

    _shown: Banner | None = None

    def show(self, banner: Banner | None) -> None:
        """A countdown's next second is the same length: repainted alone, without a layout."""
        if banner == self._shown:
            return
        resized = (banner is None) != (self._shown is None) or len(banner.text if banner else "") != len(
            self._shown.text if self._shown else ""
        )
        self._shown = banner
        self.display = banner is not None
        if banner is not None:
            set_tone(self, banner.tone)
            self.update(Text(banner.text, end=""), layout=resized)


def next_line(title: str, left: float, progress: float, paused: bool, width: int) -> str:
    """``next: KPIs in 15 s ██████░░░░`` or ``⏸ paused · space resumes``; the bar takes what is left."""
    if paused:
        return "⏸ paused · space resumes"
    words = f"next: {title} in {countdown(left)} "
    return words + bar(progress, max(0, min(40, width - len(words))))
