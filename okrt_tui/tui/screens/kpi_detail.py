"""``enter`` on a KPI: its numbers and a chart of the values seen, against the target line."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from okrt_tui.api.models import Kpi
from okrt_tui.store.history import KPI
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
from okrt_tui.views.projection import project
from okrt_tui.views.status import GOOD, MUTED, WARN, status_label
from okrt_tui.views.text import DASH, safe_text
from okrt_tui.views.times import parse_timestamp, relative_time
from okrt_tui.views.trend import NO_TREND, WEEK, change_since, kpi_series, kpi_trend

RANGES: tuple[tuple[str, int | None], ...] = (("7d", 7), ("30d", 30), ("90d", 90), ("all", None))
DAY = 86400.0


def kpi_header(
    kpi: Kpi, direction: KpiDirection, series: Sequence[KpiPoint], now: float, tones: Tones
) -> Text:
    """Name, numbers and status; which way is better and when it was updated; how it has moved (the
    last change, the change over 7 days) and where its pace leads. ``series`` as ``kpi_series`` makes it."""
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
    text.append(f"{direction.sentence} · updated {relative_time(kpi.last_updated, now)}", style=tones[MUTED])
    text.append("\n")
    way = direction.api_value
    last = kpi_trend(series, kpi.current, way)
    week = change_since(series, kpi.current, now - WEEK, way)
    projection = project(series, kpi.current, kpi.target, way, now)
    text.append("last change ", style=tones[MUTED])
    text.append(last.display, style=tones[last.tone])
    if week == NO_TREND:
        text.append(" · no value seen 7 days ago", style=tones[MUTED])
    else:
        text.append(" · since 7 days ago ", style=tones[MUTED])
        text.append(week.display, style=tones[week.tone])
    text.append(" · ", style=tones[MUTED])
    text.append(projection.sentence(now), style=tones[projection.tone])
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
        "(while the dashboard runs and, when stored, from earlier sessions), and the current value at the "
        "time the KPI says it was updated. The orange line is the target; a target far from the values "
        "is named above the chart (↑ above, ↓ below) rather than drawn. ▲ marks an update posted from "
        "here. t cycles 7 days, 30, 90, everything. The pace: see the KPI list's help."
    )

    def __init__(self, kpi_id: str) -> None:
        super().__init__()
        self.kpi_id = kpi_id
        self.kpi: Kpi | None = None
        self.range_index = 1  # 30 days
        #: The KPI's whole series from the local history, read once as the screen opens (the
        #: snapshot holds only the recent points of each KPI).
        self.stored: Sequence[KpiPoint] = ()

    def on_mount(self) -> None:
        super().on_mount()
        self._load_stored()

    @work(exclusive=True, group="series", exit_on_error=False)
    async def _load_stored(self) -> None:
        self.stored = await self.okrt.refresher.load_series(KPI, self.kpi_id)
        self.redraw()

    def points(self, snapshot: Snapshot) -> Sequence[KpiPoint]:
        """The stored series, then what the snapshot has seen since."""
        seen = snapshot.kpi_seen.get(self.kpi_id, ())
        if not self.stored:
            return seen
        last = self.stored[-1].at
        return [*self.stored, *(point for point in seen if point.at > last)]

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
        now = self.now
        series = kpi_series(self.points(snapshot), kpi.current, parse_timestamp(kpi.last_updated))
        header = kpi_header(kpi, shown_direction(self, kpi), series, now, self.tones)
        if found is None and snapshot.kpis.items is not None:
            header.append(
                "\nThis KPI is no longer in the list; showing what was last seen.", self.tones[WARN]
            )
        head.update(header)
        start = self.range_start(series, now)
        shown = [point for point in series if start <= point.at <= now]
        model = self.query_one(KpiChart).plot(
            series, start=start, end=now, target=kpi.target, unit=kpi.unit, posted=self.posted(snapshot)
        )
        tones = self.tones
        line = Text()
        for index, (label, _) in enumerate(RANGES):
            style = "bold reverse" if index == self.range_index else tones[MUTED]
            line.append(f" {label} ", style=style)
        line.append(f"  {len(shown)} of {len(series)} values seen", style=tones[MUTED])
        if kpi.target is not None:
            target = with_unit(kpi.target, kpi.unit)
            if model.target_side is None:
                line.append(f" · ── target {target}", style=tones[WARN])
            else:
                arrow = "↑" if model.target_side == "above" else "↓"
                line.append(f" · target {target} {arrow} {model.target_side}", style=tones[WARN])
        if model.posted:
            line.append(" · ▲ posted from here", style=tones[MUTED])
        if len(series) < 2:
            line.append("\nThe chart fills in as new values are seen.", style=tones[GOOD])
        self.query_one("#range", Static).update(line)

    def range_start(self, series: Sequence[KpiPoint], now: float) -> float:
        """Where the range shown begins: ``days`` before now, or (``all``) at the first value of the
        series, at least an hour back."""
        days = RANGES[self.range_index][1]
        if days is not None:
            return now - days * DAY
        return min(series[0].at if series else now, now - 3600.0)

    def posted(self, snapshot: Snapshot) -> Sequence[float]:
        """When this app posted updates of this KPI (the local history keeps every one)."""
        return snapshot.kpi_posted.get(self.kpi_id, ())

    def kpi_target(self) -> str | None:
        return self.kpi_id

    def action_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self.redraw()

    def action_copy(self) -> None:
        if self.kpi is not None and self.snapshot is not None:
            points = self.points(self.snapshot)
            self.copy_markdown(
                kpi_markdown(self.kpi, points, direction=shown_direction(self, self.kpi)), "the KPI"
            )
