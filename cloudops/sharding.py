"""Which operator shard a cluster belongs to, and which shards a replica should hold: pure functions.

A cluster's shard is a stable hash of its name (sha256, so every replica and every release agrees), unless the
ManagedCluster carries the pin label `cloudops.io/shard: "<n>"`. Replicas share the shards fairly: each holds at
most ceil(shards / live replicas), and counts end at most one apart. A replica over its share hands back only
its surplus, and one under it takes only free or expired shards, so a replica joining or leaving moves as few
shards as possible.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

__all__ = ["PIN_LABEL", "Plan", "fair_share", "plan", "shard_for", "shard_of"]

PIN_LABEL = "cloudops.io/shard"


def shard_of(key: str, count: int) -> int:
    """The shard of `key` among `count`: the same in every process and release (not Python's salted hash)."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % max(1, count)


def shard_for(name: str, labels: Mapping[str, str] | None, count: int) -> int:
    """The shard of the cluster `name`: its pin label when that names a shard in range, else its hash."""
    pinned = (labels or {}).get(PIN_LABEL, "")
    if pinned.isascii() and pinned.isdigit() and int(pinned) < count:
        return int(pinned)
    return shard_of(name, count)


def fair_share(shards: int, replicas: int) -> int:
    """The most shards one replica should hold."""
    return math.ceil(shards / max(1, replicas))


@dataclass(frozen=True)
class Plan:
    take: tuple[int, ...]
    release: tuple[int, ...]


def plan(shards: int, me: str, holders: Mapping[int, str], available: Collection[int], live: Collection[str]) -> Plan:
    """What `me` should do next. `holders` names each shard's current holder (as read), `available` the shards
    free or expired (as judged by this replica), `live` the live replicas, `me` among them.

    A replica holds at most ceil(shards / replicas). One at that ceiling also hands one back while another live
    replica holds fewer than the floor and nothing is free for it, so counts end at most one apart. Surplus goes
    from the highest-numbered shards held, so repeated rounds converge on the same choice. Free shards are taken
    only up to the share, starting at a place that depends on `me`, so two replicas that start together mostly
    try different shards (and of two that try one, the hub's resourceVersion picks one)."""
    replicas = set(live) | {me}
    high, low = fair_share(shards, len(replicas)), shards // len(replicas)
    mine = sorted(n for n in range(shards) if holders.get(n) == me)
    if len(mine) > high:
        return Plan((), tuple(mine[high:][::-1]))
    free = [n for n in available if holders.get(n) != me]
    if len(mine) == high > low and not free:
        counts = Counter(holders.get(n, "") for n in range(shards))
        if any(counts[other] < low for other in replicas):
            return Plan((), (mine[-1],))
    start = shard_of(me, shards)
    order = [(start + i) % shards for i in range(shards)]
    take = [n for n in order if n in available and holders.get(n) != me][:high - len(mine)]
    return Plan(tuple(take), ())
