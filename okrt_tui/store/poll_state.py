"""What the polling monitor of a group last saw, for the monitors that render from it.

One row per group of monitors that poll as one (``okrt_tui.sync.shared``): the leader writes its
lists' state (when each was fetched, the latest failure, offline) as an opaque body each time it
changes; the followers read it about once a second. The lists themselves travel through the cache
(``store.cache``), which the leader writes first, so a follower never reads a state newer than the
lists it names.
"""

from __future__ import annotations

from okrt_tui.store.db import Database


class PollState:
    def __init__(self, db: Database, poller: str) -> None:
        self._db = db
        self._poller = poller

    def save(self, body: bytes, written_at: float) -> None:
        self._db.write(
            "INSERT INTO poll_state (poller, body, written_at) VALUES (?, ?, ?) "
            "ON CONFLICT (poller) DO UPDATE SET body = excluded.body, written_at = excluded.written_at",
            (self._poller, body, written_at),
        )

    def load(self) -> bytes | None:
        rows = self._db.read("SELECT body FROM poll_state WHERE poller = ?", (self._poller,))
        return bytes(rows[0][0]) if rows else None
