"""Ids from the hub's counter: concurrent allocations in one process are folded into few counter writes, and
with another process allocating at the same time every id is still handed out once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from cloudops.kube.client import hub_client
from cloudops.kube.ids import COUNTER_CONFIGMAP, allocate_id
from tests.helpers import Kubectl


async def test_concurrent_allocations_in_two_processes_hand_out_each_id_once(
        hub: Kubectl, namespace: str, identities: dict[str, Path]) -> None:
    one = await hub_client(str(identities["operator"]))
    other = await hub_client(str(identities["shim"]))  # another process's client: its own batches
    try:
        first = await asyncio.gather(*(allocate_id(one, namespace, "widgets") for _ in range(150)),
                                     *(allocate_id(other, namespace, "widgets") for _ in range(50)))
        assert sorted(first) == list(range(1, 201))  # no id twice, none skipped
        assert len(set(first[:150])) == 150
        rv = hub.json("-n", namespace, "get", "configmap", COUNTER_CONFIGMAP)["metadata"]["resourceVersion"]
        later = await asyncio.gather(*(allocate_id(one, namespace, "widgets") for _ in range(100)))
        assert sorted(later) == list(range(201, 301))
        counter = hub.json("-n", namespace, "get", "configmap", COUNTER_CONFIGMAP)
        assert counter["data"]["widgets"] == "300"
        assert counter["metadata"]["resourceVersion"] != rv
        assert await allocate_id(one, namespace, "gadgets") == 1  # one counter per kind
    finally:
        await one.close()
        await other.close()


async def test_a_cancelled_allocation_leaves_a_gap_and_the_others_get_theirs(
        namespace: str, identities: dict[str, Path]) -> None:
    api = await hub_client(str(identities["operator"]))
    try:
        waiting = [asyncio.create_task(allocate_id(api, namespace, "things")) for _ in range(5)]
        waiting[2].cancel()
        done = await asyncio.gather(*waiting, return_exceptions=True)
        got = [d for d in done if isinstance(d, int)]
        assert len(got) == 4 and len(set(got)) == 4 and isinstance(done[2], asyncio.CancelledError)
        assert await allocate_id(api, namespace, "things") > max(got)
    finally:
        await api.close()
