"""合规性管理 API 1.1–1.2: run the compliance check library against a member (optionally fixing what is
mechanical) and read the reports of past runs as JSON, CSV or PDF.

A REST run is a run of a ComplianceCheck like the operator's: it creates (or reuses, for the same cluster and
parameters) a ComplianceCheck named `rest-<cluster>-<digest>`, claims its generation so the operator does not
run it too, runs while the request waits and records itself the same way (status, ComplianceReport, PolicyReports,
fix history). Running checks only reads (verb get on capability `policies`); `auto_fix` writes, so it is
authorized again as `update` on `policies`: a viewer may check but never fix. Every auto-fix change gets its
own audit record (operation `PATCH <kind> <namespace>/<name>`, route `compliance auto-fix`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.security.audit import AuditRecord, redact_params
from api_shim.security.middleware import USER, client_ip
from api_shim.state import ACCESS, AUDIT, HUB, SETTINGS
from cloudops.activity import label_value
from cloudops.compliance.checks import POLICIES
from cloudops.compliance.collect import DEFAULT_RESOURCES, NO_CHECK_RESOURCES, SYSTEM_NAMESPACES, WORKLOAD_RESOURCES
from cloudops.compliance.export import to_csv, to_pdf
from cloudops.compliance.policyreport import policy_report_mode
from cloudops.compliance.reports import CLUSTER_LABEL, completed_at, list_reports, report_view
from cloudops.compliance.runs import (
    REST_CLAIM_ANNOTATION,
    CheckSpec,
    Outcome,
    Recording,
    execute,
    failed_status,
    record,
)
from cloudops.conditions import now_iso
from cloudops.constants import API_VERSION, COMPLIANCE_CHECK
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound
from cloudops.members.errors import MemberError
from cloudops.services.common import ClusterRefItem

__all__ = ["section"]

section = Section(tag="compliance", resource="managedclusters")
log = logging.getLogger("cloudops.compliance")
REST_LABEL = "cloudops.io/created-by"
MAX_REST_CHECKS = 20  # ComplianceChecks REST runs leave per cluster (one per distinct set of parameters)

PolicyName = Literal["security-context", "resource-limits", "network-policy", "image", "probes", "reliability"]
NamespaceName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=63)]


class CheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    policies: list[PolicyName] | None = Field(None, description="default: every policy of the library")
    resources: list[str] | None = Field(None, max_length=20, description=(
        f"workload types (default {', '.join(DEFAULT_RESOURCES)}; also {', '.join(WORKLOAD_RESOURCES)}); "
        f"{', '.join(NO_CHECK_RESOURCES)} have no checks and are reported as skipped"))
    namespaces: list[NamespaceName] | None = Field(None, max_length=200, description="default: every namespace")
    excluded_namespaces: list[NamespaceName] | None = Field(None, max_length=200, description=(
        f"default: {', '.join(SYSTEM_NAMESPACES)}; never checked, never fixed"))
    network_directions: list[Literal["Ingress", "Egress"]] | None = Field(
        None, description="directions a NetworkPolicy must isolate (default both)")
    auto_fix: bool = False


class FixSuggestion(BaseModel):
    action: str
    patch: dict[str, Any] | None


class ViolationView(BaseModel):
    check_id: str
    severity: Literal["danger", "warning"]
    field: str
    expected: Any
    actual: Any
    message: str
    fix_suggestion: FixSuggestion | None


class ResultView(BaseModel):
    resource: str
    kind: str
    namespace: str
    name: str
    policy: str
    status: Literal["passed", "failed"]
    violations: list[ViolationView]
    fix_suggestion: FixSuggestion | None


class Summary(BaseModel):
    total: int
    passed: int
    failed: int
    compliance_score: float


class FixView(BaseModel):
    resource: str
    namespace: str
    name: str
    checks: list[str]
    patch: dict[str, Any]
    status: Literal["applied", "rejected", "failed"]
    error: str | None


class CheckRun(BaseModel):
    check_id: str
    check_name: str = Field(description="the ComplianceCheck this run belongs to (created or reused)")
    report_name: str = Field(description="the ComplianceReport holding this run's results")
    cluster_id: int | None
    cluster_name: str
    status: Literal["completed"]
    policies: list[str]
    resources: list[str]
    excluded_namespaces: list[str]
    results: list[ResultView]
    summary: Summary
    fixes: list[FixView]
    notes: list[str]
    truncated: bool
    policy_reports: dict[str, Any] = Field(description="PolicyReports written to the member: written, namespaces, "
                                                       "error")


def _spec(b: CheckBody) -> CheckSpec:
    resources = tuple(dict.fromkeys(b.resources or DEFAULT_RESOURCES))
    if err := CheckSpec.resource_error(resources, "resources"):
        raise ApiError(400, err)
    return CheckSpec(
        policies=tuple(dict.fromkeys(b.policies or POLICIES)), resources=resources,
        namespaces=tuple(dict.fromkeys(b.namespaces)) if b.namespaces is not None else None,
        excluded=SYSTEM_NAMESPACES if b.excluded_namespaces is None else tuple(dict.fromkeys(b.excluded_namespaces)),
        directions=tuple(dict.fromkeys(b.network_directions or ("Ingress", "Egress"))), auto_fix=b.auto_fix)


async def _check_object(call: Call, spec: CheckSpec, user: str) -> dict[str, Any]:
    """The ComplianceCheck for these parameters: created, claimed for this REST run, or reused."""
    body = {"clusterRef": {"name": call.cluster.name}, **spec.cr_spec()}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:10]
    name = f"rest-{call.cluster.name[:200]}-{digest}"
    store = CustomObjects(call.request.app[HUB], COMPLIANCE_CHECK, call.request.app[SETTINGS].namespace)
    try:
        return await store.create({
            "apiVersion": API_VERSION, "kind": COMPLIANCE_CHECK.kind,
            "metadata": {"name": name, "annotations": {REST_CLAIM_ANNOTATION: "1"},
                         "labels": {REST_LABEL: "rest", CLUSTER_LABEL: label_value(call.cluster.name)}},
            "spec": {**body, "description": f"created by a REST run (POST /api/k8s/compliance/check) by {user}"[
                :1024]}})
    except Conflict:
        return await store.get(name)


async def _expire_rest_checks(call: Call, keep: str) -> None:
    """REST runs with other parameters make other checks: only the MAX_REST_CHECKS last run per cluster stay
    (their reports and PolicyReports go with them: owned, or replaced by the next run of a kept check)."""
    store = CustomObjects(call.request.app[HUB], COMPLIANCE_CHECK, call.request.app[SETTINGS].namespace)
    mine = await store.list(f"{REST_LABEL}=rest,{CLUSTER_LABEL}={label_value(call.cluster.name)}")
    mine.sort(key=lambda c: str((c.get("status") or {}).get("lastRunTime", "")), reverse=True)
    for old in [c for c in mine if c["metadata"]["name"] != keep][MAX_REST_CHECKS - 1:]:
        try:
            await store.delete(old["metadata"]["name"])
        except NotFound:
            pass


def _audit_fixes(call: Call, outcome: Outcome, run_id: str) -> None:
    """One audit record per change auto-fix made or tried, next to the request's own record."""
    user = call.request[USER]
    for fix in outcome.fixes:
        w = fix.workload
        call.request.app[AUDIT].write(AuditRecord(
            time=now_iso(), user=user.name, groups=list(user.groups), auth_method=user.method,
            operation=f"PATCH {w.kind} {w.namespace}/{w.name}", route="compliance auto-fix",
            resource={"group": "cloudops.io", "resource": "managedclusters", "subresource": "policies",
                      "name": call.cluster.name, "namespace": call.request.app[SETTINGS].namespace},
            client_ip=client_ip(call.request), status=200 if fix.status == "applied" else 422, code=None,
            latency_ms=0.0, params=redact_params({"run_id": run_id, "checks": fix.checks, "patch": fix.patch,
                                                  "status": fix.status, "error": fix.error})))
        log.info("compliance auto-fix %s by %s on cluster %s: %s %s/%s checks=%s status=%s", run_id, user.name,
                 call.cluster.name, w.kind, w.namespace, w.name, ",".join(fix.checks), fix.status)


