"""The line under a form's value field: the change as a person reads it."""

from __future__ import annotations

import pytest

from okrt_tui.api.models import Kpi
from okrt_tui.views.direction import UNKNOWN
from okrt_tui.views.preview import kpi_preview
from okrt_tui.views.values import parse_value


@pytest.mark.parametrize(
    ("unit", "current", "typed", "said"),
    [
        ("$", 214_355, "77", "$214,355 → $77 (-214,278)"),  # a unit before the number: on both sides
        ("%", 12, "+2", "12% → 14% (+2)"),
        ("NPS", 38, "41", "38 → 41 NPS (+3)"),  # a word: once, after the new value
    ],
)
def test_the_change_is_written_with_its_unit_as_people_write_it(unit, current, typed, said):
    kpi = Kpi(id="k", name="K", current=current, target=100, unit=unit)
    first, _tone = kpi_preview(kpi, parse_value(typed, current), UNKNOWN).parts[0]
    assert first == said
