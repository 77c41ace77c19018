"""A LabelPolicy checked against one member: list the objects its rules apply to, evaluate each.

Shared by the shim's compliance check (REST 1.7) and the LabelPolicy reconciler; the rules themselves are
evaluated by the pure cloudops.labels.policy. Objects are listed metadata-only (labels are all we need).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cloudops.labels.policy import Finding, Rule, evaluate, remediation
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.resources.base import ObjectMeta
from cloudops.resources.label_policy import LabelRemediationRecord

__all__ = ["DEFAULT_TYPES", "Checked", "Report", "check_cluster", "remediate"]

# What a rule for "*" covers when the caller names no types.
DEFAULT_TYPES = ("deployments", "statefulsets", "daemonsets", "services")
MAX_OBJECTS = 5000  # per type and namespace


def _meta(obj: Mapping[str, object]) -> ObjectMeta:
    return ObjectMeta.model_validate(obj.get("metadata") or {})


@dataclass
class Checked:
    """One violating object: where it is, its labels and what is wrong with them."""

    rt: ResourceType
    namespace: str
    name: str
    labels: dict[str, str]
    finding: Finding
    rules: list[Rule] = field(default_factory=list)  # the rules that apply to this object's type

    @classmethod
    def of(cls, rt: ResourceType, meta: ObjectMeta, rules: list[Rule]) -> Checked:
        labels = dict(meta.labels or {})
        return cls(rt, meta.namespace or "", meta.name or "", labels, evaluate(rules, labels), rules)


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
                meta = _meta(obj)
                if rt.namespaced and meta.namespace in skip:
                    continue
                report.checked += 1
                checked = Checked.of(rt, meta, type_rules)
                if not checked.finding.compliant:
                    report.violations.append(checked)
    report.violations.sort(key=lambda c: (c.rt.type_name, c.namespace, c.name))
    return report


async def remediate(session: MemberSession, report: Report,
                    defaults: Mapping[str, str]) -> list[LabelRemediationRecord]:
    """Adds each violating object's missing labels that have a default (a merge patch of those labels and
    nothing else); objects that now comply leave `report.violations`. Returns what was changed."""
    changed: list[LabelRemediationRecord] = []
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
        changed.append(LabelRemediationRecord(resource_type=c.rt.type_name, namespace=c.namespace, name=c.name,
                                              labels=add))
        after = Checked.of(c.rt, _meta(obj), c.rules)
        if not after.finding.compliant:
            still.append(after)
    report.violations = still
    return changed
