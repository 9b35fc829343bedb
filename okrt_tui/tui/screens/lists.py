"""The list screens' shared machinery: a keyed table, filter as you type, sort by column, states.

Per snapshot item the cells are built once (``RowData``, cached by the frozen record itself and the
column layout), so a refresh where little changed rebuilds little; the sorted order is cached per
snapshot and sort; a filter keystroke is one pass of substring tests over precomputed folded text
and one O(n) row replacement in the table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, ClassVar

import msgspec
from msgspec.structs import replace
from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from okrt_tui.sync.snapshot import Feed, Snapshot
from okrt_tui.tui.screens.base import DATA, EMPTY, DataScreen, feed_state, show_state, state_message
from okrt_tui.tui.widgets.keyed_table import ColumnSpec, KeyedTable
from okrt_tui.tui.widgets.text_box import TextBox
from okrt_tui.views.changes import next_marked
from okrt_tui.views.query import Query, explain, matches, next_sort, parse_query, sort_by
from okrt_tui.views.status import INFO, MUTED

#: Rows built in one go of the event loop while rows are on screen: ~3 ms of the costliest (the KPIs'
#: with every column, on the machines the benchmarks run on); between two slices the keys are handled.
SLICE = 16

#: No row marked (one object: the table is left alone while the snapshot's parts are the same objects).
NONE_MARKED: frozenset[str] = frozenset()


class Layout(msgspec.Struct, frozen=True):
    """A set of columns for a range of widths; ``name`` keys the cell cache."""

    name: str
    min_width: int
    columns: tuple[ColumnSpec, ...]
    options: dict[str, int] = msgspec.field(default_factory=dict)


class RowData(msgspec.Struct, frozen=True):
    key: str
    cells: tuple[Text, ...]
    haystack: str  # folded text the plain filter words search
    fields: dict[str, str]  # folded values for field:value filters
    # The row's place in each sort asked for, worked out once per row built: it holds while the row
    # does (what the row is built from includes all the sort keys read), so a refresh works out only
    # the rebuilt rows' (the projection of each of 500 KPIs, at each refresh, took ~50 ms).
    sort_keys: dict[str, Any] = msgspec.field(default_factory=dict)


class ListScreen(DataScreen):
    """A data screen whose body is a filterable, sortable keyed table of one feed's items."""

    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        # A priority binding: handled as the key arrives, so the box has the focus before the letters
        # typed right after the slash are handed on (else they went to the table: lost, or taken as
        # keys, q quitting). In the box itself a slash is just a character (``action_filter``).
        Binding("slash", "filter", "Filter", id="okrt.filter", priority=True),
        Binding("s", "sort", "Sort", id="okrt.sort"),
        # Not on the key bar (it is full at 100 columns); ? and the palette list it.
        Binding("n", "next_changed", "Next changed", id="okrt.next_changed", show=False),
    ]

    #: Focused as the screen is composed, so the first paint already shows it focused (focusing it in
    #: ``on_mount`` restyled and redrew every visible row right after that paint).
    AUTO_FOCUS = "#table"
    LAYOUTS: ClassVar[tuple[Layout, ...]] = ()
    EMPTY_TEXT: ClassVar[str] = "Nothing here yet."
    FILTER_PLACEHOLDER: ClassVar[str] = "filter: words…"

    def __init__(self) -> None:
        super().__init__()
        self._layout: Layout | None = None
        # Rows built, by record id: (what the row was built from, the row, its cells' widths), reused
        # while it is equal.
        self._cache: dict[object, tuple[Hashable, RowData, tuple[int, ...]]] = {}
        self._sort: tuple[str, bool] | None = None
        self._ordered: tuple[list[tuple[Any, RowData]], Any, str, list[tuple[Any, RowData]]] | None = None
        self._query = Query()
        # The list, layout, changed rows and ``row_sources`` the rows were last built from; a snapshot
        # that changed none of them (a refresh starting, or a failure) leaves the table alone.
        self._drawn: tuple[Sequence[Any] | None, Layout, frozenset[str], tuple[object, ...]] | None = None
        # The rows being built, in slices (``_build``).
        self._building: Iterator[None] | None = None

    # -- subclasses ---------------------------------------------------------------------------------

    def items(self, snapshot: Snapshot) -> Sequence[Any] | None:
        feed: Feed[Any] = getattr(snapshot, self.FEED)
        return feed.items

    def build_row(self, item: Any, index: int, layout: Layout) -> RowData:
        raise NotImplementedError

    def sort_key(self, column: str) -> Callable[[Any], Any]:
        raise NotImplementedError

    def row_sources(self, snapshot: Snapshot) -> tuple[object, ...]:
        """What the rows show besides the records (the values seen, say); a new object here builds
        the rows again even when the list itself is the same (the history loaded at start-up)."""
        return ()

    def cache_key(self, item: Any, layout: Layout) -> Hashable:
        """What a row's cells depend on; the frozen record itself, by default."""
        return (item, layout.name)

    def after_filter(self, snapshot: Snapshot, shown: Sequence[Any], total: int) -> None:
        """Hook: the rows now shown, of ``total`` in scope (the OKRs screen counts them)."""

    def scope(self, query: Query) -> tuple[str, str] | None:
        """Hook: a (field, folded value) every row shown must have exactly (the OKRs screen's cycle),
        or ``None`` for every row."""
        return None

    def open_row(self, key: str) -> None:
        raise NotImplementedError

    # -- composition --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield from self.compose_summary()
        yield TextBox(placeholder=self.FILTER_PLACEHOLDER, id="filter", classes="-hidden")
        yield Static(id="state", markup=False)
        yield KeyedTable(id="table", measure=False)
        yield from self.compose_bottom()

    def compose_summary(self) -> ComposeResult:
        return iter(())

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#table", KeyedTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    def on_resize(self) -> None:
        self.call_after_refresh(self._check_layout)

    def restyle(self) -> None:
        self._cache = {}
        self._drawn = None
        self.redraw()

    def _pick_layout(self) -> Layout:
        width = self.size.width or self.app.size.width
        chosen = self.LAYOUTS[0]
        for layout in self.LAYOUTS:
            if width >= layout.min_width:
                chosen = layout
        return chosen

    def _check_layout(self) -> None:
        if self._pick_layout() is not self._layout:
            self.redraw()

    # -- drawing ------------------------------------------------------------------------------------

    def draw(self, snapshot: Snapshot) -> None:
        layout = self._pick_layout()
        table = self.table
        # Rows are on screen in this layout: they stay there while the new ones are built in slices.
        shown = layout is self._layout and bool(getattr(self, "_all_rows", None))
        if layout is not self._layout:
            self._layout = layout
            table.set_columns(layout.columns)
            table.set_sorted(self._sort)
        items = self.items(snapshot)
        marked = snapshot.changed.get(self.FEED, NONE_MARKED)
        sources = self.row_sources(snapshot)
        drawn = self._drawn
        if (
            items is not None
            and drawn is not None
            and drawn[0] is items
            and drawn[1] is layout
            and drawn[2] is marked
            and len(drawn[3]) == len(sources)
            and all(a is b for a, b in zip(drawn[3], sources, strict=True))
        ):
            return
        self._drawn = (items, layout, marked, sources)
        self._building = build = self._build(snapshot, items, layout, marked, sliced=shown)
        self._go_on(build)

    def _go_on(self, build: Iterator[None]) -> None:
        """One slice of ``build``, and the next one after whatever else is waiting (the keys typed)."""
        for _ in build:  # a slice built: the next one later
            self.call_later(self._after_a_pause, build)
            return
        self._building = None

    async def _after_a_pause(self, build: Iterator[None]) -> None:
        """The next slice, once the event loop has run whatever else was ready: the messages of one
        screen follow one another without a pause, so ``call_later`` alone would run every slice in
        one go of the loop."""
        await asyncio.sleep(0)
        if build is not self._building:
            return  # a newer snapshot, layout or theme started a build of its own
        if not self.is_active:
            # Another screen came on top: changing the table beneath it would repaint the whole
            # terminal. The rows are built again when this screen is shown.
            self._building = self._drawn = None
            self.done_building()
            self.draw_when_shown()
            return
        self._go_on(build)

    def _build(
        self,
        snapshot: Snapshot,
        items: Sequence[Any] | None,
        layout: Layout,
        marked: frozenset[str],
        *,
        sliced: bool,
    ) -> Iterator[None]:
        """The rows of ``items``, each built only if what it shows changed, then put in the table.

        With rows on screen (``sliced``), the building stops after every ``SLICE`` rows built, so a
        refresh that changed many rows never holds the keys up for long: the table keeps the rows it
        shows until the last slice. With nothing on screen the rows are built at once, for the first
        paint."""
        rows: list[tuple[Any, RowData]] = []
        if items is not None:
            cache = self._cache
            fresh: dict[object, tuple[Hashable, RowData, tuple[int, ...]]] = {}
            built = 0
            for index, item in enumerate(items):
                # Found by id and compared, not hashed: a refresh decodes every record afresh, and
                # hashing one walks all its fields and key results, twice per row.
                slot = getattr(item, "id", None) or index
                source = (self.cache_key(item, layout), slot in marked)
                entry = cache.get(slot)
                if entry is None or entry[0] != source:
                    if sliced and built == SLICE:
                        yield
                        built = 0
                    built += 1
                    row = self.build_row(item, index, layout)
                    if slot in marked:
                        row = self._marked(row)
                    entry = (source, row, tuple(cell.cell_len for cell in row.cells))
                fresh[slot] = entry
                rows.append((item, entry[1]))
            self._cache = fresh
            # Columns are as wide as the longest cell of the whole list (not of the rows a filter
            # shows: they would jump at each keystroke), so this is worked out here, per refresh.
            widths = [entry[2] for entry in fresh.values()]
            self.table.set_needs([max(column) for column in zip(*widths, strict=True)] if widths else [])
        self._ordered = None
        self._all_rows = rows
        self.done_building()
        self._apply(snapshot)

    def done_building(self) -> None:
        """Hook: the building of a snapshot's rows ended, done or given up (what a subclass read once
        for it may go)."""

    def _marked(self, row: RowData) -> RowData:
        """The row with ``•`` before its first cell: it changed since the user last looked."""
        first = Text.assemble(("• ", self.tones[INFO]), row.cells[0])
        return replace(row, cells=(first, *row.cells[1:]))

    def _sorted_rows(self) -> list[tuple[Any, RowData]]:
        rows = getattr(self, "_all_rows", [])
        if self._sort is None:
            return rows
        cached = self._ordered
        if cached is not None and cached[0] is rows and cached[1] == self._sort:
            return cached[3]
        column, reverse = self._sort
        key = self.sort_key(column)
        # Ties go by the first column, then the id, not by the API's order: that changes with every
        # update (most recent first), and a sorted list must not reshuffle on each refresh.
        tie = self.sort_key(self.LAYOUTS[0].columns[0].key)

        def full_key(pair: tuple[Any, RowData]) -> Any:
            known = pair[1].sort_keys
            if column in known:
                return known[column]
            value = key(pair[0])
            known[column] = full = None if value is None else (value, tie(pair[0]) or "", pair[1].key)
            return full

        ordered = sort_by(rows, full_key, reverse=reverse)
        self._ordered = (rows, self._sort, column, ordered)
        return ordered

    def _apply(self, snapshot: Snapshot | None = None) -> None:
        """Filter and order the built rows into the table, and show the right state."""
        snapshot = snapshot or self.snapshot
        if snapshot is None:
            return
        feed: Feed[Any] = getattr(snapshot, self.FEED)
        ordered = self._sorted_rows()
        query = self._query
        scope = self.scope(query)
        if scope is not None:
            name, value = scope
            ordered = [pair for pair in ordered if pair[1].fields.get(name) == value]
        if query.empty:
            shown = ordered
        else:
            shown = [pair for pair in ordered if matches(query, pair[1].haystack, pair[1].fields)]
        self.table.set_rows([(row.key, row.cells) for _, row in shown])
        state = self.query_one("#state", Static)
        kind = feed_state(feed)
        if kind == DATA and not shown:
            state.update(self.nothing_shown(ordered))
            kind = EMPTY
        elif kind != DATA:
            state.update(
                state_message(feed, snapshot, self.now, self.tones, noun=self.NOUN, empty=self.EMPTY_TEXT)
            )
        show_state(self, self.table, kind != DATA)
        self.after_filter(snapshot, [item for item, _ in shown], len(ordered))

    def nothing_shown(self, rows: Sequence[tuple[Any, RowData]]) -> Text:
        """What the state line says when ``rows`` (those in scope) are there but none is shown."""
        text = Text(justify="center")
        text.append(f"No {self.NOUN} match “{self.filter_input.value}”.\n", style="bold")
        for sentence in explain(self._query, [row.fields for _, row in rows]):
            text.append(sentence + "\n")
        text.append("Press escape to clear the filter.", style=self.tones[MUTED])
        return text

    # -- keys ---------------------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.filter_input
        if box.has_focus:
            raise SkipAction()  # a slash typed in the filter
        box.remove_class("-hidden")
        self.set_focus(box)  # now: ``focus()`` would wait for a message behind the letters that follow

    def action_next_changed(self) -> None:
        """``n``: the next row (in the order shown) changed since the user last looked."""
        table = self.table
        marked = self.snapshot.changed.get(self.FEED, NONE_MARKED) if self.snapshot else NONE_MARKED
        key = next_marked(table.row_keys(), marked, table.highlighted_key)
        if key is None:
            self.notify("No row shown here changed since you last looked.", timeout=4)
            return
        table.move_to_key(key)

    def action_sort(self) -> None:
        self.table.request_sort()

    def action_back(self) -> None:
        box = self.filter_input
        if box.value or not box.has_class("-hidden"):
            self.clear_filter()
            return
        super().action_back()

    def clear_filter(self) -> None:
        box = self.filter_input
        box.value = ""  # Input.Changed re-applies
        box.add_class("-hidden")
        self._query = Query()
        self._apply()
        self.table.focus()

    def set_filter(self, text: str) -> None:
        box = self.filter_input
        box.remove_class("-hidden")
        box.value = text
        self._query = parse_query(text)
        self._apply()
        self.table.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        query = parse_query(event.value)
        if query != self._query:
            self._query = query
            self._apply()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        if not self.filter_input.value:
            self.filter_input.add_class("-hidden")
        self.table.focus()

    @on(KeyedTable.SortRequested)
    def _sort_requested(self, event: KeyedTable.SortRequested) -> None:
        self._sort = next_sort(self._sort, event.column)
        self.table.set_sorted(self._sort)
        self._apply()

    @on(DataTable.RowSelected, "#table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is not None:
            self.open_row(key)

    @property
    def sort_state(self) -> tuple[str, bool] | None:
        return self._sort
