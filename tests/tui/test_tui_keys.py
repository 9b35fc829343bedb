"""Every key of the dashboard, pressed in a running app, checked by what the user would see."""

from __future__ import annotations

from msgspec.structs import replace
from textual import events
from tui_data import (
    NOW,
    OKRS,
    SUMMARY,
    FakeRefresher,
    choose_in_palette,
    data_snapshot,
    frozen_clock,
    screen_text,
    show_all_cycles,
    table_keys,
    wait_for,
)

from okrt_tui.config import UiSettings
from okrt_tui.sync.snapshot import Feed
from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.screens.help import HelpScreen
from okrt_tui.tui.screens.kpi_detail import KpiScreen
from okrt_tui.tui.screens.kpis import KpisScreen
from okrt_tui.tui.screens.objective import ObjectiveScreen
from okrt_tui.tui.screens.okrs import OkrsScreen
from okrt_tui.tui.screens.review import ReviewScreen
from okrt_tui.tui.screens.reviews import CycleScreen, ReviewsScreen
from okrt_tui.tui.widgets.key_bar import KeyBar


def make_app(fake=None, **settings) -> OkrtApp:
    return OkrtApp(fake or FakeRefresher(), settings=UiSettings(**settings), clock=frozen_clock)


async def test_number_keys_switch_screens_and_tell_the_refresher():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, OkrsScreen)
        assert "Improve onboarding" in screen_text(app)
        await pilot.press("2")
        assert isinstance(app.screen, KpisScreen)
        assert "Weekly Active" in screen_text(app)
        await pilot.press("3")
        assert isinstance(app.screen, ReviewsScreen)
        assert "Q2 2026 Mid-Year Review" in screen_text(app)
        await pilot.press("1")
        assert isinstance(app.screen, OkrsScreen)
        assert fake.visible[-3:] == ["kpis", "cycles", "okrs"]
        assert fake.running


async def test_r_refreshes_the_visible_list():
    fake = FakeRefresher()
    async with make_app(fake).run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await pilot.press("2", "r")
        assert fake.refreshes == ["okrs", "kpis"]


async def test_enter_opens_an_objective_and_escape_goes_back():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, ObjectiveScreen)
        text = screen_text(app)
        assert "Improve onboarding conversion" in text
        assert "Key results (3)" in text and "Raise trial-to-" in text
        assert "⚑ 16 d ago" in text  # stale check-in flagged
        await pilot.press("escape")
        assert isinstance(app.screen, OkrsScreen)


async def test_objective_without_key_results_says_the_api_has_none():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await show_all_cycles(pilot)
        await pilot.press("G", "k", "enter")  # okr-5: key_results is None (as under --strict)
        assert isinstance(app.screen, ObjectiveScreen) and app.screen.okr_id == "okr-5"
        assert "Key results aren't available from this API" in screen_text(app)


async def test_slash_filters_as_you_type_and_escape_clears():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await show_all_cycles(pilot)
        await pilot.press("slash", *"churn")
        assert table_keys(app) == ["okr-2"]
        assert "1 of 6 objectives" in screen_text(app) or "▲ 1 at risk" in screen_text(app)
        await pilot.press("escape")
        assert len(table_keys(app)) == 6
        await pilot.press("slash", *"alice")  # owner
        assert table_keys(app) == ["okr-1"]
        await pilot.press("enter")  # leaves the filter, keeps it
        assert table_keys(app) == ["okr-1"]
        await pilot.press("escape")
        assert len(table_keys(app)) == 6


async def test_a_slash_typed_in_the_filter_is_part_of_the_filter():
    # The slash that opens the filter is a priority binding; in the box it must stay a character.
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *"a/b")
        assert app.screen.query_one("#filter").value == "a/b"
        assert app.screen.query_one("#filter").has_focus


async def test_filter_by_cycle_and_type():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash", *'cycle:"Q1 2026"')
        assert table_keys(app) == ["okr-4", "okr-5"]
        await pilot.press("escape", "slash", *"type:org")
        assert table_keys(app) == ["okr-1"]  # of the cycle shown (okr-6, org too, is Q3's)
        await pilot.press("escape", "slash", *"nothing-matches")
        assert "No objectives match" in screen_text(app)


