"""Label policies (标签管理 1.6) and compliance checks against them (1.7).

A policy is a LabelPolicy in the hub with an integer id (cloudops.resources.LabelPolicy); the operator checks
it on change and on its interval. A compliance check here only reads: every violating object of one member with
what is missing, forbidden or not matching, and a score.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from cloudops.constants import ID_LABEL, LABEL_POLICY
from cloudops.errors import BadRequest, Missing, StateConflict, Unprocessable
from cloudops.kube.errors import NotFound
from cloudops.kube.ids import allocate_id
from cloudops.kube.stores import HubStore
from cloudops.labels.compliance import Checked, check_cluster
from cloudops.labels.policy import Rule, compile_error, evaluate, nothing_checked, rule_from_spec, score
from cloudops.labels.selectors import BadLabel, check_labels, value_error
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId
from cloudops.paging import page
from cloudops.resources import LabelPolicy
from cloudops.resources.base import ObjectMeta, ObjectRef
from cloudops.resources.label_policy import LabelPolicySpec, LabelRemediation
from cloudops.services.base import Service
from cloudops.services.labels.models import (
    ComplianceBody,
    ComplianceResult,
    Mismatch,
    PolicyBody,
    PolicyList,
    PolicyListQuery,
    PolicyRuleView,
    PolicyStatusView,
    PolicyView,
    RemediationSpec,
    ViolationView,
)

__all__ = ["Authorize", "LabelPolicyService", "policy_view"]

Authorize = Callable[[str], Awaitable[None]]
"""A check the caller's transport makes on a name found inside the data (raises Denied when refused)."""


def validate_rules(b: PolicyBody) -> list[Rule]:
    """The body's rules, each checked as the operator will apply it; the first fault is raised naming it."""
    rules = []
    for i, r in enumerate(b.rules):
        where = f"rules[{i}]"
        if not (r.required_labels or r.forbidden_labels or r.label_patterns or r.allowed_values):
            raise Unprocessable("needs required_labels, forbidden_labels, label_patterns or allowed_values",
                                field=where)
        for name, keys in (("required_labels", r.required_labels), ("forbidden_labels", r.forbidden_labels),
                           ("label_patterns", list(r.label_patterns)), ("allowed_values", list(r.allowed_values))):
            check_labels(keys, f"{where}.{name}")
        if both := sorted(set(r.required_labels) & set(r.forbidden_labels)):
            raise Unprocessable(f"{', '.join(both)} also required", field=f"{where}.forbidden_labels")
        for key, pattern in r.label_patterns.items():
            if err := compile_error(pattern):
                raise BadRequest(err, field=f"{where}.label_patterns.{key}")
        for key, values in r.allowed_values.items():
            for v in values:
                if err := value_error(v):
                    raise BadLabel(err, field=f"{where}.allowed_values.{key}")
        rules.append(rule_from_spec({**r.model_dump(), "resource_type": r.resource_type.lower()}))
    if b.remediation is not None:
        defaults = b.remediation.default_labels
        check_labels(defaults, "remediation.default_labels")
        finding = evaluate(rules, defaults)
        for key in finding.forbidden:
            raise Unprocessable("the policy forbids this label", field=f"remediation.default_labels.{key}")
        for m in finding.mismatched:
            raise Unprocessable(f"{m['value']!r} breaks the policy's rules",
                                field=f"remediation.default_labels.{m['label']}")
    return rules


def _spec(b: PolicyBody, rules: list[Rule], cluster: ClusterRef | None) -> LabelPolicySpec:
    remedy = b.remediation
    return LabelPolicySpec(
        rules=[r.to_model() for r in rules], enabled=b.enabled, enforcement=b.enforcement,
        check_interval_seconds=b.check_interval_seconds, description=b.description,
        cluster_ref=ObjectRef(name=cluster.name) if cluster is not None else None,
        namespaces=sorted(set(b.namespaces)) if b.namespaces else None,
        excluded_namespaces=sorted(set(b.excluded_namespaces)) if b.excluded_namespaces else None,
        remediation=LabelRemediation(enabled=remedy.enabled, default_labels=remedy.default_labels) if remedy else None)


