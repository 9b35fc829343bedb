"""Every error reads as what happened and what to do; 401/403 say where keys and scopes are made."""

from __future__ import annotations

from okrt_tui.api.errors import (
    ApiDataError,
    Forbidden,
    InvalidInput,
    NetworkError,
    NotFound,
    RateLimited,
    ServerError,
    TlsFailure,
    Unauthorized,
)
from okrt_tui.views.errors import describe_error


def test_unauthorized_says_where_keys_are_made():
    view = describe_error(Unauthorized("Invalid API key"))
    assert view.short == "invalid key"
    assert "Settings → API Keys" in view.action


def test_forbidden_names_the_scope_to_grant():
    view = describe_error(Forbidden("This key does not have okrs:read permission", scope="okrs:read"))
    assert view.short == "missing scope okrs:read"
    assert "okrs:read" in view.message and "Grant okrs:read" in view.action
    assert "Settings → API Keys" in view.full


def test_forbidden_without_a_scope_still_explains():
    assert describe_error(Forbidden("nope")).short == "missing scope"


def test_rate_limited_has_a_countdown():
    assert describe_error(RateLimited("slow down", retry_after=23)).action == "Resuming in 23 s."
    assert describe_error(RateLimited("slow down", retry_after=23), retry_in=4.2).action == "Resuming in 5 s."
    assert describe_error(RateLimited("slow down", retry_after=23), retry_in=0).action == "Resuming now."


def test_rate_limited_says_whether_the_server_refused_or_the_budget_held_back():
    server = describe_error(RateLimited("429", retry_after=10, from_server=True))
    assert "server asked" in server.message and "429" in server.message
    budget = describe_error(RateLimited("budget", retry_after=10))
    assert "rate budget" in budget.message and "429" not in budget.message


def test_a_revoked_key_is_told_what_works_today():
    # There are no profiles yet: the key comes from OKRT_API_KEY only.
    action = describe_error(Unauthorized("Invalid API key")).action
    assert "OKRT_API_KEY" in action and "profile" not in action


def test_a_review_not_found_explains_drafts_once():
    message = (
        "Review 'rev-9' was not found (404): it does not exist in this workspace, or it has not been "
        "shared yet (drafts are not readable through the API)."
    )
    view = describe_error(NotFound(message, endpoint="/reviews/rev-9/summary"))
    assert view.full.count("draft") == 1


def test_a_server_error_is_retried_now_while_the_retry_is_on_the_wire():
    assert describe_error(ServerError("boom"), retry_in=0).action == "Retrying now."


def test_server_and_network_errors_say_when_they_retry():
    assert "Retrying in 15 s" in describe_error(ServerError("boom"), retry_in=15).action
    network = describe_error(NetworkError("Connection refused"))
    assert network.offline and network.short == "offline"
    assert "press r" in network.action


def test_other_errors():
    assert describe_error(NotFound("Review x is not shared")).short == "not found"
    assert describe_error(ApiDataError("bad field")).short == "unreadable answer"
    assert describe_error(InvalidInput("bad id")).action == ""
    assert "ValueError" in describe_error(ValueError("x")).message


def test_server_text_in_errors_is_made_safe():
    view = describe_error(ServerError("\x1b[2J[bold]boom"))
    assert "\x1b" not in view.full and "[bold]boom" in view.full


def test_a_server_that_does_not_speak_https_is_not_called_offline():
    # It was reached; retrying fails the same way, so the status bar must not promise a retry.
    view = describe_error(TlsFailure("the server at example.test does not speak https"))
    assert not view.offline and view.short == "no https"
    assert "base URL" in view.full and "Retrying" not in view.full