async def test_s_sorts_by_the_marked_column_and_again_reverses():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await show_all_cycles(pilot)
        titles = sorted(OKRS, key=lambda o: o.title.casefold())
        await pilot.press("s")
        assert table_keys(app) == [o.id for o in titles]
        assert "Objective ▲" in screen_text(app)
        await pilot.press("s")
        assert table_keys(app) == [o.id for o in reversed(titles)]
        assert "Objective ▼" in screen_text(app)
        await pilot.press("right", "right", "right", "right", "right", "s")  # Health (Cycle shows too)
        by_health = sorted(OKRS, key=lambda o: o.health_score)
        assert table_keys(app) == [o.id for o in by_health]


def header_underlined(app) -> list[str]:
    """The header labels drawn underlined (the column ``s`` would sort by)."""
    table = app.screen.query_one("#table")
    strip = app.screen._compositor.render_strips()[table.region.y]
    return [seg.text.strip() for seg in strip if seg.style and seg.style.underline and seg.text.strip()]


async def test_rows_in_the_api_order_show_no_sort_mark_until_the_user_sorts():
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        header = screen_text(app).splitlines()[3]
        assert "▲" not in header and "▼" not in header
        assert header_underlined(app) == []  # nothing looks sorted: the rows are the API's order
        assert "most recent first" in screen_text(app)
        await pilot.press("right")
        assert header_underlined(app) == ["Owner"]
        await pilot.press("s")
        assert "Owner ▲" in screen_text(app) and "most recent first" not in screen_text(app)


async def test_a_chosen_sort_is_kept_across_refreshes_with_changed_data():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_all_cycles(pilot)  # rows of several cycles: the Cycle column shows, at 80 too
        await pilot.press("right", "right", "right", "right", "s")  # Status: many ties
        first = table_keys(app)
        # A refresh: the API's order changes (most recent first) and a progress moves.
        changed = tuple(reversed((replace(OKRS[0], progress=0.66), *OKRS[1:])))
        fake.publish(data_snapshot(okrs=Feed(items=changed, fetched_at=0)))
        await pilot.pause()
        assert table_keys(app) == first
        assert app.screen.sort_state == ("status", False) and "Status ▲" in screen_text(app)
        await pilot.press("left", "s")  # Progress
        by_progress = [o.id for o in sorted(changed, key=lambda o: o.progress)]
        assert table_keys(app) == by_progress
        fake.publish(data_snapshot(okrs=Feed(items=OKRS, fetched_at=0)))
        await pilot.pause()
        assert table_keys(app) == [o.id for o in sorted(OKRS, key=lambda o: o.progress)]


async def test_clicking_a_header_sorts_by_it():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        header = screen_text(app).splitlines()[2]
        await pilot.click("#table", offset=(header.index("Owner") - 1, 0))
        assert table_keys(app)[0] == "okr-1"  # Alice
        assert app.screen.sort_state == ("owner", False)


async def test_list_movement_keys():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await show_all_cycles(pilot)
        table = app.screen.query_one("#table")
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 5
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == 5
        await pilot.press("home", "down")
        assert table.cursor_row == 1


async def test_help_lists_the_keys_of_the_current_screen():
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in ("Filter", "Sort", "Open", "Refresh", "Quit", "? f1", "Command palette"):
            assert expected in text
        assert "Range" not in text  # a KPI-detail key is not listed on the OKRs screen
        await pilot.press("escape")
        await pilot.press("2", "enter", "f1")
        assert isinstance(app.screen, HelpScreen)
        assert "Range" in screen_text(app) and "Filter" not in screen_text(app)


async def test_help_scrolls_to_its_last_line_at_80x24_and_shows_binding_ids():
    last_words = "clicking a header sorts too."  # the end of the OKRs screen's notes
    for scroll in ("keys", "mouse"):
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            text = screen_text(app)
            assert "okrt.filter" in text and "okrt.refresh" in text and "okrt.quit" in text
            assert last_words not in text  # 24 lines are too few for all of it
            if scroll == "keys":
                await pilot.press("pagedown", "pagedown", "pagedown")
            else:
                for _ in range(30):
                    await pilot._post_mouse_events([events.MouseScrollDown], "#help-body", offset=(5, 5))
            await pilot.pause()
            assert last_words in screen_text(app)
            await pilot.press("home")
            assert "Keys: OKRs" in screen_text(app) and "escape closes" in screen_text(app)


