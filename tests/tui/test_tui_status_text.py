"""The status line between snapshots: it keeps counting down, never shows a window that has ended, and
says why nothing is fetched while the rate limit holds."""

from okrt_tui.api.budget_status import BudgetStatus
from okrt_tui.api.errors import RateLimited
from okrt_tui.sync.snapshot import Feed, Snapshot
from okrt_tui.tui.widgets.cells import Tones
from okrt_tui.tui.widgets.status_bar import status_text


def line(budget: BudgetStatus, seconds_later: float) -> str:
    snapshot = Snapshot(workspace="Acme", budget=budget, taken_at=1000.0)
    return status_text(snapshot, "okrs", 1000.0 + seconds_later, Tones.plain(), 200).plain


def test_budget_countdown_runs_on_between_snapshots() -> None:
    budget = BudgetStatus(used=12, limit=60, reset_in=40.0)
    assert "12/60 req · reset 40 s" in line(budget, 0)
    assert "12/60 req · reset 30 s" in line(budget, 10)


def test_after_the_window_ends_the_count_starts_again_and_the_countdown_wraps() -> None:
    budget = BudgetStatus(used=12, limit=60, reset_in=40.0)
    assert "0/60 req · reset 50 s" in line(budget, 50)
    assert "0/60 req · reset 0 s" not in line(budget, 40.5)


def rate_limited(budget: BudgetStatus, *, retry_at: float, from_server: bool, seconds_later: float) -> str:
    error = RateLimited("429", retry_after=retry_at - 1000.0, from_server=from_server)
    feed = Feed(items=(), fetched_at=990.0, error=error, retry_at=retry_at)
    snapshot = Snapshot(workspace="Acme", okrs=feed, budget=budget, taken_at=1000.0)
    return status_text(snapshot, "okrs", 1000.0 + seconds_later, Tones.plain(), 200).plain


def test_a_server_pause_says_rate_limited_and_counts_down_to_its_end() -> None:
    # Retry-After 10 s, early in the window: the bar says so, and nothing of "refreshing".
    budget = BudgetStatus(used=3, reset_in=50.0, paused_for=10.0)
    assert "⏸ rate limited · resuming in 10 s" in rate_limited(
        budget, retry_at=1010.0, from_server=True, seconds_later=0
    )
    line9 = rate_limited(budget, retry_at=1010.0, from_server=True, seconds_later=1)
    assert "⏸ rate limited · resuming in 9 s" in line9 and "paused" not in line9
    assert "resuming now" in rate_limited(budget, retry_at=1010.0, from_server=True, seconds_later=10)


def test_a_spent_window_says_so_and_waits_for_its_end() -> None:
    budget = BudgetStatus(used=60, reset_in=23.0)
    line = rate_limited(budget, retry_at=1023.0, from_server=False, seconds_later=0)
    assert "⏸ minute's requests used · resuming in 23 s" in line and "60/60 req" in line


def test_cached_data_keeps_its_mark_and_age_while_the_first_refresh_is_on_the_way() -> None:
    feed = Feed(items=(), fetched_at=977.0, from_cache=True, loading=True)
    snapshot = Snapshot(workspace="Acme", okrs=feed, taken_at=1000.0)
    assert (
        "⟳ cached, refreshing │ updated 23 s ago"
        in status_text(snapshot, "okrs", 1000.0, Tones.plain(), 200).plain
    )
