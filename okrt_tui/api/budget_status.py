"""What the status bar shows of the rate budget, apart from the budget itself.

Every snapshot carries one, and the dashboard paints its cached lists before the budget (with its
file-locked ledger, ``okrt_tui.api.budget``) is imported: this module imports nothing but msgspec.
"""

from __future__ import annotations

import msgspec


class BudgetStatus(msgspec.Struct, frozen=True):
    """What the status bar shows of the rate budget of this key."""

    used: int = 0
    limit: int = 60
    reset_in: float = 60.0  # seconds until the current window ends
    paused_for: float = 0.0  # seconds left of a server-imposed pause (after a 429)
