"""A leader's failures as its followers read them (``okrt_tui.sync.shared``): each error crosses the
database as its class, its sentence and what the status texts take from it, so a follower's screen
says what the leader's says."""

from __future__ import annotations

import pytest

from okrt_tui.api.errors import (
    ApiDataError,
    Forbidden,
    LedgerUnavailable,
    NetworkError,
    NotFound,
    OkrtError,
    RateLimited,
    ServerError,
    TlsFailure,
    Unauthorized,
)
from okrt_tui.config import MissingKey
from okrt_tui.sync.shared import _DECODER, _ENCODER, _Feed, _heard, _State, _told
from okrt_tui.views.errors import describe_error

ERRORS = [
    RateLimited("The API's rate limit for this key was reached (429).", retry_after=17, from_server=True),
    RateLimited("Background refreshing has used its share (30) of this key's minute.", retry_after=32),
    Forbidden("This key lacks the kpis:read scope.", scope="kpis:read"),
    Forbidden("Forbidden, says the server."),
    Unauthorized("The API key was refused."),
    NotFound("GET /okrs answered 404: is the base URL right?"),
    ServerError("The server failed (500)."),
    NetworkError("Connection refused (127.0.0.1:9)."),
    TlsFailure("The TLS handshake failed."),
    ApiDataError("GET /kpis: `current` is not a number."),
    LedgerUnavailable("Neither ledger file can be used."),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_a_followers_screen_says_what_the_leaders_says(error: OkrtError) -> None:
    state = _State(feeds={"kpis": _Feed(fetched_at=5.0, error=_told(error), retry_at=20.0)})
    crossed = _heard(_DECODER.decode(_ENCODER.encode(state)).feeds["kpis"].error)
    assert type(crossed) is type(error) and str(crossed) == str(error)
    assert describe_error(crossed, retry_in=15) == describe_error(error, retry_in=15)


def test_an_error_of_a_class_the_api_does_not_define_crosses_as_the_nearest_that_it_does() -> None:
    crossed = _heard(_told(MissingKey("No API key: set OKRT_API_KEY.")))
    assert type(crossed) is OkrtError and str(crossed) == "No API key: set OKRT_API_KEY."
