"""``okrt-tui monitor``: the team-room wall display, one panel at a time, read-only.

Data flows as in the dashboard: the refresher (in a worker) calls back with each snapshot, posted as
``SnapshotChanged``; the panel on screen draws it. Nothing here writes: no forms, no outbox (its
deliveries never run), no keys but pause, previous, next and quit. The refresher is told which list
the panel on screen shows (``set_visible``), so that one is the freshest.

One timer ticks once a second: it turns the rotation and updates the clock, the "updated N s ago"
and the progress to the next panel, three one-line widgets. The panel itself is drawn only when its
data, its page or its size changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Protocol

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import ContentSwitcher, Static

from okrt_tui import heap
from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.messages import SnapshotChanged
from okrt_tui.tui.monitor.chrome import BannerLine, Cell, next_line
from okrt_tui.tui.monitor.panels import BoardPanel, Context, KpiPanel, Panel, ReviewsPanel, RiskPanel
from okrt_tui.tui.notices import say_store_notices
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.views.rotation import PANEL_FEEDS, PANEL_TITLES, MonitorOptions, Rotation, beat
from okrt_tui.views.text import one_line
from okrt_tui.views.wall import banner, freshness

log = logging.getLogger(__name__)

#: Seconds between ticks: the clock's seconds, "updated N s ago", the progress bar, the rotation.
TICK = 1.0
KEYS_HINT = "space pause · ←/→ panel · q quit"


class MonitorRefresher(Protocol):
    """What the monitor needs of ``okrt_tui.sync.refresher.Refresher`` (a follower that reads a shared
    history, or a test's fake, serves as well)."""

    @property
    def snapshot(self) -> Snapshot: ...

    def subscribe(self, callback: Callable[[Snapshot], None]) -> None: ...

    async def run(self) -> None: ...

    def set_visible(self, feed: str) -> None: ...


PANEL_CLASSES: dict[str, type[Panel]] = {
    "okrs": BoardPanel,
    "kpis": KpiPanel,
    "risk": RiskPanel,
    "reviews": ReviewsPanel,
}


class MonitorApp(App[None]):
    TITLE = "okrt-tui monitor"
    CSS_PATH = str(stylesheet("monitor.tcss"))
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Pause", id="okrt.monitor.pause"),
        Binding("left", "step(-1)", "Previous panel", id="okrt.monitor.previous"),
        Binding("right", "step(1)", "Next panel", id="okrt.monitor.next"),
        Binding("q", "quit", "Quit", id="okrt.quit"),
    ]

    def __init__(
        self,
        refresher: MonitorRefresher,
        *,
        options: MonitorOptions | None = None,
        configured: dict[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        debug: bool = False,
        first_shown: Callable[[], object] | None = None,
        tick: float | None = TICK,
    ) -> None:
        """``clock`` is the time everything shown is measured by (tests pass a fake one and call
        ``tick``); ``tick=None`` starts no timer. ``configured``: config.toml's KPI directions."""
        super().__init__()
        self.show_tracebacks = debug
        self.refresher = refresher
        self.options = options or MonitorOptions()
        self.configured = configured or {}
        self.clock = clock
        self.snapshot = refresher.snapshot
        self._latest = self.snapshot
        self.rotation = Rotation(self.options.panels, clock())
        self._first_shown = first_shown
        self._notices_said = 0
        self._tick_every = tick
        self._tones: Tones | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield Cell(id="workspace")
            yield Cell(fixed=True, id="panel")
            yield Cell(fixed=True, id="updated")
            yield Cell(fixed=True, id="clock")
        # The progress right under the top line: the cells that change every second are on two
        # adjacent lines, so each second repaints those two lines (Textual repaints the box around
        # all that changed: a line at the top and one at the bottom would be the whole screen).
        yield Cell(fixed=True, id="next")
        yield BannerLine(id="banner")
        with ContentSwitcher(initial=self.rotation.current.name, id="panels"):
            for panel in self.options.panels:
                yield PANEL_CLASSES[panel.name](id=panel.name)
        yield Static(KEYS_HINT, id="keys")

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, lambda _: setattr(self, "_tones", None))
        self.refresher.subscribe(self._snapshot_from_refresher)
        self.run_worker(self.refresher.run(), name="refresher", group="refresher", exit_on_error=False)
        # The refresher starts before the app (launch.py fetches at once): what it has by now is shown.
        self.snapshot = self._latest = self.refresher.snapshot
        self._notices_said = say_store_notices(self, self.snapshot, 0)
        self._panel_changed()
        self._maybe_first_shown()
        if self._tick_every:
            self.set_interval(self._tick_every, self.tick)

    @property
    def tones(self) -> Tones:
        if self._tones is None:
            self._tones = Tones.from_variables(self.theme_variables)
        return self._tones

    # -- data in ------------------------------------------------------------------------------------

    def _snapshot_from_refresher(self, snapshot: Snapshot) -> None:
        self._latest = snapshot
        self.post_message(SnapshotChanged(snapshot))

    def on_snapshot_changed(self, message: SnapshotChanged) -> None:
        # Only the newest of those that queued up is drawn; none once the app is closing.
        if message.snapshot is not self._latest or not self.is_running:
            return
        self.snapshot = message.snapshot
        self._notices_said = say_store_notices(self, self.snapshot, self._notices_said)
        self._draw()
        self._maybe_first_shown()

    def _maybe_first_shown(self) -> None:
        """Once the panel's data (or why there is none) is on screen, the other lists may be fetched."""
        feeds = [getattr(self.snapshot, feed) for feed in self._feeds()]
        if self._first_shown is not None and any(f.items is not None or f.error is not None for f in feeds):
            self.call_after_refresh(self._first_shown)
            self._first_shown = None

    # -- time ---------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Once a second: the rotation, then the few cells that change with time (most ticks change
        none: see ``chrome``)."""
        now = self.clock()
        if self.rotation.tick(now):
            self._panel_changed()
        else:
            self._chrome(now)
            heap.collect_if_due(quiet=True)  # not on top of a new panel's layout

    def _feeds(self) -> tuple[str, ...]:
        return PANEL_FEEDS[self.rotation.current.name]

    def _panel_changed(self) -> None:
        name = self.rotation.current.name
        self.query_one(ContentSwitcher).current = name
        self.refresher.set_visible(self._feeds()[0])
        self._draw()

    def _draw(self) -> None:
        now = self.clock()
        panel = self.rotation.current.name
        context = Context(
            snapshot=self.snapshot,
            now=now,
            public=self.options.public,
            turn=self.rotation.turn(panel),
            configured=self.configured,
            tones=self.tones,
        )
        self.query_one(f"#{panel}", Panel).draw(context)
        self._chrome(now)

    def _chrome(self, now: float) -> None:
        """The top lines as of the last ``beat``: they change together, a few times a minute."""
        shown = beat(now)
        rotation = self.rotation
        panel = rotation.current
        self.query_one("#workspace", Cell).show(one_line(self.snapshot.workspace))
        paused = " · ⏸ paused" if rotation.paused else ""
        position = f" ({rotation.index + 1}/{len(rotation.panels)})" if len(rotation.panels) > 1 else ""
        self.query_one("#panel", Cell).show(f"{PANEL_TITLES[panel.name]}{position}{paused}")
        self.query_one("#updated", Cell).show(freshness(self.snapshot, self._feeds(), shown))
        self.query_one("#clock", Cell).show(datetime.fromtimestamp(shown).strftime("%H:%M"))
        upcoming = rotation.panels[(rotation.index + 1) % len(rotation.panels)]
        width = self.query_one("#next", Cell).size.width or 40
        left, passed = rotation.countdown(shown)
        line = next_line(PANEL_TITLES[upcoming.name], left, passed, rotation.paused, width)
        self.query_one("#next", Cell).show(line)
        self.query_one(BannerLine).show(banner(self.snapshot, self._feeds(), shown))

    # -- keys ---------------------------------------------------------------------------------------

    def action_pause(self) -> None:
        self.rotation.toggle_pause(self.clock())
        self._chrome(self.clock())

    def action_step(self, by: int) -> None:
        self.rotation.step(by, self.clock())
        self._panel_changed()
