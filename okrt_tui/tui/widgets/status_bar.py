"""The line at the bottom of every screen: workspace, connection, freshness and the rate budget.

Its screen draws it again every second from the last snapshot, with the clock reading the stale banner
uses too, so "updated 12 s ago" and "resuming in 23 s" count by themselves without new data.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from okrt_tui.api.errors import RateLimited
from okrt_tui.sync.snapshot import Feed, Snapshot
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.tui.widgets.line import Line
from okrt_tui.views.errors import describe_error
from okrt_tui.views.status import BAD, GOOD, INFO, MUTED, WARN
from okrt_tui.views.text import one_line, truncate
from okrt_tui.views.times import clock_time, countdown, updated_label

SEPARATOR = " │ "


def retry_in(snapshot: Snapshot, feed: Feed[Any], now: float) -> float | None:
    """Seconds until the refresher tries ``feed`` again (0: now), or None when no retry is planned.

    The refresher's own schedule, or the server's pause when that ends later (another process may
    have met a 429). The banner and the status bar both read it, at the same ``now``."""
    waits = [] if feed.retry_at is None else [feed.retry_at - now]
    if isinstance(feed.error, RateLimited):
        elapsed = max(0.0, now - snapshot.taken_at) if snapshot.taken_at else 0.0
        waits.append(snapshot.budget.paused_for - elapsed)
    return max(0.0, *waits) if waits else None


def window_spent(snapshot: Snapshot, now: float) -> bool:
    """The key's whole window is used (by our count and the server's headers), with no pause from the
    server: the wait then lasts to the window's end, and the status bar says so, not just "limited"."""
    budget = snapshot.budget
    elapsed = max(0.0, now - snapshot.taken_at) if snapshot.taken_at else 0.0
    return budget.paused_for <= elapsed and budget.used >= budget.limit and elapsed < budget.reset_in


def connection_state(
    feed: Feed[Any], retry_in: float | None = None, *, spent: bool = False, offline_since: str = ""
) -> tuple[str, str]:
    """(text, tone) of a feed's connection: live, cached, loading, rate limited, stale, offline.

    Offline says since when (``offline_since``, a clock time) and when the next attempt comes: the
    data on screen is as old as the line's "updated" says, and nothing renews it before then."""
    if isinstance(feed.error, RateLimited):
        what = "minute's requests used" if spent else "rate limited"
        when = f"resuming in {countdown(retry_in)}" if retry_in else "resuming now"
        return (f"⏸ {what} · {when}", WARN)
    if feed.error is not None:
        view = describe_error(feed.error, retry_in=retry_in)
        if view.offline:
            since = f" since {offline_since}" if offline_since else ""
            if retry_in is None:
                return (f"✖ offline{since}", BAD)
            when = f"retrying in {countdown(retry_in)}" if retry_in > 0 else "retrying now"
            return (f"✖ offline{since} · {when}", BAD)
        if feed.items is None:
            return (f"✖ {view.short}", BAD)
        return (f"▲ stale: {view.short}", WARN)
    if feed.items is None:
        return ("⟳ loading", INFO)
    if feed.loading:
        # Until the first fetch of this session lands, what is on screen is the cache's.
        return ("⟳ cached, refreshing" if feed.from_cache else "⟳ refreshing", INFO)
    if feed.from_cache:
        return ("◌ cached", MUTED)
    return ("● live", GOOD)


def outbox_text(snapshot: Snapshot) -> str:
    """``⇡ 2 queued · 1 unconfirmed`` while writes wait (4 shows them); empty when none do."""
    outbox = snapshot.outbox
    parts = [f"{n} {state}" for state in ("queued", "unconfirmed") if (n := outbox.count(state))]
    refused = outbox.count("failed")
    if refused:
        parts.append(f"{refused} refused")
    return f"⇡ {' · '.join(parts)}" if parts else ""


def status_text(snapshot: Snapshot | None, feed_name: str, now: float, tones: Tones, width: int) -> Text:
    """The status line for ``feed_name``, fitted to ``width`` cells."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if snapshot is None:
        text.append("⟳ starting", style=tones[INFO])
        return text
    feed: Feed[Any] = getattr(snapshot, feed_name)
    elapsed = max(0.0, now - snapshot.taken_at) if snapshot.taken_at else 0.0
    budget = snapshot.budget
    paused = max(0.0, budget.paused_for - elapsed)
    workspace = truncate(one_line(snapshot.workspace), 24)
    if workspace:
        text.append(workspace, style="bold")
        text.append(SEPARATOR, style=tones[MUTED])
    since = clock_time(snapshot.offline.since, now) if snapshot.offline is not None else ""
    state, tone = connection_state(
        feed, retry_in(snapshot, feed, now), spent=window_spent(snapshot, now), offline_since=since
    )
    text.append(state, style=tones[tone])
    text.append(SEPARATOR, style=tones[MUTED])
    if feed.items is not None:
        text.append(updated_label(feed.fetched_at, now))
        text.append(SEPARATOR, style=tones[MUTED])
    waiting = outbox_text(snapshot)
    if waiting:
        text.append(waiting, style=tones[WARN])
        text.append(SEPARATOR, style=tones[MUTED])
    if paused > 0 and not isinstance(feed.error, RateLimited):
        # Another list (or process) met the 429; this one says nothing of it on its own.
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
        self._now: float | None = None

    def show(self, snapshot: Snapshot | None, now: float) -> None:
        """Draws ``snapshot`` as of ``now``: the screen ticks it every second with the banner's clock."""
        self._snapshot = snapshot
        self._now = now
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self._now is None:
            return
        tones = getattr(self.app, "tones", None) or Tones.plain()
        width = self.content_region.width or 80
        self.set_text(status_text(self._snapshot, self.feed, self._now, tones, width))
