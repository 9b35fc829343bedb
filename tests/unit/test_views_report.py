"""The digest of ``okrt-tui report``: each kind of change it names, and its three renderings."""

from __future__ import annotations

import json

import pytest

from okrt_tui.api.models import KeyResult, Kpi, Okr
from okrt_tui.store.history import Observation
from okrt_tui.views.recorded import NOTHING_RECORDED
from okrt_tui.views.report import (
    NO_KEY_RESULTS,
    NO_OKR_LIST,
    Digest,
    build_digest,
    digest_json,
    digest_markdown,
    digest_text,
)
from okrt_tui.views.times import DAY, iso_utc

NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z: in Q4 2026
SINCE = NOW - 7 * DAY
BEFORE, DURING = SINCE - DAY, SINCE + 3 * DAY


def obs(at: float, value: float, status: str | None = None, *, posted: bool = False) -> Observation:
    return Observation(at, value, status, posted)


def okr(
    okr_id: str, title: str, *, cycle: str = "Q4 2026", key_results: tuple[KeyResult, ...] | None = None
) -> Okr:
    return Okr(id=okr_id, title=title, cycle=cycle, key_results=key_results)


def kpi(
    kpi_id: str, name: str, target: float, *, direction: str | None = None, unit: str | None = None
) -> Kpi:
    return Kpi(id=kpi_id, name=name, target=target, direction=direction, unit=unit)


def digest(**given: object) -> Digest:
    arguments: dict[str, object] = {
        "progress": {},
        "health": {},
        "kpi_values": {},
        "okrs": None,
        "kpis": None,
        "since": SINCE,
        "now": NOW,
    }
    arguments.update(given)
    return build_digest(**arguments)  # type: ignore[arg-type]


def test_an_objective_whose_status_changed_is_named_with_then_and_now_worse_first() -> None:
    okrs = [okr("o-1", "Grow signups"), okr("o-2", "Cut churn"), okr("o-3", "Ship v2")]
    progress = {
        "o-1": [obs(BEFORE, 0.4, "at_risk"), obs(DURING, 0.6, "on_track")],
        "o-2": [obs(BEFORE, 0.4, "on_track"), obs(DURING, 0.4, "off_track")],
        "o-3": [obs(BEFORE, 0.4, "on_track"), obs(DURING, 0.5, "on_track")],  # progress only: no change
    }
    found = digest(progress=progress, okrs=okrs)
    assert [(c.name, c.then, c.now) for c in found.objective_status] == [
        ("Cut churn", "on_track", "off_track"),
        ("Grow signups", "at_risk", "on_track"),
    ]
    text = digest_text(found)
    assert "Cut churn: ● on track → ✖ off track (worse)" in text
    assert "Grow signups: ▲ at risk → ● on track (better)" in text


def test_a_status_that_went_away_and_came_back_within_the_period_is_no_change() -> None:
    progress = {
        "o-1": [obs(BEFORE, 0.4, "on_track"), obs(DURING, 0.4, "at_risk"), obs(DURING + 1, 0.5, "on_track")]
    }
    assert digest(progress=progress).objective_status == ()


def test_a_health_change_counts_only_when_it_crosses_into_another_band() -> None:
    health = {
        "o-1": [obs(BEFORE, 82), obs(DURING, 74)],  # Strong → Good
        "o-2": [obs(BEFORE, 95), obs(DURING, 81)],  # Strong both: not named
        "o-3": [obs(BEFORE, 35), obs(DURING, 41)],  # At risk → Needs attention
    }
    okrs = [okr("o-1", "A"), okr("o-2", "B"), okr("o-3", "C")]
    found = digest(health=health, okrs=okrs)
    assert [(c.name, c.then, c.now) for c in found.health_bands] == [("A", 82, 74), ("C", 35, 41)]
    text = digest_text(found)
    assert "A: 82 Strong → 74 Good (worse)" in text and "C: 35 At risk → 41 Needs attention (better)" in text


def test_the_mean_health_then_and_now_over_the_current_cycle_only() -> None:
    okrs = [okr("o-1", "A"), okr("o-2", "B"), okr("o-old", "Last quarter", cycle="Q3 2026")]
    health = {
        "o-1": [obs(BEFORE, 80), obs(DURING, 70)],
        "o-2": [obs(BEFORE, 60), obs(DURING, 50)],
        "o-old": [obs(BEFORE, 90), obs(DURING, 10)],  # a closed cycle's objective decays: left out
    }
    found = digest(health=health, okrs=okrs)
    assert found.cycle == "Q4 2026"
    assert found.mean_health is not None
    assert (found.mean_health.then, found.mean_health.now, found.mean_health.objectives) == (70, 60, 2)
    assert "Mean health: 70 Good → 60 Good (-10), over the 2 objectives of Q4 2026" in digest_text(found)
    assert digest_json(found)["mean_health"] == {"then": 70.0, "now": 60.0, "objectives": 2}
    assert sorted(c.id for c in found.health_bands) == ["o-1", "o-2"]  # and not o-old's fall


