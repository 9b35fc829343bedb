"""Which cycle the OKRs screen opens on."""

from __future__ import annotations

from datetime import UTC, datetime

from okrt_tui.views.cycles import current_cycle, cycles_of, quarter_of


def at(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


def test_quarters_are_read_from_names_like_the_reference():
    assert quarter_of("Q4 2026") == (2026, 4)
    assert quarter_of("q1 2027") == (2027, 1)
    assert quarter_of("FY 2026") is None and quarter_of(None) is None


def test_cycles_most_recent_first_then_other_names():
    names = ["Q3 2026", "FY 2026", "Q4 2026", None, "Q1 2027", "Q3 2026", ""]
    assert cycles_of(names) == ["Q1 2027", "Q4 2026", "Q3 2026", "FY 2026"]


def test_the_current_cycle_is_the_quarter_holding_today_in_utc():
    names = ["Q3 2026", "Q4 2026", "Q1 2027"]
    assert current_cycle(names, at("2026-12-01T13:00:00")) == "Q4 2026"
    assert current_cycle(names, at("2026-09-30T23:59:59")) == "Q3 2026"
    assert current_cycle(names, at("2026-10-01T00:00:00")) == "Q4 2026"


def test_without_objectives_this_quarter_the_latest_cycle_with_some():
    assert current_cycle(["Q2 2026", "Q3 2026", "Q1 2027"], at("2026-12-01T00:00:00")) == "Q3 2026"
    assert current_cycle(["Q2 2027", "Q1 2027"], at("2026-12-01T00:00:00")) == "Q1 2027"  # only upcoming
    assert current_cycle(["FY 2026", None], at("2026-12-01T00:00:00")) is None  # no quarters: show all
