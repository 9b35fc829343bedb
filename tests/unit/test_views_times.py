"""Relative times, due dates and stale check-ins, against an explicit now."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from okrt_tui.views.times import (
    clock_time,
    countdown,
    due_label,
    is_stale_checkin,
    local_datetime,
    parse_date,
    parse_timestamp,
    relative_time,
    updated_label,
)

NOW = parse_timestamp("2026-05-06T12:00:00Z")


def test_parse_timestamp_variants():
    assert parse_timestamp("2026-05-06T12:00:00Z") == NOW
    assert parse_timestamp("2026-05-06T14:00:00+02:00") == NOW
    assert parse_timestamp("2026-05-06T12:00:00") == NOW  # naive is UTC
    assert parse_timestamp("2026-05-06") == NOW - 12 * 3600
    assert parse_timestamp("not a date") is None
    assert parse_timestamp("") is None
    assert parse_timestamp(None) is None
    assert parse_timestamp(123.0) == 123.0


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2026-05-06T12:00:00Z", "just now"),
        ("2026-05-06T11:59:20Z", "just now"),
        ("2026-05-06T11:58:00Z", "2 min ago"),
        ("2026-05-06T09:00:00Z", "3 h ago"),
        ("2026-05-03T12:00:00Z", "3 d ago"),
        ("2026-01-06T12:00:00Z", "4 mo ago"),
        ("2023-05-06T12:00:00Z", "3 y ago"),
        ("2026-05-08T12:00:00Z", "in 2 d"),
        ("2026-05-06T12:10:00Z", "in 10 min"),
        ("garbage", "—"),
        (None, "—"),
    ],
)
def test_relative_time(iso, expected):
    assert relative_time(iso, NOW) == expected


def test_updated_label_ticks_in_seconds():
    assert updated_label(NOW - 12, NOW) == "updated 12 s ago"
    assert updated_label(NOW, NOW) == "updated just now"
    assert updated_label(NOW - 300, NOW) == "updated 5 min ago"
    assert updated_label(None, NOW) == "not updated yet"
    assert updated_label(NOW + 5, NOW) == "updated just now"


def test_countdown():
    assert countdown(22.1) == "23 s"
    assert countdown(-3) == "0 s"
    assert countdown(125) == "2 min 5 s"
    assert countdown(120) == "2 min"


def test_due_dates():
    assert due_label("2026-05-11", NOW).text == "in 5 d"
    assert due_label("2026-05-06", NOW).text == "due today"
    overdue = due_label("2026-05-03", NOW)
    assert overdue.text == "⚠ 3 d overdue" and overdue.overdue and overdue.tone == "bad"
    assert overdue.days == -3
    assert due_label("2026-05-08", NOW).tone == "warn"
    assert due_label(None, NOW).text == "—"
    assert due_label("soon", NOW).text == "—"


def test_closed_cycles_are_never_overdue():
    closed = due_label("2026-05-03", NOW, closed=True)
    assert closed.text == "ended 3 d ago" and not closed.overdue


def test_stale_checkins_after_14_days():
    assert is_stale_checkin("2026-04-21T12:00:00Z", NOW)  # 15 days
    assert not is_stale_checkin("2026-04-23T12:00:00Z", NOW)  # 13 days
    assert is_stale_checkin(None, NOW)


def test_parse_date_and_local_datetime():
    assert parse_date("2026-05-03").isoformat() == "2026-05-03"
    assert parse_date("2026-05-03T10:00:00Z").isoformat() == "2026-05-03"
    assert parse_date("x") is None
    assert local_datetime("2026-05-06T12:00:00Z", tz=UTC) == "2026-05-06 12:00 UTC"
    assert local_datetime(None) == "—"


def test_clock_time_is_the_time_of_day_today_and_the_date_too_on_another_day() -> None:
    now = datetime(2026, 12, 1, 16, 30, tzinfo=UTC).timestamp()
    assert clock_time(now - 28 * 60, now, tz=UTC) == "16:02"
    assert clock_time(now - 17 * 3600, now, tz=UTC) == "30 Nov 23:30"
