"""``3``: review cycles (status, due date, reviewees), a cycle's shared reviews, reviews opened by id."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from okrt_tui.api.models import ReviewCycle, ReviewRef
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.messages import OpenCycle, OpenReview
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.base import DATA, DataScreen, feed_state, show_state, state_message
from okrt_tui.tui.widgets.cells import Tones, label_text, plain
from okrt_tui.tui.widgets.keyed_table import ColumnSpec, KeyedTable
from okrt_tui.views.status import MUTED, review_type_label, status_label
from okrt_tui.views.text import DASH, cell, safe_text
from okrt_tui.views.times import due_label, relative_time

CYCLE_COLUMNS = (
    ColumnSpec("name", "Review cycle", min_width=14, weight=2),
    ColumnSpec("status", "Status", min_width=None),
    ColumnSpec("due", "Due"),
    ColumnSpec("reviewees", "Reviewees", min_width=None, justify="right"),
)
REVIEW_COLUMNS = (
    ColumnSpec("employee", "Employee", min_width=12, weight=2),
    ColumnSpec("type", "Type", min_width=None),
    ColumnSpec("shared", "Shared"),
    ColumnSpec("id", "Review id"),
)
OPEN_BY_ID_HINT = "Press o and paste a shared review's id (from the web app) to open it."


def cycle_cells(cycle: ReviewCycle, now: float, tones: Tones) -> tuple[Text, ...]:
    due = due_label(cycle.due_date, now, closed=cycle.status == "closed")
    count = DASH if cycle.reviewee_count is None else f"{cycle.reviewee_count:,}"
    return (
        plain(cell(cycle.name, 200)),
        label_text(status_label(cycle.status), tones),
        plain(due.text, tones[due.tone]),
        plain(count, justify="right"),
    )


def review_cells(ref: ReviewRef, now: float) -> tuple[Text, ...]:
    return (
        plain(cell(ref.employee, 200)),
        plain(review_type_label(ref.type)),
        plain(relative_time(ref.shared_at, now)),
        plain(cell(ref.id, 40)),
    )


class OpenByIdMixin:
    #: A priority binding: handled as the key arrives, so the dialog is up before the keys typed or
    #: pasted right after ``o`` are handed on (else they went to the list and were lost).
    OPEN_BY_ID = Binding("o", "open_id", "Open by id", id="okrt.open_id", priority=True)

    def action_open_id(self) -> None:
        from okrt_tui.tui.screens.modals import OpenReviewModal

        def opened(review_id: str | None) -> None:
            if review_id:
                self.post_message(OpenReview(review_id))  # type: ignore[attr-defined]

        self.app.push_screen(OpenReviewModal(), opened)  # type: ignore[attr-defined]


class ReviewsScreen(OpenByIdMixin, DataScreen):
    CSS_PATH = str(stylesheet("detail.tcss"))
    FEED = "cycles"
    MODE = "reviews"
    NOUN = "review cycles"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        OpenByIdMixin.OPEN_BY_ID,
    ]
    HELP_NOTES = "tab moves between the cycles and the reviews opened by id. " + OPEN_BY_ID_HINT

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static(id="state", markup=False)
        yield KeyedTable(id="cycles")
        yield Static(id="remembered-heading", markup=False)
        yield KeyedTable(id="remembered")
        yield from self.compose_bottom()

    def on_mount(self) -> None:
        self.query_one("#cycles", KeyedTable).set_columns(CYCLE_COLUMNS)
        self.query_one("#remembered", KeyedTable).set_columns(REVIEW_COLUMNS)
        self.query_one("#cycles", KeyedTable).focus()

    def draw(self, snapshot: Snapshot) -> None:
        feed = snapshot.cycles
        kind = feed_state(feed)
        cycles = self.query_one("#cycles", KeyedTable)
        state = self.query_one("#state", Static)
        rows = [
            (c.id or f"row-{i}", cycle_cells(c, self.now, self.tones)) for i, c in enumerate(feed.items or ())
        ]
        cycles.set_rows(rows)
        if kind != DATA:
            state.update(
                state_message(
                    feed,
                    snapshot,
                    self.now,
                    self.tones,
                    noun="review cycles",
                    empty="No review cycles in this workspace.",
                )
            )
        show_state(self, self.query_one("#cycles"), kind != DATA)
        remembered = snapshot.remembered_reviews
        heading = Text("Reviews opened by id", style="bold")
        heading.append(
            f"  ({len(remembered)}, kept on this computer)" if remembered else f"  {OPEN_BY_ID_HINT}",
            style=self.tones[MUTED],
        )
        self.query_one("#remembered-heading", Static).update(heading)
        table = self.query_one("#remembered", KeyedTable)
        table.display = bool(remembered)
        table.set_rows([(r.id or f"row-{i}", review_cells(r, self.now)) for i, r in enumerate(remembered)])

    @on(DataTable.RowSelected, "#cycles")
    def _open_cycle(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenCycle(event.row_key.value))

    @on(DataTable.RowSelected, "#remembered")
    def _open_remembered(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenReview(event.row_key.value))


class CycleScreen(OpenByIdMixin, DataScreen):
    """A cycle's shared reviews, when the API lists them (an extension the reference doesn't promise)."""

    CSS_PATH = str(stylesheet("detail.tcss"))

    FEED = "cycles"
    MODE = "reviews"
    NOUN = "review cycle"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        OpenByIdMixin.OPEN_BY_ID,
    ]

    def __init__(self, cycle_id: str) -> None:
        super().__init__()
        self.cycle_id = cycle_id
        self.cycle: ReviewCycle | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Vertical(classes="body"):
            yield Static(id="head", markup=False)
            yield Static(id="note", markup=False)
            yield KeyedTable(id="reviews")
        yield from self.compose_bottom()

    def on_mount(self) -> None:
        table = self.query_one("#reviews", KeyedTable)
        table.set_columns(REVIEW_COLUMNS)
        table.focus()

    def draw(self, snapshot: Snapshot) -> None:
        found = next((c for c in snapshot.cycles.items or () if c.id == self.cycle_id), None)
        if found is not None:
            self.cycle = found
        cycle = self.cycle
        head = self.query_one("#head", Static)
        note = self.query_one("#note", Static)
        table = self.query_one("#reviews", KeyedTable)
        if cycle is None:
            head.update(Text("This review cycle is not in the workspace's list.", style="bold"))
            table.display = False
            return
        tones = self.tones
        due = due_label(cycle.due_date, self.now, closed=cycle.status == "closed")
        text = Text(safe_text(cycle.name).strip() or DASH, style="bold")
        text.append("\n")
        text.append_text(label_text(status_label(cycle.status), tones))
        text.append("   Due ", style=tones[MUTED])
        text.append(f"{cell(cycle.due_date)} ")
        text.append(f"({due.text})", style=tones[due.tone])
        count = DASH if cycle.reviewee_count is None else f"{cycle.reviewee_count:,}"
        text.append("   Reviewees ", style=tones[MUTED])
        text.append(count)
        head.update(text)
        reviews = cycle.reviews
        if reviews is None:
            note.update(
                Text(
                    "This API doesn't list a cycle's reviews (the reference has no endpoint for it). "
                    + OPEN_BY_ID_HINT,
                    style=tones[MUTED],
                )
            )
            note.display = True
            table.display = False
            return
        note.update(Text("No shared reviews in this cycle yet. " + OPEN_BY_ID_HINT, style=tones[MUTED]))
        note.display = not reviews
        table.display = bool(reviews)
        table.set_rows([(r.id or f"row-{i}", review_cells(r, self.now)) for i, r in enumerate(reviews)])

    @on(DataTable.RowSelected, "#reviews")
    def _open_review(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(OpenReview(event.row_key.value))
