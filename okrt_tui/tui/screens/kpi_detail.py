"""``enter`` on a KPI: its numbers and a chart of the values seen, against the target line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from okrt_tui.api.models import Kpi
from okrt_tui.sync.snapshot import KpiPoint, Snapshot
from okrt_tui.tui.resources import stylesheet
from okrt_tui.tui.screens.base import DataScreen
from okrt_tui.tui.screens.kpis import shown_direction
from okrt_tui.tui.screens.writing import KPI_UPDATE, Writes
from okrt_tui.tui.widgets.cells import Tones, label_text
from okrt_tui.tui.widgets.kpi_chart import KpiChart
from okrt_tui.views.direction import KpiDirection, kpi_figures
from okrt_tui.views.markdown import kpi_markdown
from okrt_tui.views.numbers import with_unit
from okrt_tui.views.status import GOOD, MUTED, WARN, status_label
from okrt_tui.views.text import DASH, one_line, safe_text
from okrt_tui.views.times import relative_time
from okrt_tui.views.trend import kpi_trend, points_in_range

RANGES: tuple[tuple[str, int | None], ...] = (("7d", 7), ("30d", 30), ("90d", 90), ("all", None))


def kpi_header(
    kpi: Kpi, direction: KpiDirection, points: Sequence[KpiPoint], now: float, tones: Tones
) -> Text:
    text = Text()
    text.append(safe_text(kpi.name).strip() or DASH, style="bold")
    text.append("\n")
    figures = kpi_figures(kpi, direction, kpi.unit)
    facts = [
        ("Current", figures.current),
        ("Target", figures.target),
        ("Of target", figures.of_target),
    ]
    for number, (name, value) in enumerate(facts):
        if number:
            text.append("   ")
        text.append(f"{name} ", style=tones[MUTED])
        text.append(value, style="bold")
    text.append("   ")
    text.append_text(label_text(status_label(kpi.status), tones))
    text.append("\n")
    trend = kpi_trend(points, kpi.current, direction.api_value)
    text.append(
        f"{direction.sentence} · updated {relative_time(kpi.last_updated, now)} · trend ", style=tones[MUTED]
    )
    text.append(trend.display, style=tones[trend.tone])
    text.append(f" ({trend.word})", style=tones[MUTED])
    return text


class KpiScreen(Writes, DataScreen):
    CSS_PATH = str(stylesheet("detail.tcss"))
    FEED = "kpis"
    MODE = "kpis"
    NOUN = "KPI"
    BINDINGS = [  # noqa: RUF012 - Textual's idiom
        Binding("escape", "back", "Back", id="okrt.back"),
        Binding("t", "range", "Range", id="okrt.range"),
        Binding("y", "copy", "Copy", id="okrt.copy"),
        KPI_UPDATE,
    ]
    HELP_NOTES = (
        "The API keeps no history: the chart shows the values this computer has seen "
        "(while the dashboard runs and, when stored, from earlier sessions). The orange line is the target."
    )

    def __init__(self, kpi_id: str) -> None:
        super().__init__()
        self.kpi_id = kpi_id
        self.kpi: Kpi | None = None
        self.range_index = 1  # 30 days

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Vertical(classes="body"):
            yield Static(id="head", markup=False)
            yield Static(id="range", markup=False)
            yield KpiChart(id="chart")
        yield from self.compose_bottom()

    @property
    def range_name(self) -> str:
        return RANGES[self.range_index][0]

    def draw(self, snapshot: Snapshot) -> None:
        found = next((k for k in snapshot.kpis.items or () if k.id == self.kpi_id), None)
        if found is not None:
            self.kpi = found
        kpi = self.kpi
        head = self.query_one("#head", Static)
        if kpi is None:
            head.update(Text("This KPI is not in the workspace's list.", style=self.tones[WARN]))
            return
        points = snapshot.kpi_seen.get(self.kpi_id, ())
        header = kpi_header(kpi, shown_direction(self, kpi), points, self.now, self.tones)
        if found is None and snapshot.kpis.items is not None:
            header.append(
                "\nThis KPI is no longer in the list; showing what was last seen.", self.tones[WARN]
            )
        head.update(header)
        days = RANGES[self.range_index][1]
        shown = points_in_range(points, self.now, days)
        line = Text()
        for index, (label, _) in enumerate(RANGES):
            style = "bold reverse" if index == self.range_index else self.tones[MUTED]
            line.append(f" {label} ", style=style)
        line.append(
            f"  t changes the range · {len(shown)} of {len(points)} values seen", style=self.tones[MUTED]
        )
        if kpi.target is not None:
            line.append(f" · ── target {with_unit(kpi.target, kpi.unit)}", style=self.tones[WARN])
        if len(points) < 2:
            line.append("\nThe chart fills in as new values are seen.", style=self.tones[GOOD])
        self.query_one("#range", Static).update(line)
        self.query_one(KpiChart).plot(shown, kpi.target, self.now, unit=one_line(kpi.unit))

    def kpi_target(self) -> str | None:
        return self.kpi_id

    def action_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self.redraw()

    def action_copy(self) -> None:
        if self.kpi is not None and self.snapshot is not None:
            points = self.snapshot.kpi_seen.get(self.kpi_id, ())
            self.copy_markdown(
                kpi_markdown(self.kpi, points, direction=shown_direction(self, self.kpi)), "the KPI"
            )
