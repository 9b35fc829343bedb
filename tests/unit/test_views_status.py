"""Status and health are never colour alone: each has a glyph and a word."""

from __future__ import annotations

import pytest

from okrt_tui.views.status import BAD, FAIR, GOOD, MUTED, WARN, health_band, review_type_label, status_label


@pytest.mark.parametrize(
    ("status", "display", "tone"),
    [
        ("on_track", "● on track", GOOD),
        ("at_risk", "▲ at risk", WARN),
        ("off_track", "✖ off track", BAD),
        ("active", "● active", GOOD),
        ("closed", "✔ closed", MUTED),
        ("upcoming", "○ upcoming", "info"),
    ],
)
def test_known_statuses(status, display, tone):
    label = status_label(status)
    assert label.display == display and label.tone == tone and str(label) == display


def test_unknown_status_is_shown_as_its_text():
    assert status_label("paused_by_legal").display == "◇ paused_by_legal"
    assert status_label("\x1b[31mred").text == "␛[31mred"
    assert status_label(None).display == "—"


@pytest.mark.parametrize(
    ("score", "label", "tone"),
    [
        (100, "Strong", GOOD),
        (80, "Strong", GOOD),
        (79, "Good", FAIR),
        (60, "Good", FAIR),
        (59, "Needs attention", WARN),
        (40, "Needs attention", WARN),
        (39, "At risk", BAD),
        (0, "At risk", BAD),
        (79.9, "Good", FAIR),
        (150, "Strong", GOOD),
        (-5, "At risk", BAD),
    ],
)
def test_health_bands(score, label, tone):
    band = health_band(score)
    assert (band.label, band.tone) == (label, tone)


def test_missing_health_score():
    band = health_band(None)
    assert band.score is None and band.display == "—"
    assert health_band(float("nan")).score is None
    assert health_band(82).display == "82 Strong"


def test_review_type_label():
    assert review_type_label("360") == "360"
    assert review_type_label(None) == "—"
