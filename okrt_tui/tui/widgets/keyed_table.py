"""A DataTable whose rows are keyed and replaced in place, so a refresh never loses the user's place.

The idea is memray's live table: every refresh hands over the whole ordered list of (key, cells);
rows whose key is new appear, rows whose key is gone disappear, the others take their new cells and
position, and the cursor stays on the same key (so the same objective), with the scroll position
kept. ``clear()`` would throw both away.

Replacing the rows is O(n) dictionary work: the table renders only what is visible. Column widths
follow what the cells need (:func:`share_width`), from widths the list screens keep per row as they
build it (:meth:`KeyedTable.set_needs`), so a refresh measures only the rows it rebuilt and a filter
keystroke measures nothing (the small tables measure the few rows they are given).

Drawing is the other half. ``DataTable`` keys its render caches on a counter that every change bumps,
and lays each cell out through Rich's general machinery (padding, wrapping, one generator per step):
after any refresh it drew every visible cell again, about 100 ms for a 160x48 screen. Here a refresh
repaints only the rows whose cells changed (the screens keep a record's cell objects while it is
unchanged), and a drawn line is kept while its row's cells are the same objects, by stripe rather
than by place, so the rows that move while the user filters are not drawn again. For that, body rows
carry no mouse meta (DataTable marks every cell with its row index): the mouse's row is worked out
from where it is. Our cells are always one line of ``Text``, so a cell is drawn directly: truncated,
justified, styled, exactly as Rich would (the snapshot tests compare them); cells that many rows share
(see ``cells``: a status, a 65% bar) are drawn once per width and look. (Drawing the off-screen
rows ahead while idle was tried: the garbage collector then walked twice the objects, and the worst
refresh and keystroke got slower, not faster.)

This reaches into ``DataTable``'s row stores (``_data``, ``rows``, ``_row_locations``): Textual is
pinned to 8.2.x and the pilot tests cover the behaviour, so an upgrade that changes them fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import TypeVar

import msgspec
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual._segment_tools import line_crop
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.message import Message
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, Row, RowKey

from okrt_tui import heap
from okrt_tui.tui.widgets.scroll_bar import QuickScrollBar

_Drawn = TypeVar("_Drawn")


class ColumnSpec(msgspec.Struct, frozen=True):
    """A column. Its width follows what its cells need (see :func:`share_width`); when the table is
    too narrow for all of them it gives up cells down to ``min_width`` (``None``: never cut, for
    numbers and labels); a larger ``weight`` keeps more of its width."""

    key: str
    label: str
    min_width: int | None = 8
    justify: str = "left"
    #: How much of its width it keeps, against the others, when the table is short of space.
    weight: int = 1


#: Room a sorted column's header keeps for its arrow (" ▲"), so that it never loses it.
ARROW = 2


def share_width(needs: Sequence[int], floors: Sequence[int], weights: Sequence[int], room: int) -> list[int]:
    """Each column's width. When everything fits, what it needs (what is left stays at the right,
    after the last column, rather than widening a column past its longest cell). Else the widest are
    cut first, to a common cap times their weight (so a title keeps twice an owner's width when both
    must give up cells), never below their floor (the table then scrolls sideways); a short column
    stays whole."""
    if sum(needs) <= room:
        return list(needs)

    def widths_under(cap: int) -> list[int]:
        return [
            min(need, max(floor, cap * weight))
            for need, floor, weight in zip(needs, floors, weights, strict=True)
        ]

    low, high = 0, max(needs)
    while low < high:  # the largest cap whose widths fit
        middle = (low + high + 1) // 2
        if sum(widths_under(middle)) <= room:
            low = middle
        else:
            high = middle - 1
    widths = widths_under(low)
    spare = room - sum(widths)
    for index in sorted(range(len(widths)), key=lambda i: -weights[i]):  # the cap's rounding
        extra = min(spare, needs[index] - widths[index])
        if extra > 0:
            widths[index] += extra
            spare -= extra
    return widths


_NO_CELL = Text()


class _Paint(msgspec.Struct, frozen=True):
    """What every line of one paint shares, worked out once: each is a walk of styles or reactives."""

    style: Style
    width: int
    columns: tuple[tuple[ColumnKey, int], ...]
    pad: int
    #: The table's ``_layout`` count the columns above belong to: a line is kept under it, so a line
    #: drawn ahead with an older paint's columns is never taken for one of the current layout.
    layout: int


class KeyedTable(DataTable[Text]):
    """Rows by key, a movable "sort column" marker in the header, vim keys, and a sort request."""

    # The cursor's keys act as each key arrives (priority bindings, while the table has the focus), in
    # order with the write keys, which do so that a form has the focus before the value typed behind
    # them: ``↓ u 42`` typed at once opened the form on the row the cursor was about to leave.
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("enter", "select_cursor", "Open", id="okrt.open"),
        Binding("down,j", "cursor_down", "Down", show=False, priority=True),
        Binding("up,k", "cursor_up", "Up", show=False, priority=True),
        Binding("pagedown", "page_down", "Page down", show=False, priority=True),
        Binding("pageup", "page_up", "Page up", show=False, priority=True),
        Binding("home,g", "first_row", "First row", show=False, priority=True),
        Binding("end,G", "last_row", "Last row", show=False, priority=True),
        Binding("left,h", "column_left", "Previous column", show=False, priority=True),
        Binding("right,l", "column_right", "Next column", show=False, priority=True),
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

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        openable: bool = True,
        measure: bool = True,
    ) -> None:
        # Lines drawn, kept while the cells they show are the same objects (see the module's docstring),
        # and cells drawn, by cell object, width and look.
        self._cells_drawn: dict[tuple[object, ...], tuple[Text, list[Segment]]] = {}
        self._lines_drawn: dict[tuple[object, ...], tuple[object, Strip]] = {}
        self._stripes: dict[int, Style] = {}
        self._look: tuple[Style, ...] = ()
        self._look_known = False
        self._paint = _Paint(Style(), 0, (), 1, -1)
        # ``_layout`` counts column-width and label changes, which every drawn row depends on.
        self._layout = 0
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
        # The marked column is underlined only once the user chooses a column (left/right, s, a click):
        # an underlined first header on rows in the API's order read as "sorted by this".
        self._marking = False
        self._sorted: tuple[str, bool] | None = None
        self._laid_out_width = -1
        self.openable = openable
        # What each column's cells need (see ``set_needs``); measured from the rows given when ``measure``.
        self._needs: list[int] | None = None
        self._measure = measure
        # key -> (RowKey, Row, the cells given, their dict by column): reused while cells are unchanged
        self._known: dict[str, tuple[RowKey, Row, Sequence[Text], dict[ColumnKey, Text]]] = {}

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's, made the way ``Widget.vertical_scrollbar`` makes it, but drawn quickly."""
        if self._vertical_scrollbar is None:
            self._vertical_scrollbar = QuickScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            self._vertical_scrollbar.display = False
            self.app._start_widget(self, self._vertical_scrollbar)
        return self._vertical_scrollbar

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
            self._needs = None
            self.clear(columns=True)
            for spec in specs:
                self.add_column(Text(spec.label), key=spec.key, width=len(spec.label))
            keys = self.column_keys
            self._marked = keys.index(marked) if marked in keys else 0
        self._laid_out_width = -1
        self._fit_columns()
        self._relabel()

    def set_needs(self, needs: Sequence[int]) -> None:
        """The width each column's cells need (the longest): the list screens work it out over all
        their rows as they build them; the other tables (``measure=True``) from the rows they show."""
        fresh = list(needs)
        if fresh != self._needs:
            self._needs = fresh
            self._laid_out_width = -1
            self._fit_columns()

    def _fit_columns(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._laid_out_width or not self._specs:
            return
        self._laid_out_width = width
        cells = self._needs or []
        needs: list[int] = []
        floors: list[int] = []
        sorted_key = self._sorted[0] if self._sorted is not None else None
        for index, spec in enumerate(self._specs):
            label = len(spec.label) + (ARROW if spec.key == sorted_key else 0)
            need = max(label, cells[index] if index < len(cells) else 0)
            needs.append(need)
            floors.append(need if spec.min_width is None else min(need, spec.min_width))
        room = width - 2 * self.cell_padding * len(self._specs)
        widths = share_width(needs, floors, [spec.weight for spec in self._specs], room)
        changed = False
        for spec, share in zip(self._specs, widths, strict=True):
            column = self.columns.get(ColumnKey(spec.key))
            if column is not None and (column.auto_width or column.width != share):
                column.auto_width = False
                column.width = share
                changed = True
        # Every row is drawn again for new widths: not for a widest cell that changed within its room
        # (a refresh where a value or an age grew by a character redrew the whole table, ~15 ms).
        if changed:
            self._relabel()

    def set_sorted(self, sorted_by: tuple[str, bool] | None) -> None:
        """Show which column the rows are sorted by (an arrow in its header)."""
        self._sorted = sorted_by
        self._laid_out_width = -1  # the sorted column's header needs room for its arrow
        self._fit_columns()
        self._relabel()

    def _relabel(self) -> None:
        for index, spec in enumerate(self._specs):
            column = self.columns.get(ColumnKey(spec.key))
            if column is None:
                continue
            label = Text(spec.label, no_wrap=True, overflow="ellipsis", end="")
            if self._sorted is not None and self._sorted[0] == spec.key:
                if len(spec.label) + ARROW > column.width:  # cut the label, keep the arrow
                    label.truncate(max(1, column.width - ARROW), overflow="ellipsis")
                label.append(" ▼" if self._sorted[1] else " ▲")
            if self._marking and index == self._marked:
                label.stylize("underline")
            column.label = label
        self._bump(layout=True)

    def _bump(self, *, layout: bool = False) -> None:
        self._layout += layout
        self._update_count += 1
        self._require_update_dimensions = True
        self.check_idle()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Fitted here, not on Resize: the first paint comes before the Resize event is handled, and a
        # paint at the default widths would be thrown away at once (~40 ms with a screenful of rows).
        self._fit_columns()
        self._check_look()
        columns = tuple((column.key, column.get_render_width(self)) for column in self.ordered_columns)
        self._paint = _Paint(self.rich_style, self.size.width, columns, self.cell_padding, self._layout)
        return super().render_lines(crop)

    # -- rows ---------------------------------------------------------------------------------------

    @property
    def highlighted_key(self) -> str | None:
        if not self.row_count:
            return None
        row_key = self._row_locations.get_key(self.cursor_row)
        return row_key.value if row_key is not None else None

    def _get_row_region(self, row_index: int) -> Region:
        """Every row here is one line high, so a row's place is its index: DataTable sums the heights of
        all the rows above it, which made repainting a refresh's changed rows quadratic (~20 ms for
        50 changed rows of 500), and every cursor move linear. The width is the table's (its virtual
        width is its columns')."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        y = row_index + self._header_lines
        return Region(0, y, max(self.size.width, self.virtual_size.width), 1)

    def _get_offsets(self, y: int) -> tuple[RowKey, int]:
        """A line's row by index: every row here is one line (DataTable looks it up in a list of
        every line of every row, rebuilt after each change: O(rows) for each keystroke of a filter)."""
        header = self._header_lines
        if y < header:
            return self._header_row_key, y
        row_key = self._row_locations.get_key(y - header)
        if row_key is None:
            raise LookupError(f"no row at line {y}")
        return row_key, 0

    @property
    def _total_row_height(self) -> int:
        return self.row_count

    def row_keys(self) -> list[str]:
        return [row.key.value or "" for row in self.ordered_rows]

    def set_rows(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """Show exactly ``rows``, in this order, keeping the cursor on the same key when it stays.

        A row whose cells are the very same tuple as last time keeps its stored cell dictionary: the
        screens build cells once per record, so a refresh where little changed costs little.
        """
        if self._measure:
            self.set_needs(cell_needs(cells for _, cells in rows))
        keep = self.highlighted_key
        old_index = self.cursor_row
        same_rows = len(rows) == len(self._known) and all(
            key == known for (key, _), known in zip(rows, self._known, strict=True)
        )
        if same_rows:
            self._update_cells(rows)
        else:
            self._replace_rows(rows)
            # Every line in view is painted again next (~11-14 ms at 160x48, a filter narrowing 500 rows
            # to a few): no collection in the middle of it, the one due runs right after.
            heap.hold_through(self.call_after_refresh)
        # DataTable's rows in order, which it would rebuild from the locations on first use.
        self._ordered_row_cache[(len(self.rows), self._update_count)] = list(self.rows.values())
        if not self._known:
            return
        target = self._row_locations.get(self._known[keep][0]) if keep in self._known else None
        if target is None:
            target = min(max(old_index, 0), len(self._known) - 1)
        if target != self.cursor_row:
            self.move_cursor(row=target, animate=False)
        else:
            # Same index, maybe a different row under it: say so, as a cursor move would.
            self._highlight_row(target)
        if not same_rows:
            self._draw_ahead()

    def _draw_ahead(self) -> None:
        """The rows a filter or a sort brings into view are drawn here, in the keystroke's own callback,
        rather than in the paint that follows, which also lays the screen out again: two shorter
        blocks of the event loop instead of one long one. Drawn as the last paint would draw them
        (its width and look); a line drawn for nothing, after a resize, is simply not used."""
        paint = self._paint
        if not paint.width or paint.layout != self._layout:
            return  # not painted yet, or the columns changed since: the next paint draws them
        height = self.scrollable_content_region.height - self._header_lines
        top = max(0, min(self.scroll_offset.y, self.row_count - height))
        x1 = self.scroll_offset.x
        for index in range(top, min(self.row_count, top + height)):
            self._render_line(index + self._header_lines, x1, x1 + paint.width, paint.style)

    def _entry(
        self, key: str, cells: Sequence[Text], column_keys: list[ColumnKey]
    ) -> tuple[RowKey, Row, Sequence[Text], dict[ColumnKey, Text]]:
        entry = self._known.get(key)
        if entry is not None and entry[2] is cells and len(entry[3]) == len(column_keys):
            return entry
        row_key = entry[0] if entry is not None else RowKey(key)
        row = entry[1] if entry is not None else Row(row_key, 1)
        return (row_key, row, cells, dict(zip(column_keys, cells, strict=False)))

    def _update_cells(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        """The usual refresh: the same rows in the same order, a few with new cells. Only those change,
        and only those on view are repainted (one off view is drawn when it scrolls into view)."""
        known, data = self._known, self._data
        column_keys = [column.key for column in self.ordered_columns]
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        changed: list[int] = []
        for index, (key, cells) in enumerate(rows):
            entry = known[key]
            if entry[2] is cells:
                continue
            entry = known[key] = self._entry(key, cells, column_keys)
            data[entry[0]] = entry[3]
            changed.append(index)
        self._update_count += 1
        for index in changed:
            if top <= index <= bottom:
                self.refresh_row(index)

    def _replace_rows(self, rows: Sequence[tuple[str, Sequence[Text]]]) -> None:
        column_keys = [column.key for column in self.ordered_columns]
        fresh: dict[str, tuple[RowKey, Row, Sequence[Text], dict[ColumnKey, Text]]] = {}
        for key, cells in rows:
            if key not in fresh:  # a duplicate id from the server: show it once
                fresh[key] = self._entry(key, cells, column_keys)
        self._known = fresh
        self._data = {entry[0]: entry[3] for entry in fresh.values()}
        self.rows = {entry[0]: entry[1] for entry in fresh.values()}
        self._row_locations = TwoWayDict({entry[0]: index for index, entry in enumerate(fresh.values())})
        self._new_rows.clear()
        self._updated_cells.clear()
        self._bump()

    # -- drawing ------------------------------------------------------------------------------------

    def _forget_drawings(self) -> None:
        self._cells_drawn.clear()
        self._lines_drawn.clear()
        self._stripes.clear()

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._forget_drawings()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look_known = False

    def _check_look(self) -> None:
        """Forget the drawings when the table's look changed: a theme, not a move of the focus (the
        focus restyles the table, but only the cursor's look depends on it here, see app.tcss).
        Checked as the table renders: reading component styles from ``notify_style_update`` restyles."""
        if self._look_known:
            return
        self._look_known = True
        look = (
            self.rich_style,
            self.get_component_rich_style("datatable--even-row"),
            self.get_component_rich_style("datatable--odd-row"),
            self.get_component_rich_style("datatable--header"),
        )
        if look != self._look:
            self._look = look
            self._forget_drawings()

    def render_line(self, y: int) -> Strip:
        """DataTable's, with what every line shares worked out once per paint (``render_lines``)."""
        scroll_x, scroll_y = self.scroll_offset
        if y >= self._header_lines:  # no fixed rows here: the header is all that does not scroll
            y += scroll_y
        return self._render_line(y, scroll_x, scroll_x + self._paint.width, self._paint.style)

    @property
    def _header_lines(self) -> int:
        return self.header_height if self.show_header else 0

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """A line as last drawn, while the row it shows is drawn the same: by stripe, not by place, so
        a row that moves while the user filters is not drawn again. Only the cursor's and the hover's
        looks depend on the focus."""
        try:
            row_key, _line = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        width = self._paint.width
        if row_key is self._header_row_key:  # it changes only with the layout: widths, labels, sort marker
            header_hover = self.hover_coordinate if self.hover_coordinate.row == -1 else None
            key: tuple[object, ...] = (
                y,
                x1,
                x2,
                width,
                base_style,
                header_hover,
                self._pseudo_class_state,
                self._paint.layout,
            )
            drawn = self._lines_drawn.get(key)
            if drawn is None:
                drawn = self._remember(
                    self._lines_drawn, key, (None, super()._render_line(y, x1, x2, base_style))
                )
            return drawn[1]
        known = self._known.get(row_key.value) if row_key.value is not None else None
        if known is None or self.fixed_columns or self._labelled_row_exists or self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)  # a table set up unlike ours
        row_index = self._row_locations.get(row_key) or 0
        cursor = self.show_cursor and self.cursor_coordinate.row == row_index
        hover = self._show_hover_cursor and self.hover_coordinate.row == row_index
        parity = row_index % 2 if self.zebra_stripes else 0
        focus = self._pseudo_class_state if cursor or hover else None
        key = (row_key, parity, cursor, hover, focus, x1, x2, width, base_style, self._paint.layout)
        drawn = self._lines_drawn.get(key)
        if drawn is None or drawn[0] is not known[2]:
            strip = self._draw_line(self._data[row_key], parity, cursor, hover, x1, x2, base_style)
            drawn = self._remember(self._lines_drawn, key, (known[2], strip))
        return drawn[1]

    def _draw_line(
        self,
        cells: dict[ColumnKey, Text],
        parity: int,
        cursor: bool,
        hover: bool,
        x1: int,
        x2: int,
        base_style: Style,
    ) -> Strip:
        """One body row as DataTable draws it (snapshot tests compare), without its general machinery:
        our cells are always one line of ``Text``, so each is cut, justified and styled directly."""
        stripe = self._stripe(parity)
        get_look = self._get_styles_to_render_cell
        show, show_hover = self.show_cursor, self._show_hover_cursor
        fg_css = self.cursor_foreground_priority == "css"
        bg_css = self.cursor_background_priority == "css"
        component, post = get_look(False, False, False, hover, cursor, show, show_hover, fg_css, bg_css)
        extend, _ = get_look(False, False, False, hover, cursor, show, show_hover, False, False)
        base = stripe + component
        console = self.app.console
        paint = self._paint
        pad = paint.pad
        drawn_cells = self._cells_drawn
        line: list[Segment] = []
        used = 0
        for column_key, column_width in paint.columns:
            used += column_width
            text = cells.get(column_key, _NO_CELL)  # a row given fewer cells than columns
            # Shared cells (see the cells module: a status, a 65% bar) are drawn once per width and look.
            key = (id(text), column_width, pad, base, post)
            drawn = drawn_cells.get(key)
            if drawn is None or drawn[0] is not text:
                segments: list[Segment] = []
                _cell_line(segments, text, column_width - 2 * pad, pad, base, post, console)
                drawn = self._remember(drawn_cells, key, (text, segments))
            line.extend(drawn[1])
        width = paint.width
        line.append(Segment(" " * max(0, width - used), stripe + extend))
        if x1 == 0 and x2 == width and used <= width:  # the usual case: nothing to crop or pad
            return Strip(Segment.simplify(line), width)
        return Strip(line_crop(line, x1, x2, width)).adjust_cell_length(width, base_style).simplify()

    def _stripe(self, parity: int) -> Style:
        style = self._stripes.get(parity)
        if style is None:
            name = "datatable--odd-row" if parity else "datatable--even-row"
            style = self._stripes[parity] = self.get_component_styles(name).rich_style
        return style

    @staticmethod
    def _remember(cache: dict[tuple[object, ...], _Drawn], key: tuple[object, ...], value: _Drawn) -> _Drawn:
        if len(cache) > 4_096:  # a long session of filtering and sorting: start again, never grow
            cache.clear()
        cache[key] = value
        return value

    # -- the mouse ----------------------------------------------------------------------------------

    def _row_under(self, event: events.MouseEvent) -> int | None:
        """The body row under the mouse, from where it is: rows carry no mouse meta (see the module's
        docstring), so DataTable's own handlers, which read it, are kept for the header."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        y = offset.y - self._header_lines
        if y < 0:
            return None
        row = y + self.scroll_offset.y
        return row if self.is_valid_row_index(row) else None

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_under(event)
        if row is None:
            return
        event.prevent_default()  # DataTable's handler would find no meta and hide the hover
        self._set_hover_cursor(True)
        if self.show_cursor:
            self.hover_coordinate = Coordinate(row, 0)

    async def _on_click(self, event: events.Click) -> None:
        """A click on a row moves the cursor there; a second click opens it (DataTable's behaviour);
        header clicks are DataTable's own."""
        row = self._row_under(event)
        if row is None or not self.show_cursor:
            return
        event.prevent_default()
        again = self.cursor_row == row
        self.cursor_coordinate = Coordinate(row, 0)
        if again:
            self._post_selected_message()  # type: ignore[no-untyped-call]  # Textual leaves it unannotated
        self._scroll_cursor_into_view(animate=True)
        event.stop()

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
            self._marking = True
            self._relabel()

    def action_column_right(self) -> None:
        if self._specs:
            self._marked = min(len(self._specs) - 1, self._marked + 1)
            self._marking = True
            self._relabel()

    def request_sort(self) -> None:
        if self.marked_column is not None:
            self._marking = True
            self._relabel()
            self.post_message(self.SortRequested(self, self.marked_column))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key in self.column_keys:
            self._marked = self.column_keys.index(key)
            self._marking = True
            self._relabel()
            self.post_message(self.SortRequested(self, key))

    def move_to_key(self, key: str) -> bool:
        index = self._row_locations.get(RowKey(key))
        if index is None:
            return False
        self.move_cursor(row=index)
        return True


def cell_needs(rows: Iterable[Sequence[Text]]) -> list[int]:
    """The longest cell of each column, in terminal cells."""
    needs: list[int] = []
    for cells in rows:
        for index, text in enumerate(cells):
            length = text.cell_len
            if index >= len(needs):
                needs.append(length)
            elif length > needs[index]:
                needs[index] = length
    return needs


def _cell_line(
    line: list[Segment], text: Text, inner: int, pad: int, base: Style, post: Style | None, console: Console
) -> None:
    """Append one cell as Rich lays a one-line ``Text`` out in DataTable's cell: ``pad`` spaces each
    side, the text cut to ``inner`` cells with an ellipsis and justified, ``base`` under it all and
    ``post`` over it all. With an explicit justify the spaces that fill the width carry the Text's own
    style; without one, and in the padding, they do not."""

    def styled(style: Style | None) -> Style:
        under = base + style if style else base
        return under + post if post else under

    inner = max(0, inner)
    length = text.cell_len
    if length > inner:
        text = text.copy()
        text.truncate(inner, overflow="ellipsis")
        length = text.cell_len
    space = inner - length
    justify = text.justify
    left = space if justify == "right" else space // 2 if justify == "center" else 0
    justified = justify not in (None, "default")
    own = console.get_style(text.style, default="") if text.style else None
    edge = styled(None)
    if pad:
        line.append(Segment(" " * pad, edge))
    if left:
        line.append(Segment(" " * left, styled(own)))
    plain = text.plain
    spans = text.spans
    if not spans:
        if plain:
            line.append(Segment(plain, styled(own)))
    elif all(a.end <= b.start for a, b in pairwise(spans)):  # as our cells build them
        at = 0
        for span in spans:
            if span.start > at:
                line.append(Segment(plain[at : span.start], styled(own)))
            if span.end > span.start:
                style = console.get_style(span.style, default=Style.null())
                line.append(Segment(plain[span.start : span.end], styled(own + style if own else style)))
            at = max(at, span.end)
        if at < len(plain):
            line.append(Segment(plain[at:], styled(own)))
    else:
        line.extend(Segment(piece.text, styled(piece.style)) for piece in text.render(console))
    tail = ("" if justified else " " * (space - left)) + " " * pad
    if justified and space > left:
        line.append(Segment(" " * (space - left), styled(own)))
    if tail:
        line.append(Segment(tail, edge))
