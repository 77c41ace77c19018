"""One run of a ComplianceCheck, the same whoever starts it (the operator on create, spec change or schedule;
the shim's 1.1 REST run): check, auto-fix, then record — a ComplianceReport in the hub, an activity entry per
auto-fix change (stream `compliance-fix`), PolicyReports in the member, and the check's status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
from cloudops.compliance.evaluate import NOTHING_CHECKED, Result, summary
from cloudops.compliance.policyreport import Mode, policy_report_mode, policy_reports, write_policy_reports
from cloudops.compliance.reports import NewReport, expire, write_report
from cloudops.compliance.views import ResultView, Summary
from cloudops.conditions import ready_condition, set_condition
from cloudops.kube.client import ApiClient
from cloudops.members.access import ClusterRef
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.network.policy_eval import Direction
from cloudops.resources.base import Condition, ObjectRef
from cloudops.resources.compliance_check import (
    CheckResult,
    CheckSummary,
    CheckTrigger,
    CheckViolation,
    ComplianceCheck,
    ComplianceCheckSpec,
    ComplianceCheckStatus,
    CompliancePolicy,
    PolicyReportsStatus,
)
from cloudops.resources.compliance_check import FixSuggestion as StoredFix
from cloudops.resources.compliance_report import ReportSummary
from cloudops.settings import Settings

__all__ = ["FIX_STREAM", "REST_CLAIM_ANNOTATION", "CheckSpec", "Outcome", "Recording", "compliant_condition",
           "execute", "failed_status", "ready_conditions", "record"]

FIX_STREAM = "compliance-fix"
# Set by the shim on a ComplianceCheck it creates for a REST run: that generation is run by the shim, not the operator.
REST_CLAIM_ANNOTATION = "cloudops.io/rest-run-generation"
MAX_STATUS_RESULTS = 50  # the CRD's bound on status.results
MAX_STATUS_VIOLATIONS = 10
BOTH: tuple[Direction, ...] = ("Ingress", "Egress")


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _wire(name: str) -> str:
    """The ComplianceCheck spec field `name` as the API server spells it (for messages)."""
    return ComplianceCheckSpec.model_fields[name].alias or name


@dataclass(frozen=True)
class CheckSpec:
    """What a run checks, validated; `namespaces` None means every namespace."""

    policies: tuple[CompliancePolicy, ...] = POLICIES
    resources: tuple[str, ...] = DEFAULT_RESOURCES
    namespaces: tuple[str, ...] | None = None
    excluded: tuple[str, ...] = SYSTEM_NAMESPACES
    directions: tuple[Direction, ...] = BOTH
    auto_fix: bool = False

    @staticmethod
    def resource_error(resources: Sequence[str], where: str) -> str | None:
        for i, r in enumerate(resources):
            if r not in WORKLOAD_RESOURCES and r not in NO_CHECK_RESOURCES:
                return (f"{where}[{i}]: {r[:80]!r} is not one of "
                        f"{', '.join((*WORKLOAD_RESOURCES, *NO_CHECK_RESOURCES))}")
        return None

    @classmethod
    def from_cr(cls, spec: ComplianceCheckSpec | Mapping[str, object]) -> CheckSpec:
        """From a ComplianceCheck's spec (or its JSON, clusterRef optional); ValueError naming the spec field."""
        if not isinstance(spec, ComplianceCheckSpec):
            spec = ComplianceCheckSpec.model_validate({"cluster_ref": {"name": ""}, **spec})
        resources = _unique(spec.resource_types or DEFAULT_RESOURCES)
        if err := cls.resource_error(resources, f"spec.{_wire('resource_types')}"):
            raise ValueError(err)
        directions: tuple[Direction, ...] = tuple(dict.fromkeys(spec.network_directions or ())) or BOTH
        return cls(tuple(dict.fromkeys(spec.policies or POLICIES)), resources,
                   _unique(spec.namespaces) if spec.namespaces else None,
                   SYSTEM_NAMESPACES if spec.excluded_namespaces is None else _unique(spec.excluded_namespaces),
                   directions, spec.auto_fix)

    def cr_spec(self, cluster: str = "") -> ComplianceCheckSpec:
        """The ComplianceCheck spec that reproduces this run against `cluster`."""
        return ComplianceCheckSpec(
            cluster_ref=ObjectRef(name=cluster), policies=list(self.policies), resource_types=list(self.resources),
            excluded_namespaces=list(self.excluded), network_directions=list(self.directions),
            auto_fix=self.auto_fix, namespaces=list(self.namespaces) if self.namespaces is not None else None)


