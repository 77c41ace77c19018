"""The body of a per-object loop (cloudops_operator.loops): one step, then sleep until the step's delay passes,
a wake-up event is set (a spec change) or the loop is stopped. Shared so each kind's handler keeps only its own step."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

__all__ = ["Stopped", "nap", "wake_loop"]


class Stopped(Protocol):
    """A loop's stop flag (cloudops_operator.loops.StopFlag; kopf's DaemonStopped has the same shape)."""

    def __bool__(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> Awaitable[Any]: ...


async def wake_loop(stopped: Stopped, event: asyncio.Event,
                    step: Callable[[], Awaitable[float | None]]) -> None:
    """Runs `step` until the daemon stops or `step` returns None (the object is gone)."""
    while not stopped:
        event.clear()
        wait = await step()
        if wait is None:
            return
        await nap(stopped, event, wait)


async def nap(stopped: Stopped, event: asyncio.Event, seconds: float) -> None:
    """Until `seconds` pass, `event` is set (a spec change, a sync request) or the daemon is stopped."""
    waiters = [asyncio.ensure_future(event.wait()), asyncio.ensure_future(stopped.wait(seconds))]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()
