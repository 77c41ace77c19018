"""The compliance section (合规性管理 1.1–1.2) over the compliance engine (cloudops.compliance).

A REST run is a run of a ComplianceCheck like the operator's: the caller's ad-hoc check for these parameters
(cloudops.compliance.adhoc: created on first use, re-run after, expired when unused), whose generation it claims
so the operator does not run it too; it runs while the request waits and records itself the same way (status,
ComplianceReport, PolicyReports, fix history). Each auto-fix change is handed to the caller's audit as made.
The report (1.2) without a check name is the newest run of the caller's checks (or of standing checks when the
caller has none in the range), never another caller's.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cloudops.compliance import adhoc
from cloudops.compliance.checks import POLICIES
from cloudops.compliance.collect import DEFAULT_RESOURCES, SYSTEM_NAMESPACES
from cloudops.compliance.evaluate import NOTHING_CHECKED
from cloudops.compliance.export import to_csv, to_pdf
from cloudops.compliance.reports import completed_at, list_reports, unpack
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


def _score(r: ComplianceReport) -> tuple[float | None, str | None]:
    """A report's score and why it has none: none when it checked nothing (reports written before scores were
    null for an empty run stored 100 there)."""
    s = r.spec.summary
    if s.total == 0 or s.compliance_score is None:
        return None, s.score_reason or NOTHING_CHECKED
    return float(s.compliance_score), None


def _point(r: ComplianceReport) -> HistoryPoint:
    s, (score, reason) = r.spec.summary, _score(r)
    return HistoryPoint(time=r.spec.completed_at, check_id=r.spec.run_id, report_name=r.metadata.name or "",
                        trigger=r.spec.trigger or "", score=score, score_reason=reason, total=s.total,
                        passed=s.passed, failed=s.failed)


def _visible(found: list[ComplianceReport], actor: str) -> list[ComplianceReport]:
    """The reports a report without a check name picks from: the caller's REST runs, else standing checks'
    runs (never another caller's REST runs)."""
    me = actor[:253]
    mine = [r for r in found if r.spec.trigger == "rest" and r.spec.actor == me]
    return mine or [r for r in found if r.spec.trigger != "rest"]


class ComplianceService(Service):
    def _checks(self) -> HubStore[ComplianceCheck]:
        return self.deps.store(ComplianceCheck)

    async def _check_object(self, cluster: ClusterRef, spec: CheckSpec) -> ComplianceCheck:
        """The caller's ad-hoc ComplianceCheck for these parameters: created (claimed for this REST run) or
        reused."""
        check = adhoc.adhoc_check(cluster.name, self.deps.actor, spec.cr_spec(cluster.name),
                                  {REST_CLAIM_ANNOTATION: "1"})
        try:
            return await self._checks().create(check)
        except Conflict:
            return await self._checks().get(check.metadata.name or "")

    async def _expire_adhoc(self, keep: str) -> None:
        """Removes expired ad-hoc checks and the caller's beyond its bound, with their PolicyReports."""
        checks = await self._checks().list(f"{adhoc.ADHOC_LABEL}={adhoc.ADHOC_VALUE}")
        for old in adhoc.to_remove(checks, self.deps.actor, keep, datetime.now(UTC)):
            session = None
            try:
                cluster = ClusterRef.of(await self.deps.registry.find(old.spec.cluster_ref.name))
                session = await self.deps.member(cluster)
            except (NotFound, MemberError) as e:
                log.info("ad-hoc check %s: cluster %s not reachable (%s)", old.metadata.name,
                         old.spec.cluster_ref.name, e)
            await adhoc.remove(self._checks(), old, session, self.deps.namespace)

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
        await self._expire_adhoc(name)
        summary = outcome.summary()
        return CheckRun(check_id=run_id, check_name=name, report_name=status.report_name or "",
                        cluster_id=cluster.id, cluster_name=cluster.name,
                        status="completed" if summary["total"] else "nothing_checked",
                        policies=list(spec.policies), resources=list(spec.resources),
                        excluded_namespaces=list(spec.excluded), results=[r.view() for r in outcome.results],
                        summary=summary, fixes=[f.view() for f in outcome.fixes], notes=outcome.notes,
                        truncated=outcome.truncated,
                        policy_reports=status.policy_reports.model_dump() if status.policy_reports else {})

    async def _reports(self, q: ReportQuery, cluster: ClusterRef, start: datetime) -> list[ComplianceReport]:
        found = [r for r in await list_reports(self.deps.hub, self.deps.namespace, cluster=cluster.name)
                 if completed_at(r) >= start]
        found = ([r for r in found if r.spec.check_ref.name == q.check_name] if q.check_name
                 else _visible(found, self.deps.actor))
        if not found:
            what = f"check {q.check_name!r} of " if q.check_name else "your checks or standing checks of "
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
        s, (score, reason) = spec.summary, _score(latest)
        return ReportView(
            cluster_id=cluster.id, cluster_name=cluster.name, time_range=q.time_range,
            since=_iso(now - RANGES[q.time_range]), generated_at=_iso(now), check_name=check,
            report_name=latest.metadata.name or "", check_id=spec.run_id, trigger=spec.trigger or "",
            run_at=spec.completed_at,
            summary=ReportSummary(total=s.total, passed=s.passed, failed=s.failed, fixed=s.fixed or 0,
                                  compliance_score=score, score_reason=reason),
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
