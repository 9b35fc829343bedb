"""One KPI's or objective's recorded series (``okrt-tui history``) as rows: for people, a spreadsheet or
a script.

A KPI's row is a value the KPI took, with its status then and whether this app posted it. An
objective's progress (with its status) and its health are two series in the store, each stored when it
changed; its rows are their changes merged in time, each row carrying both values in force then (the
one that did not change is carried forward, from before ``since`` when it changed earlier).

For files: times in ISO 8601 UTC to the second, numbers plain (no thousands separators; whole numbers
without ``.0``; progress 0-1 as the API gives it), CSV quoted as RFC 4180 asks (CRLF line ends, a
field quoted when it holds a comma, quote or line break).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from okrt_tui.views.numbers import percent, with_unit
from okrt_tui.views.status import status_label
from okrt_tui.views.times import iso_utc, local_datetime

if TYPE_CHECKING:
    from okrt_tui.store.history import Observation

NOTHING_RECORDED = (
    "Nothing is recorded yet on this computer for this workspace: the dashboard (okrt-tui) records "
    "what it sees as it polls, so run it for a while (or leave it open), then ask again."
)
KPI_COLUMNS = ("time", "value", "status", "posted")
OBJECTIVE_COLUMNS = ("time", "progress", "health", "status")


class Row(msgspec.Struct, frozen=True):
    """A moment of a series: a KPI's value, or an objective's progress and health then."""

    at: float
    value: float | None  # the KPI's value, or the objective's progress (0-1)
    status: str | None
    posted: bool = False  # this app posted the KPI's value
    health: float | None = None  # the objective's health score (0-100)


def kpi_rows(observations: Sequence[Observation]) -> list[Row]:
    return [Row(o.at, o.value, o.status, o.posted) for o in observations]


def objective_rows(
    progress: Sequence[Observation], health: Sequence[Observation], since: float | None
) -> list[Row]:
    """Both series merged, one row per moment either changed, from ``since`` on. Points before
    ``since`` (the state then, as ``observations(..., state_then=True)`` gives it) only fill in."""
    events = sorted([(o.at, 0, o) for o in progress] + [(o.at, 1, o) for o in health], key=lambda e: e[:2])
    rows: list[Row] = []
    value: float | None = None
    status: str | None = None
    score: float | None = None
    for at, which, point in events:
        if which == 0:
            value, status = point.value, point.status
        else:
            score = point.value
        row = Row(at, value, status, health=score)
        if rows and rows[-1].at == at:
            rows[-1] = row
        else:
            rows.append(row)
    start = -math.inf if since is None else since
    return [row for row in rows if row.at >= start]


def plain_number(value: float | None) -> int | float | None:
    """``41.0`` → ``41``; other numbers as they are (``0.655``, ``1e+20`` stays a float)."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def records(rows: Sequence[Row], *, objective: bool) -> list[dict[str, Any]]:
    """The rows as ``--json`` prints them, keys in the CSV's column order."""
    if objective:
        return [
            {
                "time": iso_utc(r.at),
                "progress": plain_number(r.value),
                "health": plain_number(r.health),
                "status": r.status,
            }
            for r in rows
        ]
    return [
        {"time": iso_utc(r.at), "value": plain_number(r.value), "status": r.status, "posted": r.posted}
        for r in rows
    ]


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(rows: Sequence[Row], *, objective: bool) -> str:
    """A header row, then one line per row (RFC 4180: CRLF, quotes only where needed)."""
    import csv  # only ``history --csv`` writes one: the tables that import this module do not load it

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = OBJECTIVE_COLUMNS if objective else KPI_COLUMNS
    writer.writerow(columns)
    for record in records(rows, objective=objective):
        writer.writerow([_csv_cell(record[column]) for column in columns])
    return out.getvalue()


def to_json(rows: Sequence[Row], *, objective: bool) -> bytes:
    return msgspec.json.encode(records(rows, objective=objective)) + b"\n"


def heading(label: str, rows: Sequence[Row], since: float | None) -> str:
    """The line above the table: what it is, and from when."""
    start = "since the history began" if since is None else f"since {local_datetime(since)}"
    count = f"{len(rows)} point{'s' if len(rows) != 1 else ''}"
    return f"{label}: {count} recorded on this computer {start}"


def no_points(
    label: str, before: Sequence[Observation], since: float | None, *, objective: bool, unit: str | None
) -> str:
    """Why there is no row: nothing recorded at all, or nothing changed since ``since`` (then the
    value in force, from ``observations(..., state_then=True)``)."""
    if not before or since is None:
        return (
            f"{label} has nothing recorded on this computer yet: the dashboard (okrt-tui) records it as "
            "it polls."
        )
    last = before[-1]
    value = f"progress {percent(last.value)}" if objective else f"value {with_unit(last.value, unit)}"
    status = f" ({status_label(last.status).display})" if last.status else ""
    return (
        f"{label}: no change recorded since {local_datetime(since)}; its last recorded {value}{status} "
        f"dates from {local_datetime(last.at)}. --since all shows every point."
    )
