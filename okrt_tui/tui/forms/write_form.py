"""The check-in and KPI forms: a value in a few keystrokes, what it would mean as you type, and certainty
about what the server recorded.

The value field has the focus, empty, with the current value as its placeholder; the preview under it
says the change, the new progress or percent of target and the status the service's rules suggest.
``ctrl+s`` stores the write in the outbox and sends it (``Deliveries.submit``); the form stays open
until the server answers, so a refusal is shown where it belongs: a 400 under the value, a missing scope
or a vanished target in the form. ``escape`` asks before throwing away what was typed.

The app keeps one form of each kind for the session (``OkrtApp.write_form``), built while it is idle and
``load``-ed with its target each time it opens: building one (styles, layout of its twenty widgets) blocked
the event loop for ~25 ms, and a keystroke should block under 16. Showing a built one is kept to what
changed: it is not restyled whole when shown again (``_on_screen_resume``), and its texts are passed on
only when they changed (``show_text``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input, RadioButton, RadioSet, Static, TextArea

from okrt_tui import heap
from okrt_tui.api.errors import BadRequest, Forbidden, NotFound, OkrtError
from okrt_tui.api.models import KeyResult, Kpi, Okr
from okrt_tui.store.outbox import DELIVERED, FAILED, QUEUED, Entry, OutboxUnavailable
from okrt_tui.sync.snapshot import Outcome
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.modals import ConfirmModal, Dialog
from okrt_tui.tui.widgets.choice import Choice
from okrt_tui.tui.widgets.line import Line
from okrt_tui.tui.widgets.text_box import TextBox
from okrt_tui.views.direction import UNKNOWN, KpiDirection
from okrt_tui.views.errors import KEYS_WHERE
from okrt_tui.views.numbers import format_number, with_unit
from okrt_tui.views.preview import Preview, key_result_preview, kpi_preview, recorded
from okrt_tui.views.text import DASH, one_line, truncate
from okrt_tui.views.values import BadValue, Value, parse_value

if TYPE_CHECKING:
    from okrt_tui.tui.app import OkrtApp

COMMENT_LIMIT = 1000
"""The API states no limit; a check-in comment is a sentence or two, and a cap keeps a paste sane."""
STATUSES = (
    ("server", "let the server decide", None),
    ("on", "on track", "on_track"),
    ("risk", "at risk", "at_risk"),
    ("off", "off track", "off_track"),
)
SCOPES = {"checkin": "okr-checkins:write", "kpi_update": "kpis:write"}


#: Seconds after a form closes before a layout it still owes is done (``WriteForm._settle``): after the
#: list beneath is painted again, in a callback of its own.
SETTLE_AFTER = 0.1

SKIPPED = "skipped"
"""What a form of the check-in round returns for ``ctrl+n``."""


class WriteForm(Dialog[Outcome | str | None]):
    """What the two forms share; ``kind`` is the outbox's (``checkin`` or ``kpi_update``)."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [stylesheet("dialogs.tcss"), stylesheet("forms.tcss")]
    HOLDS_KEYS = True  # the screen keys (1-4) do not switch screens under it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "Save", id="okrt.submit", priority=True),
        Binding("escape", "cancel", "Cancel", id="okrt.back", priority=True),
        Binding("ctrl+n", "skip", "Skip", id="okrt.skip", priority=True),
    ]
    kind: ClassVar[str] = ""
    what: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.sending = False
        #: A queued write this form changes (``e`` on the Outbox screen) instead of adding one.
        self.editing: Entry | None = None
        self._styled_for: tuple[int, bool] | None = None
        #: Shown at least once (``prepare`` then does nothing).
        self.shown = False

    def prepare(self, size: Size) -> None:
        """What Textual does to a screen as it is first shown (its styles, its layout at the terminal's
        ``size``, each widget's first drawing: ~40 ms), done while the app is idle, so the first ``u``
        or ``c`` only shows the form, as every later one does (Textual is pinned to 8.2). Called from a
        timer, all at once: a key cannot come in between (awaiting the form's mounting here instead
        made a test that presses ``u`` and ``ctrl+s`` at once hang now and then). A form shown already
        is left as it is. The app loads it first with a sample of what it will show (``load_sample``),
        and calls this twice: widgets given their first size ask, once idle, for another layout, which
        the second call does (the sizes are settled by then, so it asks for nothing more); else the
        first ``c`` would lay the form out again (~17 ms)."""
        if self.shown:
            return
        if self._styled_for is None:
            self.update_node_styles(animate=False)
            self._styled_for = (self.app._css_update_count, self.app.app_focus)
            self._layout_required = True
        self._draw_off_screen(size)

    def _draw_off_screen(self, size: Size) -> None:
        if self._layout_required:
            self._refresh_layout(size)
        self._compositor.render_update(full=True)  # each widget keeps the lines it drew
        # What the screen's update timer does after it lays a screen out and paints it (it does not run
        # for a screen that is not shown).
        self._layout_required = False
        self._dirty_widgets.clear()

    def _on_screen_suspend(self) -> None:
        """Closed (or covered by a confirmation): a layout the form still owes is done off screen a
        moment later, in a callback of its own (``_settle``)."""
        self.set_timer(SETTLE_AFTER, self._settle)

    def _settle(self) -> None:
        """A key typed in the frame before the form closed (a value erased, then escape) can leave a
        layout the screen's update timer never ran, the form being gone: it fell in the paint of the
        next opening, ~12 ms more (``c`` over 16 ms about once in a hundred opens)."""
        if self._layout_required and self.is_attached and self not in self.app.screen_stack:
            self._draw_off_screen(self.app.size)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Runs before Textual's own handler of the event, which applies the stylesheet to every widget
        of a screen as it is pushed: ~8 ms of the key that opens the form. The form is shown again and
        again with the same widgets and classes, each widget's own changes restyle it as they happen;
        what can change the rules' outcome meanwhile is the theme or its colours (Textual counts those
        changes) and whether the terminal has the focus: only then is it styled again."""
        styled_for = (self.app._css_update_count, self.app.app_focus)
        if self._styled_for == styled_for:
            event.refresh_styles = False
        self._styled_for = styled_for
        self.shown = True
        # The whole terminal is repainted next: no collection in the middle of it (and the app releases
        # the collector within a second, whatever happens).
        heap.hold_through(self.call_after_refresh)

    def _loaded(self, editing: Entry | None) -> None:
        """After a subclass's ``load``: every field starts afresh (the form was shown before)."""
        self.editing = editing
        self.sending = False
        if self.is_mounted:
            self._start(reset=True)

    @property
    def okrt(self) -> OkrtApp:
        return self.app  # type: ignore[return-value]

    # -- subclasses -----------------------------------------------------------------------------

    def load_sample(self) -> None:
        """Something like what the form will show, from the app's snapshot (the first KPI; the first
        objective with key results), loaded before the form is drawn off screen: so the first ``c``
        shows the fields an objective usually needs (the key result picker, not the box for its id),
        and only the texts change, as in every later one."""

    def compose_target(self) -> ComposeResult:
        return iter(())

    def start_target(self, *, reset: bool) -> None:
        """Fills the fields of ``compose_target`` for what was loaded (``reset``: see ``_start``)."""

    def compose_extra(self) -> ComposeResult:
        return iter(())

    def target(self) -> tuple[str, str] | None:
        """(id, label) of what the write is for; None when it is not chosen yet."""
        raise NotImplementedError

    def current(self) -> float | int | None:
        raise NotImplementedError

    def preview(self, value: Value) -> Preview:
        raise NotImplementedError

    def status(self) -> str | None:
        return None

    def first_field(self) -> str:
        """The field that has the focus when the form opens: the value, unless the target is missing."""
        return "#value"

    def prefill_status(self, status: str | None) -> None:
        """The status chosen as the form opens: a queued check-in's, or the server's choice (KPI updates
        have none)."""

    def remember(self, target_id: str) -> None:
        """After a good write (the check-in form remembers a pasted key result id)."""

    # -- composition ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Not focusable itself: the first field has the focus as the form opens (``AUTO_FOCUS``), so keys
        # typed with the key that opened it land there, not on the scroll container.
        with VerticalScroll(classes="form", can_focus=False):
            yield Line(id="title", classes="form-title")
            yield Static(id="scope-warning", classes="form-warning", markup=False)
            yield from self.compose_target()
            yield Static("Value", classes="form-label")
            yield TextBox(id="value")
            yield Static(id="value-error", classes="form-error", markup=False)
            yield Static(id="preview", classes="form-preview", markup=False)
            yield from self.compose_extra()
            yield Static(f"Comment (optional, up to {COMMENT_LIMIT} characters)", classes="form-label")
            yield TextArea(id="comment", soft_wrap=True, show_line_numbers=False)
            yield Line(id="comment-count", classes="form-target")
            yield Static(id="form-error", classes="form-error", markup=False)
            yield Line(id="keys", classes="form-keys")

    def title_text(self) -> str:
        return self.what

    def heading(self) -> str:
        if self.editing is not None:
            return f"Edit queued write {self.editing.id}: {self.title_text()}"
        return self.title_text()

    def keys_text(self) -> str:
        return "ctrl+s save · escape cancel · tab next field"

    def placeholder(self) -> str:
        current = self.current()
        return f"{format_number(current)}  (+N or -N for a change)" if current is not None else "new value"

    def on_mount(self) -> None:
        # Built while the app closes (the forms are built on a timer), a screen mounts without children.
        if self.query("#title"):
            self._start(reset=False)

    def show_text(self, selector: str, content: str | Text) -> None:
        """``Static.update`` lays the form out and draws the widget again even for the same text, and a
        form shown again mostly says what it said last time: only a change is passed on (re-drawing
        every field took a third of the key that opens the form). The title, the keys and the comment's
        count are a ``Line`` each: one row, so a new text (another objective's title) repaints that row
        and lays nothing out."""
        widget = self.query_one(selector)
        if isinstance(widget, Line):
            widget.set_text(content)
        elif isinstance(widget, Static) and widget.content != content:
            widget.update(content)

    def _start(self, *, reset: bool) -> None:
        """Every field as the loaded target and write say, the first one focused. ``reset``: empty
        what the last time left; not as the form first mounts, its fields new, when keys typed while
        it was being built may already be in them (``on_key``)."""
        self.show_text("#title", self.heading())
        self.show_text("#keys", self.keys_text())
        for error in ("#value-error", "#form-error"):
            self.show_text(error, "")
        self.start_target(reset=reset)
        value = self.query_one("#value", Input)
        comment = self.query_one(TextArea)
        if self.editing is not None:
            value.value = f"={self.editing.value}"
            comment.load_text(self.editing.comment or "")
        elif reset:
            value.value = ""
            if comment.text:
                comment.load_text("")
        value.placeholder = self.placeholder()
        self.prefill_status(self.editing.status if self.editing is not None else None)
        self.query_one(VerticalScroll).scroll_home(animate=False)
        self.set_focus(self.query_one(self.first_field(), Input))
        self.refresh_bindings()
        scope = SCOPES[self.kind]
        warning = self.query_one("#scope-warning", Static)
        missing = scope in self.okrt.missing_scopes
        warning.display = missing
        if missing:
            warning.update(
                f"This key lacks the {scope} scope: the server refused the last {self.what.lower()}. "
                f"{KEYS_WHERE}"
            )
        self._show_preview()
        self._count_comment()

    # -- as you type ----------------------------------------------------------------------------

    async def on_key(self, event: events.Key) -> None:
        """Keys typed right behind the key that opened the form (``u41`` and ctrl+s at once) can reach
        the screen before its value field has the focus, past the bindings: the letters belong in the
        field, in order, and the form's own keys still do what they say."""
        focused = self.focused or self.query_one(self.first_field(), Input)  # the one that gets the focus
        if event.is_printable and event.character and isinstance(focused, Input):
            focused.insert_text_at_cursor(event.character)
            event.stop()
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            event.stop()
            await self.run_action(binding.action)
            return

    def typed(self) -> bool:
        return bool(self.query_one("#value", Input).value.strip() or self.query_one(TextArea).text.strip())

    def parsed(self) -> Value | None:
        """The typed value, or None with the reason shown under the field."""
        error = self.query_one("#value-error", Static)
        try:
            value = parse_value(self.query_one("#value", Input).value, self.current())
        except BadValue as exc:
            error.update(str(exc))
            return None
        error.update("")
        return value

    @on(Input.Changed, "#value")
    def _value_changed(self) -> None:
        self.show_text("#value-error", "")
        self._show_preview()

    def _show_preview(self) -> None:
        text = self.query_one("#value", Input).value
        if not text.strip():
            self.show_text("#preview", "")
            return
        try:
            value = parse_value(text, self.current())
        except BadValue as exc:
            self.show_text("#preview", Text(str(exc), style=self.okrt.tones["muted"]))
            return
        line = Text()
        for index, (part, tone) in enumerate(self.preview(value).parts):
            if index:
                line.append(" · ", style=self.okrt.tones["muted"])
            line.append(part, style=self.okrt.tones[tone])
        self.show_text("#preview", line)

    @on(TextArea.Changed, "#comment")
    def _count_comment(self) -> None:
        area = self.query_one(TextArea)
        if len(area.text) > COMMENT_LIMIT:
            area.load_text(area.text[:COMMENT_LIMIT])
            area.move_cursor(area.document.end)
        self.show_text("#comment-count", f"{len(area.text)}/{COMMENT_LIMIT}")

    # -- keys -----------------------------------------------------------------------------------

    # The form's keys are priority bindings: the app runs them as they arrive, while letters typed just
    # before them may still wait in this screen's queue (``on_key``) or the focused field's. Each key's
    # work is queued behind them, so "42" then escape asks before throwing the 42 away, and "3" then
    # ctrl+s sends the 3.

    def _after_typing(self, callback: Callable[[], object]) -> None:
        # Keys typed before the field had the focus wait in this screen's queue, those typed after in
        # the field's: through the screen's queue first, then the focused field's, behind them all. A
        # tab among them moves the focus and the keys behind it (TextBox): follow it to the field
        # that has it now, until the focus stays put.
        def behind(widget: Widget) -> None:
            now = self.focused or self
            if now is widget:
                callback()
            else:
                now.call_later(behind, now)

        self.call_later(lambda: behind(self))

    def action_cancel(self) -> None:
        self._after_typing(self._cancel)

    def action_submit(self) -> None:
        self._after_typing(self._submit)

    def _cancel(self) -> None:
        if self.sending:
            return  # the answer is on its way: the form closes with it
        if not self.typed():
            self.close(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.close(None)

        self.app.push_screen(ConfirmModal(f"Throw away this {self.what.lower()}?"), answered)

    def _submit(self) -> None:
        if self.sending:
            return
        form_error = self.query_one("#form-error", Static)
        target = self.target()
        if target is None:
            form_error.update("Choose what this is for first.")
            return
        value = self.parsed()
        if value is None:
            self.query_one("#value", Input).focus()
            return
        comment = self.query_one(TextArea).text.strip() or None
        if self.editing is not None:
            self._change(self.editing, value, comment)
            return
        form_error.update("Sending…")
        self.sending = True
        self._send(target, value, comment)

    def _change(self, entry: Entry, value: Value, comment: str | None) -> None:
        deliveries = self.okrt.deliveries
        assert deliveries is not None
        try:
            deliveries.edit(entry.id, value.text, comment, self.status())
        except OkrtError as exc:  # sent meanwhile, or the outbox's file failed
            self.query_one("#form-error", Static).update(one_line(str(exc)))
            return
        self.notify(f"Write {entry.id} now sends {value.text}.", title="Queued write changed", markup=False)
        self.close(None)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def _send(self, target: tuple[str, str], value: Value, comment: str | None) -> None:
        deliveries = self.okrt.deliveries
        assert deliveries is not None
        try:
            outcome = await deliveries.submit(
                self.kind, target[0], target[1], value.text, status=self.status(), comment=comment
            )
        except OutboxUnavailable as exc:
            form_error = self.query_one("#form-error", Static)
            form_error.update(str(exc))  # what was typed stays in the form
            form_error.call_after_refresh(form_error.scroll_visible, animate=False)
            return
        finally:
            self.sending = False
        if outcome.state == FAILED:
            self._refused(outcome)
            return
        if outcome.state != QUEUED or outcome.entry.attempts:
            self.remember(target[0])
        self._announce(outcome)
        self.close(outcome)

    def _refused(self, outcome: Outcome) -> None:
        error = outcome.error
        form_error = self.query_one("#form-error", Static)
        form_error.update("")
        if isinstance(error, BadRequest):
            said = error.server_message or str(error)
            self.query_one("#value-error", Static).update(f"The server refused it: {one_line(said)}")
            self.query_one("#value", Input).focus()
            return  # said under the value, which the focus brings into view
        if isinstance(error, Forbidden):
            scope = error.scope or SCOPES[self.kind]
            self.okrt.missing_scopes.add(scope)
            form_error.update(f"Not recorded: this key lacks the {scope} scope. {KEYS_WHERE}")
        elif isinstance(error, NotFound):
            noun = "KPI" if self.kind == "kpi_update" else "key result"
            form_error.update(
                f"Not recorded: this {noun} is gone (404); it was deleted or is not in this workspace. "
                "Press escape and refresh the list."
            )
        else:
            form_error.update(f"Not recorded: {one_line(outcome.message)}")
        # Under the comment: on a short terminal (80x24) the form shows its top half only.
        form_error.call_after_refresh(form_error.scroll_visible, animate=False)

    def _announce(self, outcome: Outcome) -> None:
        label = truncate(one_line(outcome.entry.target_label or outcome.entry.target_id), 50)
        if outcome.state == DELIVERED:
            said = recorded(outcome.entry.kind, outcome.record)
            self.notify(f"{label}: {said}", title=f"{self.what} recorded", markup=False)
        elif outcome.state == QUEUED:
            self.notify(
                f"{label}: not sent yet. {one_line(outcome.message)} It is in the outbox (4) and is "
                "sent by itself, once, as soon as it can be.",
                title=f"{self.what} queued",
                severity="warning",
                timeout=10,
                markup=False,
            )
        else:
            self.notify(
                f"{label}: {one_line(outcome.message)} It is kept as unconfirmed in the outbox (4): the "
                "next refresh may confirm it; otherwise you decide there.",
                title=f"{self.what} unconfirmed",
                severity="warning",
                timeout=15,
                markup=False,
            )


class KpiForm(WriteForm):
    """``u``: a new value for a KPI."""

    kind = "kpi_update"
    what = "KPI update"

    def __init__(self) -> None:
        super().__init__()
        self.kpi = Kpi()
        self.direction = UNKNOWN

    def load(self, kpi: Kpi, direction: KpiDirection, *, editing: Entry | None = None) -> KpiForm:
        """The KPI this form updates next (``editing``: the queued write it changes instead)."""
        self.kpi = kpi
        self.direction = direction
        self._loaded(editing)
        return self

    def load_sample(self) -> None:
        kpis = self.okrt.snapshot.kpis.items
        if kpis:
            self.load(kpis[0], UNKNOWN)

    def title_text(self) -> str:
        target = with_unit(self.kpi.target, self.kpi.unit)
        return f"Update KPI: {truncate(one_line(self.kpi.name) or DASH, 50)} (target {target})"

    def target(self) -> tuple[str, str] | None:
        return (self.kpi.id, one_line(self.kpi.name)) if self.kpi.id else None

    def current(self) -> float | int | None:
        return self.kpi.current

    def preview(self, value: Value) -> Preview:
        return kpi_preview(self.kpi, value, self.direction)


class CheckinForm(WriteForm):
    """``c``: a check-in on one of an objective's key results."""

    kind = "checkin"
    what = "Check-in"

    def __init__(self) -> None:
        super().__init__()
        self.step: tuple[int, int] | None = None
        self.okr = Okr()
        self.key_results: tuple[KeyResult, ...] = ()
        self.chosen: str | None = None
        self.remembered: str | None = None

    def load(
        self,
        okr: Okr,
        kr_id: str | None = None,
        remembered: str | None = None,
        *,
        step: tuple[int, int] | None = None,
        editing: Entry | None = None,
    ) -> CheckinForm:
        """The objective (``kr_id`` preselected, or ``remembered``: the id pasted last time for it)."""
        self.step = step
        self.okr = okr
        self.key_results = tuple(kr for kr in okr.key_results or () if kr.id)
        self.chosen = kr_id if any(kr.id == kr_id for kr in self.key_results) else None
        if self.chosen is None and self.key_results:
            self.chosen = self.key_results[0].id
        self.remembered = remembered
        self._loaded(editing)
        return self

    def load_sample(self) -> None:
        sample = next((o for o in self.okrt.snapshot.okrs.items or () if o.key_results), None)
        if sample is not None:
            self.load(sample)

    def title_text(self) -> str:
        where = f"Check-in round, {self.step[0]} of {self.step[1]}: " if self.step else "Check-in: "
        return f"{where}{truncate(one_line(self.okr.title) or DASH, 60)}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "skip":
            return self.step is not None or None
        return super().check_action(action, parameters)

    def action_skip(self) -> None:
        """``ctrl+n`` in the round: on to the next key result, nothing sent."""
        self._after_typing(self._skip)

    def _skip(self) -> None:
        if not self.sending:
            self.close(SKIPPED)

    def compose_target(self) -> ComposeResult:
        # Both ways of naming the key result; ``start_target`` shows the one this objective needs.
        yield Static("Key result", id="kr-label", classes="form-label", markup=False)
        yield Choice(id="kr")
        yield TextBox(placeholder="paste the key result's id", id="kr-id")
        yield Static(
            "This API lists objectives without their key results: paste the key result's id from the "
            "web app (it is remembered for this objective).",
            id="kr-hint",
            classes="form-target",
        )

    def start_target(self, *, reset: bool) -> None:
        listed = bool(self.key_results)
        shown = {"#kr": listed, "#kr-id": not listed, "#kr-hint": not listed}
        for selector, show in shown.items():
            widget = self.query_one(selector)
            if widget.display != show:  # an objective like the last one lays nothing out
                widget.display = show
        self.show_text("#kr-label", "Key result (←/→ or its number to change)" if listed else "Key result")
        self.query_one("#kr", Choice).set_options(
            [(self._option(kr), kr.id) for kr in self.key_results if kr.id], self.chosen
        )
        if reset or self.remembered:  # else the new box may hold an id typed while it was built
            self.query_one("#kr-id", Input).value = self.remembered or ""

    def compose_extra(self) -> ComposeResult:
        yield Static("Status", classes="form-label")
        with RadioSet(id="status"):
            for index, (ident, label, _) in enumerate(STATUSES):
                yield RadioButton(label, value=index == 0, id=f"status-{ident}")

    @staticmethod
    def _option(kr: KeyResult) -> str:
        values = (
            f"{with_unit(kr.current, kr.unit, compact=True)} / {with_unit(kr.target, kr.unit, compact=True)}"
        )
        return f"{truncate(one_line(kr.title) or DASH, 52)}  ({values})"

    def _key_result(self) -> KeyResult | None:
        return next((kr for kr in self.key_results if kr.id == self.chosen), None)

    @on(Choice.Changed, "#kr")
    def _kr_changed(self, event: Choice.Changed) -> None:
        self.chosen = event.value
        self.query_one("#value", Input).placeholder = self.placeholder()
        self._show_preview()

    def target(self) -> tuple[str, str] | None:
        if self.key_results:
            kr = self._key_result()
            return (kr.id, one_line(kr.title)) if kr is not None and kr.id else None
        typed = self.query_one("#kr-id", Input).value.strip()
        return (typed, typed) if typed else None

    def current(self) -> float | int | None:
        kr = self._key_result()
        return kr.current if kr is not None else None

    def preview(self, value: Value) -> Preview:
        return key_result_preview(self._key_result(), self.okr.cycle, value, self.okrt.clock())

    def prefill_status(self, status: str | None) -> None:
        index = next((i for i, (_, _, value) in enumerate(STATUSES) if value == status), 0)
        self.query_one(f"#status-{STATUSES[index][0]}", RadioButton).value = True

    def status(self) -> str | None:
        pressed = self.query_one("#status", RadioSet).pressed_index
        return STATUSES[pressed][2] if pressed >= 0 else None

    def first_field(self) -> str:
        if not self.key_results and not self.remembered and self.editing is None:
            return "#kr-id"  # the documented API: the key result's id comes first
        return "#value"

    def keys_text(self) -> str:
        if self.step is None:
            return super().keys_text()
        return "ctrl+s save and next · ctrl+n skip · escape end the round · tab next field"

    def remember(self, target_id: str) -> None:
        deliveries = self.okrt.deliveries
        if not self.key_results and self.okr.id and deliveries is not None:
            deliveries.remember_key_result(self.okr.id, target_id)