async def test_keymap_rebinding_shows_in_help_and_works():
    fake = FakeRefresher()
    app = make_app(fake, keymap={"okrt.refresh": "f5", "okrt.help": "f2"})
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.press("r")
        assert fake.refreshes == []
        await pilot.press("f5")
        assert fake.refreshes == ["okrs"]
        assert " f5 Refresh " in screen_text(app).splitlines()[-1]  # the key bar
        await pilot.press("question_mark")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)
        assert "f5  Refresh" in screen_text(app) and "f2  Help" in screen_text(app)


async def test_kpi_detail_and_time_range():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "enter")
        screen = app.screen
        assert isinstance(screen, KpiScreen)
        text = screen_text(app)
        assert "Weekly Active Users" in text and "target 4,500 users" in text
        assert screen.range_name == "30d" and "5 of 6 values seen" in text
        await pilot.press("t")
        assert screen.range_name == "90d" and "6 of 6 values seen" in screen_text(app)
        await pilot.press("t", "t")
        assert screen.range_name == "7d" and "3 of 6 values seen" in screen_text(app)


async def test_cycle_lists_its_reviews_and_a_review_opens():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "enter")
        assert isinstance(app.screen, CycleScreen)
        assert "Tom Berg" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), message="the review")
        assert fake.fetched == ["rev-1"]
        text = screen_text(app)
        assert "What went well this cycle?" in text and "Shipped the onboarding redesign" in text


async def test_cycle_without_the_reviews_extension_explains_o():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "down", "enter")
        assert "doesn't list a cycle's reviews" in screen_text(app)


async def test_o_opens_a_review_by_pasted_id():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "o")
        await pilot.press(*" rev-1 ", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), message="the review")
        assert fake.fetched == ["rev-1"]


async def test_a_review_that_is_not_shared_is_reported_not_fatal():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "o", *"draft-1", "enter")
        await wait_for(pilot, lambda: bool(app._notifications), message="a notification")
        notification = list(app._notifications)[-1]
        assert "Cannot open review draft-1" in notification.title
        assert "not shared" in notification.message
        assert isinstance(app.screen, ReviewsScreen)


async def open_review(pilot, app):
    await pilot.press("3", "o", *"rev-1", "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), message="the review")
    return app.screen


async def test_e_exports_markdown_and_json(tmp_path):
    app = make_app(export_dir=tmp_path / "exports")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        await pilot.press("e", "m")
        md = tmp_path / "exports" / "review-sarah-chen-self-rev-1.md"
        await wait_for(pilot, md.exists, message="the Markdown file")
        text = md.read_text()
        assert text.startswith("# Self review: Sarah Chen")
        assert "## What are your growth areas?" in text
        await pilot.press("e", "j")
        js = tmp_path / "exports" / "review-sarah-chen-self-rev-1.json"
        await wait_for(pilot, js.exists, message="the JSON file")
        assert '"review_id": "rev-1"' in js.read_text()
        await pilot.press("e", "m")
        await wait_for(pilot, (tmp_path / "exports" / "review-sarah-chen-self-rev-1-2.md").exists)
        assert any(str(md) in n.message for n in app._notifications)


async def test_y_copies_markdown_and_mentions_the_file_export():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_review(pilot, app)
        await pilot.press("y")
        assert app.clipboard.startswith("# Self review: Sarah Chen")
        assert any("OSC 52" in n.message for n in app._notifications)


async def test_y_copies_an_objective():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "y")
        assert app.clipboard.startswith("# Improve onboarding conversion")


async def test_x_pipes_the_markdown_to_the_summariser():
    app = make_app(summarize_command="tr a-z A-Z")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: "SHIPPED THE ONBOARDING" in screen_text(app), message="the summary")
        assert "Summary" in screen_text(app)


async def test_x_shows_exit_code_and_stderr_on_failure():
    app = make_app(summarize_command="echo 'model not found' >&2; exit 3")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: "exited with code 3" in screen_text(app), message="the failure")
        assert "model not found" in screen_text(app)


