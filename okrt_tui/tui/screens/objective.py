"""``enter`` on an objective: its numbers and its key results, with stale check-ins flagged."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from okrt_tui.api.models import KeyResult, Okr
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.screens.writing import CHECKIN, Writes
from okrt_tui.tui.widgets.cells import Tones, health_cell, label_text, plain, progress_cell
from okrt_tui.tui.widgets.keyed_table import ColumnSpec, KeyedTable
from okrt_tui.views.markdown import okr_markdown
from okrt_tui.views.numbers import with_unit
from okrt_tui.views.status import INFO, MUTED, WARN, status_label
from okrt_tui.views.text import DASH, cell, safe_text
from okrt_tui.views.times import STALE_CHECKIN_DAYS, is_stale_checkin, relative_time
from okrt_tui.views.trend import OkrMotion, okr_motion

KR_COLUMNS = (
    ColumnSpec("title", "Key result", min_width=12, weight=2),
    ColumnSpec("value", "Current / target", min_width=None),
    ColumnSpec("progress", "Progress", min_width=None),
    ColumnSpec("status", "Status", min_width=None),
    ColumnSpec("checkin", "Checked in"),
)

NO_KEY_RESULTS = (
    "Key results aren't available from this API: it sent this objective without them "
    "(the documented API lists objectives only). Open the objective in the web app to see them."
)


def objective_header(okr: Okr, tones: Tones, motion: OkrMotion) -> Text:
    text = Text()
    text.append(safe_text(okr.title).strip() or DASH, style="bold")
    text.append("\n")
    facts = [("Type", cell(okr.type)), ("Owner", cell(okr.owner)), ("Cycle", cell(okr.cycle))]
    for number, (name, value) in enumerate(facts):
        if number:
            text.append("   ")
        text.append(f"{name} ", style=tones[MUTED])
        text.append(value)
    text.append("\n")
    text.append("Progress ", style=tones[MUTED])
    text.append_text(progress_cell(okr.progress, 12, tones))
    text.append("   Status ", style=tones[MUTED])
    text.append_text(label_text(status_label(okr.status), tones))
    text.append("   Health ", style=tones[MUTED])
    text.append_text(health_cell(okr.health_score, 5, tones))
    text.append("\nRecent progress ", style=tones[MUTED])
    text.append(motion.progress_spark or "·", style=tones[INFO if motion.progress_spark else MUTED])
    text.append("   Health since 7 days ago ", style=tones[MUTED])
    text.append(motion.health_week.display, style=tones[motion.health_week.tone])
    return text


def kr_cells(kr: KeyResult, now: float, tones: Tones) -> tuple[Text, ...]:
    value = f"{with_unit(kr.current, kr.unit, compact=True)} / {with_unit(kr.target, kr.unit, compact=True)}"
    stale = is_stale_checkin(kr.last_checkin_at, now)
    when = relative_time(kr.last_checkin_at, now) if kr.last_checkin_at else "never"
    checkin = plain(f"⚑ {when}" if stale else when, tones[WARN] if stale else "")
    return (
        plain(cell(kr.title, 200)),
        plain(value),
        progress_cell(kr.progress, 4, tones),
        label_text(status_label(kr.status), tones),
        checkin,
    )


class ObjectiveScreen(Writes, DataScreen):
    CSS_PATH = str(stylesheet("detail.tcss"))
    FEED = "okrs"
    MODE = "okrs"
    NOUN = "objective"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        Binding("y", "copy", "Copy", id="okrt.copy"),
        CHECKIN,
    ]
    HELP_NOTES = f"⚑ marks a key result with no check-in for {STALE_CHECKIN_DAYS} days or more."

    def __init__(self, okr_id: str) -> None:
        super().__init__()
        self.okr_id = okr_id
        self.okr: Okr | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Vertical(classes="body"):
            with VerticalScroll(id="detail-head"):
                yield Static(id="head", markup=False)
            yield Static(id="kr-heading", markup=False)
            yield Static(id="kr-note", markup=False)
            yield KeyedTable(id="krs", openable=False)
        yield from self.compose_bottom()

    def on_mount(self) -> None:
        table = self.query_one("#krs", KeyedTable)
        table.set_columns(KR_COLUMNS)
        table.focus()

    def draw(self, snapshot: Snapshot) -> None:
        found = next((o for o in snapshot.okrs.items or () if o.id == self.okr_id), None)
        gone = found is None and snapshot.okrs.items is not None
        if found is not None:
            self.okr = found
        okr = self.okr
        head = self.query_one("#head", Static)
        heading = self.query_one("#kr-heading", Static)
        note = self.query_one("#kr-note", Static)
        table = self.query_one("#krs", KeyedTable)
        if okr is None:
            head.update(Text("This objective is not in the workspace's list.", style=self.tones[WARN]))
            heading.update("")
            note.display = False
            table.display = False
            return
        key = okr.id or ""
        motion = okr_motion(
            snapshot.okr_progress_seen.get(key, ()),
            snapshot.okr_health_seen.get(key, ()),
            okr.progress,
            okr.health_score,
            self.now,
        )
        header = objective_header(okr, self.tones, motion)
        if gone:
            header.append(
                "\nThis objective is no longer in the list; showing what was last seen.", self.tones[WARN]
            )
        head.update(header)
        krs = okr.key_results
        if krs is None:
            heading.update(Text("Key results", style="bold"))
            note.update(Text(NO_KEY_RESULTS, style=self.tones[MUTED]))
            note.display = True
            table.display = False
            return
        stale = sum(1 for kr in krs if is_stale_checkin(kr.last_checkin_at, self.now))
        heading_text = Text(f"Key results ({len(krs)})", style="bold")
        if stale:
            heading_text.append(
                f"   ⚑ {stale} without a check-in for {STALE_CHECKIN_DAYS}+ days", self.tones[WARN]
            )
        heading.update(heading_text)
        note.update(Text("This objective has no key results.", style=self.tones[MUTED]))
        note.display = not krs
        table.display = bool(krs)
        table.set_rows(
            [(kr.id or f"kr-{index}", kr_cells(kr, self.now, self.tones)) for index, kr in enumerate(krs)]
        )

    def checkin_target(self) -> tuple[str, str | None] | None:
        if self.okr is None or self.okr.id is None:
            return None
        return (self.okr.id, self.query_one("#krs", KeyedTable).highlighted_key)

    def action_copy(self) -> None:
        if self.okr is not None:
            self.copy_markdown(okr_markdown(self.okr), "the objective")