@dataclass
class Outcome:
    results: list[Result]
    fixes: list[Fix]
    notes: list[str]
    truncated: bool
    started: datetime
    completed: datetime
    empty_reason: str = ""

    def summary(self) -> Summary:
        """The reference's summary (see cloudops.compliance.evaluate for the score; null when nothing was
        checked, with the reason)."""
        return summary(self.results, self.empty_reason)

    @property
    def fixed(self) -> int:
        return sum(1 for f in self.fixes if f.status == "applied")


async def execute(session: MemberSession, spec: CheckSpec) -> Outcome:
    started = datetime.now(UTC)
    run = await run_checks(session, spec.policies, spec.resources, spec.namespaces, spec.excluded, spec.directions)
    fixes = await apply_fixes(session, run.results, spec.excluded) if spec.auto_fix else []
    return Outcome(run.results, fixes, run.notes, run.truncated, started, datetime.now(UTC), run.empty_reason)


@dataclass(frozen=True)
class Recording:
    """Where and how a run is recorded."""

    hub: ApiClient
    namespace: str
    retention: int  # ComplianceReports kept per check
    policy_reports: Mode
    fix_retention: activity.Retention = field(default_factory=activity.Retention)

    @classmethod
    def of(cls, hub: ApiClient, namespace: str, settings: Settings) -> Recording:
        return cls(hub, namespace, settings.compliance_report_retention,
                   policy_report_mode(settings.compliance_policy_reports))


def _iso(t: datetime) -> str:
    """Milliseconds: which of two checks ran last must hold for runs in the same second (ad-hoc expiry)."""
    return t.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _short(value: object, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), default=str)
    return text[:limit]


def _status_result(r: Result) -> CheckResult:
    fix = r.fix_suggestion()
    return CheckResult(
        resource=r.resource[:512], namespace=r.workload.namespace[:63], policy=r.policy,
        status="passed" if r.passed else "failed",
        violations=[CheckViolation(check_id=v.check_id, severity=v.severity, field=v.field[:512],
                                   expected=_short(v.expected, 256), actual=_short(v.actual, 256),
                                   message=v.message[:512]) for v in r.violations[:MAX_STATUS_VIOLATIONS]],
        fix_suggestion=StoredFix(action=fix["action"][:128], patch=dict(fix["patch"] or {})) if fix else None)


def compliant_condition(failing: int, total: int, empty_reason: str, generation: int | None) -> dict[str, object]:
    """Compliant: True with no violation, False with some, Unknown when nothing was checked (no green on
    nothing)."""
    cond = ready_condition(not failing, "Violations" if failing else "NoViolations",
                           f"{failing} of {total} results failed", generation)
    if not total:
        cond.update(status="Unknown", reason="NothingChecked", message=(empty_reason or NOTHING_CHECKED)[:4000])
    return {**cond, "type": "Compliant"}


def ready_conditions(check: ComplianceCheck, ok: bool, reason: str, message: str,
                     failing: int | None = None, total: int = 0, empty_reason: str = "") -> list[Condition]:
    """The check's conditions with Ready set (and Compliant, given the failing results of a run)."""
    generation = check.metadata.generation
    stored = check.status.conditions if check.status and check.status.conditions else []
    conds = set_condition([c.model_dump(by_alias=True, exclude_none=True) for c in stored],
                          ready_condition(ok, reason, message[:4000], generation))
    if failing is not None:
        conds = set_condition(conds, compliant_condition(failing, total, empty_reason, generation))
    return [Condition.model_validate(c) for c in conds]


def failed_status(check: ComplianceCheck, reason: str, message: str) -> ComplianceCheckStatus:
    return ComplianceCheckStatus(phase="failed", last_error=message[:4096],
                                 observed_generation=check.metadata.generation,
                                 conditions=ready_conditions(check, False, reason, message))


