"""The Lease thread: work runs on its own loop and thread, stops with the caller's flag, unwinds when cancelled;
shard gains and losses reach the main loop (where the clusters' loops run) from it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from cloudops_operator.lease_thread import LeaseThread
from cloudops_operator.shards import Shards


async def _until(condition: Callable[[], bool], seconds: float = 5) -> None:
    """Waits (yielding to this loop) until `condition` holds; fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def _started() -> LeaseThread:
    thread = LeaseThread()
    thread._thread.start()
    return thread


async def test_work_runs_on_its_own_thread_while_the_main_loop_is_blocked() -> None:
    thread = await _started()
    try:
        ticks: list[float] = []

        async def tick(flag: asyncio.Event) -> str:
            while not flag.is_set():
                ticks.append(time.monotonic())
                await asyncio.sleep(0.02)
            return threading.current_thread().name

        stop = asyncio.Event()
        running = asyncio.create_task(thread.run(tick, stop))
        await _until(lambda: bool(ticks))
        before, deadline = len(ticks), time.monotonic() + 10
        # This loop kept busy, never yielding (as a saturated one is late): the thread's rounds go on.
        while len(ticks) - before < 5 and time.monotonic() < deadline:
            pass
        assert len(ticks) - before >= 5
        stop.set()
        assert await asyncio.wait_for(running, 2) == "leases"
    finally:
        await thread.close()
    await asyncio.to_thread(thread._thread.join, 5)  # close stops the loop; the thread then ends by itself
    assert not thread._thread.is_alive()


async def test_a_cancelled_run_waits_until_its_work_has_unwound() -> None:
    thread = await _started()
    try:
        unwound, started = threading.Event(), threading.Event()

        async def stubborn(_: asyncio.Event) -> None:
            started.set()
            try:
                await asyncio.sleep(60)
            finally:
                await asyncio.sleep(0.2)  # a write being finished
                unwound.set()

        running = asyncio.create_task(thread.run(stubborn, asyncio.Event()))
        await _until(started.is_set)
        running.cancel()
        try:
            await running
        except asyncio.CancelledError:
            pass
        assert unwound.is_set()  # whatever runs next on the thread does not overlap it
        assert await thread.call(asyncio.sleep(0, "next")) == "next"
    finally:
        await thread.close()


async def test_shards_gained_and_lost_on_the_thread_are_handled_on_the_main_loop_without_holding_the_rounds(
        ) -> None:
    thread = await _started()
    try:
        main = threading.current_thread()
        seen: list[tuple[str, set[int], bool]] = []
        stopping = asyncio.Event()  # a loop of the lost shard taking its time to stop

        def gain(shards: set[int]) -> None:
            seen.append(("gain", shards, threading.current_thread() is main))

        async def lose(shards: set[int]) -> None:
            await stopping.wait()
            seen.append(("lose", shards, threading.current_thread() is main))

        shards = Shards(None, "ns", "me", count=4, thread=thread)
        shards.listen(gain, lose)
        shards.main = asyncio.get_running_loop()
        owned_before = shards.owned
        await thread.call(shards._gained({1, 2}, "test"))
        await _until(lambda: bool(seen))  # the gain is posted to this loop, not waited for
        assert shards.owned == {1, 2} and owned_before == set()  # rebound, never changed in place
        await asyncio.wait_for(thread.call(shards._lost({2}, "test")), 2)  # returns while the loss is handled
        assert shards.owned == {1} and seen == [("gain", {1, 2}, True)]

        async def settled() -> None:
            await asyncio.gather(*shards._background)

        stopping.set()
        await asyncio.wait_for(thread.call(settled()), 2)
        assert seen == [("gain", {1, 2}, True), ("lose", {2}, True)]
    finally:
        await thread.close()
