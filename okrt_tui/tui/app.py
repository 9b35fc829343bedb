"""The dashboard: three screens (modes), the keys with ids, themes, and the path of the data.

Data flows one way: the refresher (running in a worker) calls back with each new snapshot; the
callback posts ``SnapshotChanged``; the handler hands the snapshot to every screen (attributes down).
Screens post intents (``OpenObjective``, ``OpenReview``…); the app acts on them, and the only API
call it makes itself is ``refresher.fetch_review``, in a worker, when the user opens a review.
"""

from __future__ import annotations

import functools
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from textual import events, work
from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from okrt_tui import heap
from okrt_tui.api.errors import OkrtError
from okrt_tui.api.models import Okr, ReviewSummary
from okrt_tui.config import UiSettings
from okrt_tui.logs import scrub
from okrt_tui.sync.snapshot import KpiPoint, Outcome, Snapshot
from okrt_tui.tui.commands import OkrtCommands, OkrtPalette
from okrt_tui.tui.messages import OpenCycle, OpenKpi, OpenObjective, OpenReview, SnapshotChanged
from okrt_tui.tui.notices import say_store_notices
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.screens.help import HelpScreen, keys_of
from okrt_tui.tui.screens.lists import ListScreen
from okrt_tui.tui.screens.modals import OpenReviewModal
from okrt_tui.tui.screens.okrs import OkrsScreen
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.views.errors import describe_error
from okrt_tui.views.text import one_line, truncate

if TYPE_CHECKING:
    from okrt_tui.tui.forms.write_form import WriteForm

log = logging.getLogger(__name__)

FormT = TypeVar("FormT", bound="WriteForm")
#: Seconds after the first data is painted that the forms are built, while nobody types yet.
FORMS_AFTER = 1.0
FORMS_SETTLE = 0.5
"""Seconds between the steps of drawing the forms off screen, for what each step changed to settle."""
FORMS_READY = 2 * FORMS_AFTER + 2 * FORMS_SETTLE
"""Seconds from the first objectives shown to the forms drawn off screen."""
QUIET = 1.0
"""Seconds without a key or a click after which the collector may take a full pass (``heap``)."""

#: The list each screen (mode) shows, by the refresher's feed names.
MODE_FEEDS = {"okrs": "okrs", "kpis": "kpis", "reviews": "cycles", "outbox": "okrs"}
DEFAULT_THEME = "textual-dark"

#: Every binding id the dashboard defines; ``[keymap]`` entries for other ids are reported.
BINDING_IDS = frozenset(
    {
        "okrt.screen.okrs",
        "okrt.screen.kpis",
        "okrt.screen.reviews",
        "okrt.screen.outbox",
        "okrt.checkin",
        "okrt.checkin_round",
        "okrt.skip",
        "okrt.kpi_update",
        "okrt.submit",
        "okrt.resend",
        "okrt.drop",
        "okrt.edit",
        "okrt.open",
        "okrt.back",
        "okrt.filter",
        "okrt.sort",
        "okrt.next_changed",
        "okrt.cycle",
        "okrt.refresh",
        "okrt.range",
        "okrt.open_id",
        "okrt.export",
        "okrt.copy",
        "okrt.summarize",
        "okrt.help",
        "okrt.quit",
    }
)


class RefresherLike(Protocol):
    """What the app needs of ``okrt_tui.sync.refresher.Refresher`` (tests pass a fake; a warm start's
    ``okrt_tui.sync.opening.Opening`` stands in for it until the session is open)."""

    @property
    def snapshot(self) -> Snapshot: ...

    def subscribe(self, callback: Callable[[Snapshot], None]) -> None: ...

    async def run(self) -> None: ...

    def refresh_now(self, feed: str | None = None) -> None: ...

    def set_visible(self, feed: str) -> None: ...

    async def fetch_review(self, review_id: str) -> ReviewSummary: ...

    async def load_series(self, kind: str, entity: str, since: float | None = None) -> Sequence[KpiPoint]: ...


