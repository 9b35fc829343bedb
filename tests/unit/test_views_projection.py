"""The projection: "at this pace: 12 Mar", "off pace", "reached", or nothing, by the rule in the README."""

from __future__ import annotations

import pytest

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.projection import OFF_PACE, ON_PACE, REACHED, UNKNOWN, project, short_date
from okrt_tui.views.status import BAD, GOOD, INFO, MUTED

DAY = 86400.0
NOW = 1_778_068_800.0  # 2026-05-06 12:00 UTC


pytestmark = pytest.mark.usefixtures("utc_local_time")  # dates are local


def daily(*values, days_ago: float | None = None):
    """One value a day, the last one today (or ``days_ago``)."""
    last = len(values) - 1 if days_ago is None else days_ago + len(values) - 1
    return tuple(KpiPoint(at=NOW - (last - i) * DAY, value=float(v)) for i, v in enumerate(values))


def test_a_steady_rise_toward_the_target_gives_the_day_it_is_reached():
    seen = daily(100, 110, 120, 130, 140)  # +10 a day, 140 today: 200 in six days
    projection = project(seen, 140, 200, "increase", NOW)
    assert projection.kind == ON_PACE and projection.tone == INFO
    assert projection.at == pytest.approx(NOW + 6 * DAY)
    assert projection.cell(NOW) == "12 May"
    assert projection.sentence(NOW) == "at this pace: 12 May"


def test_lower_is_better_a_steady_fall_toward_the_target():
    seen = daily(60, 55, 50, 45, 40)  # -5 a day: 30 in two days
    projection = project(seen, 40, 30, "decrease", NOW)
    assert projection.kind == ON_PACE and projection.at == pytest.approx(NOW + 2 * DAY)


def test_noise_around_a_steady_line_is_still_steady():
    seen = daily(100, 112, 118, 131, 139, 152)
    assert project(seen, 152, 200, "increase", NOW).kind == ON_PACE


def test_at_or_beyond_the_target_the_better_way_is_reached_whatever_the_pace():
    assert project((), 4500, 4500, "increase", NOW).kind == REACHED
    assert project(daily(10, 5, 1), 5000, 4500, "increase", NOW).kind == REACHED
    reached = project((), 25, 30, "decrease", NOW)
    assert reached.kind == REACHED and reached.cell(NOW) == "✓ reached" and reached.tone == GOOD
    assert project((), 35, 30, "decrease", NOW).kind != REACHED  # above a lower-is-better target


def test_moving_away_from_the_target_is_off_pace():
    seen = daily(140, 130, 120, 110, 100)
    projection = project(seen, 100, 200, "increase", NOW)
    assert projection.kind == OFF_PACE and projection.cell(NOW) == "off pace" and projection.tone == BAD
    assert projection.sentence(NOW) == "off pace: moving away from the target"
    worse = project(daily(30, 35, 40, 45), 45, 20, "decrease", NOW)  # lower is better, rising
    assert worse.kind == OFF_PACE


def test_a_target_more_than_a_year_away_at_this_pace_is_off_pace():
    seen = daily(*(100 + i for i in range(30)))  # +1 a day for 30 days
    projection = project(seen, 129, 1000, "increase", NOW)
    assert projection.kind == OFF_PACE and "more than a year" in projection.reason


def test_a_date_further_than_three_times_the_values_span_is_not_guessed():
    seen = daily(100, 110, 120, 130)  # three days of values, 100 days to go
    projection = project(seen, 130, 1130, "increase", NOW)
    assert projection.kind == UNKNOWN and projection.cell(NOW) == "·" and projection.tone == MUTED
    assert "too far ahead" in projection.reason


def test_values_that_swing_are_not_steady():
    seen = daily(100, 180, 90, 170, 110, 160)
    projection = project(seen, 160, 300, "increase", NOW)
    assert projection.kind == UNKNOWN and "not steady" in projection.reason


def test_too_few_values_or_too_short_a_span_give_nothing():
    assert project(daily(100, 110, 120), 120, 200, "increase", NOW).kind == UNKNOWN
    minutes = tuple(KpiPoint(NOW - (5 - i) * 600, 100 + i) for i in range(6))
    short = project(minutes, 105, 200, "increase", NOW)
    assert short.kind == UNKNOWN and "less than a day" in short.reason


def test_only_the_last_30_days_count():
    old = tuple(KpiPoint(NOW - (60 - i) * DAY, 100 + i) for i in range(10))  # steady, but long ago
    assert project((*old, *daily(150, 151)), 151, 200, "increase", NOW).kind == UNKNOWN


def test_a_kpi_that_stopped_moving_does_not_keep_its_old_pace():
    seen = daily(100, 110, 120, 130, 140, days_ago=20)  # rose for five days, then nothing for twenty
    assert project(seen, 140, 200, "increase", NOW).kind != ON_PACE


def test_an_unknown_direction_or_a_missing_target_projects_nothing():
    seen = daily(100, 110, 120, 130, 140)
    assert project(seen, 140, 200, None, NOW).reason == "which way is better is unknown"
    assert project(seen, 140, None, "increase", NOW).kind == UNKNOWN
    assert project(seen, None, 200, "increase", NOW).kind == UNKNOWN
    assert project(seen, 140, 10**400, "increase", NOW).kind == UNKNOWN


def test_zero_and_negative_targets():
    bugs = daily(8, 6, 4, 2)  # -2 a day toward zero bugs
    projection = project(bugs, 2, 0, "decrease", NOW)
    assert projection.kind == ON_PACE and projection.at == pytest.approx(NOW + DAY)
    margin = daily(-50, -40, -30, -20)  # a loss shrinking toward a target of -10
    assert project(margin, -20, -10, "increase", NOW).at == pytest.approx(NOW + DAY)
    assert project(daily(-5, -4, -3, -2), -2, -10, "decrease", NOW).kind == OFF_PACE  # rising, away


def test_huge_numbers_project_without_overflow():
    seen = daily(1e307, 2e307, 3e307, 4e307)
    assert project(seen, 4e307, 6e307, "increase", NOW).at == pytest.approx(NOW + 2 * DAY)
    opposite = daily(-1e308, -5e307, 0.0, 5e307)
    assert project(opposite, 5e307, 1e308, "increase", NOW).at == pytest.approx(NOW + DAY)


def test_dates_of_another_year_say_the_year():
    assert short_date(NOW + 300 * DAY, NOW) == "2 Mar 2027"
    assert short_date(NOW, NOW) == "6 May"
