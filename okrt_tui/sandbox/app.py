"""The sandbox's HTTP side: the six endpoints of the reference, its rules, and the control endpoints.

Every request under the API goes through ``Api.handle``, whose order *is* the reference's precedence
when several things are wrong (INTERFACE.md): 401 (key), 429 (window), 403 (scope), 404 (path or
id), 400 (body). Reading it top to bottom:

1. **Key.** ``Authorization: Bearer okrt_…`` naming one of the fixed keys that is not revoked; anything
   else (no header, another scheme, no ``okrt_`` prefix, an unknown or revoked key) is 401 on any
   path, known or not. Only valid keys have a rate window.
2. **Window.** Every request with a valid key counts, whatever it gets afterwards (403, 404, 400, an
   injected fault): a fixed window of 60 per key, ``floor(now / 60)`` on the sandbox clock, so it
   resets at the start of each UTC minute. The 61st and later get 429 with ``Retry-After`` (whole
   seconds to the next window, rounded up, at least 1) and exactly
   ``{"error": "rate_limit_exceeded", "retry_after_seconds": N}``.
3. **Endpoint.** Path (a trailing slash is tolerated) and method must name one of the six endpoints;
   otherwise 404, a wrong method on a known path included. An armed fault (``faults``) is taken here.
4. **Scope**, 403 ``forbidden`` naming it: "This key does not have kpis:write permission".
5. **Id**: one that this key's workspace does not hold is 404 (another workspace's, a malformed one, a
   review that is not shared).
6. **Body** (writes), each of these a 400 ``bad_request``, in this order: a ``Content-Type`` other
   than ``application/json`` (parameters such as ``charset`` aside; a missing one is read as JSON, as
   FastAPI does); a body over 1 MB, refused by its ``Content-Length`` before a byte of it is read, or
   (chunked) as soon as 1 MB has arrived, and the answer closes the connection so the rest is never
   read; not a JSON object in UTF-8; a key given twice in one object (RFC 8259 leaves the meaning
   open, I-JSON forbids it: the sandbox will not guess which one the client meant); ``value`` not a
   JSON number (a string, boolean, null, array, object, NaN or infinity); ``status`` not one of the
   three; ``comment`` not a string, or holding a control character other than tab, line feed and
   carriage return (NUL, BEL, ESC, DEL, C1: a comment is text people type, PostgreSQL's ``text``
   cannot hold NUL, and an ESC stored is a terminal escape replayed to every reader).

Lists hold at most 500 records, most recent first: objectives by ``updated_at`` (the later of creation
and the latest check-in on any of their key results), KPIs by ``last_updated``, review cycles by
``due_date`` (then creation). Ties fall back to creation time, then id.

By default answers carry INTERFACE.md's extension fields and the ``X-RateLimit-*`` headers (on every
answer to a valid key, errors included; an injected 429 reports the window as spent); ``strict`` sends
exactly the documented fields and headers. Unhandled errors become 500 ``server_error`` in the
standard shape.

Where the reference is silent: the ``Content-Type``, size, duplicate-key and control-character
rules above (413 would be HTTP's status for a body too large, but the reference's table has none, so a
client sees the documented 400 in the standard shape); an optional field sent as ``null`` counts as
given, so ``"status": null`` and ``"comment": null`` are 400; unknown body fields are ignored; query
strings are ignored; ``HEAD`` and ``OPTIONS`` are wrong methods (404) like any other. A request that
does not arrive in full within the server's deadline loses its connection (``protocol``). The control
endpoints read their bodies by the same rules.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any, NoReturn

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Message, Receive, Scope, Send

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.clock import Clock, iso
from okrt_tui.sandbox.db import Checkin, Database, KpiUpdate, OkrRow
from okrt_tui.sandbox.faults import Fault, FaultError, FaultPlan, parse_fault
from okrt_tui.sandbox.keys import (
    CHECKINS_WRITE,
    KEYS,
    KPIS_READ,
    KPIS_WRITE,
    OKRS_READ,
    REVIEWS_READ,
    ApiKey,
    key_hash,
)
from okrt_tui.sandbox.seed import seed_database
from okrt_tui.sandbox.simulate import Teammates

logger = logging.getLogger("okrt_tui.sandbox")

API_PREFIX = "/api/v1"
WINDOW_LIMIT = 60
WINDOW_SECONDS = 60
LIST_LIMIT = 500
MAX_BODY_BYTES = 1_000_000
#: Control characters (Unicode category Cc: C0, DEL, C1) but tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONNECTION = "okrt.sandbox.connection"  # scope key: per-request flags to drop or close the connection


# --- responses --------------------------------------------------------------------------------------


def _json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(content, status_code=status, headers=headers)


def error(status: int, code: str, message: str) -> JSONResponse:
    """The reference's standard error shape."""
    return _json({"error": code, "message": message}, status)