class DeliveriesLike(Protocol):
    """What the app needs of ``okrt_tui.sync.sender.Deliveries`` (the forms submit through it)."""

    async def submit(
        self,
        kind: str,
        target_id: str,
        label: str,
        value: str,
        *,
        status: str | None = None,
        comment: str | None = None,
    ) -> Outcome: ...

    async def run(self) -> None: ...

    def key_result_id(self, okr_id: str) -> str | None: ...

    def remember_key_result(self, okr_id: str, kr_id: str) -> None: ...

    def resend(self, entry_id: int) -> None: ...

    def drop(self, entry_id: int) -> None: ...

    def edit(self, entry_id: int, value: str, comment: str | None, status: str | None) -> None: ...


# The screens other than the OKRs' (and their views: Markdown, projections, directions), imported when
# first shown: a warm start paints the OKRs before they would have loaded (~30 M instructions of ~1.1 G).


def _kpis_screen() -> Screen[None]:
    from okrt_tui.tui.screens.kpis import KpisScreen

    return KpisScreen()


def _reviews_screen() -> Screen[None]:
    from okrt_tui.tui.screens.reviews import ReviewsScreen

    return ReviewsScreen()


def _outbox_screen() -> Screen[None]:
    from okrt_tui.tui.screens.outbox import OutboxScreen

    return OutboxScreen()


