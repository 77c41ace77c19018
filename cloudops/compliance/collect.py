"""Compliance checks against one member: list the workloads asked for, give each its namespace's context,
run the pure checks; with auto-fix, dry-run each workload's combined patch and then apply it.

Shared by the shim's 1.1 run and (later) the ComplianceCheck reconciler.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cloudops.compliance.checks import Context, Workload
from cloudops.compliance.evaluate import Result, check_workload, fix_patch
from cloudops.compliance.views import FixStatus, FixView
from cloudops.kube.narrow import dig, mappings, text
from cloudops.kube.types import JsonObject
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.network.policy_eval import Direction, Policy
from cloudops.resources.compliance_check import CompliancePolicy

__all__ = ["DEFAULT_RESOURCES", "NO_CHECK_RESOURCES", "SYSTEM_NAMESPACES", "WORKLOAD_RESOURCES", "Fix", "Run",
           "apply_fixes", "run_checks"]

WORKLOAD_RESOURCES = ("deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "pods")
DEFAULT_RESOURCES = ("deployments", "statefulsets", "daemonsets", "cronjobs")
# Named in the reference's example; no check of the library looks at them, so they are reported as skipped.
NO_CHECK_RESOURCES = ("services", "configmaps", "secrets", "ingresses")
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "local-path-storage")
MAX_OBJECTS = 5000  # per resource type


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Fix:
    workload: Workload
    checks: list[str]
    patch: JsonObject
    status: FixStatus
    error: str | None = None

    def view(self) -> FixView:
        w = self.workload
        return FixView(resource=f"{w.kind.lower()}/{w.name}", namespace=w.namespace, name=w.name,
                       checks=self.checks, patch=self.patch, status=self.status, error=self.error)


def _owned_by_checked(obj: Mapping[str, object]) -> bool:
    """Pods, ReplicaSets and Jobs made by a controller are checked through their controller's template."""
    return any(ref.get("controller") for ref in mappings(dig(obj, "metadata").get("ownerReferences")))


async def _list(session: MemberSession, plural: str, namespaces: Sequence[str] | None,
                run: Run) -> list[Mapping[str, object]]:
    """The objects of one type (each with its kind), as the member sends them."""
    rt = await session.resolve(plural)
    pages = [await session.list_all(rt, ns, max_items=MAX_OBJECTS)
             for ns in (namespaces if namespaces is not None else [None])]
    if any(truncated for _, truncated in pages):
        run.truncated = True
        run.notes.extend(f"{plural}: more than {MAX_OBJECTS} objects; the rest were not checked"
                         for _, truncated in pages if truncated)
    return [{"kind": rt.kind, **o} for found, _ in pages for o in found]


async def run_checks(session: MemberSession, policies: Sequence[CompliancePolicy], resources: Sequence[str],
                     namespaces: Sequence[str] | None, excluded: Iterable[str],
                     directions: Sequence[Direction] = ("Ingress", "Egress")) -> Run:
    """Every workload of `resources` in `namespaces` (None: all) but `excluded`, checked against `policies`."""
    run = Run()
    skip = set(excluded)
    wanted = None if namespaces is None else [n for n in namespaces if n not in skip]
    netpols: dict[str, list[Policy]] = defaultdict(list)
    pdbs: dict[str, list[Mapping[str, object]]] = defaultdict(list)
    if "network-policy" in policies:
        for obj in await _list(session, "networkpolicies", wanted, run):
            p = Policy.from_k8s(obj)
            netpols[p.namespace].append(p)
    if "reliability" in policies:
        for obj in await _list(session, "poddisruptionbudgets", wanted, run):
            pdbs[text(dig(obj, "metadata").get("namespace"))].append(dig(obj, "spec", "selector"))
    for plural in resources:
        if plural in NO_CHECK_RESOURCES:
            run.notes.append(f"{plural}: no check of the library applies to this type; skipped")
            continue
        for obj in await _list(session, plural, wanted, run):
            w = Workload.from_k8s(obj)
            if w.namespace in skip or (plural in ("pods", "replicasets", "jobs") and _owned_by_checked(obj)):
                continue
            ctx = Context(netpols[w.namespace], pdbs[w.namespace], directions)
            run.results.extend(check_workload(w, ctx, policies))
    run.results.sort(key=lambda r: (r.workload.namespace, r.workload.kind, r.workload.name))
    return run


async def apply_fixes(session: MemberSession, results: Sequence[Result], excluded: Iterable[str]) -> list[Fix]:
    """Per workload, every mechanical fix in one strategic-merge patch: dry run first, then the write.

    Never in an excluded namespace, never on a bare Pod (its spec is immutable), never a partial write: a
    workload whose dry run fails is left as it is and reported `rejected`.
    """
    skip = set(excluded)
    by_workload: dict[tuple[str, str, str], list[Result]] = defaultdict(list)
    for r in results:
        w = r.workload
        if not r.passed and w.patchable and w.namespace not in skip:
            by_workload[(w.kind, w.namespace, w.name)].append(r)
    fixes = []
    for group in by_workload.values():
        violations = [v for r in group for v in r.violations if v.patch is not None]
        patch = fix_patch(violations)
        if patch is None:
            continue
        w = group[0].workload
        fix = Fix(w, sorted({v.check_id for v in violations}), patch, "applied")
        rt = await session.resolve(w.kind)
        try:
            await session.patch(rt, w.namespace, w.name, patch, patch_type="strategic", dry_run=True)
        except MemberError as e:
            fix.status, fix.error = "rejected", e.detail
            fixes.append(fix)
            continue
        try:
            await session.patch(rt, w.namespace, w.name, patch, patch_type="strategic")
        except MemberError as e:
            fix.status, fix.error = "failed", e.detail
        fixes.append(fix)
    return fixes
