"""Server text made safe to show: literal, one terminal cell per visible character, never a command.

Titles, names and answers come from other people through the API. Before any of it reaches a
terminal (or a file someone may ``cat``), control characters are replaced by visible stand-ins:
C0 controls by their Unicode "control pictures" (ESC becomes ``␛``, BEL ``␇``), DEL by ``␡``, and C1
controls and bidirectional overrides by ``�``. So ``\\x1b[2J`` shows as ``␛[2J``: the user sees what
was sent, and nothing clears the screen, sets a title or moves the cursor. Brackets are untouched
here; the UI puts text into ``rich.text.Text`` (never markup) so ``[bold]`` stays four characters.

Widths are terminal cells (``rich.cells``), so CJK and emoji truncate where they really end.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rich.cells import cell_len, get_character_cell_size

DASH = "—"
ELLIPSIS = "…"

# Bidirectional embedding/override/isolate controls: they can reorder what follows them on screen.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def _build_table(keep_newlines: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    table[0x7F] = "\u2421"  # ␡
    for code in range(0x80, 0xA0):
        table[code] = "\ufffd"
    for char in _BIDI:
        table[ord(char)] = "\ufffd"
    table[ord("\t")] = "    "
    # Line and paragraph separators act as newlines in some terminals and renderers.
    table[0x2028] = "\n" if keep_newlines else " "
    table[0x2029] = "\n" if keep_newlines else " "
    if keep_newlines:
        table[ord("\n")] = "\n"
    else:
        table[ord("\n")] = " "
    return table


_MULTILINE = _build_table(keep_newlines=True)
_ONE_LINE = _build_table(keep_newlines=False)
#: Any character the tables change: most text has none, and a search is far cheaper than a translate.
_UNSAFE = re.compile("[" + re.escape("".join(map(chr, _ONE_LINE))) + "]")
_CRLF = re.compile(r"\r\n?")
_SPACES = re.compile(r"[ \u00a0]{2,}")


def safe_text(value: object, *, multiline: bool = True) -> str:
    """Any server value as text that cannot control a terminal; ``None`` is the empty string.

    With ``multiline`` newlines stay (CR LF and lone CR become LF) so detail views can wrap
    paragraphs; without it they collapse into one line (see :func:`one_line`).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if _UNSAFE.search(text) is None:
        return text
    text = _CRLF.sub("\n", text)
    return text.translate(_MULTILINE if multiline else _ONE_LINE)


def one_line(value: object) -> str:
    """Safe text on one line: newlines and tabs become spaces, runs of spaces collapse, ends trimmed."""
    return _SPACES.sub(" ", safe_text(value, multiline=False)).strip()


def truncate(text: str, width: int, *, ellipsis: str = ELLIPSIS) -> str:
    """Cut ``text`` to at most ``width`` terminal cells, ending with ``…`` when anything was cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ellipsis)
    if room <= 0:
        return ellipsis[:width]
    used = 0
    out: list[str] = []
    for char in text:
        size = get_character_cell_size(char)
        if used + size > room:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ellipsis


def cell(value: object, width: int | None = None, *, empty: str = DASH) -> str:
    """A table cell: one safe line, truncated to ``width`` cells, ``—`` when there is nothing."""
    return line_cell(one_line(value), width, empty=empty)


def line_cell(line: str, width: int | None = None, *, empty: str = DASH) -> str:
    """``cell`` of text that is already ``one_line`` (a title both shown and searched is cleaned once)."""
    if not line:
        return empty
    return line if width is None else truncate(line, width)


def humanize_enum(value: str | None) -> str:
    """``on_track`` → ``on track``; an unknown value is shown as the server wrote it (made safe)."""
    if value is None:
        return DASH
    text = one_line(value)
    return text.replace("_", " ") if text else DASH


def fold(value: object) -> str:
    """Casefolded one-line text, for filtering and sorting without regard to case."""
    return one_line(value).casefold()


@lru_cache(maxsize=4096)
def fold_shared(value: str | None) -> str:
    """``fold`` of a value that many records share (an owner, a cycle, a type, a status): worked out
    once per value rather than once per row, as a refresh rebuilds hundreds of rows."""
    return fold(value)
