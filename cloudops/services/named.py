"""An object of a member named inside a request: an object id (`<cluster>:<type>:<namespace>:<name>`), or a bare
name completed by the request's cluster_id, resource_type and namespace. Its cluster is resolved and authorized
through the caller's Gate, like the endpoint's own."""

from __future__ import annotations

from dataclasses import dataclass

from cloudops.errors import BadRequest
from cloudops.id_forms import refuse_integer_id
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId, valid_name
from cloudops.services.gate import Gate

__all__ = ["Named", "name_object", "scoped"]


@dataclass(frozen=True)
class Named:
    cluster: ClusterRef
    type: str  # as the request wrote it
    namespace: str  # empty when not given
    name: str


async def name_object(gate: Gate, raw: str, verb: str, capability: str, *, cluster_id: str | int | None,
                      resource_type: str | None, namespace: str | None) -> Named:
    """The object `raw` (field resource_id) names; 400 naming the field at fault."""
    refuse_integer_id(raw, "resource_id")  # the reference's integer ids: cloudops/id_forms.py
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise BadRequest(str(e), field="resource_id") from None
        return Named(await gate.resolve(oid.cluster, verb, capability, "resource_id"), oid.type, oid.namespace,
                     oid.name)
    if not valid_name(raw):
        raise BadRequest("neither <cluster id>:<type>:<namespace>:<name> nor an object name", field="resource_id")
    if resource_type is None:
        raise BadRequest("required when resource_id is a bare name", field="resource_type")
    return Named(await gate.resolve(cluster_id, verb, capability, "cluster_id"), resource_type, namespace or "", raw)


def scoped(rt: ResourceType, namespace: str) -> str:
    """The namespace an object of `rt` is in: "" for a cluster-scoped one, `default` for a namespaced one named
    without one (as kubectl, the unified ids and the network routes read it)."""
    if not rt.namespaced:
        return ""
    return namespace or "default"
