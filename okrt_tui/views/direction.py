"""Which way is better for a KPI, where we learnt it, and how its numbers read to people.

The API reference gives KPIs no direction; only the sandbox's extension field ``direction`` says
``"decrease"`` when lower is better. So a KPI's direction comes from, in this order:

1. ``config.toml``'s ``[kpis.direction]`` (by KPI id, then by exact name): the user's own word wins,
   as every setting of theirs does; it is how a wrong guess or a KPI the server never explains gets
   fixed.
2. The API's ``direction`` field, when the server sends it: the server's own truth.
3. Inference from the server's ``status``: the server computes it with DOMAIN.md's rule (r >= 0.9 on
   track, r >= 0.7 at risk, else off track, r = current / target or target / current when lower is
   better). When exactly one of the two readings predicts the status the server gave, that reading is
   the direction ("87 bugs against a target of 40, off track": only lower-is-better says off track).
   A direction inferred once is remembered per KPI (``okrt_tui.store.directions``), because near its
   target both readings agree and the status says nothing.
4. Otherwise the direction is unknown, and nothing claims one: no "higher is better", no ``≥``, and
   the share of the target is ``?`` instead of a percent that would be a guess.

Everything here is pure, so the CLI's ``kpis`` table and the dashboard show the same strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from okrt_tui.api.models import Kpi
from okrt_tui.views.numbers import Number, finite, kpi_ratio, percent, with_unit
from okrt_tui.views.status import BAD, GOOD, MUTED, WARN

LOWER, HIGHER = "lower", "higher"
WAYS = (LOWER, HIGHER)
#: Where a direction came from.
CONFIG, SERVER, INFERRED = "config", "server", "inferred"

#: The API's extension field's values, as ours.
_FROM_API = {"decrease": LOWER, "increase": HIGHER}
_TO_API = {LOWER: "decrease", HIGHER: "increase"}

#: Marks beside a target: the way that is better, and a direction that was inferred, not told.
INFERRED_MARK = "*"
UNKNOWN_RATIO = "?"

_SOURCE_WORDS = {
    CONFIG: "set in config.toml",
    SERVER: "as the server says",
    INFERRED: "inferred from the server's status",
}


class KpiDirection(msgspec.Struct, frozen=True):
    """``KpiDirection("lower", "inferred")``; ``way`` is ``None`` when nobody knows."""

    way: str | None = None
    source: str | None = None

    @property
    def known(self) -> bool:
        return self.way is not None

    @property
    def api_value(self) -> str | None:
        """The direction as the API's field spells it, for the ratio and trend functions."""
        return _TO_API.get(self.way or "")

    @property
    def sentence(self) -> str:
        """``lower is better (inferred from the server's status)``: how the detail view says it."""
        if self.way is None:
            return "direction unknown: the server does not say which way is better"
        words = f"{self.way} is better"
        return f"{words} ({_SOURCE_WORDS[self.source]})" if self.source in _SOURCE_WORDS else words


UNKNOWN = KpiDirection()


def status_for_ratio(ratio: float | None) -> str | None:
    """DOMAIN.md's KPI status of a ratio; ``None`` when the ratio is undefined."""
    if ratio is None:
        return None
    if ratio >= 0.9:
        return "on_track"
    return "at_risk" if ratio >= 0.7 else "off_track"


def infer_direction(current: Number | None, target: Number | None, status: str | None) -> str | None:
    """The one reading (``lower`` or ``higher``) whose predicted status is the server's, else ``None``.

    Only positive values take part: a ratio of a zero or negative value predicts nothing about which
    way is better (and the rule divides by it), so such a KPI stays as it was.
    """
    cur, tgt = finite(current), finite(target)
    if cur is None or tgt is None or cur <= 0 or tgt <= 0 or status is None:
        return None
    agreeing = [way for way in WAYS if status_for_ratio(kpi_ratio(cur, tgt, _TO_API[way])) == status]
    return agreeing[0] if len(agreeing) == 1 else None


def configured_direction(kpi: Kpi, configured: Mapping[str, str]) -> str | None:
    """The direction config.toml gives this KPI, by its id first, then by its exact name."""
    for key in (kpi.id, kpi.name):
        if key is not None and key in configured:
            return configured[key]
    return None


def kpi_direction(
    kpi: Kpi, configured: Mapping[str, str] | None = None, remembered: Mapping[str, str] | None = None
) -> KpiDirection:
    """The direction of ``kpi``: config > the API's field > inferred now > inferred before."""
    way = configured_direction(kpi, configured or {})
    if way is not None:
        return KpiDirection(way, CONFIG)
    way = _FROM_API.get(kpi.direction or "")
    if way is not None:
        return KpiDirection(way, SERVER)
    way = infer_direction(kpi.current, kpi.target, kpi.status)
    if way is None and remembered and kpi.id is not None:
        way = remembered.get(kpi.id)
    return KpiDirection(way, INFERRED) if way in WAYS else UNKNOWN


def learn_directions(kpis: Iterable[Kpi], remembered: Mapping[str, str]) -> dict[str, str]:
    """What this list teaches beyond ``remembered``: KPI id → the direction its status now shows.

    A KPI whose record carries the API's field needs no learning; an inference that differs from
    the remembered one replaces it (the server's latest status is the better witness).
    """
    learned: dict[str, str] = {}
    for kpi in kpis:
        if kpi.id is None or kpi.direction in _FROM_API:
            continue
        way = infer_direction(kpi.current, kpi.target, kpi.status)
        if way is not None and remembered.get(kpi.id) != way:
            learned[kpi.id] = way
    return learned


class KpiFigures(msgspec.Struct, frozen=True):
    """A KPI's numbers as cells: ``87 bugs``, ``≤ 40 bugs*``, ``46%`` in the ``bad`` tone."""

    current: str
    target: str
    ratio: float | None
    of_target: str
    tone: str


def kpi_figures(kpi: Kpi, direction: KpiDirection, unit: str | None, *, compact: bool = False) -> KpiFigures:
    """The cells the CLI table, the dashboard's list and the detail view show for a KPI.

    The target carries the better way (``≤`` lower, ``≥`` higher) and ``*`` when that way was
    inferred; with the direction unknown it carries neither and the share of the target is ``?``.
    ``unit`` is the unit to write beside the numbers (a table with a unit column passes ``None``).
    """
    current = with_unit(kpi.current, unit, compact=compact)
    target = with_unit(kpi.target, unit, compact=compact)
    ratio = kpi_ratio(kpi.current, kpi.target, direction.api_value) if direction.known else None
    if direction.known and finite(kpi.target) is not None:
        mark = INFERRED_MARK if direction.source == INFERRED else ""
        target = f"{'≤' if direction.way == LOWER else '≥'} {target}{mark}"
    if not direction.known:
        of_target, tone = (UNKNOWN_RATIO if finite(kpi.target) is not None else percent(None)), MUTED
    else:
        of_target = percent(ratio)
        tone = MUTED if ratio is None else GOOD if ratio >= 0.9 else WARN if ratio >= 0.7 else BAD
    return KpiFigures(current, target, ratio, of_target, tone)


def direction_legend(directions: Iterable[KpiDirection]) -> str | None:
    """The line under a list that explains its ``*`` and ``?``; ``None`` when it shows neither."""
    shown = list(directions)
    parts = []
    if any(d.source == INFERRED for d in shown):
        parts.append(f"{INFERRED_MARK} better way inferred from the server's status")
    if any(not d.known for d in shown):
        parts.append(f"{UNKNOWN_RATIO} unknown")
    if not parts:
        return None
    return " · ".join([*parts, "config.toml [kpis.direction] sets it"])
