"""Four real processes, one key, a rate ledger that cannot be used, the real sandbox: still never more
than 60 requests in a server window, counted by the server itself, and each process says once what is
wrong with which file.

Before the fallback, each process counted only its own requests: 4 x 30 put 63 and 64 into one window.
The sandbox's clock is put at second 40 once all four are ready, so the first 60 fill one window (20 s
are room enough on a crowded machine; 8 s were not, and the last 15 went two windows on) and the rest
wait for the next one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from processes import ROOT

from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

SCRIPT = """
import asyncio, json, logging, sys, time
from pathlib import Path
from okrt_tui.paths import Dirs
from okrt_tui.session import open_client

base, key, root, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
logging.getLogger().addHandler(logging.NullHandler())  # the log file's place: stderr is for the user

async def main():
    async with open_client(base, key, dirs=Dirs.for_root(root)) as api:
        api.budget.watch_problem(lambda text: print(text, file=sys.stderr))
        print("ready", flush=True)
        sys.stdin.readline()  # all four start together
        done = []
        for _ in range(count):
            await api.list_kpis()
            done.append(time.time())
    return done

print(json.dumps(asyncio.run(main())))
"""


def break_ledger(ledger: Path, how: str) -> str:
    """Makes the ledger unusable; returns what the processes must say about it."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    if how == "directory":
        ledger.mkdir()
        return f"{ledger} is a directory"
    if how == "lock":
        Path(f"{ledger}.lock").mkdir()
        return f"{ledger}.lock is a directory"
    ledger.write_text("{}")
    ledger.chmod(0)
    return f"{ledger} cannot be read (permission denied"


@pytest.mark.slow
@pytest.mark.parametrize(
    "how",
    [
        "directory",
        "lock",
        pytest.param(
            "mode 000",
            marks=pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file of mode 000"),
        ),
    ],
)
def test_four_processes_on_an_unusable_ledger_never_exceed_60_in_a_server_window(
    sandbox: SandboxServer, tmp_path: Path, how: str
) -> None:
    root = tmp_path / "user"
    said = break_ledger(Dirs.for_root(root).ledger_file(sandbox.base_url, ACME_ADMIN_KEY), how)
    args = [sandbox.base_url, ACME_ADMIN_KEY, str(root), "30"]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            text=True,
        )
        for _ in range(4)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    sandbox.control.set_clock((40.0 - time.time() % 60) % 60)
    began = time.time()
    outputs = [process.communicate("go\n", timeout=120) for process in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert len(json.loads(out)) == 30
        assert err.count(said) == 1, err  # told once, naming the file
        assert "okrt-tui keeps the ledger in" in err
    assert time.time() - began < 40  # in the next window (20 s on), not one after it

    per_window = Counter(
        {row["window"]: row["count"] for row in sandbox.control.requests() if row["label"] == "acme-admin"}
    )
    assert sum(per_window.values()) == 120, per_window  # every request once: no 429 was retried
    assert max(per_window.values()) <= 60, per_window
