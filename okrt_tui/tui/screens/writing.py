"""The write keys of the screens that show objectives and KPIs: ``c`` check-in, ``u`` KPI update.

A screen says what is highlighted (``checkin_target`` / ``kpi_target``); the app opens the form. The keys
are hidden where the app cannot write (no outbox: the read-only tests); on a warm start's cached lists,
before the session is open, they are offered, and the form opens as it goes live.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

if TYPE_CHECKING:
    from okrt_tui.api.models import Okr
    from okrt_tui.tui.app import OkrtApp

# Priority bindings, handled as the key arrives: the form has the focus before the digits typed right
# after the key are handed on (else they went to the table). In a text box they are just letters.
CHECKIN = Binding("c", "checkin", "Check-in", id="okrt.checkin", priority=True)
KPI_UPDATE = Binding("u", "kpi_update", "Update", id="okrt.kpi_update", priority=True)
# Not on the key bar (it is full at 100 columns); ? and the palette list it.
CHECKIN_ROUND = Binding("C", "checkin_round", "Check-in round", id="okrt.checkin_round", show=False)


class Writes(Screen[None]):
    """Mixed into a data screen: the write actions and when they are offered."""

    def checkin_target(self) -> tuple[str, str | None] | None:
        """(objective id, key result id or None) highlighted here."""
        return None

    def kpi_target(self) -> str | None:
        return None

    def round_objectives(self) -> tuple[Okr, ...]:
        """The objectives the check-in round walks (those the list shows)."""
        return ()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        writes = ("checkin", "kpi_update", "checkin_round")
        app = self.app
        writable = getattr(app, "deliveries", None) is not None or getattr(app, "going_live", False)
        if action in writes and not writable:
            return None
        return super().check_action(action, parameters)

    def _typing(self) -> None:
        if isinstance(self.focused, Input):
            raise SkipAction()

    def action_checkin(self) -> None:
        self._typing()
        target = self.checkin_target()
        if target is not None:
            app: OkrtApp = self.app  # type: ignore[assignment]
            app.open_checkin(*target)

    def action_checkin_round(self) -> None:
        app: OkrtApp = self.app  # type: ignore[assignment]
        app.checkin_round(self.round_objectives())

    def action_kpi_update(self) -> None:
        self._typing()
        target = self.kpi_target()
        if target is not None:
            app: OkrtApp = self.app  # type: ignore[assignment]
            app.open_kpi_form(target)
