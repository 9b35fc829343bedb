"""``okrt-tui report``: what changed in the workspace since a moment, from this computer's history.

The store's ``changes(kind, since)`` gives every series from its state at ``since`` (its last point
before it) to its latest point; *then* is the first of those points (the state at ``since``, or the
first point recorded after it when the history began later) and *now* the last. A digest compares the
two, so a value that went away and came back within the period is no change:

- objectives whose status changed, or whose health moved to another band (``views.status.BANDS``);
- KPIs whose status changed (they crossed a status line), and KPIs whose value crossed their target:
  reached it or lost it when it is known which way is better (``views.direction``: config.toml, the
  API's field, the directions inferred from statuses, remembered or read from the series' own
  statuses), else only "now above / below" it. The target is
  the one of the latest cached KPI list (the history keeps values, not targets);
- key results without a check-in for 14 days (``views.times.STALE_CHECKIN_DAYS``), from the latest
  cached OKR list, which has key results only when the API gives them (an extension): without them the
  digest says it cannot tell rather than claiming there are none;
- the mean health of the objectives then and now.

Objectives are those of the current cycle (``views.cycles.current_cycle``, the cycle the dashboard's
OKR screen opens on) when an OKR list is cached, so that last quarter's objectives, whose health keeps
falling as nobody checks in on them, stay out; without a cached list, every recorded objective.

Three renderings: plain text (a terminal, a mail from cron), Markdown (a chat channel) and JSON
(``digest_json``: stable keys, for scripts). Nothing here imports Textual or touches the database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from okrt_tui.api.models import Kpi, Okr
from okrt_tui.store.history import Observation
from okrt_tui.views.cycles import current_cycle
from okrt_tui.views.direction import HIGHER, LOWER, infer_direction, kpi_direction
from okrt_tui.views.numbers import finite, with_unit
from okrt_tui.views.recorded import NOTHING_RECORDED, plain_number
from okrt_tui.views.status import STATUS_SEVERITY, health_band, status_label
from okrt_tui.views.text import one_line
from okrt_tui.views.times import DAY, STALE_CHECKIN_DAYS, is_stale_checkin, iso_utc, parse_timestamp

NO_KEY_RESULTS = (
    "Key results: the API's OKR list does not include them, so their check-ins cannot be told here."
)
NO_OKR_LIST = (
    "Key results: no OKR list is cached on this computer yet, so their check-ins cannot be told here."
)


class StatusChange(msgspec.Struct, frozen=True):
    id: str
    name: str
    then: str | None
    now: str | None
    then_value: float | None = None  # a KPI's value then and now
    now_value: float | None = None
    unit: str | None = None


class HealthChange(msgspec.Struct, frozen=True):
    id: str
    name: str
    then: float
    now: float


class TargetCrossing(msgspec.Struct, frozen=True):
    id: str
    name: str
    target: float
    better: str | None  # ``higher``, ``lower``, or None when nobody knows
    then_value: float
    now_value: float
    unit: str | None

    @property
    def above(self) -> bool:
        return self.now_value >= self.target

    @property
    def meets(self) -> bool | None:
        """Whether it now meets its target; None when it is not known which way is better."""
        if self.better == HIGHER:
            return self.now_value >= self.target
        if self.better == LOWER:
            return self.now_value <= self.target
        return None


class StaleKeyResult(msgspec.Struct, frozen=True):
    id: str
    title: str
    objective_id: str
    objective: str
    last_checkin_at: str | None


class MeanHealth(msgspec.Struct, frozen=True):
    then: float
    now: float
    objectives: int


class Digest(msgspec.Struct, frozen=True):
    since: float | None  # None: since the history began
    now: float
    recorded_from: float | None  # the earliest point the report compares from; None: nothing recorded
    cycle: str | None  # the objectives' cycle; None: every recorded objective
    mean_health: MeanHealth | None
    objective_status: tuple[StatusChange, ...]
    health_bands: tuple[HealthChange, ...]
    kpi_status: tuple[StatusChange, ...]
    kpi_targets: tuple[TargetCrossing, ...]
    stale_key_results: tuple[StaleKeyResult, ...] | None  # None: cannot be told (``stale_note`` says why)
    stale_note: str | None = None

    @property
    def empty(self) -> bool:
        return self.recorded_from is None


Series = Mapping[str, Sequence[Observation]]


def _status_at(points: Sequence[Observation], *, last: bool) -> str | None:
    """The status a series shows then (``last=False``) or now: the nearest point that has one (a point
    this app posted has none until the next list fills it in)."""
    ordered = reversed(points) if last else iter(points)
    return next((p.status for p in ordered if p.status is not None), None)


def _worse(then: str | None, now: str | None) -> bool:
    return STATUS_SEVERITY.get(now or "", 3) < STATUS_SEVERITY.get(then or "", 3)


def build_digest(
    *,
    progress: Series,
    health: Series,
    kpi_values: Series,
    okrs: Sequence[Okr] | None,
    kpis: Sequence[Kpi] | None,
    since: float | None,
    now: float,
    configured: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> Digest:
    """The digest of the store's ``changes`` for objectives' progress and health and KPIs' values, with
    the names, targets and key results of the latest cached lists (None when none is cached)."""
    firsts = [p[0].at for series in (progress, health, kpi_values) for p in series.values() if p]
    recorded_from = None if not firsts else max(min(firsts), since) if since is not None else min(firsts)
    titles = {o.id: one_line(o.title) for o in okrs or () if o.id}
    cycle = current_cycle((o.cycle for o in okrs), now) if okrs else None
    if okrs:
        in_scope: set[str] | None = {o.id for o in okrs if o.id and (cycle is None or o.cycle == cycle)}
    else:
        in_scope = None

    def scoped(series: Series) -> Iterable[tuple[str, Sequence[Observation]]]:
        return ((i, p) for i, p in sorted(series.items()) if p and (in_scope is None or i in in_scope))

    objective_status = []
    for okr_id, points in scoped(progress):
        then, current = _status_at(points, last=False), _status_at(points, last=True)
        if then != current:
            objective_status.append(StatusChange(okr_id, titles.get(okr_id) or okr_id, then, current))
    bands = []
    scores_then, scores_now = [], []
    for okr_id, points in scoped(health):
        first, last = points[0].value, points[-1].value
        scores_then.append(min(100.0, max(0.0, first)))
        scores_now.append(min(100.0, max(0.0, last)))
        if health_band(first).label != health_band(last).label:
            bands.append(HealthChange(okr_id, titles.get(okr_id) or okr_id, first, last))
    count = len(scores_now)
    mean = MeanHealth(math.fsum(scores_then) / count, math.fsum(scores_now) / count, count) if count else None

    by_id = {k.id: k for k in kpis or () if k.id}
    kpi_status, crossings = [], []
    for kpi_id, points in sorted(kpi_values.items()):
        if not points:
            continue
        kpi = by_id.get(kpi_id)
        name = one_line(kpi.name) if kpi is not None else ""
        unit = kpi.unit if kpi is not None else None
        then, current = _status_at(points, last=False), _status_at(points, last=True)
        first, last = points[0].value, points[-1].value
        if then != current:
            kpi_status.append(StatusChange(kpi_id, name or kpi_id, then, current, first, last, unit))
        target = finite(kpi.target) if kpi is not None else None
        if kpi is not None and target is not None and (first >= target) != (last >= target):
            way = kpi_direction(kpi, configured, remembered).way or _way_in(points, target)
            crossings.append(TargetCrossing(kpi_id, name or kpi_id, target, way, first, last, unit))

    stale: tuple[StaleKeyResult, ...] | None
    note = None
    if okrs is None:
        stale, note = None, NO_OKR_LIST
    elif not any(o.key_results is not None for o in okrs):
        stale, note = None, NO_KEY_RESULTS
    else:
        found = [
            StaleKeyResult(
                kr.id, one_line(kr.title) or kr.id, o.id, titles.get(o.id) or o.id, kr.last_checkin_at
            )
            for o in okrs
            if o.id and (in_scope is None or o.id in in_scope)
            for kr in o.key_results or ()
            if kr.id and is_stale_checkin(kr.last_checkin_at, now)
        ]
        found.sort(key=lambda s: (parse_timestamp(s.last_checkin_at) or -math.inf, s.objective, s.title))
        stale = tuple(found)

    return Digest(
        since=since,
        now=now,
        recorded_from=recorded_from,
        cycle=cycle,
        mean_health=mean,
        objective_status=tuple(sorted(objective_status, key=_status_order)),
        health_bands=tuple(sorted(bands, key=lambda c: (c.now - c.then, c.name))),
        kpi_status=tuple(sorted(kpi_status, key=_status_order)),
        kpi_targets=tuple(sorted(crossings, key=lambda c: (c.meets is not False, c.name))),
        stale_key_results=stale,
        stale_note=note,
    )


def _way_in(points: Sequence[Observation], target: float) -> str | None:
    """The direction the statuses of the series show against the current target, latest first: the
    history holds the lists seen before, and far from its target a KPI's status tells which way is
    better (``views.direction.infer_direction``) where the latest list, near it, may not."""
    return next((way for p in reversed(points) if (way := infer_direction(p.value, target, p.status))), None)


def _status_order(change: StatusChange) -> tuple[int, str]:
    """Worse first (the news a team acts on), then by name."""
    return (0 if _worse(change.then, change.now) else 1, change.name.casefold())


# -- the sentences ------------------------------------------------------------------------------------------


def _when(at: float) -> str:
    return iso_utc(at)[:16].replace("T", " ") + " UTC"


def _period(digest: Digest) -> str:
    if digest.since is None:
        return f"since the history began ({_when(digest.recorded_from or digest.now)})"
    days = (digest.now - digest.since) / DAY
    span = f"{round(days)} days" if days >= 2 and abs(days - round(days)) < 0.01 else None
    if span is None:
        hours = (digest.now - digest.since) / 3600
        span = f"{round(hours)} hours" if abs(hours - round(hours)) < 0.01 else None
    return f"in the last {span}" if span else f"since {_when(digest.since)}"


def _change_words(then: str | None, now: str | None) -> str:
    words = f"{status_label(then).display} → {status_label(now).display}"
    if then in STATUS_SEVERITY and now in STATUS_SEVERITY:
        words += " (worse)" if _worse(then, now) else " (better)"
    return words


def _band(score: float) -> str:
    return health_band(score).display


def _health_words(change: HealthChange) -> str:
    return f"{_band(change.then)} → {_band(change.now)} ({'worse' if change.now < change.then else 'better'})"


def _crossing_words(c: TargetCrossing) -> str:
    values = f"{with_unit(c.then_value, c.unit)} → {with_unit(c.now_value, c.unit)}"
    target = with_unit(c.target, c.unit)
    if c.better is None:
        side = "above" if c.above else "below"
        return f"now {side} its target {target} (which way is better is not known), {values}"
    sign = "≥" if c.better == HIGHER else "≤"
    verb = "reached its target" if c.meets else "no longer meets its target"
    return f"{verb} {sign} {target}, {values}"


def _kpi_status_words(c: StatusChange) -> str:
    values = f"{with_unit(c.then_value, c.unit)} → {with_unit(c.now_value, c.unit)}"
    return f"{_change_words(c.then, c.now)}, {values}"


def _stale_words(s: StaleKeyResult, now: float) -> str:
    at = parse_timestamp(s.last_checkin_at)
    when = "no check-in ever" if at is None else f"last check-in {int((now - at) // DAY)} d ago"
    return when


def _mean_words(digest: Digest) -> str | None:
    mean = digest.mean_health
    if mean is None:
        return None
    delta = round(mean.now) - round(mean.then)
    change = f"{delta:+d}" if delta else "no change"
    scope = f"the {mean.objectives} objectives" if mean.objectives != 1 else "the one objective"
    cycle = f" of {one_line(digest.cycle)}" if digest.cycle else ""
    return f"{_band(mean.then)} → {_band(mean.now)} ({change}), over {scope}{cycle}"


class _Section(msgspec.Struct, frozen=True):
    heading: str
    lines: tuple[tuple[str, str], ...]  # (name, what happened)


def _sections(digest: Digest) -> list[_Section]:
    sections = [
        _Section(
            "Objectives whose status changed",
            tuple((c.name, _change_words(c.then, c.now)) for c in digest.objective_status),
        ),
        _Section(
            "Objectives whose health changed band",
            tuple((c.name, _health_words(c)) for c in digest.health_bands),
        ),
        _Section(
            "KPIs that crossed a status line",
            tuple((c.name, _kpi_status_words(c)) for c in digest.kpi_status),
        ),
        _Section(
            "KPIs that crossed their target",
            tuple((c.name, _crossing_words(c)) for c in digest.kpi_targets),
        ),
    ]
    if digest.stale_key_results is not None:
        sections.append(
            _Section(
                f"Key results without a check-in for {STALE_CHECKIN_DAYS} days",
                tuple(
                    (f"{s.title} (of {s.objective})", _stale_words(s, digest.now))
                    for s in digest.stale_key_results
                ),
            )
        )
    return sections


def _title(digest: Digest) -> str:
    return f"What changed {_period(digest)}"


def _subtitle(digest: Digest) -> str:
    start = digest.since if digest.since is not None else digest.recorded_from
    text = f"{_when(start or digest.now)} → {_when(digest.now)}, as recorded on this computer"
    if digest.recorded_from is not None and digest.since is not None and digest.recorded_from > digest.since:
        text += f" (its history begins {_when(digest.recorded_from)}: the changes are counted from there)"
    return text


def digest_text(digest: Digest) -> str:
    """For a terminal or a mail from cron."""
    if digest.empty:
        return NOTHING_RECORDED + "\n"
    lines = [_title(digest), _subtitle(digest)]
    mean = _mean_words(digest)
    if mean:
        lines.append(f"Mean health: {mean}")
    for section in _sections(digest):
        count = f" ({len(section.lines)})" if section.lines else ": none"
        lines += ["", f"{section.heading}{count}"]
        lines += [f"  {name}: {words}" for name, words in section.lines]
    if digest.stale_note:
        lines += ["", digest.stale_note]
    return "\n".join(lines) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def _md(text: str) -> str:
    """Server text, literal in Markdown: its ``*`` or ``[`` cannot make bold or links."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def digest_markdown(digest: Digest) -> str:
    """For a chat channel: a heading, the mean health, a section per kind of change."""
    if digest.empty:
        return f"# What changed\n\n{NOTHING_RECORDED}\n"
    lines = [f"# {_title(digest)}", "", f"_{_subtitle(digest)}_"]
    mean = _mean_words(digest)
    if mean:
        lines += ["", f"**Mean health:** {_md(mean)}"]
    for section in _sections(digest):
        lines += ["", f"## {section.heading}", ""]
        lines += [f"- **{_md(name)}**: {_md(words)}" for name, words in section.lines] or ["_None._"]
    if digest.stale_note:
        lines += ["", f"_{_md(digest.stale_note)}_"]
    return "\n".join(lines) + "\n"


def _status_json(c: StatusChange, *, kpi: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": c.id, "name" if kpi else "title": c.name, "then": c.then, "now": c.now}
    if kpi:
        doc |= {
            "then_value": plain_number(c.then_value),
            "now_value": plain_number(c.now_value),
            "unit": c.unit,
        }
    return doc


def digest_json(digest: Digest) -> dict[str, Any]:
    """Stable keys for scripts (the README lists them); times ISO 8601 UTC, numbers plain."""
    mean = digest.mean_health
    return {
        "since": None if digest.since is None else iso_utc(digest.since),
        "now": iso_utc(digest.now),
        "recorded_from": None if digest.recorded_from is None else iso_utc(digest.recorded_from),
        "cycle": digest.cycle,
        "mean_health": None
        if mean is None
        else {"then": round(mean.then, 1), "now": round(mean.now, 1), "objectives": mean.objectives},
        "objective_status_changes": [_status_json(c, kpi=False) for c in digest.objective_status],
        "objective_health_band_changes": [
            {
                "id": c.id,
                "title": c.name,
                "then": {"score": plain_number(c.then), "band": health_band(c.then).label},
                "now": {"score": plain_number(c.now), "band": health_band(c.now).label},
            }
            for c in digest.health_bands
        ],
        "kpi_status_changes": [_status_json(c, kpi=True) for c in digest.kpi_status],
        "kpi_target_crossings": [
            {
                "id": c.id,
                "name": c.name,
                "target": plain_number(c.target),
                "better": c.better,
                "then_value": plain_number(c.then_value),
                "now_value": plain_number(c.now_value),
                "unit": c.unit,
                "above_target": c.above,
                "meets_target": c.meets,
            }
            for c in digest.kpi_targets
        ],
        "stale_key_results": None
        if digest.stale_key_results is None
        else [
            {
                "id": s.id,
                "title": s.title,
                "objective_id": s.objective_id,
                "objective": s.objective,
                "last_checkin_at": s.last_checkin_at,
            }
            for s in digest.stale_key_results
        ],
        "stale_key_results_note": digest.stale_note,
        "stale_days": STALE_CHECKIN_DAYS,
        "note": NOTHING_RECORDED if digest.empty else None,
    }
