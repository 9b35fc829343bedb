"""One of a few options on one line, changed with the arrow keys: the check-in form's key result.

Textual's ``Select`` shows its value through a ``Static`` that lays the whole form out again whenever
the value changes, and its ``set_options`` rebuilds the drop-down list and passes through "no value" on
the way (the widget restyled twice): ~10 ms of the key that opens the check-in form on another
objective, in a budget of 16. An objective has a handful of key results. This line shows the chosen
one and its place ("2 of 4"); ←/→ or ↑/↓ step through them, and a digit picks one by its place. A new
set of options repaints this one line and lays nothing out.

Keys are read in ``on_key`` rather than through bindings, and passed on as a ``TextBox`` passes them
(``moved_on``), so that keys typed ahead (handed on by the field that had the focus when they
arrived) act here as they would have when typed one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from okrt_tui.tui.widgets.text_box import moved_on

STEPS = {"left": -1, "up": -1, "right": 1, "down": 1}


class Choice(Widget, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"choice--place"}

    class Changed(Message):
        """The person chose another option (not sent for ``set_options``)."""

        def __init__(self, choice: Choice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            return self.choice

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._options: tuple[tuple[str, str], ...] = ()
        self._index = 0

    @property
    def value(self) -> str | None:
        return self._options[self._index][1] if self._options else None

    def set_options(self, options: Sequence[tuple[str, str]], value: str | None = None) -> None:
        """(label, value) pairs, ``value`` chosen (else the first)."""
        options = tuple(options)
        index = next((i for i, (_, v) in enumerate(options) if v == value), 0)
        if (options, index) != (self._options, self._index):
            self._options, self._index = options, index
            self.refresh()

    def render(self) -> Text:
        if not self._options:
            return Text()
        label = self._options[self._index][0]
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        count = len(self._options)
        if count > 1:
            place = self.get_component_rich_style("choice--place", partial=True)
            text.append(f"◂ {self._index + 1} of {count} ▸ ", style=place)
        text.append(label)
        return text

    def _choose(self, index: int) -> None:
        if index != self._index:
            self._index = index
            self.refresh()
            self.post_message(self.Changed(self, self._options[index][1]))

    def on_key(self, event: events.Key) -> None:
        if moved_on(self, event):
            return
        count = len(self._options)
        if event.key in STEPS and count > 1:
            self._choose((self._index + STEPS[event.key]) % count)
        elif event.character is not None and event.character.isdigit() and 1 <= int(event.character) <= count:
            self._choose(int(event.character) - 1)
        else:
            return
        event.stop()
        event.prevent_default()

    def on_click(self, event: events.Click) -> None:
        if len(self._options) > 1:
            self._choose((self._index + 1) % len(self._options))
