"""The command palette (``ctrl+p``): screens, refresh, open a review, jump to an objective or a KPI.

Titles come from the server, so hits are built as ``Content`` from plain text and the fuzzy match is
highlighted by offsets (``Matcher.highlight`` would parse the title as markup), and help lines are
escaped (the palette parses them as markup).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape
from textual.message import Message
from textual.widgets import Button, Input, OptionList

from okrt_tui.views.cycles import ALL_CYCLES, cycles_of
from okrt_tui.views.query import distinct
from okrt_tui.views.text import one_line, truncate

if TYPE_CHECKING:
    from okrt_tui.tui.app import OkrtApp

Command = tuple[str, str, Callable[[], object]]


def safe_highlight(matcher: Matcher, candidate: str) -> Content:
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if offset < len(candidate) and not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class OkrtPalette(CommandPalette):
    """Textual's palette, safe against keys typed ahead (SSH, a quick hand), which stopped the app.

    ``ctrl+p`` and ``PageUp`` at once reach the palette while its list still has no height: Textual
    8.2's ``OptionList._move_page`` then looks up a line that does not exist yet (``KeyError``). A page
    move through a list not yet shown has nothing to move through, so it is skipped. And a selection
    queued behind the one that closed the palette (two enters, enter then escape) would close it
    again, popping the screen beneath (or none), and run the command twice: once closed, it is
    dropped.
    """

    async def _on_message(self, message: Message) -> None:
        if not self.is_active and isinstance(
            message, Input.Submitted | Button.Pressed | OptionList.OptionSelected
        ):
            return
        await super()._on_message(message)

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query_one(CommandList)
            highlighted = commands.highlighted
            if highlighted is not None and highlighted not in commands._index_to_line:
                return
        super()._action_command_list(action)


class OkrtCommands(Provider):
    @property
    def okrt(self) -> OkrtApp:
        return self.app  # type: ignore[return-value]

    def fixed_commands(self) -> Iterator[Command]:
        app = self.okrt
        yield ("Show OKRs", "The objectives (key 1)", partial(app.show, "okrs"))
        yield ("Show KPIs", "The KPIs (key 2)", partial(app.show, "kpis"))
        yield ("Show Reviews", "Review cycles and reviews (key 3)", partial(app.show, "reviews"))
        yield (
            "Refresh now",
            "Fetch the visible list now, within the rate budget (key r)",
            app.action_refresh,
        )
        yield ("Open review by id", "Paste a shared review's id", app.action_open_review_by_id)
        yield (
            "OKRs of all cycles",
            "Every cycle's objectives (key v picks)",
            partial(app.show_cycle, ALL_CYCLES),
        )
        yield (
            "OKRs of the current cycle",
            "The quarter of today, or the latest with objectives (key v picks)",
            partial(app.show_cycle, None),
        )
        if app.deliveries is not None:
            okrs = app.snapshot.okrs.items
            if okrs is not None and not any(o.key_results is not None for o in okrs):
                why = "Not available: this API lists objectives without their key results"
            else:
                why = "Key results without a check-in for 7 days, one form after another (key C)"
            yield ("Check-in round", why, app.checkin_round)
            yield ("Show the outbox", "Writes not yet delivered (key 4)", partial(app.show, "outbox"))
        yield ("Help: keys of this screen", "The keys you can press here (key ?)", app.action_help)

    def data_commands(self) -> Iterator[Command]:
        app = self.okrt
        snapshot = app.snapshot
        okrs = snapshot.okrs.items or ()
        for okr in okrs:
            if okr.id:
                title = truncate(one_line(okr.title) or okr.id, 80)
                yield (
                    f"Objective: {title}",
                    f"Open · {one_line(okr.owner)}",
                    partial(app.open_objective, okr.id),
                )
        for kpi in snapshot.kpis.items or ():
            if kpi.id:
                name = truncate(one_line(kpi.name) or kpi.id, 80)
                yield (f"KPI: {name}", "Open its chart", partial(app.open_kpi, kpi.id))
        for cycle in snapshot.cycles.items or ():
            if cycle.id:
                name = truncate(one_line(cycle.name) or cycle.id, 80)
                yield (f"Review cycle: {name}", "Open the cycle", partial(app.open_cycle, cycle.id))
        for value in cycles_of(o.cycle for o in okrs):
            yield (
                f"OKRs of cycle: {value}",
                "Only this cycle's objectives (key v picks)",
                partial(app.show_cycle, value),
            )
        for value in distinct(one_line(o.type) for o in okrs):
            yield (
                f"Filter OKRs by type: {value}",
                f"type:{value}",
                partial(app.filter_list, "okrs", f"type:{value}"),
            )

    async def discover(self) -> Hits:
        for name, help_text, callback in self.fixed_commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for commands in (self.fixed_commands(), self.data_commands()):
            for name, help_text, callback in commands:
                score = matcher.match(name)
                if score > 0:
                    # The palette parses help as markup: escape it (it may hold server text).
                    yield Hit(
                        score, safe_highlight(matcher, name), callback, text=name, help=escape(help_text)
                    )
