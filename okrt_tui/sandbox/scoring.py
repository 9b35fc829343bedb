"""Progress, status and health as the sandbox computes them, from stored key results and check-ins.

The real service does not publish its formulas; these are DOMAIN.md's, made exact here. Everything is
computed on read, at the sandbox clock's ``now``; nothing derived is stored.

Key result progress
    ``clamp((current - start) / (target - start), 0, 1)``. Dividing by ``target - start`` makes it work
    for decreasing key results (target below start) too. A key result whose target equals its start
    has nothing left to do: progress 1.

Objective progress
    The mean of its key results' progress; 0 for an objective without key results.

Expected progress, gap
    A cycle named ``Qn YYYY`` is that calendar quarter in UTC, from its first instant to the first
    instant of the next quarter. Expected progress at ``now`` = the fraction of the quarter elapsed,
    clamped to 0..1 (0 before it starts, 1 after it ends, 0 for a cycle name that is not ``Qn YYYY``).
    Gap = expected - progress (negative when ahead of pace).

Key result status
    The status of its latest check-in (every stored check-in has one: a check-in sent without a status
    is given the gap-derived one when it is recorded). "Latest" is the last recorded, which is also the
    one whose value is the key result's current value, even if the sandbox clock was moved back.
    With no check-in: from the key result's own gap, ``gap <= 0.10`` on_track, ``gap <= 0.25``
    at_risk, else off_track.

Objective status
    The worst of its key results' statuses (off_track < at_risk < on_track); an objective without key
    results gets the gap-derived status of its own (zero) progress.

Health score: an integer 0..100 = ``round(100 - recency - gap - velocity)``, at least 0
    (rounded half up).

    recency
        ``d`` = days from the latest check-in on any of the objective's key results to ``now``:
        0 when ``d <= 7``; ``40 * (d - 7) / 21`` between 7 and 28 days; 40 at 28 days or more, and 40
        when no key result was ever checked in. A check-in stamped after ``now`` (the clock was moved
        back) counts as just now.
    gap
        ``40 * clamp(gap / 0.5, 0, 1)``, with the objective's gap: a gap of half the cycle or more
        costs all 40 points; being ahead costs nothing.
    velocity
        The window is the last 14 days, but not before the cycle started:
        ``then = max(now - 14 days, cycle start)``.
        ``gained`` = objective progress now - objective progress at ``then``, where a key result's
        value at ``then`` is that of its latest check-in at or before ``then``, else its start value
        (or its current value if it was never checked in: nothing is known to have moved it).
        ``needed`` = the share of what was still missing at ``then`` that a straight line from ``then``
        to the cycle's end would have delivered by ``now``:
        ``(1 - progress_then) * min(1, (now - then) / (cycle end - then))``; all of
        ``1 - progress_then`` when the cycle ended before ``then``; 0 when the objective is complete,
        when the cycle has not started, or when the cycle name is not ``Qn YYYY``.
        velocity = ``20 * clamp(1 - gained / needed, 0, 1)``, and 0 when ``needed`` is 0. Going
        backwards (negative ``gained``) costs the full 20.

Health bands shown to people: 80-100 Strong, 60-79 Good, 40-59 Needs attention, 0-39 At risk.

KPI status
    ``r = current / target``, or ``target / current`` when ``direction`` is ``decrease`` (lower is
    better); ``r >= 0.9`` on_track, ``r >= 0.7`` at_risk, else off_track. A zero or negative
    denominator means the goal is met or meaningless: on_track when lower is better and current is at
    most 0, or when higher is better and the target is at most 0; otherwise off_track. The reference's
    example, 3721 users of 4500 (r = 0.83), is at_risk.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

DAY = 86_400.0
VELOCITY_WINDOW = 14 * DAY

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
#: The reference's statuses, best first.
STATUSES = (ON_TRACK, AT_RISK, OFF_TRACK)

_QUARTER = re.compile(r"Q([1-4]) (\d{4})")


def clamp(x: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, x))


# --- cycles -----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def quarter_bounds(cycle: str) -> tuple[float, float] | None:
    """``"Q4 2026"`` -> (start, end) in epoch seconds, UTC; None for any other name."""
    match = _QUARTER.fullmatch(cycle.strip())
    if match is None:
        return None
    quarter, year = int(match[1]), int(match[2])
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = (
        datetime(year + 1, 1, 1, tzinfo=UTC)
        if quarter == 4
        else datetime(year, 3 * quarter + 1, 1, tzinfo=UTC)
    )
    return start.timestamp(), end.timestamp()


def quarter_of(ts: float) -> str:
    """The name of the calendar quarter (UTC) that holds ``ts``: ``"Q4 2026"``."""
    moment = datetime.fromtimestamp(ts, UTC)
    return f"Q{(moment.month - 1) // 3 + 1} {moment.year}"


def shift_quarter(cycle: str, quarters: int) -> str:
    """``shift_quarter("Q4 2026", 1) == "Q1 2027"``."""
    match = _QUARTER.fullmatch(cycle.strip())
    if match is None:
        raise ValueError(f"not a quarter: {cycle!r}")
    index = int(match[2]) * 4 + int(match[1]) - 1 + quarters
    return f"Q{index % 4 + 1} {index // 4}"


def expected_progress(bounds: tuple[float, float] | None, now: float) -> float:
    if bounds is None:
        return 0.0
    start, end = bounds
    return clamp((now - start) / (end - start))


# --- statuses ---------------------------------------------------------------------------------------


def kr_progress(start: float, current: float, target: float) -> float:
    if target == start:
        return 1.0
    return clamp((current - start) / (target - start))


def status_from_gap(gap: float) -> str:
    if gap <= 0.10:
        return ON_TRACK
    if gap <= 0.25:
        return AT_RISK
    return OFF_TRACK


def worst_status(statuses: Iterable[str]) -> str | None:
    """The worst of the given statuses; unknown strings rank as on_track; None when there are none."""
    ranked = [STATUSES.index(s) if s in STATUSES else 0 for s in statuses]
    return STATUSES[max(ranked)] if ranked else None


def kpi_status(current: float, target: float, direction: str) -> str:
    lower_is_better = direction == "decrease"
    numerator, denominator = (target, current) if lower_is_better else (current, target)
    if denominator <= 0:
        return ON_TRACK if (current <= 0 if lower_is_better else target <= 0) else OFF_TRACK
    ratio = numerator / denominator
    if ratio >= 0.9:
        return ON_TRACK
    if ratio >= 0.7:
        return AT_RISK
    return OFF_TRACK


# --- health -----------------------------------------------------------------------------------------


def recency_penalty(days_since_checkin: float | None) -> float:
    if days_since_checkin is None:
        return 40.0
    return 40.0 * clamp((days_since_checkin - 7.0) / 21.0)


def gap_penalty(gap: float) -> float:
    return 40.0 * clamp(gap / 0.5)


def needed_progress(
    progress_then: float, then: float, now: float, bounds: tuple[float, float] | None
) -> float:
    """How much progress the window ``then..now`` had to deliver to finish by the cycle's end."""
    if bounds is None or now <= bounds[0]:
        return 0.0
    missing = max(0.0, 1.0 - progress_then)
    rest = bounds[1] - then
    if rest <= 0:
        return missing
    return missing * min(1.0, (now - then) / rest)


