"""Compliance results as wgpolicyk8s.io/v1alpha2 PolicyReports in the member they are about.

Tools that read policy reports (Kyverno's and Policy Reporter's UIs, `kubectl get polr -A`) look for them in
the cluster whose resources they describe, so that is where they go: one PolicyReport per namespace and
ComplianceCheck, named `cloudops-<check>`, replaced on every run; reports of namespaces the last run no longer
found are deleted. Each check of the library is a rule of its policy: a workload gets one `fail` per check
that found a violation and one `pass` per other check of each policy it was checked against.

The CRD (written by us from the published v1alpha2 field list; the same text is deploy/policyreports/) is
installed into a member that lacks it when the mode is `install`; `require` reports its absence instead.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal, TypedDict

from cloudops.activity import label_value
from cloudops.compliance.checks import checks_of
from cloudops.compliance.views import ResultView, ViolationView
from cloudops.constants import GROUP
from cloudops.kube.types import JsonObject, JsonValue, ObjectMeta
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession

__all__ = ["CRD", "CRD_NAME", "MAX_RESULTS", "Mode", "PolicyReport", "Written", "delete_policy_reports",
           "policy_report_mode", "policy_reports", "write_policy_reports"]

Mode = Literal["install", "require", "off"]
PR_GROUP, PR_VERSION = "wgpolicyk8s.io", "v1alpha2"
CRD_NAME = f"policyreports.{PR_GROUP}"
CHECK_LABEL = f"{GROUP}/compliance-check"
HUB_LABEL = f"{GROUP}/hub-namespace"
MANAGED_BY = {"app.kubernetes.io/managed-by": "cloudops-k8s"}
MAX_RESULTS = 2000  # per PolicyReport: far below the 1 MiB object limit; the summary still counts all
SEVERITY = {"danger": "high", "warning": "medium"}
API_VERSIONS = {"Deployment": "apps/v1", "StatefulSet": "apps/v1", "DaemonSet": "apps/v1", "ReplicaSet": "apps/v1",
                "Job": "batch/v1", "CronJob": "batch/v1", "Pod": "v1"}
ESTABLISH_SECONDS = 20.0
OUTCOMES = ("pass", "fail", "warn", "error", "skip")


class ResourceRef(TypedDict):
    apiVersion: str
    kind: str
    namespace: str
    name: str


class Timestamp(TypedDict):
    seconds: int
    nanos: int


class PolicyResult(TypedDict, total=False):
    """One entry of a PolicyReport's `results` (the fields we write)."""

    source: str
    policy: str
    rule: str
    category: str
    severity: str
    scored: bool
    resources: list[ResourceRef]
    timestamp: Timestamp
    result: str
    message: str
    properties: dict[str, str]


class Scope(TypedDict):
    apiVersion: str
    kind: str
    name: str


class PolicyReport(TypedDict):
    """A wgpolicyk8s.io/v1alpha2 PolicyReport as we write it."""

    apiVersion: str
    kind: str
    metadata: ObjectMeta
    scope: Scope
    summary: dict[str, int]
    results: list[PolicyResult]


_OBJECT_REF: JsonObject = {"type": "object", "properties": {
    k: {"type": "string"} for k in ("apiVersion", "fieldPath", "kind", "name", "namespace", "resourceVersion", "uid")}}
