"""Probe slots handed out oldest-first: a semaphore whose waiters are served by a key, not by arrival.

When a replica takes over a dead one's shards, hundreds of its clusters are due at once and queue for the probe
slots. Served in arrival order, the cluster synced longest ago may wait for the whole queue, and the oldest
lastSyncTime grows by the queue's length; served stalest-first (earliest deadline first), it grows by about one
probe. Ties keep arrival order.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator

__all__ = ["OldestFirst"]


class OldestFirst:
    def __init__(self, slots: int) -> None:
        self._free = max(1, slots)
        self._waiters: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    @property
    def waiting(self) -> int:
        return sum(1 for *_, fut in self._waiters if not fut.done())

    @contextlib.asynccontextmanager
    async def slot(self, key: float) -> AsyncIterator[None]:
        """Holds a slot; among waiters, the smallest `key` (the oldest last sync) gets the next one."""
        await self._acquire(key)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, key: float) -> None:
        if self._free > 0 and not self.waiting:
            self._free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (key, next(self._order), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():  # handed a slot, then cancelled before using it: pass it on
                self._release()
            raise

    def _release(self) -> None:
        while self._waiters:
            *_, fut = heapq.heappop(self._waiters)
            if not fut.done():  # a cancelled waiter's future is done: skipped
                fut.set_result(None)
                return
        self._free += 1
