"""The local database under real faults of its file: a problem costs the cache, never the app, and a
file is moved aside only when it is unreadable, never when it is merely locked or read-only."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import ROOT, run_together
from store_files import corrupt_pages, lock_held, migrating, unwritable

from okrt_tui.store import db as store_db
from okrt_tui.store.cache import Cache, CachedBody
from okrt_tui.store.db import Database, Stage
from okrt_tui.store.directions import RememberedDirections
from okrt_tui.store.reviews import RememberedReviews

BODY = bytes(range(256)) * 400  # ~100 KB: a list's worth, over many pages


def filled(path: Path) -> Path:
    """A healthy database file holding three cached lists, closed (its WAL folded into it)."""
    db = Database(path)
    for feed in ("okrs", "kpis", "cycles"):
        Cache(db).save(feed, BODY, 1000.0)
    db.close()
    return path


def body(db: Database, feed: str) -> bytes | None:
    cached = Cache(db).load(feed)
    return cached.body if cached else None


def aside_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if ".unreadable-" in p.name)


def test_corrupt_data_pages_are_moved_aside_and_a_fresh_database_starts(tmp_path: Path) -> None:
    path = filled(tmp_path / "ws.sqlite3")
    corrupted = corrupt_pages(path)
    db = Database(path)
    assert RememberedReviews(db).all() == ()  # before: "database disk image is malformed", every start
    assert db.moved_aside is not None and db.moved_aside.read_bytes() == corrupted
    assert db.stage is Stage.FILE
    (notice,) = db.notices
    assert str(path) in notice and "moved aside" in notice and str(db.moved_aside) in notice
    assert Cache(db).load("okrs") is None
    Cache(db).save("okrs", b"[]", 2.0)
    db.close()
    again = Database(path)
    assert again.notices == () and Cache(again).load("okrs") is not None


def test_corruption_found_mid_session_costs_the_cache_not_the_app(tmp_path: Path) -> None:
    path = filled(tmp_path / "ws.sqlite3")
    db = Database(path)
    assert Cache(db).load("okrs") is not None
    corrupt_pages(path)
    # Another process writes to the file (as a second dashboard would): our connection's page cache is
    # stale from then on, so its next statement reads the corrupt pages from disk. The other process
    # keeps the file open, so its -wal and -shm are still there when the file is moved aside.
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA user_version = 1")
    try:
        assert Cache(db).load("okrs") is None  # before: DatabaseError, "database disk image is malformed"
        Cache(db).save("kpis", b"[1]", 2.0)
        assert Cache(db).load("kpis") is not None
    finally:
        other.close()
    assert db.moved_aside is not None and db.stage is Stage.FILE
    assert aside_files(path) == sorted(db.moved_aside.name + s for s in ("", "-shm", "-wal"))
    assert len(db.notices) == 1 and "malformed" in db.notices[0]


def test_a_file_locked_by_another_process_is_waited_for_then_left_alone(tmp_path: Path) -> None:
    path = filled(tmp_path / "ws.sqlite3")
    before = path.read_bytes()
    with lock_held(path, exclusive=True):
        started = time.monotonic()
        db = Database(path)  # before: moved aside after 5 s, and its -wal and -shm deleted
        waited = time.monotonic() - started
        assert aside_files(path) == [] and db.moved_aside is None
        (notice,) = db.notices
        assert "locked by another program" in notice
        Cache(db).save("okrs", b"[2]", 2.0)  # kept in memory for this session
        cached = Cache(db).load("okrs")
        assert cached is not None and cached.body == b"[2]"
    assert store_db.OPEN_WAIT <= waited < store_db.OPEN_WAIT + 1.5
    db.close()
    assert path.read_bytes() == before
    healthy = Database(path)
    assert healthy.notices == () and body(healthy, "okrs") == BODY


def test_a_write_lock_held_mid_session_costs_the_saves_not_the_file(tmp_path: Path) -> None:
    path = filled(tmp_path / "ws.sqlite3")
    with lock_held(path, exclusive=False):
        db = Database(path)  # WAL: reading goes on while another process writes
        assert db.notices == () and body(db, "okrs") == BODY
        started = time.monotonic()
        Cache(db).save("okrs", b"[2]", 2.0)  # before: OperationalError "database is locked" after 5 s
        first = time.monotonic() - started
        started = time.monotonic()
        Cache(db).save("kpis", b"[3]", 3.0)
        second = time.monotonic() - started
        assert db.stage is Stage.MEMORY and len(db.notices) == 1 and "locked" in db.notices[0]
        assert body(db, "okrs") == b"[2]"
        assert body(db, "cycles") == BODY  # copied from the file
    assert first < store_db.STATEMENT_WAIT + 1.0 and second < 0.1  # only the first save waited
    db.close()
    assert aside_files(path) == []
    assert body(Database(path), "okrs") == BODY


def test_a_file_that_cannot_be_written_is_read_and_kept_in_memory(tmp_path: Path) -> None:
    path = filled(tmp_path / "ws.sqlite3")
    before = path.read_bytes()
    with unwritable(path):
        db = Database(path)
        assert body(db, "okrs") == BODY
        Cache(db).save("okrs", b"[2]", 2.0)  # before: "attempt to write a readonly database"
        RememberedReviews(db).all()
        assert body(db, "okrs") == b"[2]"
        (notice,) = db.notices
        assert "cannot be written" in notice and str(path) in notice
        db.close()
    assert path.read_bytes() == before and aside_files(path) == []


_OTHER_USER = """
import json, sys
from pathlib import Path
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
db = Database(Path(sys.argv[1]))
loaded = Cache(db).load("okrs")
Cache(db).save("okrs", b"[2]", 2.0)
saved = Cache(db).load("okrs")
print(json.dumps({"loaded": len(loaded.body) if loaded else None, "saved": saved.body.decode(),
                  "stage": db.stage.value, "notices": db.notices}))
