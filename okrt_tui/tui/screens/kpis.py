"""``2``: the KPIs against their targets, with the direction of the last change this client saw."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from okrt_tui.api.models import Kpi
from okrt_tui.sync.snapshot import KpiPoint, Snapshot
from okrt_tui.tui.messages import OpenKpi
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.screens.lists import Layout, ListScreen, RowData
from okrt_tui.tui.screens.writing import KPI_UPDATE, Writes
from okrt_tui.tui.widgets.cells import label_text, shared_plain, spark_cell, text_cell
from okrt_tui.tui.widgets.keyed_table import ColumnSpec
from okrt_tui.tui.widgets.line import Line
from okrt_tui.views.direction import KpiDirection, direction_legend, kpi_direction, kpi_figures
from okrt_tui.views.projection import OFF_PACE, ON_PACE, REACHED, project
from okrt_tui.views.query import number_key, status_key, text_key
from okrt_tui.views.sparkline import recent_values, sparkline
from okrt_tui.views.status import MUTED, status_label
from okrt_tui.views.text import fold_shared
from okrt_tui.views.times import age_seconds, parse_timestamp, relative_time
from okrt_tui.views.trend import WEEK, Trend, change_since, kpi_series, kpi_trend

_NAME = ColumnSpec("name", "KPI", min_width=12, weight=2)
_CURRENT = ColumnSpec("current", "Current", min_width=None, justify="right")
_TARGET = ColumnSpec("target", "Target", min_width=None, justify="right")
_STATUS = ColumnSpec("status", "Status", min_width=None)
_RECENT = ColumnSpec("recent", "Recent", min_width=None, justify="right")
_CHANGE = ColumnSpec("trend", "Change", min_width=None)
_WEEK = ColumnSpec("week", "7 days", min_width=None)
_PACE = ColumnSpec("pace", "At this pace", min_width=None)

# Under 120 columns the sparkline and the last change take the place of "Updated"; the change over
# 7 days and the projection join from 120 (the detail shows them all at any width).
LAYOUTS = (
    Layout(
        "narrow",
        0,
        (
            _NAME,
            _CURRENT,
            _TARGET,
            ColumnSpec("ratio", "Of tgt", min_width=None, justify="right"),
            _STATUS,
            _RECENT,
            _CHANGE,
        ),
        {"compact": 1, "units": 0},
    ),
    Layout(
        "medium",
        120,
        (
            _NAME,
            _CURRENT,
            _TARGET,
            ColumnSpec("ratio", "Of tgt", min_width=None, justify="right"),
            _STATUS,
            ColumnSpec("updated", "Updated"),
            _RECENT,
            _CHANGE,
            _WEEK,
            _PACE,
        ),
        {"compact": 1, "units": 0},
    ),
    Layout(
        "wide",
        160,
        (
            _NAME,
            _CURRENT,
            _TARGET,
            ColumnSpec("unit", "Unit"),
            ColumnSpec("ratio", "% of target", min_width=None, justify="right"),
            _STATUS,
            ColumnSpec("updated", "Last updated"),
            _RECENT,
            _CHANGE,
            _WEEK,
            _PACE,
        ),
        {"compact": 0, "units": 1},
    ),
)

#: The columns that need each value's time, not only their order.
_TIMED = frozenset({"week", "pace"})

_SORT_KEYS: dict[str, Callable[[Kpi], Any]] = {
    "name": lambda k: text_key(k.name),
    "current": lambda k: number_key(k.current),
    "target": lambda k: number_key(k.target),
    "unit": lambda k: text_key(k.unit),
    "status": lambda k: status_key(k.status),
    # Most recently updated first reads naturally as "ascending" here: sort by age.
    "updated": lambda k: None if (at := parse_timestamp(k.last_updated)) is None else -at,
    "trend": lambda k: None,
    "recent": lambda k: None,
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
        "Filter: words match the KPI's name; narrow with status: or unit:. Recent: the last 8 values seen, "
        "lowest ▁ to highest █. Change: the last change this app saw, 7 days: since the value a week ago "
        "(↑ ↓ →, green when it is the good direction; · when nothing that old was seen). At this pace: "
        "when the target is reached if the last 30 days' steady pace goes on (at least 4 values over a "
        "day or more, close to a straight line); off pace when it moves away or would take over a year; "
        "· when the values are too few or too uneven to say. "
        "The target shows the better way: ≤ lower is better, ≥ higher; * when it was inferred from the "
        "server's status (the API does not say), ? of target when nobody knows; config.toml's "
        "[kpis.direction] sets it. "
        "Sort: left/right choose the underlined column, s sorts, s again reverses."
    )

    def __init__(self) -> None:
        super().__init__()
        #: KPI id → (the record, the remembered and configured directions, its direction): see ``direction``.
        self._directions: dict[str | None, tuple[Kpi, object, object, KpiDirection]] = {}
        #: While a refresh draws: the values seen, the configured directions and the moment.
        self._drawing: tuple[Mapping[str, tuple[KpiPoint, ...]], Mapping[str, str], float] | None = None

    def compose_summary(self) -> ComposeResult:
        yield Line(id="summary")

    def after_filter(self, snapshot: Snapshot, shown: Sequence[Any], total: int) -> None:
        """The legend of the targets' ``*`` and ``?`` (the CLI table's note), only while rows show one."""
        legend = direction_legend(self.direction(kpi) for kpi in shown)
        line = self.query_one("#summary", Line)
        line.set_text(Text(legend or "", style=self.tones[MUTED], no_wrap=True, overflow="ellipsis"))
        line.display = legend is not None

    def draw(self, snapshot: Snapshot) -> None:
        # What every row's cache key reads, read once for the refresh rather than once per row (the
        # clock and the settings are reached through the app, the values seen through the snapshot).
        # Kept while the rows are built, which may take several slices (``ListScreen._build``).
        self._drawing = (snapshot.kpi_seen, self.okrt.settings.kpi_directions, self.now)
        try:
            super().draw(snapshot)
        finally:
            if self._building is None:  # nothing left to build
                self._drawing = None

    def done_building(self) -> None:
        self._drawing = None

    def direction(self, item: Kpi) -> KpiDirection:
        """``shown_direction``, worked out again only when the record or what it is read with changed:
        a refresh asks it of every row (the cache key, the legend), each record decoded afresh."""
        snapshot = self.snapshot
        remembered = snapshot.kpi_directions if snapshot is not None else None
        drawing = self._drawing
        configured = drawing[1] if drawing is not None else self.okrt.settings.kpi_directions
        known = self._directions.get(item.id)
        if known is not None and known[1] is remembered and known[2] is configured:
            if known[0] is item:  # asked again in the same refresh (the legend after the cache key)
                return known[3]
            direction = known[3] if known[0] == item else shown_direction(self, item)
        else:
            direction = shown_direction(self, item)
        self._directions[item.id] = (item, remembered, configured, direction)
        return direction

    def points(self, item: Kpi) -> Sequence[KpiPoint]:
        """The values this app has seen of ``item``, oldest first."""
        snapshot = self.snapshot
        return snapshot.kpi_seen.get(item.id or "", ()) if snapshot is not None else ()

    def series(self, item: Kpi) -> Sequence[KpiPoint]:
        """The values seen of ``item``, its current one at its own ``last_updated`` (``kpi_series``)."""
        return kpi_series(self.points(item), item.current, parse_timestamp(item.last_updated))

    def build_row(self, item: Kpi, index: int, layout: Layout) -> RowData:
        tones = self.tones
        now = self.now if self._drawing is None else self._drawing[2]
        compact = bool(layout.options["compact"])
        units = bool(layout.options["units"])
        points = self.points(item)
        # The change over 7 days and the projection need each value's time (``kpi_series``).
        series = self.series(item) if any(spec.key in _TIMED for spec in layout.columns) else points
        direction = self.direction(item)
        way = direction.api_value
        # With a unit column the numbers go bare; without one only "%" is short enough to keep.
        unit = None if units or item.unit != "%" else item.unit
        figures = kpi_figures(item, direction, unit, compact=compact)
        age = age_seconds(item.last_updated, now)
        updated = relative_time(item.last_updated, now)

        # Every cell but the sparkline is found by what it shows (``shared_plain``): a target, an age,
        # "off pace" are one object for all the rows that show them, made and drawn once.
        def change(moved: Trend) -> Text:
            return shared_plain(moved.display, tones[moved.tone])

        def pace() -> Text:
            projection = project(series, item.current, item.target, way, now)
            return shared_plain(projection.cell(now), tones[projection.tone])

        builders: dict[str, Callable[[], Text]] = {
            "name": lambda: text_cell(item.name, 200),
            "current": lambda: shared_plain(figures.current, "", "right"),
            "target": lambda: shared_plain(figures.target, "", "right"),
            "unit": lambda: text_cell(item.unit, None, ""),
            "ratio": lambda: shared_plain(figures.of_target, tones[figures.tone], "right"),
            "status": lambda: label_text(status_label(item.status), tones),
            "updated": lambda: shared_plain(updated, tones[MUTED] if age else ""),
            # The sparkline and the last change need no times: the values seen, in order, are enough.
            "recent": lambda: spark_cell(sparkline(recent_values(points, item.current)), tones),
            "trend": lambda: change(kpi_trend(points, item.current, way)),
            "week": lambda: change(change_since(series, item.current, now - WEEK, way)),
            "pace": pace,
        }
        return RowData(
            key=item.id or f"row-{index}",
            cells=tuple(builders[spec.key]() for spec in layout.columns),
            haystack=fold_shared(item.name),  # found by the raw name, as its cell (``text_cell``)
            fields={"status": fold_shared(item.status).replace("_", " "), "unit": fold_shared(item.unit)},
        )

    def row_sources(self, snapshot: Snapshot) -> tuple[object, ...]:
        return (snapshot.kpi_seen, snapshot.kpi_directions)

    def cache_key(self, item: Kpi, layout: Layout) -> Hashable:
        # A KPI's row shows more than the record: its direction, the values seen (the sparkline and
        # the changes: a new one is a new last point), the age, and the hour (the 7-day change and the
        # projection slide with time). Each row's hour starts at its own minute, so the 500 rows are
        # not all built again by one refresh on the hour. The values seen are their tuple itself: the
        # refresher keeps an unchanged KPI's, so comparing it is one identity test.
        drawing = self._drawing
        if drawing is None:
            points, now = self.points(item), self.now
        else:
            points, now = drawing[0].get(item.id or "", ()), drawing[2]
        return (
            item,
            layout.name,
            self.direction(item),
            points,
            relative_time(item.last_updated, now),
            (now + hash(item.id) % 3600) // 3600,
        )

    def sort_key(self, column: str) -> Callable[[Any], Any]:
        if column == "ratio":
            # The share of the target the row shows: none (last) while the direction is unknown.
            return lambda k: kpi_figures(k, self.direction(k), None).ratio
        if column == "week":
            return lambda k: (
                change_since(self.series(k), k.current, self.now - WEEK, self.direction(k).api_value).delta
            )
        if column == "pace":
            return self._pace_key
        return _SORT_KEYS.get(column, _SORT_KEYS["name"])

    def _pace_key(self, item: Kpi) -> tuple[int, float] | None:
        """Reached first, then the soonest dates, then off pace; no projection last."""
        projection = project(
            self.series(item), item.current, item.target, self.direction(item).api_value, self.now
        )
        order = {REACHED: 0, ON_PACE: 1, OFF_PACE: 2}.get(projection.kind)
        return None if order is None else (order, projection.at or 0.0)

    def open_row(self, key: str) -> None:
        self.post_message(OpenKpi(key))

    def kpi_target(self) -> str | None:
        return self.table.highlighted_key
