"""Live operations over many clusters at once: one dead member costs its timeout, never the sum."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from cloudops.clusters.connect import explain
from cloudops.clusters.probe import FULL, Scope, Snapshot, probe
from cloudops.clusters.registry import Registry

__all__ = ["ProbeResult", "probe_cluster", "probe_many"]


@dataclass
class ProbeResult:
    cluster: dict[str, Any]
    snapshot: Snapshot | None
    phase: str  # connected | disconnected | error
    reason: str = ""
    message: str = ""


async def probe_cluster(registry: Registry, cluster: dict[str, Any], scope: Scope = FULL) -> ProbeResult:
    server = (cluster.get("status") or {}).get("apiServer") or "the member API server"
    try:
        api, server = await registry.members.get(registry.hub, registry.namespace, cluster.get("spec", {}))
        snap = await asyncio.wait_for(probe(api, server, scope), timeout=registry.timeout)
    except asyncio.CancelledError:
        raise
    except Exception as e:
        err = explain(e, server)
        return ProbeResult(cluster, None, err.phase, err.reason, err.message)
    return ProbeResult(cluster, snap, "connected")


async def probe_many(registry: Registry, clusters: list[dict[str, Any]], scope: Scope = FULL) -> list[ProbeResult]:
    return list(await asyncio.gather(*(probe_cluster(registry, c, scope) for c in clusters)))
