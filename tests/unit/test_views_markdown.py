"""A review (and the detail views) as Markdown for summarisers, the clipboard and files."""

from __future__ import annotations

import json

from okrt_tui.api.models import Answer, KeyResult, Kpi, Okr, ReviewSummary
from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.direction import kpi_direction
from okrt_tui.views.markdown import export_filename, kpi_markdown, okr_markdown, review_json, review_markdown

SUMMARY = ReviewSummary(
    review_id="REVIEW_ID",
    employee="Sarah Chen",
    cycle="Q2 2026 Mid-Year Review",
    type="self",
    status="shared",
    answers=(
        Answer(question="What went well this cycle?", answer="Shipped the onboarding redesign on time"),
        Answer(question="What are your growth areas?", answer="Delegation and prioritisation"),
    ),
    shared_at="2026-04-19T12:00:00Z",
)


def test_review_markdown_shape():
    md = review_markdown(SUMMARY)
    assert md.startswith("# Self review: Sarah Chen\n")
    assert "- Cycle: Q2 2026 Mid-Year Review" in md
    assert "## What went well this cycle?\n\nShipped the onboarding redesign on time\n" in md
    assert md.index("What went well") < md.index("What are your growth areas?")
    assert md.endswith("\n")


def test_hostile_answers_cannot_restructure_or_control():
    summary = ReviewSummary(
        employee="Eve\x1b[2J",
        answers=(
            Answer(question="Q\nwith newline", answer="# not a heading\n```\n---\nfine [b]text[/b]\x07"),
        ),
    )
    md = review_markdown(summary)
    assert "\x1b" not in md and "\x07" not in md
    assert "## Q with newline" in md
    assert "\\# not a heading" in md and "\\```" in md and "\\---" in md
    assert "fine [b]text[/b]␇" in md


def test_empty_review():
    md = review_markdown(ReviewSummary())
    assert "_This review has no answers._" in md
    assert md.startswith("# Review review: —") or md.startswith("# Review")


def test_review_json_is_the_api_shape():
    data = json.loads(review_json(SUMMARY))
    assert data["review_id"] == "REVIEW_ID"
    assert data["answers"][0] == {
        "question": "What went well this cycle?",
        "answer": "Shipped the onboarding redesign on time",
    }


def test_export_filename_is_safe():
    assert export_filename(SUMMARY, "md") == "review-sarah-chen-self-review-id.md"
    assert export_filename(ReviewSummary(employee="../../etc/passwd"), "json") == "review-etc-passwd.json"
    assert export_filename(ReviewSummary(), "md") == "review-untitled.md"


def test_okr_markdown_lists_key_results():
    okr = Okr(
        title="Grow",
        owner="Alice",
        progress=0.5,
        status="at_risk",
        health_score=55,
        key_results=(
            KeyResult(title="KR", current=5, target=10, unit="users", progress=0.5, status="at_risk"),
        ),
    )
    md = okr_markdown(okr)
    assert "# Grow" in md and "- Health: 55 Needs attention" in md
    assert "- KR: 5 users of 10 users (50%, at risk" in md


def test_kpi_markdown_lists_values_seen():
    kpi = Kpi(name="Latency", current=42, target=30, unit="ms", status="off_track", direction="decrease")
    md = kpi_markdown(kpi, (KpiPoint(at=1.0, value=40.0), KpiPoint(at=2.0, value=42.0)))
    assert "- Direction: lower is better (as the server says)" in md and "| 2 | 42 ms |" in md


def test_kpi_markdown_states_no_direction_it_does_not_know():
    kpi = Kpi(name="Latency", current=268, target=250, unit="ms", status="on_track")
    md = kpi_markdown(kpi)
    assert "higher is better" not in md and "lower is better" not in md
    assert "- Direction: direction unknown" in md and "- Of target: ?" in md
    inferred = kpi_direction(Kpi(id="k", current=87, target=40, status="off_track"))
    md = kpi_markdown(Kpi(id="k", current=87, target=40, status="off_track"), direction=inferred)
    assert "- Direction: lower is better (inferred from the server's status)" in md
    assert "- Of target: 46%" in md
