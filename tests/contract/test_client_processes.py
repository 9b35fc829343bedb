"""Two real processes, one key, one ledger, the real sandbox: never more than 60 in a server window.

The sandbox's clock is put eight seconds before the end of a minute, so the client learns a skew of
tens of seconds from the first ``Date`` header and the next server window opens within seconds rather
than a minute. The processes ask for 90 lists between them: 60 fit in the first window, the other 30
wait for the next one, and the server's own counts show it, with no 429 (a 429 would show as an extra
request: the client retries it).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from processes import run_together

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY

SCRIPT = """
import asyncio, json, sys, time
from pathlib import Path
from okrt_tui.api.budget import Budget
from okrt_tui.api.client import OkrtClient

base, key, ledger = sys.argv[1], sys.argv[2], Path(sys.argv[3])
start_at, count = float(sys.argv[4]), int(sys.argv[5])

async def main():
    async with OkrtClient(base, key, budget=Budget(ledger)) as api:
        while time.time() < start_at:
            await asyncio.sleep(0.002)
        done = []
        for _ in range(count):
            await api.list_kpis()
            done.append(time.time())
    return done

print(json.dumps(asyncio.run(main())))
"""


@pytest.mark.slow
def test_two_processes_through_the_client_never_exceed_60_in_a_server_window(sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "state" / "budget-shared"
    start_at = time.time() + 1.5  # time enough for both processes to import and connect
    # The sandbox will be at second 52 when they start: the first 60 land well before the minute ends.
    # (Sends within the budget's 2 s margin of a boundary count in both windows, so a burst that
    # straddled it would rightly push a few requests a whole window later.)
    offset = (52.0 - start_at % 60) % 60
    sandbox.control.set_clock(offset)
    args = [sandbox.base_url, ACME_ADMIN_KEY, str(ledger), repr(start_at), "45"]
    finished = [t for times in run_together(SCRIPT, args) for t in times]

    per_window = Counter(
        {row["window"]: row["count"] for row in sandbox.control.requests() if row["label"] == "acme-admin"}
    )
    assert sum(per_window.values()) == 90, per_window  # every request once: no 429 was ever retried
    assert max(per_window.values()) <= 60, per_window
    assert len(per_window) == 2  # the first window filled up, the rest waited for the next
    # The next window opens 8 s after the start and the budget keeps its 2 s margin past the boundary,
    # so the last request lands about 10 s in; one that waited out a whole further minute would be > 60.
    assert max(finished) - start_at < 30
