"""Which way is better for a KPI: told (config, the API's field), inferred from the server's status, or
unknown; and the cells that say it, one function for the CLI table and the dashboard."""

from __future__ import annotations

import math

import pytest

from okrt_tui.api.models import Kpi
from okrt_tui.views.direction import (
    UNKNOWN,
    KpiDirection,
    direction_legend,
    infer_direction,
    kpi_direction,
    kpi_figures,
    learn_directions,
    status_for_ratio,
)
from okrt_tui.views.trend import trend


def test_status_of_a_ratio_is_domain_md_rule() -> None:
    assert [status_for_ratio(r) for r in (1.3, 0.9, 0.8999, 0.7, 0.6999, 0.0)] == [
        "on_track",
        "on_track",
        "at_risk",
        "at_risk",
        "off_track",
        "off_track",
    ]
    assert status_for_ratio(None) is None


@pytest.mark.parametrize(
    ("current", "target", "status", "expected"),
    [
        # 87 bugs against 40: higher-is-better reads 2.17 (on track), lower-is-better 0.46 (off track).
        (87, 40, "off_track", "lower"),
        (87, 40, "on_track", "higher"),
        (87, 40, "at_risk", None),
        # 52 days against 45: higher 1.16 (on track), lower 0.87 (at risk).
        (52, 45, "at_risk", "lower"),
        (52, 45, "on_track", "higher"),
        (52, 45, "off_track", None),
        # 3,721 users of 4,500: higher 0.83 (at risk), lower 1.21 (on track).
        (3721, 4500, "at_risk", "higher"),
        (3721, 4500, "on_track", "lower"),
        (3721, 4500, "off_track", None),
        # 20 of 100: higher 0.2 (off track), lower 5 (on track).
        (20, 100, "off_track", "higher"),
        (20, 100, "on_track", "lower"),
        (20, 100, "at_risk", None),
        # Near the target both readings are on track: the status says nothing.
        (268, 250, "on_track", None),
        (268, 250, "at_risk", None),
        (268, 250, "off_track", None),
        # Equal readings: on target, both read 1.0.
        (40, 40, "on_track", None),
        (40, 40, "at_risk", None),
        (40, 40, "off_track", None),
    ],
)
def test_inferred_only_when_exactly_one_reading_predicts_the_servers_status(
    current: float, target: float, status: str, expected: str | None
) -> None:
    assert infer_direction(current, target, status) == expected


@pytest.mark.parametrize(
    ("current", "target", "status"),
    [
        (0, 40, "on_track"),  # lower-is-better would divide by zero
        (0, 40, "off_track"),
        (87, 0, "off_track"),  # higher-is-better would divide by zero
        (0, 0, "on_track"),
        (None, 40, "off_track"),
        (87, None, "off_track"),
        (-5, 40, "off_track"),  # a signed quantity: its ratio says nothing about a direction
        (87, -40, "on_track"),
        (math.nan, 40, "off_track"),
        (math.inf, 40, "on_track"),
        (True, 40, "off_track"),
        (87, 40, None),
        (87, 40, "paused"),  # a status the reference does not list
    ],
)
def test_zero_missing_negative_and_odd_values_infer_nothing(current, target, status) -> None:
    assert infer_direction(current, target, status) is None


BUGS = Kpi(
    id="k-bugs", name="Open customer-facing bugs", current=87, target=40, unit="bugs", status="off_track"
)
NEAR = Kpi(id="k-lat", name="API p95 latency", current=268, target=250, unit="ms", status="on_track")


