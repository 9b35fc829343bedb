"""A one-line text box whose keys act in the order they were typed, even when they arrive together.

Textual runs a focused Input's bindings only once an unhandled key has bubbled up to the app, while
the letters behind it are inserted as they reach the box. When keys arrive together (type-ahead, a
paste, a slow moment: the tmux test under load), ``ctrl+u`` then ``Alice`` inserted "Alice" first and
deleted it with the rest when the ctrl+u came back round. Here the box runs its own bindings as the key
reaches it, in order with the letters. Textual is pinned to 8.2 (``_bindings`` is its binding table).

The same goes for the focus: the app hands each key to the widget focused when the key arrives, so an
id, ``tab`` and a value typed at once all wait in the id box's queue. ``tab`` moves the focus as it is
read here, and the keys behind it go on to the box that has the focus now.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input

FOCUS_KEYS = {"tab": "focus_next", "shift+tab": "focus_previous"}


def moved_on(field: Widget, event: events.Key) -> bool:
    """The part every field of a form shares: a key that came after a ``tab`` this field has handled
    goes on to the field focused now, and ``tab`` itself moves the focus as it is read. True when the
    key was dealt with here (stopped)."""
    focused = field.app.focused
    if focused is not field and focused is not None:
        # Typed after a tab that this field has already handled: it belongs where the focus is now.
        event.stop()
        event.prevent_default()
        focused.post_message(events.Key(event.key, event.character))
        return True
    if event.key in FOCUS_KEYS:
        event.stop()
        event.prevent_default()
        getattr(field.screen, FOCUS_KEYS[event.key])()
        return True
    return False


class TextBox(Input):
    async def _on_key(self, event: events.Key) -> None:
        if moved_on(self, event):
            return
        if event.is_printable:
            return  # Input's own handler inserts it, next in the same dispatch
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority:
                # Stopped and defaulted: it neither bubbles to the app (which would run it again,
                # late) nor reaches Input's handler.
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return