def test_without_a_cached_okr_list_every_recorded_objective_counts_by_its_id() -> None:
    found = digest(health={"o-1": [obs(BEFORE, 80), obs(DURING, 30)]})
    assert found.cycle is None and [c.name for c in found.health_bands] == ["o-1"]
    assert "over the one objective\n" in digest_text(found)
    assert found.stale_key_results is None and found.stale_note == NO_OKR_LIST


def test_a_kpi_that_crossed_a_status_line_with_its_values() -> None:
    kpis = [kpi("k-1", "NPS", 40, unit="pts")]
    values = {
        "k-1": [obs(BEFORE, 30, "at_risk"), obs(DURING, 33, "at_risk"), obs(DURING + 1, 38, "on_track")]
    }
    found = digest(kpi_values=values, kpis=kpis)
    assert [(c.then, c.now, c.then_value, c.now_value) for c in found.kpi_status] == [
        ("at_risk", "on_track", 30, 38)
    ]
    assert "NPS: ▲ at risk → ● on track (better), 30 pts → 38 pts" in digest_text(found)


def test_a_value_this_app_posted_has_no_status_yet_so_the_last_known_one_stands() -> None:
    values = {"k-1": [obs(BEFORE, 30, "on_track"), obs(DURING, 31, None, posted=True)]}
    assert digest(kpi_values=values, kpis=[kpi("k-1", "NPS", 100)]).kpi_status == ()


@pytest.mark.parametrize(
    ("direction", "then", "now", "words", "meets"),
    [
        ("increase", 4_400, 4_600, "reached its target ≥ 4,500 users", True),
        ("increase", 4_600, 4_400, "no longer meets its target ≥ 4,500 users", False),
        ("decrease", 4_600, 4_400, "reached its target ≤ 4,500 users", True),  # lower is better
        ("decrease", 4_400, 4_600, "no longer meets its target ≤ 4,500 users", False),
        (None, 4_400, 4_600, "now above its target 4,500 users (which way is better is not known)", None),
        (None, 4_600, 4_400, "now below its target 4,500 users (which way is better is not known)", None),
    ],
    ids=["higher-reached", "higher-lost", "lower-reached", "lower-lost", "unknown-up", "unknown-down"],
)
def test_a_kpi_that_crossed_its_target_in_either_direction(
    direction: str | None, then: float, now: float, words: str, meets: bool | None
) -> None:
    kpis = [kpi("k-1", "Users", 4_500, direction=direction, unit="users")]
    found = digest(kpi_values={"k-1": [obs(BEFORE, then), obs(DURING, now)]}, kpis=kpis)
    (crossing,) = found.kpi_targets
    assert crossing.meets is meets
    assert f"Users: {words}" in digest_text(found)
    assert digest_json(found)["kpi_target_crossings"][0]["meets_target"] is meets


def test_config_toml_sets_the_direction_of_a_target_crossing() -> None:
    kpis = [kpi("k-1", "Open bugs", 40, unit="bugs")]
    values = {"k-1": [obs(BEFORE, 45), obs(DURING, 38)]}
    found = digest(kpi_values=values, kpis=kpis, configured={"Open bugs": "lower"})
    assert "Open bugs: reached its target ≤ 40 bugs, 45 bugs → 38 bugs" in digest_text(found)
    remembered = digest(kpi_values=values, kpis=kpis, remembered={"k-1": "lower"})
    assert remembered.kpi_targets[0].meets is True


def test_the_statuses_recorded_tell_which_way_is_better_when_the_latest_list_cannot() -> None:
    # 45 bugs against 40 was at risk: only lower-is-better says so. At 38 both readings are on track.
    kpis = [kpi("k-1", "Open bugs", 40, unit="bugs")]
    values = {"k-1": [obs(BEFORE, 45, "at_risk"), obs(DURING, 38, "on_track")]}
    (crossing,) = digest(kpi_values=values, kpis=kpis).kpi_targets
    assert (crossing.better, crossing.meets) == ("lower", True)


