"""The scripting commands' output for people: aligned tables and a readable review.

Tables are for eyes and may change; ``--json`` is for pipes. Every cell goes through the same view
functions as the dashboard (safe text, status words with glyphs, bands, relative times), so a title
with an escape sequence can no more move the cursor here than on a screen.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from collections.abc import Mapping, Sequence

import msgspec
from rich.cells import cell_len

from okrt_tui.api.models import Kpi, Okr, ReviewCycle, ReviewSummary
from okrt_tui.store.outbox import Entry
from okrt_tui.views.direction import direction_legend, kpi_direction, kpi_figures
from okrt_tui.views.numbers import percent, progress_text, with_unit
from okrt_tui.views.recorded import Row
from okrt_tui.views.status import health_band, review_type_label, status_label
from okrt_tui.views.text import DASH, cell, one_line, safe_text, truncate
from okrt_tui.views.times import due_label, local_datetime, relative_time


class Table(msgspec.Struct, frozen=True):
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]
    #: The one column that gives up width when the terminal is narrow (titles, names).
    elastic: int = 0
    empty: str = "Nothing to show."
    #: A line under the rows that explains their marks (``*``, ``?``); ``None`` when none is needed.
    note: str | None = None


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def format_table(table: Table, width: int) -> str:
    if not table.rows:
        return table.empty + "\n"
    widths = [
        max(cell_len(row[i]) for row in [table.headers, *table.rows]) for i in range(len(table.headers))
    ]
    gaps = 2 * (len(widths) - 1)
    over = sum(widths) + gaps - width
    if over > 0:
        widths[table.elastic] = max(12, widths[table.elastic] - over)
    lines = []
    for row in [table.headers, *table.rows]:
        cells = [_pad(truncate(text, widths[i]), widths[i]) for i, text in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines) + "\n"


def print_table(table: Table) -> None:
    """Fits the terminal when there is one; a pipe gets every character."""
    width = shutil.get_terminal_size((10_000, 24)).columns if sys.stdout.isatty() else 10_000
    sys.stdout.write(format_table(table, width))


def okr_table(okrs: Sequence[Okr]) -> Table:
    rows = []
    for okr in okrs:
        band = health_band(okr.health_score)
        health = f"{band.score} {band.label}" if band.score is not None else DASH
        rows.append(
            (
                cell(okr.title),
                cell(okr.type),
                cell(okr.owner),
                cell(okr.cycle),
                progress_text(okr.progress),
                status_label(okr.status).display,
                health,
                cell(okr.id),
            )
        )
    headers = ("TITLE", "TYPE", "OWNER", "CYCLE", "PROGRESS", "STATUS", "HEALTH", "ID")
    return Table(headers, rows, empty="No objectives match.")


def kpi_table(
    kpis: Sequence[Kpi],
    now: float | None = None,
    *,
    configured: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> Table:
    """The KPIs with the dashboard's cells (``kpi_figures``); ``configured`` is config.toml's
    ``[kpis.direction]``, ``remembered`` the directions learnt from earlier statuses."""
    now = time.time() if now is None else now
    rows = []
    directions = []
    for kpi in kpis:
        direction = kpi_direction(kpi, configured, remembered)
        directions.append(direction)
        figures = kpi_figures(kpi, direction, kpi.unit)
        rows.append(
            (
                cell(kpi.name),
                figures.current,
                figures.target,
                figures.of_target,
                status_label(kpi.status).display,
                relative_time(kpi.last_updated, now),
                cell(kpi.id),
            )
        )
    headers = ("NAME", "CURRENT", "TARGET", "OF TARGET", "STATUS", "UPDATED", "ID")
    return Table(headers, rows, empty="No KPIs in this workspace.", note=direction_legend(directions))


def cycle_table(cycles: Sequence[ReviewCycle], now: float | None = None) -> Table:
    now = time.time() if now is None else now
    rows = [
        (
            cell(c.name),
            status_label(c.status).display,
            f"{cell(c.due_date)} ({due_label(c.due_date, now, closed=c.status == 'closed').text})",
            cell(c.reviewee_count),
            cell(c.id),
        )
        for c in cycles
    ]
    return Table(
        ("NAME", "STATUS", "DUE", "REVIEWEES", "ID"), rows, empty="No review cycles in this workspace."
    )


def format_review(summary: ReviewSummary, width: int = 88) -> str:
    kind = review_type_label(summary.type)
    lines = [
        f"{one_line(summary.employee) or DASH} · {kind} review · {one_line(summary.cycle) or DASH}",
        f"shared {one_line(summary.shared_at) or DASH} · id {one_line(summary.review_id) or DASH}",
    ]
    if not summary.answers:
        lines += ["", "This review has no answers."]
    for pair in summary.answers:
        lines += ["", one_line(pair.question) or "(no question)"]
        for paragraph in (safe_text(pair.answer) or DASH).split("\n"):
            lines += textwrap.wrap(paragraph, width, initial_indent="  ", subsequent_indent="  ") or [""]
    return "\n".join(lines) + "\n"


def print_review(summary: ReviewSummary) -> None:
    width = min(100, shutil.get_terminal_size((88, 24)).columns) if sys.stdout.isatty() else 88
    sys.stdout.write(format_review(summary, width))


def outbox_table(entries: Sequence[Entry], now: float) -> Table:
    """The writes not yet delivered, oldest first, each with its state and why."""
    rows = [
        (
            str(entry.id),
            entry.state,
            "check-in" if entry.kind == "checkin" else "KPI update",
            cell(entry.target_label or entry.target_id, 40),
            cell(entry.value),
            relative_time(entry.created_at, now),
            cell(entry.reason),
        )
        for entry in entries
    ]
    return Table(
        ("ID", "STATE", "WHAT", "TARGET", "VALUE", "QUEUED", "WHY"),
        rows,
        elastic=6,
        empty="The outbox is empty: every write was delivered.",
    )


def history_table(rows: Sequence[Row], *, objective: bool, unit: str | None = None) -> Table:
    """``okrt-tui history``: a KPI's values (and who set them), or an objective's progress and health,
    oldest first, in local time."""
    if objective:
        body = [
            (
                local_datetime(r.at),
                percent(r.value),
                status_label(r.status).display,
                health_band(r.health).display,
            )
            for r in rows
        ]
        return Table(("TIME", "PROGRESS", "STATUS", "HEALTH"), body)
    body = [
        (
            local_datetime(r.at),
            with_unit(r.value, unit),
            status_label(r.status).display,
            "posted by okrt-tui" if r.posted else "seen in the list",
        )
        for r in rows
    ]
    return Table(("TIME", "VALUE", "STATUS", "SOURCE"), body)