async def test_x_without_a_configured_command_says_how_to_configure_one():
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_review(pilot, app)
        assert "x (summarise) is off: set summarize_command under [review] in config.toml" in screen_text(app)
        await pilot.press("x")
        # Pressed, it says so (a disabled key did nothing visible).
        assert [n.title for n in app._notifications] == ["No summariser"]
        assert "summarize_command under [review] in config.toml" in next(iter(app._notifications)).message
        assert screen.query_one("#summary-output").has_class("-hidden")
        assert "summarize_command" in screen.HELP_NOTES  # what ? shows below the keys


async def test_x_in_the_demo_says_the_demo_reads_no_config():
    app = make_app(demo=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_review(pilot, app)
        assert "x (summarise) is off: the demo has none" in screen_text(app)
        await pilot.press("x")
        message = next(iter(app._notifications)).message
        assert "The demo reads none of your files" in message and "review ID --markdown" in message


async def test_command_palette_jumps_to_an_objective():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2")
        await choose_in_palette(pilot, "Objective: Reduce churn")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectiveScreen), message="the objective")
        assert app.screen.okr_id == "okr-2" and app.current_mode == "okrs"


async def test_command_palette_jumps_to_a_kpi_and_switches_screens():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await choose_in_palette(pilot, "KPI: Net revenue")
        await wait_for(pilot, lambda: isinstance(app.screen, KpiScreen), message="the KPI")
        assert app.screen.kpi_id == "kpi-3"
        await choose_in_palette(pilot, "Show Reviews")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewsScreen), message="reviews")


async def test_mouse_clicks_a_row_and_a_screen_tab():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await show_all_cycles(pilot)
        table = app.screen.query_one("#table")
        await pilot.hover("#table", offset=(5, 4))
        assert table.hover_coordinate.row == 3
        await pilot.click("#table", offset=(5, 3))
        assert table.cursor_row == 2
        await pilot.click("#table", offset=(5, 3))
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectiveScreen), message="open by click")
        await pilot.click("#nav-kpis")
        assert isinstance(app.screen, KpisScreen)


async def test_clicking_a_key_on_the_key_bar_presses_it():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(100, 30)) as pilot:
        bar = screen_text(app).splitlines()[-1]
        assert " / Filter " in bar and " ^p palette" in bar
        await pilot.click(KeyBar, offset=(bar.index("Refresh"), 0))
        assert fake.refreshes == ["okrs"]
        await pilot.click(KeyBar, offset=(bar.index("Filter"), 0))
        assert app.screen.filter_input.has_focus
        # In the filter the bar shows what works there, and a click between keys does nothing.
        bar = screen_text(app).splitlines()[-1]
        assert " Refresh " not in bar and " esc Back " in bar
        await pilot.click(KeyBar, offset=(len(bar) + 5, 0))
        assert fake.refreshes == ["okrs"] and app.screen.filter_input.has_focus


async def test_q_quits():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_a_refresh_keeps_the_cursor_on_the_same_objective():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await show_all_cycles(pilot)
        await pilot.press("j", "j", "j")  # okr-4
        table = app.screen.query_one("#table")
        assert table.highlighted_key == "okr-4"
        changed = (
            replace(OKRS[0], progress=0.9),
            *OKRS[2:],  # okr-2 is gone
            replace(OKRS[0], id="okr-7", title="A brand new objective"),
        )
        fake.publish(data_snapshot(okrs=Feed(items=changed, fetched_at=0)))
        await pilot.pause()
        assert table.highlighted_key == "okr-4"
        assert table_keys(app) == ["okr-1", "okr-3", "okr-4", "okr-5", "okr-6", "okr-7"]
        assert "90%" in screen_text(app) and "A brand new" in screen_text(app)


async def test_snapshots_for_other_screens_are_drawn_when_the_user_returns():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "1")
        fake.publish(data_snapshot(kpis=Feed(items=(), fetched_at=0)))
        await pilot.pause()
        await pilot.press("2")
        assert "No KPIs in this workspace." in screen_text(app)


