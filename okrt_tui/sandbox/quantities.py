"""What the number of a key result or KPI measures, and so which values it can take.

Each seeded key result and KPI has a kind (stored with it): a percentage lies within 0-100, a count is a
whole number of at least 0, a duration is above 0, money and other amounts are at least 0, a score lies
on its scale (NPS -100 to 100, stars 1 to 5, points 0 to 100 or 0 to 10). The kind follows from the
unit, except where the unit alone is ambiguous and the catalogue names it (a team engagement score in
points out of 10; net revenue retention, a percentage that passes 100; hotfixes, picking errors and
complaints *per* something, which need not be whole).

Only the simulated teammates are held to these bounds, so that ``--simulate`` never shows "API uptime
101.18%". The API accepts any finite number, as the reference says nothing of bounds: a client must
cope with whatever a real workspace stores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    low: float | None = None  # the least value, None for no bound
    high: float | None = None  # the greatest value, None for no bound
    whole: bool = False  # counted: whole numbers only
    positive: bool = False  # strictly above ``low`` (a duration of 0 ms is no measurement)

    def fit(self, value: float, decimals: int) -> float:
        """``value`` rounded to ``decimals`` places (counts to whole numbers), then brought within
        bounds: a value past a bound becomes the bound (or, above a ``positive`` 0, its least step)."""
        places = 0 if self.whole else decimals
        value = round(value, places)
        if self.low is not None:
            value = max(value, self.low + 10.0**-places if self.positive else self.low)
        if self.high is not None:
            value = min(value, self.high)
        return float(round(value, places))

    def allows(self, value: float) -> bool:
        if not math.isfinite(value) or (self.whole and not value.is_integer()):
            return False
        if self.low is not None and (value <= self.low if self.positive else value < self.low):
            return False
        return self.high is None or value <= self.high


PERCENT = Kind("percent", 0, 100)
PERCENT_BEYOND_100 = Kind("percent beyond 100", 0)  # net revenue retention: 112% is growth
COUNT = Kind("count", 0, whole=True)
AMOUNT = Kind("amount", 0)  # money, ratios, rates per something, masses
DURATION = Kind("duration", 0, positive=True)
NPS = Kind("nps", -100, 100, whole=True)
STARS = Kind("stars", 1, 5)
POINTS_100 = Kind("points of 100", 0, 100)
POINTS_10 = Kind("points of 10", 0, 10)

KINDS = {
    kind.name: kind
    for kind in (PERCENT, PERCENT_BEYOND_100, COUNT, AMOUNT, DURATION, NPS, STARS, POINTS_100, POINTS_10)
}

_BY_UNIT = {
    "%": PERCENT,
    "$": AMOUNT,
    "€": AMOUNT,
    "x": AMOUNT,
    "g": AMOUNT,
    "events/s": AMOUNT,
    "parcels/day": AMOUNT,
    "ms": DURATION,
    "minutes": DURATION,
    "hours": DURATION,
    "days": DURATION,
    "NPS": NPS,
    "eNPS": NPS,
    "stars": STARS,
    "points": POINTS_100,
}


def for_unit(unit: str) -> Kind:
    """The kind a unit implies; any unit not listed counts things (users, tickets, deals…)."""
    return _BY_UNIT.get(unit, COUNT)


def kind_of(name: str, unit: str) -> Kind:
    """A stored kind by name; a row without one (a database from before kinds) goes by its unit."""
    return KINDS.get(name) or for_unit(unit)
