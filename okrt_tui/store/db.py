"""The local SQLite database of one workspace: one file, WAL, versioned schema.

Later issues add history and the outbox as new migrations; each migration runs once, in order, inside
a transaction, and ``PRAGMA user_version`` records how far a file has come. A file that SQLite cannot
read (truncated, overwritten, from a newer okrt-tui) is moved aside rather than deleted, so nothing
the user may want is lost, and a fresh database takes its place.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE cache (
        feed TEXT PRIMARY KEY,
        body BLOB NOT NULL,
        fetched_at REAL NOT NULL
    );
    CREATE TABLE remembered_review (
        review_id TEXT PRIMARY KEY,
        employee TEXT,
        type TEXT,
        shared_at TEXT,
        remembered_at REAL NOT NULL
    );
    """,
    """
    CREATE TABLE kpi_direction (
        kpi_id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('lower', 'higher')),
        learned_at REAL NOT NULL
    );
    """,
)


class Database:
    """An open database file; ``moved_aside`` names the unreadable file it replaced, if any."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.moved_aside: Path | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = self._open(path)
        except sqlite3.DatabaseError as exc:
            self.moved_aside = path.with_name(f"{path.name}.unreadable-{int(time.time())}")
            log.warning(
                "local database %s is unreadable (%s); moved aside to %s", path, exc, self.moved_aside
            )
            path.replace(self.moved_aside)
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            self.conn = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=5000")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise sqlite3.DatabaseError(f"schema version {version} is newer than this okrt-tui knows")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                conn.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        self.conn.close()
