"""Cluster resolution and authorization for one caller: the one place a reference becomes a ClusterRef.

Authorization is a SubjectAccessReview on the hub: group cloudops.io, resource managedclusters, the
cluster's name, the verb and a subresource naming the capability (`resources`, `crds`, ...), so one RBAC
rule with resourceNames can grant one capability on one cluster. Clusters come from the registry's watch
cache (no hub LIST per request). REST endpoints (through `prepare`) and MCP tools use the same resolver;
a caller learns that a cluster does not exist only after passing RBAC for its name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from api_shim.context import Target
from api_shim.envelope import ApiError, BusinessCode
from api_shim.security.authz import Attributes
from api_shim.security.identity import User
from api_shim.security.middleware import USER
from api_shim.state import AUTHZ, HUB, REGISTRY, SETTINGS
from api_shim.versioning import VersionRecorder
from cloudops.containers.ids import ContainerId
from cloudops.id_forms import integer_id_message, is_integer_id
from cloudops.kube.errors import NotFound
from cloudops.members.access import ClusterRef
from cloudops.members.objects import CLUSTER_REF, ObjectId, valid_name
from cloudops.members.writes import observe
from cloudops.services.aliases import Aliased

if TYPE_CHECKING:
    from api_shim.endpoints import Endpoint

__all__ = ["Resolver", "cluster_ref_error", "prepare"]

Grant = tuple[str, str]  # (verb, capability)
CLUSTERS = "managedclusters"


def cluster_ref_error(ref: str) -> str | None:
    """Why `ref` cannot name a cluster (an integer id or a DNS-1123 label), or None."""
    if len(ref) > 63 or not CLUSTER_REF.fullmatch(ref):
        return f"{ref[:80]!r} is not a cluster id (digits) or name (DNS label)"
    return None


class Resolver:
    """Resolves and authorizes clusters for `user`; every refusal is the API's error envelope."""

    def __init__(self, app: web.Application, user: User) -> None:
        self.app, self.user = app, user

    async def authorize(self, verb: str, capability: str, name: str, resource: str = CLUSTERS) -> None:
        """403/1003 naming user, verb, capability and cluster unless the hub's RBAC allows it."""
        attrs = Attributes(verb, resource, self.app[SETTINGS].namespace, capability, name)
        allowed, reason = await self.app[AUTHZ].allowed(self.user, attrs)
        if not allowed:
            detail = f"user {self.user.name!r} cannot {attrs.describe()}" + (f": {reason}" if reason else "")
            raise ApiError(403, detail, BusinessCode.PERMISSION_DENIED)

    async def authorize_all(self, grants: Sequence[Grant], name: str, resource: str = CLUSTERS) -> None:
        for verb, capability in grants:
            await self.authorize(verb, capability, name, resource)

    async def may(self, grants: Sequence[Grant], name: str, resource: str = CLUSTERS) -> bool:
        namespace = self.app[SETTINGS].namespace
        for verb, capability in grants:
            attrs = Attributes(verb, resource, namespace, capability, name)
            if not (await self.app[AUTHZ].allowed(self.user, attrs))[0]:
                return False
        return True

    async def named(self, ref: str, grants: Sequence[Grant], where: str, resource: str = CLUSTERS) -> ClusterRef:
        """The cluster `ref` names, authorized; 400 for a malformed ref, 404 for an unknown one after RBAC."""
        if err := cluster_ref_error(ref):
            await self.authorize_all(grants, "", resource)
            raise ApiError(400, f"{where}: {err}")
        try:
            cluster = ClusterRef.of(await self.app[REGISTRY].find(ref))
        except NotFound:
            await self.authorize_all(grants, "" if ref.isdigit() else ref, resource)
            raise ApiError(404, f"{where}: cluster {ref!r} not found", BusinessCode.RESOURCE_NOT_FOUND) from None
        await self.authorize_all(grants, cluster.name, resource)
        return cluster

    async def one(self, ref: str | None, grants: Sequence[Grant], where: str,
                  resource: str = CLUSTERS) -> ClusterRef:
        """The cluster `ref` names, or the only registered one when `ref` is None."""
        if ref is not None and ref != "":
            return await self.named(str(ref), grants, where, resource)
        clusters = await self.app[REGISTRY].all()
        if len(clusters) == 1:
            only = ClusterRef.of(clusters[0])
            await self.authorize_all(grants, only.name, resource)
            return only
        await self.authorize_all(grants, "", resource)
        if not clusters:
            raise ApiError(404, f"{where}: no clusters are registered", BusinessCode.RESOURCE_NOT_FOUND)
        raise ApiError(400, f"{where}: required when more than one cluster is registered ({len(clusters)} are)")

    async def many(self, refs: list[str] | None, grants: Sequence[Grant], where: str,
                   resource: str = CLUSTERS) -> Target:
        """Named clusters must pass RBAC each; names that do not exist are reported as `missing` (404 when
        none exists). Without refs: every cluster the caller may use, the others silently left out."""
        registry = self.app[REGISTRY]
        if refs is None:
            clusters = [ClusterRef.of(cr) for cr in await registry.all()]
            allowed = [c for c in clusters if await self.may(grants, c.name, resource)]
            if clusters and not allowed:
                await self.authorize_all(grants, "", resource)
            return Target(clusters=tuple(sorted(allowed, key=_order)))
        for ref in refs:
            if err := cluster_ref_error(ref):
                raise ApiError(400, f"{where}: {err}")
        found = await registry.find_many(refs)
        missing = [r for r, c in zip(refs, found, strict=True) if isinstance(c, NotFound)]
        named = [ClusterRef.of(c) for c in found if not isinstance(c, NotFound)]
        for c in named:
            await self.authorize_all(grants, c.name, resource)
        if not named:
            await self.authorize_all(grants, "", resource)
            raise ApiError(404, f"{where}: no such clusters: {', '.join(missing)}", BusinessCode.RESOURCE_NOT_FOUND)
        return Target(clusters=tuple(named), missing=tuple(missing))


