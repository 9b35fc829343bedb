"""What may be sent again, and when.

Check-ins and KPI updates carry no idempotency key, so a POST is sent again automatically only when
it provably did not reach the server (a connect error) or the server said it is safe: a 429 (nothing
was recorded) or a 500 ("Safe to retry", says the reference). A POST that went out and whose answer
never came (read timeout, dropped connection) raises ``WriteUnconfirmed`` and is never resent: only a
person (or the outbox, later) can decide. A GET changes nothing, so it is retried on every network
failure, on 429 and on any 5xx; but a failed TLS handshake (``TlsFailure``: a plain-http server, a
certificate that cannot be verified) fails the same way every time, so it is said at once, never retried.

The waits: after a 429 the client has already told the budget to pause until ``Retry-After``, and
every attempt begins with ``budget.acquire``, so the retry itself waits zero here and the budget holds
it (and every other request with the key, in every process) until the pause is over. Other failures
back off exponentially with jitter, capped at a few seconds: the person is looking at a screen.

Retries use tenacity (``AsyncRetrying``) rather than stamina, which the project also has: stamina
sleeps with ``asyncio.sleep`` directly and its test mode is a process-wide switch, while tenacity takes
the sleep function per retrying object, so each client's retries wait on its own (injectable) clock
and tests never sleep for real. tenacity is what stamina itself is built on.
"""

from __future__ import annotations

import logging
import random

import msgspec
import tenacity

from okrt_tui.api.clock import Clock
from okrt_tui.api.errors import NetworkError, RateLimited, ServerError, TlsFailure, WriteUnconfirmed

log = logging.getLogger(__name__)


def may_retry(method: str, error: BaseException, *, wait: bool = True, reconnect: bool = True) -> bool:
    """True when ``error`` from one ``method`` request may be followed by an automatic new attempt.

    ``reconnect=False``: a connection that could not be made, or an answer that did not come in time,
    is final, for a caller with a schedule of its own (the refresher): four attempts against a server
    that is down took 3.5 to 5 s to say so (a minute, against one that hangs). A connection lost on the
    way (a keep-alive closed by the server as the request went out) is still tried again."""
    if isinstance(error, RateLimited):
        # A 429 answer is always safe to repeat; the budget's own refusal (wait=False) is final, and
        # so is a 429 when the caller asked not to wait, or one whose wait is longer than its cap.
        return error.from_server and wait and not error.final
    if isinstance(error, WriteUnconfirmed | TlsFailure):
        return False
    if isinstance(error, NetworkError):
        if not reconnect and (not error.sent or error.timed_out):
            return False
        return method == "GET" or not error.sent
    if isinstance(error, ServerError):
        return error.status >= 500 if method == "GET" else error.status == 500
    return False


class RetryPolicy(msgspec.Struct, frozen=True):
    """How many attempts, and how long to wait between them (seconds)."""

    attempts: int = 4
    wait_initial: float = 0.5
    wait_max: float = 4.0
    jitter: float = 0.5
    rng: random.Random = msgspec.field(default_factory=random.Random)

    def backoff(self, failed_attempts: int) -> float:
        """The wait after the ``failed_attempts``-th failure (1, 2, ...): exponential, jittered, capped."""
        exponential = self.wait_initial * 2.0 ** (failed_attempts - 1)
        return min(self.wait_max, exponential + self.rng.uniform(0, self.jitter))

    def retrying(
        self, method: str, clock: Clock, *, wait: bool = True, reconnect: bool = True
    ) -> tenacity.AsyncRetrying:
        """A tenacity loop for one request; its waits go through ``clock.sleep``."""

        def wait_for(state: tenacity.RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            if isinstance(error, RateLimited):
                return 0.0  # budget.acquire holds the next attempt until Retry-After has passed
            return self.backoff(state.attempt_number)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.info(
                "%s attempt %d failed (%s); trying again in %.1f s",
                method,
                state.attempt_number,
                type(error).__name__,
                state.next_action.sleep if state.next_action else 0.0,
            )

        return tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            retry=tenacity.retry_if_exception(
                lambda error: may_retry(method, error, wait=wait, reconnect=reconnect)
            ),
            wait=wait_for,
            sleep=clock.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
