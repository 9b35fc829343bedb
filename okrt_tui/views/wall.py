"""What the wall monitor's panels show, as plain values: no Textual here, so each rule has unit tests.

- **Objectives board**: the org and team objectives of the current cycle (``views.cycles``), worst
  health first (no score last), with the counts and the mean health of ``views.aggregates``.
- **KPI tiles**: each KPI's value split for large digits, its unit, target, share of the target and
  status (``views.direction.kpi_figures``), sparkline, trend arrow and projection (``views.trend``,
  ``views.projection``); as many as fit (``tile_grid``), the rest on later turns.
- **At risk now**: objectives of the current cycle and KPIs at risk or off track, key results with no
  check-in for 14 days (only when the API lists key results: otherwise a note says it cannot tell),
  and the ones whose status and pace disagree: an objective on track whose progress is 10 points or
  more behind the share of its quarter that has passed (the pace the server's own health score
  expects), and a KPI on track whose projection says it is off pace.
- **Reviews**: the active review cycles with the days to their due date.
- ``--public``: no owners' names, no review content (no employees, no review types), and individual
  objectives are counted but not named (their titles name a person's work).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import msgspec

from okrt_tui.api.errors import RateLimited
from okrt_tui.api.models import Kpi, Okr, ReviewCycle
from okrt_tui.sync.snapshot import KpiPoint, Snapshot
from okrt_tui.views.aggregates import OkrSummary, summarize_okrs
from okrt_tui.views.cycles import current_cycle, quarter_of
from okrt_tui.views.direction import kpi_direction, kpi_figures
from okrt_tui.views.errors import describe_error
from okrt_tui.views.numbers import SCIENTIFIC_FROM, clamp01, finite, format_number, percent
from okrt_tui.views.projection import OFF_PACE, project
from okrt_tui.views.sparkline import recent_values, sparkline
from okrt_tui.views.status import BAD, MUTED, STATUS_SEVERITY, WARN, Band, Label, health_band, status_label
from okrt_tui.views.text import DASH, one_line
from okrt_tui.views.times import (
    DAY,
    STALE_CHECKIN_DAYS,
    clock_time,
    countdown,
    due_label,
    is_stale_checkin,
    parse_timestamp,
    updated_label,
)
from okrt_tui.views.trend import Trend, kpi_series, kpi_trend

#: Objectives on track but this far behind the pace of their quarter are listed as at risk.
BEHIND_PACE = 0.10
NO_KEY_RESULTS = "Key results: this API lists objectives without them, so stale check-ins cannot be told."
#: A KPI tile's size in cells (with its border): what decides how many fit.
TILE_WIDTH = 25
TILE_HEIGHT = 10
TILE_GUTTER = 1  # the columns between tiles
#: The characters Textual's ``Digits`` draws (``.`` as a dot); others stay in the small text.
DIGIT_CHARS = frozenset("0123456789+-.$£€")
SCALE_WORDS = {"k": "thousand", "M": "million", "B": "billion", "T": "trillion"}


# -- objectives board ---------------------------------------------------------------------------------------


class BoardRow(msgspec.Struct, frozen=True):
    id: str
    title: str
    type: str
    owner: str  # "" on a public screen
    status: Label
    band: Band
    progress: float | None  # 0 to 1


class Board(msgspec.Struct, frozen=True):
    cycle: str | None
    summary: OkrSummary
    rows: tuple[BoardRow, ...]


def _health_key(okr: Okr) -> tuple[float, int, str]:
    score = finite(okr.health_score)
    return (
        math.inf if score is None else score,
        STATUS_SEVERITY.get(okr.status or "", 3),
        one_line(okr.title).casefold(),
    )


def in_current_cycle(okrs: Sequence[Okr], now: float) -> tuple[str | None, list[Okr]]:
    cycle = current_cycle((o.cycle for o in okrs), now)
    return cycle, [o for o in okrs if cycle is None or one_line(o.cycle) == cycle]


def objectives_board(okrs: Sequence[Okr], now: float, *, public: bool = False) -> Board:
    cycle, current = in_current_cycle(okrs, now)
    shown = sorted((o for o in current if o.type in ("org", "team")), key=_health_key)
    rows = tuple(
        BoardRow(
            id=o.id or "",
            title=one_line(o.title) or DASH,
            type=one_line(o.type),
            owner="" if public else one_line(o.owner),
            status=status_label(o.status),
            band=health_band(o.health_score),
            progress=clamp01(o.progress),
        )
        for o in shown
    )
    return Board(cycle, summarize_okrs(shown), rows)


# -- KPI tiles ----------------------------------------------------------------------------------------------


class Tile(msgspec.Struct, frozen=True):
    id: str
    name: str
    digits: str  # for large digits: ``214.4``, ``$87``, ``—``
    unit: str  # what the digits leave out: ``thousand users``, ``%``
    target: str  # ``target ≥ 250``
    of_target: str  # ``86%`` of the target, or ``?``
    tone: str  # of the share of the target
    status: Label
    spark: str
    trend: Trend
    projection: str
    projection_tone: str


def split_digits(value: float | int | None, unit: str | None) -> tuple[str, str]:
    """A value as large digits and small words: ``(214.4, "thousand users")``, ``("$87", "")``,
    ``("45", "%")``. Digits draw only digits, signs, a dot and currency symbols; a value too large for
    them (``1.5e+20``) stays whole in the small text."""
    label = one_line(unit)
    number = finite(value)
    if number is None:
        return DASH, label
    if abs(number) >= SCIENTIFIC_FROM:
        return DASH, f"{format_number(number)} {label}".strip()
    text = format_number(number, compact=True).replace(",", "")
    scale = ""
    if text[-1:] in SCALE_WORDS:
        text, scale = text[:-1], SCALE_WORDS[text[-1]]
    if label in ("$", "£", "€"):
        text = f"-{label}{text[1:]}" if text.startswith("-") else f"{label}{text}"
        return text, scale
    return text, " ".join(part for part in (scale, label) if part)


def kpi_tiles(
    kpis: Sequence[Kpi],
    seen: Mapping[str, Sequence[KpiPoint]],
    now: float,
    *,
    configured: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> tuple[Tile, ...]:
    """One tile per KPI, worst status first, then by name (the list's order for the rest)."""
    tiles = []
    ordered = sorted(
        kpis, key=lambda k: (STATUS_SEVERITY.get(k.status or "", 3), one_line(k.name).casefold())
    )
    for kpi in ordered:
        direction = kpi_direction(kpi, configured, remembered)
        # The unit is beside the large digits: the target goes without it, to fit a tile.
        figures = kpi_figures(kpi, direction, None, compact=True)
        points = seen.get(kpi.id or "", ())
        series = kpi_series(points, kpi.current, parse_timestamp(kpi.last_updated))
        digits, unit = split_digits(kpi.current, kpi.unit)
        projected = project(series, kpi.current, kpi.target, direction.api_value, now)
        tiles.append(
            Tile(
                id=kpi.id or "",
                name=one_line(kpi.name) or DASH,
                digits=digits,
                unit=unit,
                target=f"target {figures.target}",
                of_target=figures.of_target,
                tone=figures.tone,
                status=status_label(kpi.status),
                spark=sparkline(recent_values(series, kpi.current, 12)),
                trend=kpi_trend(points, kpi.current, direction.api_value),
                projection=projected.sentence(now) if projected.kind != "unknown" else "",
                projection_tone=projected.tone,
            )
        )
    return tuple(tiles)


def _kpi_order(kpi: Kpi) -> tuple[int, str]:
    return STATUS_SEVERITY.get(kpi.status or "", 3), one_line(kpi.name).casefold()


def tile_grid(width: int, height: int) -> tuple[int, int]:
    """Columns and rows of tiles that fit in ``width`` x ``height`` cells: more tiles rather than
    bigger ones as the screen grows (at least one)."""
    columns = (width + TILE_GUTTER) // (TILE_WIDTH + TILE_GUTTER)
    return max(1, columns), max(1, height // TILE_HEIGHT)


# -- at risk now --------------------------------------------------------------------------------------------


class Risk(msgspec.Struct, frozen=True):
    kind: str  # ``objective``, ``KPI``, ``key result``
    name: str
    label: Label  # glyph, word and tone of why it is here
    detail: str


def quarter_bounds(cycle: str | None) -> tuple[float, float] | None:
    """The start and end (epoch seconds, UTC) of a cycle named like ``Q4 2026``."""
    quarter = quarter_of(cycle)
    if quarter is None:
        return None
    year, number = quarter
    start = datetime(year, 3 * number - 2, 1, tzinfo=UTC)
    end = datetime(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1, tzinfo=UTC)
    return start.timestamp(), end.timestamp()


def behind_pace(okr: Okr, now: float) -> float | None:
    """How far an objective's progress is behind the share of its quarter that has passed (0.25 is 25
    points); None when its cycle is not a quarter or it has no progress."""
    bounds = quarter_bounds(okr.cycle)
    progress = clamp01(okr.progress)
    if bounds is None or progress is None:
        return None
    start, end = bounds
    expected = min(1.0, max(0.0, (now - start) / (end - start)))
    return expected - progress


def at_risk(
    okrs: Sequence[Okr] | None,
    kpis: Sequence[Kpi] | None,
    seen: Mapping[str, Sequence[KpiPoint]],
    now: float,
    *,
    public: bool = False,
    configured: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> tuple[tuple[Risk, ...], tuple[str, ...]]:
    """The risks, worst first (off track, at risk, behind pace, stale key results), and the notes the
    panel shows under them (what it cannot tell, what a public screen hides)."""
    _, current = in_current_cycle(okrs or (), now)
    named = [o for o in current if not (public and o.type == "individual")]
    risks = [*_objective_risks(named, now), *_kpi_risks(kpis or (), seen, now, configured, remembered)]
    notes: list[str] = []
    if okrs is not None and not any(o.key_results is not None for o in okrs):
        notes.append(
            "Key results: this API lists objectives without them, so stale check-ins cannot be told."
        )
    else:
        risks += _stale_key_results(named, now)
    hidden = sum(o.status in ("at_risk", "off_track") for o in current if o not in named)
    if hidden:
        noun = "objective is" if hidden == 1 else "objectives are"
        notes.append(f"{hidden} individual {noun} at risk or off track (names hidden on a public screen).")
    risks.sort(key=lambda item: (item[0], item[1].name.casefold()))
    return tuple(risk for _, risk in risks), tuple(notes)


def _objective_risks(okrs: Sequence[Okr], now: float) -> list[tuple[int, Risk]]:
    risks = []
    for okr in okrs:
        title = one_line(okr.title) or DASH
        severity = STATUS_SEVERITY.get(okr.status or "", 3)
        if severity < 2:
            detail = f"health {health_band(okr.health_score).display} · progress {percent(okr.progress)}"
            risks.append((severity, Risk("objective", title, status_label(okr.status), detail)))
            continue
        behind = behind_pace(okr, now) if okr.status == "on_track" else None
        if behind is not None and behind >= BEHIND_PACE:
            label = Label("◔", f"on track but {round(behind * 100)}% behind pace", WARN)
            gone = percent((clamp01(okr.progress) or 0.0) + behind)
            detail = f"progress {percent(okr.progress)} with {gone} of the quarter gone"
            risks.append((2, Risk("objective", title, label, detail)))
    return risks


def _kpi_risks(
    kpis: Sequence[Kpi],
    seen: Mapping[str, Sequence[KpiPoint]],
    now: float,
    configured: Mapping[str, str] | None,
    remembered: Mapping[str, str] | None,
) -> list[tuple[int, Risk]]:
    risks = []
    for kpi in kpis:
        name = one_line(kpi.name) or DASH
        severity = STATUS_SEVERITY.get(kpi.status or "", 3)
        direction = kpi_direction(kpi, configured, remembered)
        figures = kpi_figures(kpi, direction, kpi.unit, compact=True)
        detail = f"{figures.current} · target {figures.target} · {figures.of_target} of target"
        if severity < 2:
            risks.append((severity, Risk("KPI", name, status_label(kpi.status), detail)))
        elif kpi.status == "on_track":
            series = kpi_series(seen.get(kpi.id or "", ()), kpi.current, parse_timestamp(kpi.last_updated))
            projected = project(series, kpi.current, kpi.target, direction.api_value, now)
            if projected.kind == OFF_PACE:
                label = Label("◔", "on track but off pace", WARN)
                risks.append((2, Risk("KPI", name, label, f"{detail} · {projected.reason}")))
    return risks


def _stale_key_results(okrs: Sequence[Okr], now: float) -> list[tuple[int, Risk]]:
    risks = []
    label = Label("⌛", f"no check-in for {STALE_CHECKIN_DAYS} d", MUTED)
    for okr in okrs:
        for kr in okr.key_results or ():
            if not is_stale_checkin(kr.last_checkin_at, now):
                continue
            at = parse_timestamp(kr.last_checkin_at)
            since = "no check-in ever" if at is None else f"last check-in {int((now - at) // DAY)} d ago"
            title = one_line(kr.title) or DASH
            risks.append((3, Risk("key result", title, label, f"{since} · of {one_line(okr.title) or DASH}")))
    return risks


# -- reviews ------------------------------------------------------------------------------------------------


class CycleDue(msgspec.Struct, frozen=True):
    id: str
    name: str
    days: int | None  # to the due date; negative when past
    due: str  # ``in 9 d``, ``due today``, ``⚠ 2 d overdue``
    due_date: str
    tone: str
    reviewees: int | None
    shared: int | None  # shared reviews listed (None: the API does not list them)
    reviews: tuple[str, ...]  # ``Dana Kim · peer`` (empty on a public screen)


def reviews_due(cycles: Sequence[ReviewCycle], now: float, *, public: bool = False) -> tuple[CycleDue, ...]:
    """The active cycles, soonest due first."""
    shown = []
    for cycle in cycles:
        if cycle.status != "active":
            continue
        due = due_label(cycle.due_date, now)
        refs = cycle.reviews
        reviews = (
            ()
            if public or refs is None
            else tuple(f"{one_line(r.employee) or DASH} · {one_line(r.type) or DASH}" for r in refs)
        )
        shown.append(
            CycleDue(
                id=cycle.id or "",
                name=one_line(cycle.name) or DASH,
                days=due.days,
                due=due.text,
                due_date=one_line(cycle.due_date) or DASH,
                tone=due.tone,
                reviewees=cycle.reviewee_count,
                shared=None if refs is None else len(refs),
                reviews=reviews,
            )
        )
    shown.sort(key=lambda c: (c.days is None, c.days or 0, c.name.casefold()))
    return tuple(shown)


# -- freshness ----------------------------------------------------------------------------------------------


class Banner(msgspec.Struct, frozen=True):
    text: str
    tone: str


def data_time(snapshot: Snapshot, feeds: Sequence[str]) -> float | None:
    """When the data a panel shows was fetched: the oldest of its lists (None before any arrived)."""
    times = [getattr(snapshot, feed).fetched_at for feed in feeds]
    known = [at for at in times if at is not None]
    return min(known) if known else None


def freshness(snapshot: Snapshot, feeds: Sequence[str], now: float) -> str:
    """``updated 12 s ago``, of the lists the panel on screen shows."""
    return updated_label(data_time(snapshot, feeds), now)


def banner(snapshot: Snapshot, feeds: Sequence[str], now: float) -> Banner | None:
    """What is wrong with the data on screen, over it: offline (since when, the next attempt), rate
    limited (when it tries again), or another failure in the panel's lists (what to do)."""
    shown = data_time(snapshot, feeds)
    kept = f" · showing the data of {clock_time(shown, now)}" if shown is not None else ""
    offline = snapshot.offline
    if offline is not None:
        retry = countdown(offline.retry_at - now)
        return Banner(f"✖ offline since {clock_time(offline.since, now)}, retrying in {retry}{kept}", BAD)
    for feed in feeds:
        state = getattr(snapshot, feed)
        if isinstance(state.error, RateLimited):
            retry = countdown((state.retry_at or now) - now)
            return Banner(f"▲ rate limited: the server asks to wait, retrying in {retry}{kept}", WARN)
    for feed in feeds:
        error = getattr(snapshot, feed).error
        if error is not None:
            view = describe_error(error)
            return Banner(f"✖ {view.message} {view.action}".strip() + kept, view.tone)
    return None
