"""httpx's blocking client under the asynchronous one, for the one-shot commands.

``httpx.AsyncClient`` reaches the network through httpcore's anyio backend, and importing anyio costs
a one-shot command more than anything else it loads: ~145 M instructions (callgrind), a fifth of a
whole ``okrt-tui kpi-update``, for a process that sends one or two requests in a row and never two at
once. httpx's blocking client needs no anyio. So a command's ``OkrtClient`` sends through an
``httpx.Client`` (``BlockingTransport``) and everything above the transport stays one piece of code
with the dashboard's: the budget, retries, the outbox's states, the answer's checks and the mapping
of failures to sentences. The blocking client is built with the same settings (TLS verification,
proxies from the environment, redirects off), so httpx itself decides proxies and certificates as
it would in the asynchronous client.

Each blocking step (the request, then each chunk of the answer) runs on a daemon thread of its own
that the event loop awaits, so Ctrl+C cancels the command at once, as it does a request in flight in
the asynchronous client; the abandoned thread ends with the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

import httpx

T = TypeVar("T")


async def in_thread(call: Callable[[], T]) -> T:
    """``call()`` on a daemon thread, awaited (a cancelled wait leaves the thread to finish alone)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if done.cancelled():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        result, error = None, None
        try:
            result = call()
        except BaseException as exc:  # handed to the awaiting task, which raises it
            error = exc
        # A closed loop: the command ended (Ctrl+C) while this waited; nobody is left to tell.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="okrt-tui http", daemon=True).start()
    return await done


class _Body(httpx.AsyncByteStream):
    """The answer's bytes as they arrive, undecoded (the asynchronous client decodes them as usual)."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._chunks = response.iter_raw()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            chunk = await in_thread(lambda: next(self._chunks, None))
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        self._response.close()


class BlockingTransport(httpx.AsyncBaseTransport):
    """Sends through ``client`` (a blocking ``httpx.Client``), which it closes with itself."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await in_thread(lambda: self._client.send(request, stream=True))
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Body(response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        self._client.close()
