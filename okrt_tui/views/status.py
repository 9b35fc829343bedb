"""Statuses and health bands as words, glyphs and tones: never colour alone.

A *tone* is a plain name (``good``, ``fair``, ``warn``, ``bad``, ``info``, ``muted``) that the UI maps
to its theme's colours; a monochrome terminal still shows the glyph and the word.
"""

from __future__ import annotations

import msgspec

from okrt_tui.views.text import DASH, one_line

Number = int | float

GOOD, FAIR, WARN, BAD, INFO, MUTED = "good", "fair", "warn", "bad", "info", "muted"


class Label(msgspec.Struct, frozen=True):
    """A glyph, a word and a tone: ``Label("▲", "at risk", "warn")`` shows as ``▲ at risk``."""

    glyph: str
    text: str
    tone: str = MUTED

    @property
    def display(self) -> str:
        return f"{self.glyph} {self.text}" if self.glyph else self.text

    def __str__(self) -> str:
        return self.display


_STATUSES: dict[str, Label] = {
    # Objectives, key results and KPIs.
    "on_track": Label("●", "on track", GOOD),
    "at_risk": Label("▲", "at risk", WARN),
    "off_track": Label("✖", "off track", BAD),
    # Review cycles.
    "upcoming": Label("○", "upcoming", INFO),
    "active": Label("●", "active", GOOD),
    "closed": Label("✔", "closed", MUTED),
    # Reviews.
    "shared": Label("✔", "shared", GOOD),
    "draft": Label("✎", "draft", MUTED),
}

#: Worst first, for sorting by status and for an objective's overall state.
STATUS_SEVERITY = {"off_track": 0, "at_risk": 1, "on_track": 2}


def status_label(status: str | None) -> Label:
    """The label of a status; a value the reference does not list is shown as its own text."""
    if status is None:
        return Label("", DASH, MUTED)
    known = _STATUSES.get(status)
    if known is not None:
        return known
    text = one_line(status)
    return Label("◇", text or DASH, MUTED)


class Band(msgspec.Struct, frozen=True):
    """A health band: ``Band("Strong", "good", 82)``."""

    label: str
    tone: str
    score: int | None = None

    @property
    def display(self) -> str:
        return DASH if self.score is None else f"{self.score} {self.label}"


BANDS = (
    (80, "Strong", GOOD),
    (60, "Good", FAIR),
    (40, "Needs attention", WARN),
    (0, "At risk", BAD),
)


def health_band(score: Number | None) -> Band:
    """80-100 Strong, 60-79 Good, 40-59 Needs attention, 0-39 At risk (DOMAIN.md)."""
    if score is None or isinstance(score, bool) or not isinstance(score, int | float) or score != score:
        return Band("no score", MUTED, None)
    value = int(min(100, max(0, score)))
    for floor, label, tone in BANDS:
        if value >= floor:
            return Band(label, tone, value)
    return Band("At risk", BAD, value)  # pragma: no cover - 0 is the last floor


def review_type_label(kind: str | None) -> str:
    """``self`` / ``manager`` / ``peer`` / ``360``; anything else as the server wrote it."""
    text = one_line(kind)
    return text or DASH
