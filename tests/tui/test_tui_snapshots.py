"""Pictures of every screen at 80x24 and 160x48, from fixed data and a frozen clock.

Regenerate after an intended change with ``pytest tests/tui/test_tui_snapshots.py --snapshot-update``
and review the SVGs (the report pytest-textual-snapshot writes shows the differences).
"""

from __future__ import annotations

import pytest
from msgspec.structs import replace
from tui_data import LOADING, NOW, OKRS, SUMMARY, FakeRefresher, data_snapshot, frozen_clock

from okrt_tui.api.budget_status import BudgetStatus
from okrt_tui.api.errors import Forbidden, RateLimited
from okrt_tui.config import UiSettings
from okrt_tui.sync.snapshot import Feed
from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.screens.review import ReviewScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def app_with(snapshot=None, **settings) -> OkrtApp:
    return OkrtApp(
        FakeRefresher(snapshot or data_snapshot()), settings=UiSettings(**settings), clock=frozen_clock
    )


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
class TestScreens:
    def test_okrs(self, snap_compare, size):
        assert snap_compare(app_with(), terminal_size=size, run_before=_settle)

    def test_okrs_filtered_and_sorted(self, snap_compare, size):
        assert snap_compare(
            app_with(), press=["slash", *"cycle:q2", "enter", "right", "s"], terminal_size=size
        )

    def test_okrs_with_changed_rows_marked(self, snap_compare, size):
        marked = data_snapshot(changed={"okrs": frozenset({"okr-2"}), "kpis": frozenset({"kpi-1"})})
        assert snap_compare(app_with(marked), terminal_size=size, run_before=_settle)

    def test_objective(self, snap_compare, size):
        assert snap_compare(app_with(), press=["enter"], terminal_size=size, run_before=_settle)

    def test_kpis(self, snap_compare, size):
        assert snap_compare(app_with(), press=["2"], terminal_size=size, run_before=_settle)

    def test_kpi_chart(self, snap_compare, size):
        assert snap_compare(app_with(), press=["2", "enter", "t"], terminal_size=size, run_before=_settle)

    def test_reviews(self, snap_compare, size):
        assert snap_compare(app_with(), press=["3"], terminal_size=size, run_before=_settle)

    def test_cycle(self, snap_compare, size):
        assert snap_compare(app_with(), press=["3", "enter"], terminal_size=size, run_before=_settle)

    def test_review(self, snap_compare, size):
        async def open_review(pilot):
            await pilot.app.switch_mode("reviews")
            await pilot.app.push_screen(ReviewScreen(SUMMARY))
            await _settle(pilot)

        assert snap_compare(app_with(), terminal_size=size, run_before=open_review)

    def test_help(self, snap_compare, size):
        assert snap_compare(app_with(), press=["question_mark"], terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
class TestStates:
    def test_loading(self, snap_compare, size):
        assert snap_compare(app_with(LOADING), terminal_size=size, run_before=_settle)

    def test_error(self, snap_compare, size):
        error = Forbidden("This key does not have okrs:read permission", scope="okrs:read")
        assert snap_compare(
            app_with(replace(LOADING, okrs=Feed(error=error))), terminal_size=size, run_before=_settle
        )

    def test_stale(self, snap_compare, size):
        snapshot = data_snapshot(
            okrs=Feed(items=OKRS, fetched_at=NOW - 300, error=RateLimited("Too many", retry_after=23)),
            budget=BudgetStatus(used=60, reset_in=23, paused_for=23),
        )
        assert snap_compare(app_with(snapshot), terminal_size=size, run_before=_settle)

    def test_empty(self, snap_compare, size):
        snapshot = data_snapshot(okrs=Feed(items=(), fetched_at=NOW))
        assert snap_compare(app_with(snapshot), terminal_size=size, run_before=_settle)

    def test_light_theme(self, snap_compare, size):
        assert snap_compare(app_with(theme="textual-light"), terminal_size=size, run_before=_settle)
