"""A one-line text box whose own keys (ctrl+u, ctrl+w, ctrl+k…) act in the order they were typed.

Textual runs a focused Input's bindings only once an unhandled key has bubbled up to the app, while
the letters behind it are inserted as they reach the box. When keys arrive together (type-ahead, a
paste, a slow moment: the tmux test under load), ``ctrl+u`` then ``Alice`` inserted "Alice" first and
deleted it with the rest when the ctrl+u came back round. Here the box runs its own bindings as the key
reaches it, in order with the letters. Textual is pinned to 8.2 (``_bindings`` is its binding table).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextBox(Input):
    async def _on_key(self, event: events.Key) -> None:
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
