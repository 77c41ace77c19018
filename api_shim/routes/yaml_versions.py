"""YAML 版本管理 API, 1. YAML 版本控制: version history, diff, rollback, compare and tags (1.1–1.5).

Versions are recorded by the operator for objects labelled cloudops.io/versioned=true in members, and
after a rollback. `{resource_id}` is an object id (or a bare name with cluster_id, resource_type and
namespace); the service resolves its cluster and authorizes capability `versions` on it.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.versions import VersionService
from cloudops.services.versions.models import (
    CompareBody,
    DiffQuery,
    DiffResult,
    ListQuery,
    RollbackBody,
    RollbackResult,
    TagBody,
    TagResult,
    VersionList,
)

__all__ = ["section"]

section = Section(tag="yaml-versions", resource="managedclusters")


@section.route("GET", "/api/k8s/yaml/versions/{resource_id}", "获取版本列表", verb="list", subresource="versions",
               query=ListQuery, data=VersionList)
async def list_versions(call: Call) -> web.Response:
    """Newest first; is_current marks the version the live object matches."""
    return ok(await call.service(VersionService).list(call.path("resource_id"), call.query, call))


@section.route("GET", "/api/k8s/yaml/versions/{resource_id}/diff", "查看版本差异", verb="get",
               subresource="versions", query=DiffQuery, data=DiffResult)
async def diff_versions(call: Call) -> web.Response:
    return ok(await call.service(VersionService).diff(call.path("resource_id"), call.query, call))


@section.route("POST", "/api/k8s/yaml/versions/{resource_id}/compare", "比较两个版本", verb="get",
               subresource="versions", body=CompareBody, data=DiffResult)
async def compare_versions(call: Call) -> web.Response:
    return ok(await call.service(VersionService).compare(call.path("resource_id"), call.body, call))


@section.route("POST", "/api/k8s/yaml/versions/{resource_id}/rollback", "回滚到指定版本", verb="update",
               subresource="versions", body=RollbackBody, data=RollbackResult)
async def rollback(call: Call) -> web.Response:
    """The member's server-side dry run first (422 with its message, nothing changed), then the write; the
    result is a new version. notify_users get a Kubernetes Event on the object (and the audit log)."""
    return ok(await call.service(VersionService).rollback(call.path("resource_id"), call.body, call))


@section.route("POST", "/api/k8s/yaml/versions/{resource_id}/tag", "添加版本标签", verb="create",
               subresource="versions", body=TagBody, data=TagResult)
async def tag_version(call: Call) -> web.Response:
    """A tag is unique per resource: 409 when another version holds it. Tagged versions outlive retention."""
    return ok(await call.service(VersionService).tag(call.path("resource_id"), call.body, call))
