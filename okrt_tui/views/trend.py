"""How a KPI moved: since the previous value this client saw, since a moment (7 days ago), and the
series of values with the current one placed at its own update time (the API keeps no history)."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.numbers import Number, finite, format_number
from okrt_tui.views.sparkline import recent_values, sparkline
from okrt_tui.views.status import BAD, GOOD, MUTED

#: Seconds in the "since 7 days ago" of the lists and details.
WEEK = 7 * 86400.0


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


def kpi_series(
    points: Sequence[KpiPoint], current: Number | None, last_updated: float | None
) -> Sequence[KpiPoint]:
    """The values seen, with the current one placed at the KPI's own ``last_updated``.

    Polling sees a value only when it asks: a value set at 03:00 and first fetched at 10:00 was seen at
    10:00, though it held from 03:00. So when no point is at or after ``last_updated``, the current
    value is added there; and when the newest point is the current value seen after ``last_updated``
    (with nothing else since), it moves back to when it was set. Otherwise the points are as given.
    """
    value = finite(current)
    if value is None or last_updated is None:
        return points
    if not points or points[-1].at < last_updated:
        return (*points, KpiPoint(at=last_updated, value=value))
    newest = points[-1]
    alone = len(points) == 1 or points[-2].at < last_updated
    if newest.value == value and newest.at > last_updated and alone:
        return (*points[:-1], KpiPoint(at=last_updated, value=value))
    return points


def value_at(points: Sequence[KpiPoint], at: float) -> float | None:
    """The value that held at ``at``: the newest point at or before it (``None`` before the first)."""
    found = None
    for point in reversed(points):
        if point.at <= at:
            found = finite(point.value)
            break
    return found


def change_since(
    points: Sequence[KpiPoint], current: Number | None, since: float, direction: str | None
) -> Trend:
    """The change from the value that held at ``since`` to ``current`` (``·`` when nothing that old was
    seen); the arrow judged as :func:`trend` judges it."""
    return trend(value_at(points, since), current, direction)


class OkrMotion(msgspec.Struct, frozen=True):
    """How an objective has been moving, as this computer saw it: its progress as a sparkline (the last
    changes seen) and its health score since 7 days ago (higher is better)."""

    progress_spark: str
    health_week: Trend


def okr_motion(
    progress: Sequence[KpiPoint],
    health: Sequence[KpiPoint],
    okr_progress: Number | None,
    health_score: Number | None,
    now: float,
) -> OkrMotion:
    return OkrMotion(
        sparkline(recent_values(progress, okr_progress)),
        change_since(health, health_score, now - WEEK, "increase"),
    )
