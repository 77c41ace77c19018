"""ResourceQuota (1.1–1.6) and LimitRange (2.1–2.5) objects in member clusters.

The member is the truth: its quota controller counts `status.used`, its validation rejects bad scopes and
defaults outside min/max (422 naming the field). Ids are object ids (`<cluster>:resourcequota:<ns>:<name>`);
an id of another type is a 400, never a silent look-up of something else. The usage history of 1.6 is sampled
by the operator into a MetricHistory (family `quota-usage`, cloudops.quota_history).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from cloudops import history_store
from cloudops.conditions import now_iso
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId
from cloudops.paging import page
from cloudops.quota_history import QUOTA_FAMILY
from cloudops.quotas import QuotaObject, Thresholds, alerts, quantities, quota_state, trends, usage_history
from cloudops.quotas import usage_percentage as percentages
from cloudops.resources.base import FreeForm
from cloudops.services.base import Service
from cloudops.services.located import EXACT, Located, locate
from cloudops.services.quotas.models import (
    DESCRIPTION,
    UPDATED_AT,
    Alert,
    CreateLimitRange,
    CreateQuota,
    Deleted,
    LimitRangeList,
    LimitRangeView,
    LimitSpec,
    ListQuery,
    QuotaDetail,
    QuotaItem,
    QuotaList,
    QuotaSpecUpdate,
    QuotaStatus,
    QuotaUsage,
    Trend,
    UpdateLimitRange,
    UpdateQuota,
    UsageQuery,
    UsageRow,
)

__all__ = ["LimitRangeService", "QuotaService"]


def _stamp(annotations: Mapping[str, str] | None, description: str | None) -> dict[str, str]:
    """The annotations with the description (when given) and the time of this write."""
    out = dict(annotations or {})
    if description is not None:
        out[DESCRIPTION] = description
    out[UPDATED_AT] = now_iso()
    return out


class _Common(TypedDict):
    """The fields every answer about one quota or limit range starts with."""

    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    description: str | None
    created_at: str | None


def _common(cluster: ClusterRef, rt: ResourceType, obj: QuotaObject) -> _Common:
    meta = obj.metadata
    return {"id": str(ObjectId(cluster.ref, rt.type_name, meta.namespace or "", meta.name or "")),
            "name": meta.name or "", "namespace": meta.namespace or "", "cluster_id": cluster.id,
            "cluster_name": cluster.name, "description": (meta.annotations or {}).get(DESCRIPTION),
            "created_at": meta.creation_timestamp}


def _updated_at(obj: QuotaObject) -> str | None:
    return (obj.metadata.annotations or {}).get(UPDATED_AT) or obj.metadata.creation_timestamp


def _spec_changes(spec: QuotaSpecUpdate | None) -> FreeForm:
    if spec is None:
        return {}
    changes: FreeForm = dict(spec.model_dump(exclude_none=True))
    if spec.hard is not None:
        changes["hard"] = quantities(spec.hard, "spec.hard")
    return changes


def _limits(spec: LimitSpec) -> FreeForm:
    """The limits with every quantity checked and written as Kubernetes stores it."""
    out: list[FreeForm] = []
    for i, item in enumerate(spec.limits):
        entry: FreeForm = {"type": item.type}
        for key, values in item.model_dump(exclude={"type"}, exclude_none=True).items():
            entry[key] = quantities(values, f"spec.limits[{i}].{key}")
        out.append(entry)
    return {"limits": out}


class _MemberObjects(Service):
    """One namespaced kind of a member (`singular` in object ids, `plural` in requests)."""

    singular = ""
    plural = ""
    kind = ""

    async def _located(self, cluster: ClusterRef, oid: ObjectId) -> Located:
        return await locate(await self.deps.member(cluster), oid, self.singular, EXACT)

    async def _create(self, cluster: ClusterRef, name: str, namespace: str, spec: FreeForm,
                      description: str | None) -> tuple[ResourceType, QuotaObject]:
        session = await self.deps.member(cluster)
        rt = await session.resolve(self.plural)
        body = {"apiVersion": "v1", "kind": self.kind, "spec": spec,
                "metadata": {"name": name, "namespace": namespace, "annotations": _stamp({}, description)}}
        return rt, QuotaObject.model_validate(await session.create(rt, namespace, body))

    async def _listed(self, cluster: ClusterRef, q: ListQuery) -> tuple[ResourceType, list[QuotaObject]]:
        session = await self.deps.member(cluster)
        rt = await session.resolve(self.plural)
        items, _ = await session.list_all(rt, q.namespace)
        objects = [QuotaObject.model_validate(o) for o in items]
        objects.sort(key=lambda o: (o.metadata.namespace or "", o.metadata.name or ""))
        return rt, objects

    async def _get(self, cluster: ClusterRef, oid: ObjectId) -> tuple[ResourceType, QuotaObject]:
        at = await self._located(cluster, oid)
        return at.rt, QuotaObject.model_validate(await at.session.get(at.rt, at.namespace, at.name))

    async def _update(self, cluster: ClusterRef, oid: ObjectId, spec: FreeForm,
                      description: str | None) -> tuple[ResourceType, QuotaObject]:
        """Read, change, replace with the read resourceVersion: a concurrent change is 409/1006, never lost."""
        at = await self._located(cluster, oid)
        current = await at.session.get(at.rt, at.namespace, at.name)
        current["spec"] = {**(current.get("spec") or {}), **spec}
        current["metadata"]["annotations"] = _stamp(current["metadata"].get("annotations"), description)
        current.pop("status", None)
        return at.rt, QuotaObject.model_validate(await at.session.replace(at.rt, at.namespace, at.name, current))

    async def delete(self, cluster: ClusterRef, oid: ObjectId) -> Deleted:
        at = await self._located(cluster, oid)
        await at.session.delete(at.rt, at.namespace, at.name)
        return Deleted(id=at.object_id(cluster), deleted=True)


class QuotaService(_MemberObjects):
    """ResourceQuotas: the member's counts, with usage percentages, state and alerts worked out here."""

    singular, plural, kind = "resourcequota", "resourcequotas", "ResourceQuota"

    def _detail(self, cluster: ClusterRef, rt: ResourceType, obj: QuotaObject) -> QuotaDetail:
        hard, used = obj.hard, obj.used
        s = self.deps.settings
        found = alerts(hard, used, Thresholds(s.quota_warning_percent, s.quota_critical_percent))
        return QuotaDetail(**_common(cluster, rt, obj), spec=obj.spec, status=QuotaStatus(hard=hard, used=used),
                           state=quota_state(hard, used), usage_percentage=percentages(hard, used),
                           alerts=[Alert.model_validate(a) for a in found], updated_at=_updated_at(obj))

    async def create(self, cluster: ClusterRef, b: CreateQuota) -> QuotaDetail:
        """Conflicting scopes (BestEffort with NotBestEffort) are the member's 422 naming spec.scopes."""
        spec: FreeForm = {"hard": quantities(b.spec.hard, "spec.hard"), **b.spec.model_dump(exclude={"hard"},
                                                                                            exclude_none=True)}
        return self._detail(cluster, *await self._create(cluster, b.name, b.namespace, spec, b.description))

    async def list(self, cluster: ClusterRef, q: ListQuery) -> QuotaList:
        rt, objects = await self._listed(cluster, q)
        items = [QuotaItem(**_common(cluster, rt, o), hard=o.hard, used=o.used,
                           scopes=_scopes(o), usage_percentage=percentages(o.hard, o.used),
                           status=quota_state(o.hard, o.used)) for o in objects]
        listed = page(items, q.limit, q.offset)
        return QuotaList(resourcequotas=listed.pop("items"), **listed)

    async def get(self, cluster: ClusterRef, oid: ObjectId) -> QuotaDetail:
        return self._detail(cluster, *await self._get(cluster, oid))

    async def update(self, cluster: ClusterRef, oid: ObjectId, b: UpdateQuota) -> QuotaDetail:
        return self._detail(cluster, *await self._update(cluster, oid, _spec_changes(b.spec), b.description))

    async def usage(self, cluster: ClusterRef, oid: ObjectId, q: UsageQuery) -> QuotaUsage:
        """The operator's samples of status.used in the reference's form ("5Gi", 2.5 cores, 6 pods) and as numbers in
        base units (`values`), with a trend per resource."""
        at = await self._located(cluster, oid)
        await at.session.get(at.rt, at.namespace, at.name)  # 404 for a quota that does not exist (any more)
        namespace = at.namespace or ""
        series = await history_store.read(self.deps.hub, self.deps.namespace, QUOTA_FAMILY, cluster.name,
                                          history_store.Subject(self.kind, namespace, at.name))
        points = series.get(q.time_range) or []
        period = history_store.TIERS[q.time_range][0]
        return QuotaUsage(quota_id=at.object_id(cluster), time_range=q.time_range, period_seconds=period,
                          usage_history=[UsageRow.model_validate(row) for row in usage_history(points)],
                          trends={k: Trend.model_validate(t) for k, t in trends(points, period).items()})