_SELECTOR: JsonObject = {"type": "object", "properties": {
    "matchExpressions": {"type": "array", "items": {"type": "object", "required": ["key", "operator"], "properties": {
        "key": {"type": "string"}, "operator": {"type": "string"},
        "values": {"type": "array", "items": {"type": "string"}}}}},
    "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}}}
_COUNT: JsonObject = {"type": "integer"}
_COUNT_COLUMNS: list[JsonValue] = [{"name": n.capitalize(), "type": "integer", "jsonPath": f".summary.{n}"}
                                   for n in OUTCOMES]
CRD: JsonObject = {
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": CRD_NAME, "labels": dict(MANAGED_BY)},
    "spec": {
        "group": PR_GROUP, "scope": "Namespaced",
        "names": {"kind": "PolicyReport", "listKind": "PolicyReportList", "plural": "policyreports",
                  "singular": "policyreport", "shortNames": ["polr"]},
        "versions": [{
            "name": PR_VERSION, "served": True, "storage": True,
            "additionalPrinterColumns": [
                {"name": "Kind", "type": "string", "jsonPath": ".scope.kind", "priority": 1},
                {"name": "Name", "type": "string", "jsonPath": ".scope.name", "priority": 1},
                *_COUNT_COLUMNS,
                {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
            "schema": {"openAPIV3Schema": {
                "description": "PolicyReport is the Schema for the policyreports API (wgpolicyk8s.io v1alpha2).",
                "type": "object",
                "properties": {
                    "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
                    "scope": {**_OBJECT_REF, "description": "Scope is an optional reference to the report scope "
                                                            "(e.g. a Deployment, Namespace, or Node)"},
                    "scopeSelector": {**_SELECTOR, "description": "ScopeSelector is an optional selector for "
                                                                  "multiple scopes"},
                    "summary": {"type": "object", "description": "PolicyReportSummary provides a summary of results",
                                "properties": {n: _COUNT for n in ("error", "fail", "pass", "skip", "warn")}},
                    "results": {"type": "array", "description": "PolicyReportResult provides result details",
                                "items": {"type": "object", "required": ["policy"], "properties": {
                                    "category": {"type": "string"},
                                    "message": {"type": "string"},
                                    "policy": {"type": "string"},
                                    "properties": {"type": "object", "additionalProperties": {"type": "string"}},
                                    "resourceSelector": _SELECTOR,
                                    "resources": {"type": "array", "items": _OBJECT_REF},
                                    "result": {"type": "string", "enum": ["pass", "fail", "warn", "error", "skip"]},
                                    "rule": {"type": "string"},
                                    "scored": {"type": "boolean"},
                                    "severity": {"type": "string",
                                                 "enum": ["critical", "high", "low", "medium", "info"]},
                                    "source": {"type": "string"},
                                    "timestamp": {"type": "object", "properties": {
                                        "nanos": {"type": "integer", "format": "int32"},
                                        "seconds": {"type": "integer", "format": "int64"}}}}}}}}},
            "subresources": {}}]}}


def policy_report_mode(setting: str) -> Mode:
    """CLOUDOPS_COMPLIANCE_POLICY_REPORTS as a mode; anything unknown is the default, install."""
    return "require" if setting == "require" else "off" if setting == "off" else "install"


def report_name(check: str) -> str:
    return f"cloudops-{check}"[:253]


def _text(value: object) -> str:
    """A property value: properties is map[string]string, so other values go as JSON text (`true`, `["ALL"]`),
    never as Python's `True` or `['ALL']`; an absent value is empty."""
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def _failed(check: str, found: list[ViolationView]) -> PolicyResult:
    """The `fail` entry of one check: its violations' messages, the first one's field and values."""
    first = found[0]
    props = {"field": _text(first["field"]), "expected": _text(first["expected"]), "actual": _text(first["actual"])}
    fix = first["fix_suggestion"]
    if fix and fix["action"]:
        props["fix_action"] = _text(fix["action"])
    return PolicyResult(result="fail", message="; ".join(_text(v["message"]) for v in found)[:2048],
                        properties={k: v[:512] for k, v in props.items()})


def _entries(result: ResultView, seconds: int) -> list[PolicyResult]:
    """One PolicyReport result per check of the result's policy: fail with the violation, or pass."""
    kind, ns, name = result["kind"], result["namespace"], result["name"]
    resource = ResourceRef(apiVersion=API_VERSIONS.get(kind, ""), kind=kind, namespace=ns, name=name)
    by_check: dict[str, list[ViolationView]] = defaultdict(list)
    for v in result["violations"]:
        by_check[v["check_id"]].append(v)
    out = []
    for check in checks_of(result["policy"]):
        found = by_check.get(check.id, [])
        entry = PolicyResult(source="cloudops", policy=check.policy, rule=check.id, category=check.policy,
                             severity=SEVERITY[check.severity], scored=True, resources=[resource],
                             timestamp=Timestamp(seconds=seconds, nanos=0))
        if found:
            entry.update(_failed(check.id, found))
        else:
            entry.update(PolicyResult(result="pass", message=f"{check.title}: passed"))
        out.append(entry)
    return out


def policy_reports(results: Sequence[ResultView], check: str, hub_namespace: str, run_id: str,
                   at: float) -> list[PolicyReport]:
    """The PolicyReports of one run, one per namespace that has results (pure)."""
    by_ns: dict[str, list[PolicyResult]] = defaultdict(list)
    for r in results:
        by_ns[r["namespace"]].extend(_entries(r, int(at)))
    reports = []
    for ns, entries in sorted(by_ns.items()):
        summary = {k: sum(1 for e in entries if e.get("result") == k) for k in OUTCOMES}
        annotations = {f"{GROUP}/run-id": run_id}
        if len(entries) > MAX_RESULTS:
            annotations[f"{GROUP}/results-truncated"] = (
                f"{len(entries)} results, the first {MAX_RESULTS} failing-first kept; summary counts all")
            entries = sorted(entries, key=lambda e: e.get("result") != "fail")[:MAX_RESULTS]
        reports.append(PolicyReport(
            apiVersion=f"{PR_GROUP}/{PR_VERSION}", kind="PolicyReport",
            metadata=ObjectMeta(name=report_name(check), namespace=ns, annotations=annotations,
                                labels={**MANAGED_BY, CHECK_LABEL: label_value(check),
                                        HUB_LABEL: label_value(hub_namespace)}),
            scope=Scope(apiVersion="v1", kind="Namespace", name=ns), summary=summary, results=entries))
    return reports


async def _ensure_crd(session: MemberSession, mode: Mode) -> None:
    path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{CRD_NAME}"
    try:
        await session.json("GET", path, what=f"CustomResourceDefinition {CRD_NAME}")
        return
    except MemberError as e:
        if e.status != 404:
            raise
        if mode != "install":
            raise MemberError(404, 1002, session.cluster, f"the PolicyReport CRD ({CRD_NAME}) is not installed: "
                              "apply deploy/policyreports/ or set CLOUDOPS_COMPLIANCE_POLICY_REPORTS=install") \
                from None
    await session.json("PATCH", path, query=[("fieldManager", "cloudops"), ("force", "true")], body=CRD,
                       content_type="application/apply-patch+yaml", what=f"install {CRD_NAME}")
    deadline = time.monotonic() + ESTABLISH_SECONDS
    while time.monotonic() < deadline:  # poll: a new CRD is served within a second or two
        crd = await session.json("GET", path)
        established = any(c.get("type") == "Established" and c.get("status") == "True"
                          for c in (crd.get("status") or {}).get("conditions") or [])
        if established and (await session.discovery(refresh=True)).resolve("policyreports") is not None:
            return
        await asyncio.sleep(0.5)
    raise MemberError(504, 1004, session.cluster, f"{CRD_NAME} was installed but is not served yet")


class Written:
    """What a write did: reports written (their namespaces) and stale ones deleted."""

    def __init__(self) -> None:
        self.namespaces: list[str] = []
        self.deleted: list[str] = []


async def delete_policy_reports(session: MemberSession, check: str, hub_namespace: str) -> list[str]:
    """Deletes every PolicyReport of `check` (of this hub namespace) in the member: what a deleted check leaves
    (a member object cannot be owned by a hub object). Returns their namespaces; none when the type is not served."""
    try:
        rt = await session.resolve(f"policyreports.{PR_GROUP}")
    except MemberError as e:
        if e.status == 404:
            return []
        raise
    selector = f"{CHECK_LABEL}={label_value(check)},{HUB_LABEL}={label_value(hub_namespace)}"
    existing, _ = await session.list_all(rt, None, label_selector=selector, metadata_only=True)
    gone = []
    for obj in existing:
        meta = obj.get("metadata") or {}
        try:
            await session.delete(rt, meta.get("namespace"), str(meta.get("name", "")))
        except MemberError as e:
            if e.status != 404:
                raise
        gone.append(str(meta.get("namespace")))
    return gone


async def write_policy_reports(session: MemberSession, reports: Sequence[PolicyReport], check: str, hub_namespace: str,
                               mode: Mode) -> Written:
    """Applies the run's reports (server-side apply) and deletes this check's reports of other namespaces."""
    done = Written()
    if mode == "off":
        return done
    await _ensure_crd(session, mode)
    rt = await session.resolve(f"policyreports.{PR_GROUP}")
    for report in reports:
        meta = report["metadata"]
        await session.patch(rt, meta["namespace"], meta["name"], report, patch_type="apply", force=True)
        done.namespaces.append(meta["namespace"])
    selector = f"{CHECK_LABEL}={label_value(check)},{HUB_LABEL}={label_value(hub_namespace)}"
    existing, _ = await session.list_all(rt, None, label_selector=selector, metadata_only=True)
    for obj in existing:
        meta = obj.get("metadata") or {}
        if meta.get("namespace") not in done.namespaces:
            try:
                await session.delete(rt, meta.get("namespace"), str(meta.get("name", "")))
                done.deleted.append(str(meta.get("namespace")))
            except MemberError as e:
                if e.status != 404:
                    raise
    return done
