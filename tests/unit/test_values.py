"""A number as a person types it: what a write sends, and the sentence when it cannot be sent."""

import pytest

from okrt_tui.views.values import BadValue, parse_value


@pytest.mark.parametrize(
    ("typed", "current", "sent"),
    [
        ("41", None, "41"),
        ("1,234.5", None, "1234.5"),
        ("1_234.5", None, "1234.5"),
        ("1 234.5", None, "1234.5"),
        ("1\u00a0234.5", None, "1234.5"),
        ("1e3", None, "1000"),
        ("0.5", None, "0.5"),
        ("+5", 10, "15"),
        ("-2", 10, "8"),
        ("+0.2", 0.1, "0.3"),
        ("=-40", None, "-40"),
        ("=-40", 12, "-40"),
        ("  72  ", None, "72"),
    ],
)
def test_typed_numbers_become_the_json_number_sent(typed: str, current: float | None, sent: str) -> None:
    assert parse_value(typed, current).text == sent


def test_a_change_reports_its_delta() -> None:
    assert parse_value("+4.5", 10).delta == 4.5
    assert parse_value("12", 10).delta is None


@pytest.mark.parametrize(
    ("typed", "current", "said"),
    [
        ("", None, "Type a number"),
        ("1,5", None, "use a dot for decimals (1.5)"),
        ("12,34", None, "use a dot for decimals"),
        ("1,23,4", None, "commas may only separate thousands"),
        ("nan", None, "finite number"),
        ("Infinity", None, "finite number"),
        ("1e999", None, "too large"),
        ("1e-400", None, "too small"),
        ("-2", None, "the current value is not known"),
        ("abc", None, "is not a number"),
        ("12 34", None, "spaces may only separate thousands"),
        ("+", 3, "after the sign"),
    ],
)
def test_what_cannot_be_sent_is_refused_with_a_reason(typed: str, current: float | None, said: str) -> None:
    with pytest.raises(BadValue) as refused:
        parse_value(typed, current)
    assert said in str(refused.value)
