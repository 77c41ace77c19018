"""标签与亲和性管理 API, 1. 标签管理: labels and annotations of objects in members (1.1–1.5), label
policies (1.6) and compliance checks against them (1.7).

Keys and values are checked as Kubernetes checks them (cloudops.labels), so a bad one is 400 naming it
before any member is called. Objects are named by object id or by name with resource_type and namespace.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.state import ACCESS, HUB, REGISTRY, SETTINGS
from cloudops.constants import API_VERSION, ID_LABEL, LABEL_POLICY
from cloudops.ids import allocate_id
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound
from cloudops.label_compliance import Checked, check_cluster
from cloudops.label_policy import Rule, compile_error, evaluate, rule_from_spec, rule_to_spec, summary
from cloudops.labels import key_error, selector_error, value_error
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE
from cloudops.services.common import (
    AnnotationMap,
    BatchSummary,
    ClusterRefItem,
    LabelKey,
    LabelMap,
    LabelSelector,
    LabelValue,
    PageInfo,
    PageQuery,
)

__all__ = ["section"]

section = Section(tag="labels", resource="managedclusters")

ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")
Namespace = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间 (namespaced types; default: default)")
MAX_KEYS = 64
Json = dict[str, Any]


# -- declarations ----------------------------------------------------------------------------------------------


class ObjectQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Namespace


class AddBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Namespace
    labels: LabelMap = Field(default_factory=dict, max_length=MAX_KEYS)
    annotations: AnnotationMap = Field(default_factory=dict, max_length=MAX_KEYS)
    overwrite: bool = Field(True, description="false: keys that already hold another value are a 409 naming them")


class RemoveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Namespace
    labels: list[LabelKey] = Field(default_factory=list, max_length=MAX_KEYS)
    annotations: list[LabelKey] = Field(default_factory=list, max_length=MAX_KEYS)


class BatchTarget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern=RESOURCE_TYPE, max_length=253, description="deployment, service, pods, ...")
    name: str = Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9._:@-]*[A-Za-z0-9])?$", max_length=253)
    namespace: str | None = Namespace


class BatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    operation: Literal["add", "remove", "replace"]
    resources: list[BatchTarget] = Field(min_length=1, max_length=100)
    labels: LabelMap | list[LabelKey] = Field(
        description="add/replace: key -> value; remove: keys (or a map whose keys are removed)")


class SelectQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    resource_type: str = Field("pods", pattern=RESOURCE_TYPE, max_length=253, description="资源类型")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63, description="命名空间; absent: all")
    label_selector: LabelSelector = Field("", description="app=nginx,environment in (production,staging)")


class LabelView(BaseModel):
    id: str = Field(description="<cluster id>:<type>:<namespace>:<name>")
    resource_type: str
    resource_id: str = Field(description="the object's name")
    namespace: str
    cluster_id: int | None
    cluster_name: str
    labels: dict[str, str]
    annotations: dict[str, str]


class ChangedView(LabelView):
    changed: list[str] = Field(description="label and annotation keys this call set or removed")


class BatchRow(BaseModel):
    id: str
    type: str
    name: str
    namespace: str
    success: bool
    status: int
    code: int
    error: str | None = None
    labels: dict[str, str] | None = None


class BatchResult(BaseModel):
    operation: str
    status: Literal["success", "partial", "failed"]
    summary: BatchSummary
    results: list[BatchRow]


class Selected(BaseModel):
    id: str
    type: str
    name: str
    namespace: str
    labels: dict[str, str]
    created_at: str | None


class SelectResult(PageInfo):
    resources: list[Selected]


# -- helpers -----------------------------------------------------------------------------------------------------


def check_labels(labels: dict[str, str] | list[str], where: str) -> None:
    """Keys (and values, for a map) as Kubernetes validates them; 400 naming the entry."""
    for key in labels:
        if err := key_error(key):
            raise ApiError(400, f"{where}.{key[:80]}: {err}")
        if isinstance(labels, dict) and (err := value_error(labels[key])):
            raise ApiError(400, f"{where}.{key}: {err}")


def _check_annotation_keys(keys: list[str] | dict[str, str]) -> None:
    for key in keys:
        if err := key_error(key):
            raise ApiError(400, f"annotations.{key[:80]}: {err}")


def _view(cluster: ClusterRef, rt: ResourceType, obj: Json) -> Json:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    return {"id": str(ObjectId(cluster.ref, rt.type_name, namespace, meta.get("name", ""))),
            "resource_type": rt.type_name, "resource_id": meta.get("name", ""), "namespace": namespace,
            "cluster_id": cluster.id, "cluster_name": cluster.name, "labels": meta.get("labels") or {},
            "annotations": meta.get("annotations") or {}}


async def _located(call: Call) -> tuple[MemberSession, ResourceType, str | None, str]:
    """The object of `{resource_type}/{resource_id}`; a full id of another type than the path's is 422."""
    oid = call.target.object_id
    assert oid is not None
    session = await call.request.app[ACCESS].session(call.cluster)
    rt = await session.resolve(call.path("resource_type"))
    if oid.type != rt.type_name and (await session.resolve(oid.type)).type_name != rt.type_name:
        raise ApiError(422, f"resource_id: names a {oid.type}, not a {rt.type_name}")
    if not rt.namespaced and oid.namespace:
        raise ApiError(422, f"namespace: {rt.kind} is cluster-scoped")
    return session, rt, (oid.namespace or "default") if rt.namespaced else None, oid.name


