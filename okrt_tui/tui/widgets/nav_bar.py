"""The top line: the screens as clickable tabs, and a reminder of help and the command palette."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

SCREENS = (
    ("okrs", "1", "OKRs"),
    ("kpis", "2", "KPIs"),
    ("reviews", "3", "Reviews"),
    ("outbox", "4", "Outbox"),
)


class NavBar(Horizontal):
    """``1 OKRs  2 KPIs  3 Reviews`` with the current one highlighted; a click switches."""

    DEFAULT_CSS = """
    NavBar {
        dock: top;
        height: 1;
        background: $panel;
    }
    NavBar > .nav-tab {
        width: auto;
        padding: 0 1;
        color: $foreground-muted;
    }
    NavBar > .nav-tab:hover {
        background: $boost;
        color: $foreground;
    }
    NavBar > .nav-tab.-active {
        background: $primary;
        color: $text;
        text-style: bold;
    }
    NavBar > #nav-title {
        width: 1fr;
        content-align: right middle;
        padding: 0 1;
        color: $foreground-muted;
    }
    """

    def __init__(self, active: str, title: str = "") -> None:
        super().__init__()
        self.active = active
        self.title = title

    def compose(self) -> ComposeResult:
        for mode, key, label in SCREENS:
            classes = "nav-tab -active" if mode == self.active else "nav-tab"
            tab = Static(Content(f"{key} {label}"), classes=classes, id=f"nav-{mode}")
            tab.tooltip = f"{label} (key {key})"
            yield tab
        yield Static(Content(self.title or "? help · ctrl+p commands"), id="nav-title")

    async def on_click(self, event: events.Click) -> None:
        widget = event.widget
        if widget is not None and widget.id and widget.id.startswith("nav-") and widget.id != "nav-title":
            event.stop()
            await self.app.run_action(f"show('{widget.id.removeprefix('nav-')}')")
