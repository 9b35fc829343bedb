"""The wall monitor's rules, without a screen: --screens, the rotation, and what each panel holds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from okrt_tui.api.errors import NetworkError, RateLimited
from okrt_tui.api.models import KeyResult, Kpi, Okr, ReviewCycle, ReviewRef
from okrt_tui.sync.snapshot import Feed, KpiPoint, Offline, Snapshot
from okrt_tui.views.rotation import BadScreens, Panel, Rotation, beat, page_slice, pages, parse_screens
from okrt_tui.views.wall import (
    NO_KEY_RESULTS,
    at_risk,
    banner,
    behind_pace,
    freshness,
    kpi_tiles,
    objectives_board,
    reviews_due,
    split_digits,
    tile_grid,
)

NOW = datetime(2026, 5, 16, 12, 0, tzinfo=UTC).timestamp()  # half of Q2 2026 gone (45.5 of 91 days)
DAY = 86400.0


def iso(days_ago: float) -> str:
    return datetime.fromtimestamp(NOW - days_ago * DAY, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- --screens ------------------------------------------------------------------------------------------


def test_screens_pick_order_and_dwell():
    assert parse_screens("kpis:30, risk,OKRS:7.5", rotate=20) == (
        Panel("kpis", 30.0),
        Panel("risk", 20.0),
        Panel("okrs", 7.5),
    )


def test_no_screens_means_every_panel_with_the_rotate_dwell():
    assert [(p.name, p.dwell) for p in parse_screens(None, 15)] == [
        ("okrs", 15),
        ("kpis", 15),
        ("risk", 15),
        ("reviews", 15),
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("okrs,kpi", "'kpi'"),
        ("okrs,,kpis", "empty entry"),
        ("okrs:abc", "'okrs:abc'"),
        ("okrs:2", "'okrs:2'"),
        ("okrs:nan", "'okrs:nan'"),
        ("risk,risk:30", "'risk' twice"),
    ],
)
def test_bad_screens_name_the_entry(text, named):
    with pytest.raises(BadScreens, match=named):
        parse_screens(text)


# -- the rotation -----------------------------------------------------------------------------------------


def test_rotation_moves_on_after_each_panels_own_dwell():
    rotation = Rotation(parse_screens("okrs:30,kpis:10"), now=0)
    assert not rotation.tick(29.9)
    assert rotation.current.name == "okrs"
    assert rotation.countdown(15) == (15, 0.5)
    assert rotation.countdown(16) == (15, 0.5)  # in steps of 5 s
    assert [beat(t) for t in (15, 16, 19.9, 20)] == [15, 15, 15, 20]
    assert rotation.countdown(29.9) == (5, pytest.approx(5 / 6))
    assert Rotation(parse_screens("okrs:7"), now=0).countdown(1) == (7, 0)  # never past the dwell
    assert rotation.tick(30)
    assert rotation.current.name == "kpis"
    assert rotation.left(35) == pytest.approx(5)
    assert rotation.tick(40)
    assert rotation.current.name == "okrs"


def test_pause_keeps_the_panel_and_serves_the_rest_of_its_dwell_after():
    rotation = Rotation(parse_screens("okrs,kpis", 20), now=0)
    rotation.toggle_pause(5)
    assert not rotation.tick(500)
    assert rotation.paused and rotation.current.name == "okrs"
    rotation.toggle_pause(500)
    assert not rotation.tick(514)
    assert rotation.tick(515)
    assert rotation.current.name == "kpis"


def test_keys_step_with_a_full_dwell_and_wrap_around():
    rotation = Rotation(parse_screens("okrs,kpis,risk", 20), now=0)
    rotation.step(-1, 15)
    assert rotation.current.name == "risk"
    assert rotation.left(15) == 20
    rotation.step(1, 16)
    assert rotation.current.name == "okrs"


def test_each_turn_of_a_panel_shows_its_next_page():
    rotation = Rotation(parse_screens("okrs,kpis", 20), now=0)
    assert rotation.turn("okrs") == 0 and rotation.turn("kpis") == 0
    rotation.tick(20)
    assert rotation.turn("kpis") == 0
    rotation.tick(40)
    rotation.tick(60)
    assert rotation.turn("kpis") == 1
    assert [page_slice(7, 3, turn) for turn in range(4)] == [
        slice(0, 3),
        slice(3, 6),
        slice(6, 7),
        slice(0, 3),
    ]
    assert pages(7, 3) == 3 and pages(0, 3) == 1


def test_after_a_long_sleep_it_moves_one_panel_and_starts_afresh():
    rotation = Rotation(parse_screens("okrs,kpis,risk", 20), now=0)
    assert rotation.tick(86400 * 3)
    assert rotation.current.name == "kpis"
    assert rotation.left(86400 * 3) == 20


def test_a_lone_panel_turns_its_pages():
    rotation = Rotation(parse_screens("kpis", 20), now=0)
    assert rotation.tick(20)
    assert rotation.turn("kpis") == 1


# -- the objectives board ------------------------------------------------------------------------------------


def okr(
    n, status="on_track", health=80, *, type_="team", progress=0.5, cycle="Q2 2026", krs=None, owner="Ada"
):
    return Okr(
        id=f"o{n}",
        title=f"Objective {n}",
        type=type_,
        owner=owner,
        progress=progress,
        status=status,
        health_score=health,
        cycle=cycle,
        key_results=krs,
    )


def test_board_shows_org_and_team_objectives_of_the_cycle_worst_health_first():
    okrs = (
        okr(1, health=90),
        okr(2, "off_track", 20),
        okr(3, health=None),
        okr(4, "at_risk", 55, type_="individual"),
        okr(5, "at_risk", 10, cycle="Q1 2026"),
        okr(6, "at_risk", 50, type_="org"),
    )
    board = objectives_board(okrs, NOW)
    assert board.cycle == "Q2 2026"
    assert [row.id for row in board.rows] == ["o2", "o6", "o1", "o3"]
    summary = board.summary
    assert (summary.on_track, summary.at_risk, summary.off_track) == (2, 1, 1)
    assert summary.mean_health == pytest.approx((90 + 20 + 50) / 3)
    assert board.rows[0].owner == "Ada"
    assert board.rows[0].status.display == "✖ off track"


def test_a_public_board_names_no_owner():
    assert {row.owner for row in objectives_board((okr(1), okr(2)), NOW, public=True).rows} == {""}


# -- KPI tiles --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (214355, "users", ("214.4", "thousand users")),
        (87, "$", ("$87", "")),
        (-3.5, "$", ("-$3.5", "")),
        (1_420_000, "$", ("$1.42", "million")),
        (45, "%", ("45", "%")),
        (None, "bugs", ("—", "bugs")),
        (1.5e20, "x", ("—", "1.5e+20 x")),
    ],
)
def test_a_value_splits_into_large_digits_and_small_words(value, unit, expected):
    assert split_digits(value, unit) == expected


def test_tiles_worst_first_with_target_share_trend_and_projection():
    seen = {"k1": tuple(KpiPoint(at=NOW - d * DAY, value=100 - d * 2) for d in (20, 15, 10, 5))}
    kpis = (
        Kpi(
            id="k1",
            name="Signups",
            current=100,
            target=200,
            unit="users",
            status="on_track",
            direction="increase",
        ),
        Kpi(
            id="k2", name="Bugs", current=87, target=40, unit="bugs", status="off_track", direction="decrease"
        ),
    )
    first, second = kpi_tiles(kpis, seen, NOW)
    assert first.name == "Bugs" and first.target == "target ≤ 40" and first.of_target == "46%"
    assert first.status.display == "✖ off track"
    assert second.trend.display == "↑ +10"
    assert second.spark == "▁▃▅▆█"
    assert second.projection.startswith("at this pace:")


def test_more_tiles_rather_than_bigger_ones_as_the_screen_grows():
    assert tile_grid(78, 21) == (3, 2)
    assert tile_grid(158, 45) == (6, 4)
    assert tile_grid(298, 97) == (11, 9)
    assert tile_grid(10, 3) == (1, 1)


# -- at risk ----------------------------------------------------------------------------------------------


def test_behind_pace_is_progress_against_the_share_of_the_quarter_gone():
    assert behind_pace(okr(1, progress=0.2), NOW) == pytest.approx(0.3)
    assert behind_pace(okr(1, cycle="FY26"), NOW) is None


def test_at_risk_lists_status_pace_and_stale_key_results_worst_first():
    krs = (
        KeyResult(id="kr1", title="Fresh", last_checkin_at=iso(2)),
        KeyResult(id="kr2", title="Stale", last_checkin_at=iso(20)),
        KeyResult(id="kr3", title="Never", last_checkin_at=None),
    )
    okrs = (
        okr(1, "at_risk", 50, krs=()),
        okr(2, "on_track", 80, progress=0.2, krs=krs),
        okr(3, "on_track", 80, progress=0.45, krs=()),
        okr(4, "off_track", 10, krs=()),
    )
    kpis = (Kpi(id="k", name="Churn", current=3, target=2, unit="%", status="at_risk", direction="decrease"),)
    risks, notes = at_risk(okrs, kpis, {}, NOW)
    assert [(r.kind, r.name, r.label.text) for r in risks] == [
        ("objective", "Objective 4", "off track"),
        ("KPI", "Churn", "at risk"),
        ("objective", "Objective 1", "at risk"),
        ("objective", "Objective 2", "on track but 30% behind pace"),
        ("key result", "Never", "no check-in for 14 d"),
        ("key result", "Stale", "no check-in for 14 d"),
    ]
    assert risks[-1].detail == "last check-in 20 d ago · of Objective 2"
    assert notes == ()


def test_a_kpi_on_track_but_off_pace_is_at_risk():
    seen = {"k": tuple(KpiPoint(at=NOW - d * DAY, value=100 + d) for d in (20, 15, 10, 5))}
    kpis = (Kpi(id="k", name="Users", current=100, target=200, status="on_track", direction="increase"),)
    risks, _ = at_risk((), kpis, seen, NOW)
    assert [(r.name, r.label.text) for r in risks] == [("Users", "on track but off pace")]
    assert risks[0].detail.endswith("moving away from the target")


def test_strict_data_without_key_results_says_so_rather_than_claiming_none():
    risks, notes = at_risk((okr(1),), (), {}, NOW)
    assert risks == () and notes == (NO_KEY_RESULTS,)


def test_a_public_screen_counts_individual_objectives_without_naming_them():
    okrs = (okr(1, "off_track", type_="individual", krs=()), okr(2, "at_risk", type_="team", krs=()))
    risks, notes = at_risk(okrs, (), {}, NOW, public=True)
    assert [r.name for r in risks] == ["Objective 2"]
    assert notes == ("1 individual objective is at risk or off track (names hidden on a public screen).",)
    assert [r.name for r in at_risk(okrs, (), {}, NOW)[0]] == ["Objective 1", "Objective 2"]


# -- reviews ----------------------------------------------------------------------------------------------


def test_reviews_show_active_cycles_soonest_due_first_and_no_content_when_public():
    refs = (ReviewRef(id="r1", employee="Dana Kim", type="peer"),)
    cycles = (
        ReviewCycle(
            id="c1", name="Later", status="active", due_date="2026-06-01", reviewee_count=4, reviews=refs
        ),
        ReviewCycle(id="c2", name="Sooner", status="active", due_date="2026-05-20", reviewee_count=2),
        ReviewCycle(id="c3", name="Closed", status="closed", due_date="2026-05-01"),
    )
    shown = reviews_due(cycles, NOW)
    assert [(c.name, c.days, c.due) for c in shown] == [("Sooner", 4, "in 4 d"), ("Later", 16, "in 16 d")]
    assert shown[1].reviews == ("Dana Kim · peer",) and shown[1].shared == 1
    assert reviews_due(cycles, NOW, public=True)[1].reviews == ()


# -- freshness and banners --------------------------------------------------------------------------------


def data(**changes) -> Snapshot:
    feeds = {name: Feed(items=(), fetched_at=NOW - 300) for name in ("okrs", "kpis", "cycles")}
    return Snapshot(**{**feeds, **changes})


def test_updated_is_the_age_of_the_oldest_list_the_panel_shows(utc_local_time):
    snapshot = data(kpis=Feed(items=(), fetched_at=NOW - 12))
    assert freshness(snapshot, ("kpis",), NOW) == "updated 12 s ago"
    assert freshness(snapshot, ("okrs", "kpis"), NOW) == "updated 5 min ago"
    assert banner(snapshot, ("okrs",), NOW) is None


def test_offline_banner_says_since_when_and_the_next_attempt(utc_local_time):
    error = NetworkError("Cannot reach the server")
    snapshot = data(
        okrs=Feed(items=(), fetched_at=NOW - 300, error=error),
        offline=Offline(since=NOW - 120, retry_at=NOW + 20),
    )
    shown = banner(snapshot, ("okrs",), NOW)
    assert shown is not None and shown.tone == "bad"
    assert shown.text == "✖ offline since 11:58, retrying in 20 s · showing the data of 11:55"


def test_rate_limited_banner(utc_local_time):
    limited = RateLimited("Too many", retry_after=23)
    snapshot = data(kpis=Feed(items=(), fetched_at=NOW - 60, error=limited, retry_at=NOW + 23))
    shown = banner(snapshot, ("kpis",), NOW)
    assert shown is not None and shown.tone == "warn"
    assert (
        shown.text == "▲ rate limited: the server asks to wait, retrying in 23 s · showing the data of 11:59"
    )
    assert banner(snapshot, ("cycles",), NOW) is None