# -- handlers ----------------------------------------------------------------------------------------------------

LABELS_PATH = "/api/k8s/labels/{resource_type}/{resource_id}"


@section.route("GET", LABELS_PATH, "获取资源标签", verb="get", subresource="labels", query=ObjectQuery,
               data=LabelView, cluster="object")
async def get_labels(call: Call) -> web.Response:
    session, rt, namespace, name = await _located(call)
    return ok(_view(call.cluster, rt, await session.get(rt, namespace, name)))


@section.route("POST", LABELS_PATH + "/add", "添加/更新标签", verb="update", subresource="labels", body=AddBody,
               data=ChangedView, cluster="object")
async def add_labels(call: Call) -> web.Response:
    """With overwrite false, the patch carries the read resourceVersion: a concurrent change is 409/1006."""
    b: AddBody = call.body
    check_labels(b.labels, "labels")
    _check_annotation_keys(b.annotations)
    session, rt, namespace, name = await _located(call)
    if not b.labels and not b.annotations:
        return ok({**_view(call.cluster, rt, await session.get(rt, namespace, name)), "changed": []})
    meta: Json = {}
    if not b.overwrite:
        current = (await session.get(rt, namespace, name)).get("metadata") or {}
        clashes = [f"labels.{k}" for k, v in b.labels.items() if (current.get("labels") or {}).get(k, v) != v]
        clashes += [f"annotations.{k}" for k, v in b.annotations.items()
                    if (current.get("annotations") or {}).get(k, v) != v]
        if clashes:
            raise ApiError(409, f"overwrite is false and these keys hold other values: {', '.join(clashes)}")
        meta["resourceVersion"] = current.get("resourceVersion")
    if b.labels:
        meta["labels"] = b.labels
    if b.annotations:
        meta["annotations"] = b.annotations
    patched = await session.patch(rt, namespace, name, {"metadata": meta})
    return ok({**_view(call.cluster, rt, patched), "changed": sorted([*b.labels, *b.annotations])})


@section.route("DELETE", LABELS_PATH + "/remove", "删除标签", verb="update", subresource="labels", body=RemoveBody,
               data=ChangedView, cluster="object")
