"""Which OKR cycle the OKRs screen opens on: the current quarter's, not every cycle mixed together.

The reference names cycles like ``Q4 2026``: a calendar quarter in UTC (as the sandbox scores them).
A workspace keeps its closed cycles in the list (most recent first), so the objectives of last quarter
would otherwise sit among this quarter's and count in its summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from okrt_tui.views.query import cycle_key, distinct
from okrt_tui.views.text import one_line

#: The OKRs screen's choice of every cycle (a name no cycle has: ``one_line`` drops control characters).
ALL_CYCLES = "\x00all"

_QUARTER = re.compile(r"^\s*Q([1-4])\s*(\d{4})\s*$", re.IGNORECASE)


def quarter_of(name: str | None) -> tuple[int, int] | None:
    """``(year, quarter)`` of a cycle named like ``Q4 2026``; ``None`` for any other name."""
    found = _QUARTER.match(name or "")
    return (int(found.group(2)), int(found.group(1))) if found else None


def cycles_of(names: Iterable[str | None]) -> list[str]:
    """The distinct cycles, most recent first (quarters by date, then other names by name)."""
    # The raw names first: 500 objectives share a handful of cycles, made safe once each.
    return sorted(distinct(one_line(name) for name in dict.fromkeys(names)), key=_recent_first)


def _recent_first(name: str) -> tuple[int, int, int, str]:
    key = cycle_key(name)
    quarter = quarter_of(name)
    if quarter is None or key is None:
        return (1, 0, 0, key[2] if key else "")
    return (0, -quarter[0], -quarter[1], key[2])


def current_cycle(names: Iterable[str | None], now: float) -> str | None:
    """The cycle whose quarter holds ``now`` (UTC); if no objective is in it, the most recent quarter
    that has objectives; ``None`` (show every cycle) when no cycle is named like a quarter."""
    today = datetime.fromtimestamp(now, UTC)
    this_quarter = (today.year, (today.month - 1) // 3 + 1)
    quarters = [(quarter, name) for name in cycles_of(names) if (quarter := quarter_of(name)) is not None]
    for quarter, name in quarters:
        if quarter == this_quarter:
            return name
    past = [name for quarter, name in quarters if quarter <= this_quarter]
    if past:
        return past[0]
    return quarters[-1][1] if quarters else None
