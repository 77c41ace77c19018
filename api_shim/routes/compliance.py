"""合规性管理 API 1.1: run the compliance check library against a member, optionally fixing what is mechanical.

Running checks only reads (verb get on capability `policies`, like the label compliance check); `auto_fix`
writes, so it is authorized again as `update` on `policies`: a viewer may check but never fix.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.context import authorize
from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.models import ClusterRefItem
from api_shim.security.middleware import USER
from api_shim.state import ACCESS
from cloudops.compliance.checks import POLICIES
from cloudops.compliance.collect import (
    DEFAULT_RESOURCES,
    NO_CHECK_RESOURCES,
    SYSTEM_NAMESPACES,
    WORKLOAD_RESOURCES,
    apply_fixes,
    run_checks,
)
from cloudops.compliance.evaluate import summary

__all__ = ["section"]

section = Section(tag="compliance", resource="managedclusters")
log = logging.getLogger("cloudops.compliance")
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


@section.route("POST", "/api/k8s/compliance/check", "运行合规性检查", verb="get", subresource="policies",
               body=CheckBody, data=CheckRun, cluster="param")
async def run_check(call: Call) -> web.Response:
    b: CheckBody = call.body
    if b.auto_fix:
        await authorize(call.request, "update", "policies", call.cluster.name)
    resources = list(dict.fromkeys(b.resources or DEFAULT_RESOURCES))
    for i, r in enumerate(resources):
        if r not in WORKLOAD_RESOURCES and r not in NO_CHECK_RESOURCES:
            raise ApiError(400, f"resources[{i}]: {r[:80]!r} is not one of "
                                f"{', '.join((*WORKLOAD_RESOURCES, *NO_CHECK_RESOURCES))}")
    namespaces = list(dict.fromkeys(b.namespaces)) if b.namespaces is not None else None
    excluded = list(SYSTEM_NAMESPACES) if b.excluded_namespaces is None else list(dict.fromkeys(b.excluded_namespaces))
    policies = list(dict.fromkeys(b.policies or POLICIES))
    session = await call.request.app[ACCESS].session(call.cluster)
    run = await run_checks(session, policies, resources, namespaces, excluded,
                           tuple(b.network_directions or ("Ingress", "Egress")))
    fixes = await apply_fixes(session, run.results, excluded) if b.auto_fix else []
    check_id = f"check-{uuid.uuid4().hex[:12]}"
    user = call.request[USER]
    for fix in fixes:  # every change, who made it and why, next to the request's own audit record
        log.info("compliance auto-fix %s by %s on cluster %s: %s %s/%s checks=%s status=%s", check_id, user.name,
                 call.cluster.name, fix.workload.kind, fix.workload.namespace, fix.workload.name,
                 ",".join(fix.checks), fix.status)
    return ok({"check_id": check_id, "cluster_id": call.cluster.id, "cluster_name": call.cluster.name,
               "status": "completed", "policies": policies, "resources": resources, "excluded_namespaces": excluded,
               "results": [r.view() for r in run.results], "summary": summary(run.results),
               "fixes": [f.view() for f in fixes], "notes": run.notes, "truncated": run.truncated})