@section.route("POST", "/api/k8s/compliance/check", "运行合规性检查", verb="get", subresource="policies",
               body=CheckBody, data=CheckRun, cluster="param")
async def run_check(call: Call) -> web.Response:
    b: CheckBody = call.body
    if b.auto_fix:
        await call.authorize("update", "policies", call.cluster.name)
    spec = _spec(b)
    app = call.request.app
    user = call.request[USER]
    check = await _check_object(call, spec, user.name)
    store = CustomObjects(app[HUB], COMPLIANCE_CHECK, app[SETTINGS].namespace)
    name = check["metadata"]["name"]
    await store.patch_status(name, {"phase": "running", "lastRunTime": now_iso(), "lastTrigger": "rest"})
    session = await app[ACCESS].session(call.cluster)
    run_id = f"check-{uuid.uuid4().hex[:12]}"
    try:
        outcome = await execute(session, spec)
    except MemberError as e:
        await store.patch_status(name, failed_status(check, "ClusterUnavailable", e.detail))
        raise
    _audit_fixes(call, outcome, run_id)
    rec = Recording(app[HUB], app[SETTINGS].namespace, app[SETTINGS].compliance_report_retention,
                    policy_report_mode(app[SETTINGS].compliance_policy_reports))
    status = await record(rec, check, call.cluster, session, spec, outcome, run_id, "rest", user.name)
    await store.patch_status(name, {**status, "runGeneration": check["metadata"].get("generation")})
    await _expire_rest_checks(call, name)
    return ok({"check_id": run_id, "check_name": name, "report_name": status["reportName"],
               "cluster_id": call.cluster.id, "cluster_name": call.cluster.name, "status": "completed",
               "policies": list(spec.policies), "resources": list(spec.resources),
               "excluded_namespaces": list(spec.excluded), "results": [r.view() for r in outcome.results],
               "summary": {k: v for k, v in outcome.summary().items() if k != "fixed"},
               "fixes": [f.view() for f in outcome.fixes], "notes": outcome.notes, "truncated": outcome.truncated,
               "policy_reports": status["policyReports"]})


