"""Review ids the user opened by hand, remembered because the API cannot list a cycle's reviews.

Under ``--strict`` (and on the real service) the only way to a review is its id, pasted from the web
app; remembering it with its employee and type lets the Reviews screen offer it again next time.
"""

from __future__ import annotations

import time

from okrt_tui.api.models import ReviewRef, ReviewSummary
from okrt_tui.store.db import Database


class RememberedReviews:
    def __init__(self, db: Database) -> None:
        self._db = db

    def remember(self, review_id: str, summary: ReviewSummary) -> None:
        self._db.write(
            "INSERT INTO remembered_review (review_id, employee, type, shared_at, remembered_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (review_id) DO UPDATE SET employee = excluded.employee, "
            "type = excluded.type, shared_at = excluded.shared_at, remembered_at = excluded.remembered_at",
            (review_id, summary.employee, summary.type, summary.shared_at, time.time()),
        )

    def all(self) -> tuple[ReviewRef, ...]:
        rows = self._db.read(
            "SELECT review_id, employee, type, shared_at FROM remembered_review ORDER BY remembered_at DESC"
        )
        return tuple(ReviewRef(id=r[0], employee=r[1], type=r[2], shared_at=r[3]) for r in rows)
