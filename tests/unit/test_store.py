"""The local database: the cache survives restarts, and an unreadable file loses nothing."""

from pathlib import Path

from okrt_tui.api.models import ReviewSummary
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
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
