"""Cluster registration and lookup in the hub: the operations behind the cluster REST routes."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1OwnerReference

from cloudops.clusters.cache import ClusterCache
from cloudops.clusters.connect import ConnectError, MemberClients, explain
from cloudops.clusters.errors import QuotaExceeded, SyncTimeout
from cloudops.clusters.kubeconfig import parse_kubeconfig, server_of
from cloudops.clusters.probe import ping
from cloudops.constants import API_VERSION, GROUP, ID_LABEL, MANAGED_CLUSTER
from cloudops.ids import allocate_id
from cloudops.kube.client import client_from_kubeconfig
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.informer import Informer
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
    """Cluster lookups read the watch-backed cache when one is given and synced, else the hub."""

    def __init__(self, hub: ApiClient, namespace: str, member_timeout: float, members: MemberClients,
                 cache: ClusterCache | None = None) -> None:
        self.hub, self.namespace, self.timeout, self.members = hub, namespace, member_timeout, members
        self.clusters = CustomObjects(hub, MANAGED_CLUSTER, namespace)
        self.cache = cache

    def _cached(self) -> Informer | None:
        return self.cache.clusters if self.cache is not None and self.cache.synced else None

    async def all(self) -> list[Body]:
        cached = self._cached()
        return cached.values() if cached is not None else await self.clusters.list()

    def _remember(self, obj: Body) -> Body:
        """Read-your-writes: what this process wrote is what its next read sees."""
        if self.cache is not None:
            self.cache.clusters.upsert(obj)
        return obj

    async def find(self, ref: str) -> Body:
        """By integer id (the label) or by name; the reference promises both."""
        cached = self._cached()
        if cached is not None:
            found = cached.by("id", str(int(ref))) if re.fullmatch(r"[0-9]+", ref) else cached.get(ref)
            if found is None:
                by_id = re.fullmatch(r"[0-9]+", ref) is not None
                raise NotFound(f"cluster with id {ref} not found" if by_id else f"cluster {ref!r} not found")
            return found
        if re.fullmatch(r"[0-9]+", ref):
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
        existing = await self.all()
        if any(c["metadata"]["name"] == reg.name for c in existing):
            raise Conflict(f"cluster {reg.name!r} already exists")
        if len(existing) >= max_clusters:
            raise QuotaExceeded(len(existing), max_clusters)
        # The CR claims the name atomically (a concurrent add of the same name gets 409 here), then
        # the Secret follows, owned by it; nothing of another caller's is ever touched.
        secret = secret_name_for(reg.name)
        cluster_id = await allocate_id(self.hub, self.namespace, MANAGED_CLUSTER.plural)
        spec: Body = {"displayName": reg.display_name or reg.name, "provider": reg.provider, "region": reg.region,
                      "description": reg.description, "tags": reg.tags,
                      "kubeconfigSecretRef": {"name": secret, "key": "kubeconfig"}}
        if reg.context:
            spec["context"] = reg.context
        created = self._remember(await self.clusters.create({
            "apiVersion": API_VERSION, "kind": MANAGED_CLUSTER.kind,
            "metadata": {"name": reg.name, "namespace": self.namespace, "labels": {ID_LABEL: str(cluster_id)}},
            "spec": spec}))
        try:
            await self._store_secret(secret, reg, created)
        except Exception:
            await self.clusters.delete(reg.name)
            raise
        # The operator may have looked before the Secret existed: ask it to look again now.
        return (await self._ask_sync(reg.name))[0]

    async def _ask_sync(self, name: str) -> tuple[Body, str]:
        """Sets the sync-request annotation to a fresh token; the operator echoes it in status."""
        token = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        patched = await self.clusters.patch(name, {"metadata": {"annotations": {SYNC_ANNOTATION: token}}})
        return self._remember(patched), token

    async def _store_secret(self, name: str, reg: Registration, owner_cluster: Body) -> None:
        """Creates the kubeconfig Secret owned by its cluster (garbage-collected with it even without the
        operator). A Secret of that name left by an earlier cluster of the same name is replaced."""
        meta = owner_cluster["metadata"]
        owner = V1OwnerReference(api_version=API_VERSION, kind=MANAGED_CLUSTER.kind, name=meta["name"],
                                 uid=meta["uid"])
        secrets = Secrets(self.hub, self.namespace)
        try:
            await secrets.create(name, {"kubeconfig": reg.kubeconfig}, labels={CLUSTER_LABEL: reg.name}, owner=owner)
        except Conflict:
            current = await CoreV1Api(self.hub).read_namespaced_secret(name, self.namespace)
            if (current.metadata.labels or {}).get(CLUSTER_LABEL) != reg.name:
                raise Conflict(f"a Secret named {name!r} exists and does not belong to cluster {reg.name!r}") \
                    from None
            await secrets.delete(name)
            await secrets.create(name, {"kubeconfig": reg.kubeconfig}, labels={CLUSTER_LABEL: reg.name}, owner=owner)

    async def update(self, ref: str, changes: Body) -> Body:
        cluster = await self.find(ref)
        if not changes:
            return cluster
        return self._remember(await self.clusters.patch(cluster["metadata"]["name"], {"spec": changes}))

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
        _, token = await self._ask_sync(name)
        cached = self._cached()
        if cached is not None:
            def answered() -> bool:
                current = cached.get(name)
                return current is not None and (current.get("status") or {}).get("lastSyncRequest") == token

            if await cached.wait_for(answered, wait_seconds):
                return cached.get(name) or cluster
            raise SyncTimeout(f"the operator did not sync cluster {name!r} within {wait_seconds:.0f}s; is it running?")
        deadline = time.monotonic() + wait_seconds
        delay = 0.1
        while time.monotonic() < deadline:
            current = await self.clusters.get(name)
            if (current.get("status") or {}).get("lastSyncRequest") == token:
                return current
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        raise SyncTimeout(f"the operator did not sync cluster {name!r} within {wait_seconds:.0f}s; is it running?")