def velocity_penalty(gained: float, needed: float) -> float:
    if needed <= 0:
        return 0.0
    return 20.0 * clamp(1.0 - gained / needed)


def health_score(recency: float, gap: float, velocity: float) -> int:
    return max(0, min(100, math.floor(100.0 - recency - gap - velocity + 0.5)))


def health_band(score: int) -> str:
    if score >= 80:
        return "Strong"
    if score >= 60:
        return "Good"
    if score >= 40:
        return "Needs attention"
    return "At risk"


# --- objectives -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkin:
    at: float
    value: float
    status: str


@dataclass(frozen=True, slots=True)
class KeyResultState:
    """What scoring needs of one key result; ``checkins`` in the order they were recorded, so the last is
    the latest even when the sandbox clock was moved back between two of them."""

    start: float
    target: float
    current: float
    checkins: Sequence[Checkin] = ()

    def value_at(self, ts: float) -> float:
        """The latest check-in's value at or before ``ts``; the start value before the first check-in;
        the current value when there was never a check-in (nothing is known to have changed)."""
        if not self.checkins:
            return self.current
        best: Checkin | None = None
        for checkin in self.checkins:
            if checkin.at <= ts and (best is None or checkin.at >= best.at):
                best = checkin
        return self.start if best is None else best.value


@dataclass(frozen=True, slots=True)
class Score:
    progress: float
    status: str
    health: int
    kr_progress: tuple[float, ...]
    kr_status: tuple[str, ...]


def score_objective(cycle: str, key_results: Sequence[KeyResultState], now: float) -> Score:
    bounds = quarter_bounds(cycle)
    expected = expected_progress(bounds, now)

    progresses = tuple(kr_progress(kr.start, kr.current, kr.target) for kr in key_results)
    statuses = tuple(
        kr.checkins[-1].status if kr.checkins else status_from_gap(expected - p)
        for kr, p in zip(key_results, progresses, strict=True)
    )
    progress = sum(progresses) / len(progresses) if progresses else 0.0
    gap = expected - progress
    status = worst_status(statuses) or status_from_gap(gap)

    last = max((kr.checkins[-1].at for kr in key_results if kr.checkins), default=None)
    recency = recency_penalty(None if last is None else max(0.0, now - last) / DAY)

    then = now - VELOCITY_WINDOW if bounds is None else max(now - VELOCITY_WINDOW, bounds[0])
    if key_results:
        progress_then = sum(kr_progress(kr.start, kr.value_at(then), kr.target) for kr in key_results) / len(
            key_results
        )
    else:
        progress_then = 0.0
    needed = 0.0 if progress >= 1.0 else needed_progress(progress_then, then, now, bounds)
    velocity = velocity_penalty(progress - progress_then, needed)

    return Score(
        progress=progress,
        status=status,
        health=health_score(recency, gap_penalty(gap), velocity),
        kr_progress=progresses,
        kr_status=statuses,
    )


def derived_checkin_status(cycle: str, start: float, value: float, target: float, now: float) -> str:
    """The status a check-in gets when it is sent without one: from its key result's new gap."""
    expected = expected_progress(quarter_bounds(cycle), now)
    return status_from_gap(expected - kr_progress(start, value, target))