async def test_resizing_never_crashes_and_adapts_columns():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert "Type" not in screen_text(app).splitlines()[2]
        for size in ((300, 100), (160, 48), (40, 12), (20, 6), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.resize_terminal(160, 48)
        await wait_for(pilot, lambda: "Type" in screen_text(app).splitlines()[2], message="the wide columns")
        await pilot.press("enter")
        for size in ((300, 100), (40, 12), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        await pilot.press("escape", "2", "enter")
        for size in ((300, 100), (40, 12), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert isinstance(app.screen, KpiScreen)


async def test_theme_from_settings_and_unknown_theme():
    app = make_app(theme="textual-light")
    async with app.run_test(size=(80, 24)):
        assert app.theme == "textual-light"
    app = make_app(theme="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        assert any("Unknown theme" in n.message for n in app._notifications)


async def test_warnings_about_the_config_file_are_shown_in_the_dashboard():
    said = "/home/u/.config/okrt-tui/config.toml is not private (-rw-r--r--): run `chmod 600 …`."
    app = make_app(warnings=(said,))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert [(n.title, n.message) for n in app._notifications] == [("config.toml", said)]


async def test_review_screen_shows_a_summary_directly():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(ReviewScreen(SUMMARY))
        await pilot.press("j", "k", "G", "g")
        assert "Sarah Chen" in screen_text(app)


async def test_okrs_open_on_the_current_cycle_and_v_picks_another_or_all():
    fake = FakeRefresher()
    app = make_app(fake)
    async with app.run_test(size=(80, 24)) as pilot:  # too narrow for the Cycle column
        assert table_keys(app) == ["okr-1", "okr-2", "okr-3"]  # Q2 2026 holds NOW; Q1 and Q3 not shown
        summary = screen_text(app).splitlines()[1]
        assert summary.startswith(" Q2 2026: 3 objectives · ● 1 on track ▲ 1 at risk ✖ 1 off track")
        await pilot.press("v")
        picker = screen_text(app)
        assert "Current cycle: Q2 2026 (3)" in picker and "All cycles (6)" in picker
        assert "Q1 2026 (2)" in picker and "Q3 2026 (1)" in picker
        await pilot.press("down", "down", "down", "down", "enter")  # Q1 2026 (most recent first)
        await wait_for(pilot, lambda: table_keys(app) == ["okr-4", "okr-5"], message="Q1 2026")
        assert " Q1 2026: 2 objectives · ● 1 on track ▲ 1 at risk ✖ 0 off track" in screen_text(app)
        fake.publish(data_snapshot(taken_at=NOW + 1))  # a refresh keeps the choice
        await pilot.pause()
        assert table_keys(app) == ["okr-4", "okr-5"]
        await pilot.press("slash", *"churn")  # the counts follow what is shown
        assert "Q1 2026: 0 of 2 objectives" in screen_text(app)
        await pilot.press("escape", "escape")
        await show_all_cycles(pilot)
        assert len(table_keys(app)) == 6 and "All cycles: 6 objectives · ● 2 on track" in screen_text(app)


async def test_no_objective_in_this_quarter_opens_the_latest_cycle_with_some():
    okrs = tuple(o for o in OKRS if o.cycle != "Q2 2026")  # Q1 2026 (past) and Q3 2026 (upcoming)
    app = make_app(FakeRefresher(data_snapshot(okrs=Feed(items=okrs, fetched_at=NOW))))
    async with app.run_test(size=(100, 30)):
        assert table_keys(app) == ["okr-4", "okr-5"]
        assert "Q1 2026: 2 objectives" in screen_text(app)


async def test_command_palette_shows_the_okrs_of_a_cycle():
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await choose_in_palette(pilot, "OKRs of cycle: Q1")
        await wait_for(pilot, lambda: isinstance(app.screen, OkrsScreen), message="the OKRs")
        await wait_for(pilot, lambda: table_keys(app) == ["okr-4", "okr-5"], message="the cycle")
        assert "Q1 2026: 2 objectives" in screen_text(app) and app.screen.filter_input.value == ""
        await choose_in_palette(pilot, "OKRs of all cycles")
        await wait_for(pilot, lambda: len(table_keys(app)) == 6, message="every cycle")
        await choose_in_palette(pilot, "OKRs of the current cycle")
        await wait_for(pilot, lambda: table_keys(app) == ["okr-1", "okr-2", "okr-3"], message="Q2")


async def test_a_theme_change_restyles_screens_made_before_and_after_it():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dark = app.screen.styles.background
        app.theme = "textual-light"
        await pilot.pause()
        light = app.screen.styles.background
        assert light != dark
        await pilot.press("2")  # made after the change
        assert isinstance(app.screen, KpisScreen) and app.screen.styles.background == light
        await pilot.press("enter")  # a pushed screen, made after it too
        assert app.screen.styles.background == light
        app.theme = "textual-dark"
        await pilot.pause()
        await pilot.press("escape", "1")  # made before the change back
        assert isinstance(app.screen, OkrsScreen) and app.screen.styles.background == dark


async def test_dialogs_bring_their_styles_when_first_opened():
    # Dialog styles load with the first dialog (Screen.CSS_PATH), not with the app.
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3", "o")
        await wait_for(pilot, lambda: app.screen.query(".dialog"), message="the open-by-id dialog")
        dialog = app.screen.query_one(".dialog")
        assert dialog.styles.border_top[0] == "round" and dialog.styles.width.value == 72


async def test_changed_rows_are_marked_and_n_goes_from_one_to_the_next():
    refresher = FakeRefresher(data_snapshot(changed={"okrs": frozenset({"okr-2", "okr-5"})}))
    app = OkrtApp(refresher, clock=frozen_clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await show_all_cycles(pilot)
        keys = table_keys(app)
        marked = [line.strip()[2:20] for line in screen_text(app).splitlines() if line.strip()[:2] == "• "]
        titles = {o.id: o.title or "" for o in OKRS}
        assert sorted(marked) == sorted(titles[key][:18] for key in ("okr-2", "okr-5")), screen_text(app)
        first, second = sorted(("okr-2", "okr-5"), key=keys.index)
        await pilot.press("home", "n")
        assert app.screen.table.highlighted_key == first
        await pilot.press("n")
        assert app.screen.table.highlighted_key == second
        await pilot.press("n")  # round again
        assert app.screen.table.highlighted_key == first


async def test_n_says_so_when_nothing_changed():
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("n")
        assert "changed since you last looked" in " ".join(n.message for n in app._notifications)


async def test_wide_okr_rows_show_recent_progress_and_the_health_over_7_days():
    app = make_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await show_all_cycles(pilot)
        text = screen_text(app)
        climbing = next(line for line in text.splitlines() if "Improve onboarding" in line)
        slipping = next(line for line in text.splitlines() if OKRS[1].title[:20] in line)
        assert "▁▄▆█" in climbing and "↑ +4" in climbing
        assert "█▄▁" in slipping and "↓ -16" in slipping
        await pilot.press("home", "enter")
        assert isinstance(app.screen, ObjectiveScreen)
        assert "Recent progress ▁▄▆█" in screen_text(app)
        assert "Health since 7 days ago ↑ +4" in screen_text(app)


async def test_a_filter_keystroke_holds_the_collector_through_the_repaint_and_gives_it_back(monkeypatch):
    """The rows in view all change with a filter's keystroke, and every line is painted again: no
    collection lands in that paint (it took the keystroke past 16 ms); the collector is on right after,
    and on again when the app ends before any paint."""
    import gc

    from textual.screen import Screen

    from okrt_tui import heap

    happened: list[str] = []
    hold, release, paint = heap.hold, heap.release, Screen._compositor_refresh
    monkeypatch.setattr(
        heap, "hold", lambda: happened.append(f"hold, collector on: {gc.isenabled()}") or hold()
    )
    monkeypatch.setattr(heap, "release", lambda: happened.append("release") or release())
    monkeypatch.setattr(
        Screen, "_compositor_refresh", lambda screen: happened.append("paint") or paint(screen)
    )
    app = OkrtApp(FakeRefresher(), clock=frozen_clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        happened.clear()
        await pilot.press("z")  # no objective has a z: every row goes
        await wait_for(pilot, gc.isenabled, message="the collector back after the paint")
        assert app.screen.table.row_count == 0
        held = happened.index("hold, collector on: True")
        assert "paint" in happened[held:] and "release" in happened[happened.index("paint", held) :]
        hold()  # as before a paint, and the app ends before it
    assert gc.isenabled()
