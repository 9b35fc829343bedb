"""The KPI list's sparkline: the last values seen, one block each, lowest ▁ to highest █."""

from __future__ import annotations

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.sparkline import BLOCKS, WIDTH, recent_values, sparkline


def points(*values):
    return tuple(KpiPoint(at=float(i), value=float(v)) for i, v in enumerate(values))


def test_a_rising_series_climbs_from_the_lowest_block_to_the_highest():
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == BLOCKS


def test_a_small_move_still_shows_the_values_scale_between_their_own_extremes():
    assert sparkline([1000, 1001, 1000]) == "▁█▁"


def test_equal_values_are_a_flat_middle_line_and_one_value_draws_nothing():
    assert sparkline([5, 5, 5]) == "▄▄▄"
    assert sparkline([5]) == ""
    assert sparkline([]) == ""


def test_huge_and_opposite_values_still_scale():
    assert sparkline([-1e308, 0.0, 1e308]) == "▁▅█"
    assert sparkline([5e-324, 1e308]) == "▁█"


def test_recent_values_are_the_last_changes_ending_with_the_current_value():
    assert recent_values(points(1, 2, 3), 3) == [1, 2, 3]
    assert recent_values(points(1, 2, 3), 4) == [1, 2, 3, 4]  # the list's value, ahead of the points
    assert recent_values(points(1, 2, 2, 3, 3), 3) == [1, 2, 3]  # a value seen again is one value
    assert recent_values(points(*range(20)), 19) == [float(v) for v in range(12, 20)]
    assert len(recent_values(points(*range(20)), 19)) == WIDTH


def test_values_no_float_holds_are_left_out():
    assert recent_values(points(1, 2), 10**400) == [1, 2]
    assert recent_values((), None) == []
    assert recent_values((), 7) == [7]


def test_subnormal_steps_still_scale():
    assert sparkline([5e-324, 1e-323, 1.5e-323, 2e-323]) == "▁▃▆█"
