"""Which record a name typed on the command line means: an exact id, then an exact name (any case),
then a unique part of a name.

``kpi-update`` and ``checkin`` (their targets) and ``history`` (a KPI or an objective) resolve their
argument with this one rule, so a name that works for one works for the others. Unknown or ambiguous
is one sentence listing the candidates (exit 1), never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from okrt_tui.api.errors import InvalidInput
from okrt_tui.api.models import Kpi, Okr
from okrt_tui.views.text import one_line, truncate

T = TypeVar("T")

MAX_CANDIDATES = 8
"""Candidates an ambiguous name lists (then "and N more")."""

Named = tuple[str, str, T]
"""(id, name as shown, what the caller keeps with it)."""


class UnknownName(InvalidInput):
    """No record, or more than one, answers to the name: nothing was done."""


def _described(candidate: Named[T]) -> str:
    ident, name, _ = candidate
    return f"{truncate(name, 50)} ({ident})"


def choose(
    arg: str,
    named: Sequence[Named[T]],
    what: str,
    *,
    plural: str | None = None,
    describe: Callable[[Named[T]], str] = _described,
) -> Named[T]:
    """The one candidate ``arg`` means (see the module's docstring); ``what`` names the kind of record
    in the sentences (``KPI``), ``plural`` its plural when adding an s will not do."""
    for candidate in named:
        if candidate[0] == arg:
            return candidate
    wanted = arg.casefold().strip()
    exact = [c for c in named if c[1] and c[1].casefold() == wanted]
    found = exact or [c for c in named if wanted and wanted in c[1].casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnknownName(
            f"No {what} is named or has the id {arg!r}. Check the name (any part of it will do)."
        )
    shown = "; ".join(describe(candidate) for candidate in found[:MAX_CANDIDATES])
    more = f"; and {len(found) - MAX_CANDIDATES} more" if len(found) > MAX_CANDIDATES else ""
    kinds = plural or f"{what}s"
    raise UnknownName(
        f"{arg!r} matches {len(found)} {kinds}: {shown}{more}. Give more of the name, or the id."
    )


KPI, OBJECTIVE = "KPI", "objective"


def find_kpi_or_objective(
    arg: str,
    kpis: Sequence[Kpi] | None,
    okrs: Sequence[Okr] | None,
    *,
    recorded_kpis: Sequence[str] = (),
    recorded_objectives: Sequence[str] = (),
) -> Named[str]:
    """(id, name, ``KPI`` or ``objective``) of the one KPI or objective ``arg`` means, among the listed
    ones and, by id only, those the history keeps that the lists no longer show."""
    named: list[Named[str]] = [(k.id, one_line(k.name), KPI) for k in kpis or () if k.id]
    named += [(o.id, one_line(o.title), OBJECTIVE) for o in okrs or () if o.id]
    listed = {ident for ident, _, _ in named}
    named += [(i, "", KPI) for i in recorded_kpis if i not in listed]
    named += [(i, "", OBJECTIVE) for i in recorded_objectives if i not in listed]
    return choose(
        arg,
        named,
        "KPI or objective",
        plural="KPIs and objectives",
        describe=lambda c: f"{c[2]} {_described(c)}",
    )