def test_a_kpi_that_stayed_on_one_side_of_its_target_or_has_none_cached_is_not_named() -> None:
    values = {"k-1": [obs(BEFORE, 10), obs(DURING, 30)], "k-2": [obs(BEFORE, 10), obs(DURING, 90)]}
    assert digest(kpi_values=values, kpis=[kpi("k-1", "A", 40)]).kpi_targets == ()


def test_key_results_without_a_check_in_for_14_days_in_the_current_cycle() -> None:
    def kr(kr_id: str, days_ago: float | None) -> KeyResult:
        last = None if days_ago is None else iso_utc(NOW - days_ago * DAY)
        return KeyResult(id=kr_id, title=f"KR {kr_id}", last_checkin_at=last)

    okrs = [
        okr("o-1", "Grow", key_results=(kr("r-1", 20), kr("r-2", 3), kr("r-3", None))),
        okr("o-old", "Old", cycle="Q3 2026", key_results=(kr("r-9", 60),)),
    ]
    found = digest(okrs=okrs, progress={"o-1": [obs(BEFORE, 0.1, "on_track")]})
    assert [s.id for s in found.stale_key_results or ()] == ["r-3", "r-1"]  # never first, then oldest
    text = digest_text(found)
    assert "KR r-3 (of Grow): no check-in ever" in text and "KR r-1 (of Grow): last check-in 20 d ago" in text


def test_without_key_results_in_the_api_the_digest_says_it_cannot_tell_rather_than_none() -> None:
    found = digest(okrs=[okr("o-1", "Grow")], progress={"o-1": [obs(BEFORE, 0.1, "on_track")]})
    assert found.stale_key_results is None and found.stale_note == NO_KEY_RESULTS
    assert NO_KEY_RESULTS in digest_text(found)
    assert "Key results without" not in digest_text(found)
    document = digest_json(found)
    assert document["stale_key_results"] is None and document["stale_key_results_note"] == NO_KEY_RESULTS


def test_an_empty_history_says_so_and_how_it_fills_in_each_rendering() -> None:
    found = digest()
    assert found.empty
    assert digest_text(found) == NOTHING_RECORDED + "\n"
    assert "the dashboard (okrt-tui) records what it sees as it polls" in NOTHING_RECORDED
    assert digest_markdown(found).startswith("# What changed\n")
    document = digest_json(found)
    assert document["recorded_from"] is None and document["note"] == NOTHING_RECORDED


def test_a_history_younger_than_the_period_says_where_it_begins() -> None:
    found = digest(progress={"o-1": [obs(DURING, 0.1, "on_track")]})
    assert found.recorded_from == DURING
    assert f"its history begins {iso_utc(DURING)[:16].replace('T', ' ')} UTC" in digest_text(found)


def test_markdown_has_a_heading_a_section_per_change_and_keeps_names_literal() -> None:
    okrs = [okr("o-1", "Ship *v2* [now]")]
    found = digest(progress={"o-1": [obs(BEFORE, 0.4, "on_track"), obs(DURING, 0.4, "at_risk")]}, okrs=okrs)
    markdown = digest_markdown(found)
    assert markdown.startswith("# What changed in the last 7 days\n")
    assert (
        "## Objectives whose status changed" in markdown and "## KPIs that crossed their target" in markdown
    )
    assert r"- **Ship \*v2\* \[now\]**: ● on track → ▲ at risk (worse)" in markdown
    assert "_None._" in markdown


def test_json_has_stable_keys_and_plain_values() -> None:
    found = digest(
        progress={"o-1": [obs(BEFORE, 0.4, "on_track"), obs(DURING, 0.4, "at_risk")]},
        kpi_values={"k-1": [obs(BEFORE, 30.0, "at_risk"), obs(DURING, 41.0, "on_track")]},
        kpis=[kpi("k-1", "NPS", 40, direction="increase")],
    )
    document = json.loads(json.dumps(digest_json(found)))
    assert list(document) == [
        "since",
        "now",
        "recorded_from",
        "cycle",
        "mean_health",
        "objective_status_changes",
        "objective_health_band_changes",
        "kpi_status_changes",
        "kpi_target_crossings",
        "stale_key_results",
        "stale_key_results_note",
        "stale_days",
        "note",
    ]
    assert document["since"] == iso_utc(SINCE) and document["now"].endswith("Z")
    assert document["objective_status_changes"] == [
        {"id": "o-1", "title": "o-1", "then": "on_track", "now": "at_risk"}
    ]
    assert document["kpi_status_changes"][0]["now_value"] == 41  # not 41.0