async def remove_labels(call: Call) -> web.Response:
    """Keys the object does not have are not an error; `changed` lists those that were there."""
    b: RemoveBody = call.body
    check_labels(b.labels, "labels")
    _check_annotation_keys(b.annotations)
    session, rt, namespace, name = await _located(call)
    current = (await session.get(rt, namespace, name)).get("metadata") or {}
    labels = [k for k in b.labels if k in (current.get("labels") or {})]
    annotations = [k for k in b.annotations if k in (current.get("annotations") or {})]
    if not labels and not annotations:
        return ok({**_view(call.cluster, rt, {"metadata": current}), "changed": []})
    meta: Json = {"resourceVersion": current.get("resourceVersion")}
    if labels:
        meta["labels"] = dict.fromkeys(labels)
    if annotations:
        meta["annotations"] = dict.fromkeys(annotations)
    patched = await session.patch(rt, namespace, name, {"metadata": meta})
    return ok({**_view(call.cluster, rt, patched), "changed": sorted([*labels, *annotations])})


async def _batch_one(session: MemberSession, cluster: ClusterRef, target: BatchTarget, operation: str,
                     labels: dict[str, str] | list[str]) -> Json:
    row: Json = {"id": f"{cluster.ref}:{target.type}:{target.namespace or ''}:{target.name}", "type": target.type,
                 "name": target.name, "namespace": target.namespace or ""}
    try:
        rt = await session.resolve(target.type)
        namespace = (target.namespace or "default") if rt.namespaced else None
        row.update(type=rt.type_name, namespace=namespace or "",
                   id=str(ObjectId(cluster.ref, rt.type_name, namespace or "", target.name)))
        if operation == "replace":
            assert isinstance(labels, dict)
            patch: Any = [{"op": "add", "path": "/metadata/labels", "value": labels}]
            obj = await session.patch(rt, namespace, target.name, patch, patch_type="json")
        else:
            values = dict.fromkeys(labels) if operation == "remove" else labels
            obj = await session.patch(rt, namespace, target.name, {"metadata": {"labels": values}})
    except MemberError as e:
        return {**row, "success": False, "status": e.status, "code": e.code, "error": e.detail}
    return {**row, "success": True, "status": 200, "code": 200, "labels": (obj.get("metadata") or {}).get("labels")
            or {}}


@section.route("POST", "/api/k8s/labels/batch", "批量标签操作", verb="update", subresource="labels", body=BatchBody,
               data=BatchResult, cluster="param")
async def batch_labels(call: Call) -> web.Response:
    """One result per resource, run concurrently; a failed resource never fails the others."""
    b: BatchBody = call.body
    if b.operation != "remove" and not isinstance(b.labels, dict):
        raise ApiError(422, f"labels: {b.operation} needs a map of key -> value, not a list of keys")
    keys: dict[str, str] | list[str] = list(b.labels) if b.operation == "remove" else b.labels
    check_labels(keys, "labels")
    session = await call.request.app[ACCESS].session(call.cluster)
    rows = list(await asyncio.gather(*(_batch_one(session, call.cluster, t, b.operation, keys)
                                       for t in b.resources)))
    done = sum(1 for r in rows if r["success"])
    status = "success" if done == len(rows) else "failed" if done == 0 else "partial"
    return ok({"operation": b.operation, "status": status,
               "summary": {"total": len(rows), "succeeded": done, "failed": len(rows) - done}, "results": rows})


@section.route("GET", "/api/k8s/labels/select", "标签选择器查询", verb="list", subresource="labels",
               query=SelectQuery, data=SelectResult, cluster="param")
async def select(call: Call) -> web.Response:
    """The selector goes to the member as is (equality and set-based); a malformed one is 400 first."""
    q: SelectQuery = call.query
    if err := selector_error(q.label_selector):
        raise ApiError(400, f"label_selector: {err}")
    session = await call.request.app[ACCESS].session(call.cluster)
    rt = await session.resolve(q.resource_type)
    items, _ = await session.list_all(rt, q.namespace if rt.namespaced else None,
                                      label_selector=q.label_selector or None, metadata_only=True)
    rows = []
    for obj in items:
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace") or ""
        rows.append({"id": str(ObjectId(call.cluster.ref, rt.type_name, ns, meta.get("name", ""))),
                     "type": rt.type_name, "name": meta.get("name", ""), "namespace": ns,
                     "labels": meta.get("labels") or {}, "created_at": meta.get("creationTimestamp")})
    rows.sort(key=lambda r: (r["namespace"], r["name"]))
    listed = page(rows, q.limit, q.offset)
    return ok({"resources": listed.pop("items"), **listed})


