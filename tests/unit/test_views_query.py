"""Filtering as you type and sorting by a column, with missing values last."""

from __future__ import annotations

from okrt_tui.views.query import cycle_key, distinct, matches, next_sort, parse_query, sort_by, status_key


def test_parse_words_and_fields():
    query = parse_query('Onboard  cycle:"Q2 2026" type:Team status:at_risk bogus:x')
    assert query.words == ("onboard", "bogus:x")
    assert query.fields == (("cycle", "q2 2026"), ("type", "team"), ("status", "at risk"))


def test_unfinished_quotes_and_empty_fields_while_typing():
    assert parse_query('cycle:"Q2').fields == (("cycle", "q2"),)
    assert parse_query("cycle:").empty
    assert parse_query("   ").empty


def test_matches_all_words_and_fields():
    fields = {"cycle": "q2 2026", "type": "team", "status": "at risk", "owner": "alice"}
    assert matches(parse_query("onb alice"), "improve onboarding\nalice", fields)
    assert not matches(parse_query("onb bob"), "improve onboarding\nalice", fields)
    assert matches(parse_query("type:tea cycle:q2"), "x", fields)
    assert not matches(parse_query("type:org"), "x", fields)


def test_sort_by_keeps_missing_last_in_both_directions():
    items = [3, None, 1, 2]
    assert sort_by(items, lambda v: v) == [1, 2, 3, None]
    assert sort_by(items, lambda v: v, reverse=True) == [3, 2, 1, None]


def test_next_sort_toggles():
    assert next_sort(None, "title") == ("title", False)
    assert next_sort(("title", False), "title") == ("title", True)
    assert next_sort(("title", True), "owner") == ("owner", False)


def test_cycles_sort_in_time_order():
    names = ["Q1 2027", "Q4 2026", "Other", "Q2 2026"]
    assert sorted(names, key=cycle_key) == ["Q2 2026", "Q4 2026", "Q1 2027", "Other"]
    assert cycle_key(None) is None


def test_status_sorts_worst_first():
    assert sorted(["on_track", "weird", "off_track", "at_risk"], key=status_key) == [
        "off_track",
        "at_risk",
        "on_track",
        "weird",
    ]


def test_distinct_keeps_order():
    assert distinct(["b", None, "a", "b", ""]) == ["b", "a"]
