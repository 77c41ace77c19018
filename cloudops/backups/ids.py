"""Object ids in backups: one canonical form, whichever form the user wrote.

An object id names its cluster by integer id or by name (`1:pod:demo:web`, `member-1:pod:demo:web`). Both are
parsed by cloudops.members.objects.ObjectId and resolved to one cluster by the registry (cloudops.clusters.registry:
`find` takes either); a backup stores and answers the id with the cluster's integer id, so that comparing ids (a
list filter, a restore's source) never depends on the form a user chose.
"""

from __future__ import annotations

from cloudops.members.access import ClusterRef
from cloudops.members.objects import ObjectId

__all__ = ["canonical"]


def canonical(raw: str, cluster: ClusterRef) -> ObjectId:
    """`raw`, an id of an object of `cluster`, with the cluster part its integer id (its name while it has
    none); ValueError saying what is wrong when `raw` is not an object id or names another cluster."""
    oid = ObjectId.parse(raw)
    if oid.cluster not in (cluster.name, cluster.ref):
        known = f"{cluster.name!r}" + (f" (id {cluster.id})" if cluster.id is not None else "")
        raise ValueError(f"{raw[:80]!r} names cluster {oid.cluster!r}, not {known}")
    return ObjectId(cluster.ref, oid.type, oid.namespace, oid.name)
