"""The sandbox's formulas (DOMAIN.md), on pure functions with fixed moments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.scoring import DAY, Checkin, KeyResultState


def at(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


Q4_START, Q4_END = at(2026, 10, 1), at(2027, 1, 1)
MID_Q4 = Q4_START + (Q4_END - Q4_START) / 2


def test_the_reference_kpi_example_3721_of_4500_users_is_at_risk() -> None:
    assert scoring.kpi_status(3721, 4500, "increase") == "at_risk"


@pytest.mark.parametrize(
    ("current", "target", "direction", "expected"),
    [
        (90, 100, "increase", "on_track"),
        (89.9, 100, "increase", "at_risk"),
        (70, 100, "increase", "at_risk"),
        (69.9, 100, "increase", "off_track"),
        (250, 250, "decrease", "on_track"),
        (268, 250, "decrease", "on_track"),  # r = 0.93
        (3.4, 2.0, "decrease", "off_track"),  # r = 0.59
        (2.6, 2.0, "decrease", "at_risk"),  # r = 0.77
        (0, 5, "decrease", "on_track"),
        (10, 0, "increase", "on_track"),
    ],
)
def test_kpi_status_uses_the_ratio_inverted_when_lower_is_better(
    current: float, target: float, direction: str, expected: str
) -> None:
    assert scoring.kpi_status(current, target, direction) == expected


def test_kr_progress_is_clamped_and_works_for_decreasing_targets() -> None:
    assert scoring.kr_progress(0, 50, 100) == 0.5
    assert scoring.kr_progress(0, 150, 100) == 1.0
    assert scoring.kr_progress(0, -10, 100) == 0.0
    assert scoring.kr_progress(420, 335, 250) == pytest.approx(0.5)  # latency 420 ms -> 250 ms
    assert scoring.kr_progress(420, 500, 250) == 0.0
    assert scoring.kr_progress(5, 5, 5) == 1.0


def test_a_quarter_name_is_that_calendar_quarter_in_utc() -> None:
    assert scoring.quarter_bounds("Q4 2026") == (Q4_START, Q4_END)
    assert scoring.quarter_bounds("Q1 2027") == (at(2027, 1, 1), at(2027, 4, 1))
    assert scoring.quarter_bounds("FY 2026") is None
    assert scoring.quarter_of(at(2026, 11, 28, 14)) == "Q4 2026"
    assert scoring.shift_quarter("Q4 2026", 1) == "Q1 2027"
    assert scoring.shift_quarter("Q1 2027", -1) == "Q4 2026"


def test_expected_progress_is_the_fraction_of_the_quarter_elapsed() -> None:
    bounds = scoring.quarter_bounds("Q4 2026")
    assert scoring.expected_progress(bounds, MID_Q4) == pytest.approx(0.5)
    assert scoring.expected_progress(bounds, Q4_START - DAY) == 0.0
    assert scoring.expected_progress(bounds, Q4_END + DAY) == 1.0
    assert scoring.expected_progress(None, MID_Q4) == 0.0


@pytest.mark.parametrize(
    ("gap", "status"),
    [(-0.3, "on_track"), (0.10, "on_track"), (0.1001, "at_risk"), (0.25, "at_risk"), (0.2501, "off_track")],
)
def test_status_from_gap_thresholds(gap: float, status: str) -> None:
    assert scoring.status_from_gap(gap) == status


def test_recency_is_free_for_a_week_then_rises_to_40_at_28_days() -> None:
    assert scoring.recency_penalty(0) == 0
    assert scoring.recency_penalty(7) == 0
    assert scoring.recency_penalty(17.5) == pytest.approx(20)
    assert scoring.recency_penalty(28) == 40
    assert scoring.recency_penalty(90) == 40
    assert scoring.recency_penalty(None) == 40


def test_gap_penalty_is_40_at_half_a_cycle_behind() -> None:
    assert scoring.gap_penalty(-0.2) == 0
    assert scoring.gap_penalty(0.25) == pytest.approx(20)
    assert scoring.gap_penalty(0.5) == 40
    assert scoring.gap_penalty(0.9) == 40


def test_velocity_penalty_compares_gained_with_needed() -> None:
    assert scoring.velocity_penalty(0.1, 0.1) == 0
    assert scoring.velocity_penalty(0.05, 0.1) == pytest.approx(10)
    assert scoring.velocity_penalty(0.0, 0.1) == 20
    assert scoring.velocity_penalty(-0.1, 0.1) == 20
    assert scoring.velocity_penalty(0.0, 0.0) == 0  # nothing more needed


def test_needed_progress_is_the_straight_line_to_the_cycle_end() -> None:
    bounds = (Q4_START, Q4_END)
    then = MID_Q4 - 14 * DAY
    needed = scoring.needed_progress(0.4, then, MID_Q4, bounds)
    assert needed == pytest.approx(0.6 * 14 * DAY / (Q4_END - then))
    assert scoring.needed_progress(0.4, Q4_END + DAY, Q4_END + 15 * DAY, bounds) == pytest.approx(0.6)
    assert scoring.needed_progress(0.4, Q4_START - 14 * DAY, Q4_START - DAY, bounds) == 0


def test_health_is_an_integer_between_0_and_100() -> None:
    assert scoring.health_score(0, 0, 0) == 100
    assert scoring.health_score(40, 40, 20) == 0
    assert scoring.health_score(10.4, 0, 0) == 90
    assert scoring.health_score(10.5, 0, 0) == 90  # halves round up: 89.5 -> 90
    assert isinstance(scoring.health_score(3.3, 2.2, 1.1), int)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (100, "Strong"),
        (80, "Strong"),
        (79, "Good"),
        (60, "Good"),
        (59, "Needs attention"),
        (40, "Needs attention"),
        (39, "At risk"),
        (0, "At risk"),
    ],
)
def test_health_bands(score: int, band: str) -> None:
    assert scoring.health_band(score) == band


def test_an_objective_on_pace_and_checked_in_yesterday_is_fully_healthy() -> None:
    now = MID_Q4
    kr = KeyResultState(
        0,
        100,
        55,
        (Checkin(now - 15 * DAY, 40, "on_track"), Checkin(now - DAY, 55, "on_track")),
    )
    score = scoring.score_objective("Q4 2026", [kr], now)
    assert score.progress == pytest.approx(0.55)
    assert score.status == "on_track"
    assert score.health == 100


def test_an_objective_never_checked_in_and_behind_scores_each_penalty() -> None:
    now = MID_Q4  # expected 0.5
    krs = [KeyResultState(0, 100, 20), KeyResultState(10, 0, 10)]  # progress 0.2 and 0.0: mean 0.1
    score = scoring.score_objective("Q4 2026", krs, now)
    assert score.progress == pytest.approx(0.1)
    # recency 40 (never), gap 40 * 0.4 / 0.5 = 32, velocity 20 (nothing gained, plenty needed)
    assert score.health == 8
    # no check-in: each key result's status comes from its own gap (0.3 and 0.5)
    assert score.kr_status == ("off_track", "off_track")
    assert score.status == "off_track"


def test_objective_status_is_the_worst_of_its_key_results() -> None:
    now = MID_Q4
    krs = [
        KeyResultState(0, 100, 60, (Checkin(now - DAY, 60, "on_track"),)),
        KeyResultState(0, 100, 60, (Checkin(now - DAY, 60, "at_risk"),)),
    ]
    assert scoring.score_objective("Q4 2026", krs, now).status == "at_risk"


def test_latest_checkin_status_wins_over_the_gap() -> None:
    now = MID_Q4
    kr = KeyResultState(0, 100, 0, (Checkin(now - DAY, 0, "on_track"),))
    assert scoring.score_objective("Q4 2026", [kr], now).kr_status == ("on_track",)


def test_velocity_uses_the_value_at_the_start_of_the_14_day_window() -> None:
    now = MID_Q4
    then = now - 14 * DAY
    # Stale for 10 days, but it gained 0.3 in the window: more than the ~0.1 needed.
    moving = KeyResultState(
        0, 100, 50, (Checkin(then - DAY, 20, "on_track"), Checkin(now - 10 * DAY, 50, "on_track"))
    )
    # The same value, reached before the window: nothing gained in it.
    still = KeyResultState(0, 100, 50, (Checkin(then - DAY, 50, "on_track"),))
    moving_score = scoring.score_objective("Q4 2026", [moving], now)
    still_score = scoring.score_objective("Q4 2026", [still], now)
    recency_10, recency_15 = scoring.recency_penalty(10), scoring.recency_penalty(15)
    assert moving_score.health == scoring.health_score(recency_10, 0, 0)
    assert still_score.health == scoring.health_score(recency_15, 0, 20)


def test_a_completed_objective_needs_no_more_velocity() -> None:
    now = Q4_END + 40 * DAY  # the cycle is long over
    kr = KeyResultState(0, 10, 10, (Checkin(Q4_END - 5 * DAY, 10, "on_track"),))
    score = scoring.score_objective("Q4 2026", [kr], now)
    assert score.progress == 1.0
    assert score.health == 60  # only recency: 45 days since the last check-in


def test_derived_checkin_status_uses_the_new_value_against_the_pace() -> None:
    assert scoring.derived_checkin_status("Q4 2026", 0, 45, 100, MID_Q4) == "on_track"  # gap 0.05
    assert scoring.derived_checkin_status("Q4 2026", 0, 30, 100, MID_Q4) == "at_risk"  # gap 0.20
    assert scoring.derived_checkin_status("Q4 2026", 0, 10, 100, MID_Q4) == "off_track"  # gap 0.40
    assert scoring.derived_checkin_status("Q4 2026", 420, 300, 250, MID_Q4) == "on_track"  # decreasing, 0.71
