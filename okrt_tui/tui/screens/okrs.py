"""``1``: the objectives: progress, status and health at a glance, counts at the top."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult

from okrt_tui.api.models import Okr
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.messages import OpenObjective
from okrt_tui.tui.screens.lists import Layout, ListScreen, RowData
from okrt_tui.tui.widgets.cells import health_cell, label_text, plain, progress_cell, text_cell
from okrt_tui.tui.widgets.keyed_table import ColumnSpec
from okrt_tui.tui.widgets.line import Line
from okrt_tui.views.aggregates import summarize_okrs, summary_parts
from okrt_tui.views.query import cycle_key, number_key, status_key, text_key
from okrt_tui.views.status import MUTED, status_label
from okrt_tui.views.text import fold_shared, line_cell, one_line

TITLE_CAP = 200  # cells kept of a title; the column's width cuts further, with an ellipsis

_TITLE = ColumnSpec("title", "Objective", None, min_width=12)
_STATUS = ColumnSpec("status", "Status", 11)

LAYOUTS = (
    Layout(
        "narrow",
        0,
        (
            _TITLE,
            ColumnSpec("owner", "Owner", 11),
            ColumnSpec("progress", "Progress", 8),
            _STATUS,
            ColumnSpec("health", "Health", 18),
        ),
        {"bar": 3, "gauge": 0},
    ),
    Layout(
        "medium",
        100,
        (
            _TITLE,
            ColumnSpec("owner", "Owner", 14),
            ColumnSpec("cycle", "Cycle", 9),
            ColumnSpec("progress", "Progress", 11),
            _STATUS,
            ColumnSpec("health", "Health", 18),
        ),
        {"bar": 6, "gauge": 0},
    ),
    Layout(
        "wide",
        130,
        (
            _TITLE,
            ColumnSpec("type", "Type", 10),
            ColumnSpec("owner", "Owner", 16),
            ColumnSpec("cycle", "Cycle", 9),
            ColumnSpec("progress", "Progress", 15),
            _STATUS,
            ColumnSpec("health", "Health", 25),
        ),
        {"bar": 10, "gauge": 5},
    ),
)

_SORT_KEYS: dict[str, Callable[[Okr], Any]] = {
    "title": lambda o: text_key(o.title),
    "type": lambda o: text_key(o.type),
    "owner": lambda o: text_key(o.owner),
    "cycle": lambda o: cycle_key(o.cycle),
    "progress": lambda o: number_key(o.progress),
    "status": lambda o: status_key(o.status),
    "health": lambda o: number_key(o.health_score),
}


class OkrsScreen(ListScreen):
    FEED = "okrs"
    MODE = "okrs"
    NOUN = "objectives"
    LAYOUTS = LAYOUTS
    EMPTY_TEXT = "No objectives in this workspace."
    FILTER_PLACEHOLDER = 'filter title/owner · cycle:"Q2 2026" type:team status:at_risk owner:…'
    HELP_NOTES = (
        "Filter: words match the title or owner; narrow with cycle:, type:, status:, owner: "
        '(quotes group words: cycle:"Q2 2026"). Sort: left/right (or h/l) choose the underlined '
        "column, s sorts by it, s again reverses; clicking a header sorts too."
    )

    def compose_summary(self) -> ComposeResult:
        yield Line(id="summary")

    def build_row(self, item: Okr, index: int, layout: Layout) -> RowData:
        tones = self.tones
        bar, gauge = layout.options["bar"], layout.options["gauge"]
        title = one_line(item.title)
        owner = fold_shared(item.owner)
        builders: dict[str, Callable[[], Text]] = {
            "title": lambda: plain(line_cell(title, TITLE_CAP)),
            "type": lambda: text_cell(item.type),
            "owner": lambda: text_cell(item.owner),
            "cycle": lambda: text_cell(item.cycle),
            "progress": lambda: progress_cell(item.progress, bar, tones),
            "status": lambda: label_text(status_label(item.status), tones),
            "health": lambda: health_cell(item.health_score, gauge, tones),
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

    def after_filter(self, snapshot: Snapshot, shown: Sequence[Any], total: int) -> None:
        summary_widget = self.query_one("#summary", Line)
        if not snapshot.okrs.items:
            summary_widget.set_text("")
            return
        summary = summarize_okrs(shown)
        count = f"{total} objectives" if len(shown) == total else f"{len(shown)} of {total} objectives"
        text = Text(no_wrap=True, overflow="ellipsis")
        parts = summary_parts(summary)
        for index, (part, tone) in enumerate(parts):
            if index:
                text.append(" · " if index == len(parts) - 1 else " ", style=self.tones[MUTED])
            text.append(part, style=self.tones[tone])
        text.append(f" · {count}", style=self.tones[MUTED])
        summary_widget.set_text(text)

    def open_row(self, key: str) -> None:
        self.post_message(OpenObjective(key))
