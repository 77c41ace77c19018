"""Request pieces the three network route modules (endpoints, ingress, networkpolicies) share.

Route modules never import each other, so what they have in common lives here: the cluster and
namespace parameters, the `{name}` that may also be an object id, and the delete answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api_shim.endpoints import Call
from api_shim.envelope import ApiError
from api_shim.state import ACCESS
from cloudops.labels import key_error, selector_error, value_error
from cloudops.members.objects import ObjectId, valid_name
from cloudops.members.session import MemberSession
from cloudops.paging import page
from cloudops.services.common import ClusterRefItem, LabelSelector, PageQuery

__all__ = [
    "DNS_LABEL",
    "Deleted",
    "ListQuery",
    "NamespaceQuery",
    "check_labels",
    "check_selector",
    "delete_named",
    "list_views",
    "object_id",
    "session",
    "target",
    "with_metadata",
]

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
ClusterIdParam = Field(None, description="cluster id or name; optional when exactly one cluster is registered")


class NamespaceQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = ClusterIdParam
    namespace: str | None = Field(None, pattern=DNS_LABEL, max_length=63, description="命名空间 (default: default)")


class ListQuery(NamespaceQuery, PageQuery):
    label_selector: LabelSelector | None = None


class Deleted(BaseModel):
    id: str
    name: str
    namespace: str
    deleted: bool


def check_selector(selector: str | None) -> None:
    if selector and (err := selector_error(selector)):
        raise ApiError(400, f"label_selector: {err}")


def check_labels(labels: dict[str, str] | None, where: str) -> None:
    for k, v in (labels or {}).items():
        if err := key_error(k) or value_error(v):
            raise ApiError(400, f"{where}: {err}")


def with_metadata(meta: dict[str, Any], labels: dict[str, str] | None,
                  annotations: dict[str, str] | None) -> dict[str, Any]:
    """`meta` with labels and annotations replaced where given (labels checked: 400 naming the bad one)."""
    check_labels(labels, "labels")
    if labels is not None:
        meta["labels"] = labels
    if annotations is not None:
        meta["annotations"] = annotations
    return meta


def object_id(call: Call, type_name: str, obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return str(ObjectId(call.cluster.ref, type_name, meta.get("namespace", ""), meta.get("name", "")))


async def session(call: Call) -> MemberSession:
    return await call.request.app[ACCESS].session(call.cluster)


def target(call: Call, type_name: str) -> tuple[str, str, str]:
    """(namespace, name, object id) for `{name}`: a name (namespace from the query or body, else `default`)
    or an object id of `type_name`, whose namespace wins."""
    query_ns = getattr(call.query, "namespace", None)
    namespace = query_ns or getattr(call.body, "namespace", None)
    raw = call.path("name")
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise ApiError(400, f"name: {e}") from None
        if oid.cluster not in (call.cluster.ref, call.cluster.name):
            raise ApiError(400, f"name: {raw[:80]!r} is an object of cluster {oid.cluster!r}, not of "
                                f"{call.cluster.name!r}")
        if oid.type != type_name:
            raise ApiError(400, f"name: {raw[:80]!r} is the id of a {oid.type}, not of a {type_name}")
        namespace, raw = oid.namespace or namespace, oid.name
    elif not valid_name(raw):
        raise ApiError(400, f"name: {raw[:80]!r} is not an object name")
    ns = namespace or "default"
    return ns, raw, str(ObjectId(call.cluster.ref, type_name, ns, raw))


async def list_views(call: Call, type_name: str, view: Callable[[Call, dict[str, Any]], dict[str, Any]]) \
        -> dict[str, Any]:
    """One page of a namespaced type's objects (query: namespace, label_selector, limit, offset) as views,
    sorted by namespace and name; `items` holds the page."""
    q: ListQuery = call.query
    check_selector(q.label_selector)
    member = await session(call)
    objs, _ = await member.list_all(await member.resolve(type_name), q.namespace, label_selector=q.label_selector)
    views = sorted((view(call, o) for o in objs), key=lambda v: (v["namespace"], v["name"]))
    return page(views, q.limit, q.offset)


async def delete_named(call: Call, type_name: str, id_type: str) -> dict[str, Any]:
    """Deletes `{name}` of `type_name`; the answer the three network sections give."""
    namespace, name, oid = target(call, id_type)
    member = await session(call)
    await member.delete(await member.resolve(type_name), namespace, name)
    return {"id": oid, "name": name, "namespace": namespace, "deleted": True}
