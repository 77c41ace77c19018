"""资源配额管理 API: ResourceQuota (1.1–1.6) and LimitRange (2.1–2.5) objects in member clusters.

The member is the truth: its quota controller counts `status.used`, its validation rejects bad scopes and
defaults outside min/max (422 naming the field). Ids are object ids (`<cluster>:resourcequota:<ns>:<name>`);
a bare name works with namespace (and cluster_id when more than one cluster is registered). The usage
history of 1.6 is sampled by the operator into a MetricHistory (family `quota-usage`).
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.state import ACCESS, HUB, SETTINGS
from cloudops import history_store
from cloudops.clusters.health import parse_quantity
from cloudops.conditions import now_iso
from cloudops.constants import GROUP
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.quota_history import QUOTA_FAMILY
from cloudops.quotas import Thresholds, alerts, quota_state, trends, usage_history, usage_percentage
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import ClusterRefItem, PageInfo, PageQuery, Quantity

__all__ = ["section"]

section = Section(tag="quotas", resource="managedclusters")

DESCRIPTION = f"{GROUP}/description"
UPDATED_AT = f"{GROUP}/updated-at"
NAME = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Quantities = dict[str, Quantity | int]
Json = dict[str, Any]


# -- declarations ----------------------------------------------------------------------------------------------


class QuotaSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hard: Quantities = Field(description="resource name -> quantity (requests.cpu: '4', requests.memory: '8Gi')")
    scopes: list[str] | None = Field(None, max_length=8, description="Terminating, NotTerminating, BestEffort, ...")
    scopeSelector: dict[str, Any] | None = None


class QuotaSpecUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hard: Quantities | None = Field(None, description="replaces spec.hard as a whole")
    scopes: list[str] | None = Field(None, max_length=8)
    scopeSelector: dict[str, Any] | None = None


class CreateQuota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    name: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field("default", pattern=NAMESPACE, max_length=63)
    spec: QuotaSpec
    description: str | None = Field(None, max_length=1024, description=f"kept as the {DESCRIPTION} annotation")


class UpdateQuota(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: QuotaSpecUpdate | None = None
    description: str | None = Field(None, max_length=1024)


class LimitItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["Container", "Pod", "PersistentVolumeClaim"]
    default: Quantities | None = None
    defaultRequest: Quantities | None = None
    min: Quantities | None = None
    max: Quantities | None = None
    maxLimitRequestRatio: Quantities | None = None


class LimitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limits: list[LimitItem] = Field(min_length=1, max_length=32)


class CreateLimitRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    name: str = Field(pattern=NAME, max_length=253)
    namespace: str = Field("default", pattern=NAMESPACE, max_length=63)
    spec: LimitSpec
    description: str | None = Field(None, max_length=1024)


class UpdateLimitRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec: LimitSpec | None = None
    description: str | None = Field(None, max_length=1024)


class ListQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间; absent: all")


class QuotaRef(BaseModel):
    """For a bare-name `{id}`: where the quota is. A full id needs none of these."""

    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)
    resource_type: Literal["resourcequota"] = Field("resourcequota", description="always resourcequota")


class UsageQuery(QuotaRef):
    time_range: Literal["1h", "24h", "7d", "30d"] = Field("24h", description="时间范围")


class LimitRangeRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)
    resource_type: Literal["limitrange"] = Field("limitrange", description="always limitrange")


class QuotaStatus(BaseModel):
    hard: dict[str, str]
    used: dict[str, str]


class Alert(BaseModel):
    type: Literal["warning", "critical"]
    resource: str
    usage: float
    threshold: float
    message: str


class QuotaItem(BaseModel):
    id: str = Field(description="<cluster id>:resourcequota:<namespace>:<name>")
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    hard: dict[str, str]
    used: dict[str, str]
    scopes: list[str]
    usage_percentage: dict[str, float]
    status: Literal["active", "exceeded"]
    description: str | None
    created_at: str | None


class QuotaList(PageInfo):
    resourcequotas: list[QuotaItem]


class QuotaDetail(BaseModel):
    id: str
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    spec: dict[str, Any]
    status: QuotaStatus = Field(description="the member's status.hard and status.used")
    state: Literal["active", "exceeded"] = Field(description="exceeded when a used value reaches its hard limit")
    usage_percentage: dict[str, float]
    alerts: list[Alert]
    description: str | None
    created_at: str | None
    updated_at: str | None


class UsageRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    timestamp: str = Field(description="bucket start; one number per resource follows (base units)")


class Trend(BaseModel):
    trend: Literal["increasing", "decreasing", "stable"]
    growth_rate: float = Field(description="least-squares slope, percent of the mean per period")


class QuotaUsage(BaseModel):
    quota_id: str
    time_range: str
    period_seconds: int = Field(description="the bucket width of this range: one period of growth_rate")
    usage_history: list[UsageRow]
    trends: dict[str, Trend]


class LimitRangeView(BaseModel):
    id: str = Field(description="<cluster id>:limitrange:<namespace>:<name>")
    name: str
    namespace: str
    cluster_id: int | None
    cluster_name: str
    spec: dict[str, Any]
    description: str | None
    created_at: str | None
    updated_at: str | None


class LimitRangeList(PageInfo):
    limitranges: list[LimitRangeView]


class Deleted(BaseModel):
    id: str
    deleted: bool


# -- helpers -----------------------------------------------------------------------------------------------------


def _quantities(values: dict[str, Quantity | int] | None, where: str) -> dict[str, str]:
    """Quantities as the strings Kubernetes stores (the schema's pattern already holds; checked again here)."""
    out: dict[str, str] = {}
    for key, value in (values or {}).items():
        text = str(value)
        try:
            parse_quantity(text)
        except ValueError:
            raise ApiError(400, f"{where}.{key}: {text[:40]!r} is not a quantity (such as 500m, 8Gi, 1e3)") from None
        out[key] = text
    return out


def _meta(obj: Json) -> Json:
    return obj.get("metadata") or {}


def _stamp(meta: Json, description: str | None) -> Json:
    annotations = dict(meta.get("annotations") or {})
    if description is not None:
        annotations[DESCRIPTION] = description
    annotations[UPDATED_AT] = now_iso()
    return annotations


def _common(cluster: ClusterRef, rt: ResourceType, obj: Json) -> Json:
    meta = _meta(obj)
    annotations = meta.get("annotations") or {}
    return {"id": str(ObjectId(cluster.ref, rt.type_name, meta.get("namespace", ""), meta.get("name", ""))),
            "name": meta.get("name", ""), "namespace": meta.get("namespace", ""), "cluster_id": cluster.id,
            "cluster_name": cluster.name, "description": annotations.get(DESCRIPTION),
            "created_at": meta.get("creationTimestamp")}


def _hard_used(obj: Json) -> tuple[dict[str, str], dict[str, str]]:
    status = obj.get("status") or {}
    hard = {k: str(v) for k, v in (status.get("hard") or (obj.get("spec") or {}).get("hard") or {}).items()}
    return hard, {k: str(v) for k, v in (status.get("used") or {}).items()}


def quota_item(cluster: ClusterRef, rt: ResourceType, obj: Json) -> Json:
    hard, used = _hard_used(obj)
    return {**_common(cluster, rt, obj), "hard": hard, "used": used,
            "scopes": list((obj.get("spec") or {}).get("scopes") or []),
            "usage_percentage": usage_percentage(hard, used), "status": quota_state(hard, used)}


def _thresholds(call: Call) -> Thresholds:
    s = call.request.app[SETTINGS]
    return Thresholds(s.quota_warning_percent, s.quota_critical_percent)


def quota_detail(call: Call, rt: ResourceType, obj: Json) -> Json:
    hard, used = _hard_used(obj)
    common = _common(call.cluster, rt, obj)
    return {**common, "spec": obj.get("spec") or {}, "status": {"hard": hard, "used": used},
            "state": quota_state(hard, used), "usage_percentage": usage_percentage(hard, used),
            "alerts": alerts(hard, used, _thresholds(call)),
            "updated_at": (_meta(obj).get("annotations") or {}).get(UPDATED_AT) or common["created_at"]}


def limit_range_view(cluster: ClusterRef, rt: ResourceType, obj: Json) -> Json:
    common = _common(cluster, rt, obj)
    return {**common, "spec": obj.get("spec") or {},
            "updated_at": (_meta(obj).get("annotations") or {}).get(UPDATED_AT) or common["created_at"]}


async def _session(call: Call, type_name: str) -> tuple[MemberSession, ResourceType]:
    session = await call.request.app[ACCESS].session(call.cluster)
    return session, await session.resolve(type_name)


async def _located(call: Call, type_name: str) -> tuple[MemberSession, ResourceType, str, str]:
    """The object `{id}` names; an id of another type is 400, not a silent look-up of something else."""
    oid = call.target.object_id
    assert oid is not None
    if oid.type != type_name:
        raise ApiError(400, f"id: names a {oid.type}, not a {type_name}")
    session, rt = await _session(call, type_name)
    return session, rt, oid.namespace or "default", oid.name


async def _listed(call: Call, type_name: str) -> tuple[ResourceType, list[Json]]:
    q: ListQuery = call.query
    session, rt = await _session(call, type_name)
    items, _ = await session.list_all(rt, q.namespace)
    items.sort(key=lambda o: (_meta(o).get("namespace", ""), _meta(o).get("name", "")))
    return rt, items


async def _update(call: Call, type_name: str, spec: Json, description: str | None) -> tuple[ResourceType, Json]:
    """Read, change, replace with the read resourceVersion: a concurrent change is 409/1006, never lost."""
    session, rt, namespace, name = await _located(call, type_name)
    current = await session.get(rt, namespace, name)
    current["spec"] = {**(current.get("spec") or {}), **spec}
    current["metadata"]["annotations"] = _stamp(current["metadata"], description)
    current.pop("status", None)
    return rt, await session.replace(rt, namespace, name, current)


async def _delete(call: Call, type_name: str) -> web.Response:
    session, rt, namespace, name = await _located(call, type_name)
    await session.delete(rt, namespace, name)
    return ok({"id": str(ObjectId(call.cluster.ref, rt.type_name, namespace, name)), "deleted": True})


# -- ResourceQuota -------------------------------------------------------------------------------------------------


@section.route("POST", "/api/k8s/resourcequota/create", "创建 ResourceQuota", verb="create", subresource="quotas",
               body=CreateQuota, data=QuotaDetail, cluster="param")
async def create_quota(call: Call) -> web.Response:
    """Conflicting scopes (BestEffort with NotBestEffort) are the member's 422 naming spec.scopes."""
    b: CreateQuota = call.body
    spec: Json = {"hard": _quantities(b.spec.hard, "spec.hard")}
    if b.spec.scopes is not None:
        spec["scopes"] = b.spec.scopes
    if b.spec.scopeSelector is not None:
        spec["scopeSelector"] = b.spec.scopeSelector
    session, rt = await _session(call, "resourcequotas")
    body = {"apiVersion": "v1", "kind": "ResourceQuota", "spec": spec,
            "metadata": {"name": b.name, "namespace": b.namespace, "annotations": _stamp({}, b.description)}}
    return ok(quota_detail(call, rt, await session.create(rt, b.namespace, body)))


@section.route("GET", "/api/k8s/resourcequota/list", "获取 ResourceQuota 列表", verb="list", subresource="quotas",
               query=ListQuery, data=QuotaList, cluster="param")
async def list_quotas(call: Call) -> web.Response:
    q: ListQuery = call.query
    rt, items = await _listed(call, "resourcequotas")
    listed = page([quota_item(call.cluster, rt, o) for o in items], q.limit, q.offset)
    return ok({"resourcequotas": listed.pop("items"), **listed})


@section.route("GET", "/api/k8s/resourcequota/{id}", "获取 ResourceQuota 详情", verb="get", subresource="quotas",
               query=QuotaRef, data=QuotaDetail, cluster="object")
async def get_quota(call: Call) -> web.Response:
    session, rt, namespace, name = await _located(call, "resourcequota")
    return ok(quota_detail(call, rt, await session.get(rt, namespace, name)))


@section.route("PUT", "/api/k8s/resourcequota/{id}", "更新 ResourceQuota", verb="update", subresource="quotas",
               query=QuotaRef, body=UpdateQuota, data=QuotaDetail, cluster="object")
async def update_quota(call: Call) -> web.Response:
    b: UpdateQuota = call.body
    spec: Json = {}
    if b.spec is not None:
        if b.spec.hard is not None:
            spec["hard"] = _quantities(b.spec.hard, "spec.hard")
        if b.spec.scopes is not None:
            spec["scopes"] = b.spec.scopes
        if b.spec.scopeSelector is not None:
            spec["scopeSelector"] = b.spec.scopeSelector
    rt, updated = await _update(call, "resourcequota", spec, b.description)
    return ok(quota_detail(call, rt, updated))


@section.route("DELETE", "/api/k8s/resourcequota/{id}", "删除 ResourceQuota", verb="delete", subresource="quotas",
               query=QuotaRef, data=Deleted, cluster="object")
async def delete_quota(call: Call) -> web.Response:
    return await _delete(call, "resourcequota")


@section.route("GET", "/api/k8s/resourcequota/{id}/usage", "获取配额使用统计", verb="get", subresource="quotas",
               query=UsageQuery, data=QuotaUsage, cluster="object")
async def quota_usage(call: Call) -> web.Response:
    """The operator's samples of status.used (base units: cores, bytes, counts), with a trend per resource."""
    q: UsageQuery = call.query
    session, rt, namespace, name = await _located(call, "resourcequota")
    await session.get(rt, namespace, name)  # 404 for a quota that does not exist (any more)
    app = call.request.app
    series = await history_store.read(app[HUB], app[SETTINGS].namespace, QUOTA_FAMILY, call.cluster.name,
                                      history_store.Subject("ResourceQuota", namespace, name))
    points = series.get(q.time_range) or []
    period = history_store.TIERS[q.time_range][0]
    return ok({"quota_id": str(ObjectId(call.cluster.ref, rt.type_name, namespace, name)),
               "time_range": q.time_range, "period_seconds": period, "usage_history": usage_history(points),
               "trends": trends(points, period)})


# -- LimitRange ------------------------------------------------------------------------------------------------------


def _limits(spec: LimitSpec) -> Json:
    out = []
    for i, item in enumerate(spec.limits):
        entry: Json = {"type": item.type}
        for key in ("default", "defaultRequest", "min", "max", "maxLimitRequestRatio"):
            values = getattr(item, key)
            if values is not None:
                entry[key] = _quantities(values, f"spec.limits[{i}].{key}")
        out.append(entry)
    return {"limits": out}


@section.route("POST", "/api/k8s/limitrange/create", "创建 LimitRange", verb="create", subresource="quotas",
               body=CreateLimitRange, data=LimitRangeView, cluster="param")
async def create_limit_range(call: Call) -> web.Response:
    """A default outside min/max is the member's 422 naming the field (spec.limits[i].default[...])."""
    b: CreateLimitRange = call.body
    session, rt = await _session(call, "limitranges")
    body = {"apiVersion": "v1", "kind": "LimitRange", "spec": _limits(b.spec),
            "metadata": {"name": b.name, "namespace": b.namespace, "annotations": _stamp({}, b.description)}}
    return ok(limit_range_view(call.cluster, rt, await session.create(rt, b.namespace, body)))


@section.route("GET", "/api/k8s/limitrange/list", "获取 LimitRange 列表", verb="list", subresource="quotas",
               query=ListQuery, data=LimitRangeList, cluster="param")
async def list_limit_ranges(call: Call) -> web.Response:
    q: ListQuery = call.query
    rt, items = await _listed(call, "limitranges")
    listed = page([limit_range_view(call.cluster, rt, o) for o in items], q.limit, q.offset)
    return ok({"limitranges": listed.pop("items"), **listed})


@section.route("GET", "/api/k8s/limitrange/{id}", "获取 LimitRange 详情", verb="get", subresource="quotas",
               query=LimitRangeRef, data=LimitRangeView, cluster="object")
async def get_limit_range(call: Call) -> web.Response:
    session, rt, namespace, name = await _located(call, "limitrange")
    return ok(limit_range_view(call.cluster, rt, await session.get(rt, namespace, name)))


@section.route("PUT", "/api/k8s/limitrange/{id}", "更新 LimitRange", verb="update", subresource="quotas",
               query=LimitRangeRef, body=UpdateLimitRange, data=LimitRangeView, cluster="object")
async def update_limit_range(call: Call) -> web.Response:
    b: UpdateLimitRange = call.body
    rt, updated = await _update(call, "limitrange", _limits(b.spec) if b.spec is not None else {}, b.description)
    return ok(limit_range_view(call.cluster, rt, updated))


@section.route("DELETE", "/api/k8s/limitrange/{id}", "删除 LimitRange", verb="delete", subresource="quotas",
               query=LimitRangeRef, data=Deleted, cluster="object")
async def delete_limit_range(call: Call) -> web.Response:
    return await _delete(call, "limitrange")
