"""The async client of the OKRs Tool API: one method per endpoint, the budget, retries, error mapping.

Each request: ask the budget (every attempt, retries included), send, tell the budget what the answer
said about the server's clock and count, then either decode the body or map the status to the error of
``errors.py`` with one or two sentences a person can act on. The key travels only in the
``Authorization`` header, and only over https (or plain http to this computer): it is in no message,
exception or repr, httpx's own exceptions (which hold the request, headers included) are never
chained to ours, and the log's scrubber (``okrt_tui.logs``) knows it, should anything log it anyway.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import ssl
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from okrt_tui import __version__
from okrt_tui.api.budget import Budget, Priority
from okrt_tui.api.clock import SYSTEM_CLOCK, Clock
from okrt_tui.api.decode import (
    MAX_BODY,
    check_id,
    decode_checkin,
    decode_kpi_update,
    decode_kpis,
    decode_okrs,
    decode_review_cycles,
    decode_review_summary,
)
from okrt_tui.api.errors import (
    ApiDataError,
    ApiError,
    BadRequest,
    Forbidden,
    InvalidInput,
    NetworkError,
    NotFound,
    OkrtError,
    RateLimited,
    ServerError,
    TlsFailure,
    Unauthorized,
    WriteUnconfirmed,
)
from okrt_tui.api.models import (
    OKR_STATUSES,
    CheckinResult,
    Kpi,
    KpiUpdateResult,
    Okr,
    ReviewCycle,
    ReviewSummary,
)
from okrt_tui.api.retry import RetryPolicy, may_retry
from okrt_tui.logs import register_secret

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=10.0, pool=5.0)
"""Connect fails fast (a wrong host or no network shows at once); a read of 500 records may take a while."""
MAX_RETRY_AFTER = 300.0
"""The longest pause a 429 imposes on the key's other requests and processes (the window is a minute): a
broken header must not park a dashboard for a day. A command still reports the server's own time."""

_SCOPE = re.compile(r"\b([a-z][a-z-]*:(?:read|write))\b")
_KEY_CHARS = re.compile(r"^[\x21-\x7e]+$")
_NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"
"""The nil UUID: no workspace holds a record with it, so a scope probe aimed at it records nothing."""
_SCOPE_PROBES = {"kpis:write": "/kpis/{}/updates", "okr-checkins:write": "/okrs/{}/checkins"}
_NOT_TLS = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "UNKNOWN_PROTOCOL"}
"""OpenSSL's reasons for a handshake answered by something that is not TLS (a plain-http server)."""


class Fetched(msgspec.Struct, Generic[T], frozen=True):
    """One decoded answer, with the bytes exactly as the API sent them and when they arrived."""

    data: T
    raw: bytes  # the body as sent: the CLI's --json prints it, the cache stores it
    received_at: float  # epoch seconds, on the client's clock


class _Call(msgspec.Struct, frozen=True):
    """One endpoint call: what it is, the scope it needs, and what a 404 means for it."""

    method: str
    path: str
    scope: str
    not_found: str
    body: bytes | None = None
    what: str = ""  # for writes: "check-in", "KPI update"


