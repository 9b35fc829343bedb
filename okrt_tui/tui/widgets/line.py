"""One line of text whose size never depends on its text, so changing it repaints it alone.

``Static.update`` asks for a new layout of the whole screen (its content might change size), which
repaints every widget: once a second for a ticking status bar, and on every refresh for the OKR counts.
A ``Line`` is always one row high and as wide as its container, so it only refreshes itself, and not
at all when the text is the same.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class Line(Widget):
    DEFAULT_CSS = """
    Line {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()

    @property
    def text(self) -> Text:
        return self._text

    def set_text(self, text: Text | str) -> None:
        """Server text must come as ``Text`` (a ``str`` here is ours, and is never parsed as markup)."""
        new = text if isinstance(text, Text) else Text(text, no_wrap=True, overflow="ellipsis")
        if new == self._text:
            return
        self._text = new
        self.refresh()

    def render(self) -> Text:
        return self._text
