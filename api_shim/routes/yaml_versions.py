"""YAML 版本管理 API, 1. YAML 版本控制: version history, diff, rollback, compare and tags (1.1–1.5).

Versions are recorded by the operator for objects labelled cloudops.io/versioned=true in members, and
here after a rollback. `{resource_id}` is an object id (or a bare name with cluster_id, resource_type
and namespace); the handler resolves its cluster and authorizes capability `versions` on it.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, BusinessCode, ok
from api_shim.security.middleware import USER
from api_shim.state import ACCESS, HUB, SETTINGS
from cloudops.conditions import now_iso
from cloudops.diff import diff, normalize, summarize
from cloudops.kube.errors import Conflict
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import ObjectId, valid_name
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.services.common import NAMESPACE_PATTERN as NAMESPACE
from cloudops.services.common import RESOURCE_TYPE_PATTERN as RESOURCE_TYPE
from cloudops.services.common import ClusterRefItem, PageInfo, PageQuery
from cloudops.versions.content import fingerprint
from cloudops.versions.store import Subject, VersionTooLarge, content_of, history, record, set_tag

__all__ = ["section"]

section = Section(tag="yaml-versions", resource="managedclusters")

TAG = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
VersionRef = int | str


class Where(BaseModel):
    """For a bare-name resource_id: where the object is. A full object id needs none of these."""

    model_config = ConfigDict(extra="forbid")
    resource_type: str | None = Field(None, pattern=RESOURCE_TYPE, max_length=253,
                                      description="资源类型 (deployment, service, configmap, ...)")
    cluster_id: ClusterRefItem | None = Field(None, description="cluster id or name; optional with one cluster")
    namespace: str | None = Field(None, pattern=NAMESPACE, max_length=63)


class ListQuery(PageQuery, Where):
    model_config = ConfigDict(extra="forbid")
    branch: str | None = Field(None, max_length=253, description="分支名称")


class DiffQuery(Where):
    version1: str = Field(min_length=1, max_length=128, description="id, v<N>, tag, or current (the live object)")
    version2: str = Field("current", min_length=1, max_length=128)


class CompareBody(Where):
    version1: VersionRef = Field(description="id, v<N>, tag, or current")
    version2: VersionRef = Field("current")
    include_metadata: bool = Field(True, description="labels and annotations count as differences")


class RollbackBody(Where):
    version_id: VersionRef = Field(description="id (or v<N>, or a tag) of the version to return to")
    reason: str = Field("", max_length=1024)
    notify_users: list[str] = Field(default_factory=list, max_length=50)


class TagBody(Where):
    version_id: VersionRef
    tag: str = Field(pattern=TAG, max_length=128)
    description: str = Field("", max_length=1024)


class VersionItem(BaseModel):
    id: int
    version: str
    change_log: str
    created_by: str
    created_at: str | None
    tags: list[str]
    is_current: bool
    branch: str


class VersionList(PageInfo):
    resource_id: str
    versions: list[VersionItem]


class DiffEntry(BaseModel):
    type: Literal["added", "modified", "deleted"]
    path: str
    old_value: Any
    new_value: Any


class DiffSummary(BaseModel):
    added: int
    modified: int
    deleted: int


class DiffResult(BaseModel):
    resource_id: str
    version1: str
    version2: str
    diff: list[DiffEntry]
    summary: DiffSummary


class RollbackResult(BaseModel):
    resource_id: str
    rolled_back_to: VersionItem
    new_version: VersionItem | None = Field(description="null when the object already matched that version")
    notified_users: list[str]


class TagResult(VersionItem):
    tag_descriptions: dict[str, str]


# -- helpers -----------------------------------------------------------------------------------------------------


async def _cluster(call: Call, ref: str | int | None, verb: str, where: str) -> ClusterRef:
    return await call.resolve(ref, verb, "versions", where)


async def _subject(call: Call, where: Where, verb: str) -> tuple[Subject, MemberSession, ResourceType]:
    raw = call.path("resource_id")
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise ApiError(400, f"resource_id: {e}") from None
        cluster = await _cluster(call, oid.cluster, verb, "resource_id")
        type_name, namespace, name = oid.type, oid.namespace, oid.name
    else:
        if not valid_name(raw):
            raise ApiError(400, "resource_id: neither <cluster id>:<type>:<namespace>:<name> nor an object name")
        if where.resource_type is None:
            raise ApiError(400, "resource_type: required when resource_id is a bare name")
        cluster = await _cluster(call, where.cluster_id, verb, "cluster_id")
        type_name, namespace, name = where.resource_type, where.namespace or "", raw
    session = await call.request.app[ACCESS].session(cluster)
    rt = await session.resolve(type_name)
    if rt.namespaced and not namespace:
        raise ApiError(400, f"namespace: {rt.kind} is namespaced; give the namespace (or a full resource_id)")
    subject = Subject(cluster.name, cluster.ref, rt.group, rt.api_version, rt.plural, rt.type_name,
                      namespace if rt.namespaced else "", name)
    return subject, session, rt


async def _versions(call: Call, subject: Subject) -> list[dict[str, Any]]:
    app = call.request.app
    return await history(app[HUB], app[SETTINGS].namespace, subject)


async def _live(session: MemberSession, rt: ResourceType, subject: Subject) -> dict[str, Any] | None:
    try:
        return await session.get(rt, subject.namespace or None, subject.name)
    except MemberError as e:
        if e.status == 404:
            return None
        raise


def _find(versions: list[dict[str, Any]], ref: VersionRef, field: str) -> dict[str, Any]:
    text = str(ref)
    for v in versions:
        spec = v["spec"]
        if text == str(spec["number"]) or text == spec.get("version") or text in (spec.get("tags") or []):
            return v
    raise ApiError(404, f"{field}: no version {text!r} of this resource", BusinessCode.RESOURCE_NOT_FOUND)


def _stored(v: dict[str, Any], field: str) -> dict[str, Any]:
    """A version's object; a damaged one (edited in the hub) is 422 naming the field, never a 500."""
    try:
        return content_of(v)
    except (ValueError, OSError, EOFError):
        raise ApiError(422, f"{field}: version {v['spec'].get('version')} is stored damaged and cannot be read") \
            from None


