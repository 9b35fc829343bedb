"""The dashboard on the real path: sandbox → client → budget → refresher → screens, via a real Session."""

from __future__ import annotations

import httpx
import pytest
from store_files import corrupt_pages
from tui_data import choose_in_palette, screen_text, table_keys, wait_for

from okrt_tui import render
from okrt_tui.config import UiSettings
from okrt_tui.paths import Dirs
from okrt_tui.sandbox.keys import ACME_ADMIN_KEY, ACME_NONE_KEY, ACME_REVOKED_KEY
from okrt_tui.session import Session
from okrt_tui.store.cache import Cache
from okrt_tui.store.db import Database
from okrt_tui.tui.app import OkrtApp
from okrt_tui.tui.screens.kpi_detail import KpiScreen
from okrt_tui.tui.screens.objective import ObjectiveScreen
from okrt_tui.tui.screens.review import ReviewScreen
from okrt_tui.tui.screens.reviews import CycleScreen


@pytest.fixture
def open_app(tmp_path):
    sessions: list[Session] = []

    def make(base_url: str, key: str = ACME_ADMIN_KEY, **settings) -> OkrtApp:
        session = Session.open(base_url, key, dirs=Dirs.for_root(tmp_path / f"s{len(sessions)}"))
        sessions.append(session)
        return OkrtApp(session.refresher, settings=UiSettings(**settings))

    yield make
    for session in sessions:
        session.database.close()


def shared_review_id(base_url: str) -> str:
    cycles = httpx.get(
        f"{base_url}/review-cycles", headers={"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    ).json()
    return next(review["id"] for cycle in cycles for review in cycle.get("reviews") or ())


async def loaded(pilot, feed: str = "okrs") -> None:
    app = pilot.app
    await wait_for(
        pilot, lambda: getattr(app.snapshot, feed).items is not None, timeout=10, message=f"{feed}"
    )
    await pilot.pause()


async def test_dashboard_on_the_sandbox(sandbox, open_app, tmp_path):
    app = open_app(sandbox.base_url, export_dir=tmp_path / "out")
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        text = screen_text(app)
        assert "objectives" in text and "on track" in text and "● live" in text
        assert "req" in text
        await pilot.press("enter")
        assert isinstance(app.screen, ObjectiveScreen)
        await wait_for(pilot, lambda: "Key results (" in screen_text(app), message="key results")
        await pilot.press("2")
        await loaded(pilot, "kpis")
        await wait_for(pilot, lambda: "At this pace" in screen_text(app), message="KPIs")
        await pilot.press("3")
        await loaded(pilot, "cycles")
        cycles = app.snapshot.cycles.items
        with_reviews = next(i for i, c in enumerate(cycles) if c.reviews)
        for _ in range(with_reviews):
            await pilot.press("down")
        await pilot.press("enter")
        assert isinstance(app.screen, CycleScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), timeout=10, message="the review")
        summary = app.screen.summary
        assert summary.answers and summary.answers[0].question[:20] in screen_text(app)
        await pilot.press("e", "m")
        await wait_for(pilot, lambda: any((tmp_path / "out").glob("review-*.md")), message="the export")
        exported = next((tmp_path / "out").glob("review-*.md")).read_text()
        assert f"## {summary.answers[0].question}" in exported
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: "Reviews opened by id  (1" in screen_text(app), message="remembered")


async def test_strict_api_without_extensions(sandbox, strict_sandbox, open_app):
    review_id = shared_review_id(sandbox.base_url)
    app = open_app(strict_sandbox.base_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        assert "Key results aren't available from this API" in screen_text(app)
        await pilot.press("3")
        await loaded(pilot, "cycles")
        await pilot.press("enter")
        assert "doesn't list a cycle's reviews" in screen_text(app)
        await pilot.press("o", *review_id, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), timeout=10, message="the review")


