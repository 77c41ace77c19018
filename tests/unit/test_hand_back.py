"""A hand-back frees each shard's Lease as soon as that shard's work has stopped, not when every shard's has:
at shutdown, loops still writing what they buffered must not hold back the shards whose loops are done."""

from __future__ import annotations

import asyncio
from typing import cast

from cloudops.kube.client import ApiClient
from cloudops_operator.shards import Shards
from tests.unit.test_lease_thread import _until


class _Recorded(Shards):
    """Lease writes recorded instead of sent: what is tested is the order of stopping and freeing."""

    freed: list[int]

    async def _free(self, n: int) -> None:
        self.freed.append(n)


async def test_a_shard_is_freed_while_another_shard_s_work_is_still_stopping() -> None:
    shards = _Recorded(cast(ApiClient, object()), "ns", "me", count=4, owned={0, 1, 2})
    shards.freed = []
    slow_stopped = asyncio.Event()
    stopping: list[int] = []

    async def lose(lost: set[int]) -> None:
        stopping.extend(lost)
        if 1 in lost:  # shard 1's loops are flushing to a busy hub
            await slow_stopped.wait()

    shards.listen(lambda _: None, lose)
    handing = asyncio.create_task(shards.hand_back({0, 1, 2}, "stopping"))
    await _until(lambda: sorted(shards.freed) == [0, 2])  # not waiting for shard 1
    assert 1 in stopping and not handing.done()
    slow_stopped.set()
    await asyncio.wait_for(handing, 2)
    assert sorted(shards.freed) == [0, 1, 2]
    assert shards.owned == set() and shards.releasing == frozenset()


async def test_a_shard_is_never_freed_before_its_work_stopped() -> None:
    shards = _Recorded(cast(ApiClient, object()), "ns", "me", count=2, owned={0, 1})
    shards.freed = []
    order: list[str] = []

    async def lose(lost: set[int]) -> None:
        for n in lost:
            order.append(f"stopped {n}")

    async def record_free(n: int) -> None:
        order.append(f"freed {n}")

    shards.listen(lambda _: None, lose)
    shards._free = record_free  # type: ignore[method-assign]
    await shards.hand_back({0, 1}, "stopping")
    for n in (0, 1):
        assert order.index(f"stopped {n}") < order.index(f"freed {n}")
