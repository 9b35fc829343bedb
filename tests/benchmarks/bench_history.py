"""The local history over a simulated year: the file's size, the process's memory, the event loop's cost.

A workspace of 500 KPIs and 500 objectives (2.6 key results each, as the sandbox's seed has: 126 for
48), polled for 365 days in accelerated time (a ``FakeClock``), through the real ``History`` (its
writer thread, a real SQLite file) and the refresher's memory of the series (``Recent``).

The change rate, per day (the sandbox's ``--simulate`` teammates change one thing every 5 s across 20
KPIs and 126 key results, a demo's pace; its seed's history is the calmer truth: a KPI updated every
10 days, a key result checked in weekly). Chosen well above the seed:

- each KPI changes 4 times a day (an hourly or daily feed, 40x the seed), its status with 1 change in 20;
- each objective's health score moves 4 times a day (the score is an integer that drifts as time
  passes: the sandbox's formula loses ~2 points a day to recency from day 7 and ~1 to the gap);
- each key result is checked in weekly: its value and progress change, and its objective's progress
  (and now and then its status).

That is ~4,800 points a day. One cycle stands for the 60 polls of half an hour (17,520 cycles): a
poll that finds nothing changed adds no row, so the file is the same as with a poll every 30 s; what
an unchanged poll costs the writer thread is measured on its own.

The worst case (``--worst``): every KPI and objective changes at every 30-second poll, with the detail
allowance (``MAX_DETAIL``) scaled down 20x so that a few hours of such polling fill it: the points kept
never pass the allowance plus an hour of writes (downsampling runs hourly), whatever the rate.

Run: ``python tests/benchmarks/bench_history.py [--worst]`` or
``pytest -n 0 -s tests/benchmarks/bench_history.py``.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from array import array
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import msgspec

from okrt_tui.api.clock import FakeClock
from okrt_tui.api.models import KeyResult, Kpi, Okr
from okrt_tui.store.db import Database
from okrt_tui.store.history import DAY, MAX_DETAIL, History, Recent
from okrt_tui.sync.refresher import KEEP, MAX_POINTS, REMEMBERED

KPIS = 500
OKRS = 500
CYCLE = 1800.0
DAYS = 365
PER_DAY = DAY / CYCLE
KPI_CHANGES = 4.0
HEALTH_CHANGES = 4.0
CHECKINS = 1 / 7
STATUSES = ("on_track", "at_risk", "off_track")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# Run in a child process: a connection of this process reading the whole file (its own page cache, up to
# 2 MB, freed when closed but not always given back to the system by the C allocator) made this
# process's RSS grow by ~1 MB per look, which is the benchmark's doing, not the app's.
LOOK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(conn.execute("SELECT count(*) FROM history_point").fetchone()[0])
"""


def look(path: Path) -> tuple[float, int]:
    """The database file's size once its WAL is folded in (what stays on disk), and its points."""
    done = subprocess.run([sys.executable, "-c", LOOK, str(path)], capture_output=True, text=True, check=True)
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    return size, int(done.stdout)


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


class Workspace:
    """The lists a poll returns, changing at the rates above (seeded: every run is the same year)."""

    def __init__(self, now: float) -> None:
        self.rng = random.Random(16)
        self.kpis = [
            Kpi(id=f"k-{i:03}", current=1000.0, target=1200, status="on_track", last_updated=iso(now))
            for i in range(KPIS)
        ]
        self.okrs = [
            Okr(
                id=f"o-{i:03}",
                progress=0.0,
                health_score=80,
                status="on_track",
                key_results=tuple(
                    KeyResult(id=f"r-{i:03}-{j}", current=0.0, progress=0.0, status="on_track")
                    for j in range(3 if i % 8 < 5 else 2)
                ),
            )
            for i in range(OKRS)
        ]

    def step(self, now: float) -> None:
        rng = self.rng
        for i, kpi in enumerate(self.kpis):
            if rng.random() < KPI_CHANGES / PER_DAY:
                status = rng.choice(STATUSES) if rng.random() < 0.05 else kpi.status
                value = round((kpi.current or 0) + rng.gauss(0, 10), 1)
                at = iso(now - rng.uniform(0, CYCLE))
                self.kpis[i] = msgspec.structs.replace(kpi, current=value, status=status, last_updated=at)
        for i, okr in enumerate(self.okrs):
            changes: dict[str, object] = {}
            if rng.random() < HEALTH_CHANGES / PER_DAY:
                changes["health_score"] = max(0, min(100, (okr.health_score or 0) + rng.choice((-1, 1))))
            krs = list(okr.key_results or ())
            for j, kr in enumerate(krs):
                if rng.random() < CHECKINS / PER_DAY:
                    value = (kr.current or 0) + rng.uniform(0, 5)
                    krs[j] = msgspec.structs.replace(
                        kr, current=round(value, 1), progress=round(value / 100, 3), last_checkin_at=iso(now)
                    )
                    changes["key_results"] = tuple(krs)
                    changes["progress"] = round(sum(k.progress or 0 for k in krs) / len(krs), 3)
                    if rng.random() < 0.1:
                        changes["status"] = rng.choice(STATUSES)
            if changes:
                self.okrs[i] = msgspec.structs.replace(okr, **changes)


