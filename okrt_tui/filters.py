"""Which objectives a filter keeps, and how to print just those records exactly as the API sent them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from okrt_tui.api.models import Okr


def keep_okr(
    okr: Okr, *, cycle: str | None = None, status: str | None = None, type_: str | None = None
) -> bool:
    """Cycle names match without regard to case or surrounding spaces: "q4 2026" finds "Q4 2026"."""
    if cycle is not None and (okr.cycle or "").strip().casefold() != cycle.strip().casefold():
        return False
    if status is not None and okr.status != status:
        return False
    return type_ is None or okr.type == type_


def select_raw(raw: bytes, records: Sequence[Any], keep: Callable[[Any], bool]) -> bytes:
    """The API's JSON array with only the kept records, each one byte for byte as it arrived."""
    pieces = msgspec.json.decode(raw, type=list[msgspec.Raw])
    kept = [bytes(piece) for piece, record in zip(pieces, records, strict=True) if keep(record)]
    return b"[" + b",".join(kept) + b"]"