class OkrtApp(App[None]):
    TITLE = "okrt-tui"
    CSS_PATH = str(stylesheet("app.tcss"))
    MODES: ClassVar[dict[str, str | Callable[[], Screen[None]]]] = {
        "okrs": OkrsScreen,
        "kpis": _kpis_screen,
        "reviews": _reviews_screen,
        "outbox": _outbox_screen,
    }
    DEFAULT_MODE = "okrs"
    COMMANDS = App.COMMANDS | {OkrtCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority bindings, handled as the key arrives (in a text box they are just digits, see
        # ``action_show``): a screen key and a filter typed at once ("2/net") filter the new screen.
        Binding("1", "show('okrs')", "OKRs", id="okrt.screen.okrs", show=False, priority=True),
        Binding("2", "show('kpis')", "KPIs", id="okrt.screen.kpis", show=False, priority=True),
        Binding("3", "show('reviews')", "Reviews", id="okrt.screen.reviews", show=False, priority=True),
        Binding("4", "show('outbox')", "Outbox", id="okrt.screen.outbox", show=False, priority=True),
        Binding("r", "refresh", "Refresh", id="okrt.refresh"),
        Binding("question_mark,f1", "help", "Help", id="okrt.help"),
        Binding("q", "quit", "Quit", id="okrt.quit"),
    ]

    def __init__(
        self,
        refresher: RefresherLike,
        *,
        settings: UiSettings | None = None,
        clock: Callable[[], float] = time.time,
        debug: bool = False,
        first_shown: Callable[[], object] | None = None,
        forms_built: Callable[[], object] | None = None,
        watch_budget: Callable[[Callable[[str], object]], None] | None = None,
        deliveries: DeliveriesLike | None = None,
        live: bool = True,
    ) -> None:
        """``live`` False: ``refresher`` stands in for the session's until ``go_live``. ``first_shown``
        is called once, after the first objectives (or why there are none) are painted: the dashboard's
        process then settles its heap (see :mod:`okrt_tui.heap`) and lets the refresher fetch the other
        lists. ``forms_built`` is called once the write forms are built and drawn, while idle: they
        live as long as the app, and the dashboard's process settles its heap again. ``watch_budget``
        (``Budget.watch_problem``) tells, once, of a rate ledger that cannot be used: which file, and
        how to fix it."""
        super().__init__()
        self.show_tracebacks = debug
        self.refresher = refresher
        #: The outbox's delivery; None where the app cannot write (tests of reading only), or not yet.
        self.deliveries = deliveries
        self._asked_before_live: Callable[[], object] | None = None
        #: On a warm start's stand-in (``Opening``) until ``go_live``: the writes are offered meanwhile.
        self.going_live = not live
        #: Write scopes the server said this key lacks: the next form says so before any typing.
        self.missing_scopes: set[str] = set()
        self.settings = settings or UiSettings()
        self.clock = clock
        self.snapshot: Snapshot = refresher.snapshot
        self._latest: Snapshot = self.snapshot
        self._views: list[DataScreen] = []
        self._tones: Tones | None = None
        self._refresher_worker: Worker[None] | None = None
        self._first_shown = first_shown
        self._forms_built = forms_built
        self._forms_due = False
        self._store_notices_shown = 0
        self._watch_budget = watch_budget
        self._last_input = 0.0
        self.theme = self._initial_theme()

    def _initial_theme(self) -> str:
        wanted = self.settings.theme
        if wanted and wanted in self.available_themes:
            return wanted
        return DEFAULT_THEME

    def _print_error_renderables(self) -> None:
        """A crash goes to the log as a plain traceback, scrubbed of the key and without frames' local
        variables (Textual's own report shows every frame's locals, and the client's request frame holds
        the Authorization header); the terminal gets one sentence, or with ``--debug`` that same
        traceback. Textual 8.2 prints these on exit; the version is pinned."""
        error = self._exception
        if error is None or not self._exit_renderables:
            super()._print_error_renderables()  # an exit message, not a crash
            return
        self._exit_renderables.clear()
        log.error("the dashboard stopped on an unexpected error", exc_info=error)
        if self.show_tracebacks:
            report = scrub("".join(traceback.format_exception(error)))
            self.error_console.print(report, markup=False, highlight=False, end="")
            return
        self.error_console.print(
            "okrt-tui: the dashboard stopped on an unexpected error; the details are in the log file "
            "(okrt-tui.log in the state directory). Please report it; --debug shows it here.",
            markup=False,
            highlight=False,
        )

    # -- start-up -----------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.settings.theme and self.settings.theme not in self.available_themes:
            self.notify(
                f"Unknown theme {self.settings.theme!r} in config.toml; using {DEFAULT_THEME}. "
                "ctrl+p → Theme lists the themes.",
                severity="warning",
                markup=False,
            )
        for warning in self.settings.warnings:  # a key written in config.toml, a file others can read
            self.notify(warning, title="config.toml", severity="warning", timeout=20, markup=False)
        keymap = dict(self.settings.keymap)
        unknown = sorted(set(keymap) - BINDING_IDS)
        if unknown:
            self.notify(
                f"[keymap] in config.toml names unknown binding ids: {', '.join(unknown)}.",
                severity="warning",
                markup=False,
            )
        if keymap:
            self.set_keymap(keymap)
        self.set_interval(QUIET, self._collect_when_quiet)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._connect(show=True)

    def go_live(
        self,
        refresher: RefresherLike,
        *,
        deliveries: DeliveriesLike | None = None,
        watch_budget: Callable[[Callable[[str], object]], None] | None = None,
    ) -> None:
        """The session is open: from now on the app shows ``refresher``'s snapshots and writes through
        ``deliveries``. Until then it ran on a stand-in serving the cached lists (``launch`` paints them
        before it imports the client: ``okrt_tui.sync.opening``), whose snapshot stays on screen until
        this refresher sends its first, the same lists read again as it starts."""
        self.refresher = refresher
        self.deliveries = deliveries
        self._watch_budget = watch_budget
        self.going_live = False
        self._connect(show=False)
        asked, self._asked_before_live = self._asked_before_live, None
        if asked is not None:
            asked()

    def _once_live(self, form: Callable[[], object]) -> bool:
        """True when the app cannot write now, and the caller opens nothing. On a warm start's cached
        lists, before the session is open, ``form`` (the last one asked for) is kept and opens as the
        app goes live: a ``c`` pressed in that half second is not lost."""
        if self.deliveries is not None:
            return False
        if self.going_live:
            self._asked_before_live = form
        return True

    def _connect(self, *, show: bool) -> None:
        if self._watch_budget is not None:
            self._watch_budget(self._budget_problem)
        self.refresher.subscribe(self._snapshot_from_refresher)
        if show:
            # The refresher may have started before the app (launch.py starts fetching at once when
            # nothing is cached): show whatever it already has.
            self.show_snapshot(self.refresher.snapshot)
        self._start_refresher()
        self._start_deliveries()
        self.refresher.set_visible(MODE_FEEDS.get(self.current_mode, "okrs"))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def on_unmount(self) -> None:
        heap.release()  # held for a paint that never came: the app ended first

    def _collect_when_quiet(self) -> None:
        heap.release()  # a form closed before its paint could not release the collector itself
        heap.collect_if_due(quiet=time.monotonic() - self._last_input >= QUIET)

    def _budget_problem(self, text: str) -> None:
        self.notify(text, title="Rate ledger", severity="warning", timeout=30, markup=False)

    def _start_deliveries(self) -> None:
        if self.deliveries is not None:
            self.run_worker(self.deliveries.run(), name="outbox", group="outbox", exit_on_error=False)

    def _start_refresher(self) -> None:
        self._refresher_worker = self.run_worker(
            self.refresher.run(), name="refresher", group="refresher", exit_on_error=False
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker is self._refresher_worker:
            error = event.worker.error
            reason = describe_error(error).full if error is not None else "unknown error"
            self.notify(
                f"Background refresh stopped: {reason} Press r to start it again.",
                title="Refresh stopped",
                severity="error",
                timeout=30,
                markup=False,
            )

    # -- data in ------------------------------------------------------------------------------------

    def _snapshot_from_refresher(self, snapshot: Snapshot) -> None:
        self._latest = snapshot
        self.post_message(SnapshotChanged(snapshot))

    def on_snapshot_changed(self, message: SnapshotChanged) -> None:
        # Coalesce: when several arrived while the UI was busy, only the newest is drawn. None is drawn
        # once the app is shutting down: Textual takes its screens apart while messages still arrive.
        if message.snapshot is not self._latest or not self.is_running:
            return
        self.show_snapshot(message.snapshot)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        for view in list(self._views):
            view.receive(snapshot)
        self._store_notices_shown = say_store_notices(self, snapshot, self._store_notices_shown)
        okrs = snapshot.okrs
        if self._first_shown is not None and (okrs.items is not None or okrs.error is not None):
            self.call_after_refresh(self._first_shown)
            self._first_shown = None
        if not self._forms_due and self.deliveries is not None and okrs.items is not None:
            self._forms_due = True
            self.set_timer(FORMS_AFTER, self._build_forms)

    def register_view(self, view: DataScreen) -> None:
        if view not in self._views:
            self._views.append(view)

    def unregister_view(self, view: DataScreen) -> None:
        if view in self._views:
            self._views.remove(view)

    # -- looks --------------------------------------------------------------------------------------

    @property
    def tones(self) -> Tones:
        if self._tones is None:
            self._tones = Tones.from_variables(self.theme_variables)
        return self._tones

    def _theme_changed(self, theme: Theme) -> None:
        self._tones = None
        for view in list(self._views):
            view.restyle()

    # -- intents ------------------------------------------------------------------------------------

    async def action_show(self, mode: str) -> None:
        """``1`` ``2`` ``3``: switch screen; on the screen already shown, go back to its list."""
        # A digit typed in a filter, a dialog, the palette, a form. (The forms' comment boxes, the only
        # TextAreas, are inside screens that hold the keys: TextArea is not imported before a form.)
        if isinstance(self.focused, Input) or getattr(self.screen, "HOLDS_KEYS", False):
            raise SkipAction()
        await self.show(mode)

    async def show(self, mode: str) -> None:
        """Show a screen's list (the palette calls this: a ``SkipAction`` outside a key's binding
        would stop the app, and a filter may have the focus when the palette closes)."""
        if mode not in MODE_FEEDS:
            return
        if self.current_mode == mode:
            while len(self.screen_stack) > 1 and not isinstance(self.screen, HelpScreen):
                await self.pop_screen()
        else:
            await self.switch_mode(mode)
        self.refresher.set_visible(MODE_FEEDS[mode])

    def action_refresh(self) -> None:
        worker = self._refresher_worker
        if worker is None or worker.is_finished:
            self._start_refresher()
        self.refresher.refresh_now(MODE_FEEDS.get(self.current_mode))

    def action_command_palette(self) -> None:
        """``ctrl+p``: our palette (see :class:`OkrtPalette`), opened as Textual opens its own."""
        # Textual types is_open's app as App[object], which App[None] is not (App is invariant).
        if self.use_command_palette and not OkrtPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(OkrtPalette(id="--command-palette"))

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        title = {"okrs": "OKRs", "kpis": "KPIs", "reviews": "Reviews", "outbox": "Outbox"}.get(
            self.current_mode, ""
        )
        name = getattr(screen, "NOUN", "")
        from okrt_tui.tui.screens.reviews import ReviewsScreen

        if not isinstance(screen, ListScreen | ReviewsScreen) and name:
            title = f"{title} \u203a {name}"
        rows = keys_of(self, screen, getattr(screen, "DISABLED_NOTES", None))
        self.push_screen(HelpScreen(title, rows, getattr(screen, "HELP_NOTES", "")))

    def action_open_review_by_id(self) -> None:
        def opened(review_id: str | None) -> None:
            if review_id:
                self.post_message(OpenReview(review_id))

        self.push_screen(OpenReviewModal(), opened)

    async def _show_mode(self, mode: str) -> None:
        if self.current_mode != mode:
            await self.switch_mode(mode)
            self.refresher.set_visible(MODE_FEEDS[mode])

    async def open_objective(self, okr_id: str) -> None:
        from okrt_tui.tui.screens.objective import ObjectiveScreen

        await self._show_mode("okrs")
        await self.push_screen(ObjectiveScreen(okr_id))

    async def open_kpi(self, kpi_id: str) -> None:
        # Imported here: the chart library costs ~80 ms of start-up that only a KPI detail needs.
        from okrt_tui.tui.screens.kpi_detail import KpiScreen

        await self._show_mode("kpis")
        await self.push_screen(KpiScreen(kpi_id))

    def open_checkin(self, okr_id: str, kr_id: str | None = None) -> None:
        """``c``: the check-in form for one of the objective's key results (``kr_id`` preselected)."""
        okr = next((o for o in self.snapshot.okrs.items or () if o.id == okr_id), None)
        if okr is None or self._once_live(lambda: self.open_checkin(okr_id, kr_id)):
            return
        from okrt_tui.tui.forms.write_form import CheckinForm

        assert self.deliveries is not None
        self.push_screen(self.write_form(CheckinForm).load(okr, kr_id, self.deliveries.key_result_id(okr_id)))

    def checkin_round(self, objectives: Sequence[Okr] | None = None) -> None:
        """``C``: the key results of ``objectives`` (default: all) without a check-in for 7 days, one
        form after another; a summary at the end. Needs the key results, which only some APIs list."""
        from okrt_tui.views.rounds import due_for_checkin

        okrs = self.snapshot.okrs.items or ()
        chosen = okrs if objectives is None else objectives
        if self._once_live(lambda: self.checkin_round(objectives)):
            return
        if not any(o.key_results is not None for o in okrs):
            self.notify(
                "The check-in round needs each objective's key results, and this API lists objectives "
                "without them. Use c on an objective and paste the key result's id instead.",
                title="No check-in round",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        due = due_for_checkin(chosen, self.clock())
        if not due:
            self.notify("Every key result shown has a check-in from the last 7 days.", title="Check-in round")
            return
        self._run_round(due)

    @work(exclusive=True, group="round", exit_on_error=False)
    async def _run_round(self, due: Sequence[tuple[Okr, str]]) -> None:
        from okrt_tui.tui.forms.write_form import SKIPPED, CheckinForm

        counts = {"recorded": 0, "queued": 0, "unconfirmed": 0, "skipped": 0}
        assert self.deliveries is not None
        for number, (okr, kr_id) in enumerate(due, start=1):
            form = self.write_form(CheckinForm).load(okr, kr_id, step=(number, len(due)))
            result = await self.push_screen_wait(form)
            if result is None:
                break  # escape: the round ends here
            if result == SKIPPED:
                counts["skipped"] += 1
            else:
                state = result.state  # type: ignore[union-attr]
                counts["recorded" if state == "delivered" else state] += 1
        left = len(due) - sum(counts.values())
        summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "nothing recorded"
        self.notify(
            f"{summary}" + (f"; {left} not reached" if left else "") + ".",
            title="Check-in round done",
            timeout=10,
            markup=False,
        )

    def open_kpi_form(self, kpi_id: str) -> None:
        """``u``: the KPI update form."""
        kpi = next((k for k in self.snapshot.kpis.items or () if k.id == kpi_id), None)
        if kpi is None or self._once_live(lambda: self.open_kpi_form(kpi_id)):
            return
        from okrt_tui.tui.forms.write_form import KpiForm
        from okrt_tui.views.direction import kpi_direction

        direction = kpi_direction(kpi, self.settings.kpi_directions, self.snapshot.kpi_directions)
        self.push_screen(self.write_form(KpiForm).load(kpi, direction))

    def write_form(self, kind: type[FormT]) -> FormT:
        """The session's one form of this kind (see ``okrt_tui.tui.forms.write_form``), made on first use."""
        name = f"form-{kind.kind}"
        if not self.is_screen_installed(name):
            self.install_screen(kind(), name)
        form = self.get_screen(name)
        assert isinstance(form, kind)
        return form

    def _build_forms(self) -> None:
        """Builds the forms while nothing happens, so the key that opens one only shows it. Textual
        builds a screen as it is first pushed; these are its two steps for that, without showing it
        (Textual is pinned to 8.2); a second later, still idle and mounted by then, they are drawn off
        screen (``_forms_mounted``)."""
        from okrt_tui.tui.forms.write_form import CheckinForm, KpiForm

        for kind in (KpiForm, CheckinForm):
            form = self.write_form(kind)
            if not form.is_running:
                self._load_screen_css(form)
                self._register(self, form)
        self.set_timer(FORMS_AFTER, self._forms_mounted)

    def _forms_mounted(self) -> None:
        """A second after ``_build_forms``, still idle: each form mounted by now and not shown yet is
        loaded with a sample of what it will show (``WriteForm.load_sample``), and drawn off screen
        once that has settled (``_draw_forms``)."""
        for form in self._forms_not_shown():
            form.load_sample()
        self.set_timer(FORMS_SETTLE, functools.partial(self._draw_forms, again=True))

    def _draw_forms(self, *, again: bool) -> None:
        """Twice, ``FORMS_SETTLE`` apart (``WriteForm.prepare`` says why), then ``forms_built``."""
        for form in self._forms_not_shown():
            form.prepare(self.size)
        if again:
            self.set_timer(FORMS_SETTLE, functools.partial(self._draw_forms, again=False))
        elif self._forms_built is not None:
            self._forms_built()

    def _forms_not_shown(self) -> list[WriteForm]:
        from okrt_tui.tui.forms.write_form import CheckinForm, KpiForm

        forms = [self.write_form(kind) for kind in (KpiForm, CheckinForm)]
        return [form for form in forms if form.is_mounted and not form.shown]

    async def open_cycle(self, cycle_id: str) -> None:
        from okrt_tui.tui.screens.reviews import CycleScreen

        await self._show_mode("reviews")
        await self.push_screen(CycleScreen(cycle_id))

    async def show_cycle(self, choice: str | None) -> None:
        """The OKRs of one cycle, every cycle (``ALL_CYCLES``) or the current one (``None``)."""
        await self._show_mode("okrs")
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        screen = self.screen
        if isinstance(screen, OkrsScreen):
            screen.show_cycle(choice)

    async def filter_list(self, mode: str, text: str) -> None:
        await self._show_mode(mode)
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        screen = self.screen
        if isinstance(screen, ListScreen):
            screen.set_filter(text)

    async def on_open_objective(self, message: OpenObjective) -> None:
        await self.open_objective(message.okr_id)

    async def on_open_kpi(self, message: OpenKpi) -> None:
        await self.open_kpi(message.kpi_id)

    async def on_open_cycle(self, message: OpenCycle) -> None:
        await self.open_cycle(message.cycle_id)

    def on_open_review(self, message: OpenReview) -> None:
        self.fetch_review(message.review_id)

    @work(exclusive=True, group="review", exit_on_error=False)
    async def fetch_review(self, review_id: str) -> None:
        """Fetch (interactive priority, within the budget) and show a review, or say why not."""
        from okrt_tui.tui.screens.review import ReviewScreen

        try:
            summary = await self.refresher.fetch_review(review_id)
        except OkrtError as exc:
            view = describe_error(exc)
            self.notify(
                view.full,
                title=f"Cannot open review {truncate(one_line(review_id), 40)}",
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        await self._show_mode("reviews")
        await self.push_screen(ReviewScreen(summary))