def _scopes(obj: QuotaObject) -> list[str]:
    scopes = obj.spec.get("scopes")
    return [str(s) for s in scopes] if isinstance(scopes, list) else []


class LimitRangeService(_MemberObjects):
    """LimitRanges: defaults and bounds the member's admission applies to new pods."""

    singular, plural, kind = "limitrange", "limitranges", "LimitRange"

    @staticmethod
    def _view(cluster: ClusterRef, rt: ResourceType, obj: QuotaObject) -> LimitRangeView:
        return LimitRangeView(**_common(cluster, rt, obj), spec=obj.spec, updated_at=_updated_at(obj))

    async def create(self, cluster: ClusterRef, b: CreateLimitRange) -> LimitRangeView:
        """A default outside min/max is the member's 422 naming the field (spec.limits[i].default[...])."""
        return self._view(cluster, *await self._create(cluster, b.name, b.namespace, _limits(b.spec), b.description))

    async def list(self, cluster: ClusterRef, q: ListQuery) -> LimitRangeList:
        rt, objects = await self._listed(cluster, q)
        listed = page([self._view(cluster, rt, o) for o in objects], q.limit, q.offset)
        return LimitRangeList(limitranges=listed.pop("items"), **listed)

    async def get(self, cluster: ClusterRef, oid: ObjectId) -> LimitRangeView:
        return self._view(cluster, *await self._get(cluster, oid))

    async def update(self, cluster: ClusterRef, oid: ObjectId, b: UpdateLimitRange) -> LimitRangeView:
        spec = _limits(b.spec) if b.spec is not None else {}
        return self._view(cluster, *await self._update(cluster, oid, spec, b.description))
