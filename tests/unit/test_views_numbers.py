"""Numbers for people: separators, units, percentages, bars and a KPI's share of its target."""

from __future__ import annotations

import math

import pytest

from okrt_tui.views.numbers import bar, format_number, kpi_ratio, percent, progress_text, with_unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3721, "3,721"),
        (3721.0, "3,721"),
        (1234.5, "1,234.5"),
        (0.125, "0.12"),
        (-1500, "-1,500"),
        (0, "0"),
        (None, "—"),
        (math.nan, "nan"),
        (True, "—"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_compact_numbers():
    assert format_number(1_240_000, compact=True) == "1.24M"
    assert format_number(18_500, compact=True) == "18.5k"
    assert format_number(9_999, compact=True) == "9,999"
    assert format_number(-2_000_000, compact=True) == "-2M"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (3721, "users", "3,721 users"),
        (45.5, "%", "45.5%"),
        (1200, "$", "$1,200"),
        (-5, "€", "-€5"),
        (12, None, "12"),
        (None, "users", "—"),
        (3, "[b]x[/b]\x1b", "3 [b]x[/b]␛"),
    ],
)
def test_with_unit(value, unit, expected):
    assert with_unit(value, unit) == expected


def test_percent_rounds_half_up():
    assert percent(0.654) == "65%"
    assert percent(0.125) == "13%"
    assert percent(1.2) == "120%"
    assert percent(None) == "—"
    assert percent(0.5, decimals=1) == "50.0%"


def test_bar_widths_and_clamping():
    assert bar(0, 4) == "░░░░"
    assert bar(1, 4) == "████"
    assert bar(1.7, 4) == "████"
    assert bar(-1, 4) == "░░░░"
    assert bar(None, 3) == "░░░"
    assert bar(0.5, 0) == ""
    assert len(bar(0.33, 10)) == 10
    assert bar(0.5, 4) == "██░░"


def test_progress_text_has_bar_and_percent():
    assert progress_text(0.65, 10).endswith(" 65%")
    assert len(progress_text(0.65, 10)) == 15


def test_kpi_ratio_respects_direction():
    assert kpi_ratio(3721, 4500) == pytest.approx(0.8269, abs=1e-3)
    assert kpi_ratio(42, 30, "decrease") == pytest.approx(30 / 42)
    assert kpi_ratio(20, 30, "decrease") == pytest.approx(1.5)
    assert kpi_ratio(1, 0) is None
    assert kpi_ratio(0, 10, "decrease") is None
    assert kpi_ratio(None, 10) is None
