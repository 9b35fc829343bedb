"""Fault injection for tests (``--control``): the next N matching API requests fail on purpose.

``POST /_sandbox/faults {"kind", "count", "match", "seconds"}`` arms one fault; a new one replaces a
pending one and ``kind: "none"`` clears it. A request *matches* when it carries a valid key, fits in
its rate window (it has been counted), and is one of the six endpoints with the right method: reads
are the four GETs, writes the two POSTs. Unknown paths, bad keys and real 429s never use a fault up.

- ``429``: answered in place of the endpoint, nothing recorded; the body and ``Retry-After`` are the
  real 429's. ``Retry-After`` is the whole seconds to the next window, unless the fault was armed with
  an explicit ``seconds``, which then sets it (so a client test need not wait for the minute to end).
- ``500``: answered in place of the endpoint (``server_error``, "safe to retry"), nothing recorded.
- ``slow``: the endpoint runs (a valid write is recorded), then the answer waits ``seconds``.
- ``drop``: the endpoint runs (a valid write is recorded), then the connection is closed without
  sending a byte of the answer: the client sees a broken connection and cannot know the write landed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

KINDS = ("429", "500", "slow", "drop", "none")
MATCHES = ("reads", "writes", "all")


@dataclass(slots=True)
class Fault:
    kind: str
    count: int = 1
    match: str = "all"
    seconds: float = 5.0
    explicit_seconds: bool = False  # whether ``seconds`` was given (it then sets an injected Retry-After)

    def applies_to(self, is_write: bool) -> bool:
        return self.match == "all" or (self.match == "writes") == is_write

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "count": self.count, "match": self.match, "seconds": self.seconds}


class FaultError(ValueError):
    """A control request that does not describe a fault; the message says why."""


def parse_fault(body: Any) -> Fault:
    if not isinstance(body, dict):
        raise FaultError("The body must be a JSON object.")
    kind = body.get("kind")
    if kind not in KINDS:
        raise FaultError(f"kind must be one of {', '.join(KINDS)}.")
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise FaultError("count must be a whole number, 0 or more.")
    match = body.get("match", "all")
    if match not in MATCHES:
        raise FaultError(f"match must be one of {', '.join(MATCHES)}.")
    seconds = body.get("seconds", 5)
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not math.isfinite(seconds)
        or seconds < 0
    ):
        raise FaultError("seconds must be a number, 0 or more.")
    return Fault(kind, count, match, float(seconds), explicit_seconds="seconds" in body)


class FaultPlan:
    """The one pending fault, used up request by request."""

    def __init__(self) -> None:
        self._pending: Fault | None = None

    def arm(self, fault: Fault) -> None:
        self._pending = None if fault.kind == "none" or fault.count == 0 else fault

    def take(self, is_write: bool) -> Fault | None:
        """The fault this request gets, if any; counts it against the pending one."""
        fault = self._pending
        if fault is None or not fault.applies_to(is_write):
            return None
        fault.count -= 1
        if fault.count <= 0:
            self._pending = None
        return fault

    def pending(self) -> dict[str, Any]:
        if self._pending is None:
            return {"kind": "none", "count": 0, "match": "all", "seconds": 0.0}
        return self._pending.describe()
