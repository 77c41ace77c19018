"""Checks applied to workloads: one result per workload and policy, the reference's summary and score.

Score: compliance_score = round(100 × passed / total, 1), where total counts (workload, policy) results and
a result passes when none of its policy's checks finds a violation. With nothing checked there is no score:
null, and `score_reason` says why (a 100 over nothing would read as "all clear").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cloudops.compliance.checks import CHECKS, Context, Violation, Workload
from cloudops.compliance.patch import merge_patches
from cloudops.compliance.views import FixSuggestion, ResultView, Summary
from cloudops.kube.types import JsonObject
from cloudops.resources.compliance_check import CompliancePolicy

__all__ = ["NOTHING_CHECKED", "Result", "check_workload", "fix_patch", "summary"]


@dataclass(frozen=True)
class Result:
    workload: Workload
    policy: CompliancePolicy
    violations: tuple[Violation, ...]

    @property
    def passed(self) -> bool:
        return not self.violations

    @property
    def resource(self) -> str:
        return f"{self.workload.kind.lower()}/{self.workload.name}"

    def fix_suggestion(self) -> FixSuggestion | None:
        """The reference's per-result suggestion: every mechanical fix of this result in one patch."""
        patch = fix_patch(self.violations)
        if patch is None:
            return None
        actions = sorted({v.action for v in self.violations if v.patch is not None and v.action})
        return FixSuggestion(action=actions[0] if len(actions) == 1 else "+".join(actions), patch=patch)

    def view(self) -> ResultView:
        w = self.workload
        return ResultView(resource=self.resource, kind=w.kind, namespace=w.namespace, name=w.name,
                          policy=self.policy, status="passed" if self.passed else "failed",
                          violations=[v.view() for v in self.violations], fix_suggestion=self.fix_suggestion())


def fix_patch(violations: Sequence[Violation]) -> JsonObject | None:
    patches = [v.patch for v in violations if v.patch is not None]
    return merge_patches(patches) if patches else None


def check_workload(workload: Workload, ctx: Context, policies: Sequence[CompliancePolicy]) -> list[Result]:
    """One result per policy, in the order given; the policy's checks in library order."""
    out = []
    for policy in policies:
        found: list[Violation] = []
        for check in CHECKS:
            if check.policy == policy:
                found.extend(check.run(check, workload, ctx))
        out.append(Result(workload, policy, tuple(found)))
    return out


NOTHING_CHECKED = "nothing was checked"


def summary(results: Sequence[Result], empty_reason: str = "") -> Summary:
    """Counts and score; `empty_reason` is the reason given when there is no result."""
    total = len(results)
    passed = sum(1 for r in results if r.passed)
    if not total:
        return Summary(total=0, passed=0, failed=0, compliance_score=None,
                       score_reason=empty_reason or NOTHING_CHECKED)
    return Summary(total=total, passed=passed, failed=total - passed,
                   compliance_score=round(100.0 * passed / total, 1), score_reason=None)
