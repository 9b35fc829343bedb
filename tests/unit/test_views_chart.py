"""The KPI chart as data: dated x ticks by span, y ticks written like the header, the target's place."""

from __future__ import annotations

import pytest

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.chart import chart_model, nice_step, time_axis, value_axis

DAY = 86400.0
NOW = 1_778_068_800.0  # 2026-05-06 12:00 UTC


pytestmark = pytest.mark.usefixtures("utc_local_time")  # the axes' labels are local times


def test_a_week_is_ticked_by_day_a_quarter_by_fortnight_at_midnights():
    week = time_axis(NOW - 7 * DAY, NOW, 8)
    assert week.labels == ("30 Apr", "1 May", "2 May", "3 May", "4 May", "5 May", "6 May")
    assert week.ticks[0] == pytest.approx(0.5)  # 30 Apr 00:00 is half a day after the start
    quarter = time_axis(NOW - 90 * DAY, NOW, 8)
    assert len(quarter.labels) <= 8 and all(label[-3:] in "FebMarAprMay" for label in quarter.labels)


def test_a_day_is_ticked_by_the_hour_and_a_midnight_says_its_date():
    assert time_axis(NOW - DAY, NOW, 9).labels == (
        "12:00",
        "15:00",
        "18:00",
        "21:00",
        "6 May",
        "03:00",
        "06:00",
        "09:00",
        "12:00",
    )
    assert time_axis(NOW - DAY, NOW, 8).labels == ("12:00", "18:00", "6 May", "06:00", "12:00")
    assert time_axis(NOW - 3600, NOW, 6).labels == ("11:00", "11:15", "11:30", "11:45", "12:00")


def test_years_are_ticked_by_month_and_year():
    labels = time_axis(NOW - 700 * DAY, NOW, 8).labels
    assert len(labels) <= 8 and labels[-1].endswith("2026") and labels[0].endswith("2024")


def test_value_ticks_are_round_and_written_like_the_header():
    axis = value_axis(1_440_000, 1_510_000, 4, "$", 0)
    assert axis.labels == ("$1,440,000", "$1,460,000", "$1,480,000", "$1,500,000")
    assert value_axis(40, 62, 4, "%", 0).labels == ("40%", "50%", "60%")
    assert value_axis(3000, 3800, 4, "users", 0).labels == ("3,000", "3,200", "3,400", "3,600", "3,800")
    assert value_axis(-0.3, 0.3, 4, None, 0).labels == ("-0.2", "0", "0.2")
    assert nice_step(7, 4) == 2.0 and nice_step(0, 4) == 1.0


def test_huge_values_are_placed_scaled_and_labelled_whole():
    axis = value_axis(1e20, 3e20, 3, None, 20)
    assert axis.labels == ("1e+20", "2e+20", "3e+20") and axis.ticks == (1.0, 2.0, 3.0)
    model = chart_model(
        [KpiPoint(NOW - DAY, -1e308), KpiPoint(NOW, 1e308)],
        start=NOW - 7 * DAY,
        end=NOW,
        target=None,
        unit=None,
    )
    assert model.ys == (-1.0, 1.0) and model.y_axis.labels


def test_the_value_that_held_at_the_start_is_drawn_there_and_the_range_spans_the_axis():
    seen = [KpiPoint(NOW - 40 * DAY, 100.0), KpiPoint(NOW - 10 * DAY, 120.0)]
    model = chart_model(seen, start=NOW - 30 * DAY, end=NOW, target=None, unit=None)
    assert model.xs == (0.0, 20.0, 30.0) and model.ys == (100.0, 120.0, 120.0)  # 120 holds to now
    assert model.x_range == (0.0, 30.0) and model.latest == (20.0, 120.0)
    unchanged = chart_model(seen[:1], start=NOW - 30 * DAY, end=NOW, target=None, unit=None)
    assert unchanged.xs == (0.0, 30.0) and unchanged.latest is None  # a flat line, set before the range


def test_a_range_padded_down_to_zero_keeps_its_zero():
    seen = [KpiPoint(NOW - 2 * DAY, 1.0), KpiPoint(NOW - DAY, 11.0)]
    assert chart_model(seen, start=NOW - 7 * DAY, end=NOW, target=None, unit=None).y_range == (0.0, 12.0)


def test_a_target_near_the_values_is_drawn_and_a_far_one_is_named_instead():
    seen = [KpiPoint(NOW - 2 * DAY, 1_400_000.0), KpiPoint(NOW - DAY, 1_464_258.0)]
    near = chart_model(seen, start=NOW - 7 * DAY, end=NOW, target=1_500_000, unit="$")
    assert near.target_y == 1_500_000 and near.target_side is None
    assert near.y_range[1] > 1_500_000
    far = chart_model(seen, start=NOW - 7 * DAY, end=NOW, target=2_500_000, unit="$")
    assert far.target_y is None and far.target_side == "above"
    assert far.y_range[1] < 1_600_000  # the values keep the chart's height
    below = chart_model(seen, start=NOW - 7 * DAY, end=NOW, target=0, unit="$")
    assert below.target_side == "below"


def test_posted_updates_are_marked_on_the_line_within_the_range():
    seen = [KpiPoint(NOW - 5 * DAY, 10.0), KpiPoint(NOW - 2 * DAY, 20.0)]
    model = chart_model(
        seen, start=NOW - 7 * DAY, end=NOW, target=None, unit=None, posted=[NOW - 2 * DAY, NOW - 60 * DAY]
    )
    assert model.posted == ((5.0, 20.0),)


def test_a_word_unit_labels_the_axis_and_a_short_one_the_ticks():
    seen = [KpiPoint(NOW - DAY, 10.0)]
    assert chart_model(seen, start=NOW - 7 * DAY, end=NOW, target=None, unit="users").unit_label == "users"
    assert chart_model(seen, start=NOW - 7 * DAY, end=NOW, target=None, unit="$").unit_label == ""