class OkrtClient:
    """One workspace through one key. Use as ``async with OkrtClient(...) as client:``."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        budget: Budget,
        timeout: httpx.Timeout | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = SYSTEM_CLOCK,
        retry: RetryPolicy | None = None,
        max_wait: float | None = None,
        blocking: bool = False,
    ) -> None:
        """``max_wait``: the longest, in seconds, one call waits for the rate limit, all its attempts
        together (the CLI's cap); a longer wait fails at once with ``RateLimited``. None: no cap.
        ``blocking``: send through httpx's blocking client (``okrt_tui.api.blocking``), as a one-shot
        command does: it starts faster, and sends one request at a time."""
        self.max_wait = max_wait
        self.base_url = base_url.rstrip("/")
        url = httpx.URL(self.base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise InvalidInput(f"The base URL {self.base_url!r} is not an http(s) URL.")
        loopback = _is_loopback(url.host)
        if url.scheme == "http" and not loopback:
            # Refused before any connection: the key would cross the network in clear text.
            raise InvalidInput(
                f"The base URL {self.base_url} is plain http, which would send the API key in clear "
                "text: https is required (plain http is allowed only to this computer, e.g. a local "
                "sandbox on 127.0.0.1)."
            )
        self._host = url.host
        self._key = api_key
        register_secret(api_key)  # whatever puts the key into a log line, the log never holds it
        self.budget = budget
        self._clock = clock
        self._retry = retry or RetryPolicy()
        #: Every request this client put on the wire, retries included (``auth status`` says how many).
        self.requests_sent = 0
        connection: dict[str, Any] = {
            "follow_redirects": False,  # a redirect would carry the key to wherever it points
            # Proxies from the environment, except for a test transport and the loopback sandbox.
            "trust_env": transport is None and not loopback,
            # Plain http (loopback only) never uses TLS: skipping the CA bundle saves ~0.3 s of
            # start-up per process. https always verifies: no option turns that off.
            "verify": url.scheme == "https",
        }
        if blocking and transport is None:
            from okrt_tui.api.blocking import BlockingTransport

            transport = BlockingTransport(httpx.Client(**connection))
            connection["trust_env"] = False  # the blocking client has the proxies
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers={"User-Agent": f"okrt-tui/{__version__}", "Accept": "application/json"},
            timeout=timeout or DEFAULT_TIMEOUT,
            transport=transport,
            **connection,
        )

    def __repr__(self) -> str:
        return f"OkrtClient({self.base_url!r})"

    async def __aenter__(self) -> OkrtClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- reads --------------------------------------------------------------------------------------

    async def list_okrs(
        self, *, priority: Priority = Priority.INTERACTIVE, wait: bool = True, reconnect: bool = True
    ) -> Fetched[tuple[Okr, ...]]:
        call = _Call("GET", "/okrs", "okrs:read", self._missing_path("/okrs"))
        return await self._fetch(call, decode_okrs, priority, wait, reconnect=reconnect)

    async def list_kpis(
        self, *, priority: Priority = Priority.INTERACTIVE, wait: bool = True, reconnect: bool = True
    ) -> Fetched[tuple[Kpi, ...]]:
        call = _Call("GET", "/kpis", "kpis:read", self._missing_path("/kpis"))
        return await self._fetch(call, decode_kpis, priority, wait, reconnect=reconnect)

    async def list_review_cycles(
        self, *, priority: Priority = Priority.INTERACTIVE, wait: bool = True, reconnect: bool = True
    ) -> Fetched[tuple[ReviewCycle, ...]]:
        call = _Call("GET", "/review-cycles", "reviews:read", self._missing_path("/review-cycles"))
        return await self._fetch(call, decode_review_cycles, priority, wait, reconnect=reconnect)

    async def get_review_summary(
        self, review_id: str, *, priority: Priority = Priority.INTERACTIVE, wait: bool = True
    ) -> Fetched[ReviewSummary]:
        check_id(review_id)
        call = _Call(
            "GET",
            f"/reviews/{quote(review_id, safe='')}/summary",
            "reviews:read",
            f"Review {review_id!r} was not found (404): it does not exist in this workspace, or it has "
            "not been shared yet (drafts are not readable through the API).",
        )
        return await self._fetch(call, decode_review_summary, priority, wait)

    # -- writes -------------------------------------------------------------------------------------

    async def create_checkin(
        self,
        kr_id: str,
        value: float,
        *,
        status: str | None = None,
        comment: str | None = None,
        wait: bool = True,
        on_send: Callable[[bool], object] | None = None,
    ) -> Fetched[CheckinResult]:
        """Records a Key Result check-in; ``WriteUnconfirmed`` when it went out and no answer came.

        ``on_send(True)`` runs right before each attempt goes on the wire (after the budget let it
        through), ``on_send(False)`` after an attempt that surely recorded nothing (a refused
        connection, a 429, a 500), before any retry waits: the outbox keeps its state by them."""
        check_id(kr_id)
        body = _write_body(value, comment)
        if status is not None:
            if status not in OKR_STATUSES:
                raise InvalidInput(
                    f"{status!r} is not a check-in status: use one of {', '.join(OKR_STATUSES)}."
                )
            body["status"] = status
        return await self._write(
            f"/okrs/{quote(kr_id, safe='')}/checkins",
            "okr-checkins:write",
            "check-in",
            f"Key result {kr_id!r}",
            body,
            decode_checkin,
            wait,
            on_send,
        )

    async def create_kpi_update(
        self,
        kpi_id: str,
        value: float,
        *,
        comment: str | None = None,
        wait: bool = True,
        on_send: Callable[[bool], object] | None = None,
    ) -> Fetched[KpiUpdateResult]:
        """Records a KPI value; ``WriteUnconfirmed`` when it went out and no answer came (``on_send``:
        see ``create_checkin``)."""
        check_id(kpi_id)
        return await self._write(
            f"/kpis/{quote(kpi_id, safe='')}/updates",
            "kpis:write",
            "KPI update",
            f"KPI {kpi_id!r}",
            _write_body(value, comment),
            decode_kpi_update,
            wait,
            on_send,
        )

    async def _write(
        self,
        path: str,
        scope: str,
        what: str,
        target: str,
        body: dict[str, Any],
        decode: Callable[[bytes, str], T],
        wait: bool,
        on_send: Callable[[bool], object] | None,
    ) -> Fetched[T]:
        """One POST, always at interactive priority: a person is waiting for it."""
        not_found = (
            f"{target} was not found (404) in this workspace; nothing was recorded. "
            "Check the id in the web app."
        )
        call = _Call("POST", path, scope, not_found, body=msgspec.json.encode(body), what=what)
        return await self._fetch(call, decode, Priority.INTERACTIVE, wait, on_send)

    async def holds_write_scope(self, scope: str, *, wait: bool = True) -> bool:
        """Whether the key holds a write scope, found without writing anything.

        One POST with an empty body to an id no workspace holds. The API checks the scope before the
        id and the id before the body (401, 429, 403, 404, 400), so 403 says the scope is missing and
        404 (or 400, from a server that reads the body first) that it is held; nothing can be recorded
        either way, as the body has no value and the id no record."""
        path = _SCOPE_PROBES[scope].format(_NO_SUCH_ID)
        call = _Call("POST", path, scope, "", body=b"{}", what="scope check")
        try:
            await self._fetch(call, _ignore_body, Priority.INTERACTIVE, wait)
        except Forbidden:
            return False
        except (NotFound, BadRequest):
            return True
        return True  # a 2xx cannot come from an id that does not exist; it would still mean the scope

    # -- one call, with its retries -----------------------------------------------------------------

    async def _fetch(
        self,
        call: _Call,
        decode: Callable[[bytes, str], T],
        priority: Priority,
        wait: bool,
        on_send: Callable[[bool], object] | None = None,
        *,
        reconnect: bool = True,
    ) -> Fetched[T]:
        """``reconnect=False``: a connection that could not be made is said at once, not tried again
        (see ``retry.may_retry``)."""
        self._check_key()
        deadline = None if self.max_wait is None else self._clock.now() + self.max_wait
        raw, received_at = b"", 0.0
        async for attempt in self._retry.retrying(call.method, self._clock, wait=wait, reconnect=reconnect):
            with attempt:
                try:
                    raw, received_at = await self._attempt(call, priority, wait, deadline, on_send)
                except OkrtError as exc:
                    if on_send is not None and may_retry(call.method, exc):
                        on_send(False)  # retried only when nothing was recorded
                    raise
        return Fetched(data=decode(raw, call.path), raw=raw, received_at=received_at)

    async def _attempt(
        self,
        call: _Call,
        priority: Priority,
        wait: bool,
        deadline: float | None,
        on_send: Callable[[bool], object] | None,
    ) -> tuple[bytes, float]:
        max_wait = None if deadline is None else deadline - self._clock.now()
        taken = await self.budget.acquire(priority, wait=wait, max_wait=max_wait)
        if on_send is not None:
            try:
                on_send(True)
            except BaseException:
                self.budget.give_back(taken)  # it never left: it counts nowhere
                raise
        headers = {"Authorization": f"Bearer {self._key}"}
        if call.body is not None:
            headers["Content-Type"] = "application/json"
        request = self._http.build_request(
            call.method, call.path.lstrip("/"), content=call.body, headers=headers
        )
        sent_at = self._clock.now()
        failure: OkrtError | None = None
        self.requests_sent += 1
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = self._network_failure(call, exc)
        if failure is not None:
            if isinstance(failure, NetworkError) and not failure.sent:
                self.budget.give_back(taken)  # nothing reached the server: it counted nowhere
            raise failure  # outside the except block: the httpx exception (and its headers) stays behind
        try:
            # A 429's own Remaining (0) only repeats the refusal; its Retry-After says when the server
            # takes requests again, and learning the 0 as other clients' use of the window would hold
            # every request to the window's end however short the server asked us to wait.
            self.budget.observe(
                date=response.headers.get("date"),
                remaining=None
                if response.status_code == 429
                else _int_header(response.headers.get("x-ratelimit-remaining")),
                reset=_float_header(response.headers.get("x-ratelimit-reset")),
                sent_at=sent_at,
            )
            raw = await self._read_body(response, call)
        except httpx.HTTPError as exc:
            failure = self._body_failure(call, response.status_code, exc)
        except OkrtError as exc:
            failure = exc
        finally:
            await response.aclose()
        if failure is not None:
            raise failure
        received_at = self._clock.now()
        log.debug("%s %s: %d, %d bytes", call.method, call.path, response.status_code, len(raw))
        if not 200 <= response.status_code < 300:
            raise self._status_error(call, response, raw, deadline)
        return raw, received_at

    async def _read_body(self, response: httpx.Response, call: _Call) -> bytes:
        declared = _int_header(response.headers.get("content-length"))
        if declared is not None and declared > MAX_BODY:
            raise _too_big(call.path, declared)
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > MAX_BODY:
                raise _too_big(call.path, total)
            chunks.append(chunk)
        return b"".join(chunks)

    # -- turning failures into sentences ------------------------------------------------------------

    def _network_failure(self, call: _Call, exc: httpx.HTTPError) -> OkrtError:
        tls = _ssl_error(exc)
        if tls is not None and isinstance(exc, httpx.ConnectError):
            return self._tls_failure(tls)
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | httpx.ProxyError):
            detail = self._scrub(str(exc)) if isinstance(exc, httpx.ConnectError) else ""
            reason = "timed out" if isinstance(exc, httpx.TimeoutException) else detail or "connection failed"
            return NetworkError(
                f"Could not connect to the API at {self._host} ({reason}); nothing was sent. "
                "Check the network and the base URL.",
                sent=False,
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
            return NetworkError(
                f"The request to {self._host} could not be built; nothing was sent.", sent=False
            )
        timed_out = isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout)
        reason = "no answer in time" if timed_out else "the connection was closed before the answer"
        if call.method == "POST":
            return WriteUnconfirmed(
                f"The {call.what} was sent to {self._host} but no answer came ({reason}): it may or may "
                "not have been recorded. Check the web app before sending it again."
            )
        return NetworkError(
            f"The API at {self._host} did not answer {call.method} {call.path} ({reason}). Try again later.",
            sent=True,
            timed_out=timed_out,
        )

    def _tls_failure(self, error: ssl.SSLError) -> TlsFailure:
        """A handshake that failed fails the same way on every attempt: said at once, never retried."""
        detail = self._scrub(error.verify_message if isinstance(error, ssl.SSLCertVerificationError) else "")
        if error.reason in _NOT_TLS:
            what = f"The server at {self._host} does not speak https"
            hint = "Check the base URL (a local sandbox is http://127.0.0.1:PORT/api/v1)."
        elif isinstance(error, ssl.SSLCertVerificationError):
            what = f"The server at {self._host} did not prove it is {self._host} ({detail or 'certificate'})"
            hint = "Check the base URL, and the system's CA certificates (or SSL_CERT_FILE)."
        else:
            what = f"The secure connection to {self._host} failed ({error.reason or 'TLS handshake'})"
            hint = "Check the base URL and the network."
        return TlsFailure(f"{what}; nothing was sent. {hint}")

    def _body_failure(self, call: _Call, status: int, exc: httpx.HTTPError) -> OkrtError:
        if isinstance(exc, httpx.DecodingError) or (call.method == "POST" and 200 <= status < 300):
            # The status line arrived: a 2xx write was recorded even though its record is unreadable.
            return ApiDataError(
                f"The API answered {call.method} {call.path} ({status}) but its answer was cut off or "
                "could not be decoded."
                + (
                    f" The {call.what} was recorded." if call.method == "POST" and 200 <= status < 300 else ""
                ),
                endpoint=call.path,
                field="$",
            )
        return self._network_failure(call, exc)

    def _status_error(
        self, call: _Call, response: httpx.Response, raw: bytes, deadline: float | None = None
    ) -> OkrtError:
        status = response.status_code
        code, server_message = _error_body(raw)
        message = self._scrub(server_message or "")
        said = f": {message.rstrip('.')}" if message else ""
        kw = {"endpoint": call.path, "server_message": message}
        nothing = " Nothing was recorded." if call.method == "POST" else ""
        if status == 401:
            return Unauthorized(
                "The API key was rejected (401): it is missing, invalid or revoked. Create a new key under "
                "Settings → API Keys in the OKRs Tool and use it instead.",
                **kw,
            )
        if status == 403:
            match = _SCOPE.search(message)
            scope = match.group(1) if match else call.scope
            return Forbidden(
                f"This key lacks the {scope} scope (403), which {call.method} {call.path} needs. Grant "
                f"{scope} to the key under Settings → API Keys, or use a key that has it.{nothing}",
                scope=scope,
                **kw,
            )
        if status == 404:
            return NotFound(call.not_found, **kw)
        if status == 429:
            seconds = self._retry_after(response, raw)
            self.budget.pause(min(seconds, MAX_RETRY_AFTER))
            if deadline is not None and self._clock.now() + seconds > deadline:
                return RateLimited(
                    f"The API's rate limit for this key was reached (429), and it accepts requests again "
                    f"in {_duration(seconds)}: more than a command waits ({self.max_wait or 0:.0f} s in "
                    f"all). Try again then.{nothing}",
                    retry_after=seconds,
                    from_server=True,
                    final=True,
                    **kw,
                )
            seconds = min(seconds, MAX_RETRY_AFTER)  # what the budget waits; a refresher tries again then
            return RateLimited(
                f"The API's rate limit for this key was reached (429); it accepts requests again in "
                f"{_duration(seconds)}.{nothing}",
                retry_after=seconds,
                from_server=True,
                final=False,  # said, so that **kw (str values) cannot be taken to fill it
                **kw,
            )
        if status >= 500:
            # The reference's 500 says "Safe to retry" itself: say it once.
            safe = "" if "retry" in message.lower() else " It is safe to try again later."
            error: ApiError = ServerError(
                f"The API failed on {call.method} {call.path} ({status}{said}).{safe}", **kw
            )
        elif 300 <= status < 400:
            error = ServerError(
                f"The API answered {call.method} {call.path} with a redirect ({status}); check the base "
                f"URL ({self.base_url}).",
                **kw,
            )
        else:
            error = BadRequest(
                f"The API refused {call.method} {call.path} as malformed ({status}{said}).{nothing}", **kw
            )
        error.status = status
        if code:
            error.code = code
        return error

    def _retry_after(self, response: httpx.Response, raw: bytes) -> float:
        """The server's wait, as it said it (``Retry-After``, else the body's ``retry_after_seconds``);
        without either, until the next UTC minute, when the reference's windows reset. Not capped
        here: the pause the budget keeps is (``MAX_RETRY_AFTER``), the message tells the truth."""
        seconds = _retry_after_header(response.headers.get("retry-after"), response.headers.get("date"))
        if seconds is None:
            body = _json_object(raw)
            value = body.get("retry_after_seconds") if body else None
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                seconds = float(value)
        if seconds is None:
            seconds = self.budget.status().reset_in + self.budget.margin
        return max(seconds, 0.0)

    def _missing_path(self, path: str) -> str:
        return f"{path} was not found on the server (404): check the base URL ({self.base_url})."

    def _check_key(self) -> None:
        if not self._key:
            raise Unauthorized("No API key was given: create one under Settings → API Keys in the OKRs Tool.")
        if not self._key.startswith("okrt_"):
            raise Unauthorized(
                "This is not an OKRs Tool API key: keys start with okrt_. Copy the whole key from "
                "Settings → API Keys in the OKRs Tool; nothing was sent."
            )
        if not _KEY_CHARS.match(self._key):
            raise Unauthorized(
                "The API key contains spaces or characters that cannot be sent in a header: copy it again "
                "(keys start with okrt_ and have no spaces)."
            )

    def _scrub(self, text: str) -> str:
        """Removes the key from text that came from elsewhere (a server message, a socket error)."""
        if self._key and len(self._key) >= 4:
            text = text.replace(self._key, "[api key]")
        return text


def _ignore_body(raw: bytes, path: str) -> None:
    return None


def _is_loopback(host: str) -> bool:
    """This computer: localhost, 127.0.0.0/8, ::1 (a name that resolves there elsewhere does not count)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _ssl_error(exc: BaseException) -> ssl.SSLError | None:
    """The TLS failure under an httpx error (httpx wraps httpcore's, which wraps the ssl module's)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _write_body(value: float, comment: str | None) -> dict[str, Any]:
    """The fields both writes share, checked before anything is sent."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{value!r} is not a number; nothing was sent.")
    body: dict[str, Any] = {"value": value}
    if comment is not None:
        if not isinstance(comment, str):
            raise InvalidInput("The comment must be text; nothing was sent.")
        body["comment"] = comment
    return body


