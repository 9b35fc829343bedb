"""The wall monitor over weeks, in accelerated time, and its CPU in real time.

1. Soak: one monitor (80x24 by default, headless, every panel, 20 s dwell) on a fake clock, 10,000 cycles of
   "the clock moves one dwell, the refresher hands over a new snapshot (the sandbox's seed with a KPI's
   value changed and its series one point longer, bounded at 256 points as the refresher bounds it),
   the rotation turns, the new panel is drawn". That is 55 hours of rotation and 10,000 refreshes. The
   process's memory (RSS, and the objects the garbage collector tracks) after a warm-up of 500 cycles,
   every 1,000 cycles and at the end; CPU per cycle. Target: flat (under 5% growth).
2. Real time: ``okrt-tui monitor`` with default settings in a 160x48 tmux pane against a sandbox with
   simulated teammates (``serve --simulate``), measured from /proc over 60 s after a 90 s warm-up (one
   full rotation of the four panels: each panel's first showing builds it, once).
   Target: under 1% of one core. Needs tmux.

Run: ``python tests/benchmarks/bench_monitor.py [--cycles N] [--skip-realtime]`` or
``pytest -n 0 -s tests/benchmarks/bench_monitor.py`` (asserts both targets).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "tui"))

from monitor_data import seed_snapshot  # noqa: E402
from msgspec.structs import replace  # noqa: E402
from tui_data import NOW  # noqa: E402

from okrt_tui.sandbox.keys import ACME_READ_KEY  # noqa: E402
from okrt_tui.sandbox.server import SandboxServer  # noqa: E402
from okrt_tui.sync.snapshot import KpiPoint, Snapshot  # noqa: E402

DWELL = 20.0
MAX_POINTS = 256  # the refresher's bound per series (okrt_tui.sync.refresher.MAX_POINTS)


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Driver:
    """Stands in for the refresher: serves the snapshots the soak makes."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self.callbacks: list = []

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def subscribe(self, callback) -> None:
        self.callbacks.append(callback)

    def publish(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        for callback in self.callbacks:
            callback(snapshot)

    async def run(self) -> None:
        await asyncio.Event().wait()

    def set_visible(self, feed: str) -> None:
        pass


def next_snapshot(previous: Snapshot, cycle: int, now: float) -> Snapshot:
    kpis = list(previous.kpis.items or ())
    index = cycle % len(kpis)
    kpi = kpis[index]
    value = (kpi.current or 0) * (1.01 if cycle % 2 else 0.99)
    kpis[index] = replace(kpi, current=value)
    seen = dict(previous.kpi_seen)
    points = (*seen.get(kpi.id or "", ()), KpiPoint(at=now, value=value))[-MAX_POINTS:]
    seen[kpi.id or ""] = points
    return replace(
        previous,
        kpis=replace(previous.kpis, items=tuple(kpis), fetched_at=now),
        okrs=replace(previous.okrs, fetched_at=now),
        kpi_seen=seen,
        taken_at=now,
    )


async def soak(
    seed: Snapshot, cycles: int, warmup: int = 500, every: int = 1000, size: tuple[int, int] = (80, 24)
) -> dict[str, float]:
    """Runs the cycles; the memory after the warm-up, every ``every`` cycles and at the end (RSS, and
    the objects the garbage collector tracks, after a collection)."""
    from okrt_tui.tui.monitor.app import MonitorApp

    clock = [NOW]
    driver = Driver(seed)
    app = MonitorApp(driver, clock=lambda: clock[0], tick=None)
    figures: dict[str, float] = {}

    def checkpoint(cycle: int) -> None:
        gc.collect()
        rss, objects = rss_kib() / 1024, len(gc.get_objects())
        print(f"  cycle {cycle}: RSS {rss:.1f} MiB, {objects} objects", flush=True)
        figures.setdefault("rss_before_mib", rss)
        figures.setdefault("objects_before", objects)
        figures["rss_after_mib"], figures["objects_after"] = rss, objects

    cpu = 0.0
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        snapshot = driver.snapshot
        for cycle in range(cycles):
            if cycle >= warmup and (cycle - warmup) % every == 0:
                checkpoint(cycle)
            started = time.process_time()
            clock[0] += DWELL
            snapshot = next_snapshot(snapshot, cycle, clock[0])
            driver.publish(snapshot)
            app.tick()
            await pilot.pause()
            if cycle >= warmup:
                cpu += time.process_time() - started
        checkpoint(cycles)
        figures["cpu_ms_per_cycle"] = cpu * 1000 / (cycles - warmup)
        figures["widgets"] = len(list(app.query("*")))
    figures["hours"] = cycles * DWELL / 3600
    return figures


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def realtime(seconds: float = 60.0, warmup: float = 90.0) -> float:
    """Percent of one core the monitor used over ``seconds``, default settings, teammates acting."""
    socket = f"okrt-bench-{uuid.uuid4().hex[:8]}"
    with (
        tempfile.TemporaryDirectory() as folder,
        SandboxServer(Path(folder) / "s.sqlite3", simulate=True) as server,
    ):
        env = {
            "OKRT_API_KEY": ACME_READ_KEY,
            "XDG_STATE_HOME": folder,
            "XDG_DATA_HOME": folder,
            "XDG_CONFIG_HOME": folder,
            "PYTHONPATH": str(ROOT),
            "TERM": "xterm-256color",
        }
        flags = [flag for name, value in env.items() for flag in ("-e", f"{name}={value}")]
        command = (
            f"env -u COLUMNS -u LINES {shlex.quote(sys.executable)} -m okrt_tui "
            f"--base-url {shlex.quote(server.base_url)} monitor"
        )
        subprocess.run(
            [
                "tmux",
                "-L",
                socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "m",
                "-x",
                "160",
                "-y",
                "48",
                *flags,
                command,
            ],
            check=True,
        )
        try:
            pid = int(
                subprocess.run(
                    ["tmux", "-L", socket, "display-message", "-p", "-t", "m", "#{pane_pid}"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            time.sleep(warmup)
            before, at = cpu_seconds(pid), time.monotonic()
            time.sleep(seconds)
            used, spent = cpu_seconds(pid) - before, time.monotonic() - at
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    return 100 * used / spent


def report(figures: dict[str, float]) -> None:
    print(
        f"soak: {figures['hours']:.0f} h of rotation; RSS {figures['rss_before_mib']:.1f} → "
        f"{figures['rss_after_mib']:.1f} MiB; objects {figures['objects_before']:.0f} → "
        f"{figures['objects_after']:.0f}; {figures['widgets']:.0f} widgets; "
        f"{figures['cpu_ms_per_cycle']:.1f} ms CPU per cycle (a panel drawn anew each cycle)"
    )


def test_soak_memory_is_flat() -> None:
    figures = asyncio.run(soak(seed_snapshot(), 10_000))
    report(figures)
    assert figures["rss_after_mib"] < figures["rss_before_mib"] * 1.05
    assert figures["objects_after"] < figures["objects_before"] * 1.05


def test_realtime_cpu_under_one_percent() -> None:
    if shutil.which("tmux") is None:
        import pytest

        pytest.skip("tmux is not installed")
    share = realtime()
    print(f"real time: {share:.2f}% of one core over 60 s")
    assert share < 1.0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--size", default="80x24", help="the terminal, e.g. 160x48")
    parser.add_argument("--skip-realtime", action="store_true")
    options = parser.parse_args()
    columns, lines = (int(n) for n in options.size.split("x"))
    warmup = min(500, options.cycles // 5)
    report(asyncio.run(soak(seed_snapshot(), options.cycles, warmup=warmup, size=(columns, lines))))
    if not options.skip_realtime:
        print(f"real time: {realtime():.2f}% of one core over 60 s")
