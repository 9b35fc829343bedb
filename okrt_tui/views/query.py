"""Filtering and sorting of the lists, as pure functions the screens call on every keystroke.

The filter is what the user types after ``/``: plain words must all appear in the title or the owner
(any case); ``field:value`` narrows by a field (``cycle:"Q2 2026"``, ``type:team``, ``status:at_risk``,
``owner:alice``); quotes group words, and an unfinished quote is fine while typing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import msgspec

from okrt_tui.views.numbers import finite
from okrt_tui.views.status import STATUS_SEVERITY
from okrt_tui.views.text import fold

T = TypeVar("T")

FILTER_FIELDS = ("cycle", "type", "status", "owner", "unit")


#: Known values listed at most, when a filter value matches no row (owners can be many).
MAX_VALUES_LISTED = 8


class Query(msgspec.Struct, frozen=True):
    words: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    #: Names typed as ``name:value`` that are no filter field; the token is also kept as a word (a
    #: title may hold a colon), and :func:`explain` says why it probably matched nothing.
    unknown: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.words and not self.fields


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char.isspace() and not quoted:
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def parse_query(text: str) -> Query:
    words: list[str] = []
    fields: list[tuple[str, str]] = []
    unknown: list[str] = []
    for token in _tokens(text):
        name, sep, value = token.partition(":")
        if sep and name.casefold() in FILTER_FIELDS:
            if value:
                fields.append((name.casefold(), fold(value).replace("_", " ")))
            continue
        if sep and value and name.isalpha():
            unknown.append(name.casefold())
        folded = fold(token)
        if folded:
            words.append(folded)
    return Query(tuple(words), tuple(fields), tuple(unknown))


def explain(query: Query, rows: Sequence[Mapping[str, str]]) -> list[str]:
    """Why a filter matched none of ``rows`` (their folded field values), as sentences naming the
    fields this list has and the values they hold; empty when nothing in the query looks mistaken."""
    known = distinct(name for row in rows for name in row)
    listed = ", ".join(known) or "none"
    sentences = [f"{name} is not a field of this list (its fields: {listed})." for name in query.unknown]
    for name, value in query.fields:
        if name not in known:
            sentences.append(f"{name} is not a field of this list (its fields: {listed}).")
            continue
        values = sorted(distinct(row.get(name) for row in rows))
        if not any(value in held for held in values):
            shown = ", ".join(values[:MAX_VALUES_LISTED]) + (" …" if len(values) > MAX_VALUES_LISTED else "")
            sentences.append(f"No row has a {name} containing “{value}” (its values: {shown}).")
    if query.words and not sentences:
        # ``status:at risk`` is the status "at" and the word "risk": say how to write what was meant.
        for name, value in query.fields:
            spaced = f"{value} {query.words[0]}"
            if any(spaced in row.get(name, "") for row in rows):
                sentences.append(f'A value with a space needs quotes: {name}:"{spaced}".')
                break
    return sentences


def matches(query: Query, haystack: str, fields: Mapping[str, str]) -> bool:
    """``haystack`` and ``fields`` values are already folded (see :func:`okrt_tui.views.text.fold`)."""
    if not all(word in haystack for word in query.words):
        return False
    return all(value in fields.get(name, "") for name, value in query.fields)


def sort_by(items: Iterable[T], key: Callable[[T], Any], *, reverse: bool = False) -> list[T]:
    """Sort by ``key``; items whose key is ``None`` go last in both directions, in their order."""
    present: list[tuple[Any, T]] = []
    missing: list[T] = []
    for item in items:
        value = key(item)
        if value is None:
            missing.append(item)
        else:
            present.append((value, item))
    present.sort(key=lambda pair: pair[0], reverse=reverse)
    return [item for _, item in present] + missing


def text_key(value: object) -> str | None:
    folded = fold(value)
    return folded or None


def number_key(value: object) -> float | None:
    return finite(value)


def status_key(value: str | None) -> tuple[int, str] | None:
    """Worst first: off track, at risk, on track, then other values by name."""
    if value is None:
        return None
    return (STATUS_SEVERITY.get(value, 3), fold(value))


def next_sort(current: tuple[str, bool] | None, column: str) -> tuple[str, bool]:
    """``s`` on a column: sort by it ascending; on the sorted column again: reverse."""
    if current is not None and current[0] == column:
        return (column, not current[1])
    return (column, False)


def distinct(values: Iterable[str | None]) -> Sequence[str]:
    """The distinct non-empty values, in first-seen order (for the palette's filter commands)."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


_QUARTER = re.compile(r"\bQ([1-4])\s*(\d{4})\b", re.IGNORECASE)


def cycle_key(value: str | None) -> tuple[int, int, str] | None:
    """Cycles in time order: ``Q4 2025`` before ``Q1 2026``; other names after, by name."""
    if not value:
        return None
    found = _QUARTER.search(value)
    if found:
        return (int(found.group(2)), int(found.group(1)), fold(value))
    return (9999, 0, fold(value))