# -- 1.6 label policies, 1.7 compliance checks --------------------------------------------------------------------

DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
Regex = Annotated[str, Field(min_length=1, max_length=1024, json_schema_extra={"format": "regex"})]
NamespaceName = Annotated[str, Field(pattern=NAMESPACE, max_length=63)]
ResourceTypeName = Annotated[str, Field(pattern=RESOURCE_TYPE, max_length=253)]


class PolicyRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resource_type: str = Field(pattern=r"^(\*|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?)$", max_length=253,
                               description='deployment, services, ... or "*" for every type checked')
    required_labels: list[LabelKey] = Field(default_factory=list, max_length=64)
    forbidden_labels: list[LabelKey] = Field(default_factory=list, max_length=64)
    label_patterns: dict[LabelKey, Regex] = Field(default_factory=dict, max_length=64,
                                                  json_schema_extra={"additionalProperties": False},
                                                  description="label -> regular expression its value must match")
    allowed_values: dict[LabelKey, list[LabelValue]] = Field(default_factory=dict, max_length=64,
                                                             json_schema_extra={"additionalProperties": False})


class RemediationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    default_labels: LabelMap = Field(default_factory=dict, max_length=64,
                                           description="missing required labels are added with these values")


class PolicyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=DNS_SUBDOMAIN, max_length=253)
    description: str | None = Field(None, max_length=1024)
    rules: list[PolicyRule] = Field(min_length=1, max_length=32)
    enabled: bool = True
    enforcement: Literal["audit", "warn", "enforce"] = Field(
        "audit", description="audit: report only; warn/enforce: report, emit Warning events, remediate")
    cluster_id: ClusterRefItem | None = Field(None, description="the cluster the operator checks; absent: every one")
    namespaces: list[NamespaceName] | None = Field(None, max_length=256, description="absent: all namespaces")
    excluded_namespaces: list[NamespaceName] = Field(default_factory=list, max_length=256)
    check_interval_seconds: int = Field(300, ge=60, le=86400)
    remediation: RemediationSpec | None = None


class PolicyRuleView(BaseModel):
    resource_type: str
    required_labels: list[str]
    forbidden_labels: list[str]
    label_patterns: dict[str, str]
    allowed_values: dict[str, list[str]]


class PolicyStatusView(BaseModel):
    ready: bool | None
    reason: str | None
    compliant_count: int | None
    violation_count: int | None
    last_check_time: str | None


class PolicyView(BaseModel):
    id: int | None
    name: str
    description: str | None
    rules: list[PolicyRuleView]
    enabled: bool
    enforcement: str
    cluster_name: str | None
    namespaces: list[str]
    excluded_namespaces: list[str]
    check_interval_seconds: int
    remediation: RemediationSpec | None
    created_at: str | None
    status: PolicyStatusView


class ComplianceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63,
                                  description="absent: the policy's namespaces (all when it names none)")
    resource_types: list[ResourceTypeName] | None = Field(None, max_length=32,
                                                          description="absent: the types of the rules")
    policy_id: int | Annotated[str, Field(pattern=DNS_SUBDOMAIN, max_length=253)] = Field(
        description="policy id or name")


class Mismatch(BaseModel):
    label: str
    value: str
    pattern: str | None = None
    allowed: list[str] | None = None


class ViolationView(BaseModel):
    id: str
    resource_type: str
    namespace: str
    name: str
    labels: dict[str, str]
    missing_labels: list[str]
    forbidden_labels: list[str]
    invalid_labels: list[Mismatch]
    message: str


