"""Every error as something a person reads: a short reason for the status bar, a sentence, an action.

The messages never include the key. Server text inside them (an error ``message``) goes through
:func:`okrt_tui.views.text.one_line`, so it cannot style or move anything either.
"""

from __future__ import annotations

import msgspec

from okrt_tui.api.errors import (
    ApiDataError,
    Forbidden,
    InvalidInput,
    NetworkError,
    NotFound,
    OkrtError,
    RateLimited,
    ServerError,
    TlsFailure,
    Unauthorized,
)
from okrt_tui.views.status import BAD, WARN
from okrt_tui.views.text import one_line
from okrt_tui.views.times import countdown

KEYS_WHERE = "Keys are made in the OKRs Tool web app under Settings → API Keys."


class ErrorView(msgspec.Struct, frozen=True):
    short: str  # the status bar's reason: "missing scope okrs:read"
    message: str  # what happened, one sentence
    action: str  # what to do, one sentence ("" when nothing is needed)
    tone: str = WARN
    offline: bool = False  # the server could not be reached at all

    @property
    def full(self) -> str:
        return f"{self.message} {self.action}".strip()


def describe_error(error: BaseException, *, retry_in: float | None = None) -> ErrorView:
    """The reading of an error; ``retry_in`` (seconds) is when the next automatic attempt comes."""
    detail = one_line(str(error))
    if isinstance(error, Unauthorized):
        return ErrorView(
            "invalid key",
            "The API key was refused (missing, invalid or revoked).",
            f"Make a new key, set OKRT_API_KEY to it and start okrt-tui again. {KEYS_WHERE}",
            BAD,
        )
    if isinstance(error, Forbidden):
        scope = one_line(error.scope) if error.scope else ""
        if scope:
            return ErrorView(
                f"missing scope {scope}",
                f"This key lacks the {scope} scope.",
                f"Grant {scope} to the key, or use a key that has it. {KEYS_WHERE}",
                BAD,
            )
        return ErrorView(
            "missing scope",
            f"This key lacks a scope this needs ({detail}).",
            f"Grant the scope named there to the key. {KEYS_WHERE}",
            BAD,
        )
    if isinstance(error, RateLimited):
        wait = error.retry_after if retry_in is None else retry_in
        return ErrorView(
            "rate limited",
            "The server asked okrt-tui to slow down (429, too many requests with this key)."
            if error.from_server
            else "No request is sent until this key's rate budget (60 a minute) has room again.",
            f"Resuming in {countdown(wait)}." if wait and wait > 0 else "Resuming now.",
            WARN,
        )
    if isinstance(error, ServerError):
        return ErrorView("server error", detail, _retry_sentence(retry_in), WARN)
    if isinstance(error, TlsFailure):
        # Reached, but not over https: not offline, and trying again fails the same way.
        return ErrorView(
            "no https", detail, "Check the base URL (https://…) and the server's certificate.", BAD
        )
    if isinstance(error, NetworkError):
        return ErrorView(
            "offline",
            f"Cannot reach the server: {detail}",
            _retry_sentence(retry_in),
            BAD,
            offline=True,
        )
    if isinstance(error, NotFound):
        # The client's sentence says what a 404 means for that endpoint (drafts, a wrong base URL).
        return ErrorView("not found", detail, "", WARN)
    if isinstance(error, ApiDataError):
        return ErrorView("unreadable answer", detail, "The data shown is the last that could be read.", BAD)
    if isinstance(error, InvalidInput):
        return ErrorView("invalid input", detail, "", WARN)
    if isinstance(error, OkrtError):
        return ErrorView("error", detail, _retry_sentence(retry_in), WARN)
    return ErrorView("error", f"Unexpected error: {type(error).__name__}: {detail}", "", BAD)


def _retry_sentence(retry_in: float | None) -> str:
    if retry_in is None:
        return "It is retried automatically; press r to try now."
    if retry_in <= 0:
        return "Retrying now."
    return f"Retrying in {countdown(retry_in)}; press r to try now."
