"""One run of a ComplianceCheck, the same whoever starts it (the operator on create, spec change or schedule;
the shim's 1.1 REST run): check, auto-fix, then record — a ComplianceReport in the hub, an activity entry per
auto-fix change (stream `compliance-fix`), PolicyReports in the member, and the check's status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from kubernetes_asyncio.client import ApiClient

from cloudops import activity
from cloudops.compliance.checks import POLICIES
from cloudops.compliance.collect import (
    DEFAULT_RESOURCES,
    NO_CHECK_RESOURCES,
    SYSTEM_NAMESPACES,
    WORKLOAD_RESOURCES,
    Fix,
    apply_fixes,
    run_checks,
)
from cloudops.compliance.evaluate import Result, summary
from cloudops.compliance.policyreport import Mode, policy_reports, write_policy_reports
from cloudops.compliance.reports import NewReport, expire, write_report
from cloudops.conditions import ready_condition, set_condition
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.netpol import Direction

__all__ = ["FIX_STREAM", "REST_CLAIM_ANNOTATION", "CheckSpec", "Outcome", "Recording", "execute", "failed_status",
           "record"]

Json = dict[str, Any]
FIX_STREAM = "compliance-fix"
# Set by the shim on a ComplianceCheck it creates for a REST run: that generation is run by the shim, not the operator.
REST_CLAIM_ANNOTATION = "cloudops.io/rest-run-generation"
MAX_STATUS_RESULTS = 50  # the CRD's bound on status.results
MAX_STATUS_VIOLATIONS = 10


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class CheckSpec:
    """What a run checks, validated; `namespaces` None means every namespace."""

    policies: tuple[str, ...] = POLICIES
    resources: tuple[str, ...] = DEFAULT_RESOURCES
    namespaces: tuple[str, ...] | None = None
    excluded: tuple[str, ...] = SYSTEM_NAMESPACES
    directions: tuple[Direction, ...] = ("Ingress", "Egress")
    auto_fix: bool = False

    @staticmethod
    def resource_error(resources: Sequence[str], where: str) -> str | None:
        for i, r in enumerate(resources):
            if r not in WORKLOAD_RESOURCES and r not in NO_CHECK_RESOURCES:
                return (f"{where}[{i}]: {r[:80]!r} is not one of "
                        f"{', '.join((*WORKLOAD_RESOURCES, *NO_CHECK_RESOURCES))}")
        return None

    @classmethod
    def from_cr(cls, spec: Mapping[str, Any]) -> CheckSpec:
        """From a ComplianceCheck's spec; ValueError naming the spec field."""
        policies = _unique([str(p) for p in spec.get("policies") or POLICIES])
        for i, p in enumerate(policies):
            if p not in POLICIES:
                raise ValueError(f"spec.policies[{i}]: {p!r} is not one of {', '.join(POLICIES)}")
        resources = _unique([str(r) for r in spec.get("resourceTypes") or DEFAULT_RESOURCES])
        if err := cls.resource_error(resources, "spec.resourceTypes"):
            raise ValueError(err)
        namespaces = spec.get("namespaces")
        excluded = spec.get("excludedNamespaces")
        directions = [d for d in spec.get("networkDirections") or ("Ingress", "Egress") if d in ("Ingress", "Egress")]
        return cls(policies, resources, _unique([str(n) for n in namespaces]) if namespaces else None,
                   SYSTEM_NAMESPACES if excluded is None else _unique([str(n) for n in excluded]),
                   cast(tuple[Direction, ...], _unique(directions) or ("Ingress", "Egress")),
                   bool(spec.get("autoFix", False)))

    def cr_spec(self) -> Json:
        """The ComplianceCheck spec fields (without clusterRef) that reproduce this run."""
        out: Json = {"policies": list(self.policies), "resourceTypes": list(self.resources),
                     "excludedNamespaces": list(self.excluded), "networkDirections": list(self.directions),
                     "autoFix": self.auto_fix}
        if self.namespaces is not None:
            out["namespaces"] = list(self.namespaces)
        return out

    def report_spec(self) -> Json:
        return {"policies": list(self.policies), "resourceTypes": list(self.resources),
                "namespaces": list(self.namespaces or []), "excludedNamespaces": list(self.excluded),
                "autoFix": self.auto_fix}


@dataclass
class Outcome:
    results: list[Result]
    fixes: list[Fix]
    notes: list[str]
    truncated: bool
    started: datetime
    completed: datetime

    def summary(self) -> Json:
        """The reference's summary (see cloudops.compliance.evaluate for the score) plus `fixed`."""
        return {**summary(self.results), "fixed": sum(1 for f in self.fixes if f.status == "applied")}


async def execute(session: MemberSession, spec: CheckSpec) -> Outcome:
    started = datetime.now(UTC)
    run = await run_checks(session, spec.policies, spec.resources, spec.namespaces, spec.excluded, spec.directions)
    fixes = await apply_fixes(session, run.results, spec.excluded) if spec.auto_fix else []
    return Outcome(run.results, fixes, run.notes, run.truncated, started, datetime.now(UTC))


