"""A number as a person types it, turned into the JSON number a write sends.

One reading serves the command line, the CSV import and the forms, so ``1,234.5`` means the same
everywhere. Understood: ``1234.5``, ``1,234.5`` (commas between groups of three), ``1_234.5``,
``1 234.5`` (spaces between groups), ``1e3``. A leading ``+`` or ``-`` is a change from the current
value (``+5``, ``-2``) when the current value is known; ``=`` before a number makes it absolute
(``=-40`` for a negative value). Refused, each with the sentence a person acts on: empty, ``1,5``
(use a dot for decimals), NaN, infinity, and numbers JSON cannot hold (over ~1.8e308).

The arithmetic of a change is decimal (``0.1`` + ``0.2`` is ``0.3``, not ``0.30000000000000004``),
and the number is sent with the digits the person typed rather than a float's shortest repr.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

import msgspec

_THOUSANDS_COMMA = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_THOUSANDS_SPACE = re.compile(r"\d{1,3}( \d{3})+(\.\d*)?")
_PLAIN = re.compile(r"(\d+(_\d+)*)?(\.\d+(_\d+)*)?([eE][+-]?\d+)?|\d+(_\d+)*\.")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


class BadValue(ValueError):
    """The text is not a number a write can send; ``str()`` says why and what to type."""


class Value(msgspec.Struct, frozen=True):
    number: float | int
    text: str  # the JSON number to send
    delta: float | None = None  # the change from the current value, when it was typed as one


def parse_value(text: str, current: float | int | None = None) -> Value:
    """The number typed in ``text``; ``current`` makes ``+5`` and ``-2`` changes from it."""
    raw = text.translate(_SPACES).strip()
    if not raw:
        raise BadValue("Type a number.")
    relative = raw[0] in "+-" and not raw.startswith("=")
    absolute = raw.startswith("=")
    body = raw[1:].strip() if absolute else raw
    sign = ""
    if body[:1] in "+-":
        sign, body = body[0], body[1:].strip()
    magnitude = _magnitude(body)
    if relative:
        if current is None or not _finite(current):
            raise BadValue(
                f"{raw} is a change, but the current value is not known: type the new value itself "
                f"(={raw} for a negative number)."
            )
        delta = magnitude if sign == "+" else -magnitude
        number = (
            Decimal(repr(float(current))) + delta if isinstance(current, float) else Decimal(current) + delta
        )
        return _value(number, float(delta))
    return _value(-magnitude if sign == "-" else magnitude, None)


def _magnitude(body: str) -> Decimal:
    if not body:
        raise BadValue("Type a number after the sign.")
    lowered = body.casefold()
    if lowered in ("nan", "inf", "infinity") or "nan" in lowered or "inf" in lowered:
        raise BadValue(f"{body} is not a number that can be sent: type a finite number.")
    if "," in body:
        if _THOUSANDS_COMMA.fullmatch(body):
            body = body.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(body):
            raise BadValue(f"{body}: use a dot for decimals ({body.replace(',', '.')}).")
        else:
            raise BadValue(f"{body} is not a number: commas may only separate thousands (1,234.5).")
    elif " " in body:
        if not _THOUSANDS_SPACE.fullmatch(body):
            raise BadValue(f"{body} is not a number: spaces may only separate thousands (1 234.5).")
        body = body.replace(" ", "")
    if not body or not _PLAIN.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise BadValue(f"{body} is not a number.")
    try:
        number = Decimal(body.replace("_", ""))
    except InvalidOperation:
        raise BadValue(f"{body} is not a number.") from None
    return number


def _value(number: Decimal, delta: float | None) -> Value:
    as_float = float(number)
    if not math.isfinite(as_float):
        raise BadValue("That number is too large to send (JSON numbers stop near 1.8e308).")
    if as_float == 0 and number != 0:
        raise BadValue("That number is too small to send: it would arrive as 0.")
    if number == number.to_integral_value() and abs(number) < 2**53:
        integral = int(number)
        return Value(integral, str(integral), delta)
    text = format(number.normalize(), "f") if abs(number.adjusted()) < 18 else repr(as_float)
    # The text must read back as the same JSON number.
    msgspec.json.decode(text.encode())
    return Value(as_float, text, delta)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
