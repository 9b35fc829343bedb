"""``?`` / ``f1``: the keys of the screen underneath, generated from its active bindings.

Because the list comes from the bindings themselves (after the keymap is applied), a key rebound in
config.toml shows as the new key, and a key that is absent on this screen is not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.modals import Dialog

SECTIONS = ("On this screen", "Everywhere", "Moving around")


class KeyHelp(msgspec.Struct, frozen=True):
    keys: str  # "? f1"
    description: str
    enabled: bool = True
    binding_id: str | None = None
    section: int = 0  # index into SECTIONS


def keys_of(
    app: App[Any], screen: Screen[Any], disabled_notes: Mapping[str, str] | None = None
) -> list[KeyHelp]:
    """The active bindings of ``screen`` (focused widget, screen, app), one row per action.

    Keys with an ``okrt.`` id on the screen or its widgets come first, then the app's (everywhere),
    then the widgets' own movement keys.
    """
    rows: dict[tuple[int, str], list[Any]] = {}  # [keys, description, enabled, id, section]
    for key, active in screen.active_bindings.items():
        binding: Binding = active.binding
        if not binding.description or binding.system:
            continue
        if active.node is app:
            section = 1
        elif binding.id and binding.id.startswith("okrt."):
            section = 0
        else:
            section = 2
        ident = (id(active.node), binding.action)
        shown = app.get_key_display(Binding(key, binding.action, binding.description))
        description = binding.description
        if binding.action == "command_palette":
            description = "Command palette: screens, jump to an objective or KPI, theme"
        if not active.enabled and disabled_notes and binding.action in disabled_notes:
            description = f"{description}  (off: {disabled_notes[binding.action]})"
        entry = rows.setdefault(ident, [[], description, active.enabled, binding.id, section])
        entry[3] = entry[3] or binding.id  # Textual's ctrl+q beside our q: the id is ours
        if shown not in entry[0]:
            entry[0].append(shown)
    result = [
        KeyHelp(" ".join(keys), text, enabled, ident, section)
        for keys, text, enabled, ident, section in rows.values()
    ]
    result.sort(key=lambda row: row.section)  # stable: keeps the bindings' order within a section
    return result


def help_table(rows: Iterable[KeyHelp], disabled_note: str = "") -> Table:
    """Keys, what they do, and the binding id that ``[keymap]`` in config.toml rebinds."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", no_wrap=True)
    table.add_column(ratio=1)
    table.add_column(no_wrap=True, style="dim")
    section = None
    for row in rows:
        if row.section != section:
            if section is not None:
                table.add_row("", "", "")
            heading = Text("binding id", style="underline") if section is None else ""
            section = row.section
            table.add_row("", Text(SECTIONS[section], style="bold underline"), heading)
        description = Text(row.description)
        if not row.enabled and "(off:" not in row.description:
            note = f": {disabled_note}" if disabled_note else ""
            description.append(f"  (not available here{note})", "dim")
        table.add_row(Text(row.keys, style="bold"), description, Text(row.binding_id or ""))
    return table


class HelpScreen(Dialog[None]):
    """The keys in a dialog that scrolls (keys and mouse) when the terminal is shorter than the list:
    the title and the way out stay on its border."""

    CSS_PATH = str(stylesheet("dialogs.tcss"))
    AUTO_FOCUS = "#help-body"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape,q,question_mark,f1", "close", "Close", id="okrt.back"),
    ]

    def __init__(self, title: str, rows: list[KeyHelp], notes: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows
        self.notes = notes

    def compose(self) -> ComposeResult:
        body = VerticalScroll(id="help-body", classes="dialog help-dialog")
        body.border_title = Text(f"Keys: {self.title_text}", style="bold")
        body.border_subtitle = "↑↓ pgup pgdn scroll · escape closes"
        with body:
            yield Static(help_table(self.rows), id="help-keys", markup=False)
            if self.notes:
                yield Static(Text(self.notes), id="help-notes", markup=False)

    def action_close(self) -> None:
        self.close(None)
