"""Whatever bytes arrive, decoding gives records or ``ApiDataError``, never another exception.

A server (or a proxy, or a wrong base URL) can send anything; the CLI maps ``ApiDataError`` to exit 7
and the refresher to an error on the feed, but anything else was a crash ("unexpected error", exit 1,
a refresher stopped for good). Bodies the sandbox cannot send are built here.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okrt_tui.api.decode import (
    MAX_BODY,
    decode_checkin,
    decode_kpi_update,
    decode_kpis,
    decode_okrs,
    decode_review_cycles,
    decode_review_summary,
)
from okrt_tui.api.errors import ApiDataError

DECODERS = [
    (decode_okrs, "/okrs"),
    (decode_kpis, "/kpis"),
    (decode_review_cycles, "/review-cycles"),
    (decode_review_summary, "/reviews/:id/summary"),
    (decode_checkin, "/okrs/:id/checkins"),
    (decode_kpi_update, "/kpis/:id/updates"),
]
DEEP = 100_000
TEN_MB = 10 * 1024 * 1024

HOSTILE = {
    # Deep nesting: msgspec recurses once per level, even through fields it skips.
    "open brackets": b"[" * DEEP,
    "balanced brackets": b"[" * DEEP + b"]" * DEEP,
    "open objects": b'{"a":' * DEEP,
    "deep in an unknown field": b'[{"x":' + b"[" * DEEP + b"]" * DEEP + b"}]",
    "deep in an unknown field of one record": b'{"x":' + b"[" * DEEP + b"]" * DEEP + b"}",
    "deep in a documented field": b'[{"current":' + b"[" * DEEP + b"}]",
    "deep answers": b'{"answers":' + b"[" * DEEP,
    # Numbers no type holds, or that JSON does not have.
    "1e309": b'[{"current": 1e309}]',
    "-1e400": b'{"value": -1e400, "new_value": -1e400}',
    "5000 digits": b'[{"current": ' + b"9" * 5000 + b', "value": 1}]',
    "100000 digits": b'{"value": 1' + b"0" * 100_000 + b"}",
    "NaN": b'[{"current": NaN}]',
    "Infinity": b'{"value": Infinity, "new_value": -Infinity}',
    "nan as a list": b"[NaN]",
    # Not UTF-8.
    "0xff": b'[{"name": "\xff"}]',
    "overlong in an unknown field": b'[{"x": "\xc0\xaf"}]',
    "encoded surrogate": b'{"employee": "\xed\xa0\x80"}',
    "escaped lone surrogate": b'[{"name": "\\ud800"}]',
    "latin-1 body": '[{"name": "caf\u00e9"}]'.encode("latin-1"),
    "byte order mark": b"\xef\xbb\xbf[]",
    # 10 MB strings: unterminated, in an unknown field, in a documented one, whitespace, a number.
    "unterminated 10 MB string": b'[{"name": "' + b"a" * TEN_MB,
    "10 MB unknown field": b'[{"x": "' + b"a" * TEN_MB + b'"}]',
    "10 MB of a wrong type": b'[{"current": "' + b"9" * TEN_MB + b'"}]',
    "10 MB of spaces": b" " * TEN_MB,
    "10 MB number": b"[" + b"9" * TEN_MB + b"]",
    # Small and wrong.
    "empty": b"",
    "null": b"null",
    "a scalar": b"0",
    "NUL": b"\x00",
    "closing brackets": b"]]]]",
    "truncated": b'[{"name": "a"',
    "two documents": b"[] []",
    "over the size limit": b" " * (MAX_BODY + 1),
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("decode", "endpoint"), DECODERS, ids=[e for _, e in DECODERS])
def test_hostile_bodies_give_records_or_an_error_naming_the_endpoint(decode, endpoint, body):
    try:
        decode(body)
    except ApiDataError as exc:
        assert exc.endpoint == endpoint and f"answer to {endpoint}" in str(exc)
        assert exc.field.startswith("$")


def test_a_deep_body_names_the_first_wrong_field():
    with pytest.raises(ApiDataError) as raised:
        decode_kpis(b"[" * DEEP)
    assert raised.value.field == "$[0]"
    assert "/kpis cannot be read at $[0]: expected `object`, got `array`" in str(raised.value)


def test_depth_in_a_field_that_is_skipped_is_still_refused():
    with pytest.raises(ApiDataError, match="nested deeper than any answer the API documents"):
        decode_kpis(HOSTILE["deep in an unknown field"])


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(deadline=None, max_examples=100)
@given(st.one_of(st.binary(max_size=300), json_values.map(lambda v: json.dumps(v).encode())))
def test_any_bytes_give_records_or_api_data_error(body):
    for decode, _ in DECODERS:
        with contextlib.suppress(ApiDataError):
            decode(body)
