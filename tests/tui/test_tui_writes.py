"""The write forms on the real path: a key in the dashboard, a few keystrokes, and the write in the
sandbox's own log (``/_sandbox/writes``); every refusal shown where the person can act on it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from textual.color import Color
from tui_data import screen_text, send_at_once, wait_for

from okrt_tui.config import UiSettings
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_READ_KEY
from okrt_tui.session import Session
from okrt_tui.tui.app import FORMS_READY, OkrtApp
from okrt_tui.tui.forms.write_form import CheckinForm, KpiForm
from okrt_tui.tui.screens.modals import ConfirmModal
from okrt_tui.tui.screens.outbox import OutboxScreen
from okrt_tui.views.numbers import format_number
from okrt_tui.views.text import one_line


@pytest.fixture
def open_app(tmp_path):
    sessions: list[Session] = []

    def make(base_url: str, key: str = ACME_ADMIN_KEY, **app_options: Any) -> OkrtApp:
        session = Session.open(base_url, key, dirs=Dirs.for_root(tmp_path / f"s{len(sessions)}"))
        sessions.append(session)
        return OkrtApp(session.refresher, settings=UiSettings(), deliveries=session.deliveries, **app_options)

    yield make
    for session in sessions:
        session.database.close()


def toasts(app) -> str:
    """The text of the toasts shown (as the other pilot tests read them: run_test draws none)."""
    return " ".join(notification.message for notification in app._notifications)


async def on_kpis(pilot) -> None:
    app = pilot.app
    await pilot.press("2")
    await wait_for(pilot, lambda: app.snapshot.kpis.items is not None, timeout=10, message="KPIs")
    await pilot.pause()


def highlighted_kpi(app):
    key = app.screen.table.highlighted_key
    return next(k for k in app.snapshot.kpis.items if k.id == key)


async def test_a_kpi_value_typed_with_u_is_recorded_and_shown_at_once(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        kpi = highlighted_kpi(app)
        await pilot.press("u")
        assert isinstance(app.screen, KpiForm)
        await pilot.press(*"+3")
        await wait_for(pilot, lambda: "→" in screen_text(app), message="the preview")
        preview = screen_text(app)  # e.g. "38 → 41 NPS (+3)" or "214,350 → $214,353 (+3)"
        assert f"{format_number(kpi.current)} → " in preview and "(+3)" in preview
        assert format_number(kpi.current + 3) in preview
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, KpiForm), timeout=10, message="the answer")
        (write,) = sandbox.control.writes()
        assert (write["target_id"], write["body"]) == (kpi.id, {"value": kpi.current + 3})
        await wait_for(
            pilot, lambda: highlighted_kpi(app).current == kpi.current + 3, message="the new value on the row"
        )


@pytest.mark.parametrize("move", ["down", "j"])
async def test_a_kpi_update_typed_at_once_after_a_cursor_key_goes_to_the_row_moved_to(
    sandbox, open_app, move
):
    """``↓ u 4 2 ctrl+s`` in one go (a quick hand, a slow link): ``u`` is handled as it arrives, so the
    form has the focus before the value behind it; the cursor's keys must act as they arrive too, or the
    update went to the row the cursor had just left."""
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        second = app.screen.table.row_keys()[1]
        send_at_once(app, [move, "u", "4", "2", "ctrl+s"])
        await wait_for(pilot, lambda: sandbox.control.writes() != [], timeout=10, message="the write")
        (write,) = sandbox.control.writes()
        assert (write["target_id"], write["body"]) == (second, {"value": 42})


async def test_a_checkin_typed_with_c_on_the_objective_goes_to_the_highlighted_key_result(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.pause()
        await pilot.press("enter", "down", "c")
        assert isinstance(app.screen, CheckinForm)
        okr = app.screen.okr
        second = okr.key_results[1]
        await pilot.press(*"12.5", "tab", "tab")  # the value, then to the status choices
        await pilot.press("down", "enter")  # "on track"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, CheckinForm), timeout=10, message="sent")
        (write,) = sandbox.control.writes()
        assert write["kind"] == "checkin" and write["target_id"] == second.id
        assert write["body"]["value"] == 12.5


async def test_the_key_result_is_chosen_with_the_arrows_or_its_number_even_typed_ahead(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.pause()
        okr = next(o for o in app.snapshot.okrs.items if len(o.key_results or ()) >= 3)
        app.open_checkin(okr.id)
        await wait_for(pilot, lambda: isinstance(app.screen, CheckinForm), message="the form")
        first, second, third = okr.key_results[:3]
        shown = f"1 of {len(okr.key_results)}"
        await wait_for(pilot, lambda: shown in screen_text(app), message="the picker")
        assert first.title in screen_text(app)
        await pilot.press("shift+tab", "right")
        assert app.screen.chosen == second.id and second.title in screen_text(app)
        await pilot.press("3")  # by its place
        assert app.screen.chosen == third.id
        await pilot.press("left", "left", "left")  # round from the first to the last
        assert app.screen.chosen == okr.key_results[-1].id
        await pilot.press("1", "tab")
        assert app.focused.id == "value"
        # Typed at once: to the picker, the next key result, back to the value, the value, save.
        send_at_once(app, ["shift+tab", "down", "tab", "7", "ctrl+s"])
        await wait_for(pilot, lambda: not isinstance(app.screen, CheckinForm), timeout=10, message="sent")
        (write,) = sandbox.control.writes()
        assert (write["target_id"], write["body"]["value"]) == (second.id, 7)


async def test_opening_the_checkin_form_on_another_objective_lays_nothing_out_nor_redraws_the_list(
    sandbox, open_app, monkeypatch
):
    """What keeps ``c`` under 16 ms (``bench_writes.py``), checked where Textual (pinned to 8.2) does the
    work: a new objective's title and key results change one row each (no layout of the form, ~17 ms),
    and the list's key bar beneath the form does not change its keys while covered (Textual repaints the
    whole terminal for any change beneath a modal screen: a second full repaint, ~9 ms)."""
    from textual.screen import Screen
    from textual.widget import Widget

    layouts: list[Screen] = []
    beneath: list[str] = []  # widgets of a covered screen asking to be drawn again
    layout, refresh = Screen._refresh_layout, Widget.refresh

    def counted_layout(screen, *args, **kwargs):
        layouts.append(screen)
        return layout(screen, *args, **kwargs)

    def counted_refresh(widget, *args, **kwargs):
        top = app.screen_stack[-1] if app.is_running and app.screen_stack else None
        if isinstance(top, CheckinForm) and widget.is_attached and widget.screen is not top:
            beneath.append(type(widget).__name__)
        return refresh(widget, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted_layout)
    monkeypatch.setattr(Widget, "refresh", counted_refresh)
    drawn: list[bool] = []
    app = open_app(sandbox.base_url, forms_built=lambda: drawn.append(True))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        # The forms drawn off screen while idle, as the dashboard does (``FORMS_READY`` after the list).
        await wait_for(pilot, lambda: bool(drawn), timeout=FORMS_READY + 10, message="the forms drawn")
        okrs = [o for o in app.snapshot.okrs.items if o.key_results]
        for okr in okrs[:4]:
            layouts.clear()
            app.open_checkin(okr.id)
            await wait_for(pilot, lambda: isinstance(app.screen, CheckinForm), message="the form")
            await pilot.pause(0.1)
            assert one_line(okr.title)[:30] in screen_text(app)
            assert not [screen for screen in layouts if isinstance(screen, CheckinForm)], okr.title
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, CheckinForm), message="closed")
        assert "KeyBar" not in beneath
        assert "c Check-in" in screen_text(app)  # the list's key bar shows its own keys again


async def test_the_collector_held_for_a_form_s_paint_is_on_again_even_if_it_closed_at_once(sandbox, open_app):
    import gc

    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, KpiForm), message="the form")
        await wait_for(pilot, gc.isenabled, message="the collector on after the paint")
        send_at_once(app, ["escape", "u", "escape"])  # shown and gone again before any paint
        await wait_for(pilot, lambda: not isinstance(app.screen, KpiForm), message="closed")
        await wait_for(pilot, gc.isenabled, timeout=3, message="the collector on again")


async def test_a_form_closed_right_after_a_key_leaves_its_next_opening_no_layout(
    sandbox, open_app, monkeypatch
):
    """A value typed and erased, then escape, all before the next paint: the form's layout for those
    keys was left owed and fell in the paint of the next ``u`` (~12 ms more, over 16 ms in all). It is
    done off screen a moment after the form closes."""
    from textual.screen import Screen

    from okrt_tui.tui.forms.write_form import SETTLE_AFTER

    layouts: list[Screen] = []
    layout = Screen._refresh_layout
    monkeypatch.setattr(
        Screen, "_refresh_layout", lambda screen, *a, **k: layouts.append(screen) or layout(screen, *a, **k)
    )
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, KpiForm), message="the form")
        await pilot.pause()
        form = app.screen
        send_at_once(app, ["1", "ctrl+u", "escape"])
        await wait_for(pilot, lambda: not isinstance(app.screen, KpiForm), message="closed")
        await pilot.pause(SETTLE_AFTER + 0.2)
        layouts.clear()
        await pilot.press("u")
        await wait_for(pilot, lambda: app.screen is form, message="the form again")
        await pilot.pause(0.1)
        assert form not in layouts


@pytest.mark.parametrize(
    ("typed", "said"), [("1,5", "use a dot for decimals"), ("nan", "finite"), ("", "Type a number")]
)
async def test_a_value_that_cannot_be_sent_is_refused_under_the_field(sandbox, open_app, typed, said):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        await pilot.press("u", *typed, "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, KpiForm)
        assert said in screen_text(app)
        assert sandbox.control.writes() == []


async def test_escape_asks_before_throwing_away_what_was_typed(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        await pilot.press("u", "escape")
        assert not isinstance(app.screen, KpiForm)  # nothing typed: closes at once
        await pilot.press("u", "4", "2", "escape")
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        assert isinstance(app.screen, KpiForm) and app.screen.query_one("#value").value == "42"
        await pilot.press("escape", "y")
        assert not isinstance(app.screen, KpiForm | ConfirmModal)
        assert sandbox.control.writes() == []


async def test_a_missing_scope_is_named_and_the_next_form_says_so_first(sandbox, open_app):
    app = open_app(sandbox.base_url, ACME_READ_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        await pilot.press("u", *"5", "ctrl+s")
        await wait_for(
            pilot, lambda: "lacks the kpis:write scope" in screen_text(app), timeout=10, message="403"
        )
        assert "Settings → API Keys" in screen_text(app)
        await pilot.press("escape", "y", "u")
        assert "This key lacks the kpis:write scope" in screen_text(app)


async def test_a_dropped_answer_is_unconfirmed_in_the_outbox_and_confirmed_by_the_next_refresh(
    sandbox, open_app
):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        sandbox.control.fault("drop", count=1, match="writes")
        await pilot.press("u", *"77", "ctrl+s")
        await wait_for(
            pilot, lambda: app.snapshot.outbox.count("unconfirmed") == 1, timeout=10, message="unconfirmed"
        )
        await pilot.press("4")
        assert isinstance(app.screen, OutboxScreen)
        assert "1 unconfirmed" in screen_text(app)
        await pilot.press("2", "r")
        await wait_for(
            pilot, lambda: not app.snapshot.outbox.entries, timeout=10, message="confirmed by GET /kpis"
        )
        assert len(sandbox.control.writes()) == 1


async def test_a_write_queued_by_500s_is_sent_by_itself_once_the_server_recovers(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        sandbox.control.fault("500", count=4, match="writes")
        await pilot.press("u", *"78", "ctrl+s")
        await wait_for(pilot, lambda: app.snapshot.outbox.count("queued") == 1, timeout=20, message="queued")
        assert sandbox.control.writes() == []
        await pilot.press("r")  # a good fetch shows the server answers again: what waits is sent
        await wait_for(pilot, lambda: not app.snapshot.outbox.entries, timeout=20, message="sent")
        assert [w["body"] for w in sandbox.control.writes()] == [{"value": 78}]


async def test_the_checkin_round_records_skips_and_sums_up(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.pause()
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckinForm), message="the first form")
        assert "Check-in round, 1 of " in screen_text(app)
        first = app.screen.chosen
        await pilot.press(*"3", "ctrl+s")
        await wait_for(pilot, lambda: "2 of " in screen_text(app), timeout=10, message="the second form")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: "3 of " in screen_text(app), message="the third form")
        third = app.screen.chosen
        await pilot.press(*"4", "ctrl+s")
        await wait_for(pilot, lambda: "4 of " in screen_text(app), timeout=10, message="the fourth form")
        await pilot.press("escape")
        await wait_for(pilot, lambda: "2 recorded, 1 skipped" in toasts(app), message="the summary")
        assert [(w["target_id"], w["body"]["value"]) for w in sandbox.control.writes()] == [
            (first, 3),
            (third, 4),
        ]


async def test_the_checkin_round_says_why_it_cannot_run_on_the_documented_api(strict_sandbox, open_app):
    app = open_app(strict_sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.press("C")
        await wait_for(pilot, lambda: "lists objectives without them" in toasts(app), message="why not")
        assert not isinstance(app.screen, CheckinForm)


async def test_a_checkin_on_the_documented_api_takes_a_pasted_id_and_remembers_it(
    sandbox, strict_sandbox, open_app
):
    okrs = httpx.get(f"{sandbox.base_url}/okrs", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}).json()
    kr_id = okrs[0]["key_results"][0]["id"]  # the same seed: the strict sandbox holds this key result too
    app = open_app(strict_sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.pause()
        await pilot.press("c")
        assert isinstance(app.screen, CheckinForm)
        await pilot.press(*kr_id, "tab", "5", "ctrl+s")  # the id field has the focus first
        await wait_for(pilot, lambda: not isinstance(app.screen, CheckinForm), timeout=10, message="sent")
        assert strict_sandbox.control.writes()[0]["target_id"] == kr_id
        await pilot.press("c")
        assert app.screen.query_one("#kr-id").value == kr_id  # remembered for this objective
        assert app.focused is app.screen.query_one("#value")
        await pilot.pause()
        lines = [line.strip(" │") for line in screen_text(app).splitlines()]
        assert "Key result" in lines  # the box for the id keeps its label; no picker ("1 of 3") above it
        assert not any(" of " in line for line in lines[: lines.index("Value")])


async def test_a_checkin_typed_at_once_on_the_documented_api_fills_id_then_value(
    sandbox, strict_sandbox, open_app
):
    # As a terminal delivers typed-ahead keys: every key queued before the form exists. The tab belongs
    # between the id and the value however early it arrives.
    okrs = httpx.get(f"{sandbox.base_url}/okrs", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}).json()
    kr_id = okrs[0]["key_results"][0]["id"]
    app = open_app(strict_sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.pause()
        send_at_once(app, ["c", *kr_id, "tab", "7", "ctrl+s"])
        await wait_for(pilot, lambda: strict_sandbox.control.writes(), timeout=10, message="the write")
        write = strict_sandbox.control.writes()[0]
        assert (write["target_id"], write["body"]["value"]) == (kr_id, 7)


async def test_a_form_opened_again_starts_afresh_for_its_new_target(sandbox, open_app):
    # The app keeps one form of each kind and shows it again: nothing of the last time may remain.
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        first = highlighted_kpi(app)
        await pilot.press("u", *"1,5", "ctrl+s")
        await wait_for(pilot, lambda: "use a dot" in screen_text(app), message="the error")
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: not isinstance(app.screen, KpiForm | ConfirmModal), message="closed")
        await pilot.press("down")
        second = highlighted_kpi(app)
        assert second.id != first.id
        await pilot.press("u")
        form = app.screen
        assert isinstance(form, KpiForm) and form.kpi.id == second.id
        text = screen_text(app)
        assert second.name[:30] in text and first.name[:30] not in text
        assert "use a dot" not in text
        assert form.query_one("#value").value == ""
        assert form.query_one("#value").placeholder.startswith(format_number(second.current))
        assert app.focused is form.query_one("#value")
        await pilot.press(*"17", "ctrl+s")
        await wait_for(pilot, lambda: sandbox.control.writes(), timeout=10, message="the write")
        assert [(w["target_id"], w["body"]["value"]) for w in sandbox.control.writes()] == [(second.id, 17)]


async def test_the_status_bar_counts_writes_waiting_in_the_outbox(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(140, 40)) as pilot:
        await on_kpis(pilot)
        sandbox.control.fault("drop", count=1, match="writes")
        await pilot.press("u", *"79", "ctrl+s")
        await wait_for(pilot, lambda: "⇡ 1 unconfirmed" in screen_text(app), timeout=10, message="the count")


async def test_a_queued_write_is_edited_on_the_outbox_screen_and_sent_as_changed(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(140, 40)) as pilot:
        await on_kpis(pilot)
        # Every request fails until cleared: the write stays queued, and no good fetch wakes its sender.
        sandbox.control.fault("500", count=1000, match="all")
        await pilot.press("u", *"81", "ctrl+s")
        await wait_for(pilot, lambda: app.snapshot.outbox.count("queued") == 1, timeout=20, message="queued")
        await pilot.press("4", "e")
        assert isinstance(app.screen, KpiForm) and "Edit queued write 1" in screen_text(app)
        assert app.screen.query_one("#value").value == "=81"
        app.screen.query_one("#value").value = "82"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, KpiForm), message="saved")
        assert app.snapshot.outbox.entries[0].value == "82"
        sandbox.control.clear_faults()
        await pilot.press("2", "r")  # a good fetch: the server answers again, what waits is sent
        await wait_for(pilot, lambda: not app.snapshot.outbox.entries, timeout=20, message="sent")
        assert [w["body"] for w in sandbox.control.writes()] == [{"value": 82}]


async def test_a_form_shown_again_after_a_theme_change_wears_the_new_theme(sandbox, open_app):
    # A form shown again is not restyled whole (the key that opens it must be quick), except when
    # the theme changed meanwhile.
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await on_kpis(pilot)
        for theme in ("textual-light", "textual-dark"):
            await pilot.press("u")
            await pilot.pause()
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, KpiForm), message="closed")
            app.theme = theme
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            box = app.screen.query_one(".form")
            assert box.styles.background == Color.parse(app.get_css_variables()["surface"])
            assert app.screen.query_one("#value").has_focus
            await pilot.press("escape")
            await pilot.pause()


async def test_the_forms_are_built_while_idle_and_then_frozen_out_of_the_collectors_sight(sandbox, tmp_path):
    # The dashboard's process (launch.py) passes heap.freeze_forms: a full collection that walked the
    # forms' widgets took ~8 ms of whatever keystroke it fell in.
    built = []
    session = Session.open(sandbox.base_url, ACME_ADMIN_KEY, dirs=Dirs.for_root(tmp_path))

    def forms_built() -> None:
        form = app.get_screen("form-kpi_update")
        built.append(bool(form.query("#value")) and not app.screen.is_modal)

    app = OkrtApp(
        session.refresher, settings=UiSettings(), deliveries=session.deliveries, forms_built=forms_built
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await on_kpis(pilot)
            await wait_for(pilot, lambda: built, timeout=10, message="the forms built")
            await pilot.press("u")
            await pilot.pause()
            assert isinstance(app.screen, KpiForm) and app.focused is app.screen.query_one("#value")
            assert built == [True]  # once, with every field there, nothing shown
    finally:
        session.database.close()


async def test_a_refusal_under_the_comment_is_brought_into_view_on_a_short_terminal(strict_sandbox, open_app):
    app = open_app(strict_sandbox.base_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.items is not None, timeout=10, message="OKRs")
        await pilot.pause()
        await pilot.press("c", *"okrt_bogus", "tab", "5", "ctrl+s")
        await wait_for(pilot, lambda: "is gone (404)" in screen_text(app), timeout=10, message="the refusal")
        assert isinstance(app.screen, CheckinForm)  # what was typed is kept
