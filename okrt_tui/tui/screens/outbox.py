"""``4``: the writes not yet delivered: queued, unconfirmed and refused, each with why and how old.

``e`` changes a queued write (value, comment, status) before it goes; ``a`` sends the highlighted write
again (for an unconfirmed one it asks first: the server may already have it, and the API cannot tell a
second copy from a new check-in); ``d`` drops it (asks first).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from okrt_tui.store.outbox import FAILED, QUEUED, UNCONFIRMED, Entry
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.widgets.cells import plain
from okrt_tui.tui.widgets.keyed_table import ColumnSpec, KeyedTable
from okrt_tui.views.status import BAD, GOOD, MUTED, WARN
from okrt_tui.views.text import cell, one_line
from okrt_tui.views.times import relative_time

COLUMNS = (
    ColumnSpec("id", "#", min_width=None, justify="right"),
    ColumnSpec("state", "State", min_width=None),
    ColumnSpec("what", "What", min_width=None),
    ColumnSpec("target", "Target", min_width=12, weight=2),
    ColumnSpec("value", "Value", min_width=None, justify="right"),
    ColumnSpec("age", "Queued", min_width=None),
    ColumnSpec("why", "Why", min_width=20, weight=3),
)
TONES = {QUEUED: WARN, UNCONFIRMED: BAD, FAILED: BAD}


class OutboxScreen(DataScreen):
    FEED = "okrs"
    MODE = "outbox"
    NOUN = "writes"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        Binding("a", "resend", "Send again", id="okrt.resend"),
        Binding("e", "edit", "Edit", id="okrt.edit"),
        Binding("d", "drop", "Drop", id="okrt.drop"),
    ]
    HELP_NOTES = (
        "Queued writes are sent by themselves, in order, as soon as the server can take them. An "
        "unconfirmed write went out and its answer was lost: it is never sent again by itself, since the "
        "API cannot tell a second copy from a new value; the next refresh confirms it when the server's "
        "data shows it. Refused writes were rejected by the server and are never retried."
    )

    def __init__(self) -> None:
        super().__init__()
        self.entries: tuple[Entry, ...] = ()

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Vertical(classes="body"):
            yield Static(id="outbox-summary", markup=False)
            yield KeyedTable(id="writes", openable=False)
        yield from self.compose_bottom()

    def on_mount(self) -> None:
        table = self.query_one("#writes", KeyedTable)
        table.set_columns(COLUMNS)
        table.focus()

    def draw(self, snapshot: Snapshot) -> None:
        self.entries = snapshot.outbox.entries
        summary = self.query_one("#outbox-summary", Static)
        table = self.query_one("#writes", KeyedTable)
        if not self.entries:
            summary.update(Text("Every write was delivered: the outbox is empty.", style=self.tones[GOOD]))
            table.display = False
            return
        counts = [(snapshot.outbox.count(s), s) for s in (QUEUED, UNCONFIRMED, FAILED)]
        line = Text()
        for n, state in counts:
            if n:
                if line:
                    line.append(" · ", style=self.tones[MUTED])
                line.append(f"{n} {'refused' if state == FAILED else state}", style=self.tones[TONES[state]])
        line.append("   e edit (queued) · a send again · d drop", style=self.tones[MUTED])
        summary.update(line)
        table.display = True
        table.set_rows([(str(e.id), self._cells(e)) for e in self.entries])

    def _cells(self, entry: Entry) -> tuple[Text, ...]:
        state = "refused" if entry.state == FAILED else entry.state
        return (
            plain(str(entry.id)),
            plain(state, self.tones[TONES.get(entry.state, MUTED)]),
            plain("check-in" if entry.kind == "checkin" else "KPI"),
            plain(cell(entry.target_label or entry.target_id, 60)),
            plain(entry.value),
            plain(relative_time(entry.created_at, self.now)),
            plain(one_line(entry.reason) or "waiting for its turn"),
        )

    def _highlighted(self) -> Entry | None:
        key = self.query_one("#writes", KeyedTable).highlighted_key
        return next((e for e in self.entries if str(e.id) == key), None)

    def action_resend(self) -> None:
        entry = self._highlighted()
        deliveries = self.okrt.deliveries
        if entry is None or deliveries is None:
            return
        if entry.state == QUEUED:
            self.notify("It is queued already: it goes as soon as the server can take it.", markup=False)
            return
        if entry.state != UNCONFIRMED:
            deliveries.resend(entry.id)
            return
        from okrt_tui.tui.screens.modals import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                deliveries.resend(entry.id)

        self.app.push_screen(
            ConfirmModal(
                f"Write {entry.id} may already have been recorded; sending it again may record it twice. "
                "Send it again?"
            ),
            answered,
        )

    def action_edit(self) -> None:
        """``e``: the form of a queued write, filled in as it is; saving changes it, sends nothing."""
        entry = self._highlighted()
        if entry is None or self.okrt.deliveries is None:
            return
        if entry.state != QUEUED:
            self.notify(
                "Only a queued write can be changed: this one has gone out, or was refused.", markup=False
            )
            return
        from okrt_tui.api.models import Kpi, Okr
        from okrt_tui.tui.forms.write_form import CheckinForm, KpiForm
        from okrt_tui.views.direction import kpi_direction

        snapshot = self.okrt.snapshot
        if entry.kind == "kpi_update":
            found = next((k for k in snapshot.kpis.items or () if k.id == entry.target_id), None)
            kpi = found or Kpi(id=entry.target_id, name=entry.target_label)
            direction = kpi_direction(kpi, self.okrt.settings.kpi_directions, snapshot.kpi_directions)
            self.app.push_screen(self.okrt.write_form(KpiForm).load(kpi, direction, editing=entry))
            return
        okr = next(
            (
                o
                for o in snapshot.okrs.items or ()
                if any(kr.id == entry.target_id for kr in o.key_results or ())
            ),
            None,
        )
        form = self.okrt.write_form(CheckinForm)
        if okr is None:  # the documented API lists no key results: the id as it was pasted
            okr = Okr(title=entry.target_label, key_results=None)
            form.load(okr, remembered=entry.target_id, editing=entry)
        else:
            form.load(okr, entry.target_id, editing=entry)
        self.app.push_screen(form)

    def action_drop(self) -> None:
        entry = self._highlighted()
        deliveries = self.okrt.deliveries
        if entry is None or deliveries is None:
            return
        from okrt_tui.tui.screens.modals import ConfirmModal

        def answered(yes: bool | None) -> None:
            if yes:
                deliveries.drop(entry.id)

        what = "check-in" if entry.kind == "checkin" else "KPI update"
        label = one_line(entry.target_label or entry.target_id)
        self.app.push_screen(
            ConfirmModal(f"Drop write {entry.id} ({what} of {label})? It will not be sent."), answered
        )
