"""The request context: the only way a handler reaches anything.

`Call` carries the validated query and body, the caller, and what `api_shim.resolver.prepare` resolved and
authorized once (the cluster or clusters, an object id, a container id). Services come from `service()`
with the app's hub client, registry and member access; a handler never reads app state itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from aiohttp import web

from api_shim.security.identity import USER, User
from api_shim.state import ACCESS, HUB, REGISTRY, SETTINGS
from cloudops.conditions import now_iso
from cloudops.containers.ids import ContainerId
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession
from cloudops.services.base import Deps, Service
from cloudops.settings import Settings

__all__ = ["Call", "Target"]

S = TypeVar("S", bound=Service)


@dataclass(frozen=True)
class Target:
    """What the request context resolved (once) and authorized: the cluster(s) and, for object routes, the id."""

    cluster: ClusterRef | None = None
    clusters: tuple[ClusterRef, ...] = ()
    object_id: ObjectId | None = None
    missing: tuple[str, ...] = ()  # named in cluster_ids but not registered
    container_id: ContainerId | None = None


@dataclass(frozen=True)
class Call:
    """What a handler gets: the request, its validated query and body, the caller and the resolved target."""

    request: web.Request
    query: Any
    body: Any
    target: Target = Target()

    def path(self, name: str) -> str:
        return self.request.match_info[name]

    @property
    def app(self) -> web.Application:
        return self.request.app

    @property
    def settings(self) -> Settings:
        return self.request.app[SETTINGS]

    @property
    def user(self) -> User | None:
        return self.request.get(USER)

    @property
    def actor(self) -> str:
        """The caller's name as history and events record it."""
        user = self.user
        return user.name if user else "unknown"

    @property
    def cluster(self) -> ClusterRef:
        if self.target.cluster is None:
            raise RuntimeError("this endpoint declares no single cluster")
        return self.target.cluster

    @property
    def clusters(self) -> tuple[ClusterRef, ...]:
        return self.target.clusters

    @property
    def object_id(self) -> ObjectId:
        if self.target.object_id is None:
            raise RuntimeError("this endpoint declares no object id")
        return self.target.object_id

    @property
    def container_id(self) -> ContainerId:
        if self.target.container_id is None:
            raise RuntimeError("this endpoint declares no container id")
        return self.target.container_id

    @cached_property
    def deps(self) -> Deps:
        app = self.request.app
        return Deps(app[HUB], app[SETTINGS], app[REGISTRY], app[ACCESS], self.actor)

    def service(self, cls: type[S]) -> S:
        """A section's service for this call (cloudops.services)."""
        return cls(self.deps)

    async def member(self, cluster: ClusterRef | None = None) -> MemberSession:
        """A session with the resolved cluster (or `cluster`): the one MemberAccess of the app."""
        return await self.request.app[ACCESS].session(cluster or self.cluster)

    async def resolve(self, ref: str | int | None, verb: str, capability: str, where: str) -> ClusterRef:
        """A cluster named inside the request's data (a resource id in a body, a stored backup's source),
        resolved and authorized like the endpoint's own: the only one when `ref` is None."""
        from api_shim.resolver import Resolver  # the resolver builds Targets: imported late, no circle

        user = self.user
        if user is None:
            raise RuntimeError("resolve() needs an authenticated caller")
        return await Resolver(self.request.app, user).one(None if ref is None else str(ref),
                                                          [(verb, capability)], where)

    async def authorize(self, verb: str, capability: str, name: str, resource: str = "managedclusters") -> None:
        """403/1003 unless the caller may `verb` the `capability` of cluster `name` (a check inside the data)."""
        from api_shim.resolver import Resolver

        user = self.user
        if user is None:
            raise RuntimeError("authorize() needs an authenticated caller")
        await Resolver(self.request.app, user).authorize(verb, capability, name, resource)

    async def may(self, verb: str, capability: str, name: str, resource: str = "managedclusters") -> bool:
        """Whether the caller may `verb` the `capability` of cluster `name` ("": every cluster), asked as a call
        would be authorized, without refusing."""
        from api_shim.resolver import Resolver

        user = self.user
        if user is None:
            raise RuntimeError("may() needs an authenticated caller")
        return await Resolver(self.request.app, user).may([(verb, capability)], name, resource)

    @property
    def groups(self) -> tuple[str, ...]:
        """The caller's groups, as authorization sees them."""
        user = self.user
        return user.groups if user else ()

    def audit(self, route: str, subresource: str, operation: str, status: int, params: Mapping[str, object]) -> None:
        """One more audit record beside the request's own: a change made on the caller's behalf (auto-fix)."""
        from api_shim.security.audit import AuditRecord, caller, redact_params
        from api_shim.state import AUDIT, PROXIES

        user, request = self.user, self.request
        ip = request.app[PROXIES].client(request.remote, request.headers.getall("X-Forwarded-For", []))
        request.app[AUDIT].write(AuditRecord(
            time=now_iso(), **{**caller(user), "user": self.actor}, operation=operation, route=route,
            resource={"group": "cloudops.io", "resource": "managedclusters", "subresource": subresource,
                      "name": self.cluster.name, "namespace": self.settings.namespace},
            client_ip=ip, status=status, code=None, latency_ms=0.0, params=redact_params(dict(params))))
