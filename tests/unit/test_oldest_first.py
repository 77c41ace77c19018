"""The probe slots serve the waiter with the oldest last sync first, and survive cancelled waiters."""

from __future__ import annotations

import asyncio

from cloudops_operator.oldest_first import OldestFirst


async def test_waiters_are_served_smallest_key_first_and_ties_in_arrival_order() -> None:
    slots = OldestFirst(1)
    served: list[str] = []
    gate = asyncio.Event()

    async def hold() -> None:
        async with slots.slot(0):
            await gate.wait()

    async def probe(name: str, key: float) -> None:
        async with slots.slot(key):
            served.append(name)

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(probe(n, k)) for n, k in
               (("fresh", 300.0), ("stale", 100.0), ("tie-a", 200.0), ("tie-b", 200.0), ("never", 0.0))]
    await asyncio.sleep(0)
    assert slots.waiting == 5
    gate.set()
    await asyncio.gather(holder, *waiters)
    assert served == ["never", "stale", "tie-a", "tie-b", "fresh"]


async def test_a_cancelled_waiter_does_not_take_or_lose_a_slot() -> None:
    slots = OldestFirst(2)
    gate = asyncio.Event()
    inside = 0
    most = 0

    async def work(key: float) -> None:
        nonlocal inside, most
        async with slots.slot(key):
            inside += 1
            most = max(most, inside)
            await gate.wait()
            inside -= 1

    tasks = [asyncio.create_task(work(k)) for k in range(6)]
    await asyncio.sleep(0)
    tasks[3].cancel()
    tasks[4].cancel()
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [isinstance(r, asyncio.CancelledError) for r in results] == [False, False, False, True, True, False]
    assert most == 2
    async with slots.slot(0):  # both slots are free again: no slot was lost to the cancellations
        async with slots.slot(0):
            assert slots.waiting == 0


async def test_a_waiter_cancelled_after_it_was_handed_a_slot_passes_it_on() -> None:
    slots = OldestFirst(1)
    served: list[str] = []

    async def probe(name: str, key: float) -> None:
        async with slots.slot(key):
            served.append(name)

    held = slots.slot(0)
    await held.__aenter__()
    first = asyncio.create_task(probe("first", 1))
    second = asyncio.create_task(probe("second", 2))
    await asyncio.sleep(0)
    await held.__aexit__(None, None, None)  # hands the slot to `first`, without yielding to it
    first.cancel()
    await asyncio.gather(first, second, return_exceptions=True)
    assert served == ["second"]
    assert slots.waiting == 0
