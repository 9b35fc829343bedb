"""The last good answer of each list, kept as the API's own bytes.

Keeping the raw body (not decoded rows) means the cache needs no schema of its own: it is decoded by
the same code as a fresh answer, so a cached list can never look different from a live one, and a
cache written by an older okrt-tui that no longer decodes is simply ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import msgspec

from okrt_tui.api.errors import ApiDataError
from okrt_tui.store.db import Database

T = TypeVar("T")


class CachedBody(msgspec.Struct, frozen=True):
    body: bytes
    fetched_at: float


def decoded(cached: CachedBody | None, decode: Callable[[bytes], T]) -> T | None:
    """A cached list through the decoder of fresh answers; None when none is cached or it no longer
    decodes (written by an older okrt-tui)."""
    if cached is None:
        return None
    try:
        return decode(cached.body)
    except ApiDataError:
        return None


class Cache:
    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, feed: str, body: bytes, fetched_at: float) -> None:
        self._db.write(
            "INSERT INTO cache (feed, body, fetched_at) VALUES (?, ?, ?) "
            "ON CONFLICT (feed) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            (feed, body, fetched_at),
        )

    def load(self, feed: str) -> CachedBody | None:
        rows = self._db.read("SELECT body, fetched_at FROM cache WHERE feed = ?", (feed,))
        return CachedBody(bytes(rows[0][0]), rows[0][1]) if rows else None
