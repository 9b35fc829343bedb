"""Filtering as you type and sorting by a column, with missing values last."""

from __future__ import annotations

from okrt_tui.views.query import (
    cycle_key,
    distinct,
    explain,
    matches,
    next_sort,
    parse_query,
    sort_by,
    status_key,
)


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


ROWS = [
    {"cycle": "q4 2026", "type": "team", "status": "on track", "owner": "alice nguyen"},
    {"cycle": "q4 2026", "type": "org", "status": "off track", "owner": "bob stone"},
]


def test_an_unknown_field_is_named_with_the_fields_this_list_has():
    query = parse_query("bogus:x")
    assert query.unknown == ("bogus",)
    assert explain(query, ROWS) == [
        "bogus is not a field of this list (its fields: cycle, type, status, owner)."
    ]


def test_a_field_of_another_list_is_not_a_field_of_this_one():
    assert explain(parse_query("unit:users"), ROWS) == [
        "unit is not a field of this list (its fields: cycle, type, status, owner)."
    ]


def test_a_value_no_row_has_is_named_with_the_values_there_are():
    assert explain(parse_query('status:"at risk"'), ROWS) == [
        "No row has a status containing “at risk” (its values: off track, on track)."
    ]


def test_an_unquoted_value_with_a_space_is_shown_quoted():
    # Unquoted, this is the status "on" and the word "track", which no title or owner holds.
    assert explain(parse_query("status:on track"), ROWS) == [
        'A value with a space needs quotes: status:"on track".'
    ]


def test_a_filter_that_is_merely_strict_needs_no_explaining():
    assert explain(parse_query("status:on_track zebra"), ROWS) == []
    assert explain(parse_query("zebra"), ROWS) == []
    assert parse_query("Q3: launch").unknown == ()
