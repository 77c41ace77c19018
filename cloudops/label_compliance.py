"""A LabelPolicy checked against one member: list the objects its rules apply to, evaluate each.

Shared by the shim's compliance check (REST 1.7) and the LabelPolicy reconciler; the rules themselves are
evaluated by the pure cloudops.label_policy. Objects are listed metadata-only (labels are all we need).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cloudops.label_policy import Finding, Rule, evaluate, remediation
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession

__all__ = ["DEFAULT_TYPES", "Checked", "Report", "check_cluster", "remediate"]

# What a rule for "*" covers when the caller names no types.
DEFAULT_TYPES = ("deployments", "statefulsets", "daemonsets", "services")
MAX_OBJECTS = 5000  # per type and namespace


@dataclass
class Checked:
    rt: ResourceType
    obj: dict[str, Any]
    finding: Finding
    rules: list[Rule] = field(default_factory=list)  # the rules that apply to this object's type

    @property
    def namespace(self) -> str:
        return str((self.obj.get("metadata") or {}).get("namespace") or "")

    @property
    def name(self) -> str:
        return str((self.obj.get("metadata") or {}).get("name") or "")


@dataclass
class Report:
    checked: int = 0
    violations: list[Checked] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def _rules_by_type(session: MemberSession, rules: list[Rule],
                         types: list[str] | None, notes: list[str]) -> dict[str, tuple[ResourceType, list[Rule]]]:
    star = [r for r in rules if r.resource_type == "*"]
    by_type: dict[str, tuple[ResourceType, list[Rule]]] = {}
    for rule in rules:
        if rule.resource_type == "*":
            continue
        try:
            rt = await session.resolve(rule.resource_type)
        except MemberError:
            notes.append(f"resource type {rule.resource_type!r} is not served by this cluster; its rule was skipped")
            continue
        by_type.setdefault(rt.type_name, (rt, []))[1].append(rule)
    wanted: dict[str, ResourceType] = {}
    for name in types if types is not None else (list(DEFAULT_TYPES) if star else []):
        rt = await session.resolve(name)  # a type the caller names must exist: 404 naming it
        wanted[rt.type_name] = rt
    if types is None:
        wanted.update({k: rt for k, (rt, _) in by_type.items()})
    return {k: (rt, [*by_type.get(k, (rt, []))[1], *star]) for k, rt in wanted.items()
            if by_type.get(k) or star}


async def check_cluster(session: MemberSession, rules: list[Rule], *, namespaces: list[str] | None = None,
                        excluded: list[str] | None = None, types: list[str] | None = None) -> Report:
    """Objects of the rules' types (or of `types`) in `namespaces` (None: all, minus `excluded`)."""
    report = Report()
    skip = set(excluded or [])
    for rt, type_rules in (await _rules_by_type(session, rules, types, report.notes)).values():
        scopes: list[str | None] = [None] if not rt.namespaced or not namespaces else list(namespaces)
        for ns in scopes:
            items, truncated = await session.list_all(rt, ns, metadata_only=True, max_items=MAX_OBJECTS)
            if truncated:
                report.notes.append(f"{rt.type_name}: only the first {MAX_OBJECTS} objects were checked")
            for obj in items:
                meta = obj.get("metadata") or {}
                if rt.namespaced and meta.get("namespace") in skip:
                    continue
                report.checked += 1
                finding = evaluate(type_rules, dict(meta.get("labels") or {}))
                if not finding.compliant:
                    report.violations.append(Checked(rt, obj, finding, type_rules))
    report.violations.sort(key=lambda c: (c.rt.type_name, c.namespace, c.name))
    return report


async def remediate(session: MemberSession, report: Report, defaults: dict[str, str]) -> list[dict[str, Any]]:
    """Adds each violating object's missing labels that have a default (a merge patch of those labels and
    nothing else); objects that now comply leave `report.violations`. Returns what was changed."""
    changed: list[dict[str, Any]] = []
    still: list[Checked] = []
    for c in report.violations:
        add = remediation(c.finding, defaults)
        if not add:
            still.append(c)
            continue
        try:
            obj = await session.patch(c.rt, c.namespace or None, c.name, {"metadata": {"labels": add}})
        except MemberError as e:
            report.notes.append(f"{c.rt.type_name} {c.namespace}/{c.name}: not remediated: {e.detail}")
            still.append(c)
            continue
        changed.append({"resourceType": c.rt.type_name, "namespace": c.namespace, "name": c.name, "labels": add})
        after = evaluate(c.rules, dict((obj.get("metadata") or {}).get("labels") or {}))
        if not after.compliant:
            still.append(Checked(c.rt, obj, after, c.rules))
    report.violations = still
    return changed