@dataclass(frozen=True)
class Recording:
    """Where and how a run is recorded."""

    hub: ApiClient
    namespace: str
    retention: int  # ComplianceReports kept per check
    policy_reports: Mode
    fix_retention: activity.Retention = field(default_factory=activity.Retention)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _short(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return text[:limit]


def _status_result(r: Json) -> Json:
    out: Json = {"resource": r["resource"][:512], "namespace": r["namespace"][:63], "policy": r["policy"],
                 "status": r["status"],
                 "violations": [{"checkId": v["check_id"], "severity": v["severity"], "field": v["field"][:512],
                                 "expected": _short(v["expected"], 256), "actual": _short(v["actual"], 256),
                                 "message": v["message"][:512]} for v in r["violations"][:MAX_STATUS_VIOLATIONS]]}
    if r.get("fix_suggestion"):
        out["fixSuggestion"] = {"action": r["fix_suggestion"]["action"][:128],
                                "patch": r["fix_suggestion"]["patch"] or {}}
    return out


def _conditions(check: Mapping[str, Any], ready: Json, compliant: Json | None) -> list[Json]:
    conds = set_condition(list((check.get("status") or {}).get("conditions") or []), ready)
    return set_condition(conds, compliant) if compliant is not None else conds


def failed_status(check: Mapping[str, Any], reason: str, message: str, **extra: Any) -> Json:
    generation = check["metadata"].get("generation")
    return {"phase": "failed", "lastError": message[:4096], "observedGeneration": generation, **extra,
            "conditions": _conditions(check, ready_condition(False, reason, message[:4000], generation), None)}


async def _record_fixes(rec: Recording, cluster: ClusterRef, fixes: Sequence[Fix], run_id: str, check: str,
                        actor: str) -> None:
    for fix in fixes:
        w = fix.workload
        await activity.append(rec.hub, cluster.cr, FIX_STREAM,
                              {"run_id": run_id, "check": check, "resource": f"{w.kind.lower()}/{w.name}",
                               "checks": fix.checks, "patch": fix.patch, "status": fix.status, "error": fix.error},
                              actor=actor, subject=activity.Subject(w.kind, w.namespace, w.name),
                              retention=rec.fix_retention)


async def record(rec: Recording, check: Mapping[str, Any], cluster: ClusterRef, session: MemberSession,
                 spec: CheckSpec, outcome: Outcome, run_id: str, trigger: str, actor: str) -> Json:
    """Writes the run's report, fix history and PolicyReports; returns the check's new status.

    A PolicyReport failure (the member refuses the CRD, say) is reported in status.policyReports and does
    not fail the run: the results are in the hub either way.
    """
    name = check["metadata"]["name"]
    views = [r.view() for r in outcome.results]
    totals = outcome.summary()
    report = await write_report(rec.hub, rec.namespace, NewReport(
        check=check, cluster_name=cluster.name, cluster_id=cluster.id, run_id=run_id, trigger=trigger, actor=actor,
        started=outcome.started, completed=outcome.completed, spec=spec.report_spec(),
        summary={"total": totals["total"], "passed": totals["passed"], "failed": totals["failed"],
                 "fixed": totals["fixed"], "complianceScore": totals["compliance_score"]},
        results=views, fixes=[f.view() for f in outcome.fixes], notes=outcome.notes))
    _, kept = await expire(rec.hub, rec.namespace, name, rec.retention)
    if cluster.cr.get("metadata", {}).get("uid"):
        await _record_fixes(rec, cluster, outcome.fixes, run_id, name, actor)
    polr: Json = {"written": 0, "namespaces": [], "error": None}
    try:
        written = await write_policy_reports(
            session, policy_reports(views, name, rec.namespace, run_id, outcome.completed.timestamp()), name,
            rec.namespace, rec.policy_reports)
        polr = {"written": len(written.namespaces), "namespaces": written.namespaces[:256], "error": None}
    except MemberError as e:
        polr["error"] = e.detail[:4096]
    failing = [v for v in views if v["status"] != "passed"]
    generation = check["metadata"].get("generation")
    message = (f"{totals['passed']} of {totals['total']} results passed (score {totals['compliance_score']}); "
               f"report {report['metadata']['name']}")
    if polr.get("error"):
        message += f"; PolicyReports not written: {polr['error']}"
    compliant = {"type": "Compliant", "status": "True" if not failing else "False",
                 "reason": "NoViolations" if not failing else "Violations",
                 "message": f"{len(failing)} of {totals['total']} results failed", "observedGeneration": generation}
    return {
        "phase": "completed", "checkId": run_id, "lastTrigger": trigger, "lastRunTime": _iso(outcome.started),
        "lastCompletionTime": _iso(outcome.completed), "lastError": None,
        "summary": {"total": totals["total"], "passed": totals["passed"], "failed": totals["failed"],
                    "fixed": totals["fixed"], "complianceScore": totals["compliance_score"]},
        "score": totals["compliance_score"], "results": [_status_result(v) for v in failing[:MAX_STATUS_RESULTS]],
        "resultsTruncated": len(failing) > MAX_STATUS_RESULTS, "reportName": report["metadata"]["name"],
        "reportCount": kept, "policyReports": polr, "observedGeneration": generation,
        "conditions": _conditions(check, ready_condition(True, "Completed", message[:4000], generation), compliant)}