#: Days the file and the memory are looked at. Memory is called flat when, from ``FULL`` (the series in
#: memory hold their 30 days) to the end, Python's allocated blocks grow by less than 1%, the points in
#: memory stay within 1%, and Python's allocations traced from ``TRACED`` on hold no more (within 1 MB)
#: at the end than a month after, and the process's RSS grows by less than 5% to ``TRACED`` (after it,
#: tracemalloc's own records swell it): it also holds SQLite's page caches, which fill to their bounds
#: as the file grows.
FULL = 60
TRACED = 300
MARKS = (1, 30, FULL, 90, 120, 182, 270, TRACED, 330, 365)


class Mark(msgspec.Struct, frozen=True):
    """The file and the process at one day of the year."""

    size: float  # MB on disk
    rss: float  # MB
    rows: int  # points in the file
    held: int  # points in the refresher's memory
    blocks: int  # Python's allocated blocks
    traced: float  # MB allocated since ``TRACED`` and still held (tracemalloc)


def held_since_half() -> float:
    """MB that Python allocated since tracing began (``TRACED``) and still holds, but for this
    benchmark's own records (its arrays of timings grow by a few hundred KB a year). Objects made since
    that replaced older ones count too, so only its change after a while says growth."""
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, __file__)])
    return sum(stat.size for stat in snapshot.statistics("filename")) / 1e6


def simulated_year(path: Path) -> dict[str, object]:
    clock = FakeClock(start=1_800_000_000.0, auto=False)
    world = Workspace(clock.now())
    history = History(Database(path))
    memory = Recent(REMEMBERED, MAX_POINTS, KEEP)  # as the refresher keeps them, with a history
    queued, remembered, walls, quiet = array("d"), array("d"), array("d"), array("d")
    marks: dict[int, Mark] = {}
    started = time.perf_counter()
    cycles = int(DAYS * PER_DAY)
    for cycle in range(1, cycles + 1):
        clock.advance(CYCLE)
        now = clock.now()
        world.step(now)
        kpis, okrs = tuple(world.kpis), tuple(world.okrs)
        # CPU time of this thread: the writer thread runs meanwhile, and the wall clock would count
        # the moments it holds the interpreter (the worst of those is given by the wall clock).
        t0, c0 = time.perf_counter(), time.thread_time()
        history.record_poll("kpis", kpis, now)  # what the refresher does on the loop per good fetch
        history.record_poll("okrs", okrs, now)
        c1 = time.thread_time()
        memory.add_poll("kpis", kpis, now)  # and its memory of the series
        memory.add_poll("okrs", okrs, now)
        t2, c2 = time.perf_counter(), time.thread_time()
        queued.append(c1 - c0)
        remembered.append(c2 - c1)
        walls.append(t2 - t0)
        # The common 30-second poll: the same lists again, nothing changed.
        c0 = time.thread_time()
        history.record_poll("kpis", kpis, now + 30)
        history.record_poll("okrs", okrs, now + 30)
        memory.add_poll("kpis", kpis, now + 30)
        memory.add_poll("okrs", okrs, now + 30)
        quiet.append(time.thread_time() - c0)
        if cycle % int(PER_DAY) == 0:
            assert history.flush(120)
            day = cycle // int(PER_DAY)
            if day in MARKS:
                size, rows = look(path)
                held = sum(len(points) for kind in REMEMBERED for points in memory.of(kind).values())
                traced = held_since_half() if tracemalloc.is_tracing() else 0.0
                marks[day] = Mark(size, rss_mb(), rows, held, sys.getallocatedblocks(), traced)
                mark = marks[day]
                print(
                    f"day {day:3}: {mark.size:5.1f} MB file, {rows:8} points, RSS {mark.rss:.1f} MB, "
                    f"{held} points in memory, {mark.blocks} Python blocks"
                    + (f", {traced:.2f} MB allocated since day {TRACED} and still held" if traced else ""),
                    flush=True,
                )
            if day == TRACED:
                tracemalloc.start()  # after this day's RSS: its records of each allocation swell it
    elapsed = time.perf_counter() - started
    tracemalloc.stop()
    # An unchanged poll: what the writer thread spends finding that nothing changed.
    t0 = time.perf_counter()
    for _ in range(20):
        history.record_poll("kpis", tuple(world.kpis), clock.now())
        history.record_poll("okrs", tuple(world.okrs), clock.now())
        history.flush()
    unchanged = (time.perf_counter() - t0) / 20
    history.close()
    return {
        "cycles": cycles,
        "elapsed": elapsed,
        "marks": marks,
        "queued": queued,
        "remembered": remembered,
        "walls": walls,
        "quiet": quiet,
        "unchanged": unchanged,
    }


