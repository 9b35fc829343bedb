"""The bottom line: the keys of the current screen, each clickable, as one widget.

Textual's ``Footer`` makes a widget per key and restyles each whenever the screen's bindings change
(focus moves, a screen opens): ~100 ms of a cold start with this app's fifteen keys, more than
drawing the 500-row table. This line draws the same keys (the screen's active bindings with
``show``, one per action, disabled ones dimmed, the command palette last) as one ``Text``, and a
click presses the key under the pointer.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


class Key(NamedTuple):
    """One key on the bar, with the span of cells it takes."""

    key: str
    enabled: bool
    start: int
    end: int


def shown_bindings(screen: Screen[Any]) -> list[tuple[Binding, bool]]:
    """(binding, enabled) for each action the bar shows, in binding order, the command palette last."""
    seen: set[str] = set()
    shown: list[tuple[Binding, bool]] = []
    palette: list[tuple[Binding, bool]] = []
    for _node, binding, enabled, _tooltip in screen.active_bindings.values():
        if binding.key == screen.app.COMMAND_PALETTE_BINDING and screen.app.ENABLE_COMMAND_PALETTE:
            palette = [(binding, enabled)]
        elif binding.show and binding.action not in seen:
            seen.add(binding.action)
            shown.append((binding, enabled))
    return shown + palette


class KeyBar(Widget):
    """Re-rendered (not re-composed) when the bindings change, so theme changes reach it as well."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[Key] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        # Not while a form or dialog covers its screen: Textual repaints the whole terminal for any
        # change beneath a modal screen (~9 ms, in the key that opened it); the bindings are
        # updated again as the screen comes back on top.
        if self.is_attached and screen is self.screen and screen.is_active:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        disabled_style = self.get_component_rich_style("key-bar--disabled", partial=True)
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        keys: list[Key] = []
        for binding, enabled in shown_bindings(self.screen):
            start = len(text)
            dim = Style() if enabled else disabled_style
            text.append(f" {self.app.get_key_display(binding)} ", style=key_style + dim)
            text.append(f"{binding.description} ", style=description_style + dim)
            keys.append(Key(binding.key, enabled, start, len(text)))
        self._keys = keys
        return text

    def key_at(self, x: int) -> str | None:
        """The enabled key drawn at column ``x`` of the bar, if any."""
        return next((k.key for k in self._keys if k.enabled and k.start <= x < k.end), None)

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is not None:
            event.stop()
            self.app.simulate_key(key)