def _item(v: dict[str, Any], live_digest: str | None) -> dict[str, Any]:
    spec = v["spec"]
    return {"id": int(spec["number"]), "version": spec.get("version") or f"v{spec['number']}",
            "change_log": spec.get("changeLog", ""), "created_by": spec.get("createdBy", ""),
            "created_at": v["metadata"].get("creationTimestamp"), "tags": list(spec.get("tags") or []),
            "is_current": live_digest is not None and spec.get("sha256") == live_digest,
            "branch": spec.get("branch") or "main"}


async def _content(versions: list[dict[str, Any]], ref: VersionRef, field: str, session: MemberSession,
                   rt: ResourceType, subject: Subject) -> tuple[str, dict[str, Any]]:
    if str(ref) == "current":
        live = await _live(session, rt, subject)
        if live is None:
            raise ApiError(404, f"{field}: the resource no longer exists", BusinessCode.RESOURCE_NOT_FOUND)
        return "current", normalize(live)
    v = _find(versions, ref, field)
    return str(v["spec"].get("version")), _stored(v, field)


async def _difference(call: Call, where: Where, ref1: VersionRef, ref2: VersionRef,
                      include_metadata: bool) -> dict[str, Any]:
    subject, session, rt = await _subject(call, where, "get")
    versions = await _versions(call, subject)
    name1, old = await _content(versions, ref1, "version1", session, rt, subject)
    name2, new = await _content(versions, ref2, "version2", session, rt, subject)
    changes = diff(normalize(old, include_metadata=include_metadata), normalize(new, include_metadata=include_metadata))
    counts = summarize(changes)
    return {"resource_id": subject.resource_id, "version1": name1, "version2": name2,
            "diff": [c.to_dict() for c in changes],
            "summary": {k: counts[k] for k in ("added", "modified", "deleted")}}


# -- handlers ----------------------------------------------------------------------------------------------------


@section.route("GET", "/api/k8s/yaml/versions/{resource_id}", "获取版本列表", verb="list", subresource="versions",
               query=ListQuery, data=VersionList)
async def list_versions(call: Call) -> web.Response:
    """Newest first; is_current marks the version the live object matches."""
    q: ListQuery = call.query
    subject, session, rt = await _subject(call, q, "list")
    versions = await _versions(call, subject)
    live = await _live(session, rt, subject)
    digest = fingerprint(live) if live is not None else None
    items = [_item(v, digest) for v in reversed(versions) if q.branch is None or v["spec"].get("branch") == q.branch]
    listed = page(items, q.limit, q.offset)
    return ok({"resource_id": subject.resource_id, "versions": listed.pop("items"), **listed})


