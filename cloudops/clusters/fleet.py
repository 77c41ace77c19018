"""Live operations over many clusters at once: one dead member costs its timeout, never the sum."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from cloudops.clusters.errors import explain
from cloudops.clusters.probe import FULL, Scope, Snapshot, probe
from cloudops.clusters.registry import Registry
from cloudops.resources.managed_cluster import ManagedCluster

__all__ = ["ProbeResult", "probe_cluster", "probe_many"]


@dataclass
class ProbeResult:
    cluster: ManagedCluster
    snapshot: Snapshot | None
    phase: str  # connected | disconnected | error
    reason: str = ""
    message: str = ""


async def probe_cluster(registry: Registry, cluster: ManagedCluster, scope: Scope = FULL) -> ProbeResult:
    server = (cluster.status.api_server if cluster.status else None) or "the member API server"
    try:
        api, server = await registry.members.get(registry.hub, registry.namespace, cluster.spec)
        snap = await asyncio.wait_for(probe(api, server, scope), timeout=registry.timeout)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        err = explain(e, server)
        return ProbeResult(cluster, None, err.phase, err.reason, err.message)
    return ProbeResult(cluster, snap, "connected")


async def probe_many(registry: Registry, clusters: Sequence[ManagedCluster], scope: Scope = FULL) -> list[ProbeResult]:
    return list(await asyncio.gather(*(probe_cluster(registry, c, scope) for c in clusters)))
