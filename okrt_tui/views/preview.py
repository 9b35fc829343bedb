"""What a value typed in a form would mean, before it is sent: the change, the new progress or percent
of target, and the status the service's rules would suggest (DOMAIN.md).

- A key result's progress is clamp((value - start) / (target - start), 0, 1); the pace expected by now is
  the fraction of its cycle elapsed (a cycle named ``Qn YYYY`` is that calendar quarter, in UTC); the gap
  is expected - progress, and a check-in without a status gets on track up to 0.10, at risk up to 0.25,
  off track beyond.
- A KPI's ratio is current / target (target / current when lower is better): on track from 0.9, at risk
  from 0.7 (``okrt_tui.views.direction``). When nobody knows which way is better, no percent is shown,
  and a status is suggested only if both readings agree.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import msgspec

from okrt_tui.api.decode import decode_checkin, decode_kpi_update
from okrt_tui.api.errors import ApiDataError
from okrt_tui.api.models import KeyResult, Kpi
from okrt_tui.views.direction import KpiDirection, kpi_figures, status_for_ratio
from okrt_tui.views.numbers import attached_unit, finite, format_number, kpi_ratio, percent, with_unit
from okrt_tui.views.status import MUTED, status_label
from okrt_tui.views.values import Value

_QUARTER = re.compile(r"\bQ([1-4])\s*(\d{4})\b", re.IGNORECASE)


class Preview(msgspec.Struct, frozen=True):
    """Pieces of one line, each with its tone: ``[("38 → 41 (+3)", "muted"), ("91% of target", "good")]``."""

    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return " · ".join(part for part, _ in self.parts)


def quarter_bounds(cycle: str | None) -> tuple[float, float] | None:
    """Start and end (epoch seconds, UTC) of a cycle named like ``Q4 2026``; None for other names."""
    found = _QUARTER.search(cycle or "")
    if not found:
        return None
    quarter, year = int(found.group(1)), int(found.group(2))
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=UTC)
    return start.timestamp(), end.timestamp()


def expected_progress(cycle: str | None, now: float) -> float | None:
    bounds = quarter_bounds(cycle)
    if bounds is None:
        return None
    start, end = bounds
    return min(1.0, max(0.0, (now - start) / (end - start)))


def _change(value: Value, current: float | None, unit: str | None) -> str:
    if current is None:
        return f"new value {with_unit(value.number, unit)}"
    delta = float(value.number) - current
    sign = "+" if delta > 0 else "-" if delta < 0 else "±"
    # A unit written against the number goes on both sides ("$214,355 → $77", "12% → 14%"); a word
    # once, after the new value ("38 → 41 NPS").
    before = with_unit(current, unit) if attached_unit(unit) else format_number(current)
    return f"{before} → {with_unit(value.number, unit)} ({sign}{format_number(abs(delta))})"


def _status_part(status: str | None, why: str) -> tuple[str, str]:
    if status is None:
        return (why, MUTED)
    label = status_label(status)
    return (f"suggests {label.display}", label.tone)


def key_result_preview(kr: KeyResult | None, cycle: str | None, value: Value, now: float) -> Preview:
    if kr is None:
        return Preview(((f"new value {format_number(value.number)}", MUTED),))
    current, start, target = finite(kr.current), finite(kr.start), finite(kr.target)
    parts = [(_change(value, current, kr.unit), MUTED)]
    if start is None or target is None or start == target:
        return Preview((*parts, ("progress unknown (no start and target)", MUTED)))
    progress = min(1.0, max(0.0, (float(value.number) - start) / (target - start)))
    before = kr.progress if finite(kr.progress) is not None else None
    moved = f"{percent(before)} → " if before is not None else ""
    parts.append(
        (f"progress {moved}{percent(progress)} ({format_number(start)} → {format_number(target)})", MUTED)
    )
    expected = expected_progress(cycle, now)
    if expected is None:
        parts.append(_status_part(None, "no suggested status (the cycle's dates are not known)"))
    else:
        gap = expected - progress
        status = "on_track" if gap <= 0.10 else "at_risk" if gap <= 0.25 else "off_track"
        parts.append(_status_part(status, ""))
    return Preview(tuple(parts))


def kpi_preview(kpi: Kpi, value: Value, direction: KpiDirection) -> Preview:
    parts = [(_change(value, finite(kpi.current), kpi.unit), MUTED)]
    typed = msgspec.structs.replace(kpi, current=value.number)
    if direction.known:
        figures = kpi_figures(typed, direction, None)
        parts.append((f"{figures.of_target} of target", figures.tone))
        statuses = {status_for_ratio(figures.ratio)}
    else:
        statuses = {
            status_for_ratio(kpi_ratio(value.number, kpi.target, way)) for way in ("increase", "decrease")
        }
    if len(statuses) == 1 and None not in statuses:
        parts.append(_status_part(statuses.pop(), ""))
    else:
        parts.append(_status_part(None, "no suggested status: which way is better is not known"))
    return Preview(tuple(parts))


def recorded(kind: str, record: bytes | None) -> str:
    """What the server's record of a write says: ``38 → 41`` for a KPI update, ``72.5 (▲ at risk)`` for a
    check-in. The command line and the forms both say it this way."""
    if record is None:
        return "recorded"
    try:
        if kind == "kpi_update":
            update = decode_kpi_update(record)
            return f"{format_number(update.previous_value)} → {format_number(update.new_value)}"
        checkin = decode_checkin(record)
        return f"{format_number(checkin.value)} ({status_label(checkin.status).display})"
    except ApiDataError:
        return "recorded (the server's record could not be read)"
