"""Typed records of the OKRs Tool API, decoded tolerantly.

Every documented field is optional (``None`` when the server sends null or leaves it out) so that a
single odd record shows a dash instead of failing the whole list. Enumerations (status, type) stay
plain strings: a value the reference does not list is shown as text, never rejected. Timestamps stay
the server's ISO 8601 strings; ``okrt_tui.views`` parses them for display. Unknown fields are ignored
by msgspec; the extension fields the sandbox sends by default (``key_results``, ``updated_at``,
``direction``, ``reviews``) are read when present and never required.
"""

from __future__ import annotations

import msgspec

Number = int | float


class _Record(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Base for every record: immutable, keyword-only, tolerant of unknown fields.

    Not tracked by the garbage collector (``gc=False``): a record holds only text, numbers and tuples
    of records, so it can never be part of a reference cycle, and 500 objectives with their key
    results are ~2500 objects fewer for every collection to walk (each refresh brings a new set)."""


class KeyResult(_Record, frozen=True):
    """A key result nested in an objective (extension field, absent under ``--strict``)."""

    id: str | None = None
    title: str | None = None
    start: Number | None = None
    current: Number | None = None
    target: Number | None = None
    unit: str | None = None
    progress: Number | None = None
    status: str | None = None
    last_checkin_at: str | None = None


class Okr(_Record, frozen=True):
    """One objective from ``GET /okrs``."""

    id: str | None = None
    title: str | None = None
    type: str | None = None
    owner: str | None = None
    progress: Number | None = None
    status: str | None = None
    health_score: Number | None = None
    cycle: str | None = None
    updated_at: str | None = None
    key_results: tuple[KeyResult, ...] | None = None


class Kpi(_Record, frozen=True):
    """One KPI from ``GET /kpis``; ``direction`` is ``"decrease"`` when lower is better."""

    id: str | None = None
    name: str | None = None
    current: Number | None = None
    target: Number | None = None
    unit: str | None = None
    status: str | None = None
    last_updated: str | None = None
    direction: str | None = None


class ReviewRef(_Record, frozen=True):
    """A shared review listed under its cycle (extension field)."""

    id: str | None = None
    employee: str | None = None
    type: str | None = None
    shared_at: str | None = None


class ReviewCycle(_Record, frozen=True):
    """One review cycle from ``GET /review-cycles``."""

    id: str | None = None
    name: str | None = None
    status: str | None = None
    due_date: str | None = None
    reviewee_count: int | None = None
    reviews: tuple[ReviewRef, ...] | None = None


class Answer(_Record, frozen=True):
    """One question/answer pair of a shared review."""

    question: str | None = None
    answer: str | None = None


class ReviewSummary(_Record, frozen=True):
    """``GET /reviews/:id/summary``: the raw answers of one shared review."""

    review_id: str | None = None
    employee: str | None = None
    cycle: str | None = None
    type: str | None = None
    status: str | None = None
    answers: tuple[Answer, ...] = ()
    shared_at: str | None = None


class CheckinResult(_Record, frozen=True):
    """The server's record of a Key Result check-in."""

    id: str | None = None
    kr_id: str | None = None
    value: Number | None = None
    status: str | None = None
    created_at: str | None = None


class KpiUpdateResult(_Record, frozen=True):
    """The server's record of a KPI update, with the value it replaced."""

    id: str | None = None
    kpi_id: str | None = None
    previous_value: Number | None = None
    new_value: Number | None = None
    created_at: str | None = None


OKR_STATUSES = ("on_track", "at_risk", "off_track")
