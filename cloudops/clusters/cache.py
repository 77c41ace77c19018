"""The shim's view of the hub: ManagedClusters (by name and id) and kubeconfig Secret versions, from watches.

List, get, id resolution and the member client pool read from here, so a request costs no hub LIST and
a member call no Secret GET while the kubeconfig is unchanged. Secrets are watched as metadata only:
their values never enter this cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from cloudops.constants import GROUP, ID_LABEL, MANAGED_CLUSTER, VERSION
from cloudops.kube.client import ApiClient
from cloudops.kube.informer import Informer

__all__ = ["ClusterCache", "secret_version", "secret_watch"]

METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"


def secret_watch(hub: ApiClient, namespace: str) -> Informer[dict[str, Any]]:
    """The namespace's Secrets as metadata only (names and resourceVersions, never values): what lets the member
    client pool reuse a client without reading its kubeconfig Secret again (cloudops.clusters.connect)."""
    return Informer(hub, f"/api/v1/namespaces/{namespace}/secrets", accept=METADATA)


def secret_version(secrets: Informer[dict[str, Any]], name: str) -> str | None:
    obj = secrets.get(name)
    return (obj.get("metadata") or {}).get("resourceVersion") if obj is not None else None


def _id_of(obj: Mapping[str, object]) -> str | None:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    label = labels.get(ID_LABEL) if isinstance(labels, dict) else None
    return label if isinstance(label, str) and label.isascii() and label.isdigit() else None


class ClusterCache:
    def __init__(self, hub: ApiClient, namespace: str) -> None:
        # Clusters as stored: the JSON that cloudops.members.access.ClusterRef carries.
        path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{MANAGED_CLUSTER.plural}"
        self.clusters: Informer[dict[str, Any]] = Informer(hub, path, indexes={"id": _id_of})
        self.secrets = secret_watch(hub, namespace)

    def start(self) -> None:
        self.clusters.start()
        self.secrets.start()

    async def stop(self) -> None:
        await asyncio.gather(self.clusters.stop(), self.secrets.stop())

    @property
    def synced(self) -> bool:
        return self.clusters.synced.is_set() and self.secrets.synced.is_set()

    async def wait_synced(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(asyncio.gather(self.clusters.synced.wait(), self.secrets.synced.wait()), seconds)
        except TimeoutError:
            return False
        return True

    def secret_version(self, name: str) -> str | None:
        return secret_version(self.secrets, name)
