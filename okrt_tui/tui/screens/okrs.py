"""``1``: the objectives: progress, status and health at a glance, counts at the top."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from okrt_tui.api.models import Okr
from okrt_tui.sync.snapshot import KpiPoint, Snapshot
from okrt_tui.tui.messages import OpenObjective
from okrt_tui.tui.screens.lists import Layout, ListScreen, RowData
from okrt_tui.tui.screens.modals import ChoiceModal
from okrt_tui.tui.screens.writing import CHECKIN, CHECKIN_ROUND, Writes
from okrt_tui.tui.widgets.cells import health_cell, label_text, plain, progress_cell, spark_cell, text_cell
from okrt_tui.tui.widgets.keyed_table import ColumnSpec
from okrt_tui.tui.widgets.line import Line
from okrt_tui.views.aggregates import fit_parts, summarize_okrs, summary_parts
from okrt_tui.views.cycles import ALL_CYCLES, current_cycle, cycles_of
from okrt_tui.views.query import Query, cycle_key, number_key, status_key, text_key
from okrt_tui.views.status import MUTED, status_label
from okrt_tui.views.text import fold_shared, line_cell, one_line
from okrt_tui.views.trend import okr_motion

TITLE_CAP = 200  # cells kept of a title; the column's width cuts further, with an ellipsis

_TITLE = ColumnSpec("title", "Objective", min_width=12, weight=2)
_STATUS = ColumnSpec("status", "Status", min_width=None)
# The progress's recent changes and the health's change over 7 days, as this computer saw them.
_RECENT = ColumnSpec("recent", "Recent", min_width=None, justify="right")
_HEALTH_WEEK = ColumnSpec("health_week", "Health 7d", min_width=None)
_MOVING = frozenset({"recent", "health_week"})

LAYOUTS = (
    Layout(
        "narrow",
        0,
        (
            _TITLE,
            ColumnSpec("owner", "Owner"),
            ColumnSpec("progress", "Progress", min_width=None),
            _STATUS,
            ColumnSpec("health", "Health", min_width=9),
        ),
        {"bar": 3, "gauge": 0},
    ),
    Layout(
        "medium",
        100,
        (
            _TITLE,
            ColumnSpec("owner", "Owner"),
            ColumnSpec("cycle", "Cycle"),
            ColumnSpec("progress", "Progress", min_width=None),
            _RECENT,
            _STATUS,
            ColumnSpec("health", "Health", min_width=9),
        ),
        {"bar": 6, "gauge": 0},
    ),
    Layout(
        "wide",
        130,
        (
            _TITLE,
            ColumnSpec("type", "Type"),
            ColumnSpec("owner", "Owner"),
            ColumnSpec("cycle", "Cycle"),
            ColumnSpec("progress", "Progress", min_width=None),
            _RECENT,
            _STATUS,
            ColumnSpec("health", "Health", min_width=9),
            _HEALTH_WEEK,
        ),
        {"bar": 10, "gauge": 5},
    ),
)


def _with_cycle(layout: Layout) -> Layout:
    """``layout`` with a Cycle column after the owner, for when the rows shown span several cycles."""
    if any(column.key == "cycle" for column in layout.columns):
        return layout
    columns = list(layout.columns)
    at = next(i for i, column in enumerate(columns) if column.key == "owner") + 1
    columns.insert(at, ColumnSpec("cycle", "Cycle", min_width=7))
    return Layout(f"{layout.name}+cycle", layout.min_width, tuple(columns), layout.options)


def _without_cycle(layout: Layout) -> Layout:
    """``layout`` without its Cycle column, for one cycle's objectives (the summary names the cycle)."""
    columns = tuple(column for column in layout.columns if column.key != "cycle")
    return Layout(f"{layout.name}-cycle", layout.min_width, columns, layout.options)


#: By width, the columns for all cycles (every width shows each row's cycle) and for one cycle (whose
#: name the summary line gives, so its column would repeat it on every row).
ALL_CYCLE_LAYOUTS = {layout.name: _with_cycle(layout) for layout in LAYOUTS}
ONE_CYCLE_LAYOUTS = {layout.name: _without_cycle(layout) for layout in LAYOUTS}

_SORT_KEYS: dict[str, Callable[[Okr], Any]] = {
    "title": lambda o: text_key(o.title),
    "type": lambda o: text_key(o.type),
    "owner": lambda o: text_key(o.owner),
    "cycle": lambda o: cycle_key(o.cycle),
    "progress": lambda o: number_key(o.progress),
    "status": lambda o: status_key(o.status),
    "health": lambda o: number_key(o.health_score),
}


