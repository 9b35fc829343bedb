"""Which key results the weekly check-in round visits: those without a check-in for a week.

Tability reminds after a week; the round is the team lead's weekly ritual, so seven days is its
threshold (the stale flag ⚑ on the objective screen stays at fourteen: the nag is for the laggards).
"""

from __future__ import annotations

from collections.abc import Iterable

from okrt_tui.api.models import Okr
from okrt_tui.views.times import is_stale_checkin

ROUND_DAYS = 7


def due_for_checkin(okrs: Iterable[Okr], now: float) -> list[tuple[Okr, str]]:
    """(objective, key result id) of every key result with no check-in in ``ROUND_DAYS``, in list order."""
    return [
        (okr, kr.id)
        for okr in okrs
        for kr in okr.key_results or ()
        if kr.id and is_stale_checkin(kr.last_checkin_at, now, days=ROUND_DAYS)
    ]
