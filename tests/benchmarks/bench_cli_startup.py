"""How long ``okrt-tui kpis --json`` takes as a whole process, against the smallest possible client.

The floor is a bare ``python -c`` that imports httpx and makes the same GET against the same sandbox:
nothing can be faster in Python with an HTTP client. The ratio of the two, measured in the same run on
the same machine, is the figure to watch (absolute times move with the machine's load). Run it as a
script or with pytest (``pytest tests/benchmarks/bench_cli_startup.py -s``); the pytest form fails only
if the command costs more than twice the floor. 12 requests per variant stay well inside the budget.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from okrt_tui.sandbox.keys import ACME_ADMIN_KEY
from okrt_tui.sandbox.server import SandboxServer

RUNS = 12


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, timeout=60)
    return time.perf_counter() - started


def run() -> float:
    with SandboxServer() as server, tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "OKRT_API_KEY": ACME_ADMIN_KEY,
            "OKRT_BASE_URL": server.base_url,
            **{f"XDG_{d}_HOME": f"{home}/{d.lower()}" for d in ("CONFIG", "DATA", "STATE", "CACHE")},
        }
        floor_script = (
            "import os, httpx\n"
            "r = httpx.get(os.environ['OKRT_BASE_URL'] + '/kpis',"
            " headers={'Authorization': 'Bearer ' + os.environ['OKRT_API_KEY']}, verify=False)\n"
            "print(r.text)\n"
        )
        variants = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "httpx GET /kpis (floor)": [sys.executable, "-c", floor_script],
            "okrt-tui kpis --json": [sys.executable, "-m", "okrt_tui", "kpis", "--json"],
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(RUNS):  # interleaved, so a burst of load on the machine hits every variant alike
            for name, argv in variants.items():
                times[name].append(timed(argv, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["httpx GET /kpis (floor)"]
    for name, median in medians.items():
        print(f"{name:<26} median {median * 1000:7.1f} ms   ratio to floor {median / floor:.2f}")
    return medians["okrt-tui kpis --json"] / floor


def test_kpis_json_costs_at_most_twice_a_bare_httpx_get() -> None:
    assert run() < 2.0


if __name__ == "__main__":
    run()
