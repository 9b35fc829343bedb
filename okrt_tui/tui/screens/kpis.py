"""``2``: the KPIs against their targets, with the direction of the last change this client saw."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from okrt_tui.api.models import Kpi
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.messages import OpenKpi
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.screens.lists import Layout, ListScreen, RowData
from okrt_tui.tui.screens.writing import KPI_UPDATE, Writes
from okrt_tui.tui.widgets.cells import label_text, plain
from okrt_tui.tui.widgets.keyed_table import ColumnSpec
from okrt_tui.tui.widgets.line import Line
from okrt_tui.views.direction import KpiDirection, direction_legend, kpi_direction, kpi_figures
from okrt_tui.views.query import number_key, status_key, text_key
from okrt_tui.views.status import MUTED, status_label
from okrt_tui.views.text import cell, fold, fold_shared
from okrt_tui.views.times import age_seconds, parse_timestamp, relative_time
from okrt_tui.views.trend import kpi_trend, previous_value

_NAME = ColumnSpec("name", "KPI", min_width=12, weight=2)

LAYOUTS = (
    Layout(
        "narrow",
        0,
        (
            _NAME,
            ColumnSpec("current", "Current", min_width=None, justify="right"),
            ColumnSpec("target", "Target", min_width=None, justify="right"),
            ColumnSpec("ratio", "Of tgt", min_width=None, justify="right"),
            ColumnSpec("status", "Status", min_width=None),
            ColumnSpec("updated", "Updated"),
            ColumnSpec("trend", "Trend", min_width=None),
        ),
        {"compact": 1, "units": 0},
    ),
    Layout(
        "wide",
        110,
        (
            _NAME,
            ColumnSpec("current", "Current", min_width=None, justify="right"),
            ColumnSpec("target", "Target", min_width=None, justify="right"),
            ColumnSpec("unit", "Unit"),
            ColumnSpec("ratio", "% of target", min_width=None, justify="right"),
            ColumnSpec("status", "Status", min_width=None),
            ColumnSpec("updated", "Last updated"),
            ColumnSpec("trend", "Trend", min_width=None),
        ),
        {"compact": 0, "units": 1},
    ),
)

_SORT_KEYS: dict[str, Callable[[Kpi], Any]] = {
    "name": lambda k: text_key(k.name),
    "current": lambda k: number_key(k.current),
    "target": lambda k: number_key(k.target),
    "unit": lambda k: text_key(k.unit),
    "status": lambda k: status_key(k.status),
    # Most recently updated first reads naturally as "ascending" here: sort by age.
    "updated": lambda k: None if (at := parse_timestamp(k.last_updated)) is None else -at,
    "trend": lambda k: None,
}


def shown_direction(screen: DataScreen, kpi: Kpi) -> KpiDirection:
    """A KPI's direction on any screen: config.toml's, the API's, or learnt (the snapshot's memory)."""
    snapshot = screen.snapshot
    remembered = snapshot.kpi_directions if snapshot is not None else None
    return kpi_direction(kpi, screen.okrt.settings.kpi_directions, remembered)


class KpisScreen(Writes, ListScreen):
    FEED = "kpis"
    MODE = "kpis"
    NOUN = "KPIs"
    LAYOUTS = LAYOUTS
    EMPTY_TEXT = "No KPIs in this workspace."
    BINDINGS = [*ListScreen.BINDINGS, KPI_UPDATE]  # noqa: RUF012 - Textual's idiom
    FILTER_PLACEHOLDER = "filter name · status:at_risk unit:users"
    HELP_NOTES = (
        "Filter: words match the KPI's name; narrow with status: or unit:. Trend is the direction of "
        "the last change this app saw (↑ ↓ →, green when it is the good direction; · before any change). "
        "The target shows the better way: ≤ lower is better, ≥ higher; * when it was inferred from the "
        "server's status (the API does not say), ? of target when nobody knows; config.toml's "
        "[kpis.direction] sets it. "
        "Sort: left/right choose the underlined column, s sorts, s again reverses."
    )

    def compose_summary(self) -> ComposeResult:
        yield Line(id="summary")

    def after_filter(self, snapshot: Snapshot, shown: Sequence[Any], total: int) -> None:
        """The legend of the targets' ``*`` and ``?`` (the CLI table's note), only while rows show one."""
        legend = direction_legend(self.direction(kpi) for kpi in shown)
        line = self.query_one("#summary", Line)
        line.set_text(Text(legend or "", style=self.tones[MUTED], no_wrap=True, overflow="ellipsis"))
        line.display = legend is not None

    def direction(self, item: Kpi) -> KpiDirection:
        return shown_direction(self, item)

    def build_row(self, item: Kpi, index: int, layout: Layout) -> RowData:
        tones = self.tones
        compact = bool(layout.options["compact"])
        units = bool(layout.options["units"])
        snapshot = self.snapshot
        points = snapshot.kpi_seen.get(item.id or "", ()) if snapshot is not None else ()
        direction = self.direction(item)
        # With a unit column the numbers go bare; without one only "%" is short enough to keep.
        unit = None if units or item.unit != "%" else item.unit
        figures = kpi_figures(item, direction, unit, compact=compact)
        age = age_seconds(item.last_updated, self.now)
        trend = kpi_trend(points, item.current, direction.api_value)
        updated = relative_time(item.last_updated, self.now)
        builders: dict[str, Callable[[], Text]] = {
            "name": lambda: plain(cell(item.name, 200)),
            "current": lambda: plain(figures.current, justify="right"),
            "target": lambda: plain(figures.target, justify="right"),
            "unit": lambda: plain(cell(item.unit, empty="")),
            "ratio": lambda: plain(figures.of_target, tones[figures.tone], justify="right"),
            "status": lambda: label_text(status_label(item.status), tones),
            "updated": lambda: plain(updated, tones[MUTED] if age else ""),
            "trend": lambda: plain(trend.display, tones[trend.tone]),
        }
        return RowData(
            key=item.id or f"row-{index}",
            cells=tuple(builders[spec.key]() for spec in layout.columns),
            haystack=fold(item.name),
            fields={"status": fold_shared(item.status).replace("_", " "), "unit": fold_shared(item.unit)},
        )

    def cache_key(self, item: Kpi, layout: Layout) -> Hashable:
        # A KPI's row shows more than the record: its direction, the previous value seen (trend), the age.
        snapshot = self.snapshot
        points = snapshot.kpi_seen.get(item.id or "", ()) if snapshot is not None else ()
        return (
            item,
            layout.name,
            self.direction(item),
            previous_value(points, item.current),
            relative_time(item.last_updated, self.now),
        )

    def sort_key(self, column: str) -> Callable[[Any], Any]:
        if column == "ratio":
            # The share of the target the row shows: none (last) while the direction is unknown.
            return lambda k: kpi_figures(k, self.direction(k), None).ratio
        return _SORT_KEYS.get(column, _SORT_KEYS["name"])

    def open_row(self, key: str) -> None:
        self.post_message(OpenKpi(key))

    def kpi_target(self) -> str | None:
        return self.table.highlighted_key