def too_many_requests(retry_after: int) -> JSONResponse:
    return _json(
        {"error": "rate_limit_exceeded", "retry_after_seconds": retry_after},
        429,
        {"Retry-After": str(retry_after)},
    )


def server_error() -> JSONResponse:
    return error(500, "server_error", "Something went wrong on our end. Safe to retry.")


def number(x: float) -> int | float:
    """A stored value as JSON shows it: ``70`` rather than ``70.0`` when it is whole."""
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


class BadRequest(Exception):
    """A body the endpoint cannot accept; the message is the 400's."""


async def read_object(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object, read no further than ``MAX_BODY_BYTES``.

    A body declared as anything but ``application/json`` is refused unread; one without a
    ``Content-Type`` is read as JSON (the API speaks nothing else). A ``Content-Length`` above the limit
    is refused before a byte of the body is read, and a body without one (chunked) is read only up to
    the limit; either way the answer closes the connection, so the rest of the body is never read.
    """
    declared = request.headers.get("content-type")
    if declared is not None and declared.partition(";")[0].strip().lower() != "application/json":
        raise BadRequest("The request body must be JSON, sent with 'Content-Type: application/json'.")
    length = request.headers.get("content-length")
    if length is not None and (len(length) > 18 or int(length) > MAX_BODY_BYTES):  # h11 checked digits
        _too_large(request)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                _too_large(request)
    except ClientDisconnect:  # the client hung up, or its deadline passed (``protocol``): nobody hears this
        raise BadRequest("The request body did not arrive in full.") from None
    return parse_object(bytes(body))


def _too_large(request: Request) -> NoReturn:
    if _CONNECTION in request.scope:
        request.scope[_CONNECTION]["close"] = True
    raise BadRequest(f"The request body is too large: at most {MAX_BODY_BYTES:,} bytes.")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise BadRequest(f'The request body has the key "{name}" twice: send each key once.')
        seen[name] = value
    return seen


def parse_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object; NaN and Infinity literals are not JSON and are refused too, and so is
    a key given twice in one object (RFC 8259 leaves its meaning open: which one would be stored?)."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=refuse, object_pairs_hook=_unique_keys)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("The request body must be a JSON object (UTF-8).") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def parse_value(body: dict[str, Any]) -> float:
    if "value" not in body:
        raise BadRequest("value is missing: send the new value as a JSON number.")
    value = body["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"value must be a JSON number, not {_json_type(value)}.")
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    if not math.isfinite(as_float):
        raise BadRequest("value must be a finite number.")
    return as_float


def parse_comment(body: dict[str, Any]) -> str | None:
    if "comment" not in body:
        return None
    comment = body["comment"]
    if not isinstance(comment, str):
        raise BadRequest(f"comment must be a string, not {_json_type(comment)}.")
    if _CONTROL.search(comment):
        raise BadRequest("comment must not hold control characters (tab and line breaks are fine).")
    return comment


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a number"


# --- rate windows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Usage:
    """One request's place in its key's window."""

    count: int  # requests in this window so far, this one included
    window: int  # floor(now / 60)
    now: float

    @property
    def allowed(self) -> bool:
        return self.count <= WINDOW_LIMIT

    @property
    def reset_at(self) -> int:
        return (self.window + 1) * WINDOW_SECONDS

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - self.now))

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(WINDOW_LIMIT),
            "X-RateLimit-Remaining": str(max(0, WINDOW_LIMIT - self.count)),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateWindows:
    """Fixed UTC-minute windows per key; it remembers the last day of windows for ``/_sandbox/requests``."""

    KEEP = 24 * 60

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, now: float) -> Usage:
        window = math.floor(now / WINDOW_SECONDS)
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        if len(self._counts) > self.KEEP * len(KEYS):
            for old in [k for k in self._counts if k[1] < window - self.KEEP]:
                del self._counts[old]
        return Usage(count, window, now)

    def report(self) -> list[dict[str, Any]]:
        return [
            {
                "key_hash": key_hash(key),
                "label": KEYS[key].label,
                "window": window,
                "window_start": iso(window * WINDOW_SECONDS),
                "count": count,
            }
            for (key, window), count in sorted(
                self._counts.items(), key=lambda item: (item[0][1], KEYS[item[0][0]].label)
            )
        ]


# --- the API ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    pattern: re.Pattern[str]
    scope: str
    handler: str  # the name of the Api method that answers it

    @property
    def is_write(self) -> bool:
        return self.method == "POST"


ENDPOINTS = (
    Endpoint("GET", re.compile(r"/okrs"), OKRS_READ, "list_okrs"),
    Endpoint("POST", re.compile(r"/okrs/(?P<id>[^/]+)/checkins"), CHECKINS_WRITE, "checkin"),
    Endpoint("GET", re.compile(r"/kpis"), KPIS_READ, "list_kpis"),
    Endpoint("POST", re.compile(r"/kpis/(?P<id>[^/]+)/updates"), KPIS_WRITE, "kpi_update"),
    Endpoint("GET", re.compile(r"/review-cycles"), REVIEWS_READ, "list_cycles"),
    Endpoint("GET", re.compile(r"/reviews/(?P<id>[^/]+)/summary"), REVIEWS_READ, "review_summary"),
)


def match_endpoint(method: str, path: str) -> tuple[Endpoint, dict[str, str]] | None:
    if not path.startswith(API_PREFIX + "/"):
        return None
    rest = path[len(API_PREFIX) :]
    for endpoint in ENDPOINTS:
        found = endpoint.pattern.fullmatch(rest)
        if found and endpoint.method == method:
            return endpoint, found.groupdict()
    return None


def authenticate(header: str | None) -> ApiKey | JSONResponse:
    if not header:
        return error(401, "unauthorized", "Missing API key: send it as 'Authorization: Bearer okrt_…'.")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith("okrt_"):
        return error(401, "unauthorized", "Invalid API key: send it as 'Authorization: Bearer okrt_…'.")
    key = KEYS.get(token)
    if key is None:
        return error(401, "unauthorized", "Invalid API key.")
    if key.revoked:
        return error(401, "unauthorized", "This API key has been revoked.")
    return key


class Sandbox:
    """Everything one sandbox holds: its data, clock, windows, pending fault and settings."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock | None = None,
        strict: bool = False,
        control: bool = False,
        simulate: bool = False,
        every: float = 5.0,
        seed: int = 1,
    ) -> None:
        self.db = db
        self.clock = clock or Clock()
        self.strict = strict
        self.control = control
        self.simulate = simulate
        self.every = every
        self.windows = RateWindows()
        self.faults = FaultPlan()
        self.teammates = Teammates(db, self.clock, seed)
        #: Set by whoever runs the server: a slow fault stops holding its answer once this is true.
        self.is_stopping: Callable[[], bool] = lambda: False