def worst_case(path: Path, hours: float = 3.0, allowance: int = MAX_DETAIL // 20) -> dict[str, object]:
    clock = FakeClock(start=1_800_000_000.0, auto=False)
    history = History(Database(path), max_detail=allowance)
    most = 0
    for cycle in range(int(hours * 120)):
        clock.advance(30.0)
        now = clock.now()
        kpis = tuple(Kpi(id=f"k-{i:03}", current=cycle + i, status="on_track") for i in range(KPIS))
        okrs = tuple(
            Okr(id=f"o-{i:03}", progress=cycle / 1e4, health_score=cycle % 2 + i % 7) for i in range(OKRS)
        )
        history.record_poll("kpis", kpis, now)
        history.record_poll("okrs", okrs, now)
        if cycle % 20 == 19:
            history.flush(120)
            most = max(most, look(path)[1])
    history.close()
    hour_of_writes = 120 * (KPIS + 2 * OKRS)
    return {"most": most, "allowance": allowance, "bound": allowance + hour_of_writes, "mb": look(path)[0]}


def ms(values: array[float]) -> str:
    ordered = sorted(values)
    return (
        f"median {statistics.median(ordered) * 1e3:.3f} ms, "
        f"p99 {ordered[int(len(ordered) * 0.99)] * 1e3:.3f} ms, worst {ordered[-1] * 1e3:.3f} ms"
    )


def test_a_simulated_year_stays_under_50_mb_with_flat_memory() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = simulated_year(Path(tmp) / "ws.sqlite3")
    marks = result["marks"]
    assert isinstance(marks, dict)
    full, end = marks[FULL], marks[365]
    print(f"{result['cycles']} poll cycles in {result['elapsed']:.0f} s")
    per_point = end.size * 1e6 / end.rows
    print(f"after a year: {end.size:.1f} MB, {end.rows} points ({per_point:.0f} bytes a point, all in)")
    for name, unit, field in (
        ("process memory (RSS)", " MB", "rss"),
        ("Python's allocated blocks", "", "blocks"),
        ("points in memory", "", "held"),
    ):
        seen = ", ".join(f"{getattr(marks[day], field):g}{unit} at day {day}" for day in MARKS)
        print(f"{name}: {seen}")
    rss_growth = marks[TRACED].rss - full.rss
    traced_growth = end.traced - marks[330].traced
    print(
        f"from day {FULL} to 365: Python blocks {end.blocks - full.blocks:+}, points in memory "
        f"{end.held - full.held:+}; RSS {rss_growth:+.1f} MB to day {TRACED}; traced from day {TRACED}, "
        f"held by Python at day 365 against day 330: {traced_growth:+.2f} MB (tracemalloc)"
    )
    queued, remembered, walls, quiet = (result[k] for k in ("queued", "remembered", "walls", "quiet"))
    assert isinstance(queued, array) and isinstance(remembered, array)
    assert isinstance(walls, array) and isinstance(quiet, array)
    print(f"event loop, a half hour's changes (~100 records): recording (queueing), CPU: {ms(queued)}")
    print(f"event loop, a half hour's changes: the refresher's memory of the series, CPU: {ms(remembered)}")
    print(f"event loop, a half hour's changes, both, by the wall clock: {ms(walls)}")
    print(f"event loop, a 30-second poll that changed nothing, both, CPU: {ms(quiet)}")
    print(f"writer thread, a poll of both lists that changed nothing: {result['unchanged']:.4f} s")
    assert end.size < 50
    # Flat (see ``MARKS``): once the series in memory hold their 30 days, nothing grows.
    assert abs(end.held - full.held) < 0.01 * full.held
    assert end.blocks - full.blocks < 0.01 * full.blocks  # fewer is no growth (seen: -1.1%)
    assert traced_growth < 1.0
    assert rss_growth < 0.05 * full.rss  # seen: +1.4 MB of 52.5 (SQLite's page caches filling up)
    assert statistics.median(queued) < 1e-3


def test_the_worst_case_keeps_the_detail_within_its_allowance() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        result = worst_case(Path(tmp) / "ws.sqlite3")
    print(
        f"worst case, every series changed at every poll for 3 h: at most {result['most']} points kept "
        f"(allowance {result['allowance']}, bound {result['bound']}), {result['mb']:.1f} MB"
    )
    assert result["most"] <= result["bound"]  # type: ignore[operator]


if __name__ == "__main__":
    if "--worst" in sys.argv:
        test_the_worst_case_keeps_the_detail_within_its_allowance()
    else:
        test_a_simulated_year_stays_under_50_mb_with_flat_memory()