def _duration(seconds: float) -> str:
    """``42 s``; past two minutes also in larger units: ``99999 s (about 28 h)``."""
    whole = math.ceil(seconds)
    if whole < 120:
        return f"{whole} s"
    if whole < 7200:
        return f"{whole} s (about {round(whole / 60)} min)"
    return f"{whole} s (about {round(whole / 3600)} h)"


def _too_big(path: str, size: int) -> ApiDataError:
    return ApiDataError(
        f"The API's answer to {path} is over {MAX_BODY // 2**20} MB ({size // 2**20} MB), far more than "
        "any answer it documents; check the base URL.",
        endpoint=path,
        field="$",
    )


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        body = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):  # "[" * 5000 is no error body
        return None
    return body if isinstance(body, dict) else None


def _error_body(raw: bytes) -> tuple[str | None, str | None]:
    """``(error, message)`` of the standard error shape; Nones for anything else."""
    body = _json_object(raw[:65536]) if len(raw) <= 65536 else None
    if body is None:
        return None, None
    code, message = body.get("error"), body.get("message")
    code = code if isinstance(code, str) and code.isprintable() and len(code) <= 64 else None
    if isinstance(message, str):
        message = " ".join(message.split())[:300] or None
        if message and not message.isprintable():
            message = "".join(ch for ch in message if ch.isprintable())
    else:
        message = None
    return code, message


def _int_header(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def _float_header(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _retry_after_header(value: str | None, date: str | None) -> float | None:
    """Seconds from ``Retry-After``: a number of seconds, or an HTTP date (against the server's Date)."""
    if not value:
        return None
    number = _float_header(value)
    if number is not None:
        return number
    try:
        until = parsedate_to_datetime(value).timestamp()
        now = parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return None if now is None else until - now
