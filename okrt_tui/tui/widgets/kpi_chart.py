"""A KPI's values over time against its target, drawn by plotext (through textual-plotext).

What is drawn is worked out by :func:`okrt_tui.views.chart.chart_model` (dated x ticks, y ticks
written like the header, the target only where it does not squash the values); this widget hands it
to plotext. plotext keeps state per figure; textual-plotext gives each widget its own figure, and this
widget only touches it on the UI thread, from ``plot()`` and Textual's render.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual_plotext import PlotextPlot

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.chart import ChartModel, chart_model
from okrt_tui.views.numbers import Number


class KpiChart(PlotextPlot):
    """``plot(points, start=, end=, target=, unit=, posted=)``: the values between two moments."""

    DEFAULT_CSS = """
    KpiChart {
        height: 1fr;
        min-height: 6;
    }
    """

    model: ChartModel | None = None
    _request: tuple[Sequence[KpiPoint], dict[str, Any]] | None = None

    def on_resize(self) -> None:
        """The ticks are chosen for the size: a wider chart gets more of them."""
        if self._request is not None:
            self.plot(self._request[0], **self._request[1])

    def plot(
        self,
        points: Sequence[KpiPoint],
        *,
        start: float,
        end: float,
        target: Number | None,
        unit: str | None,
        posted: Sequence[float] = (),
    ) -> ChartModel:
        """Draws the chart and returns what it drew (the screen's legend says what is off it)."""
        self._request = (
            points,
            {"start": start, "end": end, "target": target, "unit": unit, "posted": posted},
        )
        width, height = self.size.width or 80, self.size.height or 12
        model = chart_model(
            points, start=start, end=end, target=target, unit=unit, posted=posted, width=width, height=height
        )
        self.model = model
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if model.xs:
            plt.plot(list(model.xs), list(model.ys), marker="braille", color="cyan")
        if model.latest is not None:
            plt.scatter([model.latest[0]], [model.latest[1]], marker="●", color="cyan")
        if model.posted:
            plt.scatter(
                [x for x, _ in model.posted], [y for _, y in model.posted], marker="▲", color="magenta"
            )
        if model.target_y is not None:
            plt.hline(model.target_y, "orange")
        plt.xlim(*model.x_range)
        plt.ylim(*model.y_range)
        plt.xticks(list(model.x_axis.ticks), list(model.x_axis.labels))
        plt.yticks(list(model.y_axis.ticks), list(model.y_axis.labels))
        plt.ylabel(model.unit_label[:12])
        self.refresh()
        return model
