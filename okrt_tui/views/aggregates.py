"""The numbers at the top of the OKRs screen: how many on track / at risk / off track, mean health."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from okrt_tui.api.models import Okr
from okrt_tui.views.numbers import finite
from okrt_tui.views.status import Band, health_band, status_label


class OkrSummary(msgspec.Struct, frozen=True):
    total: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    other: int = 0  # no status, or one the reference does not list
    mean_health: float | None = None

    @property
    def band(self) -> Band:
        return health_band(None if self.mean_health is None else round(self.mean_health))


def summarize_okrs(okrs: Iterable[Okr]) -> OkrSummary:
    total = on = risk = off = 0
    health_sum = 0.0
    health_n = 0
    for okr in okrs:
        total += 1
        status = okr.status
        if status == "on_track":
            on += 1
        elif status == "at_risk":
            risk += 1
        elif status == "off_track":
            off += 1
        score = finite(okr.health_score)
        if score is not None:
            # Clamped to 0..100 as each band is, so a score of 1e308 cannot make the sum infinite.
            health_sum += min(100.0, max(0.0, score))
            health_n += 1
    return OkrSummary(
        total=total,
        on_track=on,
        at_risk=risk,
        off_track=off,
        other=total - on - risk - off,
        mean_health=health_sum / health_n if health_n else None,
    )


class Part(msgspec.Struct, frozen=True):
    """A piece of a one-line summary: runs of (text, tone), a shorter form, and how long it stays
    when the line is too narrow (a higher ``keep`` stays longer)."""

    runs: tuple[tuple[str, str], ...]
    keep: int
    short: tuple[tuple[str, str], ...] | None = None

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


def summary_parts(
    summary: OkrSummary,
    *,
    scope: str | None = None,
    shown: int | None = None,
    total: int | None = None,
    order: str | None = None,
) -> list[Part]:
    """The OKRs screen's summary: the cycle shown and its count, the status counts, the mean health,
    and the order of the rows (``order``, when they are not sorted by a column)."""
    parts: list[Part] = []
    if shown is not None and total is not None:
        count = f"{total} objectives" if shown == total else f"{shown} of {total} objectives"
        if scope is None:
            parts.append(Part(((count, ""),), keep=5))
        else:
            parts.append(Part(((scope, "bold"), (f": {count}", "")), keep=5, short=((scope, "bold"),)))
    statuses: list[tuple[str, str]] = []
    counts = (("on_track", summary.on_track), ("at_risk", summary.at_risk), ("off_track", summary.off_track))
    for name, number in counts:
        label = status_label(name)
        statuses.append((f"{label.glyph} {number} {label.text}", label.tone))
    if summary.other:
        statuses.append((f"◇ {summary.other} other", "muted"))
    spaced = [run for index, piece in enumerate(statuses) for run in ((" ", ""),) * bool(index) + (piece,)]
    parts.append(Part(tuple(spaced), keep=4))
    if summary.mean_health is None:
        parts.append(Part((("mean health —", "muted"),), keep=2))
    else:
        band = summary.band
        health = f"mean health {round(summary.mean_health)}"
        parts.append(Part(((f"{health} {band.label}", band.tone),), keep=2, short=((health, band.tone),)))
    if order:
        parts.append(Part(((order, "muted"),), keep=1))
    return parts


def fit_parts(parts: list[Part], width: int, separator: str = " · ") -> list[tuple[tuple[str, str], ...]]:
    """The parts that fit in ``width`` cells: the least kept first takes its shorter form, or goes;
    never a part cut in the middle (the line used to end in a bare "· 40")."""
    runs = {index: part.runs for index, part in enumerate(parts)}

    def length() -> int:
        pieces = ["".join(text for text, _ in part) for part in runs.values()]
        return len(separator.join(pieces))

    for index in sorted(range(len(parts)), key=lambda index: parts[index].keep):
        if length() <= width:
            break
        short = parts[index].short
        if short is not None:
            runs[index] = short
        if length() > width and len(runs) > 1:
            del runs[index]
    return list(runs.values())


def summary_line(summary: OkrSummary) -> str:
    return " · ".join(part.text for part in summary_parts(summary))
