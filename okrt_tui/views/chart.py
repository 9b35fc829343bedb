"""What the KPI detail's chart draws: the points of a time range, ticks people read, the target's place.

Textual-free, so every choice is tested as plain data; ``okrt_tui.tui.widgets.kpi_chart`` only hands
the result to plotext. The x axis is dated (``12 Mar``, ``14:00``, ``Mar 2026`` by the span shown);
the y axis is ticked at round numbers written as the header writes them (``$1,460,000``). A target far
from the values is not drawn (it would squash them into a row or two): the chart keeps the values'
range and says on which side the target is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.numbers import Number, attached_unit, axis_exponent, finite, with_unit
from okrt_tui.views.trend import value_at

DAY = 86400.0
HOUR = 3600.0

#: Steps of the time axis, in seconds: the first that leaves room for every label is used.
_TIME_STEPS = (
    300.0,
    600.0,
    900.0,
    1800.0,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
    14 * DAY,
    30 * DAY,
    61 * DAY,
    91 * DAY,
    182 * DAY,
    365 * DAY,
)


class Axis(msgspec.Struct, frozen=True):
    """Tick positions (in the chart's units) and their labels."""

    ticks: tuple[float, ...]
    labels: tuple[str, ...]


class ChartModel(msgspec.Struct, frozen=True):
    """Everything the chart draws. x is in days since ``start``; y is the value divided by
    ``10**exponent`` (only values past ``1e15``: plotext cannot span -1e308 to 1e308)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    x_axis: Axis
    y_axis: Axis
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    #: The target's height when it is drawn; ``None`` when it is off the chart (see ``target_side``).
    target_y: float | None
    #: ``above`` or ``below`` when the target is too far from the values to be drawn.
    target_side: str | None
    #: The newest value in the range, where it was set (``●``); the line goes on flat from it.
    latest: tuple[float, float] | None
    #: Where this app posted an update: x, and the value then (y).
    posted: tuple[tuple[float, float], ...]
    #: A word unit (``users``) for the axis' label; short units (``$``, ``%``) are in the ticks.
    unit_label: str


def time_axis(start: float, end: float, most: int) -> Axis:
    """At most ``most`` ticks between ``start`` and ``end`` (epoch seconds), at round local times,
    as positions in days since ``start``: ``14:00`` for steps under a day (a midnight says its date),
    ``12 Mar`` for steps of days and weeks, ``Mar 2026`` for steps of months."""
    span = max(end - start, 1.0)
    gaps = max(most - 1, 1)  # both ends may carry a tick
    step = next(
        (s for s in _TIME_STEPS if span / s <= gaps), 365 * DAY * math.ceil(span / (365 * DAY * gaps))
    )
    midnight = datetime.fromtimestamp(start).astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    anchor = midnight
    if step >= 30 * DAY:  # on the 1st of a month the step divides: quarters start in Jan, Apr, Jul, Oct
        months = min(12, round(step / (30.4 * DAY)))
        anchor = midnight.replace(day=1, month=(midnight.month - 1) // months * months + 1)
    ticks: list[float] = []
    labels: list[str] = []
    moment = anchor
    while moment.timestamp() <= end:
        at = moment.timestamp()
        if at >= start:
            ticks.append((at - start) / DAY)
            labels.append(_time_label(moment, step))
        moment = _advance(moment, step)
    return Axis(tuple(ticks), tuple(labels))


def _advance(moment: datetime, step: float) -> datetime:
    """The next tick: months by the calendar (a month's step lands on the 1st), the rest by seconds."""
    if step < 30 * DAY:
        return (moment + timedelta(seconds=step)).astimezone()
    month = moment.month - 1 + round(step / (30.4 * DAY))
    return moment.replace(year=moment.year + month // 12, month=month % 12 + 1)


def _time_label(moment: datetime, step: float) -> str:
    """``14:00`` (a midnight says its date), ``12 Mar``, ``Mar 2026``."""
    if step < DAY and (moment.hour, moment.minute) != (0, 0):
        return f"{moment:%H:%M}"
    if step < 30 * DAY:
        return f"{moment.day} {moment:%b}"
    return f"{moment:%b %Y}"


def nice_step(span: float, most: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most ``most`` steps over ``span``."""
    raw = span / max(most, 1)
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw:
            return factor * power
    return 10.0 * power


def value_axis(low: float, high: float, most: int, unit: str | None, exponent: int) -> Axis:
    """Round ticks between ``low`` and ``high`` (real values), labelled as the header writes the
    value (``$1,460,000``, ``45%``; a word unit goes to the axis' label instead), placed at the
    value divided by ``10**exponent``."""
    step = nice_step(high - low, most)
    first = math.ceil(low / step)
    ticks: list[float] = []
    labels: list[str] = []
    index = first
    while (value := index * step) <= high and len(ticks) <= most:
        ticks.append(value / 10.0**exponent)
        labels.append(with_unit(value, unit if attached_unit(unit) else None))
        index += 1
    return Axis(tuple(ticks), tuple(labels))


def _posted_value(points: Sequence[KpiPoint], at: float, bottom: float) -> float:
    """Where a posted update's mark sits: on the line (the value that held then), or at the bottom
    before the first value shown."""
    value = value_at(points, at)
    return bottom if value is None else value


def chart_model(
    points: Sequence[KpiPoint],
    *,
    start: float,
    end: float,
    target: Number | None,
    unit: str | None,
    posted: Sequence[float] = (),
    width: int = 80,
    height: int = 12,
) -> ChartModel:
    """The chart of ``points`` (oldest first) between ``start`` and ``end`` (epoch seconds), for a
    plot about ``width`` x ``height`` cells. The value that held at ``start`` is drawn at ``start``
    and the newest one goes on to ``end``, so a KPI that did not change in the range is a flat line
    across it, not a dot or an empty chart."""
    shown = [p for p in points if start <= p.at <= end and finite(p.value) is not None]
    latest = shown[-1] if shown else None
    held = value_at(points, start)
    if held is not None and (not shown or shown[0].at > start):
        shown.insert(0, KpiPoint(at=start, value=held))
    if shown and shown[-1].at < end:  # the newest value still holds: the line goes on to the end
        shown.append(KpiPoint(at=end, value=shown[-1].value))
    values = [p.value for p in shown]
    goal = finite(target)
    exponent = axis_exponent([*values, *([goal] if goal is not None else [])])
    divisor = 10.0**exponent
    low, high = (min(values), max(values)) if values else ((goal, goal) if goal is not None else (0.0, 1.0))
    side: str | None = None
    if goal is not None and values:
        # Drawn when the values keep at least half the chart's height with it; else the side is said.
        room = high - low or abs(high) * 0.1 or 1.0
        if goal > high + room:
            side = "above"
        elif goal < low - room:
            side = "below"
        else:
            low, high = min(low, goal), max(high, goal)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    # Past 1e307 the padding itself would overflow: the range is then the values' own.
    bottom, top = finite(low - pad), finite(high + pad)
    bottom, top = low if bottom is None else bottom, high if top is None else top
    most_y = max(2, height // 3)
    return ChartModel(
        xs=tuple((p.at - start) / DAY for p in shown),
        ys=tuple(value / divisor for value in values),
        x_axis=time_axis(start, end, max(2, width // 10)),
        y_axis=value_axis(bottom, top, most_y, unit, exponent),
        x_range=(0.0, max(end - start, 1.0) / DAY),
        y_range=(bottom / divisor, top / divisor),
        target_y=goal / divisor if goal is not None and side is None else None,
        target_side=side,
        latest=None if latest is None else ((latest.at - start) / DAY, latest.value / divisor),
        posted=tuple(
            ((at - start) / DAY, _posted_value(shown, at, bottom) / divisor)
            for at in posted
            if start <= at <= end
        ),
        unit_label="" if attached_unit(unit) else (unit or ""),
    )
