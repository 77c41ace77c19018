"""The reference's MCP tools 1.1–1.4: cluster scan, resource monitor, config validation, performance analysis.

Each reads the member (and the hub's recorded history) through the existing domain code: the probe and
health scoring (cloudops.clusters), the compliance engine (cloudops.compliance), the metrics history
(cloudops.clusters.metrics_store). The findings come from cloudops.mcp_tools.findings, each naming its object.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from typing_extensions import TypedDict

from cloudops.clusters.health import Issue, health_status, parse_quantity
from cloudops.clusters.metrics_store import read_series
from cloudops.clusters.probe import probe
from cloudops.compliance.checks import POLICIES
from cloudops.compliance.collect import DEFAULT_RESOURCES, SYSTEM_NAMESPACES, run_checks
from cloudops.compliance.evaluate import summary
from cloudops.conditions import now_iso
from cloudops.kube.narrow import dig, mappings, text
from cloudops.mcp_tools import findings as f
from cloudops.mcp_tools.models import (
    FoundIssue,
    MonitorResult,
    PerformanceResult,
    Recommendation,
    ScanResult,
    TrendStat,
    ValidateResult,
)
from cloudops.mcp_tools.registry import ToolContext
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.resources.compliance_check import CompliancePolicy

__all__ = ["MonitorParams", "PerformanceParams", "ScanParams", "ValidateParams", "analyze_performance",
           "monitor_resources", "scan_cluster", "validate_config"]

Namespace = str
NS_FIELD = Field(None, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63,
                 description="only this namespace (default: all)")
TimeRange = Literal["1h", "24h", "7d", "30d"]
PolicyName = CompliancePolicy
MAX_ITEMS = 5000


class ScanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    include_nodes: bool = True
    include_pods: bool = True
    include_services: bool = True
    include_events: bool = True


INCLUDE = ("include_nodes", "include_pods", "include_services", "include_events")


def _include(key: str, what: str) -> Any:
    return Field(None, description=f"health scan: {what} (default true); the same as options.{key}, given at the "
                                   "top level as the reference's example does (over options when both are given)")


class ScanParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scan_type: Literal["health", "security", "performance"] = Field(
        description="health: nodes, pods in bad states, Services without ready endpoints, warning Events; "
                    "security: the compliance engine's security-context checks over every workload (a score of "
                    "null when there is none); performance: the bottleneck analysis")
    options: ScanOptions = Field(default_factory=ScanOptions)
    namespace: Namespace | None = NS_FIELD
    include_nodes: bool | None = _include("include_nodes", "each node's conditions and cordon")
    include_pods: bool | None = _include("include_pods", "pods in bad states or pending for resources")
    include_services: bool | None = _include("include_services", "Services without ready endpoints")
    include_events: bool | None = _include("include_events", "Warning events")

    @model_validator(mode="after")
    def _into_options(self) -> ScanParams:
        """The top-level flags are the options (over `options` when both are given, as the reference writes them
        at the top): one place for the scan to read."""
        given = {k: v for k in INCLUDE if (v := getattr(self, k)) is not None}
        if given:
            self.options = self.options.model_copy(update=given)
        return self


async def _items(session: MemberSession, type_name: str, namespace: str | None = None,
                 field_selector: str | None = None) -> Sequence[Mapping[str, object]]:
    """The objects of one type as the member sends them (read with cloudops.kube.narrow)."""
    rt = await session.resolve(type_name)
    found, _ = await session.list_all(rt, namespace, field_selector=field_selector, max_items=MAX_ITEMS)
    return found


async def _optional(session: MemberSession, type_name: str,
                    namespace: str | None) -> Sequence[Mapping[str, object]] | None:
    """A list the member may not serve (metrics.k8s.io, autoscaling): None when it does not."""
    try:
        return await _items(session, type_name, namespace)
    except MemberError as e:
        if e.status in (404, 503) or e.code == 1002:
            return None
        raise


def _status_of(score: float | None, issues: list[FoundIssue]) -> str:
    """healthy, warning or error from the score and issues; unknown when there is no score (nothing checked)."""
    if score is None:
        return "unknown"
    return health_status(score, [Issue(i["type"], i["message"], i["severity"]) for i in issues])


def _collect(found: f.Found, issues: list[FoundIssue], recs: list[Recommendation]) -> None:
    for reason, item in found:
        issues.append(item)
        if item["severity"] != "low":
            recs.append(f.recommendation(reason, item))


@dataclass
class Findings:
    score: float | None  # None: nothing was checked, `score_reason` says why
    issues: list[FoundIssue]
    recs: list[Recommendation]
    counted: dict[str, int]
    score_reason: str | None = None


async def _health(ctx: ToolContext, p: ScanParams) -> Findings:
    s, o, ns = ctx.session, p.options, p.namespace
    snap = await probe(s.api, s.server)
    issues = [FoundIssue(type=i.get("type", ""), resource="cluster", namespace="", message=i.get("message", ""),
                         severity=i.get("severity", ""), source="cluster probe") for i in snap.issues]
    recs: list[Recommendation] = []
    counted: dict[str, int] = {}
    if o.include_nodes:  # the probe reads nodes for the cluster's score; each node's conditions only when asked
        nodes = await _items(s, "nodes")
        counted["nodes"] = len(nodes)
        _collect(f.node_conditions(nodes), issues, recs)
    if o.include_pods:
        pods = await _items(s, "pods", ns)
        counted["pods"] = len(pods)
        _collect(f.bad_pods(pods) + f.pending_for_resources(pods), issues, recs)
    if o.include_services:
        services, slices = await asyncio.gather(_items(s, "services", ns), _items(s, "endpointslices", ns))
        counted["services"] = len(services)
        _collect(f.services_without_endpoints(services, slices), issues, recs)
    if o.include_events:
        events = await _items(s, "events", ns, "type=Warning")
        counted["warning_events"] = len(events)
        _collect(f.warning_events(events), issues, recs)
    return Findings(snap.health_score, issues, recs, counted)


async def _security(ctx: ToolContext, p: ScanParams) -> Findings:
    """The security-context checks over every workload (pods and their controllers); no score over nothing."""
    run = await run_checks(ctx.session, ["security-context"], DEFAULT_RESOURCES,
                           [p.namespace] if p.namespace else None, SYSTEM_NAMESPACES)
    issues: list[FoundIssue] = []
    recs: list[Recommendation] = []
    for r in run.results:
        for v in r.violations:
            sev = "high" if v.severity == "danger" else "medium"
            item = f.issue(r.workload.kind.lower(), r.workload.name, r.workload.namespace,
                           f"{v.check_id}: {v.message}", sev, "compliance engine (security-context)",
                           "error" if v.severity == "danger" else "warning")
            issues.append(item)
            if v.action:
                recs.append(Recommendation(type="security", title=f"{v.check_id}: {item['resource']}",
                                           description=v.message, action=v.action, resource=item["resource"]))
    totals = summary(run.results, run.empty_reason)
    return Findings(totals["compliance_score"], issues, recs, {"workloads_checked": len(run.results)},
                    totals["score_reason"])


async def _performance(ctx: ToolContext, p: ScanParams) -> Findings:
    perf = await analyze_performance(ctx, PerformanceParams.model_validate({"namespace": p.namespace}))
    score = max(0.0, 100.0 - 10.0 * sum(1 for i in perf.findings if i["severity"] in ("high", "critical")))
    return Findings(score, perf.findings, perf.recommendations, perf.checked)


async def scan_cluster(ctx: ToolContext, p: ScanParams) -> ScanResult:
    start = time.monotonic()
    scan = {"health": _health, "security": _security, "performance": _performance}[p.scan_type]
    found = await scan(ctx, p)
    return ScanResult(scan_id=f"scan-{uuid.uuid4().hex[:12]}", cluster_id=ctx.cluster.id,
                      cluster_name=ctx.cluster.name, scan_type=p.scan_type,
                      health_status=_status_of(found.score, found.issues), score=found.score,
                      score_reason=found.score_reason, issues=found.issues, recommendations=found.recs,
                      checked=found.counted, scan_time=now_iso(), duration=round(time.monotonic() - start, 3))


class MonitorParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_types: list[Literal["cluster", "nodes", "pods", "services"]] = Field(
        ["cluster", "nodes", "pods"], max_length=4)
    time_range: TimeRange = "1h"
    metrics: list[Literal["cpu", "memory", "disk", "pods", "nodes"]] = Field(
        ["cpu", "memory"], max_length=5)
    namespace: Namespace | None = NS_FIELD
    top: int = Field(10, ge=1, le=100, description="pods listed by usage")


class NodeUsage(TypedDict):
    name: str
    allocatable: dict[str, object]
    usage: Mapping[str, object] | None


class PodUsage(TypedDict):
    name: str
    namespace: str
    cpu_cores: float
    memory_bytes: int


def _history(series: Sequence[Mapping[str, object]], metrics: Sequence[str]) -> list[dict[str, object]]:
    return [{"timestamp": pt.get("t"), **{m: pt.get(m) for m in metrics}} for pt in series]


def _nodes(nodes: Sequence[Mapping[str, object]], usage: Sequence[Mapping[str, object]] | None) -> list[NodeUsage]:
    used = {text(dig(u, "metadata").get("name")): dig(u, "usage") for u in usage or []}
    return [NodeUsage(name=text(dig(n, "metadata").get("name")),
                      allocatable={k: v for k, v in dig(n, "status", "allocatable").items()
                                   if k in ("cpu", "memory", "pods", "ephemeral-storage")},
                      usage=used.get(text(dig(n, "metadata").get("name")))) for n in nodes]


def _pods(usage: Sequence[Mapping[str, object]] | None) -> list[PodUsage]:
    rows = [PodUsage(name=text(dig(u, "metadata").get("name")), namespace=text(dig(u, "metadata").get("namespace")),
                     cpu_cores=round(sum(_cpu(c) for c in mappings(u.get("containers"))), 4),
                     memory_bytes=sum(_memory(c) for c in mappings(u.get("containers")))) for u in usage or []]
    rows.sort(key=lambda r: (-r["cpu_cores"], -r["memory_bytes"], r["namespace"], r["name"]))
    return rows


async def monitor_resources(ctx: ToolContext, p: MonitorParams) -> MonitorResult:
    """Recorded history (the operator's ClusterMetrics, by range) and live usage (metrics.k8s.io)."""
    s = ctx.session
    res: dict[str, object] = {}
    notes: list[str] = []
    if "cluster" in p.resource_types:
        series = await read_series(ctx.hub, ctx.namespace, ctx.cluster.name)
        points = _history(series.get(p.time_range, []), p.metrics)
        res["cluster"] = {"history": points, "source": "ClusterMetrics (recorded by the operator)"}
        if not points:
            notes.append(f"no recorded history for {p.time_range} yet")
    if "nodes" in p.resource_types:
        nodes, usage = await asyncio.gather(_items(s, "nodes"), _optional(s, "nodes.metrics.k8s.io", None))
        res["nodes"] = _nodes(nodes, usage)
        if usage is None:
            notes.append("metrics.k8s.io is not served: no live node usage")
    if "pods" in p.resource_types:
        usage = await _optional(s, "pods.metrics.k8s.io", p.namespace)
        rows = _pods(usage)
        res["pods"] = {"count": len(rows), "top": rows[:p.top]}
        if usage is None:
            notes.append("metrics.k8s.io is not served: no live pod usage")
    if "services" in p.resource_types:
        res["services"] = {"count": len(await _items(s, "services", p.namespace))}
    return MonitorResult(cluster_id=ctx.cluster.id, cluster_name=ctx.cluster.name, time_range=p.time_range,
                         metrics=list(p.metrics), collected_at=now_iso(), resources=res, notes=notes)


def _cpu(container: Mapping[str, object]) -> float:
    return parse_quantity(dig(container, "usage").get("cpu", 0))


def _memory(container: Mapping[str, object]) -> int:
    return int(parse_quantity(dig(container, "usage").get("memory", 0)))


class ValidateParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    policies: list[PolicyName] | None = Field(None, description="default: every policy")
    resources: list[Literal["deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "pods",
                            "services", "configmaps", "secrets", "ingresses"]] | None = Field(
        None, max_length=11, description=f"default: {', '.join(DEFAULT_RESOURCES)}")
    namespace: Namespace | None = NS_FIELD


async def validate_config(ctx: ToolContext, p: ValidateParams) -> ValidateResult:
    """The compliance engine over the member's workloads (system namespaces excluded)."""
    policies = list(p.policies or POLICIES)
    run = await run_checks(ctx.session, policies, list(p.resources or DEFAULT_RESOURCES),
                           [p.namespace] if p.namespace else None, SYSTEM_NAMESPACES)
    return ValidateResult(validation_id=f"validate-{uuid.uuid4().hex[:12]}", cluster_id=ctx.cluster.id,
                          cluster_name=ctx.cluster.name, policies=list(policies),
                          summary=summary(run.results, run.empty_reason),
                          results=[r.view() for r in run.results if not r.passed], notes=run.notes,
                          truncated=run.truncated, validated_at=now_iso())


class PerformanceParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    analysis_type: Literal["bottleneck", "resource_usage", "scaling"] = Field(
        "bottleneck", description="bottleneck: everything below; resource_usage: usage near limits and node "
                                  "pressure; scaling: pending pods and HPAs at max")
    time_range: TimeRange = Field("24h", description="the recorded cluster usage trend looked at")
    include_recommendations: bool = True
    threshold_percent: float = Field(90.0, ge=1, le=100, description="usage of a limit counted as near it")
    namespace: Namespace | None = NS_FIELD


async def _bottlenecks(s: MemberSession, p: PerformanceParams, checked: dict[str, int],
                       notes: list[str]) -> f.Found:
    """What the analysis type looks at in the member, counted in `checked`; what it could not, in `notes`."""
    ns, found = p.namespace, []
    pods = await _items(s, "pods", ns)
    checked["pods"] = len(pods)
    if p.analysis_type in ("bottleneck", "resource_usage"):
        nodes, metrics = await asyncio.gather(_items(s, "nodes"), _optional(s, "pods.metrics.k8s.io", ns))
        checked["nodes"] = len(nodes)
        found += [x for x in f.node_conditions(nodes) if x[0] != "Cordoned"]
        if metrics is None:
            notes.append("metrics.k8s.io is not served: usage against limits not checked")
        else:
            found += f.near_limits(pods, metrics, p.threshold_percent)
    if p.analysis_type in ("bottleneck", "scaling"):
        found += f.pending_for_resources(pods)
        hpas = await _optional(s, "horizontalpodautoscalers", ns)
        checked["hpas"] = len(hpas or [])
        found += f.hpas_at_max(hpas or [])
    return found


async def analyze_performance(ctx: ToolContext, p: PerformanceParams) -> PerformanceResult:
    """Usage near limits, pods pending for resources, node pressure, HPAs pinned at max; and the recorded
    cluster usage over `time_range` (peak and mean)."""
    checked: dict[str, int] = {}
    notes: list[str] = []
    found = await _bottlenecks(ctx.session, p, checked, notes)
    series = (await read_series(ctx.hub, ctx.namespace, ctx.cluster.name)).get(p.time_range, [])
    trend: dict[str, TrendStat | None] = {}
    for m in ("cpu", "memory"):
        values = [float(v) for pt in series if isinstance(v := pt.get(m), int | float)]
        trend[m] = TrendStat(mean=round(sum(values) / len(values), 2), peak=round(max(values), 2),
                             points=len(values)) if values else None
    recs = [f.recommendation(reason, item) for reason, item in found] if p.include_recommendations else []
    return PerformanceResult(analysis_id=f"perf-{uuid.uuid4().hex[:12]}", cluster_id=ctx.cluster.id,
                             cluster_name=ctx.cluster.name, analysis_type=p.analysis_type, time_range=p.time_range,
                             findings=[item for _, item in found], recommendations=recs, trend=trend,
                             checked=checked, notes=notes, analyzed_at=now_iso())