class ComplianceResult(BaseModel):
    policy_id: int | None
    policy_name: str
    cluster_id: int | None
    cluster_name: str
    namespace: str | None
    checked: int
    compliant_count: int
    violation_count: int
    score: float = Field(description="percent of checked objects that comply")
    compliant: bool
    violations: list[ViolationView]
    notes: list[str]


def _validate_rules(b: PolicyBody) -> list[Rule]:
    rules = []
    for i, r in enumerate(b.rules):
        where = f"rules[{i}]"
        if not (r.required_labels or r.forbidden_labels or r.label_patterns or r.allowed_values):
            raise ApiError(422, f"{where}: needs required_labels, forbidden_labels, label_patterns or allowed_values")
        for name, keys in (("required_labels", r.required_labels), ("forbidden_labels", r.forbidden_labels),
                           ("label_patterns", list(r.label_patterns)), ("allowed_values", list(r.allowed_values))):
            check_labels(keys, f"{where}.{name}")
        if both := sorted(set(r.required_labels) & set(r.forbidden_labels)):
            raise ApiError(422, f"{where}.forbidden_labels: {', '.join(both)} also required")
        for key, pattern in r.label_patterns.items():
            if err := compile_error(pattern):
                raise ApiError(400, f"{where}.label_patterns.{key}: {err}")
        for key, values in r.allowed_values.items():
            for v in values:
                if err := value_error(v):
                    raise ApiError(400, f"{where}.allowed_values.{key}: {err}")
        rules.append(rule_from_spec({**r.model_dump(), "resource_type": r.resource_type.lower()}))
    if b.remediation is not None:
        check_labels(b.remediation.default_labels, "remediation.default_labels")
        finding = evaluate(rules, b.remediation.default_labels)
        for key in finding.forbidden:
            raise ApiError(422, f"remediation.default_labels.{key}: the policy forbids this label")
        for m in finding.mismatched:
            raise ApiError(422, f"remediation.default_labels.{m['label']}: {m['value']!r} breaks the policy's rules")
    return rules


def _policy_view(cr: Json) -> Json:
    meta, spec, status = cr.get("metadata") or {}, cr.get("spec") or {}, cr.get("status") or {}
    id_label = (meta.get("labels") or {}).get(ID_LABEL, "")
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    remedy = spec.get("remediation")
    rules = [rule_from_spec(r) for r in spec.get("rules") or []]
    return {"id": int(id_label) if id_label.isascii() and id_label.isdigit() else None, "name": meta.get("name", ""),
            "description": spec.get("description"), "enabled": bool(spec.get("enabled", True)),
            "rules": [{"resource_type": r.resource_type, "required_labels": list(r.required),
                       "forbidden_labels": list(r.forbidden), "label_patterns": r.patterns,
                       "allowed_values": {k: list(v) for k, v in r.allowed.items()}} for r in rules],
            "enforcement": spec.get("enforcement", "audit"), "cluster_name": (spec.get("clusterRef") or {}).get("name"),
            "namespaces": spec.get("namespaces") or [], "excluded_namespaces": spec.get("excludedNamespaces") or [],
            "check_interval_seconds": int(spec.get("checkIntervalSeconds") or 300),
            "remediation": {"enabled": bool(remedy.get("enabled", True)),
                            "default_labels": remedy.get("defaultLabels") or {}} if remedy else None,
            "created_at": meta.get("creationTimestamp"),
            "status": {"ready": None if ready is None else ready.get("status") == "True",
                       "reason": ready.get("reason") if ready else None,
                       "compliant_count": status.get("compliantCount"),
                       "violation_count": status.get("violationCount"), "last_check_time": status.get("lastCheckTime")}}


@section.route("POST", "/api/k8s/labels/policies/create", "标签策略管理", verb="create", resource="labelpolicies",
               body=PolicyBody, data=PolicyView)
