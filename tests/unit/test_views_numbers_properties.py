"""Every number a server can send is shown: property tests over the functions that format numbers.

JSON carries any decimal number. What reaches these functions after msgspec is a float within ±1.8e308
(subnormals and -0 included), or a Python int of any size (``1`` followed by 400 zeros decodes exactly).
NaN and infinity cannot come from JSON, but the functions also take what code computes, so they are
drawn too. Each property says what a person reads: text that reads back as the number, to the
precision shown, and a bar exactly as wide as its column.
"""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from okrt_tui.api.models import Kpi, Okr
from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.aggregates import summarize_okrs, summary_line
from okrt_tui.views.chart import chart_model
from okrt_tui.views.direction import kpi_direction, kpi_figures, learn_directions
from okrt_tui.views.markdown import kpi_markdown, okr_markdown
from okrt_tui.views.numbers import (
    axis_exponent,
    bar,
    format_number,
    kpi_ratio,
    percent,
    progress_text,
    with_unit,
)
from okrt_tui.views.projection import project
from okrt_tui.views.sparkline import BLOCKS, recent_values, sparkline
from okrt_tui.views.status import health_band
from okrt_tui.views.text import DASH
from okrt_tui.views.trend import trend

EDGES = [1e308, -1e308, 0.0, -0.0, 5e-324, -5e-324, 2**63, 2**64 + 1, -(2**63) - 1, 10**400, -(10**400)]
#: What JSON can carry, as msgspec decodes it.
json_numbers = st.one_of(
    st.sampled_from(EDGES),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.integers(),
)
#: And what code can compute, or a server can leave out.
any_numbers = st.one_of(json_numbers, st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.none())

relaxed = settings(deadline=None, max_examples=200)


def reads_back(text: str, value: int | float | Decimal, *, places: int) -> bool:
    """``text`` is ``value`` to the precision shown: ``places`` decimals, or three significant digits."""
    shown = Decimal(text.replace(",", ""))
    exact = Decimal(value)
    if "e" in text:
        return abs(shown - exact) <= abs(exact) * Decimal("0.005")
    return abs(shown - exact) <= Decimal(5) / 10 ** (places + 1)


@relaxed
@given(json_numbers, st.booleans())
def test_format_number_reads_back_in_a_short_cell(value, compact):
    text = format_number(value, compact=compact)
    assert text and len(text) <= 23  # "-999,999,999,999,999.99"
    if not compact or abs(value) < 10_000:
        assert reads_back(text, value, places=2), text


@relaxed
@given(any_numbers, st.sampled_from(["$", "%", "users", None, "€"]))
def test_with_unit_shows_the_number_and_its_unit(value, unit):
    text = with_unit(value, unit)
    number = format_number(value)
    assert text == number or number.lstrip("-") in text


@relaxed
@given(json_numbers, st.sampled_from([0, 1, 2]))
@example(1e308, 0)
@example(-0.0, 1)
@example(5629499534213.547, 1)  # found by Hypothesis: a float's * 100 was off by 0.11
def test_percent_reads_back(fraction, decimals):
    text = percent(fraction, decimals=decimals)
    if isinstance(fraction, int) and not isinstance(fraction, float) and abs(fraction) > 1e308:
        assert text == DASH  # no float holds it; its value is still shown by format_number
        return
    assert text.endswith("%") and len(text) <= 25
    assert reads_back(text[:-1], Decimal(fraction) * 100, places=decimals), text
    assert not (text.startswith("-") and Decimal(text[:-1]) == 0), text  # no "-0%"


@relaxed
@given(any_numbers, st.integers(min_value=0, max_value=40))
def test_bar_is_exactly_its_width(fraction, width):
    assert len(bar(fraction, width)) == width
    text = progress_text(fraction, width)
    assert text.startswith(bar(fraction, width) + " ") and text.endswith(("%", DASH))


@relaxed
@given(any_numbers, any_numbers, st.sampled_from(["increase", "decrease", None]))
def test_kpi_ratio_is_a_float_or_nothing_and_always_shows(current, target, direction):
    ratio = kpi_ratio(current, target, direction)
    assert ratio is None or math.isfinite(ratio)
    assert percent(ratio)
    if target == 0 and direction != "decrease":
        assert ratio is None


@relaxed
@given(any_numbers, any_numbers, st.sampled_from(["increase", "decrease", None]))
def test_trend_shows_an_arrow_and_a_readable_change(previous, current, direction):
    display = trend(previous, current, direction).display
    assert display[0] in "·→↑↓" and "inf" not in display and "nan" not in display


@relaxed
@given(st.lists(any_numbers, max_size=5))
def test_health_scores_band_and_average_within_0_to_100(scores):
    for score in scores:
        band = health_band(score)
        assert band.score is None or 0 <= band.score <= 100
    summary = summarize_okrs([Okr(health_score=score) for score in scores])
    assert summary.mean_health is None or 0 <= summary.mean_health <= 100
    assert "mean health" in summary_line(summary)


@relaxed
@given(json_numbers, json_numbers, st.sampled_from(["on_track", "at_risk", "off_track", None]))
def test_kpi_cells_show_every_number(current, target, status):
    kpi = Kpi(id="k", current=current, target=target, status=status, unit="$")
    learn_directions([kpi], {})
    figures = kpi_figures(kpi, kpi_direction(kpi), kpi.unit, compact=True)
    assert figures.current == with_unit(current, "$", compact=True)
    assert with_unit(target, "$", compact=True) in figures.target
    assert figures.ratio is None or math.isfinite(figures.ratio)


@relaxed
@given(json_numbers, json_numbers)
def test_markdown_copies_show_every_number(current, target):
    kpi = Kpi(name="k", current=current, target=target, unit="$")
    text = kpi_markdown(kpi, [KpiPoint(at=0.0, value=1e308)])
    assert f"- Current: {with_unit(current, '$')}" in text
    assert f"- Target: {with_unit(target, '$')}" in text
    assert "# " in okr_markdown(Okr(title="o", progress=current, health_score=target))


@relaxed
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=10))
def test_a_chart_axis_scaled_by_its_exponent_has_a_finite_span(values):
    scale = 10.0 ** axis_exponent(values)
    scaled = [value / scale for value in values]
    assert math.isfinite(max(scaled) - min(scaled))
    assert max(abs(value) for value in scaled) < 1e15


@relaxed
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=0, max_size=8),
    json_numbers,
    st.sampled_from(["increase", "decrease", None]),
)
def test_sparklines_projections_and_charts_take_every_number(values, target, direction):
    now = 1_778_068_800.0
    seen = [KpiPoint(at=now - (len(values) - i) * 86400.0, value=v) for i, v in enumerate(values)]
    current = values[-1] if values else target
    drawn = sparkline(recent_values(seen, current))
    assert len(drawn) in (0, len(recent_values(seen, current))) and set(drawn) <= set(BLOCKS)
    projection = project(seen, current, target, direction, now)
    assert projection.cell(now) and projection.sentence(now)
    model = chart_model(seen, start=now - 30 * 86400.0, end=now, target=target, unit="$")
    assert all(math.isfinite(y) for y in (*model.ys, *model.y_range, *model.y_axis.ticks))
    assert len(model.y_axis.ticks) == len(model.y_axis.labels)
