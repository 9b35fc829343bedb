"""The local database: the cache survives restarts, and an unreadable file loses nothing."""

import sqlite3
from pathlib import Path

from okrt_tui.api.models import ReviewSummary
from okrt_tui.store.cache import Cache, CachedBody
from okrt_tui.store.db import MIGRATIONS, Database
from okrt_tui.store.directions import RememberedDirections
from okrt_tui.store.reviews import RememberedReviews


def test_cached_body_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    db = Database(path)
    Cache(db).save("okrs", b'[{"id": "1"}]', 1000.0)
    Cache(db).save("okrs", b'[{"id": "2"}]', 2000.0)
    db.close()
    cached = Cache(Database(path)).load("okrs")
    assert cached is not None
    assert (cached.body, cached.fetched_at) == (b'[{"id": "2"}]', 2000.0)
    assert Cache(Database(path)).load("kpis") is None


def test_unreadable_database_is_moved_aside_not_deleted(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    garbage = b"this is not a database, but it might be someone's data" * 100
    path.write_bytes(garbage)
    db = Database(path)
    assert db.moved_aside is not None
    assert db.moved_aside.read_bytes() == garbage
    Cache(db).save("kpis", b"[]", 1.0)
    assert Cache(db).load("kpis") is not None


def test_database_from_a_newer_version_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    db = Database(path)
    db.conn.execute("PRAGMA user_version = 99")
    db.close()
    again = Database(path)
    assert again.moved_aside is not None


def test_remembered_reviews_come_back_newest_first(tmp_path: Path) -> None:
    reviews = RememberedReviews(Database(tmp_path / "ws.sqlite3"))
    reviews.remember("r-1", ReviewSummary(review_id="r-1", employee="Sarah Chen", type="self"))
    reviews.remember("r-2", ReviewSummary(review_id="r-2", employee="Omar Haddad", type="360"))
    reviews.remember("r-1", ReviewSummary(review_id="r-1", employee="Sarah Chen", type="self"))
    assert [(r.id, r.employee) for r in reviews.all()] == [("r-1", "Sarah Chen"), ("r-2", "Omar Haddad")]


def test_remembered_directions_survive_reopening_and_are_replaced_per_kpi(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    db = Database(path)
    RememberedDirections(db).remember({"k-bugs": "lower", "k-users": "higher"})
    RememberedDirections(db).remember({})
    db.close()
    again = Database(path)
    directions = RememberedDirections(again)
    assert directions.all() == {"k-bugs": "lower", "k-users": "higher"}
    directions.remember({"k-bugs": "higher"})
    assert directions.all() == {"k-bugs": "higher", "k-users": "higher"}


def test_a_database_of_the_first_schema_gains_the_directions_and_keeps_its_cache(tmp_path: Path) -> None:
    path = tmp_path / "ws.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version=1; COMMIT;")
    conn.execute("INSERT INTO cache (feed, body, fetched_at) VALUES ('kpis', x'5b5d', 5.0)")
    conn.commit()
    conn.close()
    db = Database(path)
    assert db.moved_aside is None
    assert Cache(db).load("kpis") == CachedBody(b"[]", 5.0)
    RememberedDirections(db).remember({"k": "lower"})
    assert RememberedDirections(db).all() == {"k": "lower"}
