"""The trend arrow compares with the previous different value seen; lower can be better."""

from __future__ import annotations

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.trend import NO_TREND, kpi_trend, points_in_range, previous_value, trend


def points(*values):
    return tuple(KpiPoint(at=float(i), value=float(v)) for i, v in enumerate(values))


def test_previous_value_skips_repeats_of_the_current_value():
    assert previous_value(points(100, 120, 120), 120) == 100
    assert previous_value(points(120), 120) is None
    assert previous_value((), 120) is None
    assert previous_value(points(1, 2), None) is None


def test_up_is_good_when_higher_is_better():
    up = trend(100, 120, "increase")
    assert up.glyph == "↑" and up.tone == "good" and up.display == "↑ +20"


def test_down_is_good_when_lower_is_better():
    down = trend(42, 38, "decrease")
    assert down.glyph == "↓" and down.tone == "good" and down.display == "↓ -4"
    assert trend(38, 42, "decrease").tone == "bad"


def test_unchanged_and_unknown():
    assert trend(5, 5).display == "→ 0"
    assert trend(None, 5) is NO_TREND
    assert NO_TREND.display == "·"


def test_kpi_trend_and_large_deltas():
    assert kpi_trend(points(1_000_000, 1_240_000), 1_240_000, None).display == "↑ +240k"


def test_points_in_range():
    now = 100 * 86400.0
    seen = tuple(KpiPoint(at=now - d * 86400, value=d) for d in (90, 20, 5, 0))
    assert [p.value for p in points_in_range(seen, now, 7)] == [5, 0]
    assert len(points_in_range(seen, now, None)) == 4
