"""Numbers for people: thousands separators, units, percentages and text progress bars.

Every number JSON can carry is shown, whatever its size: ``±1e308``, ``-0``, ``5e-324``, and integers
past the range of a float (``1`` followed by 400 zeros), which msgspec decodes exactly as Python ints.
From ``1e15`` on, numbers are written in scientific notation (``1e+308``, ``1.5e+20``), as spreadsheets
do: a float has no integer precision left past 2**53 (~9e15), and a 300-digit number in a table cell is
truncated into something that looks like a small one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from okrt_tui.views.text import DASH, one_line

Number = int | float

#: Units written before the number ("$1,200"), without a space.
_PREFIX_UNITS = frozenset({"$", "€", "£", "¥", "₹"})
#: Units written right after the number ("45%"), without a space.
_TIGHT_UNITS = frozenset({"%", "‰", "x", "\u00d7", "k", "K", "M", "°"})


#: From this magnitude on, numbers are written in scientific notation (see the module's docstring).
SCIENTIFIC_FROM = 1e15


def finite(value: object) -> float | None:
    """The value as a float, or ``None`` for null, text, a bool, NaN, infinity, or an integer too large
    for a float (``float(10**400)`` raises, so every calculation starts here).

    A float is answered first: it is nearly every value, and a refresh of the KPI list asks this
    thousands of times (the general checks cost three times as much)."""
    if type(value) is float:
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def scientific(value: int | float | Decimal) -> str:
    """``1e+308``, ``-1.5e+20``, ``1e+400``: three significant digits, trailing zeros dropped.

    Through ``Decimal``, which holds any int or float exactly, so integers past the range of a float
    and percentages of ``1e308`` (``1e+310%``) are written too.
    """
    mantissa, _, exponent = f"{Decimal(value):.3g}".partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}" if exponent else mantissa


def format_number(value: Number | None, *, decimals: int = 2, compact: bool = False) -> str:
    """``3721`` → ``3,721``; ``1234.5`` → ``1,234.5``; ``None`` → ``—``.

    Up to ``decimals`` places are shown, trailing zeros dropped. ``compact`` shortens large values
    (``1.24M``, ``18.5k``) for narrow cells.
    """
    number = finite(value)
    if number is None:
        if isinstance(value, int) and not isinstance(value, bool):
            return scientific(value)  # an integer past the range of a float
        return DASH if value is None or isinstance(value, bool) else one_line(value) or DASH
    if abs(number) >= SCIENTIFIC_FROM:
        return scientific(number)
    if compact and abs(number) >= 10_000:
        for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(number) >= size:
                scaled = number / size
                text = f"{scaled:.2f}" if abs(scaled) < 100 else f"{scaled:.1f}"
                return text.rstrip("0").rstrip(".") + suffix
    if number.is_integer():
        return f"{int(number):,}"
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(value: Number | None, unit: str | None, *, compact: bool = False) -> str:
    """A number and its unit as people write them: ``45%``, ``$1,200``, ``3,721 users``."""
    number = format_number(value, compact=compact)
    label = _unit_label(unit)
    if not label or number == DASH:
        return number
    if label in _PREFIX_UNITS:
        return f"-{label}{number[1:]}" if number.startswith("-") else f"{label}{number}"
    if label in _TIGHT_UNITS:
        return f"{number}{label}"
    return f"{number} {label}"


@lru_cache(maxsize=1024)
def _unit_label(unit: str | None) -> str:
    """``one_line`` of a unit, kept: a workspace has a few units, and a refresh writes two numbers
    with one for every KPI it rebuilds (cleaning the text is most of what writing a number costs)."""
    return one_line(unit)


def attached_unit(unit: str | None) -> bool:
    """A unit written against the number (``$1,200``, ``45%``) rather than after a space: short
    enough for a chart's ticks."""
    return one_line(unit) in _PREFIX_UNITS | _TIGHT_UNITS


def percent(fraction: Number | None, *, decimals: int = 0) -> str:
    """``0.654`` → ``65%``; ``1.2`` → ``120%``; ``1e308`` → ``1e+310%``; ``None`` → ``—``."""
    number = finite(fraction)
    if number is None:
        return DASH
    if abs(number) * 100 >= SCIENTIFIC_FROM:  # as a float, 1e308 * 100 is infinity: Decimal holds it
        return f"{scientific(Decimal(number) * 100)}%"
    value = number * 100
    if decimals == 0:
        # Round half up, so 0.125 shows as 13% the way people round, not banker's 12%.
        return f"{math.floor(value + 0.5):d}%"
    # From 1e11 on, a float times 100 can be off by more than half the last decimal shown (5.6e12 as
    # ...54.8% where it is ...54.69%); Decimal multiplies exactly.
    exact = Decimal(number) * 100 if abs(number) >= 1e11 else value
    text = f"{exact:.{decimals}f}"
    return f"{text.lstrip('-') if float(text) == 0 else text}%"  # -0.0001 is "0.0%", not "-0.0%"


def clamp01(fraction: Number | None) -> float | None:
    number = finite(fraction)
    if number is None:
        return None
    return min(1.0, max(0.0, number))


_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: Number | None, width: int, *, empty: str = "░", full: str = "█") -> str:
    """A progress bar ``width`` cells wide, with eighth blocks for the partial cell.

    Values are clamped to 0..1; ``None`` draws an empty track so a missing value still lines up.
    """
    if width <= 0:
        return ""
    value = clamp01(fraction)
    if value is None:
        return empty * width
    eighths = round(value * width * 8)
    whole, part = divmod(eighths, 8)
    if whole >= width:
        return full * width
    partial = _EIGHTHS[part] if part else ""
    rest = width - whole - (1 if partial else 0)
    return full * whole + partial + empty * rest


def progress_text(fraction: Number | None, width: int = 10) -> str:
    """Bar and percentage together: ``██████▌░░░  65%`` (the percentage right-aligned in 4)."""
    return f"{bar(fraction, width)} {percent(fraction):>4}"


def kpi_ratio(current: Number | None, target: Number | None, direction: str | None = None) -> float | None:
    """How far a KPI is toward its target, as a fraction (1.0 = on target).

    ``direction == "decrease"`` means lower is better, so the ratio is ``target / current``
    (DOMAIN.md's KPI status formula). ``None`` when either value is missing or the division is
    undefined: a zero denominator, or a quotient past the range of a float (``1e308 / 0.5``).
    """
    cur = finite(current)
    tgt = finite(target)
    if cur is None or tgt is None:
        return None
    numerator, denominator = (tgt, cur) if direction == "decrease" else (cur, tgt)
    if denominator == 0:
        return None
    return finite(numerator / denominator)


def axis_exponent(values: Iterable[float]) -> int:
    """The power of ten a chart divides its values by, so that a KPI near 1e308 draws (plotext's span
    from -1e308 to 1e308 is infinite) and its ticks read ``1.5`` under a ``1e+20`` label; 0 below
    ``SCIENTIFIC_FROM``, where the values are drawn as they are."""
    top = max((abs(value) for value in values if math.isfinite(value)), default=0.0)
    return math.floor(math.log10(top)) if top >= SCIENTIFIC_FROM else 0


def lower_is_better(direction: str | None) -> bool:
    return direction == "decrease"
