"""``2``: the KPIs against their targets, with the direction of the last change this client saw."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from rich.text import Text

from okrt_tui.api.models import Kpi
from okrt_tui.tui.messages import OpenKpi
from okrt_tui.tui.screens.lists import Layout, ListScreen, RowData
from okrt_tui.tui.widgets.cells import label_text, plain
from okrt_tui.tui.widgets.keyed_table import ColumnSpec
from okrt_tui.views.numbers import format_number, kpi_ratio, percent, with_unit
from okrt_tui.views.query import number_key, status_key, text_key
from okrt_tui.views.status import BAD, GOOD, MUTED, WARN, status_label
from okrt_tui.views.text import cell, fold, fold_shared
from okrt_tui.views.times import age_seconds, parse_timestamp, relative_time
from okrt_tui.views.trend import kpi_trend, previous_value

_NAME = ColumnSpec("name", "KPI", None, min_width=12)

LAYOUTS = (
    Layout(
        "narrow",
        0,
        (
            _NAME,
            ColumnSpec("current", "Current", 8, justify="right"),
            ColumnSpec("target", "Target", 8, justify="right"),
            ColumnSpec("ratio", "Of tgt", 6, justify="right"),
            ColumnSpec("status", "Status", 11),
            ColumnSpec("updated", "Updated", 10),
            ColumnSpec("trend", "Trend", 6),
        ),
        {"compact": 1, "units": 0},
    ),
    Layout(
        "wide",
        110,
        (
            _NAME,
            ColumnSpec("current", "Current", 12, justify="right"),
            ColumnSpec("target", "Target", 12, justify="right"),
            ColumnSpec("unit", "Unit", 10),
            ColumnSpec("ratio", "% of target", 11, justify="right"),
            ColumnSpec("status", "Status", 11),
            ColumnSpec("updated", "Last updated", 12),
            ColumnSpec("trend", "Trend", 9),
        ),
        {"compact": 0, "units": 1},
    ),
)

_SORT_KEYS: dict[str, Callable[[Kpi], Any]] = {
    "name": lambda k: text_key(k.name),
    "current": lambda k: number_key(k.current),
    "target": lambda k: number_key(k.target),
    "unit": lambda k: text_key(k.unit),
    "ratio": lambda k: kpi_ratio(k.current, k.target, k.direction),
    "status": lambda k: status_key(k.status),
    # Most recently updated first reads naturally as "ascending" here: sort by age.
    "updated": lambda k: None if (at := parse_timestamp(k.last_updated)) is None else -at,
    "trend": lambda k: None,
}


class KpisScreen(ListScreen):
    FEED = "kpis"
    MODE = "kpis"
    NOUN = "KPIs"
    LAYOUTS = LAYOUTS
    EMPTY_TEXT = "No KPIs in this workspace."
    FILTER_PLACEHOLDER = "filter name · status:at_risk unit:users"
    HELP_NOTES = (
        "Filter: words match the KPI's name; narrow with status: or unit:. Trend is the direction of "
        "the last change this app saw (↑ ↓ →, green when it is the good direction; · before any change). "
        "Sort: left/right choose the underlined column, s sorts, s again reverses."
    )

    def build_row(self, item: Kpi, index: int, layout: Layout) -> RowData:
        tones = self.tones
        compact = bool(layout.options["compact"])
        units = bool(layout.options["units"])
        snapshot = self.snapshot
        points = snapshot.kpi_seen.get(item.id or "", ()) if snapshot is not None else ()
        ratio = kpi_ratio(item.current, item.target, item.direction)
        if units:
            current = format_number(item.current)
            target = format_number(item.target)
        else:
            current = with_unit(item.current, item.unit if item.unit == "%" else None, compact=compact)
            target = with_unit(item.target, item.unit if item.unit == "%" else None, compact=compact)
        ratio_tone = MUTED if ratio is None else GOOD if ratio >= 0.9 else WARN if ratio >= 0.7 else BAD
        if item.direction == "decrease":
            target = f"≤{target}" if not units else f"≤ {target}"
        age = age_seconds(item.last_updated, self.now)
        trend = kpi_trend(points, item.current, item.direction)
        updated = relative_time(item.last_updated, self.now)
        builders: dict[str, Callable[[], Text]] = {
            "name": lambda: plain(cell(item.name, 200)),
            "current": lambda: plain(current, justify="right"),
            "target": lambda: plain(target, justify="right"),
            "unit": lambda: plain(cell(item.unit, empty="")),
            "ratio": lambda: plain(percent(ratio), tones[ratio_tone], justify="right"),
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
        # A KPI's row shows more than the record: the previous value seen (trend) and the age.
        snapshot = self.snapshot
        points = snapshot.kpi_seen.get(item.id or "", ()) if snapshot is not None else ()
        return (
            item,
            layout.name,
            previous_value(points, item.current),
            relative_time(item.last_updated, self.now),
        )

    def sort_key(self, column: str) -> Callable[[Any], Any]:
        return _SORT_KEYS.get(column, _SORT_KEYS["name"])

    def open_row(self, key: str) -> None:
        self.post_message(OpenKpi(key))
