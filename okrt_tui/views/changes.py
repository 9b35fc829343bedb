"""Which rows changed since the user last looked: the marks of the lists and the ``n`` key.

A row's print is what a reader of the list would notice change: an objective's progress, status and
health; a KPI's value, target and status. The baseline is the prints of what was last shown: the
previous session's (stored), then this session's previous refresh. A refresh that changes nothing
keeps the marks it found before, so a row marked at 09:00 stays marked until something else changes,
rather than for the 30 s until the next poll. With no baseline at all (the first session) nothing is
marked: every row would be "new".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from okrt_tui.api.models import Kpi, Okr

#: The lists whose rows are marked.
TRACKED = ("okrs", "kpis")

Prints = dict[str, str]


def row_print(item: Any) -> str:
    if isinstance(item, Okr):
        return f"{item.progress!r}|{item.status}|{item.health_score!r}"
    if isinstance(item, Kpi):
        return f"{item.current!r}|{item.target!r}|{item.status}"
    raise TypeError(f"no print for {type(item).__name__}")


def prints(items: Iterable[Any]) -> Prints:
    return {item.id: row_print(item) for item in items if getattr(item, "id", None)}


def changed_rows(baseline: Mapping[str, str], now: Mapping[str, str]) -> frozenset[str]:
    """The ids whose print differs from the baseline's, new rows included; nothing without a baseline."""
    if not baseline:
        return frozenset()
    return frozenset(key for key, value in now.items() if baseline.get(key) != value)


class ChangeMarks:
    """One list's baseline and marks, moved on by each good refresh (``seen``)."""

    def __init__(self, baseline: Prints | None = None) -> None:
        self.baseline: Prints = dict(baseline or {})
        self.marked: frozenset[str] = frozenset()

    def seen(self, items: Iterable[Any]) -> bool:
        """A refresh showed ``items``; True when the baseline moved (something changed)."""
        now = prints(items)
        changed = changed_rows(self.baseline, now)
        if changed:
            self.marked = changed
        moved = now != self.baseline
        self.baseline = now
        return moved


def next_marked(order: list[str], marked: frozenset[str], current: str | None) -> str | None:
    """The first marked key after ``current`` in the list's order, wrapping round; ``None`` if none."""
    if not marked:
        return None
    start = order.index(current) + 1 if current in order else 0
    for key in order[start:] + order[:start]:
        if key in marked:
            return key
    return None
