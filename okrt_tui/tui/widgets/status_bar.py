"""The line at the bottom of every screen: workspace, connection, freshness and the rate budget.

It re-renders every second from the last snapshot and the app's clock, so "updated 12 s ago" and
"paused 23 s" count by themselves without new data.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from okrt_tui.sync.snapshot import Feed, Snapshot
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.tui.widgets.line import Line
from okrt_tui.views.errors import describe_error
from okrt_tui.views.status import BAD, GOOD, INFO, MUTED, WARN
from okrt_tui.views.text import one_line, truncate
from okrt_tui.views.times import countdown, updated_label

SEPARATOR = " │ "


def connection_state(feed: Feed, retry_in: float | None = None) -> tuple[str, str]:
    """(text, tone) of a feed's connection: live, cached, loading, stale with its reason, offline."""
    if feed.error is not None:
        view = describe_error(feed.error, retry_in=retry_in)
        if view.offline:
            return ("✖ offline", BAD)
        if feed.items is None:
            return (f"✖ {view.short}", BAD)
        return (f"▲ stale: {view.short}", WARN)
    if feed.items is None:
        return ("⟳ loading", INFO)
    if feed.loading:
        return ("⟳ refreshing", INFO)
    if feed.from_cache:
        return ("◌ cached", MUTED)
    return ("● live", GOOD)


def status_text(snapshot: Snapshot | None, feed_name: str, now: float, tones: Tones, width: int) -> Text:
    """The status line for ``feed_name``, fitted to ``width`` cells."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if snapshot is None:
        text.append("⟳ starting", style=tones[INFO])
        return text
    feed: Feed = getattr(snapshot, feed_name)
    elapsed = max(0.0, now - snapshot.taken_at) if snapshot.taken_at else 0.0
    budget = snapshot.budget
    paused = max(0.0, budget.paused_for - elapsed)
    workspace = truncate(one_line(snapshot.workspace), 24)
    if workspace:
        text.append(workspace, style="bold")
        text.append(SEPARATOR, style=tones[MUTED])
    state, tone = connection_state(feed, paused or None)
    text.append(state, style=tones[tone])
    text.append(SEPARATOR, style=tones[MUTED])
    if feed.items is not None:
        text.append(updated_label(feed.fetched_at, now))
        text.append(SEPARATOR, style=tones[MUTED])
    if paused > 0:
        text.append(f"⏸ paused {countdown(paused)}", style=tones[WARN])
        text.append(" · ", style=tones[MUTED])
    # The bar ticks between snapshots: once the window the snapshot saw has ended, its count is
    # history, and the countdown runs on to the end of the window now open.
    rolled = elapsed >= budget.reset_in
    used = 0 if rolled else budget.used
    reset = (budget.reset_in - elapsed) % 60 if rolled else budget.reset_in - elapsed
    used_tone = WARN if used >= budget.limit * 0.8 else MUTED
    text.append(f"{used}/{budget.limit} req", style=tones[used_tone])
    text.append(f" · reset {countdown(reset)}", style=tones[MUTED])
    text.truncate(max(1, width), overflow="ellipsis")
    return text


class StatusBar(Line):
    """The last line above the footer of each data screen; ``feed`` names the list whose state it shows."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def __init__(self, feed: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.feed = feed
        self._snapshot: Snapshot | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self.redraw)
        self.redraw()

    def show(self, snapshot: Snapshot | None) -> None:
        self._snapshot = snapshot
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        clock: Callable[[], float] = getattr(self.app, "clock", None) or (lambda: 0.0)
        tones = getattr(self.app, "tones", None) or Tones.plain()
        width = self.content_region.width or 80
        self.set_text(status_text(self._snapshot, self.feed, clock(), tones, width))
