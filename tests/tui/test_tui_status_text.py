"""The status line between snapshots: it keeps counting down, and never shows a window that has ended."""

from okrt_tui.sync.snapshot import BudgetStatus, Snapshot
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
