"""Time, as the client, the budget and the refresher see it, so that tests can fake it.

Everything that waits or reads the time goes through a ``Clock``: the real one in production, a
``FakeClock`` in tests, where a minute of rate limiting passes in milliseconds and every run sees the
same times. ``now()`` is wall-clock epoch seconds (UTC), because the server's rate windows are aligned
to the UTC minute and the ledger shared between processes stores wall-clock times.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Epoch seconds (wall clock, UTC)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (zero or less: just yield to the event loop)."""
        ...


class SystemClock:
    """The real clock: ``time.time()`` and ``asyncio.sleep``."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK: Clock = SystemClock()


class FakeClock:
    """A clock for tests: time moves only when someone sleeps (``auto``) or calls ``advance``.

    Sleepers wait on a heap ordered by (deadline, arrival). With ``auto=True`` (the default) a pump
    task lets the event loop settle, then moves the time to the earliest deadline and wakes every
    sleeper due by then, in deadline order, one deadline at a time. So twenty coroutines sleeping
    different amounts wake in the order a real clock would wake them, each seeing ``now()`` equal to
    its own deadline, and a test of a minute of polling runs in milliseconds, the same way every run.
    "Settled" means the loop ran ``settle`` iterations since the last jump: a coroutine awaiting real
    I/O does not hold the time back (like trio's ``MockClock(autojump_threshold=0)``), so a test mixing
    real sockets and long fake sleeps sees the sleeps end first. With ``auto=False`` only ``advance``
    (or ``set``) moves the time.
    """

    def __init__(self, start: float = 1_800_000_000.0, *, auto: bool = True, settle: int = 50) -> None:
        self._now = float(start)
        self._auto = auto
        self._settle = settle
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now!r}, sleepers={self.sleeping})"

    def now(self) -> float:
        return self._now

    @property
    def sleeping(self) -> int:
        """How many coroutines are asleep on this clock right now."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._seq), future))
        if self._auto and (self._pump is None or self._pump.done() or self._pump.get_loop() is not loop):
            self._pump = loop.create_task(self._run_pump(), name="FakeClock pump")
        await future

    def advance(self, seconds: float) -> None:
        """Move the time forward by ``seconds`` and wake every sleeper due by then."""
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += seconds
        self._wake_due()

    def set(self, when: float) -> None:
        """Jump to the epoch time ``when`` (forward only), waking those due."""
        self.advance(max(0.0, when - self._now))

    def _wake_due(self) -> None:
        while self._sleepers and (self._sleepers[0][0] <= self._now or self._sleepers[0][2].done()):
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)

    async def _run_pump(self) -> None:
        while True:
            for _ in range(self._settle):
                await asyncio.sleep(0)
            self._drop_cancelled()
            if not self._sleepers:
                return
            deadline = self._sleepers[0][0]
            self._now = max(self._now, deadline)
            self._wake_due()
