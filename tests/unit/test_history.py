"""The local history on real SQLite files: what it keeps, where a point goes in time, how it thins out
old days, and what becomes of it when the file is old, shared, damaged or locked."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from processes import run_together
from store_files import corrupt_pages, lock_held

from okrt_tui.api.models import KeyResult, Kpi, Okr
from okrt_tui.store.cache import Cache, CachedBody
from okrt_tui.store.db import MIGRATIONS, Database
from okrt_tui.store.history import (
    DAY,
    KPI,
    KR_PROGRESS,
    KR_VALUE,
    OKR_HEALTH,
    OKR_PROGRESS,
    History,
    Observation,
    Point,
    Recent,
    seen_kpis,
)
from okrt_tui.store.outbox import Outbox
from okrt_tui.sync.refresher import KEEP, MAX_POINTS
from okrt_tui.views.projection import project
from okrt_tui.views.sparkline import recent_values
from okrt_tui.views.trend import WEEK, change_since

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z
ISO_T0 = "2027-01-15T08:00:00Z"


def kpi(value: float, *, status: str = "on_track", updated: str | None = None) -> Kpi:
    return Kpi(id="k-1", name="Signups", current=value, target=100, status=status, last_updated=updated)


def okr(progress: float, health: int, status: str = "on_track", kr: float | None = None) -> Okr:
    key_results = None if kr is None else (KeyResult(id="r-1", current=kr, progress=kr / 10),)
    return Okr(id="o-1", progress=progress, health_score=health, status=status, key_results=key_results)


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(Database(tmp_path / "ws.sqlite3"))


def stored(history: History, kind: str, entity: str) -> list[tuple[float, float, str | None, bool]]:
    assert history.flush()
    return [(o.at, o.value, o.status, o.posted) for o in history.observations(kind, entity)]


def test_a_value_polled_again_unchanged_adds_no_row_and_a_status_change_adds_one(history: History) -> None:
    for i, (value, status) in enumerate(
        [(40, "on_track"), (40, "on_track"), (41, "on_track"), (41, "at_risk")]
    ):
        history.record_poll("kpis", (kpi(value, status=status),), T0 + 30 * i)
    assert stored(history, KPI, "k-1") == [
        (T0, 40, "on_track", False),
        (T0 + 60, 41, "on_track", False),
        (T0 + 90, 41, "at_risk", False),  # the KPI crossed a status line: a report can tell when
    ]


def test_an_objective_keeps_its_progress_and_health_apart_and_its_key_results_when_given(
    history: History,
) -> None:
    history.record_poll("okrs", (okr(0.5, 70, kr=3),), T0)
    history.record_poll("okrs", (okr(0.5, 68, kr=3),), T0 + 30)  # health drifts as time passes
    history.record_poll("okrs", (okr(0.6, 68, "at_risk", kr=4),), T0 + 60)
    history.record_poll("okrs", (okr(0.6, 68, "at_risk"),), T0 + 90)  # served --strict: no key results
    assert stored(history, OKR_PROGRESS, "o-1") == [
        (T0, 0.5, "on_track", False),
        (T0 + 60, 0.6, "at_risk", False),
    ]
    assert history.series(OKR_HEALTH, "o-1") == [Point(T0, 70), Point(T0 + 30, 68)]
    assert history.series(KR_VALUE, "r-1") == [Point(T0, 3), Point(T0 + 60, 4)]
    assert history.series(KR_PROGRESS, "r-1") == [Point(T0, 0.3), Point(T0 + 60, 0.4)]


def test_a_kpi_point_is_placed_at_its_own_last_updated_when_it_can_be(history: History) -> None:
    hours_ago = "2027-01-15T01:00:00Z"  # T0 - 7 h: the value was set then, not when first seen
    history.record_poll("kpis", (kpi(1, updated=hours_ago),), T0)
    history.record_poll("kpis", (kpi(2, updated="2027-01-15T09:00:00Z"),), T0 + 60)  # 1 h ahead: future
    history.record_poll("kpis", (kpi(3, updated="yesterday"),), T0 + 90)  # cannot be read
    history.record_poll("kpis", (kpi(4, updated=hours_ago),), T0 + 120)  # before the last point
    history.record_poll("kpis", (kpi(5, updated="2027-01-15T08:02:30+00:00"),), T0 + 180)
    assert history.flush()
    assert [p.at for p in history.series(KPI, "k-1")] == [T0 - 7 * 3600, T0 + 60, T0 + 90, T0 + 120, T0 + 150]


def test_the_memory_of_the_dashboard_places_points_as_the_store_does(history: History) -> None:
    recent = Recent((KPI,), limit=3)
    polls = [(1, "2027-01-15T01:00:00Z"), (1, None), (2, "2027-01-15T09:00:00Z"), (3, None), (4, ISO_T0)]
    for i, (value, updated) in enumerate(polls):
        recent.add(seen_kpis([kpi(value, updated=updated)]), T0 + 60 * i)
        history.record_poll("kpis", (kpi(value, updated=updated),), T0 + 60 * i)
    history.flush()
    assert recent.of(KPI)["k-1"] == tuple(history.series(KPI, "k-1")[-3:])  # bounded, oldest dropped


def test_the_memory_lets_go_of_what_no_screen_reads_and_the_screens_show_the_same() -> None:
    """With a local history, a series in memory holds the last 30 days (and the value in force when
    they began) and at least the sparkline's values: its size follows how often it changes, not the
    session's age; the list's cells read from it are those read from every point seen."""
    kept, everything = Recent((KPI,), MAX_POINTS, KEEP), Recent((KPI,), MAX_POINTS)

    def same_cells(current: float, now: float) -> None:
        points, every = kept.of(KPI)["k-1"], everything.of(KPI)["k-1"]
        assert recent_values(points, current) == recent_values(every, current)
        week = now - WEEK
        assert change_since(points, current, week, "increase") == change_since(
            every, current, week, "increase"
        )
        assert project(points, current, 2000, "increase", now) == project(
            every, current, 2000, "increase", now
        )

    now = T0
    for step in range(200):  # every 6 hours for 50 days, steadily up: projected
        now += 6 * 3600
        value = 1000 + step * 3 + step % 2
        for recent in (kept, everything):
            recent.add(seen_kpis([kpi(value)]), now)
        same_cells(value, now)
    quick = kept.of(KPI)["k-1"]
    assert quick[1].at > now - 30 * DAY >= quick[0].at  # the one in force 30 days ago, then the rest
    assert len(quick) == 121 and len(everything.of(KPI)["k-1"]) == 200
    for step in range(30):  # then every 9 days: fewer than the sparkline's 16 in 30 days
        now += 9 * DAY
        value = 1600 + step * 20
        for recent in (kept, everything):
            recent.add(seen_kpis([kpi(value)]), now)
        same_cells(value, now)
    assert len(kept.of(KPI)["k-1"]) == 16 and len(everything.of(KPI)["k-1"]) == 230


def test_a_write_of_this_app_keeps_the_value_it_replaced_and_is_marked_posted(history: History) -> None:
    history.record_poll("kpis", (kpi(40, updated=ISO_T0),), T0 + 10)
    # Someone set 45 unseen; this app wrote 50 over it (the server's answer says 45 was replaced).
    history.record_post("k-1", 45, 50, T0 + 100)
    history.record_poll("kpis", (kpi(50, status="at_risk", updated="2027-01-15T08:01:40Z"),), T0 + 130)
    history.record_post("k-1", 50, 50, T0 + 200)
    assert stored(history, KPI, "k-1") == [
        (T0, 40, "on_track", False),
        (T0 + 100 - 0.001, 45, None, False),
        (T0 + 100, 50, "at_risk", True),  # the status the next list gave, on the same point
        (T0 + 200, 50, None, True),
    ]
    assert history.posted() == {"k-1": (T0 + 100, T0 + 200)}
    assert history.posted("k-2") == {}


def test_recent_loads_the_last_points_and_the_value_a_week_ago_of_every_series(history: History) -> None:
    for day in range(20):
        history.record_poll("kpis", (kpi(day),), T0 + day * DAY)
        history.record_poll("kpis", (Kpi(id="k-2", current=-day, last_updated=None),), T0 + day * DAY)
    history.flush()
    now = T0 + 19 * DAY + 60
    recent = history.recent(KPI, now, points=3, days=7)
    assert [p.value for p in recent["k-1"]] == [12, 17, 18, 19]  # 7 days back, then the last three
    assert [p.value for p in recent["k-2"]] == [-12, -17, -18, -19]
    assert history.changes(KPI, T0 + 18 * DAY - 1)["k-2"] == [
        Observation(T0 + 17 * DAY, -17, None, False),  # the state then
        Observation(T0 + 18 * DAY, -18, None, False),
        Observation(T0 + 19 * DAY, -19, None, False),
    ]


def test_after_90_days_a_series_keeps_the_last_point_of_each_day_and_the_posted_ones(tmp_path: Path) -> None:
    history = History(Database(tmp_path / "ws.sqlite3"))
    start = T0 - T0 % DAY  # midnight UTC
    value = 0
    for day in range(93):
        for hour in (1, 7, 13, 19):
            value += 1
            history.record_poll("kpis", (kpi(value),), start + day * DAY + hour * 3600)
        history.flush()  # a day of polls, stored before the next (downsampling runs once an hour)
    history.record_post("k-1", None, 500, start + 2 * DAY + 3600 * 2)  # this app's write, day 2
    history.record_poll("kpis", (kpi(1000),), start + 93 * DAY + 7200)  # 91 days after day 2 ended
    points = stored(history, KPI, "k-1")
    old = [p for p in points if p[0] < start + 3 * DAY]
    assert old == [
        (start + 0 * DAY + 19 * 3600, 4, "on_track", False),
        (start + 1 * DAY + 19 * 3600, 8, "on_track", False),
        (start + 2 * DAY + 2 * 3600, 500, None, True),
        (start + 2 * DAY + 19 * 3600, 12, "on_track", False),
    ]
    assert len([p for p in points if p[0] >= start + 3 * DAY]) == 90 * 4 + 1  # the last 90 days whole


def test_whatever_the_rate_of_change_the_detail_kept_stays_within_its_allowance(tmp_path: Path) -> None:
    history = History(Database(tmp_path / "ws.sqlite3"), max_detail=100)
    kpis = 10
    for poll in range(360):  # three hours of every KPI changing at every 30-second poll
        history.record_poll(
            "kpis", tuple(Kpi(id=f"k-{k}", current=poll) for k in range(kpis)), T0 + 30 * poll
        )
        if poll % 10 == 9:
            assert history.flush()
    points = [p for k in range(kpis) for p in history.series(KPI, f"k-{k}")]
    # The allowance, and at most an hour of writes since the last thinning (it runs hourly).
    assert 100 <= len(points) <= 100 + 120 * kpis
    assert min(p.at for p in points) > T0 + 3600  # the newest kept, whole
    assert {p.value for p in points if p.at >= T0 + 359 * 30} == {359}


@pytest.mark.parametrize("version", range(len(MIGRATIONS)))
def test_a_file_of_every_earlier_schema_gains_the_history_and_keeps_what_it_held(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "ws.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, migration in enumerate(MIGRATIONS[:version], start=1):
        conn.executescript(f"BEGIN; {migration}; PRAGMA user_version={number}; COMMIT;")
    if version >= 1:
        conn.execute("INSERT INTO cache (feed, body, fetched_at) VALUES ('kpis', x'5b5d', 5.0)")
    conn.close()
    db = Database(path)
    assert db.read("PRAGMA user_version") == [(len(MIGRATIONS),)] and db.moved_aside is None
    if version >= 1:
        assert Cache(db).load("kpis") == CachedBody(b"[]", 5.0)
    history = History(db)
    history.record_poll("kpis", (kpi(7),), T0)
    assert stored(history, KPI, "k-1") == [(T0, 7, "on_track", False)]
    Outbox(db).add("kpi_update", "k-1", "8", now=T0)  # the outbox of migration 3 is there too
    assert db.notices == ()


_WRITER = """
import json, random, sys
from datetime import UTC, datetime
from pathlib import Path
from okrt_tui.api.models import Kpi, Okr
from okrt_tui.store.db import Database
from okrt_tui.store.history import History

