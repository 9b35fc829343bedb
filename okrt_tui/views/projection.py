"""When a KPI reaches its target at its recent pace: "at this pace: 12 Mar", "off pace", "reached".

A projection is a straight line through the recent values, so it is shown only where the values lie
close to one ("steady"); anywhere else it would be a wild date, and nothing is shown. The rule:

- **Reached**: the current value is at or beyond the target, the better way (``≥`` when higher is
  better, ``≤`` when lower is). Said whatever the pace.
- The **recent values** are those seen in the last 30 days (at most the last 60), and the current
  value now (it still holds, so a KPI that stopped moving a week ago does not keep its old pace).
- **Steady**: at least 4 values seen in those 30 days, spanning at least a day, whose least-squares
  line explains at least 80% of their variation (R² >= 0.8).
- **At this pace: DATE**: steady and moving toward the target, reached at the fitted slope from the
  current value within three times the span of the values fitted (two weeks of values say little
  about next year).
- **Off pace**: steady and not moving, moving away from the target, or reaching it more than a year
  from now. (The API gives a KPI no period or cycle, so a year is the horizon.)
- Otherwise nothing: fewer values, a shorter span, a poor fit, a date too far ahead to tell, no
  target, or a direction nobody knows (okrt-tui never claims a direction it does not know).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from math import isfinite

import msgspec

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.numbers import Number, finite
from okrt_tui.views.status import BAD, GOOD, INFO, MUTED

DAY = 86400.0
WINDOW_DAYS = 30
MAX_POINTS = 60
MIN_POINTS = 4
MIN_SPAN_DAYS = 1.0
MIN_FIT = 0.8
#: A date is projected at most this many times the span of the values it comes from.
REACH = 3.0
HORIZON_DAYS = 365

REACHED, ON_PACE, OFF_PACE, UNKNOWN = "reached", "on_pace", "off_pace", "unknown"


class Projection(msgspec.Struct, frozen=True):
    """What the recent pace says about the target; ``at`` (epoch seconds) only ``on_pace``."""

    kind: str
    reason: str
    at: float | None = None

    @property
    def tone(self) -> str:
        return {REACHED: GOOD, ON_PACE: INFO, OFF_PACE: BAD}.get(self.kind, MUTED)

    def cell(self, now: float) -> str:
        """The list's cell: ``12 Mar``, ``off pace``, ``✓ reached`` or ``·``."""
        if self.kind == ON_PACE and self.at is not None:
            return short_date(self.at, now)
        return {REACHED: "✓ reached", OFF_PACE: "off pace"}.get(self.kind, "·")

    def sentence(self, now: float) -> str:
        """The detail's words: ``at this pace: 12 Mar``, ``off pace: moving away from the target``."""
        if self.kind == ON_PACE and self.at is not None:
            return f"at this pace: {short_date(self.at, now)}"
        if self.kind == REACHED:
            return "target reached"
        if self.kind == OFF_PACE:
            return f"off pace: {self.reason}"
        return f"no projection: {self.reason}"


def short_date(at: float, now: float) -> str:
    """``12 Mar`` in the local time zone; ``12 Mar 2027`` in another year than ``now``'s."""
    when = datetime.fromtimestamp(at).astimezone()
    if when.year == datetime.fromtimestamp(now).astimezone().year:
        return f"{when.day} {when:%b}"
    return f"{when.day} {when:%b %Y}"


def is_reached(current: float, target: float, direction: str) -> bool:
    return current <= target if direction == "decrease" else current >= target


def _fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """The least-squares slope of ``ys`` over ``xs``, and the share of their variation it explains
    (R², the squared correlation; 1.0 for values that do not vary: a flat line fits them exactly)."""
    count = len(xs)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    sxx = sxy = syy = 0.0
    for x, y in zip(xs, ys, strict=True):
        dx, dy = x - mean_x, y - mean_y
        sxx += dx * dx
        sxy += dx * dy
        syy += dy * dy
    if syy == 0:
        return 0.0, 1.0
    if sxx == 0:
        return 0.0, 0.0
    return sxy / sxx, sxy * sxy / (sxx * syy)


def project(
    points: Sequence[KpiPoint],
    current: Number | None,
    target: Number | None,
    direction: str | None,
    now: float,
) -> Projection:
    """The projection of a KPI (``direction`` as the API spells it; ``None`` when unknown) from the
    points seen, oldest first (see the module's docstring for the rule)."""
    cur, tgt = finite(current), finite(target)
    if cur is None or tgt is None:
        return Projection(UNKNOWN, "no target" if tgt is None else "no current value")
    if direction not in ("increase", "decrease"):
        return Projection(UNKNOWN, "which way is better is unknown")
    if is_reached(cur, tgt, direction):
        return Projection(REACHED, "at or beyond the target")
    since = now - WINDOW_DAYS * DAY
    recent = [p for p in points[-MAX_POINTS:] if since <= p.at <= now and isfinite(p.value)]
    if len(recent) < MIN_POINTS:
        return Projection(UNKNOWN, f"fewer than {MIN_POINTS} values seen in {WINDOW_DAYS} days")
    span = (now - recent[0].at) / DAY
    if span < MIN_SPAN_DAYS:
        return Projection(UNKNOWN, "the values seen span less than a day")
    # Days before now, and values divided by the largest magnitude: sums of squares of 1e308 overflow.
    values = [p.value for p in recent]
    scale = max(abs(cur), abs(tgt), abs(max(values)), abs(min(values))) or 1.0
    xs = [(p.at - now) / DAY for p in recent]
    ys = [value / scale for value in values]
    if recent[-1].at < now:
        xs.append(0.0)
        ys.append(cur / scale)
    slope, fit = _fit(xs, ys)
    if fit < MIN_FIT:
        return Projection(UNKNOWN, f"the values are not steady (a straight line explains {fit:.0%} of them)")
    needed = tgt / scale - cur / scale
    if slope == 0 or (slope > 0) != (needed > 0):
        return Projection(OFF_PACE, "moving away from the target" if slope else "not moving")
    days = needed / slope
    if days > HORIZON_DAYS:
        return Projection(OFF_PACE, "more than a year away at this pace")
    if days > REACH * span:
        return Projection(UNKNOWN, f"too far ahead to tell from {span:.0f} days of values")
    return Projection(ON_PACE, "at the recent pace", at=now + days * DAY)