RANGES = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


class ReportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    time_range: Literal["1h", "24h", "7d", "30d"] = Field("7d", description="时间范围: runs completed within it")
    format: Literal["json", "csv", "pdf"] = Field("json", description="报告格式")
    check_name: str | None = Field(None, pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253,
                                   description="the ComplianceCheck; default: the one whose run completed last")


class ReportSummary(Summary):
    fixed: int


class PolicyCount(BaseModel):
    policy: str
    total: int
    passed: int
    failed: int


class HistoryPoint(BaseModel):
    time: str
    check_id: str
    report_name: str
    trigger: str
    score: float
    total: int
    passed: int
    failed: int


class ReportView(BaseModel):
    cluster_id: int | None
    cluster_name: str
    time_range: str
    since: str
    generated_at: str
    check_name: str
    report_name: str
    check_id: str
    trigger: str
    run_at: str
    summary: ReportSummary
    policies: list[PolicyCount]
    results: list[ResultView]
    results_truncated: bool
    truncation_note: str | None
    fixes: list[dict[str, Any]]
    notes: list[str]
    history: list[HistoryPoint]
    reports_in_range: int


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _point(r: dict[str, Any]) -> dict[str, Any]:
    spec = r.get("spec") or {}
    s = spec.get("summary") or {}
    return {"time": spec.get("completedAt", ""), "check_id": spec.get("runId", ""),
            "report_name": r["metadata"]["name"], "trigger": spec.get("trigger", ""),
            "score": float(s.get("complianceScore", 0)), "total": int(s.get("total", 0)),
            "passed": int(s.get("passed", 0)), "failed": int(s.get("failed", 0))}


async def _report(call: Call, q: ReportQuery) -> dict[str, Any]:
    now = datetime.now(UTC)
    start = now - RANGES[q.time_range]
    since = _iso(start)
    app = call.request.app
    found = [r for r in await list_reports(app[HUB], app[SETTINGS].namespace, cluster=call.cluster.name)
             if completed_at(r) >= start]
    if q.check_name:
        found = [r for r in found if r["spec"]["checkRef"]["name"] == q.check_name]
    if not found:
        what = f"check {q.check_name!r} of " if q.check_name else ""
        raise ApiError(404, f"no compliance report for {what}cluster {call.cluster.name!r} in the last {q.time_range}: "
                            "run POST /api/k8s/compliance/check or a ComplianceCheck first",
                       BusinessCode.RESOURCE_NOT_FOUND)
    latest = found[-1]
    check = latest["spec"]["checkRef"]["name"]
    mine = [r for r in found if r["spec"]["checkRef"]["name"] == check]
    view = report_view(latest)
    results = view["results"]
    s = view.get("summary") or {}
    by_policy: dict[str, dict[str, Any]] = {}
    for r in results:
        p = by_policy.setdefault(r["policy"], {"policy": r["policy"], "total": 0, "passed": 0, "failed": 0})
        p["total"] += 1
        p["passed" if r["status"] == "passed" else "failed"] += 1
    return {"cluster_id": call.cluster.id, "cluster_name": call.cluster.name, "time_range": q.time_range,
            "since": since, "generated_at": _iso(now), "check_name": check, "report_name": view["name"],
            "check_id": view.get("runId", ""), "trigger": view.get("trigger", ""),
            "run_at": view.get("completedAt", ""),
            "summary": {"total": int(s.get("total", 0)), "passed": int(s.get("passed", 0)),
                        "failed": int(s.get("failed", 0)), "fixed": int(s.get("fixed", 0)),
                        "compliance_score": float(s.get("complianceScore", 0))},
            "policies": list(by_policy.values()), "results": results,
            "results_truncated": bool(view.get("resultsTruncated")), "truncation_note": view.get("truncationNote"),
            "fixes": list(view.get("fixes") or []), "notes": list(view.get("notes") or []),
            "history": [_point(r) for r in mine], "reports_in_range": len(mine)}


@section.route("GET", "/api/k8s/compliance/report", "获取合规性报告", verb="get", subresource="policies",
               query=ReportQuery, data=ReportView, cluster="param", media=("text/csv", "application/pdf"))
async def get_report(call: Call) -> web.Response:
    """The last run's results in the range, with the score of every run of its check in the range."""
    q: ReportQuery = call.query
    report = await _report(call, q)
    if q.format == "json":
        return ok(report)
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    filename = f"compliance-{call.cluster.name[:100]}-{stamp}.{q.format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if q.format == "csv":
        return web.Response(body=to_csv(report).encode(), content_type="text/csv", charset="utf-8", headers=headers)
    pdf = await asyncio.to_thread(to_pdf, report)  # CPU-bound: off the event loop
    return web.Response(body=pdf, content_type="application/pdf", headers=headers)
