"""The sandbox's clock: real time plus an offset that ``POST /_sandbox/clock`` sets.

Everything in the sandbox that depends on time reads this clock: rate windows, ``created_at`` and
``last_updated`` stamps, and how much of a cycle has elapsed. Tests move it forward to reach the next
UTC minute without sleeping. Times are epoch seconds (floats) inside the sandbox and ISO 8601 UTC
strings with whole seconds on the wire, like the reference's ``2026-04-19T12:00:00Z``.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Real time, ``offset`` seconds ahead (or behind, when negative)."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def now(self) -> float:
        return time.time() + self.offset


def iso(ts: float) -> str:
    """Epoch seconds as the API writes timestamps: ISO 8601, UTC, whole seconds, ``Z``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(ts: float) -> str:
    """Epoch seconds as the API writes dates (a cycle's ``due_date``)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
