"""Two real processes on one ledger, with the real clock: together never more than 60 in a window."""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path

from processes import run_together

# Each process: learn the "server" clock (here the local one, as a Date header would tell it), wait
# for the common start, then try 50 requests without waiting and print when each one was let through.
SCRIPT = """
import asyncio, json, sys, time
from email.utils import formatdate
from pathlib import Path
from okrt_tui.api.budget import Budget
from okrt_tui.api.errors import RateLimited

ledger, start_at, tries = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
budget = Budget(ledger)
budget.observe(date=formatdate(time.time(), usegmt=True), remaining=None, reset=None)

async def main():
    let_through = []
    while time.time() < start_at:
        await asyncio.sleep(0.001)
    for _ in range(tries):
        try:
            await budget.acquire(wait=False)
        except RateLimited:
            continue
        let_through.append(time.time())
    return let_through

print(json.dumps(asyncio.run(main())))
"""


def start_time() -> float:
    """A moment a second from now, moved past the next minute if it falls within 4 s of one."""
    at = time.time() + 1.0
    second = at % 60
    if second > 56 or second < 4:
        at += (64 - second) % 60
    return at


def test_two_processes_sharing_a_ledger_never_exceed_60_in_a_window(tmp_path: Path) -> None:
    ledger = tmp_path / "state" / "budget-0123456789abcdef"
    at = start_time()
    results = run_together(SCRIPT, [str(ledger), repr(at), "50"])

    times = [t for result in results for t in result]
    per_window = Counter(math.floor(t / 60) for t in times)
    assert max(per_window.values()) <= 60, per_window
    if all(3 < t % 60 < 57 for t in times):
        assert len(times) == 60  # one window: exactly the limit, shared between the two
        assert all(result for result in results), "both processes got some of the window"
