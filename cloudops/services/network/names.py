"""`{name}` in the network routes: an object name (namespace given beside it, else `default`) or an object id."""

from __future__ import annotations

from typing import NamedTuple

from cloudops.errors import BadRequest
from cloudops.id_forms import refuse_integer_id
from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId, valid_name

__all__ = ["ENDPOINTS", "INGRESS", "NETWORKPOLICY", "Named", "named", "object_id"]

# The type part of the object ids of each section.
ENDPOINTS = "endpoints"
INGRESS = "ingress"
NETWORKPOLICY = "networkpolicy"


class Named(NamedTuple):
    namespace: str
    name: str
    id: str  # the object id


def object_id(cluster: ClusterRef, type_name: str, namespace: str, name: str) -> str:
    return str(ObjectId(cluster.ref, type_name, namespace, name))


def named(cluster: ClusterRef, raw: str, type_name: str, namespace: str | None) -> Named:
    """The object `raw` names in `cluster`: a name in `namespace` (None: `default`), or an object id of
    `type_name`, whose namespace wins. 400 naming `name` when it is neither, or an integer (the reference's
    numbering, which objects inside members do not have)."""
    refuse_integer_id(raw, "name", type_name)
    if ObjectId.looks_like(raw):
        try:
            oid = ObjectId.parse(raw)
        except ValueError as e:
            raise BadRequest(str(e), field="name") from None
        if oid.cluster not in (cluster.ref, cluster.name):
            raise BadRequest(f"{raw[:80]!r} is an object of cluster {oid.cluster!r}, not of {cluster.name!r}",
                             field="name")
        if oid.type != type_name:
            raise BadRequest(f"{raw[:80]!r} is the id of a {oid.type}, not of a {type_name}", field="name")
        namespace, raw = oid.namespace or namespace, oid.name
    elif not valid_name(raw):
        raise BadRequest(f"{raw[:80]!r} is not an object name", field="name")
    ns = namespace or "default"
    return Named(ns, raw, object_id(cluster, type_name, ns, raw))