class OkrsScreen(Writes, ListScreen):
    FEED = "okrs"
    MODE = "okrs"
    NOUN = "objectives"
    LAYOUTS = LAYOUTS
    EMPTY_TEXT = "No objectives in this workspace."
    FILTER_PLACEHOLDER = 'filter title/owner · cycle:"Q2 2026" type:team status:at_risk owner:…'
    HELP_NOTES = (
        "The screen opens on the current cycle (the quarter of today, or the latest with objectives); "
        "v picks another, or all. A filter naming a cycle (cycle:) searches every cycle. "
        "Filter: words match the title or owner; narrow with cycle:, type:, status:, owner: "
        '(quotes group words: cycle:"Q2 2026"). Rows come most recent first, as the API sends them. '
        "Sort: left/right (or h/l) choose the column (underlined), s sorts by it, s again reverses; "
        "clicking a header sorts too."
    )
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        *ListScreen.BINDINGS,
        Binding("v", "cycle", "Cycle", id="okrt.cycle"),
        CHECKIN,
        CHECKIN_ROUND,
    ]

    def __init__(self) -> None:
        super().__init__()
        #: The user's choice: ``None`` follows the current cycle, ``ALL_CYCLES`` shows every one.
        self._cycle_choice: str | None = None
        self._current: tuple[object, str | None] = (None, None)
        self._summary: tuple[Snapshot, Sequence[Any], int] | None = None

    def compose_summary(self) -> ComposeResult:
        yield Line(id="summary")

    # -- the cycle shown ----------------------------------------------------------------------------

    def current_cycle(self) -> str | None:
        """The current cycle of the objectives on hand, worked out once per list."""
        items = self.snapshot.okrs.items if self.snapshot is not None else None
        if self._current[0] is not items:
            names = (okr.cycle for okr in items or ())
            self._current = (items, current_cycle(names, self.now))
        return self._current[1]

    @property
    def shown_cycle(self) -> str | None:
        """The cycle whose objectives are shown, or ``None`` for all of them."""
        choice = self._cycle_choice
        if choice == ALL_CYCLES:
            return None
        return choice if choice is not None else self.current_cycle()

    def show_cycle(self, choice: str | None) -> None:
        """``None``: follow the current cycle; ``ALL_CYCLES``: every cycle; else that cycle."""
        self._cycle_choice = choice
        if self._pick_layout() is not self._layout:
            self.redraw()  # the Cycle column comes or goes
        else:
            self._apply()

    def _pick_layout(self) -> Layout:
        by_width = super()._pick_layout()
        variants = ALL_CYCLE_LAYOUTS if self.shown_cycle is None else ONE_CYCLE_LAYOUTS
        return variants[by_width.name]

    def scope(self, query: Query) -> tuple[str, str] | None:
        if any(name == "cycle" for name, _ in query.fields):
            return None  # the filter names its cycle: look in all of them
        cycle = self.shown_cycle
        return None if cycle is None else ("cycle", fold_shared(cycle))

    def cycle_choices(self) -> list[tuple[str | None, str]]:
        """What ``v`` offers: (choice, label), the current cycle first."""
        okrs = self.snapshot.okrs.items if self.snapshot is not None else None
        okrs = okrs or ()
        counts: dict[str, int] = {}
        for okr in okrs:
            name = one_line(okr.cycle)
            counts[name] = counts.get(name, 0) + 1
        current = self.current_cycle()
        choices: list[tuple[str | None, str]] = []
        if current is not None:
            choices.append((None, f"Current cycle: {current} ({counts.get(current, 0)})"))
        choices.append((ALL_CYCLES, f"All cycles ({len(okrs)})"))
        choices.extend((name, f"{name} ({counts[name]})") for name in cycles_of(counts))
        return choices

    def action_cycle(self) -> None:
        def chosen(choice: tuple[object] | None) -> None:  # ChoiceModal's result: (a cycle choice,)
            if choice is not None:
                self.show_cycle(choice[0] if isinstance(choice[0], str) else None)

        choices = self.cycle_choices()
        selected = next((i for i, (c, _) in enumerate(choices) if c == self._cycle_choice), 0)
        self.app.push_screen(ChoiceModal("Show the objectives of", choices, selected), chosen)

    def nothing_shown(self, rows: Sequence[tuple[Any, RowData]]) -> Text:
        cycle = self.shown_cycle
        if self._query.empty and cycle is not None:
            text = Text(justify="center")
            text.append(f"No objectives in {cycle}.\n", style="bold")
            text.append("Press v to pick another cycle, or all.", style=self.tones[MUTED])
            return text
        return super().nothing_shown(rows)

    # -- rows ---------------------------------------------------------------------------------------

    def seen(self, item: Okr) -> tuple[Sequence[KpiPoint], Sequence[KpiPoint]]:
        """The objective's progress and health scores seen, oldest first."""
        snapshot = self.snapshot
        if snapshot is None or item.id is None:
            return (), ()
        return snapshot.okr_progress_seen.get(item.id, ()), snapshot.okr_health_seen.get(item.id, ())

    def row_sources(self, snapshot: Snapshot) -> tuple[object, ...]:
        return (snapshot.okr_progress_seen, snapshot.okr_health_seen)

    def cache_key(self, item: Okr, layout: Layout) -> Hashable:
        # The row shows the values seen too (a new one is a new last point) and, for the health over
        # 7 days, the hour; each row's hour starts at its own minute, as on the KPI list.
        progress, health = self.seen(item)
        return (
            item,
            layout.name,
            progress[-1] if progress else None,
            health[-1] if health else None,
            (self.now + hash(item.id) % 3600) // 3600,
        )

    def build_row(self, item: Okr, index: int, layout: Layout) -> RowData:
        tones = self.tones
        bar, gauge = layout.options["bar"], layout.options["gauge"]
        title = one_line(item.title)
        owner = fold_shared(item.owner)
        motion = None
        if _MOVING.intersection(spec.key for spec in layout.columns):
            motion = okr_motion(*self.seen(item), item.progress, item.health_score, self.now)
        builders: dict[str, Callable[[], Text]] = {
            "title": lambda: plain(line_cell(title, TITLE_CAP)),
            "type": lambda: text_cell(item.type),
            "owner": lambda: text_cell(item.owner),
            "cycle": lambda: text_cell(item.cycle),
            "progress": lambda: progress_cell(item.progress, bar, tones),
            "status": lambda: label_text(status_label(item.status), tones),
            "health": lambda: health_cell(item.health_score, gauge, tones),
            "recent": lambda: spark_cell(motion.progress_spark if motion else "", tones),
            "health_week": lambda: (
                plain(motion.health_week.display, tones[motion.health_week.tone]) if motion else plain("")
            ),
        }
        cells = tuple(builders[spec.key]() for spec in layout.columns)
        return RowData(
            key=item.id or f"row-{index}",
            cells=cells,
            haystack=f"{title.casefold()}\n{owner}",
            fields={
                "cycle": fold_shared(item.cycle),
                "type": fold_shared(item.type),
                "owner": owner,
                "status": fold_shared(item.status).replace("_", " "),
            },
        )

    def sort_key(self, column: str) -> Callable[[Any], Any]:
        return _SORT_KEYS.get(column, _SORT_KEYS["title"])

    # -- the summary line ---------------------------------------------------------------------------

    def after_filter(self, snapshot: Snapshot, shown: Sequence[Any], total: int) -> None:
        self._summary = (snapshot, shown, total)
        self._write_summary()

    def on_resize(self) -> None:
        super().on_resize()
        self.call_after_refresh(self._write_summary)

    def _write_summary(self) -> None:
        """The counts of what is shown, in the cycle shown, cut by whole parts to the line's width."""
        summary_widget = self.query_one("#summary", Line)
        if self._summary is None or not self._summary[0].okrs.items:
            summary_widget.set_text("")
            return
        _, shown, total = self._summary
        cycle = self.shown_cycle
        if any(name == "cycle" for name, _ in self._query.fields):
            cycle = None
        parts = summary_parts(
            summarize_okrs(shown),
            scope=cycle if cycle is not None else "All cycles",
            shown=len(shown),
            total=total,
            order="most recent first" if self._sort is None else None,
        )
        width = summary_widget.content_region.width or self.app.size.width - 2
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, runs in enumerate(fit_parts(parts, width)):
            if index:
                text.append(" · ", style=self.tones[MUTED])
            for run, tone in runs:
                text.append(run, style="bold" if tone == "bold" else self.tones[tone] if tone else "")
        summary_widget.set_text(text)

    def open_row(self, key: str) -> None:
        self.post_message(OpenObjective(key))

    def round_objectives(self) -> tuple[Okr, ...]:
        """What the list shows now (its cycle and filter): the check-in round walks these."""
        return tuple(self._summary[1]) if self._summary is not None else ()

    def checkin_target(self) -> tuple[str, str | None] | None:
        key = self.table.highlighted_key
        return None if key is None else (key, None)