class Api:
    """The six endpoints, as one ASGI app behind the control routes."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.db = sandbox.db
        self.clock = sandbox.clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        key = authenticate(request.headers.get("authorization"))
        if isinstance(key, Response):
            return key
        usage = self.sandbox.windows.hit(key.key, self.clock.now())
        fault: Fault | None = None
        try:
            response, fault = await self._within_window(request, key, usage)
        except Exception:
            logger.exception("sandbox: %s %s failed", request.method, request.url.path)
            response = server_error()
        if not self.sandbox.strict:
            response.headers.update(usage.headers())
            if fault is not None and fault.kind == "429":  # as if another client had spent the window
                response.headers["X-RateLimit-Remaining"] = "0"
        if fault is not None and fault.kind == "slow":
            await self._hold(request, fault.seconds)
        if fault is not None and fault.kind == "drop" and _CONNECTION in request.scope:
            request.scope[_CONNECTION]["drop"] = True
        return response

    async def _hold(self, request: Request, seconds: float) -> None:
        """Waits ``seconds`` before answering, unless the client hangs up or the server is stopping."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            if self.sandbox.is_stopping() or await request.is_disconnected():
                return
            await asyncio.sleep(min(0.05, left))

    async def _within_window(
        self, request: Request, key: ApiKey, usage: Usage
    ) -> tuple[Response, Fault | None]:
        if not usage.allowed:
            return too_many_requests(usage.retry_after), None
        found = match_endpoint(request.method, request.scope["path"])
        if found is None:
            return error(404, "not_found", f"Not found: {request.method} {request.url.path}"), None
        endpoint, params = found
        fault = self.sandbox.faults.take(endpoint.is_write)
        if fault is not None and fault.kind == "429":
            retry = max(1, math.ceil(fault.seconds)) if fault.explicit_seconds else usage.retry_after
            return too_many_requests(retry), fault
        if fault is not None and fault.kind == "500":
            return server_error(), None
        if endpoint.scope not in key.scopes:
            return error(403, "forbidden", f"This key does not have {endpoint.scope} permission"), fault
        handler: Callable[..., Awaitable[Response]] = getattr(self, endpoint.handler)
        try:
            return await handler(request, key.workspace, **params), fault
        except BadRequest as exc:
            return error(400, "bad_request", str(exc)), fault

    # --- OKRs -----------------------------------------------------------------------------------------

    async def list_okrs(self, request: Request, workspace: str) -> Response:
        now = self.clock.now()
        return _json([self._okr(row, now) for row in self.db.okr_page(workspace, LIST_LIMIT)])

    def _okr(self, row: OkrRow, now: float) -> dict[str, Any]:
        objective = row.objective
        states = [
            scoring.KeyResultState(
                kr.start,
                kr.target,
                kr.current,
                tuple(scoring.Checkin(c.created_at, c.value, c.status) for c in cs),
            )
            for kr, cs in row.key_results
        ]
        score = scoring.score_objective(objective.cycle, states, now)
        record: dict[str, Any] = {
            "id": objective.id,
            "title": objective.title,
            "type": objective.type,
            "owner": objective.owner,
            "progress": round(score.progress, 4),
            "status": score.status,
            "health_score": score.health,
            "cycle": objective.cycle,
        }
        if not self.sandbox.strict:
            record["updated_at"] = iso(objective.updated_at)
            record["key_results"] = [
                {
                    "id": kr.id,
                    "title": kr.title,
                    "start": number(kr.start),
                    "current": number(kr.current),
                    "target": number(kr.target),
                    "unit": kr.unit,
                    "progress": round(progress, 4),
                    "status": status,
                    "last_checkin_at": iso(checkins[-1].created_at) if checkins else None,
                }
                for (kr, checkins), progress, status in zip(
                    row.key_results, score.kr_progress, score.kr_status, strict=True
                )
            ]
        return record

    async def checkin(self, request: Request, workspace: str, id: str) -> Response:
        found = self.db.find_key_result(workspace, id)
        if found is None:
            return error(404, "not_found", "Key Result does not exist in this workspace.")
        kr, objective = found
        body = await read_object(request)
        value = parse_value(body)
        comment = parse_comment(body)
        status = body.get("status")
        if "status" in body and status not in scoring.STATUSES:
            raise BadRequest(f"status must be one of {', '.join(scoring.STATUSES)}.")
        now = self.clock.now()
        if status is None:
            status = scoring.derived_checkin_status(objective.cycle, kr.start, value, kr.target, now)
        checkin = Checkin(str(uuid.uuid4()), kr.id, value, status, comment, "api", now)
        self.db.record_checkin(checkin, objective.id, logged_body=body)
        return _json(
            {
                "id": checkin.id,
                "kr_id": kr.id,
                "value": number(value),
                "status": status,
                "created_at": iso(now),
            }
        )

    # --- KPIs -----------------------------------------------------------------------------------------

    async def list_kpis(self, request: Request, workspace: str) -> Response:
        records = []
        for kpi in self.db.kpi_page(workspace, LIST_LIMIT):
            record: dict[str, Any] = {
                "id": kpi.id,
                "name": kpi.name,
                "current": number(kpi.current),
                "target": number(kpi.target),
                "unit": kpi.unit,
                "status": scoring.kpi_status(kpi.current, kpi.target, kpi.direction),
                "last_updated": iso(kpi.last_updated),
            }
            if not self.sandbox.strict:
                record["direction"] = kpi.direction
            records.append(record)
        return _json(records)

    async def kpi_update(self, request: Request, workspace: str, id: str) -> Response:
        kpi = self.db.find_kpi(workspace, id)
        if kpi is None:
            return error(404, "not_found", "KPI does not exist in this workspace.")
        body = await read_object(request)
        value = parse_value(body)
        comment = parse_comment(body)
        now = self.clock.now()
        update = KpiUpdate(f"u-{uuid.uuid4().hex[:12]}", kpi.id, kpi.current, value, comment, "api", now)
        self.db.record_kpi_update(update, logged_body=body)
        return _json(
            {
                "id": update.id,
                "kpi_id": kpi.id,
                "previous_value": number(kpi.current),
                "new_value": number(value),
                "created_at": iso(now),
            }
        )

    # --- reviews --------------------------------------------------------------------------------------

    async def list_cycles(self, request: Request, workspace: str) -> Response:
        records = []
        for row in self.db.cycle_page(workspace, LIST_LIMIT):
            record: dict[str, Any] = {
                "id": row.cycle.id,
                "name": row.cycle.name,
                "status": row.cycle.status,
                "due_date": row.cycle.due_date,
                "reviewee_count": row.reviewee_count,
            }
            if not self.sandbox.strict:
                record["reviews"] = [
                    {"id": r.id, "employee": r.employee, "type": r.type, "shared_at": iso(r.shared_at or 0.0)}
                    for r in row.shared
                ]
            records.append(record)
        return _json(records)

    async def review_summary(self, request: Request, workspace: str, id: str) -> Response:
        found = self.db.find_review(workspace, id)
        if found is None or found[0].status != "shared":
            return error(404, "not_found", "Review does not exist or has not been shared yet.")
        review, cycle, answers = found
        return _json(
            {
                "review_id": review.id,
                "employee": review.employee,
                "cycle": cycle.name,
                "type": review.type,
                "status": "shared",
                "answers": [{"question": a.question, "answer": a.answer} for a in answers],
                "shared_at": iso(review.shared_at or 0.0),
            }
        )


