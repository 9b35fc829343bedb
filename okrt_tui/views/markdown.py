"""Records as Markdown documents: for summarisers (stdin), the clipboard and exported files.

Used by the review screen and by ``okrt-tui review ID --markdown``, so nothing here imports Textual.
Server text is kept literal (a summariser should read what people wrote) but made safe: control
characters become visible stand-ins (:mod:`okrt_tui.views.text`), headings are one line, and a line
of an answer that would start a Markdown heading, rule or fence is escaped with a backslash so that
an answer cannot restructure the document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from okrt_tui.api.models import Kpi, Okr, ReviewSummary
from okrt_tui.sync.snapshot import KpiPoint
from okrt_tui.views.direction import KpiDirection, kpi_direction, kpi_figures
from okrt_tui.views.numbers import percent, with_unit
from okrt_tui.views.status import health_band, review_type_label, status_label
from okrt_tui.views.text import DASH, one_line, safe_text

# A line that Markdown would read as structure: heading, fence, rule, setext underline.
_STRUCTURAL = re.compile(r"^(\s{0,3})(#{1,6}(?=\s|$)|```|~~~|(?:[-*_]\s*){3,}$|=+\s*$)")


def _para(value: object) -> str:
    """Multi-line server text as a Markdown paragraph block; ``—`` when empty."""
    text = safe_text(value).strip("\n")
    if not text.strip():
        return DASH
    lines = [_STRUCTURAL.sub(lambda m: m.group(1) + "\\" + m.group(2), line) for line in text.split("\n")]
    return "\n".join(line.rstrip() for line in lines)


def _inline(value: object) -> str:
    return one_line(value) or DASH


def review_markdown(summary: ReviewSummary) -> str:
    """A shared review as Markdown: a title, its facts, then one section per question."""
    employee = _inline(summary.employee)
    kind = review_type_label(summary.type)
    lines = [
        f"# {kind.capitalize() if kind != DASH else 'Review'} review: {employee}",
        "",
        f"- Employee: {employee}",
        f"- Cycle: {_inline(summary.cycle)}",
        f"- Type: {kind}",
        f"- Status: {_inline(summary.status)}",
        f"- Shared at: {_inline(summary.shared_at)}",
        f"- Review id: {_inline(summary.review_id)}",
    ]
    if not summary.answers:
        lines += ["", "_This review has no answers._"]
    for number, pair in enumerate(summary.answers, start=1):
        question = one_line(pair.question) or f"Question {number}"
        lines += ["", f"## {question}", "", _para(pair.answer)]
    return "\n".join(lines) + "\n"


def review_json(summary: ReviewSummary) -> str:
    """The review as the API's JSON (pretty-printed); JSON escapes control characters by itself."""
    return msgspec.json.format(msgspec.json.encode(summary), indent=2).decode() + "\n"


def okr_markdown(okr: Okr) -> str:
    """An objective and its key results as Markdown (the detail view's copy)."""
    band = health_band(okr.health_score)
    lines = [
        f"# {_inline(okr.title)}",
        "",
        f"- Type: {_inline(okr.type)}",
        f"- Owner: {_inline(okr.owner)}",
        f"- Cycle: {_inline(okr.cycle)}",
        f"- Progress: {percent(okr.progress)}",
        f"- Status: {status_label(okr.status).text}",
        f"- Health: {band.display}",
    ]
    if okr.key_results is not None:
        lines += ["", "## Key results", ""]
        if not okr.key_results:
            lines.append("_No key results._")
        for kr in okr.key_results:
            lines.append(
                f"- {_inline(kr.title)}: {with_unit(kr.current, kr.unit)} of {with_unit(kr.target, kr.unit)}"
                f" ({percent(kr.progress)}, {status_label(kr.status).text},"
                f" last check-in {_inline(kr.last_checkin_at)})"
            )
    return "\n".join(lines) + "\n"


def kpi_markdown(kpi: Kpi, points: Sequence[KpiPoint] = (), *, direction: KpiDirection | None = None) -> str:
    """A KPI, its target and the values seen, as Markdown (the detail view's copy).

    ``direction`` is the one the dashboard shows (with config.toml's and the remembered ones); by
    default, what the record alone says.
    """
    direction = kpi_direction(kpi) if direction is None else direction
    figures = kpi_figures(kpi, direction, kpi.unit)
    lines = [
        f"# {_inline(kpi.name)}",
        "",
        f"- Current: {figures.current}",
        f"- Target: {with_unit(kpi.target, kpi.unit)}",
        f"- Direction: {direction.sentence}",
        f"- Of target: {figures.of_target}",
        f"- Status: {status_label(kpi.status).text}",
        f"- Last updated: {_inline(kpi.last_updated)}",
    ]
    if points:
        lines += ["", "| seen at (epoch s) | value |", "| --- | --- |"]
        lines += [f"| {point.at:.0f} | {with_unit(point.value, kpi.unit)} |" for point in points]
    return "\n".join(lines) + "\n"


def export_filename(summary: ReviewSummary, extension: str) -> str:
    """``review-sarah-chen-self-5f2c….md``: safe on every file system, recognisable in a listing."""
    parts = [_slug(summary.employee), _slug(summary.type), _slug(summary.review_id)[:12]]
    stem = "-".join(part for part in parts if part) or "untitled"
    return f"review-{stem}.{extension}"


def _slug(value: object) -> str:
    text = one_line(value).casefold()
    slug = re.sub(r"[^0-9a-z]+", "-", text).strip("-")
    return slug[:40]
