"""The cost section (智能运维 API: cost 1.1–1.2) and the cost engine's I/O for anyone else (the MCP cost tool):
read prices and usage histories from the hub and objects from a member, then call the pure allocation and
optimization functions (cloudops.cost)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

from cloudops import history_store
from cloudops.cost import allocation, nodes
from cloudops.cost import optimize as advice
from cloudops.cost.pricing import Prices, resolve
from cloudops.cost.recorded import recorded_hours, withheld
from cloudops.cost.views import Advice, AllocationReport, OptimizationPlan, OptimizationType, Skipped, Suggestion
from cloudops.errors import BadRequest
from cloudops.kube.narrow import dig, text
from cloudops.kube.types import KubeObject
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId, as_object
from cloudops.members.session import MemberSession
from cloudops.resources.cost_pricing import CostPricing
from cloudops.services.base import Service
from cloudops.services.cost.models import CostReport, Optimization, OptimizationQuery, ReportQuery
from cloudops.usage_history import CLUSTER_FAMILY, NAMESPACE_FAMILY, NODE_FAMILY, POD_FAMILY, cluster_subject

__all__ = ["OPTIMIZATION_TYPES", "CostService"]

OPTIMIZATION_TYPES: tuple[OptimizationType, ...] = ("resource", "instance", "storage")


async def _objects(session: MemberSession, type_name: str) -> list[KubeObject]:
    items, _ = await session.list_all(await session.resolve(type_name))
    return [as_object(item) for item in items]


async def _all(session: MemberSession, type_name: str, namespace: str | None = None) -> list[Mapping[str, object]]:
    rt = await session.resolve(type_name)
    items, _ = await session.list_all(rt, namespace)
    return [{"kind": rt.kind, **item} for item in items]


class CostService(Service):
    async def prices(self, cluster: ClusterRef) -> Prices:
        """The unit prices of one cluster (its CostPricing objects over OpenCost's defaults)."""
        spec = dig(cluster.cr, "spec")
        objects = await self.deps.store(CostPricing).list()
        return resolve(objects, cluster.name, text(spec.get("provider")), text(spec.get("region")))

    async def allocation(self, cluster: ClusterRef, *, time_range: str, group_by: str,
                         only_namespace: str | None = None) -> AllocationReport:
        """The cost of one cluster over `time_range` from its recorded usage (cloudops.cost.allocation.report)."""
        hub, namespace, name = self.deps.hub, self.deps.namespace, cluster.name
        prices = await self.prices(cluster)
        totals = await history_store.histories(hub, namespace, CLUSTER_FAMILY, name)
        whole = next((h for h in totals if h.subject == cluster_subject(name)), None)
        namespaces = await history_store.histories(hub, namespace, NAMESPACE_FAMILY, name)
        pods = [] if group_by == "namespace" else await history_store.histories(hub, namespace, POD_FAMILY, name)
        return allocation.report(time_range=time_range, now=datetime.now(UTC), group_by=group_by, prices=prices,
                                 cluster=whole, namespaces=namespaces, pods=pods, namespace=only_namespace)

    async def report(self, q: ReportQuery, cluster: ClusterRef) -> CostReport:
        """智能运维 1.1."""
        if q.group_by.startswith("label:") and not q.group_by[6:]:
            raise BadRequest("label: needs a label key", field="group_by")
        data = await self.allocation(cluster, time_range=q.time_range, group_by=q.group_by,
                                     only_namespace=q.namespace)
        return CostReport(cluster_id=cluster.id, cluster_name=cluster.name, **data)

    async def _resource(self, session: MemberSession, cluster: ClusterRef, min_hours: float,
                        only_namespace: str | None) -> tuple[list[Advice], list[Skipped]]:
        kinds = await asyncio.gather(*(_all(session, t, only_namespace)
                                       for t in ("deployments.apps", "statefulsets.apps", "daemonsets.apps")))
        hpas = await _all(session, "horizontalpodautoscalers.autoscaling", only_namespace)
        targets = {(text(dig(h, "spec", "scaleTargetRef").get("kind")), text(dig(h, "metadata").get("namespace")),
                    text(dig(h, "spec", "scaleTargetRef").get("name"))) for h in hpas}
        pods = await history_store.histories(self.deps.hub, self.deps.namespace, POD_FAMILY, cluster.name)
        return advice.resource([w for ws in kinds for w in ws], pods, targets, await self.prices(cluster), min_hours)

    async def recorded(self, cluster: ClusterRef) -> float:
        """Hours of the cluster's usage recorded by the operator (its cluster-usage history, last 30 days)."""
        totals = await history_store.histories(self.deps.hub, self.deps.namespace, CLUSTER_FAMILY, cluster.name)
        whole = next((h for h in totals if h.subject == cluster_subject(cluster.name)), None)
        return recorded_hours(whole.series) if whole is not None else 0.0

    async def _instance(self, session: MemberSession, cluster: ClusterRef, prices: Prices, *, threshold: float,
                        min_hours: float, min_nodes: int) -> tuple[list[Advice], list[Skipped]]:
        found, live = await asyncio.gather(_objects(session, "nodes"), _objects(session, "pods"))
        histories = await history_store.histories(self.deps.hub, self.deps.namespace, NODE_FAMILY, cluster.name)
        return nodes.instance(found, live, histories, prices, threshold=threshold, min_hours=min_hours,
                              min_nodes=min_nodes)

    async def plan(self, cluster: ClusterRef, *, types: tuple[OptimizationType, ...], min_hours: float,
                   underused_percent: float, min_nodes: int = 1, only_namespace: str | None = None,
                   session: MemberSession | None = None) -> OptimizationPlan:
        """Suggestions of the given types with their patches and monthly savings, and what was skipped and why;
        none (with the reason) until `min_hours` of the cluster's usage are recorded."""
        prices = await self.prices(cluster)
        recorded = await self.recorded(cluster)
        if (reason := withheld(recorded, min_hours)) is not None:
            return OptimizationPlan(currency=prices.currency, suggestions=[], skipped=[],
                                    total_estimated_monthly_saving=None, recorded_hours=round(recorded, 4),
                                    required_hours=min_hours, withheld_reason=reason, pricing_source=prices.view())
        session = session or await self.deps.member(cluster)
        suggestions: list[Advice] = []
        skipped: list[Skipped] = []
        if "resource" in types:
            found, passed = await self._resource(session, cluster, min_hours, only_namespace)
            suggestions, skipped = suggestions + found, skipped + passed
        if "instance" in types:
            found, passed = await self._instance(session, cluster, prices, threshold=underused_percent,
                                                 min_hours=min_hours, min_nodes=min_nodes)
            suggestions, skipped = suggestions + found, skipped + passed
        if "storage" in types:
            pvcs, pvs = await asyncio.gather(_all(session, "persistentvolumeclaims", only_namespace),
                                             _all(session, "persistentvolumes"))
            suggestions += advice.storage(pvcs, [] if only_namespace else pvs, prices)
        suggestions.sort(key=lambda s: (-s["estimated_monthly_saving"], s["type"], s["target"]["namespace"],
                                        s["target"]["name"]))
        total = round(sum(max(0.0, s["estimated_monthly_saving"]) for s in suggestions), 2)
        return OptimizationPlan(currency=prices.currency, suggestions=suggestions, skipped=skipped,
                                total_estimated_monthly_saving=total, recorded_hours=round(recorded, 4),
                                required_hours=min_hours, withheld_reason=None, pricing_source=prices.view())

    async def optimization(self, q: OptimizationQuery, cluster: ClusterRef) -> Optimization:
        """智能运维 1.2, each suggestion with the object id of its target."""
        settings = self.deps.settings
        plan = await self.plan(cluster, types=(q.optimization_type,) if q.optimization_type else OPTIMIZATION_TYPES,
                               min_hours=settings.rightsizing_min_hours,
                               underused_percent=settings.underused_node_percent, min_nodes=q.min_nodes,
                               only_namespace=q.namespace)
        suggestions = [Suggestion(id=str(ObjectId(cluster.ref, s["target"]["kind"].lower(), s["target"]["namespace"],
                                                  s["target"]["name"])), **s) for s in plan["suggestions"]]
        return Optimization(cluster_id=cluster.id, cluster_name=cluster.name, optimization_type=q.optimization_type,
                            currency=plan["currency"], suggestions=suggestions, skipped=plan["skipped"],
                            total_estimated_monthly_saving=plan["total_estimated_monthly_saving"],
                            recorded_hours=plan["recorded_hours"], required_hours=plan["required_hours"],
                            withheld_reason=plan["withheld_reason"], min_nodes=q.min_nodes,
                            pricing_source=plan["pricing_source"])
