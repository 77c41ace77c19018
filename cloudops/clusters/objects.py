"""A ManagedCluster as the typed model of cloudops.resources, wherever it comes from, and what hangs off it."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from cloudops.resources.base import OwnerReference
from cloudops.resources.managed_cluster import ManagedCluster

__all__ = ["as_cluster", "owned_by", "wire_name"]


def as_cluster(obj: ManagedCluster | Mapping[str, object]) -> ManagedCluster:
    """The model of a ManagedCluster given as one, or as its stored JSON (a watch, a kopf body, a ClusterRef)."""
    return obj if isinstance(obj, ManagedCluster) else ManagedCluster.model_validate(dict(obj))


def owned_by(cluster: ManagedCluster) -> OwnerReference:
    """The owner reference that ties an object to its cluster, so the hub deletes it with the cluster."""
    return OwnerReference(api_version=cluster.api_version, kind=cluster.kind, name=cluster.metadata.name or "",
                          uid=cluster.metadata.uid or "", block_owner_deletion=False, controller=True)


def wire_name(model: type[BaseModel], field: str) -> str:
    """A field's name on the wire (its camelCase alias), for code that handles a stored object as JSON."""
    info = model.model_fields[field]
    return info.alias or field