# --- control endpoints (--control) ------------------------------------------------------------------


class Control:
    """``/_sandbox/…``: faults, the writes log, the clock and request counts. No key, outside the API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[Route]:
        return [
            Route("/_sandbox/faults", self.post_fault, methods=["POST"]),
            Route("/_sandbox/faults", self.get_fault, methods=["GET"]),
            Route("/_sandbox/writes", self.get_writes, methods=["GET"]),
            Route("/_sandbox/clock", self.post_clock, methods=["POST"]),
            Route("/_sandbox/clock", self.get_clock, methods=["GET"]),
            Route("/_sandbox/requests", self.get_requests, methods=["GET"]),
        ]

    async def post_fault(self, request: Request) -> Response:
        try:
            fault = parse_fault(await read_object(request))
        except (BadRequest, FaultError) as exc:
            return error(400, "bad_request", str(exc))
        self.sandbox.faults.arm(fault)
        return _json(self.sandbox.faults.pending())

    async def get_fault(self, request: Request) -> Response:
        return _json(self.sandbox.faults.pending())

    async def get_writes(self, request: Request) -> Response:
        return _json(
            [
                {"kind": w.kind, "target_id": w.target_id, "body": w.body, "recorded_at": iso(w.recorded_at)}
                for w in self.sandbox.db.writes()
            ]
        )

    async def post_clock(self, request: Request) -> Response:
        try:
            body = await read_object(request)
            offset = body.get("offset_seconds")
            if isinstance(offset, bool) or not isinstance(offset, int | float) or not math.isfinite(offset):
                raise BadRequest("offset_seconds must be a number.")
        except BadRequest as exc:
            return error(400, "bad_request", str(exc))
        self.sandbox.clock.offset = float(offset)
        return await self.get_clock(request)

    async def get_clock(self, request: Request) -> Response:
        clock = self.sandbox.clock
        return _json({"offset_seconds": clock.offset, "now": iso(clock.now()), "epoch": clock.now()})

    async def get_requests(self, request: Request) -> Response:
        return _json(self.sandbox.windows.report())


# --- the application --------------------------------------------------------------------------------


class SandboxApp(Starlette):
    """The Starlette app, plus what must happen outside it: trailing slashes, the ``Date`` header, and
    dropped connections.

    ``Date`` is the sandbox clock's (the server runs with uvicorn's own off), so a client that checks
    its clock against the server's sees the offset that ``POST /_sandbox/clock`` set.

    A ``drop`` fault lets the endpoint run, then closes the TCP connection before a byte of the answer
    leaves. ASGI has no message for that, and uvicorn answers 500 to an app that fails before
    responding, so this outermost layer swallows the answer and closes uvicorn's transport itself.

    An answer to a body too large carries ``Connection: close``: uvicorn then closes the connection
    once it is sent, instead of reading the rest of the body to reach the next request.
    """

    sandbox: Sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope = dict(scope)
        if len(scope["path"]) > 1 and scope["path"].endswith("/"):
            scope["path"] = scope["path"].rstrip("/") or "/"
        connection = {"drop": False, "close": False}
        scope[_CONNECTION] = connection

        async def answer(message: Message) -> None:
            if connection["drop"]:
                return
            if message["type"] == "http.response.start":
                date = formatdate(self.sandbox.clock.now(), usegmt=True).encode()
                headers = [*message.get("headers", []), (b"date", date)]
                if connection["close"]:
                    headers.append((b"connection", b"close"))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, answer)
        if connection["drop"]:
            await _close_connection(send)


async def _close_connection(send: Send) -> None:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("a drop fault needs uvicorn's HTTP server")
    transport.close()
    # Let the server see the connection is gone before the app returns, or it would try to answer 500.
    for _ in range(3):
        await asyncio.sleep(0)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "bad_request")
    return error(status, code, f"{request.method} {request.url.path}: {getattr(exc, 'detail', '')}")


async def _unhandled(request: Request, exc: Exception) -> Response:
    """Outside the API's own pipeline (which answers its errors itself): still the standard shape."""
    return server_error()


def create_app(
    db_path: Path | str,
    *,
    strict: bool = False,
    control: bool = False,
    simulate: bool = False,
    every: float = 5.0,
    seed: int = 1,
    clock: Clock | None = None,
) -> SandboxApp:
    """A sandbox on the SQLite file ``db_path``, seeded (with ``seed``) when the file holds no data.

    ``app.state.sandbox`` is its ``Sandbox``; call ``app.state.sandbox.db.close()`` when done with it.
    """
    db = Database(db_path)
    sandbox = Sandbox(
        db, clock=clock, strict=strict, control=control, simulate=simulate, every=every, seed=seed
    )
    seed_database(db, seed=seed, now=sandbox.clock.now())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(sandbox.teammates.run(every)) if simulate else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    routes: list[Route | Mount] = [*Control(sandbox).routes()] if control else []
    routes.append(Mount("", app=Api(sandbox)))
    handlers = {HTTPException: _http_error, Exception: _unhandled}
    app = SandboxApp(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    app.sandbox = sandbox
    app.state.sandbox = sandbox
    return app
