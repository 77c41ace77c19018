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
           "apply_fixes", "covered_by_checked", "nothing_checked", "run_checks"]

WORKLOAD_RESOURCES = ("deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "pods")
# Every workload type: a bare Pod (or ReplicaSet, Job) is a workload too. An object that a checked object
# controls (a Deployment's ReplicaSets and their pods, a CronJob's Jobs) is checked once, through its controller.
DEFAULT_RESOURCES = WORKLOAD_RESOURCES
# Controllers between a pod and what a run checks: read (metadata only) when the run checks pods but not them.
INTERMEDIATE = ("replicasets", "jobs")
# Named in the reference's example; no check of the library looks at them, so they are reported as skipped.
NO_CHECK_RESOURCES = ("services", "configmaps", "secrets", "ingresses")
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "local-path-storage")
MAX_OBJECTS = 5000  # per resource type


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    truncated: bool = False
    empty_reason: str = ""  # why there are no results, when there are none


def nothing_checked(resources: Sequence[str], namespaces: Sequence[str] | None, excluded: Iterable[str],
                    listed: int) -> str:
    """Why a run has no result, in the caller's terms: what it looked for, and where."""
    types = [r for r in resources if r not in NO_CHECK_RESOURCES]
    skip = sorted(set(excluded))
    if namespaces is not None and not namespaces:
        return "nothing was checked: every namespace asked for is excluded"
    where = (f"namespaces {', '.join(namespaces)}" if namespaces is not None
             else "every namespace" + (f" but {', '.join(skip)}" if skip else ""))
    if not types:
        return (f"nothing was checked: no check applies to {', '.join(resources) or 'the resource types asked'}; "
                f"ask for workload types ({', '.join(WORKLOAD_RESOURCES)})")
    if listed:
        return (f"nothing was checked: the {listed} objects found ({', '.join(types)} in {where}) are all in "
                "excluded namespaces or controlled by objects outside the scope")
    return f"nothing was checked: no {', '.join(types)} found in {where}"


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


def _uid(obj: Mapping[str, object]) -> str:
    return text(dig(obj, "metadata").get("uid"))


def _controller(obj: Mapping[str, object]) -> str:
    """The uid of the object's controller ("" when it has none)."""
    return next((text(ref.get("uid")) for ref in mappings(dig(obj, "metadata").get("ownerReferences"))
                 if ref.get("controller")), "")


def covered_by_checked(obj: Mapping[str, object], checked: set[str], controllers: Mapping[str, str]) -> bool:
    """Whether `obj` is checked through a controller: one of its controllers, up the chain (`controllers`:
    uid -> its controller's uid), is among the `checked` uids. A pod of a bare ReplicaSet the run does not
    check, or of a controller kind no check knows, is checked itself (pure)."""
    seen: set[str] = set()
    uid = _controller(obj)
    while uid and uid not in seen:
        if uid in checked:
            return True
        seen.add(uid)
        uid = controllers.get(uid, "")
    return False


async def _list(session: MemberSession, plural: str, namespaces: Sequence[str] | None,
                run: Run, metadata_only: bool = False) -> list[Mapping[str, object]]:
    """The objects of one type (each with its kind), as the member sends them."""
    rt = await session.resolve(plural)
    pages = [await session.list_all(rt, ns, max_items=MAX_OBJECTS, metadata_only=metadata_only)
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
    listed: list[Mapping[str, object]] = []
    for plural in resources:
        if plural in NO_CHECK_RESOURCES:
            run.notes.append(f"{plural}: no check of the library applies to this type; skipped")
            continue
        listed += await _list(session, plural, wanted, run)
    between = [o for plural in INTERMEDIATE if "pods" in resources and plural not in resources
               for o in await _list(session, plural, wanted, run, metadata_only=True)]
    checked = {_uid(o) for o in listed}
    controllers = {_uid(o): _controller(o) for o in (*listed, *between)}
    for obj in listed:
        w = Workload.from_k8s(obj)
        if w.namespace in skip or covered_by_checked(obj, checked, controllers):
            continue
        ctx = Context(netpols[w.namespace], pdbs[w.namespace], directions)
        run.results.extend(check_workload(w, ctx, policies))
    run.results.sort(key=lambda r: (r.workload.namespace, r.workload.kind, r.workload.name))
    if not run.results:
        run.empty_reason = nothing_checked(resources, wanted, () if wanted is not None else skip, len(listed))
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
