"""Cluster registration and lookup in the hub: the operations behind the cluster REST routes."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient, CoreV1Api
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.clusters.connect import ConnectError, MemberClients, explain
from cloudops.clusters.errors import QuotaExceeded, SyncTimeout
from cloudops.clusters.kubeconfig import parse_kubeconfig, server_of
from cloudops.clusters.probe import ping
from cloudops.constants import API_VERSION, GROUP, ID_LABEL, MANAGED_CLUSTER
from cloudops.ids import allocate_id
from cloudops.kube.client import client_from_kubeconfig
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound, translate
from cloudops.kube.secrets import Secrets

__all__ = ["CLUSTER_LABEL", "SYNC_ANNOTATION", "Registration", "Registry"]

SYNC_ANNOTATION = f"{GROUP}/sync-requested"
CLUSTER_LABEL = f"{GROUP}/cluster"
Body = dict[str, Any]


@dataclass
class Registration:
    name: str
    kubeconfig: str  # the decoded text; never logged or returned
    context: str | None = None
    display_name: str = ""
    provider: str = "other"
    region: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)


def secret_name_for(cluster: str) -> str:
    return f"cloudops-kubeconfig-{cluster}"[:253]


class Registry:
    def __init__(self, hub: ApiClient, namespace: str, member_timeout: float, members: MemberClients) -> None:
        self.hub, self.namespace, self.timeout, self.members = hub, namespace, member_timeout, members
        self.clusters = CustomObjects(hub, MANAGED_CLUSTER, namespace)

    async def find(self, ref: str) -> Body:
        """By integer id (the label) or by name; the reference promises both."""
        if re.fullmatch(r"\d+", ref):
            items = await self.clusters.list(label_selector=f"{ID_LABEL}={int(ref)}")
            if not items:
                raise NotFound(f"cluster with id {ref} not found")
            return items[0]
        try:
            return await self.clusters.get(ref)
        except NotFound:
            raise NotFound(f"cluster {ref!r} not found") from None

    async def find_many(self, refs: list[str]) -> list[Body | NotFound]:
        return list(await asyncio.gather(*(self._find_or_error(r) for r in refs)))

    async def _find_or_error(self, ref: str) -> Body | NotFound:
        try:
            return await self.find(ref)
        except NotFound as e:
            return e

    async def register(self, reg: Registration, max_clusters: int) -> Body:
        """Checks the kubeconfig for real (parse, context, live answer), then stores Secret and CR."""
        cfg = parse_kubeconfig(reg.kubeconfig, reg.context)
        server = server_of(cfg, reg.context)
        try:
            api = await client_from_kubeconfig(cfg, reg.context)
        except Exception as e:
            raise ConnectError("KubeconfigInvalid", f"kubeconfig cannot be loaded: {e.__class__.__name__}",
                               "error") from None
        try:
            await asyncio.wait_for(ping(api), timeout=self.timeout)
        except Exception as e:
            raise explain(e, server) from None
        finally:
            await api.close()
        existing = await self.clusters.list()
        if any(c["metadata"]["name"] == reg.name for c in existing):
            raise Conflict(f"cluster {reg.name!r} already exists")
        if len(existing) >= max_clusters:
            raise QuotaExceeded(len(existing), max_clusters)
        secret = secret_name_for(reg.name)
        await self._store_secret(secret, reg)
        cluster_id = await allocate_id(self.hub, self.namespace, MANAGED_CLUSTER.plural)
        spec: Body = {"displayName": reg.display_name or reg.name, "provider": reg.provider, "region": reg.region,
                      "description": reg.description, "tags": reg.tags,
                      "kubeconfigSecretRef": {"name": secret, "key": "kubeconfig"}}
        if reg.context:
            spec["context"] = reg.context
        body = {"apiVersion": API_VERSION, "kind": MANAGED_CLUSTER.kind,
                "metadata": {"name": reg.name, "namespace": self.namespace, "labels": {ID_LABEL: str(cluster_id)}},
                "spec": spec}
        try:
            created = await self.clusters.create(body)
        except Exception:
            await Secrets(self.hub, self.namespace).delete(secret)
            raise
        await self._own_secret(secret, created)
        return created

    async def _store_secret(self, name: str, reg: Registration) -> None:
        secrets = Secrets(self.hub, self.namespace)
        try:
            await secrets.create(name, {"kubeconfig": reg.kubeconfig}, labels={CLUSTER_LABEL: reg.name})
        except Conflict:
            # Left behind by an add that failed half-way? Only then may it be replaced.
            current = await CoreV1Api(self.hub).read_namespaced_secret(name, self.namespace)
            if (current.metadata.labels or {}).get(CLUSTER_LABEL) != reg.name:
                raise Conflict(f"a Secret named {name!r} exists and does not belong to cluster {reg.name!r}") \
                    from None
            await secrets.delete(name)
            await secrets.create(name, {"kubeconfig": reg.kubeconfig}, labels={CLUSTER_LABEL: reg.name})

    async def _own_secret(self, name: str, cluster: Body) -> None:
        """The Secret is owned by its cluster, so garbage collection removes it even without the operator."""
        meta = cluster["metadata"]
        owner = {"apiVersion": API_VERSION, "kind": MANAGED_CLUSTER.kind, "name": meta["name"], "uid": meta["uid"]}
        try:
            await CoreV1Api(self.hub).patch_namespaced_secret(
                name, self.namespace, {"metadata": {"ownerReferences": [owner]}})
        except ApiException as e:
            raise translate(e) from None

    async def update(self, ref: str, changes: Body) -> Body:
        cluster = await self.find(ref)
        if not changes:
            return cluster
        return await self.clusters.patch(cluster["metadata"]["name"], {"spec": changes})

    async def remove(self, ref: str) -> Body:
        cluster = await self.find(ref)
        await self.clusters.delete(cluster["metadata"]["name"])
        return cluster

    async def live(self, cluster: Body) -> dict[str, Any]:
        """The connection test: version, response time and node count, or why it failed."""
        start = time.perf_counter()
        server = (cluster.get("status") or {}).get("apiServer", "")
        try:
            api, server = await self.members.get(self.hub, self.namespace, cluster.get("spec", {}))
            version, rtt, nodes = await asyncio.wait_for(ping(api), timeout=self.timeout)
        except Exception as e:
            err = explain(e, server or "the member API server")
            return {"connected": False, "response_time": round(time.perf_counter() - start, 4), "version": "",
                    "api_server": server, "nodes_count": 0, "error": err.message, "reason": err.reason}
        return {"connected": True, "response_time": rtt, "version": version, "api_server": server,
                "nodes_count": nodes}

    async def request_sync(self, ref: str, wait_seconds: float) -> Body:
        """Asks the operator for an immediate reconcile and waits until its status answers the request."""
        cluster = await self.find(ref)
        name = cluster["metadata"]["name"]
        token = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        await self.clusters.patch(name, {"metadata": {"annotations": {SYNC_ANNOTATION: token}}})
        deadline = time.monotonic() + wait_seconds
        delay = 0.1
        while time.monotonic() < deadline:
            current = await self.clusters.get(name)
            if (current.get("status") or {}).get("lastSyncRequest") == token:
                return current
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        raise SyncTimeout(f"the operator did not sync cluster {name!r} within {wait_seconds:.0f}s; is it running?")