def test_precedence_config_then_api_field_then_inferred_now_then_remembered() -> None:
    told = Kpi(id="k-bugs", name=BUGS.name, current=87, target=40, status="off_track", direction="increase")
    # The user's word wins over everything, by id or by exact name (id first).
    assert kpi_direction(told, {"k-bugs": "lower"}) == KpiDirection("lower", "config")
    assert kpi_direction(told, {BUGS.name: "lower"}) == KpiDirection("lower", "config")
    assert kpi_direction(told, {"k-bugs": "lower", BUGS.name: "higher"}).way == "lower"
    assert kpi_direction(told, {"open customer-facing bugs": "lower"}) == KpiDirection("higher", "server")
    # Then the API's field, even against what the status would suggest or what was remembered.
    assert kpi_direction(told, {}, {"k-bugs": "lower"}) == KpiDirection("higher", "server")
    # Then what this record's status shows, over an older inference.
    assert kpi_direction(BUGS, {}, {"k-bugs": "higher"}) == KpiDirection("lower", "inferred")
    # Then what was remembered, when the status says nothing.
    assert kpi_direction(NEAR, {}, {"k-lat": "lower"}) == KpiDirection("lower", "inferred")
    # Else nobody knows.
    assert kpi_direction(NEAR) == UNKNOWN
    assert kpi_direction(Kpi(current=268, target=250, status="on_track", direction="sideways")) == UNKNOWN


def test_learning_keeps_only_what_is_new_and_never_overrides_the_api_field() -> None:
    told = Kpi(id="k-told", current=87, target=40, status="off_track", direction="increase")
    no_id = Kpi(current=87, target=40, status="off_track")
    assert learn_directions([BUGS, NEAR, told, no_id], {}) == {"k-bugs": "lower"}
    assert learn_directions([BUGS, NEAR], {"k-bugs": "lower", "k-lat": "lower"}) == {}
    assert learn_directions([BUGS], {"k-bugs": "higher"}) == {"k-bugs": "lower"}


def test_sentences_never_claim_an_unknown_direction() -> None:
    assert KpiDirection("lower", "inferred").sentence == "lower is better (inferred from the server's status)"
    assert KpiDirection("higher", "server").sentence == "higher is better (as the server says)"
    assert KpiDirection("lower", "config").sentence == "lower is better (set in config.toml)"
    assert "is better" not in UNKNOWN.sentence.replace("which way is better", "")
    assert UNKNOWN.sentence.startswith("direction unknown")


def test_figures_mark_the_better_way_and_an_inference_and_hide_a_guessed_percent() -> None:
    inferred = kpi_figures(BUGS, kpi_direction(BUGS), BUGS.unit)
    assert (inferred.current, inferred.target, inferred.of_target, inferred.tone) == (
        "87 bugs",
        "≤ 40 bugs*",
        "46%",
        "bad",
    )
    unknown = kpi_figures(NEAR, kpi_direction(NEAR), None)
    assert (unknown.target, unknown.of_target, unknown.ratio, unknown.tone) == ("250", "?", None, "muted")
    users = Kpi(current=3721, target=4500, unit="users", status="at_risk", direction="increase")
    told = kpi_figures(users, kpi_direction(users), None, compact=True)
    assert (told.current, told.target, told.of_target, told.tone) == ("3,721", "≥ 4,500", "83%", "warn")
    spend = Kpi(current=81200, target=72000, unit="$", direction="decrease")
    assert kpi_figures(spend, kpi_direction(spend), "$").target == "≤ $72,000"
    assert kpi_figures(spend, kpi_direction(spend), None, compact=True).target == "≤ 72k"
    no_target = Kpi(current=5, direction="decrease")
    assert kpi_figures(no_target, kpi_direction(no_target), None).target == "—"
    assert kpi_figures(no_target, UNKNOWN, None).of_target == "—"


def test_legend_explains_only_the_marks_shown() -> None:
    assert direction_legend([KpiDirection("lower", "server"), KpiDirection("higher", "config")]) is None
    star = direction_legend([KpiDirection("lower", "inferred")])
    assert star is not None and star.startswith("* better way inferred") and "?" not in star
    both = direction_legend([KpiDirection("lower", "inferred"), UNKNOWN])
    assert (
        both
        == "* better way inferred from the server's status · ? unknown · config.toml [kpis.direction] sets it"
    )


def test_a_trend_of_unknown_direction_judges_nothing() -> None:
    assert trend(40, 87, None).tone == "muted" and trend(40, 87, None).display == "↑ +47"
    assert trend(87, 40, None).tone == "muted"
    assert trend(40, 87, "increase").tone == "good"
