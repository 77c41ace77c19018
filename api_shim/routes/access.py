"""Who am I and what may I do (outside the API reference, for the web console and scripts): the caller's
name, groups and, per capability, the verbs RBAC allows, so a viewer's console shows no write action."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.access import AccessService
from cloudops.services.access.models import Whoami, WhoamiCluster, WhoamiQuery

__all__ = ["section"]

section = Section(tag="access", resource="managedclusters")


@section.route("GET", "/api/k8s/auth/whoami", "当前用户及其权限", verb="get", query=WhoamiQuery, data=Whoami,
               cluster="caller")
async def whoami(call: Call) -> web.Response:
    user = call.user
    assert user is not None  # the security middleware authenticated the caller
    ref = call.query.cluster_id
    cluster = None if ref is None else await call.resolve(str(ref), "get", "", "cluster_id")
    target = None if cluster is None else WhoamiCluster(id=cluster.id, name=cluster.name)
    return ok(await call.service(AccessService).whoami(user.name, user.groups, user.method, call.may, target))
