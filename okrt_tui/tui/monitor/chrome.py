"""What the monitor always shows around its panel: the top line (workspace, panel, freshness, clock),
the banner over stale data, and the bottom line (progress to the next panel, pause, keys).

Each is a small widget updated on its own, so the once-a-second tick repaints a few cells, never the
panel (a wall display runs for weeks: a full repaint every second would cost a core's percent or more).
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
    """A one-line piece of the chrome that repaints only when its text changes."""

    def show(self, text: str) -> None:
        if text != getattr(self, "_shown", None):
            self._shown = text
            self.update(Text(text, no_wrap=True, overflow="ellipsis", end=""))


class BannerLine(Static):
    """Offline, rate limited or failing: over the last good data, never instead of it."""

    def show(self, banner: Banner | None) -> None:
        if banner == getattr(self, "_shown", None):
            return
        self._shown = banner
        self.display = banner is not None
        if banner is not None:
            set_tone(self, banner.tone)
            self.update(Text(banner.text, end=""))


def next_line(title: str, left: float, progress: float, paused: bool, width: int) -> str:
    """``next: KPIs in 12 s ██████░░░░`` or ``⏸ paused · space resumes``; the bar takes what is left."""
    if paused:
        return "⏸ paused · space resumes"
    words = f"next: {title} in {countdown(left)} "
    return words + bar(progress, max(0, min(40, width - len(words))))
