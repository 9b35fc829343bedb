"""Which way a KPI moved since the previous value this client saw (the API keeps no history)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.numbers import Number, finite, format_number
from okrt_tui.views.status import BAD, GOOD, MUTED


class Trend(msgspec.Struct, frozen=True):
    """``↑ +89`` in the ``good`` tone, or ``·`` when nothing earlier was seen."""

    glyph: str
    delta: float | None
    tone: str
    word: str

    @property
    def display(self) -> str:
        if self.delta is None:
            return self.glyph
        if self.delta == 0:
            return f"{self.glyph} 0"
        sign = "+" if self.delta > 0 else "-"
        return f"{self.glyph} {sign}{format_number(abs(self.delta), compact=True)}"


NO_TREND = Trend("·", None, MUTED, "no earlier value seen")


def previous_value(points: Sequence[KpiPoint] | None, current: Number | None) -> float | None:
    """The most recent value seen that differs from ``current`` (``None`` if there is none).

    Polling sees the same value many times; the trend is the direction of the last change.
    """
    cur = finite(current)
    if not points or cur is None:
        return None
    for point in reversed(points):
        value = finite(point.value)
        if value is not None and value != cur:
            return value
    return None


def trend(previous: Number | None, current: Number | None, direction: str | None = None) -> Trend:
    """The arrow from ``previous`` to ``current``; going down is good when lower is better.

    With ``direction`` unknown (``None``) the arrow judges nothing: it is muted, neither good nor bad.
    """
    prev = finite(previous)
    cur = finite(current)
    if prev is None or cur is None:
        return NO_TREND
    delta = cur - prev
    if delta == 0:
        return Trend("→", 0.0, MUTED, "unchanged")
    glyph = "↑" if delta > 0 else "↓"
    word = "up" if delta > 0 else "down"
    # From -1e308 to 1e308 the difference is past the range of a float: the arrow stands alone.
    shown = finite(delta)
    if direction not in ("increase", "decrease"):
        return Trend(glyph, shown, MUTED, word)
    better = (delta < 0) if direction == "decrease" else (delta > 0)
    return Trend(glyph, shown, GOOD if better else BAD, word)


def kpi_trend(points: Sequence[KpiPoint] | None, current: Number | None, direction: str | None) -> Trend:
    return trend(previous_value(points, current), current, direction)


def points_in_range(points: Sequence[KpiPoint], now: float, days: int | None) -> list[KpiPoint]:
    """The points of the last ``days`` days (all of them for ``None``), oldest first."""
    if days is None:
        return list(points)
    since = now - days * 86400
    return [p for p in points if p.at >= since]
