"""Which rows are marked as changed since the user last looked, and where ``n`` goes."""

from __future__ import annotations

from okrt_tui.api.models import Kpi, Okr
from okrt_tui.views.changes import ChangeMarks, changed_rows, next_marked, prints


def okr(ident: str, progress: float = 50, status: str = "on_track", health: int = 80) -> Okr:
    return Okr(id=ident, title=ident, progress=progress, status=status, health_score=health)


def test_nothing_is_marked_without_a_baseline_the_first_session():
    marks = ChangeMarks()
    marks.seen([okr("a"), okr("b")])
    assert marks.marked == frozenset()


def test_progress_status_or_health_changed_marks_the_row_and_a_new_row_too():
    marks = ChangeMarks(prints([okr("a"), okr("b"), okr("c"), okr("d")]))
    marks.seen([okr("a", progress=51), okr("b", status="at_risk"), okr("c", health=70), okr("d"), okr("e")])
    assert marks.marked == {"a", "b", "c", "e"}


def test_a_kpi_is_marked_by_its_value_target_or_status_not_by_its_name():
    before = Kpi(id="k", name="Signups", current=10, target=20, status="at_risk")
    marks = ChangeMarks(prints([before]))
    marks.seen([Kpi(id="k", name="Signups per week", current=10, target=20, status="at_risk")])
    assert marks.marked == frozenset()
    marks.seen([Kpi(id="k", name="Signups per week", current=12, target=20, status="at_risk")])
    assert marks.marked == {"k"}


def test_a_refresh_that_changes_nothing_keeps_the_marks_and_the_next_change_replaces_them():
    marks = ChangeMarks(prints([okr("a"), okr("b")]))
    marks.seen([okr("a", progress=60), okr("b")])
    assert marks.seen([okr("a", progress=60), okr("b")]) is False
    assert marks.marked == {"a"}
    marks.seen([okr("a", progress=60), okr("b", progress=1)])
    assert marks.marked == {"b"}


def test_changed_rows_compares_prints():
    assert changed_rows({"a": "1"}, {"a": "1", "b": "2"}) == {"b"}
    assert changed_rows({}, {"a": "1"}) == frozenset()


def test_next_marked_goes_forward_from_the_cursor_and_wraps_round():
    order = ["a", "b", "c", "d"]
    assert next_marked(order, frozenset({"b", "d"}), "b") == "d"
    assert next_marked(order, frozenset({"b", "d"}), "d") == "b"
    assert next_marked(order, frozenset({"c"}), None) == "c"
    assert next_marked(order, frozenset(), "a") is None
    assert next_marked(order, frozenset({"zz"}), "a") is None  # marked but filtered out of the list
