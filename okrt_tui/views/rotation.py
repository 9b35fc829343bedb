"""The wall monitor's panels in turn: ``--screens`` read, the dwell of each, pause, and paging.

A wall display shows one panel at a time and moves on by itself (Grafana's playlists, Geckoboard's
loops). ``--screens okrs:30,kpis:20,risk,reviews`` picks the panels, orders them and may give each its
own dwell; the others take ``--rotate``. The rotation is plain arithmetic on the time it is given, so
the app drives it from its clock and the tests from a fake one, without sleeping.

A panel with more than fits (KPI tiles, objectives, risks) shows the next page each time its turn
comes back: every item is on screen once per few turns, and none is ever scrolled.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import msgspec

#: The panels, in their default order, and the lists (the refresher's feeds) each one needs.
PANEL_FEEDS: dict[str, tuple[str, ...]] = {
    "okrs": ("okrs",),
    "kpis": ("kpis",),
    "risk": ("okrs", "kpis"),
    "reviews": ("cycles",),
}
PANELS = tuple(PANEL_FEEDS)
PANEL_TITLES = {"okrs": "Objectives", "kpis": "KPIs", "risk": "At risk now", "reviews": "Reviews"}
DEFAULT_ROTATE = 20.0
#: A dwell shorter than this cannot be read from across a room; longer than an hour is no rotation.
MIN_DWELL = 5.0
MAX_DWELL = 3600.0
#: The monitor's top lines change on a beat of this many seconds, all at once: the data's age, the
#: countdown to the next panel, a banner's "retrying in" (and the clock, by the minute, on a beat too).
#: Each change repaints those lines (~4 ms of a core at 160x48): once a second, for weeks, that alone
#: was a third of the 1% a wall display may take, and a wall is read from across a room.
STEP = 5.0


def beat(now: float) -> float:
    """The time the monitor's top lines show: ``now`` on the beat before it."""
    return STEP * math.floor(now / STEP)


#: The share of the rate budget the monitor's polling may use by default: it leaves three quarters to
#: the people using the same key.
MONITOR_SHARE = 0.25


class BadScreens(ValueError):
    """A ``--screens`` that cannot be read; its text is the sentence to show (it names the entry)."""


class Panel(msgspec.Struct, frozen=True):
    name: str
    dwell: float


class MonitorOptions(msgspec.Struct, frozen=True):
    """What ``okrt-tui monitor`` was asked for."""

    panels: tuple[Panel, ...] = tuple(Panel(name, DEFAULT_ROTATE) for name in PANELS)
    public: bool = False
    require_readonly: bool = False


def parse_screens(text: str | None, rotate: float = DEFAULT_ROTATE) -> tuple[Panel, ...]:
    """``okrs:30,kpis,risk`` → the panels in that order, each with its dwell (``rotate`` unless given);
    ``None`` → every panel with ``rotate``. A panel named twice, an unknown name or a dwell that is not
    a number of seconds from 5 to 3600 is refused with the entry named."""
    if text is None:
        return tuple(Panel(name, rotate) for name in PANELS)
    panels: list[Panel] = []
    for raw in text.split(","):
        entry = raw.strip()
        name, colon, seconds = entry.partition(":")
        name = name.strip().lower()
        if not entry:
            raise BadScreens(f"--screens has an empty entry in {text!r}: give a comma list of {_names()}.")
        if name not in PANEL_FEEDS:
            raise BadScreens(f"--screens: unknown panel {entry!r}; the panels are {_names()}.")
        if any(panel.name == name for panel in panels):
            raise BadScreens(f"--screens names {name!r} twice; give each panel once.")
        dwell = rotate
        if colon:
            dwell = _seconds(seconds.strip(), entry)
        panels.append(Panel(name, dwell))
    return tuple(panels)


def _names() -> str:
    return ", ".join(PANELS)


def _seconds(text: str, entry: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not MIN_DWELL <= value <= MAX_DWELL:  # NaN fails this too
        raise BadScreens(
            f"--screens: {entry!r} needs a dwell of {MIN_DWELL:g} to {MAX_DWELL:g} seconds after the colon."
        )
    return value


class Rotation:
    """Which panel is on, since when, and whether the rotation is paused.

    Times are the caller's clock (seconds). Paused, the time already spent on the panel is kept and the
    rest is served after ``resume``; a key that moves to another panel starts its full dwell."""

    def __init__(self, panels: Sequence[Panel], now: float) -> None:
        if not panels:
            raise ValueError("a rotation needs at least one panel")
        self.panels = tuple(panels)
        self.index = 0
        self._started = now
        self._paused_at: float | None = None
        #: Per panel: how many times it has come on screen (the first panel is on from the start).
        self.turns: dict[str, int] = {panel.name: 0 for panel in self.panels}
        self.turns[self.current.name] = 1

    @property
    def current(self) -> Panel:
        return self.panels[self.index]

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def elapsed(self, now: float) -> float:
        until = self._paused_at if self._paused_at is not None else now
        return max(0.0, until - self._started)

    def left(self, now: float) -> float:
        return max(0.0, self.current.dwell - self.elapsed(now))

    def countdown(self, now: float) -> tuple[float, float]:
        """The time to the next panel as shown: the seconds left, rounded up to a ``STEP`` (never past
        the dwell), and the share of the dwell that leaves behind, 0 to 1. Given a ``beat``, it changes
        on the beat, with the rest of the top lines."""
        dwell = self.current.dwell
        left = min(dwell, STEP * math.ceil(self.left(now) / STEP))
        return left, 1 - left / dwell

    def tick(self, now: float) -> bool:
        """Moves on when the dwell is over; True when the panel changed (a lone panel "changes" to
        itself, and so turns its page). After a long gap (the machine slept) it moves one panel and
        starts afresh rather than replaying every missed turn."""
        if self.paused or self.elapsed(now) < self.current.dwell:
            return False
        if self.elapsed(now) >= 2 * self.current.dwell:
            self._step(1)
            self._started = now
            return True
        while self.elapsed(now) >= self.current.dwell:
            self._started += self.current.dwell
            self._step(1)
        return True

    def step(self, by: int, now: float) -> None:
        """``left`` / ``right``: the previous or next panel now, with its full dwell (still paused
        when paused)."""
        self._step(by)
        self._started = now
        if self._paused_at is not None:
            self._paused_at = now

    def _step(self, by: int) -> None:
        self.index = (self.index + by) % len(self.panels)
        self.turns[self.current.name] += 1

    def toggle_pause(self, now: float) -> None:
        if self._paused_at is None:
            self._paused_at = now
        else:
            self._started += now - self._paused_at
            self._paused_at = None

    def turn(self, name: str) -> int:
        """Which of its turns a panel is on, from 0: the page it shows (modulo its pages)."""
        return max(0, self.turns.get(name, 0) - 1)


def pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / max(1, per_page)))


def page_slice(count: int, per_page: int, page: int) -> slice:
    """The items of ``page`` (wrapped into range) when ``per_page`` fit."""
    per_page = max(1, per_page)
    page %= pages(count, per_page)
    return slice(page * per_page, min(count, (page + 1) * per_page))