db = Database(Path(sys.argv[1]))
history = History(db, lock_wait=30)
base = 1_800_000_000
jitter = random.Random()  # each process polls at moments of its own, the same values
for i in range(120):
    at = base + 30 * i + jitter.uniform(0, 7)

    def stamp(k):  # even KPIs say when their value was set (before any poll shows it), odd ones do not
        value_set = base + 120 * ((i + k) // 4) - 30 * k - 10
        return None if k % 2 else datetime.fromtimestamp(value_set, UTC).isoformat()

    kpis = tuple(Kpi(id=f"k-{k}", current=(i + k) // 4, status="on_track" if i % 40 < 20 else "at_risk",
                     last_updated=stamp(k)) for k in range(20))
    okrs = tuple(Okr(id=f"o-{o}", progress=i // 6 / 100, health_score=50 + i // 5, status="on_track")
                 for o in range(20))
    history.record_poll("kpis", kpis, at)
    history.record_poll("okrs", okrs, at)
    if i % 10 == 0:
        history.flush()  # let the others in between
history.close()
print(json.dumps(list(db.notices)))
"""


def test_three_processes_recording_the_same_changes_store_each_once(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    Database(path).close()
    notices = run_together(_WRITER, [str(path)], count=3)
    assert notices == [[], [], []]
    history = History(Database(path))
    for k in range(20):
        values = [p.value for p in history.series(KPI, f"k-{k}")]
        # Each value once, in order; statuses flip at 20, 40, ... (status changes add a point too).
        assert [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v] == list(
            range(k // 4, (119 + k) // 4 + 1)
        )
        observations = history.observations(KPI, f"k-{k}")
        changes = {(o.value, o.status) for o in observations}
        assert len(changes) == len(observations)  # no change twice
    assert [p.value for p in history.series(OKR_PROGRESS, "o-3")] == [i / 100 for i in range(20)]
    assert [p.value for p in history.series(OKR_HEALTH, "o-3")] == list(range(50, 74))


def test_a_damaged_file_costs_the_history_never_the_app_and_it_is_said_once(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    db = Database(path)
    history = History(db)
    for i in range(300):
        history.record_poll("kpis", (Kpi(id=f"k-{i}", current=i, name="x" * 200),), T0)
    history.close()
    db.close()
    corrupt_pages(path)
    db = Database(path)  # its first page is whole: it opens, and meets the damage only when it reads
    history = History(db)
    for i in range(3):
        history.record_poll("kpis", (kpi(i),), T0 + 30 * (i + 1))
        assert history.flush()
    assert history.series(KPI, "k-1") == []
    (notice,) = db.notices
    assert str(path) in notice and "local history" in notice and "damaged" in notice
    history.close()


def test_a_locked_file_loses_the_changes_meanwhile_says_so_once_and_recording_resumes(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    db = Database(path)
    Cache(db).save("okrs", b"[]", 1.0)
    history = History(db, lock_wait=0.05)
    history.record_poll("kpis", (kpi(1),), T0)
    assert history.flush()
    with lock_held(path, exclusive=False):
        for i in range(2, 5):
            history.record_poll("kpis", (kpi(i),), T0 + 30 * i)
            assert history.flush()
    history.record_poll("kpis", (kpi(5),), T0 + 150)
    assert history.flush()
    assert history.series(KPI, "k-1") == [Point(T0, 1), Point(T0 + 150, 5)]
    (notice,) = db.notices
    assert "local history" in notice and "locked" in notice
    history.close()
