"""The local SQLite database of one workspace: one file, WAL, versioned schema.

The cache, the outbox (``store.outbox``) and the local history (``store.history``) are its migrations;
each runs once, in order, inside a transaction, and ``PRAGMA user_version`` records how far a file has
come.

The database is a convenience (a cache and a few remembered ids), so a problem with it costs its
contents, never the app; ``read`` and ``write`` handle every SQLite failure the same way, at open or
mid-session, by what it is rather than by its exception class (a locked file raises the same
``OperationalError`` as many others):

- unreadable (corrupt pages, not a database, from a newer okrt-tui): the file is moved aside with the
  ``-wal`` and ``-shm`` beside it (``*.unreadable-<time>``), never deleted, and a fresh file takes its
  place. Corrupt pages are found by the first statement that reads them (SQLite answers
  ``SQLITE_CORRUPT``), at start-up or later: checking the whole file at every open (``PRAGMA
  quick_check``) cost 1-9 ms per start for a 1 MB cache, to find the same pages a little sooner;
- locked by another program past a short wait, or not writable (read-only file, another user's): the
  file is left alone, and the session works on a copy of it in memory, so what it held is still shown
  and nothing is saved;
- anything else (disk full, I/O errors): the same copy in memory.

Each is said once, in the log and in ``notices`` (the dashboard shows them).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

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
    # The outbox (okrt_tui.store.outbox): writes stored before they are sent.
    """
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        target_id TEXT NOT NULL,
        target_label TEXT NOT NULL DEFAULT '',
        value TEXT NOT NULL,
        status TEXT,
        comment TEXT,
        state TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner TEXT,
        lease_until REAL,
        sent_at REAL,
        reason TEXT,
        result BLOB
    );
    CREATE INDEX outbox_by_state ON outbox (state, id);
    CREATE TABLE remembered_key_result (
        okr_id TEXT PRIMARY KEY,
        kr_id TEXT NOT NULL,
        remembered_at REAL NOT NULL
    );
    """,
    # The local history (okrt_tui.store.history): one row per change of a value seen. Points are kept
    # by (series, at) without a rowid (no second copy of the key in an index), and REAL columns store
    # whole numbers in as few bytes as an integer needs: a point takes ~25 bytes.
    """
    CREATE TABLE history_series (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        entity TEXT NOT NULL,
        last_at REAL,
        last_value REAL,
        last_status TEXT,
        UNIQUE (kind, entity)
    );
    CREATE TABLE history_point (
        series INTEGER NOT NULL,
        at REAL NOT NULL,
        value REAL NOT NULL,
        status TEXT,
        posted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (series, at)
    ) WITHOUT ROWID;
    CREATE INDEX history_posted ON history_point (series, at) WHERE posted = 1;
    CREATE TABLE history_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # Monitors that poll as one (okrt_tui.sync.shared): what the polling one last saw, per group.
    """
    CREATE TABLE poll_state (
        poller TEXT PRIMARY KEY,
        body BLOB NOT NULL,
        written_at REAL NOT NULL
    );
    """,
)

#: Seconds opening waits for another process's lock: at start-up, before the screen exists.
OPEN_WAIT = 1.0
#: Seconds a later statement waits for a lock. It runs on the event loop, so the screen stands still
#: meanwhile; two dashboards' writes are one row each and hold the lock for milliseconds.
STATEMENT_WAIT = 0.5

T = TypeVar("T")
Row = tuple[Any, ...]


class Unreadable(sqlite3.DatabaseError):
    """A file SQLite opens but okrt-tui cannot use: it is from a newer okrt-tui."""


class Trouble(enum.Enum):
    UNREADABLE = "unreadable"
    LOCKED = "locked"
    READ_ONLY = "read-only"
    FAILED = "failed"