def policy_view(cr: LabelPolicy) -> PolicyView:
    meta, spec, status = cr.metadata, cr.spec, cr.status
    id_label = (meta.labels or {}).get(ID_LABEL, "")
    ready = next((c for c in (status.conditions if status else None) or [] if c.type == "Ready"), None)
    remedy = spec.remediation
    rules = [Rule.of(r) for r in spec.rules]
    return PolicyView(
        id=int(id_label) if id_label.isascii() and id_label.isdigit() else None, name=meta.name or "",
        description=spec.description, enabled=spec.enabled,
        rules=[PolicyRuleView(resource_type=r.resource_type, required_labels=list(r.required),
                              forbidden_labels=list(r.forbidden), label_patterns=r.patterns,
                              allowed_values={k: list(v) for k, v in r.allowed.items()}) for r in rules],
        enforcement=spec.enforcement, cluster_name=spec.cluster_ref.name if spec.cluster_ref else None,
        namespaces=spec.namespaces or [], excluded_namespaces=spec.excluded_namespaces or [],
        check_interval_seconds=spec.check_interval_seconds or 300,
        remediation=RemediationSpec(enabled=remedy.enabled, default_labels=remedy.default_labels or {})
        if remedy else None,
        created_at=meta.creation_timestamp,
        status=PolicyStatusView(ready=None if ready is None else ready.status == "True",
                                reason=ready.reason if ready else None,
                                compliant_count=status.compliant_count if status else None,
                                violation_count=status.violation_count if status else None,
                                last_check_time=status.last_check_time if status else None))


def violation_view(cluster: ClusterRef, c: Checked) -> ViolationView:
    return ViolationView(id=str(ObjectId(cluster.ref, c.rt.type_name, c.namespace, c.name)),
                         resource_type=c.rt.type_name, namespace=c.namespace, name=c.name, labels=c.labels,
                         missing_labels=c.finding.missing, forbidden_labels=c.finding.forbidden,
                         invalid_labels=[Mismatch.model_validate(m) for m in c.finding.mismatched],
                         message=c.finding.message())


class LabelPolicyService(Service):
    """Creates LabelPolicies in the hub and checks one member against one."""

    @property
    def policies(self) -> HubStore[LabelPolicy]:
        return self.deps.store(LabelPolicy)

    async def create(self, b: PolicyBody, may_label: Authorize) -> PolicyView:
        """`may_label(cluster name)` authorizes the cluster the body names (labels of it are the policy's)."""
        rules = validate_rules(b)
        cluster = None
        if b.cluster_id is not None:
            cluster = ClusterRef.of(await self.deps.registry.find(str(b.cluster_id)))
            await may_label(cluster.name)
        policies = self.policies
        try:
            await policies.raw.get(b.name)
            raise StateConflict(f"label policy {b.name!r} already exists", field="name")
        except NotFound:
            pass
        new_id = await allocate_id(self.deps.hub, self.deps.namespace, LABEL_POLICY.plural)
        meta = ObjectMeta(name=b.name, namespace=self.deps.namespace, labels={ID_LABEL: str(new_id)})
        return policy_view(await policies.create(LabelPolicy(metadata=meta, spec=_spec(b, rules, cluster))))

    async def list(self, q: PolicyListQuery) -> PolicyList:
        """Every LabelPolicy (made through REST or applied with kubectl), by name."""
        views = [policy_view(cr) for cr in sorted(await self.policies.list(), key=lambda c: c.metadata.name or "")]
        listed = page(views, q.limit, q.offset)
        return PolicyList(policies=listed.pop("items"), **listed)

    async def find(self, ref: int | str) -> LabelPolicy:
        """By id (the label) or by name; 404 naming `policy_id` otherwise."""
        if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
            found = await self.policies.list(label_selector=f"{ID_LABEL}={int(ref)}")
            if not found:
                raise Missing(f"label policy {ref} not found", field="policy_id")
            return found[0]
        try:
            return await self.policies.get(str(ref))
        except NotFound:
            raise Missing(f"label policy {ref!r} not found", field="policy_id") from None

    async def check(self, cluster: ClusterRef, b: ComplianceBody, may_read: Authorize) -> ComplianceResult:
        """`may_read(policy name)` authorizes reading the policy the body names."""
        policy = await self.find(b.policy_id)
        await may_read(policy.metadata.name or "")
        spec = policy.spec
        session = await self.deps.member(cluster)
        namespaces = [b.namespace] if b.namespace else (spec.namespaces or None)
        report = await check_cluster(session, [Rule.of(r) for r in spec.rules], namespaces=namespaces,
                                     excluded=spec.excluded_namespaces, types=b.resource_types)
        view = policy_view(policy)
        checked, violating = report.checked, len(report.violations)
        return ComplianceResult(
            policy_id=view.id, policy_name=view.name, cluster_id=cluster.id, cluster_name=cluster.name,
            namespace=b.namespace, checked=checked, compliant_count=checked - violating, violation_count=violating,
            score=score(checked, violating), compliant=None if checked == 0 else violating == 0,
            score_reason=nothing_checked(namespaces, b.resource_types) if checked == 0 else None,
            violations=[violation_view(cluster, c) for c in report.violations], notes=report.notes)
