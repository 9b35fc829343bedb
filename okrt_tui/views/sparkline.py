"""A KPI's recent values as a row of block characters (``▂▃▅▆█``), for one cell of the KPI list.

The values are the last few changes seen, one character each, oldest on the left: a sparkline says
how a KPI has been moving lately, which the changes beside it quantify. Scaled from the lowest to the
highest of the values shown, so a small move still shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isfinite

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.numbers import Number, finite

BLOCKS = "▁▂▃▄▅▆▇█"

#: Characters in the KPI list's column: the last eight values seen.
WIDTH = 8


def recent_values(points: Sequence[KpiPoint], current: Number | None, count: int = WIDTH) -> list[float]:
    """The last ``count`` values seen, oldest first, each change once (a value seen again at its
    ``last_updated`` is not a second value), ending with ``current`` (the list's own value, in case the
    points have not caught up with it)."""
    values: list[float] = []
    for point in points[-2 * count :]:
        value = point.value
        if isfinite(value) and (not values or values[-1] != value):
            values.append(value)
    now = finite(current)
    if now is not None and (not values or values[-1] != now):
        values.append(now)
    return values[-count:]


def sparkline(values: Sequence[float]) -> str:
    """One block per value, from ``▁`` (the lowest shown) to ``█`` (the highest); all equal: ``▄``.

    Fewer than two values draw nothing: one bar shows no movement. (A row's cell is built at each
    refresh that changes the row, so it is kept cheap: ~3 µs.)"""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return BLOCKS[3] * len(values)
    top = (len(BLOCKS) - 1) / (high - low)
    if not isfinite(top) or top == 0:
        # -1e308 to 1e308 (a span no float holds) or subnormal steps: scaled by the largest first.
        scale = max(abs(low), abs(high))
        return sparkline([value / scale for value in values])
    return "".join([BLOCKS[int((value - low) * top + 0.5)] for value in values])
