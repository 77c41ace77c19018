"""The compliance section (合规性管理 1.1–1.2) over the compliance engine (cloudops.compliance).

A REST run is a run of a ComplianceCheck like the operator's: it creates (or reuses, for the same cluster and
parameters) a ComplianceCheck named `rest-<cluster>-<digest>`, claims its generation so the operator does not
run it too, runs while the request waits and records itself the same way (status, ComplianceReport,
PolicyReports, fix history). Each auto-fix change is handed to the caller's audit as it is made.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cloudops.activity import label_value
from cloudops.compliance.checks import POLICIES
from cloudops.compliance.collect import DEFAULT_RESOURCES, SYSTEM_NAMESPACES
from cloudops.compliance.export import to_csv, to_pdf
from cloudops.compliance.reports import CLUSTER_LABEL, completed_at, list_reports, unpack
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
from cloudops.errors import BadRequest, Missing
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.stores import HubStore
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.resources.base import ObjectMeta, dump
from cloudops.resources.compliance_check import ComplianceCheck, ComplianceCheckStatus
from cloudops.resources.compliance_report import ComplianceReport
from cloudops.services.base import Service
from cloudops.services.compliance.models import (
    CheckBody,
    CheckRun,
    HistoryPoint,
    PolicyCount,
    ReportQuery,
    ReportSummary,
    ReportView,
)

__all__ = ["ChangeAudit", "ComplianceService", "Download"]

log = logging.getLogger("cloudops.compliance")
REST_LABEL = "cloudops.io/created-by"
MAX_REST_CHECKS = 20  # ComplianceChecks REST runs leave per cluster (one per distinct set of parameters)
RANGES = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
# One audit record per change made on the caller's behalf: (operation, HTTP-like status, parameters).
ChangeAudit = Callable[[str, int, Mapping[str, object]], None]


@dataclass(frozen=True)
class Download:
    """A report in another format than JSON."""

    filename: str
    content_type: str
    body: bytes


def _spec(b: CheckBody) -> CheckSpec:
    resources = tuple(dict.fromkeys(b.resources or DEFAULT_RESOURCES))
    if err := CheckSpec.resource_error(resources, "resources"):
        raise BadRequest(err)
    return CheckSpec(
        policies=tuple(dict.fromkeys(b.policies or POLICIES)), resources=resources,
        namespaces=tuple(dict.fromkeys(b.namespaces)) if b.namespaces is not None else None,
        excluded=SYSTEM_NAMESPACES if b.excluded_namespaces is None else tuple(dict.fromkeys(b.excluded_namespaces)),
        directions=tuple(dict.fromkeys(b.network_directions or ("Ingress", "Egress"))), auto_fix=b.auto_fix)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _point(r: ComplianceReport) -> HistoryPoint:
    s = r.spec.summary
    return HistoryPoint(time=r.spec.completed_at, check_id=r.spec.run_id, report_name=r.metadata.name or "",
                        trigger=r.spec.trigger or "", score=float(s.compliance_score), total=s.total,
                        passed=s.passed, failed=s.failed)


class ComplianceService(Service):
    def _checks(self) -> HubStore[ComplianceCheck]:
        return self.deps.store(ComplianceCheck)

    async def _check_object(self, cluster: ClusterRef, spec: CheckSpec) -> ComplianceCheck:
        """The ComplianceCheck for these parameters: created, claimed for this REST run, or reused."""
        wanted = spec.cr_spec(cluster.name)
        digest = hashlib.sha256(json.dumps(dump(wanted), sort_keys=True).encode()).hexdigest()[:10]
        name = f"rest-{cluster.name[:200]}-{digest}"
        wanted.description = f"created by a REST run (POST /api/k8s/compliance/check) by {self.deps.actor}"[:1024]
        meta = ObjectMeta(name=name, annotations={REST_CLAIM_ANNOTATION: "1"},
                          labels={REST_LABEL: "rest", CLUSTER_LABEL: label_value(cluster.name)})
        try:
            return await self._checks().create(ComplianceCheck(metadata=meta, spec=wanted))
        except Conflict:
            return await self._checks().get(name)

    async def _expire_rest_checks(self, cluster: ClusterRef, keep: str) -> None:
        """REST runs with other parameters make other checks: only the MAX_REST_CHECKS last run per cluster stay
        (their reports and PolicyReports go with them: owned, or replaced by the next run of a kept check)."""
        mine = await self._checks().list(f"{REST_LABEL}=rest,{CLUSTER_LABEL}={label_value(cluster.name)}")
        mine.sort(key=lambda c: (c.status.last_run_time if c.status else None) or "", reverse=True)
        for old in [c for c in mine if c.metadata.name != keep][MAX_REST_CHECKS - 1:]:
            try:
                await self._checks().delete(old.metadata.name or "")
            except NotFound:
                pass

    def _audit_fixes(self, cluster: ClusterRef, outcome: Outcome, run_id: str, audit: ChangeAudit) -> None:
        for fix in outcome.fixes:
            w = fix.workload
            audit(f"PATCH {w.kind} {w.namespace}/{w.name}", 200 if fix.status == "applied" else 422,
                  {"run_id": run_id, "checks": fix.checks, "patch": fix.patch, "status": fix.status,
                   "error": fix.error})
            log.info("compliance auto-fix %s by %s on cluster %s: %s %s/%s checks=%s status=%s", run_id,
                     self.deps.actor, cluster.name, w.kind, w.namespace, w.name, ",".join(fix.checks), fix.status)

    async def run(self, body: CheckBody, cluster: ClusterRef, audit: ChangeAudit) -> CheckRun:
        """合规性管理 1.1: one run against `cluster`, recorded like the operator's; auto-fix changes audited."""
        spec = _spec(body)
        check = await self._check_object(cluster, spec)
        name = check.metadata.name or ""
        await self._checks().patch_status(name, ComplianceCheckStatus(phase="running", last_run_time=now_iso(),
                                                                      last_trigger="rest"))
        session = await self.deps.member(cluster)
        run_id = f"check-{uuid.uuid4().hex[:12]}"
        try:
            outcome = await execute(session, spec)
        except MemberError as e:
            await self._checks().patch_status(name, failed_status(check, "ClusterUnavailable", e.detail))
            raise
        self._audit_fixes(cluster, outcome, run_id, audit)
        rec = Recording.of(self.deps.hub, self.deps.namespace, self.deps.settings)
        status = await record(rec, check, cluster, session, spec, outcome, run_id, "rest", self.deps.actor)
        status.run_generation = check.metadata.generation
        await self._checks().patch_status(name, status)
        await self._expire_rest_checks(cluster, name)
        return CheckRun(check_id=run_id, check_name=name, report_name=status.report_name or "",
                        cluster_id=cluster.id, cluster_name=cluster.name, status="completed",
                        policies=list(spec.policies), resources=list(spec.resources),
                        excluded_namespaces=list(spec.excluded), results=[r.view() for r in outcome.results],
                        summary=outcome.summary(), fixes=[f.view() for f in outcome.fixes], notes=outcome.notes,
                        truncated=outcome.truncated,
                        policy_reports=status.policy_reports.model_dump() if status.policy_reports else {})

    async def _reports(self, q: ReportQuery, cluster: ClusterRef, start: datetime) -> list[ComplianceReport]:
        found = [r for r in await list_reports(self.deps.hub, self.deps.namespace, cluster=cluster.name)
                 if completed_at(r) >= start]
        if q.check_name:
            found = [r for r in found if r.spec.check_ref.name == q.check_name]
        if not found:
            what = f"check {q.check_name!r} of " if q.check_name else ""
            raise Missing(f"no compliance report for {what}cluster {cluster.name!r} in the last {q.time_range}: "
                          "run POST /api/k8s/compliance/check or a ComplianceCheck first")
        return found

    async def report(self, q: ReportQuery, cluster: ClusterRef) -> ReportView:
        """合规性管理 1.2: the last run's results in the range, with the score of every run of its check in it."""
        now = datetime.now(UTC)
        found = await self._reports(q, cluster, now - RANGES[q.time_range])
        latest = found[-1]
        check, spec = latest.spec.check_ref.name, latest.spec
        mine = [r for r in found if r.spec.check_ref.name == check]
        results = unpack(spec.results)
        by_policy: dict[str, PolicyCount] = {}
        for r in results:
            p = by_policy.setdefault(r["policy"], PolicyCount(policy=r["policy"], total=0, passed=0, failed=0))
            p["total"] += 1
            if r["status"] == "passed":
                p["passed"] += 1
            else:
                p["failed"] += 1
        s = spec.summary
        return ReportView(
            cluster_id=cluster.id, cluster_name=cluster.name, time_range=q.time_range,
            since=_iso(now - RANGES[q.time_range]), generated_at=_iso(now), check_name=check,
            report_name=latest.metadata.name or "", check_id=spec.run_id, trigger=spec.trigger or "",
            run_at=spec.completed_at,
            summary=ReportSummary(total=s.total, passed=s.passed, failed=s.failed, fixed=s.fixed or 0,
                                  compliance_score=float(s.compliance_score)),
            policies=list(by_policy.values()), results=results, results_truncated=bool(spec.results_truncated),
            truncation_note=spec.truncation_note, fixes=list(spec.fixes or []), notes=list(spec.notes or []),
            history=[_point(r) for r in mine], reports_in_range=len(mine))

    async def download(self, q: ReportQuery, cluster: ClusterRef) -> ReportView | Download:
        """The report as JSON (a ReportView), or as the CSV or PDF file `q.format` asks for."""
        report = await self.report(q, cluster)
        if q.format == "json":
            return report
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        filename = f"compliance-{cluster.name[:100]}-{stamp}.{q.format}"
        document = report.model_dump(mode="json")
        if q.format == "csv":
            return Download(filename, "text/csv", to_csv(document).encode())
        return Download(filename, "application/pdf", await asyncio.to_thread(to_pdf, document))  # CPU-bound