async def test_a_key_without_scopes_names_them(sandbox, open_app):
    app = open_app(sandbox.base_url, ACME_NONE_KEY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.snapshot.okrs.error is not None, timeout=10, message="the 403")
        await pilot.pause()
        text = screen_text(app)
        assert "lacks the okrs:read scope" in text and "Grant okrs:read" in text and "Settings → API" in text
        await pilot.press("2")
        await wait_for(pilot, lambda: "kpis:read" in screen_text(app), timeout=10, message="kpis 403")


async def test_a_revoked_key_says_so(sandbox, open_app):
    app = open_app(sandbox.base_url, ACME_REVOKED_KEY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(
            pilot, lambda: "The API key was refused" in screen_text(app), timeout=10, message="401"
        )
        assert "✖ invalid key" in screen_text(app)


async def test_server_errors_keep_the_data_and_mark_it_stale(sandbox, open_app):
    app = open_app(sandbox.base_url)
    async with app.run_test(size=(120, 30)) as pilot:
        await loaded(pilot)
        sandbox.control.fault("500", count=20, match="reads")
        await pilot.press("r")
        # The status line repaints alone, the banner with the next layout: wait for both.
        await wait_for(
            pilot,
            lambda: "▲ stale" in screen_text(app) and "Showing data from" in screen_text(app),
            timeout=20,
            message="stale",
        )
        text = screen_text(app)
        assert "Showing data from" in text and "objectives" in text
        sandbox.control.clear_faults()


def kpi_cells(app) -> dict[str, dict[str, str]]:
    """The KPI list's cells as shown: KPI id → column key → text."""
    table = app.screen.query_one("#table")
    columns = table.column_keys
    return {
        key: dict(zip(columns, (c.plain for c in table.get_row(key)), strict=True))
        for key in table.row_keys()
    }


@pytest.mark.slow
@pytest.mark.parametrize("size", [(120, 40), (90, 30)])
async def test_kpis_under_strict_show_the_direction_the_status_shows_as_the_cli_table_does(
    strict_sandbox, open_app, size
):
    app = open_app(strict_sandbox.base_url, kpi_directions={"API p95 latency": "lower"})
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        await loaded(pilot, "kpis")
        kpis = app.snapshot.kpis.items
        await wait_for(pilot, lambda: len(table_keys(app)) == len(kpis), message="the KPI rows")
        by_name = {k.name: k for k in kpis}
        cells = kpi_cells(app)
        bugs = cells[by_name["Open customer-facing bugs"].id]
        assert bugs["ratio"] == "46%" and bugs["target"].startswith("≤ ") and bugs["target"].endswith("*")
        assert cells[by_name["API p95 latency"].id]["target"].startswith("≤ ")  # config.toml's word
        assert not cells[by_name["API p95 latency"].id]["target"].endswith("*")
        assert cells[by_name["Signups per week"].id]["ratio"] == "?"
        assert "better way inferred from the server's status" in screen_text(app)
        # The CLI's table of the same records, with the same remembered and configured directions.
        table = render.kpi_table(
            kpis, configured=app.settings.kpi_directions, remembered=app.snapshot.kpi_directions
        )
        cli = {row[-1]: row for row in table.rows}
        for kpi in kpis:
            shown, printed = cells[kpi.id], cli[kpi.id]
            assert shown["ratio"] == printed[3], kpi.name
            mark = shown["target"][:2] if shown["target"][:1] in "≤≥" else ""
            assert printed[2].startswith(mark) and printed[2].endswith("*") == shown["target"].endswith("*")

        await choose_in_palette(pilot, "Open customer-facing bugs")
        await wait_for(pilot, lambda: isinstance(app.screen, KpiScreen), message="the KPI detail")
        await wait_for(pilot, lambda: "Of target" in screen_text(app), message="the KPI header")
        text = screen_text(app)
        assert "lower is better (inferred from the server's status)" in text
        assert "higher is better" not in text and "217%" not in text and "46%" in text

        await pilot.press("escape")
        await choose_in_palette(pilot, "Signups per week")
        await wait_for(
            pilot, lambda: "Signups per week" in screen_text(app) and "Of target" in screen_text(app)
        )
        text = screen_text(app)
        assert "direction unknown" in text and "higher is better" not in text and "Of target ?" in text


async def test_kpis_at_the_edge_of_json_are_shown(sandbox, open_app):
    """A KPI set to 1e308 by a teammate (the server holds it, as JSON allows), then to -1e308: the list
    shows both, the trend between them (past the range of a float) and the detail's chart draw."""
    headers = {"Authorization": f"Bearer {ACME_ADMIN_KEY}"}
    # By name: which KPI the list holds first depends on the time of day the seed is made at, and this
    # one's unit is written after the number ("-1e+308 NPS", where "$" would come first).
    kpis = httpx.get(f"{sandbox.base_url}/kpis", headers=headers).json()
    kpi = next(k for k in kpis if k["name"] == "Net Promoter Score")

    def update(value: float) -> None:
        answer = httpx.post(
            f"{sandbox.base_url}/kpis/{kpi['id']}/updates", headers=headers, json={"value": value}
        )
        assert answer.status_code == 200, answer.text

    app = open_app(sandbox.base_url)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("2")
        await loaded(pilot, "kpis")
        for value, shown in ((1e308, "1e+308"), (-1e308, "-1e+308")):
            update(value)
            await pilot.press("r")
            await wait_for(
                pilot,
                lambda value=value: any(k.current == value for k in app.snapshot.kpis.items or ()),
                timeout=10,
                message=f"the KPI at {value}",
            )
            await wait_for(pilot, lambda shown=shown: f" {shown}" in screen_text(app), message=shown)
        row = next(line for line in screen_text(app).splitlines() if kpi["name"] in line)
        assert "-1e+308" in row and "↓" in row
        assert app.snapshot.kpis.error is None
        app.screen.query_one("#table").move_to_key(kpi["id"])  # the cursor kept its row as rows moved
        await pilot.press("enter")
        await wait_for(pilot, lambda: "-1e+308" in screen_text(app), message="the KPI's detail")
        assert kpi["name"] in screen_text(app)


async def test_dashboard_opens_on_a_database_with_corrupt_pages(sandbox, tmp_path):
    """Before: "unexpected error (DatabaseError)" at every start, and the file left in place."""
    path = Dirs.for_root(tmp_path / "s0").database_file(sandbox.base_url, ACME_ADMIN_KEY)
    db = Database(path)
    Cache(db).save("okrs", b"[]" + b" " * 20_000, 5.0)
    db.close()
    corrupt_pages(path)
    session = Session.open(sandbox.base_url, ACME_ADMIN_KEY, dirs=Dirs.for_root(tmp_path / "s0"))
    app = OkrtApp(session.refresher)
    try:
        async with app.run_test(size=(160, 40), notifications=True) as pilot:
            await loaded(pilot)
            await wait_for(pilot, lambda: "moved aside" in screen_text(app), message="the notice")
            assert "objectives" in screen_text(app)
    finally:
        await session.aclose()
    assert session.database.moved_aside is not None and session.database.moved_aside.exists()


async def test_a_ledger_that_cannot_be_used_is_told_once(sandbox, tmp_path):
    dirs = Dirs.for_root(tmp_path / "user")
    ledger = dirs.ledger_file(sandbox.base_url, ACME_ADMIN_KEY)
    ledger.mkdir(parents=True)  # a directory where the ledger file should be
    session = Session.open(sandbox.base_url, ACME_ADMIN_KEY, dirs=dirs)
    app = OkrtApp(session.refresher, watch_budget=session.budget.watch_problem)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            await loaded(pilot, "kpis")  # more requests: still one notice
            told = [n.message for n in app._notifications if n.title == "Rate ledger"]
            assert len(told) == 1
            assert f"{ledger} is a directory" in told[0] and "remove it" in told[0]
    finally:
        session.database.close()
