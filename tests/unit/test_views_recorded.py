"""``okrt-tui history``'s pure parts: ``--since``, names, an objective's two series merged, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from okrt_tui.api.models import Kpi, Okr
from okrt_tui.store.history import Observation
from okrt_tui.views.names import UnknownName, find_kpi_or_objective
from okrt_tui.views.recorded import Row, kpi_rows, objective_rows, to_csv, to_json
from okrt_tui.views.times import DAY, HOUR, BadSince, parse_since

NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", NOW - 7 * DAY),
        ("12h", NOW - 12 * HOUR),
        ("2w", NOW - 14 * DAY),
        ("90D", NOW - 90 * DAY),
        ("all", None),
        (" ALL ", None),
        ("2026-11-01", 1_793_491_200.0),
        ("2026-11-01T12:00:00+01:00", 1_793_491_200.0 + 11 * HOUR),
    ],
)
def test_since_takes_spans_dates_and_all(text: str, expected: float | None) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("7x", "--since takes a span like 12h, 7d or 2w, a date like 2026-11-01 (UTC), or all, not '7x'."),
        ("30m", "not '30m'"),  # minutes or months: refused rather than guessed
        ("d", "not 'd'"),
        ("-7d", "not '-7d'"),
        ("0d", "--since '0d' is an empty span: give at least 1d, or all."),
        ("2031-01-01", "--since '2031-01-01' is in the future"),
        ("9" * 5000 + "d", "--since takes"),
    ],
)
def test_a_bad_since_is_one_sentence(text: str, says: str) -> None:
    with pytest.raises(BadSince) as raised:
        parse_since(text, NOW)
    assert says in str(raised.value)


KPIS = (Kpi(id="k-1", name="Signups"), Kpi(id="k-2", name="Net promoter score"))
OKRS = (Okr(id="o-1", title="Grow signups"), Okr(id="o-2", title="Cut churn"))


def test_a_name_resolves_among_kpis_and_objectives_exact_before_partial() -> None:
    assert find_kpi_or_objective("signups", KPIS, OKRS) == ("k-1", "Signups", "KPI")  # exact beats part
    assert find_kpi_or_objective("churn", KPIS, OKRS) == ("o-2", "Cut churn", "objective")
    assert find_kpi_or_objective("o-1", KPIS, OKRS) == ("o-1", "Grow signups", "objective")


def test_an_ambiguous_or_unknown_name_lists_the_candidates_with_their_kind() -> None:
    with pytest.raises(UnknownName) as ambiguous:
        find_kpi_or_objective("sign", KPIS, OKRS)
    assert str(ambiguous.value) == (
        "'sign' matches 2 KPIs and objectives: KPI Signups (k-1); objective Grow signups (o-1). "
        "Give more of the name, or the id."
    )
    with pytest.raises(UnknownName, match="No KPI or objective is named or has the id 'revenue'"):
        find_kpi_or_objective("revenue", KPIS, OKRS)


def test_an_entity_the_lists_no_longer_show_is_found_by_its_id_in_the_history() -> None:
    assert find_kpi_or_objective("k-gone", KPIS, None, recorded_kpis=["k-gone"]) == ("k-gone", "", "KPI")
    assert find_kpi_or_objective("o-9", None, None, recorded_objectives=["o-9"]) == ("o-9", "", "objective")
    with pytest.raises(UnknownName):
        find_kpi_or_objective(" ", None, None, recorded_kpis=["k-gone"])  # a blank name is no match


def test_an_objective_s_rows_merge_progress_and_health_carrying_each_forward() -> None:
    progress = [Observation(100, 0.2, "at_risk", False), Observation(300, 0.5, "on_track", False)]
    health = [
        Observation(50, 60, None, False),
        Observation(200, 70, None, False),
        Observation(300, 80, None, False),
    ]
    assert objective_rows(progress, health, since=150) == [
        Row(200, 0.2, "at_risk", health=70),  # progress from before the window, carried forward
        Row(300, 0.5, "on_track", health=80),  # both changed at once: one row
    ]
    assert objective_rows(progress, health, since=None)[0] == Row(50, None, None, health=60)


def test_csv_has_a_header_iso_times_plain_numbers_and_rfc_4180_quoting() -> None:
    rows = kpi_rows(
        [
            Observation(NOW, 1_234_567.0, "on_track", False),
            Observation(NOW + 1, 0.125, 'odd, "status"', True),
            Observation(NOW + 2, 1e20, None, False),
        ]
    )
    text = to_csv(rows, objective=False)
    assert text.startswith("time,value,status,posted\r\n")
    assert '"odd, ""status"""' in text  # RFC 4180: quoted, inner quotes doubled
    assert list(csv.reader(io.StringIO(text))) == [
        ["time", "value", "status", "posted"],
        ["2026-11-18T11:06:40Z", "1234567", "on_track", "false"],
        ["2026-11-18T11:06:41Z", "0.125", 'odd, "status"', "true"],
        ["2026-11-18T11:06:42Z", "1e+20", "", "false"],
    ]
    assert to_csv([], objective=True) == "time,progress,health,status\r\n"


def test_json_is_a_list_of_objects() -> None:
    rows = [Row(NOW, 0.5, "on_track", health=81.0)]
    assert json.loads(to_json(rows, objective=True)) == [
        {"time": "2026-11-18T11:06:40Z", "progress": 0.5, "health": 81, "status": "on_track"}
    ]
