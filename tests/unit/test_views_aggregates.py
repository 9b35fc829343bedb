"""The counts at the top of the OKRs screen."""

from __future__ import annotations

from okrt_tui.api.models import Okr
from okrt_tui.views.aggregates import summarize_okrs, summary_line


def test_counts_and_mean_health():
    okrs = [
        Okr(status="on_track", health_score=80),
        Okr(status="at_risk", health_score=50),
        Okr(status="off_track", health_score=20),
        Okr(status="on_track", health_score=None),
        Okr(status="paused", health_score=90),
    ]
    summary = summarize_okrs(okrs)
    assert (summary.total, summary.on_track, summary.at_risk, summary.off_track, summary.other) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert summary.mean_health == 60
    assert summary.band.label == "Good"
    line = summary_line(summary)
    assert "● 2 on track" in line and "▲ 1 at risk" in line and "✖ 1 off track" in line
    assert "◇ 1 other" in line and "mean health 60 Good" in line


def test_empty():
    summary = summarize_okrs([])
    assert summary.total == 0 and summary.mean_health is None
    assert "mean health —" in summary_line(summary)
