"""Numbers for people: thousands separators, units, percentages and text progress bars."""

from __future__ import annotations

import math

from okrt_tui.views.text import DASH, one_line

Number = int | float

#: Units written before the number ("$1,200"), without a space.
_PREFIX_UNITS = frozenset({"$", "€", "£", "¥", "₹"})
#: Units written right after the number ("45%"), without a space.
_TIGHT_UNITS = frozenset({"%", "‰", "x", "\u00d7", "k", "K", "M", "°"})


def finite(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def format_number(value: Number | None, *, decimals: int = 2, compact: bool = False) -> str:
    """``3721`` → ``3,721``; ``1234.5`` → ``1,234.5``; ``None`` → ``—``.

    Up to ``decimals`` places are shown, trailing zeros dropped. ``compact`` shortens large values
    (``1.24M``, ``18.5k``) for narrow cells.
    """
    number = finite(value)
    if number is None:
        return DASH if value is None or isinstance(value, bool) else one_line(value) or DASH
    if compact and abs(number) >= 10_000:
        for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(number) >= size:
                scaled = number / size
                text = f"{scaled:.2f}" if abs(scaled) < 100 else f"{scaled:.1f}"
                return text.rstrip("0").rstrip(".") + suffix
    if number.is_integer() and abs(number) < 1e15:
        return f"{int(number):,}"
    text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def with_unit(value: Number | None, unit: str | None, *, compact: bool = False) -> str:
    """A number and its unit as people write them: ``45%``, ``$1,200``, ``3,721 users``."""
    number = format_number(value, compact=compact)
    label = one_line(unit)
    if not label or number == DASH:
        return number
    if label in _PREFIX_UNITS:
        return f"-{label}{number[1:]}" if number.startswith("-") else f"{label}{number}"
    if label in _TIGHT_UNITS:
        return f"{number}{label}"
    return f"{number} {label}"


def percent(fraction: Number | None, *, decimals: int = 0) -> str:
    """``0.654`` → ``65%``; ``1.2`` → ``120%``; ``None`` → ``—``."""
    number = finite(fraction)
    if number is None:
        return DASH
    value = number * 100
    if decimals == 0:
        # Round half up, so 0.125 shows as 13% the way people round, not banker's 12%.
        return f"{math.floor(value + 0.5):d}%"
    return f"{value:.{decimals}f}%"


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
    undefined (a zero denominator).
    """
    cur = finite(current)
    tgt = finite(target)
    if cur is None or tgt is None:
        return None
    if direction == "decrease":
        return None if cur == 0 else tgt / cur
    return None if tgt == 0 else cur / tgt


def lower_is_better(direction: str | None) -> bool:
    return direction == "decrease"
