"""The request context: resolve each endpoint's cluster(s) once, then authorize per cluster and capability.

Authorization is a SubjectAccessReview on the hub: group cloudops.io, resource managedclusters, the
cluster's name, the endpoint's verb and a subresource naming the capability (`resources`, `crds`, ...), so
one RBAC rule with resourceNames can grant one capability on one cluster. Handlers get a Target and never
look clusters up again; no route module needs another's helpers.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api_shim.endpoints import Endpoint, Target
from api_shim.envelope import ApiError, BusinessCode
from api_shim.security.authz import Attributes
from api_shim.security.middleware import USER
from api_shim.state import AUTHZ, HUB, REGISTRY, SETTINGS
from api_shim.versioning import VersionRecorder
from cloudops.containers.ids import ContainerId
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef
from cloudops.members.objects import CLUSTER_REF, ObjectId, valid_name
from cloudops.members.writes import observe

__all__ = ["authorize", "cluster_ref_error", "prepare"]



def cluster_ref_error(ref: str) -> str | None:
    """Why `ref` cannot name a cluster (an integer id or a DNS-1123 label), or None."""
    if len(ref) > 63 or not CLUSTER_REF.fullmatch(ref):
        return f"{ref[:80]!r} is not a cluster id (digits) or name (DNS label)"
    return None


async def authorize(request: web.Request, verb: str, subresource: str, name: str,
                    resource: str = "managedclusters") -> None:
    """403/1003 naming user, verb, capability and cluster unless the hub's RBAC allows it."""
    user = request[USER]
    attrs = Attributes(verb, resource, request.app[SETTINGS].namespace, subresource, name)
    allowed, reason = await request.app[AUTHZ].allowed(user, attrs)
    if not allowed:
        detail = f"user {user.name!r} cannot {attrs.describe()}" + (f": {reason}" if reason else "")
        raise ApiError(403, detail, BusinessCode.PERMISSION_DENIED)


async def _may(request: web.Request, ep: Endpoint, name: str) -> bool:
    attrs = Attributes(ep.verb, ep.resource, request.app[SETTINGS].namespace, ep.subresource, name)
    return (await request.app[AUTHZ].allowed(request[USER], attrs))[0]


async def _resolve(request: web.Request, ep: Endpoint, ref: str, where: str) -> ClusterRef:
    """The cluster `ref` names, authorized; an unknown one is 404 only after the caller passed RBAC for it."""
    if err := cluster_ref_error(ref):
        await authorize(request, ep.verb, ep.subresource, "", ep.resource)
        raise ApiError(400, f"{where}: {err}")
    try:
        cluster = ClusterRef.of(await request.app[REGISTRY].find(ref))
    except NotFound:
        await authorize(request, ep.verb, ep.subresource, "" if ref.isdigit() else ref, ep.resource)
        raise ApiError(404, f"{where}: cluster {ref!r} not found", BusinessCode.RESOURCE_NOT_FOUND) from None
    await authorize(request, ep.verb, ep.subresource, cluster.name, ep.resource)
    return cluster


def _param(query: Any, body: Any, name: str) -> Any:
    for source in (query, body):
        value = getattr(source, name, None)
        if value is not None and value != "":
            return value
    return None


async def _single(request: web.Request, ep: Endpoint, query: Any, body: Any) -> ClusterRef:
    ref = _param(query, body, "cluster_id")
    if ref is not None:
        return await _resolve(request, ep, str(ref), "cluster_id")
    clusters = await request.app[REGISTRY].all()
    if len(clusters) == 1:
        only = ClusterRef.of(clusters[0])
        await authorize(request, ep.verb, ep.subresource, only.name, ep.resource)
        return only
    await authorize(request, ep.verb, ep.subresource, "", ep.resource)
    if not clusters:
        raise ApiError(404, "cluster_id: no clusters are registered", BusinessCode.RESOURCE_NOT_FOUND)
    raise ApiError(400, f"cluster_id: required when more than one cluster is registered ({len(clusters)} are)")


def _refs(raw: Any) -> list[str] | None:
    if raw is None:
        return None
    parts = raw.split(",") if isinstance(raw, str) else [str(r) for r in raw]
    refs = [p.strip() for p in parts]
    if not refs or any(not r for r in refs):
        raise ApiError(400, "cluster_ids: an empty entry; give ids or names separated by commas")
    return list(dict.fromkeys(refs))


