"""The shim's write observer: every member object written through the REST API gets a version.

Set once per request by the request context (api_shim/context.py); MemberSession reports each write it
completes. Created and replaced objects are labelled cloudops.io/versioned=true, so the operator follows
their later changes too; a patched object (labels, scheduling) gets a version for that write. Kinds that are
not configuration (Events, reviews, leases) and Secrets (versions are not encrypted) are never versioned.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from cloudops.kube.client import ApiClient
from cloudops.kube.errors import KubeError
from cloudops.kube.types import JsonObject
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.versions.tracker import mark_versioned, record_write

__all__ = ["VersionRecorder"]

log = logging.getLogger("cloudops.versions")
UNVERSIONED_GROUPS = frozenset({"authorization.k8s.io", "authentication.k8s.io", "coordination.k8s.io",
                                "events.k8s.io", "metrics.k8s.io"})
UNVERSIONED_KINDS = frozenset({"Secret", "Event", "Binding", "Eviction", "TokenRequest"})


def versioned(rt: ResourceType) -> bool:
    return rt.group not in UNVERSIONED_GROUPS and rt.kind not in UNVERSIONED_KINDS


class VersionRecorder:
    """Records versions for one request's writes, attributed to its user."""

    def __init__(self, hub: ApiClient, namespace: str, limit: int, user: str, clusters: list[ClusterRef]) -> None:
        self.hub, self.namespace, self.limit, self.user = hub, namespace, limit, user
        self.clusters = {c.name: c for c in clusters}

    def prepare(self, rt: ResourceType, body: Mapping[str, Any]) -> JsonObject:
        """The body to send: labelled to stay tracked when its kind is versioned (a copy; `body` is kept)."""
        return mark_versioned(body) if versioned(rt) else dict(body)

    async def written(self, cluster: str, rt: ResourceType, obj: Mapping[str, Any]) -> None:
        ref = self.clusters.get(cluster)
        if ref is None or not versioned(rt):
            return
        typed = {"kind": rt.kind, "apiVersion": rt.api_version, **obj}
        try:
            await record_write(self.hub, self.namespace, ref, rt, typed, self.user, self.limit)
        except KubeError as e:  # the write happened; a version that could not be stored is logged, not fatal
            log.warning("cluster %s: no version recorded for a %s write: %s", cluster, rt.kind, e.message)