#: SQLite's primary result codes (the low byte of an extended code), by what they mean for the file.
_TROUBLES = {
    3: Trouble.READ_ONLY,  # SQLITE_PERM
    5: Trouble.LOCKED,  # SQLITE_BUSY
    6: Trouble.LOCKED,  # SQLITE_LOCKED
    8: Trouble.READ_ONLY,  # SQLITE_READONLY
    11: Trouble.UNREADABLE,  # SQLITE_CORRUPT
    14: Trouble.READ_ONLY,  # SQLITE_CANTOPEN: the file or its -wal/-shm cannot be opened for writing
    26: Trouble.UNREADABLE,  # SQLITE_NOTADB
}


def trouble_of(exc: BaseException) -> Trouble:
    if isinstance(exc, Unreadable):
        return Trouble.UNREADABLE
    code = getattr(exc, "sqlite_errorcode", None)
    return _TROUBLES.get(code & 0xFF, Trouble.FAILED) if isinstance(code, int) else Trouble.FAILED


class Stage(enum.Enum):
    FILE = "file"
    MEMORY = "memory"  # a copy of the file in memory: shown, not saved
    BLANK = "blank"  # an empty database in memory: the last resort


class Database:
    """An open database that never raises a SQLite error at its users (see the module's docstring).

    ``moved_aside`` names the unreadable file it replaced, if any; ``stage`` says where data lives now.
    Use ``read`` and ``write`` rather than ``conn``: the connection changes when the file fails.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.moved_aside: Path | None = None
        self.stage = Stage.FILE
        self._notices: tuple[str, ...] = ()
        self._saying = threading.Lock()
        self._inode: int | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = self._open_file(OPEN_WAIT)
        except (sqlite3.Error, OSError) as exc:
            self.conn = self._replacement(exc)

    @property
    def notices(self) -> tuple[str, ...]:
        """One sentence per problem met so far, oldest first, each saying what was done about it."""
        return self._notices

    def read(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        return self._run(lambda conn: conn.execute(sql, params).fetchall())

    def write(self, sql: str, params: Sequence[object] = ()) -> None:
        self._run(lambda conn: conn.execute(sql, params))

    def write_many(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self._run(lambda conn: conn.executemany(sql, rows))

    def close(self) -> None:
        self.conn.close()

    def _run(self, statement: Callable[[sqlite3.Connection], T]) -> T:
        while True:
            try:
                return statement(self.conn)
            except sqlite3.Error as exc:
                if self.stage is Stage.BLANK:
                    raise  # an empty database in memory failed: a bug in the statement, not the file
                with contextlib.suppress(sqlite3.Error):
                    self.conn.close()
                self.conn = self._replacement(exc)

    def _open_file(self, wait: float) -> sqlite3.Connection:
        conn, self._inode = connect_file(self.path, wait)
        try:
            conn.execute(f"PRAGMA busy_timeout={int(STATEMENT_WAIT * 1000)}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _replacement(self, exc: sqlite3.Error | OSError) -> sqlite3.Connection:
        """A connection to go on with after ``exc``, one step down: a fresh file (once, for an
        unreadable one), a copy in memory, an empty database in memory."""
        trouble = trouble_of(exc)
        if self.stage is Stage.FILE and trouble is Trouble.UNREADABLE and self.moved_aside is None:
            try:
                self._move_aside()
                conn = self._open_file(STATEMENT_WAIT)
            except (sqlite3.Error, OSError) as again:
                exc, trouble = again, trouble_of(again)
            else:
                aside = f"moved aside to {self.moved_aside}" if self.moved_aside else "moved aside"
                self._say(
                    f"The local database {self.path} could not be read ({exc}); it was {aside} and a "
                    "fresh one started: the lists come back from the server, and the history starts "
                    "again.",
                    exc,
                )
                return conn
        if self.stage is Stage.FILE:
            self.stage = Stage.MEMORY
            copy = None if trouble is Trouble.UNREADABLE else self._copy_into_memory()
            self._say(_memory_sentence(self.path, trouble, exc, copied=copy is not None), exc)
            if copy is not None:
                return copy
        else:
            log.error("the local database's copy in memory failed (%s); going on with an empty one", exc)
        self.stage = Stage.BLANK
        return _in_memory()

    def _move_aside(self) -> None:
        """Moves the file and its -wal and -shm aside together, so SQLite can still open the set.
        Unless another process already did it (the inode differs): it is that process's fresh file."""
        try:
            if self._inode is not None and os.stat(self.path).st_ino != self._inode:
                return
        except FileNotFoundError:
            return  # another process moved it aside already
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
        self.path.replace(aside)
        self.moved_aside = aside
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                self.path.with_name(self.path.name + suffix).replace(aside.with_name(aside.name + suffix))

    def _copy_into_memory(self) -> sqlite3.Connection | None:
        """What the file holds, in memory (through a read-only connection, which neither waits for
        nor takes a writer's lock); None when it cannot be read either."""
        memory = _in_memory(migrate=False)
        try:
            source = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True, timeout=0.1)
            try:
                # A read transaction first: it fails at once if the file cannot be read, where
                # ``backup`` would wait for a busy file forever.
                source.execute("BEGIN")
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()
                source.backup(memory)
            finally:
                source.close()
            _migrate(memory)
        except sqlite3.Error as exc:
            log.info("the local database %s cannot be copied into memory either: %s", self.path, exc)
            memory.close()
            return None
        return memory

    def _say(self, sentence: str, exc: BaseException) -> None:
        self.say(sentence, exc)

    def say(self, sentence: str, exc: BaseException) -> None:
        """Adds a notice (the local history says its own problems here too, from its writer thread)."""
        log.warning("%s [%s: %s]", sentence, type(exc).__name__, exc)
        with self._saying:
            self._notices = (*self._notices, sentence)