def _order(c: ClusterRef) -> tuple[int, str]:
    return (c.id if c.id is not None else 1 << 62, c.name)


def _param(query: Any, body: Any, name: str) -> Any:
    for source in (query, body):
        value = getattr(source, name, None)
        if value is not None and value != "":
            return value
    return None


def _sent(query: Any, body: Any, name: str) -> str:
    """The name the caller sent `name` under, where a sibling's alias is accepted (cloudops/services/aliases.py)."""
    for source in (query, body):
        if getattr(source, name, None) not in (None, ""):
            return source.sent(name) if isinstance(source, Aliased) else name
    return name


def _refs(raw: Any) -> list[str] | None:
    if raw is None:
        return None
    parts = raw.split(",") if isinstance(raw, str) else [str(r) for r in raw]
    refs = [p.strip() for p in parts]
    if not refs or any(not r for r in refs):
        raise ApiError(400, "cluster_ids: an empty entry; give ids or names separated by commas")
    return list(dict.fromkeys(refs))


async def _object(request: web.Request, r: Resolver, grants: Sequence[Grant], resource: str,
                  query: Any, body: Any) -> Target:
    """`{id}` (or `{resource_id}`): a full object id, or a bare name with resource_type (query, body or
    path), namespace and cluster_id."""
    raw = request.match_info.get("id") or request.match_info.get("resource_id", "")
    if is_integer_id(raw):  # the reference's integer: objects inside members have none (cloudops/id_forms.py)
        kind = _param(query, body, "resource_type") or request.match_info.get("resource_type")
        raise ApiError(400, f"{'id' if 'id' in request.match_info else 'resource_id'}: "
                            f"{integer_id_message(raw, None if kind is None else str(kind).lower())}")
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise ApiError(400, f"id: {e}") from None
        cluster = await r.named(oid.cluster, grants, "id", resource)
        return Target(cluster=cluster, object_id=ObjectId(cluster.ref, oid.type, oid.namespace, oid.name))
    if not valid_name(raw):
        raise ApiError(400, f"id: {raw[:80]!r} is neither <cluster id>:<type>:<namespace>:<name> nor an object name")
    kind = _param(query, body, "resource_type") or request.match_info.get("resource_type")
    if kind is None:
        raise ApiError(400, "resource_type: required when {id} is a bare name")
    namespace = _param(query, body, "namespace") or ""
    ref = _param(query, body, "cluster_id")
    cluster = await r.one(None if ref is None else str(ref), grants, "cluster_id", resource)
    return Target(cluster=cluster, object_id=ObjectId(cluster.ref, str(kind).lower(), namespace, raw))


def _path_object(request: web.Request) -> tuple[str, ObjectId] | None:
    """The path parameter (`name`, `resource_name`) holding a well-formed object id, with the id."""
    for param in ("name", "resource_name"):
        raw = request.match_info.get(param, "")
        if ObjectId.looks_like(raw):
            try:
                return param, ObjectId.parse(raw)
            except ValueError:
                return None  # the service says what is wrong with it, naming the parameter
    return None


async def _container(request: web.Request, r: Resolver, grants: Sequence[Grant], resource: str) -> Target:
    try:
        cid = ContainerId.parse(request.match_info.get("id", ""))
    except ValueError as e:
        await r.authorize_all(grants, "", resource)
        raise ApiError(400, f"id: {e}") from None
    return Target(cluster=await r.named(cid.cluster, grants, "id", resource), container_id=cid)


async def _target(request: web.Request, ep: Endpoint, query: Any, body: Any) -> Target:
    r, grants, resource = Resolver(request.app, request[USER]), [(ep.verb, ep.subresource)], ep.resource
    mode = ep.cluster
    if mode == "path":
        return Target(cluster=await r.named(request.match_info.get("id", ""), grants, "id", resource))
    if mode == "param":
        # An object id in the path names its cluster, as in mode "object": cluster_id completes a bare name.
        if (named := _path_object(request)) is not None:
            return Target(cluster=await r.named(named[1].cluster, grants, named[0], resource))
        ref = _param(query, body, "cluster_id")
        where = _sent(query, body, "cluster_id")
        return Target(cluster=await r.one(None if ref is None else str(ref), grants, where, resource))
    if mode == "many":
        return await r.many(_refs(_param(query, body, "cluster_ids")), grants, _sent(query, body, "cluster_ids"),
                            resource)
    if mode == "object":
        return await _object(request, r, grants, resource, query, body)
    if mode == "container":
        return await _container(request, r, grants, resource)
    if mode == "caller":  # about the caller itself (whoami): any authenticated caller may ask
        return Target()
    await r.authorize_all(grants, "", resource)
    return Target()


async def prepare(request: web.Request, ep: Endpoint, query: Any, body: Any) -> Target:
    """Resolve and authorize the endpoint's cluster(s) once; writes through it are recorded as versions."""
    target = await _target(request, ep, query, body)
    clusters = [*target.clusters, *([target.cluster] if target.cluster else [])]
    if clusters and ep.verb in ("create", "update", "delete"):
        # Awaited in the request's own task, so the observer holds for this request's writes only.
        settings, user = request.app[SETTINGS], request.get(USER)
        observe(VersionRecorder(request.app[HUB], settings.namespace, settings.version_limit,
                                user.name if user else "unknown", clusters))
    return target
