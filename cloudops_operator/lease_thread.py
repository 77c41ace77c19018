"""Lease rounds on a thread, event loop and hub client of their own.

A replica busy with a thousand clusters' syncs runs its event loop late. Measured with 3,000 clusters in one
replica: the rounds renewing its shard Leases ran seconds behind, and it dropped every shard by its own clock
seven times in ten minutes. client-go renews its leader Lease in a goroutine of its own for the same reason.
Here the shard rounds and the leader Lease's renewals run on this thread's loop, whatever the main loop is doing;
what they start or stop in the operator (the loops of a shard gained or lost) is handed to the main loop
(cloudops_operator/shards.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from cloudops.kube.client import ApiClient, hub_client

__all__ = ["LeaseThread"]

T = TypeVar("T")
UNWIND_SECONDS = 3.0  # how long a cancelled piece of work on the thread is waited for


class LeaseThread:
    """An event loop on a daemon thread; `call` and `run` await work on it from another loop."""

    def __init__(self, name: str = "leases") -> None:
        self.loop = asyncio.new_event_loop()
        self.api: ApiClient | None = None
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.close()

    async def start(self, kubeconfig: str | None, connections: int = 4) -> ApiClient:
        """Starts the thread and returns the hub client that lives on it (to be used on it only)."""
        self._thread.start()
        self.api = await self.call(hub_client(kubeconfig, connections=connections))
        return self.api

    async def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Runs `work` on the thread and waits for it (cancelling the wait cancels the work)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))

    async def run(self, work: Callable[[asyncio.Event], Coroutine[Any, Any, T]], stop: asyncio.Event) -> T:
        """Runs `work(flag)` on the thread until it returns; `flag` (the thread's) is set once `stop` (the
        caller's) is. Cancelled, the work is cancelled too and waited for (bounded), so whatever runs next on the
        thread never overlaps it."""
        flag = asyncio.Event()
        caller = asyncio.get_running_loop()
        unwound: asyncio.Future[None] = caller.create_future()  # set from the thread when the work has ended

        async def guarded() -> T:
            try:
                return await work(flag)
            finally:
                caller.call_soon_threadsafe(_settle, unwound)

        future = asyncio.run_coroutine_threadsafe(guarded(), self.loop)
        result = asyncio.wrap_future(future)
        stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        waiting: list[asyncio.Future[Any]] = [result, stopping]
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if not result.done():
                self.loop.call_soon_threadsafe(flag.set)
            return await result
        except asyncio.CancelledError:
            future.cancel()
            # not through asyncio.to_thread: the default executor may be queued behind the clusters' work
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(unwound), UNWIND_SECONDS)
            raise
        finally:
            stopping.cancel()

    async def close(self) -> None:
        """Closes the client and ends the thread."""
        if self.api is not None and self._thread.is_alive():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.call(self.api.close()), UNWIND_SECONDS)
        if self._thread.is_alive():
            # the thread is a daemon: stopping its loop is enough, and its last steps are not waited for
            self.loop.call_soon_threadsafe(self.loop.stop)


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
