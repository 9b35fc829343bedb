"""Decoding what the API sends, including what it should not send."""

from __future__ import annotations

import json
import logging

import pytest

from okrt_tui.api import decode as decode_module
from okrt_tui.api.decode import (
    check_id,
    decode_checkin,
    decode_kpi_update,
    decode_kpis,
    decode_okrs,
    decode_review_cycles,
    decode_review_summary,
)
from okrt_tui.api.errors import ApiDataError, InvalidInput
from okrt_tui.api.models import KeyResult

# The reference's own examples, verbatim.
REFERENCE_OKRS = b"""[
  {"id": "f4b1a2c8-\xe2\x80\xa6", "title": "Improve onboarding conversion", "type": "org",
   "owner": "Alice Nguyen", "progress": 0.65, "status": "on_track", "health_score": 82, "cycle": "Q2 2026"}
]"""
REFERENCE_KPIS = b"""[{"id": "a812", "name": "Weekly Active Users", "current": 3721, "target": 4500,
  "unit": "users", "status": "at_risk", "last_updated": "2026-04-01T09:30:00Z"}]"""
REFERENCE_CYCLES = b"""[{"id": "rc-2c8", "name": "Q2 2026 Mid-Year Review", "status": "active",
  "due_date": "2026-05-03", "reviewee_count": 2}]"""
REFERENCE_SUMMARY = b"""{"review_id": "REVIEW_ID", "employee": "Sarah Chen",
  "cycle": "Q2 2026 Mid-Year Review", "type": "self", "status": "shared", "answers": [
    {"question": "What went well this cycle?", "answer": "Shipped the onboarding redesign on time"},
    {"question": "What are your growth areas?", "answer": "Delegation and prioritisation"}],
  "shared_at": "2026-04-19T12:00:00Z"}"""
REFERENCE_CHECKIN = b"""{"id": "9e2b", "kr_id": "KR_ID", "value": 70, "status": "on_track",
  "created_at": "2026-04-19T12:00:00Z"}"""
REFERENCE_KPI_UPDATE = b"""{"id": "u-7c2", "kpi_id": "KPI_ID", "previous_value": 3721, "new_value": 3810,
  "created_at": "2026-04-19T12:00:00Z"}"""


def test_the_reference_examples_decode() -> None:
    (okr,) = decode_okrs(REFERENCE_OKRS)
    assert okr.title == "Improve onboarding conversion"
    assert okr.progress == 0.65
    assert okr.health_score == 82
    assert okr.key_results is None  # not promised by the reference
    (kpi,) = decode_kpis(REFERENCE_KPIS)
    assert (kpi.current, kpi.target, kpi.direction) == (3721, 4500, None)
    (cycle,) = decode_review_cycles(REFERENCE_CYCLES)
    assert cycle.reviewee_count == 2
    summary = decode_review_summary(REFERENCE_SUMMARY)
    assert summary.answers[0].question == "What went well this cycle?"
    assert decode_checkin(REFERENCE_CHECKIN).value == 70
    assert decode_kpi_update(REFERENCE_KPI_UPDATE).previous_value == 3721


def test_unknown_fields_are_ignored_and_extensions_read() -> None:
    raw = json.dumps(
        [
            {
                "id": "o1",
                "brand_new_field": {"nested": [1, 2]},
                "updated_at": "2026-04-19T12:00:00Z",
                "key_results": [{"id": "k1", "title": "KR", "current": 5, "target": 10, "extra": True}],
            }
        ]
    ).encode()
    (okr,) = decode_okrs(raw)
    assert okr.key_results == (KeyResult(id="k1", title="KR", current=5, target=10),)
    assert okr.updated_at == "2026-04-19T12:00:00Z"


def test_nulls_and_missing_documented_fields_are_none() -> None:
    (okr,) = decode_okrs(b'[{"id": null, "title": null, "progress": null, "key_results": null}]')
    assert okr.title is None and okr.progress is None and okr.owner is None
    (empty,) = decode_kpis(b"[{}]")
    assert empty.name is None and empty.current is None
    summary = decode_review_summary(b'{"review_id": "r", "answers": null}')
    assert summary.answers == ()
    summary = decode_review_summary(b'{"answers": [{"question": null}]}')
    assert summary.answers[0].question is None and summary.answers[0].answer is None


def test_unknown_enum_values_are_kept_as_text() -> None:
    (okr,) = decode_okrs(b'[{"status": "blocked", "type": "company"}]')
    assert (okr.status, okr.type) == ("blocked", "company")
    (cycle,) = decode_review_cycles(b'[{"status": "archived"}]')
    assert cycle.status == "archived"
    assert decode_review_summary(b'{"type": "upward"}').type == "upward"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'[{"id": "a"}, {"id": "b"}, {"id": "c"}, {"progress": "65%"}]', "$[3].progress"),
        (b'[{"title": 42}]', "$[0].title"),
        (b'[{"health_score": true}]', "$[0].health_score"),
        (b'{"id": "o1"}', "$"),  # an object where the list belongs
        (b"42", "$"),
        (b'"okrs"', "$"),
        (b"null", "$"),
        (b"[1, 2]", "$[0]"),
    ],
)
def test_the_wrong_shape_names_endpoint_and_field(raw: bytes, field: str) -> None:
    with pytest.raises(ApiDataError) as error:
        decode_okrs(raw, "/okrs")
    assert error.value.endpoint == "/okrs"
    assert error.value.field == field
    assert "/okrs" in str(error.value)
    assert error.value.exit_code == 7
    if field != "$":
        assert field in str(error.value)


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b'[{"id": "o1", "title": "Impr', "truncated"),
        (b"<html><body>Bad gateway</body></html>", "malformed"),
        (b'[{"title": "caf\xe9"}]', "UTF-8"),  # in a field /kpis does not have
        (b'[{"name": "caf\xe9"}]', "UTF-8"),
        (b"\xff\xfe[\x00]\x00", "UTF-8"),
        (b'[{"id": "o1"}] trailing', "malformed"),
    ],
)
def test_bodies_that_are_not_json_are_data_errors(raw: bytes, detail: str) -> None:
    with pytest.raises(ApiDataError) as error:
        decode_kpis(raw, "/kpis")
    assert detail in str(error.value)
    assert error.value.endpoint == "/kpis"


