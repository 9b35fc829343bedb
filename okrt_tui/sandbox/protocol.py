"""Uvicorn's h11 protocol with a deadline on every request, so that half-sent requests cannot pile up.

Uvicorn closes an idle kept-alive connection after ``timeout_keep_alive`` seconds, but it has no
deadline for a request that has started to arrive: a connection that sends half a request line (or
nothing at all, or headers and half the body) and then stalls stays open for good, and a client
(slowloris) can hold any number of them. Here the whole request, headers and body, must arrive within
``request_timeout`` seconds of the moment the server starts waiting for it: the connection being made,
or the first byte of the next request on a kept-alive connection. Otherwise the connection is closed
without an answer, as nginx and Apache (``mod_reqtimeout``) do; the reference's error table has no
status for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

#: Seconds a request may take to arrive in full. Ten is ample for any API body on a slow link (the
#: largest allowed body is 1 MB) and keeps a flood of stalled connections short-lived.
REQUEST_TIMEOUT = 10.0

#: The client's states once the request has arrived in full (``MUST_CLOSE``: an HTTP/1.0 or
#: ``Connection: close`` request).
_ARRIVED = (h11.DONE, h11.MUST_CLOSE, h11.CLOSED)


class Config(uvicorn.Config):
    """Uvicorn's configuration, plus the request deadline that ``DeadlineProtocol`` reads."""

    def __init__(self, app: Any, *, request_timeout: float = REQUEST_TIMEOUT, **kwargs: Any) -> None:
        super().__init__(app, http=DeadlineProtocol, **kwargs)
        self.request_timeout = request_timeout


class DeadlineProtocol(H11Protocol):
    """``H11Protocol`` that closes a connection whose request does not arrive in time (see above)."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.request_timeout: float = getattr(config, "request_timeout", REQUEST_TIMEOUT)
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:  # the next request begins
            self._arm()
        super().data_received(data)
        if self.conn.their_state in _ARRIVED:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