async def _record_fixes(rec: Recording, cluster: ClusterRef, fixes: Sequence[Fix], run_id: str, check: str,
                        actor: str) -> None:
    for fix in fixes:
        w = fix.workload
        await activity.append(rec.hub, cluster.cr, FIX_STREAM,
                              {"run_id": run_id, "check": check, "resource": f"{w.kind.lower()}/{w.name}",
                               "checks": [c for c in fix.checks], "patch": fix.patch, "status": fix.status,
                               "error": fix.error},
                              actor=actor, subject=activity.Subject(w.kind, w.namespace, w.name),
                              retention=rec.fix_retention)


async def _policy_reports(rec: Recording, session: MemberSession, views: Sequence[ResultView], check: str,
                          run_id: str, at: datetime) -> PolicyReportsStatus:
    """PolicyReports in the member; a failure (the member refuses the CRD, say) is reported, not raised."""
    try:
        written = await write_policy_reports(session, policy_reports(views, check, rec.namespace, run_id,
                                                                     at.timestamp()), check, rec.namespace,
                                             rec.policy_reports)
    except MemberError as e:
        return PolicyReportsStatus(written=0, namespaces=[], error=e.detail[:4096])
    return PolicyReportsStatus(written=len(written.namespaces), namespaces=written.namespaces[:256], error=None)


async def record(rec: Recording, check: ComplianceCheck, cluster: ClusterRef, session: MemberSession,
                 spec: CheckSpec, outcome: Outcome, run_id: str, trigger: CheckTrigger,
                 actor: str) -> ComplianceCheckStatus:
    """Writes the run's report, fix history and PolicyReports; returns the check's new status.

    A PolicyReport failure is reported in status.policyReports and does not fail the run: the results are in
    the hub either way.
    """
    name, views, totals = check.metadata.name or "", [r.view() for r in outcome.results], outcome.summary()
    reason = totals["score_reason"][:1024] if totals["score_reason"] is not None else None
    report = await write_report(rec.hub, rec.namespace, NewReport(
        check=check, cluster_name=cluster.name, cluster_id=cluster.id, run_id=run_id, trigger=trigger, actor=actor,
        started=outcome.started, completed=outcome.completed, spec=spec.cr_spec(cluster.name),
        summary=ReportSummary(total=totals["total"], passed=totals["passed"], failed=totals["failed"],
                              fixed=outcome.fixed, compliance_score=totals["compliance_score"],
                              score_reason=reason),
        results=views, fixes=[f.view() for f in outcome.fixes], notes=outcome.notes))
    _, kept = await expire(rec.hub, rec.namespace, name, rec.retention)
    if cluster.cr.get("metadata", {}).get("uid"):
        await _record_fixes(rec, cluster, outcome.fixes, run_id, name, actor)
    polr = await _policy_reports(rec, session, views, name, run_id, outcome.completed)
    failing = [r for r in outcome.results if not r.passed]
    report_name = report.metadata.name or ""
    score = f"score {totals['compliance_score']}" if reason is None else f"no score: {reason}"
    message = (f"{totals['passed']} of {totals['total']} results passed ({score}); "
               f"report {report_name}" + (f"; PolicyReports not written: {polr.error}" if polr.error else ""))
    # A null score is sent as null (the merge patch removes the last run's), never left as it was.
    return ComplianceCheckStatus(
        phase="completed", check_id=run_id, last_trigger=trigger, last_run_time=_iso(outcome.started),
        last_completion_time=_iso(outcome.completed), last_error=None,
        summary=CheckSummary(total=totals["total"], passed=totals["passed"], failed=totals["failed"],
                             fixed=outcome.fixed, compliance_score=totals["compliance_score"],
                             score_reason=reason),
        score=totals["compliance_score"], results=[_status_result(r) for r in failing[:MAX_STATUS_RESULTS]],
        results_truncated=len(failing) > MAX_STATUS_RESULTS, report_name=report_name, report_count=kept,
        policy_reports=polr, observed_generation=check.metadata.generation,
        conditions=ready_conditions(check, True, "Completed", message, len(failing), totals["total"],
                                    reason or ""))