def test_a_truncated_body_after_a_wrong_type_is_still_a_data_error() -> None:
    with pytest.raises(ApiDataError):
        decode_okrs(b'[{"title": 1}, {"id": "x"')


def test_junk_in_nested_key_results_drops_them_not_the_objective(caplog) -> None:
    raw = json.dumps(
        [
            {"id": "o1", "title": "Fine", "key_results": [{"id": "k1", "progress": 0.5}]},
            {"id": "o2", "title": "Junk inside", "key_results": [{"id": "k2", "progress": "half"}, 7, None]},
            {"id": "o3", "title": "Not a list", "key_results": "3 KRs", "updated_at": 12345},
        ]
    ).encode()
    with caplog.at_level(logging.WARNING):
        okrs = decode_okrs(raw)
    assert [o.id for o in okrs] == ["o1", "o2", "o3"]
    assert okrs[0].key_results == (KeyResult(id="k1", progress=0.5),)
    assert okrs[1].key_results is None
    assert okrs[2].key_results is None and okrs[2].updated_at is None
    assert "$[1].key_results" in caplog.text


def test_junk_in_other_extension_fields_is_dropped() -> None:
    (kpi,) = decode_kpis(b'[{"id": "k", "current": 3, "direction": ["down"]}]')
    assert kpi.direction is None and kpi.current == 3
    (cycle,) = decode_review_cycles(b'[{"id": "c", "reviews": {"r1": 1}}]')
    assert cycle.reviews is None and cycle.id == "c"
    (cycle,) = decode_review_cycles(b'[{"id": "c", "reviews": [{"id": "r1", "type": "peer"}]}]')
    assert cycle.reviews[0].type == "peer"


def test_a_wrong_type_in_a_documented_field_beside_junk_extensions_still_fails() -> None:
    with pytest.raises(ApiDataError) as error:
        decode_okrs(b'[{"key_results": 5}, {"owner": ["A", "B"]}]')
    assert error.value.field == "$[1].owner"


def test_nested_answers_are_checked() -> None:
    with pytest.raises(ApiDataError) as error:
        decode_review_summary(b'{"answers": [{"question": "Q", "answer": 3}]}', "/reviews/r1/summary")
    assert error.value.field == "$.answers[0].answer"
    assert "/reviews/r1/summary" in str(error.value)


def test_big_numbers() -> None:
    (okr,) = decode_okrs(b'[{"health_score": 123456789012345678901234567890, "progress": 1e300}]')
    assert okr.progress == 1e300
    with pytest.raises(ApiDataError) as error:
        decode_okrs(b'[{"progress": 1e400}]')
    assert error.value.field == "$[0].progress"


def test_a_huge_body_decodes() -> None:
    record = {
        "id": "f4b1a2c8-0000",
        "title": "Improve onboarding conversion " * 20,
        "key_results": [{"id": f"k{i}", "title": "x" * 200, "current": i} for i in range(20)],
    }
    raw = json.dumps([record] * 500).encode()
    assert len(raw) > 2_000_000
    okrs = decode_okrs(raw)
    assert len(okrs) == 500 and len(okrs[-1].key_results) == 20


def test_a_body_over_the_cap_is_refused_before_decoding(monkeypatch) -> None:
    monkeypatch.setattr(decode_module, "MAX_BODY", 1000)
    with pytest.raises(ApiDataError) as error:
        decode_okrs(b"[" + b'{"id": "x"},' * 200 + b'{"id": "y"}]')
    assert "base URL" in str(error.value)


@pytest.mark.parametrize(
    "good", ["f4b1a2c8-1234", "rc-2c8…", "u-7c2", "KR_ID", "a.b", "x:y@z", "élan", "...", "a..b"]
)
def test_opaque_ids_pass(good: str) -> None:
    assert check_id(good) == good


@pytest.mark.parametrize(
    "bad",
    [
        "",
        ".",
        "..",
        "a/b",
        "/",
        "a b",
        " a",
        "a\n",
        "a\tb",
        "a\x00",
        "a?b",
        "a#b",
        "%2e%2e",
        "a\\b",
        "\u2028",
        "a\u200bb",  # a zero-width space
        "\ufeffid",  # a byte-order mark
        "ab\u202e",  # a right-to-left override
    ],
)
def test_ids_that_cannot_be_a_path_segment_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput) as error:
        check_id(bad)
    assert error.value.exit_code == 1
    assert "\n" not in str(error.value)