async def _many(request: web.Request, ep: Endpoint, query: Any, body: Any) -> Target:
    """Named clusters must pass RBAC each; names that do not exist are reported by the handler (404 when
    none exists). Without `cluster_ids`: every cluster the caller may use, the others silently left out."""
    refs = _refs(_param(query, body, "cluster_ids"))
    registry = request.app[REGISTRY]
    if refs is None:
        clusters = [ClusterRef.of(cr) for cr in await registry.all()]
        allowed = [c for c in clusters if await _may(request, ep, c.name)]
        if clusters and not allowed:
            await authorize(request, ep.verb, ep.subresource, "", ep.resource)
        return Target(clusters=tuple(sorted(allowed, key=lambda c: (c.id if c.id is not None else 1 << 62, c.name))))
    for ref in refs:
        if err := cluster_ref_error(ref):
            raise ApiError(400, f"cluster_ids: {err}")
    found = await registry.find_many(refs)
    missing = [r for r, c in zip(refs, found, strict=True) if isinstance(c, NotFound)]
    clusters = [ClusterRef.of(c) for c in found if not isinstance(c, NotFound)]
    for c in clusters:
        await authorize(request, ep.verb, ep.subresource, c.name, ep.resource)
    if not clusters:
        await authorize(request, ep.verb, ep.subresource, "", ep.resource)
        raise ApiError(404, f"cluster_ids: no such clusters: {', '.join(missing)}", BusinessCode.RESOURCE_NOT_FOUND)
    return Target(clusters=tuple(clusters), missing=tuple(missing))


async def _object(request: web.Request, ep: Endpoint, query: Any, body: Any) -> Target:
    """`{id}` (or `{resource_id}`): a full object id, or a bare name with resource_type (query, body or
    path), namespace and cluster_id."""
    raw = request.match_info.get("id") or request.match_info.get("resource_id", "")
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise ApiError(400, f"id: {e}") from None
        cluster = await _resolve(request, ep, oid.cluster, "id")
        return Target(cluster=cluster, object_id=ObjectId(cluster.ref, oid.type, oid.namespace, oid.name))
    if not valid_name(raw):
        raise ApiError(400, f"id: {raw[:80]!r} is neither <cluster id>:<type>:<namespace>:<name> nor an object name")
    kind = _param(query, body, "resource_type") or request.match_info.get("resource_type")
    if kind is None:
        raise ApiError(400, "resource_type: required when {id} is a bare name")
    namespace = _param(query, body, "namespace") or ""
    cluster = await _single(request, ep, query, body)
    return Target(cluster=cluster, object_id=ObjectId(cluster.ref, str(kind).lower(), namespace, raw))


async def prepare(request: web.Request, ep: Endpoint, query: Any, body: Any) -> Target:
    target = await _target(request, ep, query, body)
    clusters = [*target.clusters, *([target.cluster] if target.cluster else [])]
    if clusters and ep.verb in ("create", "update", "delete"):
        # Awaited in the request's own task, so the observer holds for this request's writes only.
        settings, user = request.app[SETTINGS], request.get(USER)
        observe(VersionRecorder(request.app[HUB], settings.namespace, settings.version_limit,
                                user.name if user else "unknown", clusters))
    return target


async def _target(request: web.Request, ep: Endpoint, query: Any, body: Any) -> Target:
    mode = ep.cluster
    if mode == "path":
        return Target(cluster=await _resolve(request, ep, request.match_info.get("id", ""), "id"))
    if mode == "param":
        return Target(cluster=await _single(request, ep, query, body))
    if mode == "many":
        return await _many(request, ep, query, body)
    if mode == "object":
        return await _object(request, ep, query, body)
    if mode == "container":
        try:
            cid = ContainerId.parse(request.match_info.get("id", ""))
        except ValueError as e:
            await authorize(request, ep.verb, ep.subresource, "", ep.resource)
            raise ApiError(400, f"id: {e}") from None
        return Target(cluster=await _resolve(request, ep, cid.cluster, "id"))
    await authorize(request, ep.verb, ep.subresource, "", ep.resource)
    return Target()
