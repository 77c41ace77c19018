"""The cost engine's I/O: read prices and histories from the hub and objects from a member, then call the
pure allocation and optimization functions. Used by the REST shim and by anything else that needs costs."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient

from cloudops import history_store
from cloudops.constants import COST_PRICING
from cloudops.cost import allocation
from cloudops.cost import optimize as advice
from cloudops.cost.pricing import Prices, resolve
from cloudops.kube.custom_objects import CustomObjects
from cloudops.members.session import MemberSession
from cloudops.usage_history import CLUSTER_FAMILY, NAMESPACE_FAMILY, NODE_FAMILY, POD_FAMILY, cluster_subject

__all__ = ["OPTIMIZATION_TYPES", "optimize", "prices_for", "report"]

OPTIMIZATION_TYPES = ("resource", "instance", "storage")
Json = dict[str, Any]


async def prices_for(hub: ApiClient, namespace: str, cluster: Json) -> Prices:
    """The unit prices of one ManagedCluster (its CostPricing objects over OpenCost's defaults)."""
    spec = cluster.get("spec") or {}
    objects = await CustomObjects(hub, COST_PRICING, namespace).list()
    return resolve(objects, cluster["metadata"]["name"], str(spec.get("provider") or ""),
                   str(spec.get("region") or ""))


async def report(hub: ApiClient, namespace: str, cluster: Json, *, time_range: str, group_by: str,
                 now: datetime, only_namespace: str | None = None) -> Json:
    """智能运维 1.1 for one cluster from its recorded usage (see cloudops.cost.allocation.report)."""
    name = cluster["metadata"]["name"]
    prices = await prices_for(hub, namespace, cluster)
    totals = await history_store.histories(hub, namespace, CLUSTER_FAMILY, name)
    whole = next((h for h in totals if h.subject == cluster_subject(name)), None)
    namespaces = await history_store.histories(hub, namespace, NAMESPACE_FAMILY, name)
    pods = [] if group_by == "namespace" else await history_store.histories(hub, namespace, POD_FAMILY, name)
    return allocation.report(time_range=time_range, now=now, group_by=group_by, prices=prices, cluster=whole,
                             namespaces=namespaces, pods=pods, namespace=only_namespace)


async def _all(session: MemberSession, type_name: str, namespace: str | None = None) -> list[Json]:
    rt = await session.resolve(type_name)
    items, _ = await session.list_all(rt, namespace)
    for item in items:
        item.setdefault("kind", rt.kind)
    return items


async def optimize(hub: ApiClient, namespace: str, cluster: Json, session: MemberSession, *, types: tuple[str, ...],
                   min_hours: float, underused_percent: float, only_namespace: str | None = None) -> Json:
    """智能运维 1.2: suggestions of the given types with their patches and monthly savings, and what was
    skipped and why."""
    name = cluster["metadata"]["name"]
    prices = await prices_for(hub, namespace, cluster)
    suggestions: list[Json] = []
    skipped: list[Json] = []
    if "resource" in types:
        kinds = await asyncio.gather(*(_all(session, t, only_namespace)
                                       for t in ("deployments.apps", "statefulsets.apps", "daemonsets.apps")))
        hpas = await _all(session, "horizontalpodautoscalers.autoscaling", only_namespace)
        targets = {(str((h.get("spec") or {}).get("scaleTargetRef", {}).get("kind", "")),
                    str(h["metadata"].get("namespace", "")),
                    str((h.get("spec") or {}).get("scaleTargetRef", {}).get("name", ""))) for h in hpas}
        pods = await history_store.histories(hub, namespace, POD_FAMILY, name)
        found, passed = advice.resource([w for ws in kinds for w in ws], pods, targets, prices, min_hours)
        suggestions += found
        skipped += passed
    if "instance" in types:
        nodes, live = await asyncio.gather(_all(session, "nodes"), _all(session, "pods"))
        histories = await history_store.histories(hub, namespace, NODE_FAMILY, name)
        found, passed = advice.instance(nodes, live, histories, underused_percent, prices)
        suggestions += found
        skipped += passed
    if "storage" in types:
        pvcs, pvs = await asyncio.gather(_all(session, "persistentvolumeclaims", only_namespace),
                                         _all(session, "persistentvolumes"))
        suggestions += advice.storage(pvcs, [] if only_namespace else pvs, prices)
    suggestions.sort(key=lambda s: (-s["estimated_monthly_saving"], s["type"], s["target"]["namespace"],
                                    s["target"]["name"]))
    total = round(sum(max(0.0, s["estimated_monthly_saving"]) for s in suggestions), 2)
    return {"currency": prices.currency, "suggestions": suggestions, "skipped": skipped,
            "total_estimated_monthly_saving": total, "pricing_source": prices.view()}