def connect_file(path: Path, wait: float) -> tuple[sqlite3.Connection, int]:
    """A connection to the file at ``path``, made whole (WAL, every migration), and the file's inode,
    by which its user sees whether the file was moved aside and replaced since. The database and the
    history (its own connection, in its writer thread) both open the file this way, so a fresh file
    either of them meets is made the same."""
    conn = sqlite3.connect(path, timeout=wait, isolation_level=None, check_same_thread=False)
    try:
        inode = os.stat(path).st_ino
        conn.execute("PRAGMA journal_mode=WAL")
        # No fsync per commit (WAL keeps the file consistent; a power cut may lose the last saves
        # of a cache): a save holds the write lock ~0.05 ms instead of ~7, so two dashboards never
        # wait out STATEMENT_WAIT, and the event loop is not held by the disk.
        conn.execute("PRAGMA synchronous=NORMAL")
        _migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn, inode


def _memory_sentence(path: Path, trouble: Trouble, exc: BaseException, *, copied: bool) -> str:
    kept = "keeps a copy of it in memory" if copied else "keeps its cache in memory"
    go_on = f"this session {kept} and saves nothing to it"
    if trouble is Trouble.LOCKED:
        return f"The local database {path} is locked by another program; {go_on}."
    if trouble is Trouble.READ_ONLY:
        return (
            f"The local database {path} cannot be written ({exc}); {go_on}. "
            "Make it writable, or remove it, to save again."
        )
    if trouble is Trouble.UNREADABLE:
        return f"The local database {path} could not be read ({exc}) nor moved aside; {go_on}."
    return f"The local database {path} failed ({exc}); {go_on}."


def _migrate(conn: sqlite3.Connection) -> None:
    """Runs the migrations this file lacks. Two dashboards opening a new file at once both see it at
    version 0; the second waits for the first's lock, then finds its tables already made: it reads the
    version again and goes on from there, rather than taking the error for a broken file."""
    while (version := _version(conn)) < len(MIGRATIONS):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE; {MIGRATIONS[version]}; PRAGMA user_version={version + 1}; COMMIT;"
            )
        except sqlite3.OperationalError:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if _version(conn) == version:
                raise
    if version > len(MIGRATIONS):
        raise Unreadable(f"its schema version {version} is newer than this okrt-tui knows")


def _version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _in_memory(*, migrate: bool = True) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    if migrate:
        _migrate(conn)
    return conn