"""


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A folder another user can reach (pytest's own temporary folders are private to root)."""
    # Not in the per-test TMPDIR (tests/conftest.py), which is inside pytest's private folders too.
    folder = Path(tempfile.mkdtemp(prefix="okrt-store-", dir="/tmp" if Path("/tmp").is_dir() else None))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_another_users_file_costs_the_cache_not_the_session(public_dir: Path) -> None:
    """Really another user: root's file (mode 644, in root's folder) opened by ``nobody``."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to run as another user")
    path = filled(public_dir / "ws.sqlite3")
    as_nobody = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    run = subprocess.run(
        [*as_nobody, sys.executable, "-c", _OTHER_USER, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    if run.returncode and "Permission denied" in run.stderr and "okrt_tui" not in run.stderr:
        pytest.skip(f"user nobody cannot run this checkout's Python: {run.stderr[-200:]}")
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    # SQLite cannot read a WAL file without creating its -shm beside it, which nobody may not do in
    # root's folder: the session goes on with an empty cache in memory.
    assert seen["loaded"] is None and seen["saved"] == "[2]" and seen["stage"] == "blank"
    assert len(seen["notices"]) == 1 and "cannot be written" in seen["notices"][0]
    assert body(Database(path), "okrs") == BODY


_DASHBOARD = """
import json, os, sys
from pathlib import Path
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
db = Database(Path(sys.argv[1]))
mine = str(os.getpid())
seen = 0
for n in range(300):
    Cache(db).save(mine, str(n).encode() * 2000, float(n))
    Cache(db).save("shared", str(n).encode() * 2000, float(n))
    seen += Cache(db).load(mine).fetched_at == n
    Cache(db).load("shared")
print(json.dumps({"feed": mine, "seen": seen, "stage": db.stage.value, "notices": db.notices}))
"""


def test_two_dashboards_at_once_share_one_file(tmp_path: Path) -> None:
    """Two processes save and read the same file as fast as they can: no "database is locked"."""
    path = filled(tmp_path / "ws.sqlite3")
    results = run_together(_DASHBOARD, [str(path)])
    assert [(r["seen"], r["stage"], r["notices"]) for r in results] == [(300, "file", [])] * 2
    db = Database(path)
    assert [Cache(db).load(r["feed"]) for r in results] == [CachedBody(b"299" * 2000, 299.0)] * 2


def test_two_dashboards_creating_one_new_file_at_once_both_use_it(tmp_path: Path) -> None:
    """The second waits for the first's migration, then finds the tables made (before: "table cache
    already exists", taken for a failed file)."""
    path = tmp_path / "ws.sqlite3"
    opened: list[Database] = []
    with migrating(path):
        second = threading.Thread(target=lambda: opened.append(Database(path)))
        second.start()  # reads version 0, then waits for the first's write lock (up to OPEN_WAIT)
        time.sleep(store_db.OPEN_WAIT / 3)  # real time: SQLite's own busy wait, which no fake clock drives
    second.join()
    (db,) = opened
    assert db.stage is Stage.FILE and db.notices == ()
    Cache(db).save("okrs", b"[]", 1.0)
    assert body(Database(path), "okrs") == b"[]"


def test_every_part_of_the_store_follows_it_when_the_file_fails(tmp_path: Path) -> None:
    """Cache, remembered reviews and directions made before the file failed go on with its copy in
    memory (one holding the file's first connection would meet it closed)."""
    path = filled(tmp_path / "ws.sqlite3")
    with unwritable(path):
        db = Database(path)
        cache, directions = Cache(db), RememberedDirections(db)
        cache.save("okrs", b"[2]", 2.0)  # the file cannot be written: from here on, a copy in memory
        directions.remember({"kpi-1": "lower"})
        assert directions.all() == {"kpi-1": "lower"} and body(db, "okrs") == b"[2]"
        assert db.stage is Stage.MEMORY and len(db.notices) == 1
        db.close()
