"""One exception per row of the reference's error table, plus what the wire and the data add.

Each error carries the plain sentence a user reads (``str(error)``) and the CLI exit code from
INTERFACE.md, so the CLI, the status bar and the logs all say the same thing. No error ever holds the
API key: messages are built from the server's ``message`` field, the endpoint path and numbers only.
"""

from __future__ import annotations


class OkrtError(Exception):
    """Base of every error okrt-tui reports to a person; ``exit_code`` is INTERFACE.md's."""

    exit_code = 6


class InvalidInput(OkrtError):
    """The user's own input cannot be sent (not a number, an id that is no path segment)."""

    exit_code = 1


class ApiError(OkrtError):
    """The API answered with an error status; ``code`` is the reference's error code."""

    status: int = 0
    code: str = ""

    def __init__(self, message: str, *, endpoint: str = "", server_message: str = "") -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.server_message = server_message


class BadRequest(ApiError):
    status, code, exit_code = 400, "bad_request", 1


class Unauthorized(ApiError):
    status, code, exit_code = 401, "unauthorized", 3


class Forbidden(ApiError):
    """403: the key lacks a scope; ``scope`` names it when the server's message does."""

    status, code, exit_code = 403, "forbidden", 3

    def __init__(self, message: str, *, scope: str | None = None, **kw: str) -> None:
        super().__init__(message, **kw)
        self.scope = scope


class NotFound(ApiError):
    status, code, exit_code = 404, "not_found", 4


class RateLimited(ApiError):
    """429 from the server (``retry_after`` seconds), also raised when the caller asked not to wait."""

    status, code, exit_code = 429, "rate_limit_exceeded", 5

    def __init__(
        self, message: str, *, retry_after: float, from_server: bool = False, final: bool = False, **kw: str
    ) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
        #: True for a 429 answer; False when the local budget refused to wait (nothing was sent).
        self.from_server = from_server
        #: True when the server's wait is longer than the caller will wait: not retried.
        self.final = final


class LedgerUnavailable(OkrtError):
    """Neither the rate ledger's file nor its fallback can be used: nothing is sent, since without a
    shared ledger the key's processes together could break the limit. The message names the files."""

    exit_code = 1


class ServerError(ApiError):
    """500 (or any other 5xx): the reference says it is safe to retry."""

    status, code, exit_code = 500, "server_error", 6


class NetworkError(OkrtError):
    """The request could not be completed: connection refused, DNS, timeout, TLS."""

    exit_code = 6

    def __init__(self, message: str, *, sent: bool = False, timed_out: bool = False) -> None:
        super().__init__(message)
        #: True when the request may have reached the server (a read timeout, a dropped answer).
        self.sent = sent
        #: True when the request went out and no answer came in time (a server that hangs).
        self.timed_out = timed_out


class TlsFailure(NetworkError):
    """The TLS handshake failed (a plain-http server, an unverifiable certificate): nothing was sent,
    and trying again would fail the same way, so it is never retried."""

    def __init__(self, message: str) -> None:
        super().__init__(message, sent=False)


class WriteUnconfirmed(NetworkError):
    """A POST went out but its answer never came: it may or may not have been recorded."""

    exit_code = 75

    def __init__(self, message: str) -> None:
        super().__init__(message, sent=True)


class ApiDataError(OkrtError):
    """The API answered 2xx with a body that cannot be read; names the endpoint and the field."""

    exit_code = 7

    def __init__(self, message: str, *, endpoint: str = "", field: str = "") -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.field = field
