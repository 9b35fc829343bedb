"""A DataTable whose rows are keyed and replaced in place, so a refresh never loses the user's place.

The idea is memray's live table: every refresh hands over the whole ordered list of (key, cells);
rows whose key is new appear, rows whose key is gone disappear, the others take their new cells and
position, and the cursor stays on the same key (so the same objective), with the scroll position
kept. ``clear()`` would throw both away.

Replacing the rows is O(n) dictionary work: the table renders only what is visible, and column
widths are fixed by :meth:`KeyedTable.set_columns` (one flexible column takes the rest), so nothing
measures 500 rows of cells. That keeps a 500-row refresh or a filter keystroke well under a frame.

This reaches into ``DataTable``'s row stores (``_data``, ``rows``, ``_row_locations``): Textual is
pinned to 8.2.x and the pilot tests cover the behaviour, so an upgrade that changes them fails loudly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets._data_table import Row, RowKey


@dataclass(frozen=True)
class ColumnSpec:
    """A column: ``width`` cells, or ``None`` for the flexible one that takes the remaining width."""

    key: str
    label: str
    width: int | None = None
    min_width: int = 8
    justify: str = "left"


class KeyedTable(DataTable[Text]):
    """Rows by key, a movable "sort column" marker in the header, vim keys, and a sort request."""

    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("enter", "select_cursor", "Open", id="okrt.open"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home,g", "first_row", "First row", show=False),
        Binding("end,G", "last_row", "Last row", show=False),
        Binding("left,h", "column_left", "Previous column", show=False),
        Binding("right,l", "column_right", "Next column", show=False),
    ]

    class SortRequested(Message):
        """The user asked to sort by ``column`` (``s`` on it, or a click on its header)."""

        def __init__(self, table: KeyedTable, column: str) -> None:
            super().__init__()
            self.table = table
            self.column = column

        @property
        def control(self) -> KeyedTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None, openable: bool = True) -> None:
        super().__init__(
            id=id,
            classes=classes,
            cursor_type="row",
            zebra_stripes=True,
            show_row_labels=False,
            cursor_foreground_priority="renderable",
        )
        self._specs: list[ColumnSpec] = []
        self._marked = 0  # index of the column that ``s`` sorts by
        self._sorted: tuple[str, bool] | None = None
        self._laid_out_width = -1
        self.openable = openable
        # key -> (RowKey, Row, the cells given, their dict by column): reused while cells are unchanged
        self._known: dict[str, tuple[RowKey, Row, Sequence[Text], dict]] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select_cursor" and not self.openable:
            return False
        return super().check_action(action, parameters)

    # -- columns ------------------------------------------------------------------------------------

    @property
    def column_keys(self) -> list[str]:
        return [spec.key for spec in self._specs]

    @property
    def marked_column(self) -> str | None:
        return self._specs[self._marked].key if self._specs else None

    def set_columns(self, specs: Sequence[ColumnSpec]) -> None:
        """Set the columns (keeps the rows when the keys are the same, else drops them)."""
        specs = list(specs)
        same_keys = [s.key for s in specs] == self.column_keys
        marked = self.marked_column
        self._specs = specs
        if not same_keys:
            self._known = {}
            self.clear(columns=True)
            for spec in specs:
                self.add_column(Text(spec.label), key=spec.key, width=spec.width or spec.min_width)
            keys = self.column_keys
            self._marked = keys.index(marked) if marked in keys else 0
        self._laid_out_width = -1
        self._fit_columns()
        self._relabel()

    def _fit_columns(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._laid_out_width or not self._specs:
            return
        self._laid_out_width = width
        padding = 2 * self.cell_padding
        fixed = sum((spec.width or 0) + padding for spec in self._specs)
        flexible = [spec for spec in self._specs if spec.width is None]
        spare = max(0, width - fixed - padding * len(flexible))
        share = spare // len(flexible) if flexible else 0
        for spec in self._specs:
            column = self.columns.get(self._column_key(spec.key))
            if column is None:
                continue
            column.auto_width = False
            column.width = spec.width if spec.width is not None else max(spec.min_width, share)
        self._bump()

    def _column_key(self, key: str):
        for column_key in self.columns:
            if column_key.value == key:
                return column_key
        return None

    def set_sorted(self, sorted_by: tuple[str, bool] | None) -> None:
        """Show which column the rows are sorted by (an arrow in its header)."""
        self._sorted = sorted_by
        self._relabel()

    def _relabel(self) -> None:
        for index, spec in enumerate(self._specs):
            column = self.columns.get(self._column_key(spec.key))
            if column is None:
                continue
            label = Text(spec.label, no_wrap=True, overflow="ellipsis", end="")
            if self._sorted is not None and self._sorted[0] == spec.key:
                label.append(" ▼" if self._sorted[1] else " ▲")
            if index == self._marked:
                label.stylize("underline")
            column.label = label
        self._bump()

    def _bump(self) -> None:
        self._update_count += 1
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit_columns)

    # -- rows ---------------------------------------------------------------------------------------

    @property
    def highlighted_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self._row_locations.get_key(self.cursor_row).value
        except (KeyError, AttributeError):
            return None

    def row_keys(self) -> list[str]:
        return [row.key.value or "" for row in self.ordered_rows]

    def set_rows(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Show exactly ``rows``, in this order, keeping the cursor on the same key when it stays.

        A row whose cells are the very same tuple as last time reuses its stored cell dictionary:
        the screens build cells once per record, so a refresh where little changed costs little.
        """
        keep = self.highlighted_key
        old_index = self.cursor_row
        column_keys = [column.key for column in self.ordered_columns]
        known = self._known
        fresh: dict[str, tuple[RowKey, Row, Sequence[Text], dict]] = {}
        data: dict[RowKey, dict] = {}
        row_meta: dict[RowKey, Row] = {}
        forward: dict[RowKey, int] = {}
        for key, cells in rows:
            if key in fresh:  # a duplicate id from the server: show it once
                continue
            entry = known.get(key)
            if entry is None or entry[2] is not cells or len(entry[3]) != len(column_keys):
                row_key = entry[0] if entry is not None else RowKey(key)
                row = entry[1] if entry is not None else Row(row_key, 1)
                entry = (row_key, row, cells, dict(zip(column_keys, cells, strict=False)))
            fresh[key] = entry
            row_key = entry[0]
            data[row_key] = entry[3]
            row_meta[row_key] = entry[1]
            forward[row_key] = len(forward)
        self._known = fresh
        self._data = data
        self.rows = row_meta
        self._row_locations = TwoWayDict(forward)
        self._new_rows.clear()
        self._updated_cells.clear()
        self._bump()
        if not fresh:
            return
        target = forward.get(fresh[keep][0]) if keep in fresh else None
        if target is None:
            target = min(max(old_index, 0), len(fresh) - 1)
        if target != self.cursor_row:
            self.move_cursor(row=target, animate=False)
        else:
            # Same index, maybe a different row under it: say so, as a cursor move would.
            self._highlight_row(target)

    # -- actions ------------------------------------------------------------------------------------

    def action_first_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last_row(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def action_column_left(self) -> None:
        if self._specs:
            self._marked = max(0, self._marked - 1)
            self._relabel()

    def action_column_right(self) -> None:
        if self._specs:
            self._marked = min(len(self._specs) - 1, self._marked + 1)
            self._relabel()

    def request_sort(self) -> None:
        if self.marked_column is not None:
            self.post_message(self.SortRequested(self, self.marked_column))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key in self.column_keys:
            self._marked = self.column_keys.index(key)
            self._relabel()
            self.post_message(self.SortRequested(self, key))

    def move_to_key(self, key: str) -> bool:
        index = self._row_locations.get(RowKey(key))
        if index is None:
            return False
        self.move_cursor(row=index)
        return True
