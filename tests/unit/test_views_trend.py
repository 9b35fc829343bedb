"""The trend arrow compares with the previous different value seen; lower can be better."""

from __future__ import annotations

from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.trend import (
    NO_TREND,
    change_since,
    kpi_series,
    kpi_trend,
    previous_value,
    trend,
    value_at,
)


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


def test_the_current_value_is_placed_at_the_kpis_own_last_update():
    seen = (KpiPoint(100.0, 1.0), KpiPoint(500.0, 2.0))
    # Set at 300, first seen at 500 (nothing else since): it held from 300.
    assert kpi_series(seen, 2, 300.0) == (KpiPoint(100.0, 1.0), KpiPoint(300.0, 2.0))
    # Updated at 700, after the last value seen: the current value is added there.
    assert kpi_series(seen, 3, 700.0) == (*seen, KpiPoint(700.0, 3.0))
    assert kpi_series((), 3, 700.0) == (KpiPoint(700.0, 3.0),)
    # Points already at or after the update (the history's own times), or no time known: as given.
    assert kpi_series(seen, 2, 500.0) is seen
    assert kpi_series(seen, 2, None) is seen
    assert kpi_series(seen, None, 700.0) is seen
    # The newest point came after an earlier one that is itself after the update: as given.
    assert kpi_series(seen, 2, 50.0) is seen


def test_the_value_that_held_at_a_moment_and_the_change_since():
    seen = (KpiPoint(100.0, 10.0), KpiPoint(200.0, 20.0))
    assert value_at(seen, 99.0) is None
    assert value_at(seen, 100.0) == 10 and value_at(seen, 199.0) == 10 and value_at(seen, 1e9) == 20
    assert change_since(seen, 25, 150.0, "increase").display == "↑ +15"
    assert change_since(seen, 25, 150.0, "decrease").tone == "bad"
    assert change_since(seen, 25, 50.0, "increase") == NO_TREND  # nothing that old was seen
    assert change_since(seen, 20, 250.0, None).display == "→ 0"
