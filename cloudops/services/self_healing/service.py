"""智能运维 2. 故障自愈: SelfHealingRule objects in the hub (2.1 create, 2.2 list with status) and the history of
what the rules did (2.3, ActivityRecords of stream `self-healing`). The operator runs the rules.

The clusters are the request's, resolved and authorized by the caller (capability `policies`): a rule is
created for them, and rules and history are listed as far as they concern them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cloudops.errors import BadRequest, Missing
from cloudops.kube.stores import HubStore
from cloudops.members.access import ClusterRef
from cloudops.paging import page
from cloudops.resources import SelfHealingRule
from cloudops.resources.base import ObjectMeta
from cloudops.resources.self_healing_rule import HealingAction, HealingCondition, LabelSelector, SelfHealingRuleSpec
from cloudops.selfheal import history
from cloudops.selfheal.rules import CONDITIONS, action_errors, condition_errors, parse_duration
from cloudops.services.base import Service
from cloudops.services.self_healing.models import CreateRule, HistoryList, HistoryQuery, ListQuery, RuleList, RuleView
from cloudops.services.self_healing.views import history_view, rule_view
from cloudops.timestamps import parse_moment

__all__ = ["SelfHealingService"]


def _seconds(value: int | str | None, where: str, minimum: int = 0) -> int:
    if value is None:
        return 0
    try:
        seconds = parse_duration(value)
    except ValueError as e:
        raise BadRequest(str(e), field=where) from None
    if seconds < minimum:
        raise BadRequest(f"at least {minimum} seconds", field=where)
    return seconds


def _check(b: CreateRule) -> None:
    errors = condition_errors([c.model_dump() for c in b.conditions])
    kind = None if errors else CONDITIONS[b.conditions[0].type][0]
    errors += action_errors([a.model_dump() for a in b.actions], kind)
    if errors:
        raise BadRequest("; ".join(errors))


def _spec(b: CreateRule, clusters: Sequence[ClusterRef]) -> SelfHealingRuleSpec:
    """The rule's spec (checked by _check: the types and operators are the CRD's)."""
    conditions = [HealingCondition.model_validate({
        "type": c.type, "operator": c.operator, "value": str(c.value),
        "duration_seconds": _seconds(c.duration, f"conditions[{i}].duration")}) for i, c in enumerate(b.conditions)]
    actions = [HealingAction.model_validate({
        "type": a.type, "parameters": {k: str(v) for k, v in a.parameters.items()} if a.parameters else None})
        for a in b.actions]
    return SelfHealingRuleSpec(
        clusters=[c.name for c in clusters], enabled=b.enabled, dry_run=b.dry_run, conditions=conditions,
        actions=actions, delay_seconds=_seconds(b.delay, "delay"),
        cooldown_seconds=_seconds(b.cooldown, "cooldown", 30),
        max_actions_per_hour=b.max_actions_per_hour, description=b.description or None,
        namespaces=list(dict.fromkeys(b.namespaces)) if b.namespaces else None,
        label_selector=LabelSelector(match_labels=dict(b.label_selector)) if b.label_selector else None)


def _moment(text: str | None, where: str) -> datetime | None:
    """An ISO 8601 time; without an offset it is UTC. 400 in our own words when no such time exists."""
    if text is None:
        return None
    try:
        return parse_moment(text.upper().replace("Z", "+00:00").replace(" ", "T"), text)
    except ValueError as e:
        raise BadRequest(str(e), field=where) from None


class SelfHealingService(Service):
    def _rules(self) -> HubStore[SelfHealingRule]:
        return self.deps.store(SelfHealingRule)

    async def create(self, b: CreateRule, clusters: Sequence[ClusterRef], missing: Sequence[str]) -> RuleView:
        """A rule watching `clusters` (404 when some named in cluster_ids are `missing`, or there are none)."""
        if missing:
            raise Missing(f"no such clusters: {', '.join(missing)}", field="cluster_ids")
        if not clusters:
            raise Missing("no clusters are registered", field="cluster_ids")
        _check(b)
        rule = SelfHealingRule(metadata=ObjectMeta(name=b.name, namespace=self.deps.namespace), spec=_spec(b, clusters))
        return rule_view(await self._rules().create(rule), {c.name: c.id for c in clusters})

    async def list(self, q: ListQuery, clusters: Sequence[ClusterRef]) -> RuleList:
        """Rules watching any of `clusters`, by name."""
        visible = {c.name for c in clusters}
        rules = sorted((r for r in await self._rules().list() if visible & set(r.spec.clusters)
                        and (q.enabled is None or r.spec.enabled == q.enabled)), key=lambda r: r.metadata.name or "")
        ids = {c.name: c.id for c in (ClusterRef.of(cr) for cr in await self.deps.registry.all())}
        listed = page(rules, q.limit, q.offset)
        return RuleList(rules=[rule_view(r, ids) for r in listed.pop("items")], **listed)

    async def history(self, q: HistoryQuery, clusters: Sequence[ClusterRef]) -> HistoryList:
        """What the rules did in `clusters`, newest first."""
        start, end = _moment(q.start_time, "start_time"), _moment(q.end_time, "end_time")  # end < start: empty
        ids = {c.name: c.id for c in clusters}
        only = next(iter(ids)) if len(ids) == 1 else None
        found = await history.read(self.deps.hub, self.deps.namespace, rule=q.rule, cluster=only, since=start,
                                   until=end)
        found = [e for e in found if e.cluster in ids
                 and (q.namespace is None or (e.subject is not None and e.subject.namespace == q.namespace))]
        listed = page(found, q.limit, q.offset)
        return HistoryList(history=[history_view(e, ids) for e in listed.pop("items")], **listed)
