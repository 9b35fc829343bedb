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


def summary_parts(summary: OkrSummary) -> list[tuple[str, str]]:
    """The summary as (text, tone) pieces, so the UI can colour each and a pipe can join them."""
    parts = [
        (f"{status_label('on_track').glyph} {summary.on_track} on track", status_label("on_track").tone),
        (f"{status_label('at_risk').glyph} {summary.at_risk} at risk", status_label("at_risk").tone),
        (f"{status_label('off_track').glyph} {summary.off_track} off track", status_label("off_track").tone),
    ]
    if summary.other:
        parts.append((f"◇ {summary.other} other", "muted"))
    band = summary.band
    if summary.mean_health is None:
        parts.append(("mean health —", "muted"))
    else:
        parts.append((f"mean health {round(summary.mean_health)} {band.label}", band.tone))
    return parts


def summary_line(summary: OkrSummary) -> str:
    return " · ".join(text for text, _ in summary_parts(summary))
