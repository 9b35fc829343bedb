"""Bytes from the API (or from the cache) to typed records, tolerant where the reference allows it.

Tolerated: unknown fields (ignored), documented fields that are null or missing (``None``), enum values
the reference does not list (kept as text), and extension fields the reference does not promise
(``key_results``, ``updated_at``, ``direction``, ``reviews``) in a shape we do not expect: such a field
is dropped from its record, as if the server had not sent it, and logged. The real service may well
send something else under those names one day; that must not blank the dashboard.

Refused with ``ApiDataError`` (naming the endpoint and msgspec's path to the field, e.g.
``$[3].progress``): a body that is not UTF-8 JSON, is truncated, is nested deeper than Python
recurses, is not the documented shape (an object where a list is expected, a scalar), or has a
documented field of the wrong type. Nothing else escapes, whatever the bytes. Bodies over
``MAX_BODY`` are refused before decoding: the largest documented answer (500 objectives with their key
results) is a few megabytes, so 50 MB is no API answer but a wrong base URL or a broken proxy, and the
cache and history would keep a copy of it.

The fast path is a single msgspec decode; only a body that fails it is looked at record by record.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

import msgspec

from okrt_tui.api.errors import ApiDataError, InvalidInput
from okrt_tui.api.models import (
    CheckinResult,
    Kpi,
    KpiUpdateResult,
    Okr,
    ReviewCycle,
    ReviewSummary,
)

log = logging.getLogger(__name__)

MAX_BODY = 50 * 1024 * 1024

T = TypeVar("T")

#: Fields the reference does not promise: when unreadable, dropped from the record instead of failing.
_EXTENSIONS: dict[type, frozenset[str]] = {
    Okr: frozenset({"updated_at", "key_results"}),
    Kpi: frozenset({"direction"}),
    ReviewCycle: frozenset({"reviews"}),
}
#: Documented fields whose model default is not None: a null stands for the default.
_NULL_MEANS_DEFAULT: dict[type, frozenset[str]] = {ReviewSummary: frozenset({"answers"})}

_TOO_DEEP = "it is nested deeper than any answer the API documents"

_PATH = re.compile(r" - at `(\$[^`]*)`$")
_TOP_KEY = re.compile(r"^\$\.([A-Za-z_][A-Za-z0-9_]*)")


class _Shape:
    """One documented answer shape: a list of records, or one record."""

    def __init__(self, record: type, *, many: bool) -> None:
        self.record = record
        self.many = many
        self.decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(
            tuple[record, ...] if many else record  # type: ignore[valid-type]
        )

    def decode(self, raw: bytes, endpoint: str) -> Any:
        if len(raw) > MAX_BODY:
            raise ApiDataError(
                f"The API's answer to {endpoint} is {len(raw) // (1024 * 1024)} MB, far more than any "
                "answer it documents; check the base URL.",
                endpoint=endpoint,
                field="$",
            )
        try:
            if not raw.isascii():
                # Strings in fields we ignore are not checked by msgspec; the reference promises UTF-8
                # and the raw body goes on to the cache and to --json pipes.
                raw.decode("utf-8")
            return self.decoder.decode(raw)
        except msgspec.ValidationError as exc:
            return self._salvage(raw, endpoint, exc)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise _data_error(endpoint, _why_unreadable(raw, exc), "$") from None
        except RecursionError:
            # msgspec recurses once per level, even through fields it skips: "[" * 100000 is no answer.
            raise _data_error(endpoint, _TOO_DEEP, "$") from None

    def _salvage(self, raw: bytes, endpoint: str, first: msgspec.ValidationError) -> Any:
        """Record by record: drop unreadable extension fields, then fail on anything else."""
        try:
            document = msgspec.json.decode(raw)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            # Unreadable past the first wrong field, a number no type holds, or nested deeper than
            # Python recurses: report that field.
            raise _validation_error(endpoint, first, "$") from None
        if self.many:
            if not isinstance(document, list):
                raise _validation_error(endpoint, first, "$")
            return tuple(self._record(item, endpoint, f"$[{i}]") for i, item in enumerate(document))
        return self._record(document, endpoint, "$")

    def _record(self, item: Any, endpoint: str, at: str) -> Any:
        if isinstance(item, dict):
            for name in _NULL_MEANS_DEFAULT.get(self.record, ()):
                if name in item and item[name] is None:
                    del item[name]
        while True:
            try:
                return msgspec.convert(item, self.record)
            except msgspec.ValidationError as exc:
                path = _path_of(exc)
                top = _TOP_KEY.match(path)
                field = top.group(1) if top else None
                if isinstance(item, dict) and field in _EXTENSIONS.get(self.record, ()) and field in item:
                    log.warning("%s: ignoring unreadable extension field %s%s", endpoint, at, path[1:])
                    del item[field]
                    continue
                raise _validation_error(endpoint, exc, at) from None


def _why_unreadable(raw: bytes, exc: Exception) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        return f"it is not UTF-8 text (byte {bad.start})"
    if not raw.strip():
        return "it is empty"
    return str(exc)


def _path_of(exc: msgspec.ValidationError) -> str:
    match = _PATH.search(str(exc))
    return match.group(1) if match else "$"


def _validation_error(endpoint: str, exc: msgspec.ValidationError, at: str) -> ApiDataError:
    """``at`` is where the converted value sits in the whole body ("$" or "$[3]")."""
    text = str(exc)
    detail = _PATH.sub("", text)
    field = at + _path_of(exc)[1:]
    return _data_error(endpoint, detail, field)


def _data_error(endpoint: str, detail: str, field: str) -> ApiDataError:
    detail = detail.rstrip(".")
    if detail[1:2].islower():
        detail = detail[:1].lower() + detail[1:]
    where = "" if field == "$" else f" at {field}"
    return ApiDataError(
        f"The API's answer to {endpoint} cannot be read{where}: {detail}. "
        "Nothing was changed; if this persists, the API has changed: run with --debug and report it.",
        endpoint=endpoint,
        field=field,
    )


_OKRS = _Shape(Okr, many=True)
_KPIS = _Shape(Kpi, many=True)
_CYCLES = _Shape(ReviewCycle, many=True)
_SUMMARY = _Shape(ReviewSummary, many=False)
_CHECKIN = _Shape(CheckinResult, many=False)
_KPI_UPDATE = _Shape(KpiUpdateResult, many=False)


def decode_okrs(raw: bytes, endpoint: str = "/okrs") -> tuple[Okr, ...]:
    return _OKRS.decode(raw, endpoint)  # type: ignore[no-any-return]


def decode_kpis(raw: bytes, endpoint: str = "/kpis") -> tuple[Kpi, ...]:
    return _KPIS.decode(raw, endpoint)  # type: ignore[no-any-return]


def decode_review_cycles(raw: bytes, endpoint: str = "/review-cycles") -> tuple[ReviewCycle, ...]:
    return _CYCLES.decode(raw, endpoint)  # type: ignore[no-any-return]


def decode_review_summary(raw: bytes, endpoint: str = "/reviews/:id/summary") -> ReviewSummary:
    return _SUMMARY.decode(raw, endpoint)  # type: ignore[no-any-return]


def decode_checkin(raw: bytes, endpoint: str = "/okrs/:id/checkins") -> CheckinResult:
    return _CHECKIN.decode(raw, endpoint)  # type: ignore[no-any-return]


def decode_kpi_update(raw: bytes, endpoint: str = "/kpis/:id/updates") -> KpiUpdateResult:
    return _KPI_UPDATE.decode(raw, endpoint)  # type: ignore[no-any-return]


_UNSAFE_ID = re.compile(r"[/?#%\\\s\x00-\x1f\x7f-\x9f]")


def check_id(value: str) -> str:
    """Returns ``value`` if it can be one URL path segment; else raises ``InvalidInput``.

    Ids are opaque (the reference's own examples include ``rc-2c8…`` and ``u-7c2…``), so anything a
    path segment can carry is accepted and the server says 404 for ids it does not hold. Refused:
    empty, ``.`` and ``..`` (they move the path), ``/ ? # %`` and backslash (they split or re-encode
    it), whitespace, control and format characters (pasted by accident, or an attempt at tricks).
    """
    if (
        not isinstance(value, str)
        or value in ("", ".", "..")
        or _UNSAFE_ID.search(value)
        or not value.isprintable()  # zero-width spaces, byte-order marks, bidi controls: pasted by accident
    ):
        printable = isinstance(value, str) and value.isprintable() and 0 < len(value) <= 80
        label = repr(value) if printable else "That id"
        raise InvalidInput(
            f"{label} is not a valid id: an id cannot be empty or contain spaces, slashes, '?', '#', '%' "
            "or control characters. Copy it again from the web app or the list."
        )
    return value
