"""The outbox: every write is stored here before it is sent, and each is sent at most once by itself.

The API has no idempotency key, so the hard part is never sending a write twice while never losing
one. A write moves through these states (``state`` in the table):

``queued``
    Stored, not sent. Anyone may claim it; it is sent in order, oldest first.
``claimed``
    One process has taken it (``owner``, ``lease_until``) and waits for room in the rate budget.
    Nothing has left the machine yet: if that process dies, the write goes back to ``queued``.
``sending``
    Marked in its own transaction just before the request goes on the wire. If the process dies now,
    nobody can know whether the server recorded it: on recovery it becomes ``unconfirmed``.
``unconfirmed``
    Sent, no answer. Never sent again by itself: the next KPI list (or key results, when the API gives
    them) can show it landed, else the person decides (``resend`` or ``drop``).
``delivered``
    The server's record is kept in ``result``.
``failed``
    The server refused it (a 4xx other than 429): sending it again would be refused again.

Claims happen in one ``BEGIN IMMEDIATE`` transaction (SQLite lets one writer in at a time), so two
processes flushing at once never take the same write. A claim holds a lease; a lease whose process is
gone (same host, its pid no longer runs) or has expired is recovered at the next claim.

Unlike the cache, the outbox is not a convenience: a write it cannot keep on disk must not be sent. So
it has its own connection to the workspace's file, waits longer for another process's lock, commits
with a full sync (a power cut cannot lose a write that went out), and never falls back to memory as the
cache does: a file it cannot use raises ``OutboxUnavailable``, one sentence saying why, nothing sent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import msgspec

from okrt_tui.api.errors import InvalidInput, OkrtError
from okrt_tui.store.db import Database, Stage, Trouble, trouble_of

log = logging.getLogger(__name__)

QUEUED, CLAIMED, SENDING, UNCONFIRMED, DELIVERED, FAILED = (
    "queued",
    "claimed",
    "sending",
    "unconfirmed",
    "delivered",
    "failed",
)
#: What a person still has to see or decide about: not yet delivered.
PENDING = (QUEUED, CLAIMED, SENDING, UNCONFIRMED, FAILED)
KINDS = ("checkin", "kpi_update")
LEASE = 300.0
"""Seconds a claim holds without its process being known dead: a budget wait plus retries fit in it."""
CONFIRM_SLACK = 30.0
"""Seconds by which the server's timestamp may precede our send and still confirm an unconfirmed write
(the two clocks differ; the budget's skew estimate is not at hand here)."""


class Entry(msgspec.Struct, frozen=True):
    """One write in the outbox, as stored."""

    id: int
    kind: str  # "checkin" | "kpi_update"
    target_id: str
    target_label: str  # what a person calls it: the KPI's name, the key result's title
    value: str  # the JSON number exactly as it will be sent ("41", "1234.5")
    status: str | None  # check-ins: the status chosen, or None to let the server derive it
    comment: str | None
    state: str
    created_at: float
    updated_at: float
    attempts: int
    sent_at: float | None
    reason: str | None
    result: bytes | None

    @property
    def number(self) -> float | int:
        value: float | int = msgspec.json.decode(self.value)
        return value


_COLUMNS = (
    "id, kind, target_id, target_label, value, status, comment, state, created_at, updated_at, "
    "attempts, sent_at, reason, result"
)


def _entry(row: Sequence[object]) -> Entry:
    values = list(row)
    blob = values[-1]
    if isinstance(blob, bytes | bytearray | memoryview):
        values[-1] = bytes(blob)
    return Entry(*values)  # type: ignore[arg-type]  # the columns in _COLUMNS are Entry's fields


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _gone(owner: str | None) -> bool:
    """True when ``owner`` is a process of this host that no longer runs."""
    if not owner:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


LOCK_WAIT = 5.0
"""Seconds the outbox waits for another process's lock (a claim holds it for milliseconds)."""

_WHY = {
    Trouble.LOCKED: "another program holds it locked; close that program, or try again in a moment",
    Trouble.READ_ONLY: "it cannot be written (check the file's and its folder's permissions)",
    Trouble.UNREADABLE: "it is damaged; okrt-tui moves a damaged file aside at its next start",
    Trouble.FAILED: "the disk refused it (full, or failing)",
}


class OutboxUnavailable(OkrtError):
    """The outbox's file cannot be used now: nothing was stored, nothing sent."""

    exit_code = 1


class Outbox:
    def __init__(self, db: Database, *, owner: str | None = None) -> None:
        self.path = db.path
        self._on_file = db.stage is Stage.FILE
        self._notices = db.notices
        self._conn: sqlite3.Connection | None = None
        self.owner = owner or this_process()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self._on_file:
                raise OutboxUnavailable(
                    f"Writes cannot be stored in {self.path}: {' '.join(self._notices)} Nothing was sent; "
                    "the outbox needs the file itself."
                )
            conn = sqlite3.connect(
                self.path, timeout=LOCK_WAIT, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA synchronous=FULL")  # each stored write on the disk before it is sent
            self._conn = conn
        return self._conn

    def _failed(self, exc: sqlite3.Error) -> OutboxUnavailable:
        log.warning("outbox in %s: %s", self.path, exc)
        return OutboxUnavailable(
            f"The outbox in {self.path} cannot be used: {_WHY[trouble_of(exc)]}. Nothing was stored or sent."
        )

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            return self._connection().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        try:
            yield conn
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise self._failed(exc) from None
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise self._failed(exc) from None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- adding -------------------------------------------------------------------------------------

    def add(
        self,
        kind: str,
        target_id: str,
        value: str,
        *,
        label: str = "",
        status: str | None = None,
        comment: str | None = None,
        now: float,
    ) -> Entry:
        """Stores one write as ``queued``; it is on disk when this returns."""
        return self.add_many([(kind, target_id, value, label, status, comment)], now=now)[0]

    def add_many(
        self, writes: Iterable[tuple[str, str, str, str, str | None, str | None]], *, now: float
    ) -> list[Entry]:
        """Stores many writes in one transaction: all of them, or (on an error) none."""
        ids = []
        with self._transaction() as conn:
            for kind, target_id, value, label, status, comment in writes:
                if kind not in KINDS:
                    raise ValueError(f"unknown write kind {kind!r}")
                cursor = conn.execute(
                    "INSERT INTO outbox (kind, target_id, target_label, value, status, comment, state, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (kind, target_id, label, value, status, comment, QUEUED, now, now),
                )
                ids.append(cursor.lastrowid)
        return [self.get(i) for i in ids if i is not None]  # type: ignore[misc]

    # -- reading ------------------------------------------------------------------------------------

    def get(self, entry_id: int) -> Entry | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,))
        return _entry(rows[0]) if rows else None

    def pending(self, now: float | None = None) -> list[Entry]:
        """Every write not delivered, oldest first (``now``: after recovering claims of processes
        that are gone, so a write left behind by a killed process shows as what it is)."""
        if now is not None:
            self.recover(now)
        marks = ", ".join("?" * len(PENDING))
        rows = self._query(f"SELECT {_COLUMNS} FROM outbox WHERE state IN ({marks}) ORDER BY id", PENDING)
        return [_entry(row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self._query("SELECT state, count(*) FROM outbox GROUP BY state")
        return {str(state): int(n) for state, n in rows}  # type: ignore[call-overload]

    # -- sending ------------------------------------------------------------------------------------

    def claim(self, now: float, *, up_to: int | None = None) -> Entry | None:
        """Takes the oldest queued write for this process (``up_to``: only ids up to that one), or None."""
        with self._transaction() as conn:
            self._recover(conn, now)
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE state = ? AND id <= ? ORDER BY id LIMIT 1",
                (QUEUED, up_to if up_to is not None else 2**62),
            ).fetchone()
            if row is None:
                return None
            entry = _entry(row)
            conn.execute(
                "UPDATE outbox SET state = ?, owner = ?, lease_until = ?, updated_at = ? WHERE id = ?",
                (CLAIMED, self.owner, now + LEASE, now, entry.id),
            )
        return msgspec.structs.replace(entry, state=CLAIMED, updated_at=now)

    def mark_sending(self, entry_id: int, now: float) -> None:
        """Right before the request goes out: from here on, a crash leaves the write unconfirmed."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, sent_at = ?, attempts = attempts + 1, lease_until = ?, "
                "updated_at = ? WHERE id = ? AND owner = ? AND state IN (?, ?)",
                (SENDING, now, now + LEASE, now, entry_id, self.owner, CLAIMED, SENDING),
            )

    def mark_unsent(self, entry_id: int, now: float) -> None:
        """The attempt surely recorded nothing (refused, 429, 500): back to claimed while it waits."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, updated_at = ? WHERE id = ? AND owner = ? AND state = ?",
                (CLAIMED, now, entry_id, self.owner, SENDING),
            )

    def finish(
        self, entry_id: int, state: str, now: float, *, reason: str | None = None, result: bytes | None = None
    ) -> None:
        """What became of a claimed write: delivered, failed, unconfirmed, or queued again."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE outbox SET state = ?, reason = ?, result = coalesce(?, result), owner = NULL, "
                "lease_until = NULL, updated_at = ? WHERE id = ? AND owner = ?",
                (state, reason, result, now, entry_id, self.owner),
            )

    def recover(self, now: float) -> None:
        """Claims whose process is gone or whose lease ran out: not sent yet → queued, sending →
        unconfirmed."""
        with self._transaction() as conn:
            self._recover(conn, now)

    def _recover(self, conn: sqlite3.Connection, now: float) -> None:
        rows = conn.execute(
            "SELECT id, state, owner, lease_until FROM outbox WHERE state IN (?, ?)", (CLAIMED, SENDING)
        ).fetchall()
        for entry_id, state, owner, lease_until in rows:
            if owner == self.owner or not (_gone(owner) or (lease_until or 0) < now):
                continue
            if state == CLAIMED:
                new, reason = QUEUED, None
            else:
                new = UNCONFIRMED
                reason = (
                    "The program sending it stopped before the server's answer came: it may or may not "
                    "have been recorded."
                )
            log.warning("outbox: write %d was %s by %s, which is gone; now %s", entry_id, state, owner, new)
            conn.execute(
                "UPDATE outbox SET state = ?, reason = coalesce(?, reason), owner = NULL, "
                "lease_until = NULL, updated_at = ? WHERE id = ?",
                (new, reason, now, entry_id),
            )

    # -- what a person decides ----------------------------------------------------------------------

    def resend(self, entry_id: int, now: float) -> Entry:
        """An unconfirmed or failed write goes back in the queue (the person accepted the risk)."""
        return self._move(entry_id, (UNCONFIRMED, FAILED), QUEUED, now)

    def confirm(self, entry_id: int, now: float, reason: str) -> Entry:
        """An unconfirmed write the server's data shows as recorded."""
        return self._move(entry_id, (UNCONFIRMED,), DELIVERED, now, reason)

    def drop(self, entry_id: int) -> Entry:
        """Removes a write that is not on its way (queued, unconfirmed or failed)."""
        with self._transaction() as conn:
            entry = self._check(conn, entry_id, (QUEUED, UNCONFIRMED, FAILED))
            conn.execute("DELETE FROM outbox WHERE id = ?", (entry_id,))
        return entry

    def edit(self, entry_id: int, value: str, comment: str | None, status: str | None, now: float) -> Entry:
        """Changes a queued write (one that has not gone anywhere yet)."""
        with self._transaction() as conn:
            self._check(conn, entry_id, (QUEUED,))
            conn.execute(
                "UPDATE outbox SET value = ?, comment = ?, status = ?, updated_at = ? WHERE id = ?",
                (value, comment, status, now, entry_id),
            )
        return self.get(entry_id)  # type: ignore[return-value]

    def _move(
        self, entry_id: int, allowed: tuple[str, ...], state: str, now: float, reason: str | None = None
    ) -> Entry:
        with self._transaction() as conn:
            self._check(conn, entry_id, allowed)
            conn.execute(
                "UPDATE outbox SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                (state, reason, now, entry_id),
            )
        return self.get(entry_id)  # type: ignore[return-value]

    def _check(self, conn: sqlite3.Connection, entry_id: int, allowed: tuple[str, ...]) -> Entry:
        row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise OutboxError(
                f"There is no write {entry_id} in the outbox: `okrt-tui outbox list` shows them."
            )
        entry = _entry(row)
        if entry.state not in allowed:
            raise OutboxError(
                f"Write {entry_id} is {entry.state}; this needs it to be {' or '.join(allowed)}."
            )
        return entry


class OutboxError(InvalidInput):
    """A decision about a write that cannot be carried out (no such write, or not in that state)."""


class KeyResultIds:
    """The key result id last checked in per objective: with the documented API (no key results in
    ``GET /okrs``) the person pastes it once from the web app, and the next form offers it again."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def remember(self, okr_id: str, kr_id: str, now: float) -> None:
        self._db.write(
            "INSERT INTO remembered_key_result (okr_id, kr_id, remembered_at) VALUES (?, ?, ?) "
            "ON CONFLICT (okr_id) DO UPDATE SET kr_id = excluded.kr_id, "
            "remembered_at = excluded.remembered_at",
            (okr_id, kr_id, now),
        )

    def get(self, okr_id: str) -> str | None:
        rows = self._db.read("SELECT kr_id FROM remembered_key_result WHERE okr_id = ?", (okr_id,))
        return str(rows[0][0]) if rows else None
