"""What every data screen shares: the snapshot it draws, its states, the stale banner, the status bar.

The app hands each new snapshot to every registered screen (attributes down). Only the screen the
user sees draws at once; the others remember that they are behind and draw when they come back, so
a refresh costs one screen's work however many screens are open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from okrt_tui.sync.snapshot import Feed, Snapshot
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.tui.widgets.key_bar import KeyBar
from okrt_tui.tui.widgets.nav_bar import NavBar
from okrt_tui.tui.widgets.status_bar import StatusBar, retry_in
from okrt_tui.views.errors import describe_error
from okrt_tui.views.status import BAD, INFO, MUTED, WARN
from okrt_tui.views.times import updated_label

if TYPE_CHECKING:
    from okrt_tui.tui.app import OkrtApp

LOADING, ERROR, EMPTY, DATA = "loading", "error", "empty", "data"


def show_state(screen: Widget, table: Widget, no_data: bool) -> None:
    """The list's table, or its state message (loading, empty, error) in its place.

    Set on the two widgets, not as a class on the screen: a screen class restyles every widget on
    it (~40 ms with a full table), and this changes on the first data of every screen."""
    screen.query_one("#state").display = no_data
    table.display = not no_data


def feed_state(feed: Feed[Any]) -> str:
    if feed.items is None:
        return ERROR if feed.error is not None else LOADING
    return EMPTY if not feed.items else DATA


def state_message(
    feed: Feed[Any], snapshot: Snapshot, now: float, tones: Tones, *, noun: str, empty: str
) -> Text:
    """The centred message of a list that has nothing to show yet: loading, the error, or empty."""
    state = feed_state(feed)
    text = Text(justify="center")
    if state == LOADING:
        text.append(f"Loading {noun}…", style=tones[INFO])
        if feed.error is None and not feed.loading:
            text.append("\nWaiting for the first refresh.", style=tones[MUTED])
    elif state == ERROR and feed.error is not None:  # always, when ERROR: feed_state says so
        view = describe_error(feed.error, retry_in=retry_in(snapshot, feed, now))
        text.append(f"Cannot load {noun}\n\n", style=tones[BAD])
        text.append(view.message)
        if view.action:
            text.append("\n" + view.action, style=tones[MUTED])
    elif state == EMPTY:
        text.append(empty, style=tones[MUTED])
    return text


def stale_banner(feed: Feed[Any], snapshot: Snapshot, now: float, tones: Tones) -> Text | None:
    """``▲ Showing data from 3 min ago. <why>. <what next>``, when a refresh failed over good data."""
    if not feed.stale or feed.error is None:  # stale has an error
        return None
    view = describe_error(feed.error, retry_in=retry_in(snapshot, feed, now))
    text = Text(no_wrap=False)
    age = updated_label(feed.fetched_at, now).removeprefix("updated ")
    text.append(f"▲ Showing data from {age}. ", style=tones[WARN])
    text.append(view.message)
    if view.action:
        text.append(" " + view.action, style=tones[MUTED])
    return text


class DataScreen(Screen[None]):
    """A screen drawn from snapshots; subclasses set ``FEED``/``MODE`` and implement ``draw``."""

    FEED: ClassVar[str] = "okrs"
    MODE: ClassVar[str] = "okrs"
    NOUN: ClassVar[str] = "data"

    BINDINGS = [Binding("escape", "back", "Back", id="okrt.back")]  # noqa: RUF012 - Textual's idiom

    #: Shown by the help screen below the keys: what a key cannot say (filter syntax and so on).
    HELP_NOTES: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: Snapshot | None = None
        self._behind = False

    @property
    def okrt(self) -> OkrtApp:
        return self.app  # type: ignore[return-value]

    @property
    def now(self) -> float:
        return self.okrt.clock()

    @property
    def tones(self) -> Tones:
        return self.okrt.tones

    def compose_top(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield Static(id="banner", markup=False)

    def compose_bottom(self) -> ComposeResult:
        yield StatusBar(self.FEED)
        yield KeyBar()

    def on_mount(self) -> None:
        self.okrt.register_view(self)
        self.receive(self.okrt.snapshot, force=True)
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """Every second: the status bar and the banner again, from one reading of the clock, so their
        ages agree and the countdown steps by one; between snapshots nothing else would redraw them."""
        if self.snapshot is not None and self.is_active:  # not while the app takes its screens apart
            self._draw_status(self.snapshot, self.now)

    def on_unmount(self) -> None:
        self.okrt.unregister_view(self)

    def receive(self, snapshot: Snapshot, *, force: bool = False) -> None:
        """A new snapshot: draw it now if the user sees this screen, else when they come back."""
        self.snapshot = snapshot
        if force or self.app.screen is self:
            self._behind = False
            self._draw()
        else:
            self._behind = True

    def draw_when_shown(self) -> None:
        """Draw the snapshot again when this screen is shown again."""
        self._behind = True

    def on_screen_resume(self) -> None:
        if self._behind and self.snapshot is not None:
            self._behind = False
            self._draw()

    def redraw(self) -> None:
        """Draw again from the same snapshot (a theme change, a new filter)."""
        if self.snapshot is not None:
            self._draw()

    def restyle(self) -> None:
        """The theme changed: draw again with its colours."""
        self.redraw()

    def _draw(self) -> None:
        snapshot = self.snapshot
        if snapshot is None:
            return
        self._draw_status(snapshot, self.now)
        self.draw(snapshot)

    def _draw_status(self, snapshot: Snapshot, now: float) -> None:
        self.query_one(StatusBar).show(snapshot, now)
        feed: Feed[Any] = getattr(snapshot, self.FEED)
        state = self.query("#state")
        if state and feed_state(feed) == ERROR:  # "Cannot load …" counts down to its retry too
            message = state_message(feed, snapshot, now, self.tones, noun=self.NOUN, empty="")
            state.first(Static).update(message)
        banner = self.query("#banner")
        if banner:
            text = stale_banner(getattr(snapshot, self.FEED), snapshot, now, self.tones)
            widget = banner.first(Static)
            widget.display = text is not None
            if text is not None:
                widget.update(text)

    def draw(self, snapshot: Snapshot) -> None:
        raise NotImplementedError

    def action_back(self) -> None:
        """``escape``: close this detail (subclasses first clear what they can)."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def copy_markdown(self, markdown: str, what: str) -> None:
        """``y``: OSC 52 to the terminal's clipboard; some terminals ignore it, so say what else works."""
        self.app.copy_to_clipboard(markdown)
        self.notify(
            f"Copied {what} as Markdown ({len(markdown.splitlines())} lines). If nothing arrived, "
            "your terminal ignores OSC 52 clipboard requests (tmux needs set-clipboard on).",
            title="Copied",
            markup=False,
        )