@section.route("GET", "/api/k8s/yaml/versions/{resource_id}/diff", "查看版本差异", verb="get",
               subresource="versions", query=DiffQuery, data=DiffResult)
async def diff_versions(call: Call) -> web.Response:
    q: DiffQuery = call.query
    return ok(await _difference(call, q, q.version1, q.version2, True))


@section.route("POST", "/api/k8s/yaml/versions/{resource_id}/compare", "比较两个版本", verb="get",
               subresource="versions", body=CompareBody, data=DiffResult)
async def compare_versions(call: Call) -> web.Response:
    b: CompareBody = call.body
    return ok(await _difference(call, b, b.version1, b.version2, b.include_metadata))


@section.route("POST", "/api/k8s/yaml/versions/{resource_id}/rollback", "回滚到指定版本", verb="update",
               subresource="versions", body=RollbackBody, data=RollbackResult)
async def rollback(call: Call) -> web.Response:
    """The member's server-side dry run first (422 with its message, nothing changed), then the write; the
    result is a new version. notify_users get a Kubernetes Event on the object (and the audit log)."""
    b: RollbackBody = call.body
    subject, session, rt = await _subject(call, b, "update")
    versions = await _versions(call, subject)
    target = _find(versions, b.version_id, "version_id")
    body = _stored(target, "version_id")
    ns = subject.namespace or None
    live = await _live(session, rt, subject)
    if live is None:
        await session.create(rt, ns, body, dry_run=True)
        written = await session.create(rt, ns, body)
    else:
        body.setdefault("metadata", {})["resourceVersion"] = (live.get("metadata") or {}).get("resourceVersion")
        await session.replace(rt, ns, subject.name, body, dry_run=True)
        written = await session.replace(rt, ns, subject.name, body)
    user = call.request[USER].name
    label = target["spec"].get("version")
    log = f"Rollback to {label}" + (f": {b.reason}" if b.reason else "")
    app = call.request.app
    try:
        new = await record(app[HUB], app[SETTINGS].namespace, subject, written, user, log,
                           app[SETTINGS].version_limit)
    except VersionTooLarge as e:
        raise ApiError(422, f"version_id: rolled back, but the new version cannot be stored: {e}") from None
    if b.notify_users:
        await _notify(session, written, rt, f"{user} rolled back to {label}" + (f": {b.reason}" if b.reason else "")
                      + f"; notify: {', '.join(b.notify_users)}")
    digest = fingerprint(written)
    return ok({"resource_id": subject.resource_id, "rolled_back_to": _item(target, digest),
               "new_version": _item(new, digest) if new else None, "notified_users": b.notify_users})


async def _notify(session: MemberSession, obj: dict[str, Any], rt: ResourceType, message: str) -> None:
    meta = obj.get("metadata") or {}
    now, namespace = now_iso(), meta.get("namespace") or "default"
    event = {"apiVersion": "v1", "kind": "Event",
             "metadata": {"generateName": f"{meta.get('name', 'object')[:200]}.rollback-",
                          "namespace": namespace},
             "involvedObject": {"apiVersion": rt.api_version, "kind": rt.kind, "name": meta.get("name"),
                                "namespace": meta.get("namespace"), "uid": meta.get("uid")},
             "reason": "Rollback", "message": message[:1024], "type": "Normal", "count": 1,
             "firstTimestamp": now, "lastTimestamp": now, "source": {"component": "cloudops"}}
    await session.create(await session.resolve("events"), namespace, event)


@section.route("POST", "/api/k8s/yaml/versions/{resource_id}/tag", "添加版本标签", verb="create",
               subresource="versions", body=TagBody, data=TagResult)
async def tag_version(call: Call) -> web.Response:
    """A tag is unique per resource: 409 when another version holds it. Tagged versions outlive retention."""
    b: TagBody = call.body
    subject, session, rt = await _subject(call, b, "create")
    versions = await _versions(call, subject)
    target = _find(versions, b.version_id, "version_id")
    app = call.request.app
    try:
        tagged = await set_tag(app[HUB], app[SETTINGS].namespace, versions, target, b.tag, b.description)
    except Conflict as e:
        raise ApiError(409, f"tag: {e.message}", BusinessCode.VERSION_CONFLICT) from None
    live = await _live(session, rt, subject)
    item = _item(tagged, fingerprint(live) if live is not None else None)
    return ok({**item, "tag_descriptions": dict(tagged["spec"].get("tagDescriptions") or {})})
