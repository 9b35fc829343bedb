"""Times for people: "3 h ago", "in 2 d", "3 d overdue", "updated 12 s ago".

Every function takes ``now`` as epoch seconds, so callers (and tests) decide what "now" is. The API
sends ISO 8601 in UTC; a value that cannot be read is shown as a dash, never an exception. Due dates
are compared as UTC calendar dates, the way the API and the sandbox count cycles.
"""

from __future__ import annotations

import functools
import math
from datetime import UTC, date, datetime, tzinfo

import msgspec

from okrt_tui.views.numbers import finite
from okrt_tui.views.status import BAD, GOOD, MUTED, WARN
from okrt_tui.views.text import DASH

MINUTE = 60
HOUR = 3600
DAY = 86400

#: A key result with no check-in for this long is flagged (DOMAIN.md: two weeks).
STALE_CHECKIN_DAYS = 14


@functools.lru_cache(maxsize=4096, typed=True)  # typed: True and 1 are equal keys otherwise
def parse_timestamp(value: str | float | int | None) -> float | None:
    """Epoch seconds from an ISO 8601 string (``Z``, offsets, naive = UTC, or a bare date).

    Kept for the strings seen lately: each refresh of a 500-row list parses the same ``last_updated``
    strings again (for the rows' ages), ~10 µs each."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return finite(value)
    text = value.strip()
    if not text:
        return None
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_date(value: str | None) -> date | None:
    """A calendar date from ``2026-05-03`` (or the date part of a timestamp)."""
    if not value:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _span(seconds: float) -> str:
    """A positive span in the largest unit that fits: ``45 s``, ``12 min``, ``3 h``, ``2 d``, ``4 mo``."""
    if seconds < MINUTE:
        return f"{int(seconds)} s"
    if seconds < HOUR:
        return f"{int(seconds // MINUTE)} min"
    if seconds < DAY:
        return f"{int(seconds // HOUR)} h"
    days = int(seconds // DAY)
    if days < 60:
        return f"{days} d"
    if days < 730:
        return f"{days // 30} mo"
    return f"{days // 365} y"


def relative_time(value: str | float | int | None, now: float) -> str:
    """``just now`` within 45 s; then ``12 min ago`` / ``3 h ago`` / ``2 d ago``; future: ``in 2 d``."""
    moment = parse_timestamp(value)
    if moment is None:
        return DASH
    delta = now - moment
    if abs(delta) < 45:
        return "just now"
    if delta > 0:
        return f"{_span(delta)} ago"
    return f"in {_span(-delta)}"


def age_seconds(value: str | float | int | None, now: float) -> float | None:
    moment = parse_timestamp(value)
    return None if moment is None else now - moment


def updated_label(fetched_at: float | None, now: float) -> str:
    """The status bar's freshness: ``updated 12 s ago`` (seconds tick, so it visibly lives)."""
    if fetched_at is None:
        return "not updated yet"
    delta = max(0.0, now - fetched_at)
    if delta < 1:
        return "updated just now"
    return f"updated {_span(delta)} ago"


def countdown(seconds: float) -> str:
    """Whole seconds left, rounded up, never negative: ``23 s``; minutes above 99 s: ``2 min 5 s``."""
    left = max(0, math.ceil(seconds))
    if left < 100:
        return f"{left} s"
    minutes, secs = divmod(left, 60)
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


class Due(msgspec.Struct, frozen=True):
    """A due date relative to today: its words, the days left (negative when past) and a tone."""

    text: str
    days: int | None
    overdue: bool
    tone: str


def due_label(due_date: str | None, now: float, *, closed: bool = False) -> Due:
    """``in 5 d`` / ``due today`` / ``⚠ 3 d overdue``; a closed cycle's past date is just ``3 d ago``."""
    due = parse_date(due_date)
    if due is None:
        return Due(DASH, None, False, MUTED)
    today = datetime.fromtimestamp(now, UTC).date()
    days = (due - today).days
    if closed:
        if days < 0:
            return Due(f"ended {-days} d ago", days, False, MUTED)
        return Due("closed", days, False, MUTED)
    if days > 0:
        return Due(f"in {days} d", days, False, WARN if days <= 3 else GOOD)
    if days == 0:
        return Due("due today", 0, False, WARN)
    return Due(f"⚠ {-days} d overdue", days, True, BAD)


def is_stale_checkin(last_checkin_at: str | None, now: float, *, days: int = STALE_CHECKIN_DAYS) -> bool:
    """True when the latest check-in is older than ``days`` (or there has never been one)."""
    age = age_seconds(last_checkin_at, now)
    return age is None or age > days * DAY


def clock_time(moment: float, now: float, *, tz: tzinfo | None = None) -> str:
    """``14:02`` in the local time zone (or ``tz``) when ``moment`` is on ``now``'s day there, else
    ``30 Nov 14:02``: when something began, on a status line."""
    when = datetime.fromtimestamp(moment, tz).astimezone(tz)
    today = datetime.fromtimestamp(now, when.tzinfo).date()
    return f"{when:%H:%M}" if when.date() == today else f"{when.day} {when:%b %H:%M}"


def local_datetime(value: str | float | int | None, *, tz: tzinfo | None = None) -> str:
    """``2026-04-19 14:00`` in the local time zone (or ``tz``), for detail views."""
    moment = parse_timestamp(value)
    if moment is None:
        return DASH
    if tz is not None:
        when = datetime.fromtimestamp(moment, tz)
    else:
        when = datetime.fromtimestamp(moment).astimezone()
    return when.strftime("%Y-%m-%d %H:%M %Z").strip()


#: ``--since``'s units: hours, days, weeks (``m`` is refused: minutes or months?).
_SPAN_UNITS = {"h": HOUR, "d": DAY, "w": 7 * DAY}
SINCE_HELP = "a span like 12h, 7d or 2w, a date like 2026-11-01 (UTC), or all"


class BadSince(ValueError):
    """A ``--since`` that cannot be read; its text is the sentence to show."""


def parse_since(text: str, now: float) -> float | None:
    """``--since`` of ``history`` and ``report``: the moment it names (epoch seconds), or ``None`` for
    ``all``. A span counts back from ``now``; a date or time is UTC unless it says otherwise."""
    value = text.strip().lower()
    if value == "all":
        return None
    number, unit = value[:-1], value[-1:]
    if unit in _SPAN_UNITS and number.isascii() and number.isdigit() and len(number) <= 6:
        if int(number) == 0:
            raise BadSince(f"--since {text!r} is an empty span: give at least 1{unit}, or all.")
        return max(0.0, now - int(number) * _SPAN_UNITS[unit])
    moment = parse_timestamp(text) if value[:1].isdigit() and "-" in value else None
    if moment is None:
        raise BadSince(f"--since takes {SINCE_HELP}, not {text!r}.")
    if moment > now:
        raise BadSince(f"--since {text!r} is in the future: give a moment before now, or all.")
    return moment


def iso_utc(at: float) -> str:
    """``2026-11-30T14:05:12Z``: ISO 8601 in UTC, to the second, for files and scripts."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
