"""A KPI's values over time against its target, drawn by plotext (through textual-plotext).

plotext keeps state per figure; textual-plotext gives each widget its own figure, and this widget
only touches it on the UI thread, from ``plot()`` and Textual's render.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.numbers import Number, axis_exponent, finite

DAY = 86400.0


def time_scale(span: float) -> tuple[float, str]:
    """The x axis unit for a span of seconds: minutes, hours or days, so ticks read as whole-ish numbers."""
    if span < 2 * 3600:
        return 60.0, "minutes"
    if span < 2 * DAY:
        return 3600.0, "hours"
    return DAY, "days"


class KpiChart(PlotextPlot):
    """``plot(points, target, now)``: x is time relative to now (0 = now), y the KPI's values."""

    DEFAULT_CSS = """
    KpiChart {
        height: 1fr;
        min-height: 6;
    }
    """

    def plot(self, points: Sequence[KpiPoint], target: Number | None, now: float, *, unit: str = "") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        oldest = min((point.at for point in points), default=now)
        scale, scale_name = time_scale(now - oldest)
        xs = [round((point.at - now) / scale, 4) for point in points]
        goal = finite(target)
        exponent = axis_exponent([*(point.value for point in points), *([goal] if goal is not None else [])])
        ys = [point.value / 10.0**exponent for point in points]
        if goal is not None:
            goal /= 10.0**exponent
        if xs:
            plt.plot(xs, ys, marker="braille", color="cyan")
            plt.scatter(xs[-1:], ys[-1:], marker="●", color="cyan")
        if goal is not None:
            plt.hline(goal, "orange")
        if xs:
            span = max(-min(xs), 1.0)
            plt.xlim(-span * 1.02, span * 0.02)
            values = [*ys, *([goal] if goal is not None else [])]
            low, high = min(values), max(values)
            pad = (high - low) * 0.1 or abs(high) * 0.1 or 1
            plt.ylim(low - pad, high + pad)
        plt.xlabel(f"{scale_name} (0 = now)")
        plt.ylabel(f"{unit[:12]} \u00d71e+{exponent}".lstrip() if exponent else unit[:12])
        self.refresh()