async def create_policy(call: Call) -> web.Response:
    """A LabelPolicy in the hub with an integer id; the operator checks it on change and on its interval."""
    b: PolicyBody = call.body
    rules = _validate_rules(b)
    app = call.request.app
    spec: Json = {"rules": [rule_to_spec(r) for r in rules], "enabled": b.enabled, "enforcement": b.enforcement,
                  "checkIntervalSeconds": b.check_interval_seconds}
    if b.description is not None:
        spec["description"] = b.description
    if b.cluster_id is not None:
        cluster = ClusterRef.of(await app[REGISTRY].find(str(b.cluster_id)))
        await call.authorize("create", "labels", cluster.name)
        spec["clusterRef"] = {"name": cluster.name}
    if b.namespaces:
        spec["namespaces"] = sorted(set(b.namespaces))
    if b.excluded_namespaces:
        spec["excludedNamespaces"] = sorted(set(b.excluded_namespaces))
    if b.remediation is not None:
        spec["remediation"] = {"enabled": b.remediation.enabled, "defaultLabels": b.remediation.default_labels}
    namespace = app[SETTINGS].namespace
    policies = CustomObjects(app[HUB], LABEL_POLICY, namespace)
    try:
        await policies.get(b.name)
        raise ApiError(409, f"name: label policy {b.name!r} already exists", BusinessCode.VERSION_CONFLICT)
    except NotFound:
        pass
    new_id = await allocate_id(app[HUB], namespace, LABEL_POLICY.plural)
    created = await policies.create({"apiVersion": API_VERSION, "kind": LABEL_POLICY.kind,
                                     "metadata": {"name": b.name, "namespace": namespace,
                                                  "labels": {ID_LABEL: str(new_id)}}, "spec": spec})
    return ok(_policy_view(created))


async def find_policy(call: Call, ref: int | str) -> Json:
    app = call.request.app
    policies = CustomObjects(app[HUB], LABEL_POLICY, app[SETTINGS].namespace)
    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        found = await policies.list(label_selector=f"{ID_LABEL}={int(ref)}")
        if not found:
            raise ApiError(404, f"policy_id: label policy {ref} not found", BusinessCode.RESOURCE_NOT_FOUND)
        return found[0]
    try:
        return await policies.get(str(ref))
    except NotFound:
        raise ApiError(404, f"policy_id: label policy {ref!r} not found", BusinessCode.RESOURCE_NOT_FOUND) from None


def violation_view(cluster: ClusterRef, c: Checked) -> Json:
    return {"id": str(ObjectId(cluster.ref, c.rt.type_name, c.namespace, c.name)), "resource_type": c.rt.type_name,
            "namespace": c.namespace, "name": c.name, "labels": (c.obj.get("metadata") or {}).get("labels") or {},
            "missing_labels": c.finding.missing, "forbidden_labels": c.finding.forbidden,
            "invalid_labels": c.finding.mismatched, "message": c.finding.message()}


@section.route("POST", "/api/k8s/labels/compliance/check", "标签合规性检查", verb="get", subresource="labels",
               body=ComplianceBody, data=ComplianceResult, cluster="param")
async def check_compliance(call: Call) -> web.Response:
    """Reads only: every violating object with what is missing, forbidden or not matching, and a score."""
    b: ComplianceBody = call.body
    policy = await find_policy(call, b.policy_id)
    await call.authorize("get", "", policy["metadata"]["name"], LABEL_POLICY.plural)
    spec = policy.get("spec") or {}
    rules = [rule_from_spec(r) for r in spec.get("rules") or []]
    session = await call.request.app[ACCESS].session(call.cluster)
    namespaces = [b.namespace] if b.namespace else (spec.get("namespaces") or None)
    report = await check_cluster(session, rules, namespaces=namespaces, excluded=spec.get("excludedNamespaces"),
                                 types=b.resource_types)
    view = _policy_view(policy)
    return ok({"policy_id": view["id"], "policy_name": view["name"], "cluster_id": call.cluster.id,
               "cluster_name": call.cluster.name, "namespace": b.namespace,
               **summary(report.checked, len(report.violations)),
               "violations": [violation_view(call.cluster, c) for c in report.violations], "notes": report.notes})
