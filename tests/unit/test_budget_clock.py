"""The fake clock other tests rely on: deadline order, concurrent sleepers, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from okrt_tui.api.clock import SYSTEM_CLOCK, FakeClock


async def test_sleepers_wake_in_deadline_order_each_at_its_deadline() -> None:
    clock = FakeClock(1000.0)
    woke: list[tuple[str, float]] = []

    async def nap(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now()))

    await asyncio.gather(nap("long", 30), nap("short", 1), nap("mid", 10), nap("short2", 1))
    assert woke == [("short", 1001.0), ("short2", 1001.0), ("mid", 1010.0), ("long", 1030.0)]


async def test_a_sleeper_that_sleeps_again_keeps_its_place_in_time() -> None:
    clock = FakeClock(0.0)
    woke: list[tuple[str, float]] = []

    async def ticker() -> None:
        for _ in range(3):
            await clock.sleep(5)
            woke.append(("tick", clock.now()))

    async def once() -> None:
        await clock.sleep(12)
        woke.append(("once", clock.now()))

    await asyncio.gather(ticker(), once())
    assert woke == [("tick", 5.0), ("tick", 10.0), ("once", 12.0), ("tick", 15.0)]


async def test_a_cancelled_sleeper_does_not_move_the_time() -> None:
    clock = FakeClock(0.0)
    doomed = asyncio.create_task(clock.sleep(100))
    await asyncio.sleep(0)
    doomed.cancel()
    await clock.sleep(1)
    assert clock.now() == 1.0
    with pytest.raises(asyncio.CancelledError):
        await doomed


async def test_without_auto_only_advance_moves_the_time() -> None:
    clock = FakeClock(0.0, auto=False)
    sleeper = asyncio.create_task(clock.sleep(10))
    for _ in range(100):
        await asyncio.sleep(0)
    assert not sleeper.done()
    assert clock.sleeping == 1
    clock.advance(9)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(1)
    await sleeper
    assert clock.now() == 10.0
    with pytest.raises(ValueError):
        clock.advance(-1)


async def test_zero_and_negative_sleeps_only_yield() -> None:
    clock = FakeClock(5.0)
    await clock.sleep(0)
    await clock.sleep(-3)
    assert clock.now() == 5.0


async def test_the_system_clock_is_the_wall_clock() -> None:
    import time

    assert abs(SYSTEM_CLOCK.now() - time.time()) < 1
    await SYSTEM_CLOCK.sleep(-1)


async def test_a_burst_of_concurrent_acquirers_runs_the_same_way_every_time() -> None:
    from okrt_tui.api.budget import Budget, Priority

    async def run() -> list[tuple[int, float]]:
        clock = FakeClock(1_800_000_030.0)
        budget = Budget(None, clock=clock, limit=10)
        order: list[tuple[int, float]] = []

        async def worker(n: int) -> None:
            for _ in range(3):
                await budget.acquire(Priority.POLL if n % 2 else Priority.INTERACTIVE)
                order.append((n, clock.now()))

        await asyncio.gather(*(worker(n) for n in range(8)))
        return order

    first = await run()
    assert len(first) == 24
    assert await run() == first
