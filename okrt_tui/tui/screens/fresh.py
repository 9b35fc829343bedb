"""Opening a screen for the first time should not re-parse every stylesheet of the app.

Textual 8.2 marks a new screen as behind on CSS changes (``_css_update_count = -1``), so the first
time a mode or a pushed screen is shown the app re-parses all its CSS twice over and restyles every
widget (~25 ms at start-up, again on the first objective, help or dialog opened). A screen that has
just been made has no styled widgets to be behind: its widgets get the current styles as they mount.
Private to Textual, hence the pin on its minor series.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from textual._context import NoActiveAppError
from textual.screen import Screen


class FreshScreen(Screen):
    """Mixed in before Textual's screen class: ``class HelpScreen(FreshScreen, ModalScreen[None])``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Made outside a running app (a test), Textual's own catch-up applies.
        with suppress(NoActiveAppError):
            self._css_update_count = self.app._css_update_count
