"""The monitor's four panels. Each turns the latest snapshot into its ``views.wall`` model and redraws
only when that model, its page or its size changed: a snapshot that brings nothing new (a fetch
starting, the budget ticking) costs a comparison.

A panel shows as many items as its size holds; the rest come on its later turns (``turn``), and its
heading says which page is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import msgspec
from rich.box import HEAVY, ROUNDED
from rich.console import Group, RenderableType
from rich.panel import Panel as RichPanel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.renderables.digits import Digits as DigitsRenderable
from textual.widgets import Digits, Static

from okrt_tui.sync.snapshot import Snapshot
from okrt_tui.tui.monitor.chrome import set_tone
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.views.numbers import bar, percent
from okrt_tui.views.rotation import PANEL_FEEDS, page_slice, pages
from okrt_tui.views.status import BAD, MUTED, status_label
from okrt_tui.views.wall import (
    TILE_GUTTER,
    TILE_HEIGHT,
    Risk,
    Tile,
    at_risk,
    kpi_tiles,
    objectives_board,
    reviews_due,
    tile_grid,
)


class Context(msgspec.Struct, frozen=True):
    """What every panel draws from."""

    snapshot: Snapshot
    now: float
    public: bool
    turn: int  # how many times this panel has come on screen: its page
    configured: dict[str, str]  # config.toml's [kpis.direction]
    tones: Tones


def heading(title: str, page: int, count: int, extra: str = "") -> Text:
    """``KPIs · page 2 of 3 · 16 KPIs, worst status first``: the page first, so a narrow screen keeps it."""
    text = Text(title, style="bold", no_wrap=True, overflow="ellipsis", end="")
    if count > 1:
        text.append(f" · page {page + 1} of {count}", style="bold")
    if extra:
        text.append(f" · {extra}")
    return text


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def fill(box: Static, content: RenderableType) -> None:
    """New content for a box the stylesheet sizes (a heading's line, or the height the panel leaves),
    repainted alone: ``Static.update`` lays the whole screen out by default, and repaints all of it
    (~25 ms at 160x48), for every poll that changed a number."""
    box.update(content, layout=False)


class Panel(Vertical):
    """A panel: ``draw(context)`` on each snapshot, each turn and each resize."""

    TITLE: ClassVar[str] = ""
    NAME: ClassVar[str] = ""  # the panel's name in --screens

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._painted: object = None
        self._shown_with: Context | None = None

    def draw(self, context: Context) -> None:
        self._shown_with = context
        if self.is_mounted:
            self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        context = self._shown_with
        if context is None or not self.size.height:
            return
        waiting = any(getattr(context.snapshot, feed).items is None for feed in PANEL_FEEDS[self.NAME])
        self.set_class(waiting, "-waiting")
        if waiting:
            # Nothing to count yet: "nothing at risk" or "0 on track" would be false.
            self._painted = None
            fill(
                self.query_one(".panel-head", Static),
                Text(f"{self.TITLE} · waiting for the first data", style="bold", end=""),
            )
            return
        model = self.model(context)
        key = (model, context.turn, self.size, context.tones)
        if key != self._painted:
            self._painted = key
            self.paint(model, context)

    def model(self, context: Context) -> Any:
        raise NotImplementedError

    def paint(self, model: Any, context: Context) -> None:
        raise NotImplementedError


# -- objectives ---------------------------------------------------------------------------------------------


class Count(Vertical):
    """A number in large digits under its label: ``● on track`` / ``12``."""

    def __init__(self, label: str, tone: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._label = label
        self._tone = tone

    def compose(self) -> ComposeResult:
        yield Static(Text(self._label, end=""), classes="count-label")
        yield Digits("", classes="count-digits")

    def on_mount(self) -> None:
        set_tone(self, self._tone)

    def set(self, value: str, label: str | None = None, tone: str | None = None) -> None:
        self.query_one(Digits).update(value)
        if label is not None:
            self.query_one(".count-label", Static).update(Text(label, end=""))
        if tone is not None:
            set_tone(self, tone)


class BoardPanel(Panel):
    NAME = "okrs"
    TITLE = "Objectives"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="counts"):
            for status in ("on_track", "at_risk", "off_track"):
                label = status_label(status)
                yield Count(label.display, label.tone, id=f"count-{status}")
            yield Count("mean health", MUTED, id="count-health")
        yield Static(classes="panel-head")
        yield Static(classes="rows")

    def model(self, context: Context) -> Any:
        return objectives_board(context.snapshot.okrs.items or (), context.now, public=context.public)

    def paint(self, model: Any, context: Context) -> None:
        summary = model.summary
        self.query_one("#count-on_track", Count).set(str(summary.on_track))
        self.query_one("#count-at_risk", Count).set(str(summary.at_risk))
        self.query_one("#count-off_track", Count).set(str(summary.off_track))
        band = summary.band
        health = "—" if summary.mean_health is None else str(round(summary.mean_health))
        self.query_one("#count-health", Count).set(health, f"mean health · {band.label}", band.tone)
        rows = self.query_one(".rows", Static)
        per_page = max(1, rows.size.height)
        count = pages(len(model.rows), per_page)
        page = context.turn % count
        scope = f"{model.cycle}: " if model.cycle else ""
        extra = f"{scope}{len(model.rows)} org and team objectives, worst health first"
        fill(self.query_one(".panel-head", Static), heading(self.TITLE, page, count, extra))
        wide = self.size.width >= WIDE
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        if not context.public:
            table.add_column(no_wrap=True, max_width=24 if wide else 14, overflow="ellipsis")
        tones = context.tones
        for row in model.rows[page_slice(len(model.rows), per_page, page)]:
            cells: list[Text] = [
                Text(row.status.display, style=tones[row.status.tone]),
                Text(row.band.display if wide else _score(row.band.score), style=tones[row.band.tone]),
                Text(f"{bar(row.progress, 20 if wide else 10)} {percent(row.progress):>4}"),
                Text(row.title, style="bold"),
            ]
            if not context.public:
                cells.append(Text(row.owner, style=tones[MUTED]))
            table.add_row(*cells)
        if not model.rows:
            fill(rows, Text("No org or team objectives in this cycle.", style=tones[MUTED]))
        else:
            fill(rows, table)


# -- KPI tiles ----------------------------------------------------------------------------------------------


def tile_panel(tile: Tile, tones: Tones, width: int) -> RichPanel:
    """One KPI, readable from across a room: its value in Textual's large digits, in a frame the
    colour of its status (heavy when off track)."""
    name = Text(tile.name, style="bold", no_wrap=True, overflow="ellipsis")
    lines = Text(no_wrap=True, overflow="ellipsis", end="")
    lines.append(" · ".join(part for part in (tile.unit, tile.target) if part) + "\n")
    lines.append(tile.status.display, style=tones[tile.status.tone])
    lines.append(f" · {tile.of_target}\n", style=tones[tile.tone])
    lines.append(f"{tile.spark} ")
    lines.append(tile.trend.display, style=tones[tile.trend.tone])
    lines.append("\n")
    lines.append(tile.projection, style=tones[tile.projection_tone])
    digits = DigitsRenderable(tile.digits, tones[tile.status.tone])
    return RichPanel(
        Group(name, digits, lines),
        box=HEAVY if tile.status.tone == BAD else ROUNDED,
        border_style=tones[tile.status.tone],
        width=width,
        height=TILE_HEIGHT,
        padding=(0, 1),
    )


class KpiPanel(Panel):
    """The tiles are one widget drawing a grid of framed renderables: dozens of tiles as widgets of
    their own made every panel change a layout of a hundred widgets (~3 times the CPU)."""

    NAME = "kpis"
    TITLE = "KPIs"

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-head")
        yield Static(classes="tiles")

    def model(self, context: Context) -> Any:
        snapshot = context.snapshot
        return kpi_tiles(
            snapshot.kpis.items or (),
            snapshot.kpi_seen,
            context.now,
            configured=context.configured,
            remembered=snapshot.kpi_directions,
        )

    def paint(self, model: Any, context: Context) -> None:
        width = self.content_size.width
        columns, rows = tile_grid(width, self.content_size.height - 1)
        per_page = columns * rows
        count = pages(len(model), per_page)
        page = context.turn % count
        shown = model[page_slice(len(model), per_page, page)]
        fill(
            self.query_one(".panel-head", Static),
            heading(self.TITLE, page, count, _count(len(model), "KPI") + ", worst status first"),
        )
        tile_width = (width - (columns - 1) * TILE_GUTTER) // columns
        grid = Table.grid(padding=(0, TILE_GUTTER, 0, 0))
        for _ in range(columns):
            grid.add_column(width=tile_width)
        panels = [tile_panel(tile, context.tones, tile_width) for tile in shown]
        for start in range(0, len(panels), columns):
            grid.add_row(*panels[start : start + columns])
        fill(self.query_one(".tiles", Static), grid)


# -- at risk ------------------------------------------------------------------------------------------------


#: From this width a risk, an objective's row, has room for everything on one line.
WIDE = 120


def risk_table(risks: Sequence[Risk], tones: Tones, wide: bool) -> Table:
    table = Table.grid(padding=(0, 2), expand=True)
    if wide:
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=2, no_wrap=True, overflow="ellipsis")
        table.add_column(ratio=3, no_wrap=True, overflow="ellipsis")
        for risk in risks:
            table.add_row(
                Text(risk.label.display, style=tones[risk.label.tone]),
                Text(risk.kind, style=tones[MUTED]),
                Text(risk.name, style="bold"),
                Text(risk.detail),
            )
        return table
    table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    for risk in risks:
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        line.append(risk.label.display, style=tones[risk.label.tone])
        line.append("  ")
        line.append(risk.name, style="bold")
        line.append(f"\n   {risk.kind} · {risk.detail}", style=tones[MUTED])
        table.add_row(line)
    return table


class RiskPanel(Panel):
    NAME = "risk"
    TITLE = "At risk now"

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-head")
        yield Static(classes="rows")
        yield Static(classes="notes")

    def model(self, context: Context) -> Any:
        snapshot = context.snapshot
        return at_risk(
            snapshot.okrs.items,
            snapshot.kpis.items,
            snapshot.kpi_seen,
            context.now,
            public=context.public,
            configured=context.configured,
            remembered=snapshot.kpi_directions,
        )

    def paint(self, model: Any, context: Context) -> None:
        risks, notes = model
        tones = context.tones
        self.query_one(".notes", Static).update(Text("\n".join(notes), style=tones[MUTED], end=""))
        rows = self.query_one(".rows", Static)
        wide = self.size.width >= WIDE
        # Narrower, a risk takes two lines: its status and name, then what and why.
        per_page = max(1, (self.size.height - 1 - len(notes)) // (1 if wide else 2))
        count = pages(len(risks), per_page)
        page = context.turn % count
        fill(
            self.query_one(".panel-head", Static),
            heading(self.TITLE, page, count, f"{len(risks)} to look at"),
        )
        if not risks:
            fill(rows, Text("● Nothing at risk, off track or behind pace.", style=tones["good"]))
            return
        fill(rows, risk_table(risks[page_slice(len(risks), per_page, page)], tones, wide))


# -- reviews ------------------------------------------------------------------------------------------------

#: Lines one review cycle takes (its days in large digits are three).
CYCLE_HEIGHT = 5


class ReviewsPanel(Panel):
    NAME = "reviews"
    TITLE = "Reviews"

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-head")
        yield Static(classes="cycles")

    def model(self, context: Context) -> Any:
        return reviews_due(context.snapshot.cycles.items or (), context.now, public=context.public)

    def paint(self, model: Any, context: Context) -> None:
        per_page = max(1, (self.content_size.height - 1) // CYCLE_HEIGHT)
        count = pages(len(model), per_page)
        page = context.turn % count
        fill(
            self.query_one(".panel-head", Static),
            heading(
                self.TITLE, page, count, _count(len(model), "active review cycle") + ", soonest due first"
            ),
        )
        tones = context.tones
        box = self.query_one(".cycles", Static)
        if not model:
            fill(box, Text("No active review cycle.", style=tones[MUTED]))
            return
        table = Table.grid(padding=(0, 3, 1, 0))
        table.add_column(width=16, no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        width = self.content_size.width
        for cycle in model[page_slice(len(model), per_page, page)]:
            days = "—" if cycle.days is None else str(abs(cycle.days))
            words = "days overdue" if (cycle.days or 0) < 0 else "days to due"
            style = tones[cycle.tone]
            big = Group(DigitsRenderable(days, style), Text(words, style=style + Style(bold=True)))
            detail = Text(no_wrap=True, overflow="ellipsis", end="")
            detail.append(cycle.name, style="bold")
            detail.append(f"\n{cycle.due}", style=style)
            detail.append(f" · due {cycle.due_date}")
            counts = []
            if cycle.reviewees is not None:
                counts.append(f"{cycle.reviewees} reviewees")
            if cycle.shared is not None:
                counts.append(f"{cycle.shared} reviews shared")
            if counts:
                detail.append("\n" + " · ".join(counts), style=tones[MUTED])
            if cycle.reviews:
                detail.append("\n" + " · ".join(cycle.reviews[: max(1, width // 30)]))
            table.add_row(big, detail)
        fill(box, table)


def _score(score: int | None) -> str:
    """A health of 0 is a score (the worst), not a missing one."""
    return "—" if score is None else str(score)
