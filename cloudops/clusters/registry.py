"""Cluster registration and lookup in the hub: the operations behind the cluster REST routes.

Lookups (`all`, `find`, `find_many`) give clusters as stored (the JSON that cloudops.members.access.ClusterRef
carries); the operations of the cluster service take and give the typed ManagedCluster model.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudops.clusters.cache import ClusterCache
from cloudops.clusters.connect import MemberClients
from cloudops.clusters.errors import ConnectError, QuotaExceeded, SyncTimeout, explain
from cloudops.clusters.kubeconfig import parse_kubeconfig, server_of
from cloudops.clusters.objects import as_cluster
from cloudops.clusters.probe import ping
from cloudops.constants import GROUP, ID_LABEL, MANAGED_CLUSTER
from cloudops.kube.client import ApiClient, client_from_kubeconfig
from cloudops.kube.cluster_secrets import create_owned, read_secret
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import Conflict, NotFound
from cloudops.kube.ids import allocate_id
from cloudops.kube.informer import Informer
from cloudops.kube.secrets import Secrets
from cloudops.kube.types import OwnerReference
from cloudops.resources.base import ObjectMeta, dump, dump_patch
from cloudops.resources.managed_cluster import KubeconfigSecretRef, ManagedCluster, ManagedClusterSpec, Provider

__all__ = ["CLUSTER_LABEL", "SYNC_ANNOTATION", "LiveTest", "Registration", "Registry"]

SYNC_ANNOTATION = f"{GROUP}/sync-requested"
CLUSTER_LABEL = f"{GROUP}/cluster"
Body = dict[str, Any]  # a ManagedCluster as stored, as the watch cache holds it
_ID = re.compile(r"[0-9]+")


@dataclass
class Registration:
    name: str
    kubeconfig: str  # the decoded text; never logged or returned
    context: str | None = None
    display_name: str = ""
    provider: Provider = "other"
    region: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LiveTest:
    """The connection test: a member that cannot be reached is `connected=False` with why, not an error."""

    connected: bool
    response_time: float
    version: str
    api_server: str
    nodes_count: int
    error: str | None = None
    reason: str | None = None


def secret_name_for(cluster: str) -> str:
    return f"cloudops-kubeconfig-{cluster}"[:253]


def _sync_answer(obj: Body | None) -> str | None:
    """The sync request the operator last answered (status.lastSyncRequest)."""
    status = as_cluster(obj).status if obj is not None else None
    return status.last_sync_request if status is not None else None


class Registry:
    """Cluster lookups read the watch-backed cache when one is given and synced, else the hub."""

    def __init__(self, hub: ApiClient, namespace: str, member_timeout: float, members: MemberClients,
                 cache: ClusterCache | None = None) -> None:
        self.hub, self.namespace, self.timeout, self.members = hub, namespace, member_timeout, members
        self.clusters = CustomObjects(hub, MANAGED_CLUSTER, namespace)
        self.cache = cache

    def _cached(self) -> Informer[Body] | None:
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
        by_id = _ID.fullmatch(ref) is not None
        missing = NotFound(f"cluster with id {ref} not found" if by_id else f"cluster {ref!r} not found")
        cached = self._cached()
        if cached is not None:
            found = cached.by("id", str(int(ref))) if by_id else cached.get(ref)
            if found is None:
                raise missing
            return found
        if by_id:
            items = await self.clusters.list(label_selector=f"{ID_LABEL}={int(ref)}")
            if not items:
                raise missing
            return items[0]
        try:
            return await self.clusters.get(ref)
        except NotFound:
            raise missing from None

    async def find_many(self, refs: list[str]) -> list[Body | NotFound]:
        return list(await asyncio.gather(*(self._find_or_error(r) for r in refs)))

    async def _find_or_error(self, ref: str) -> Body | NotFound:
        try:
            return await self.find(ref)
        except NotFound as e:
            return e

    async def _check(self, reg: Registration) -> LiveTest:
        """The kubeconfig for real: it parses, its context resolves, and its server answers (what it said)."""
        cfg = parse_kubeconfig(reg.kubeconfig, reg.context)
        server = server_of(cfg, reg.context)
        try:
            api = await client_from_kubeconfig(cfg, reg.context)
        except Exception as e:
            raise ConnectError("KubeconfigInvalid", f"kubeconfig cannot be loaded: {e.__class__.__name__}",
                               "error") from None
        try:
            version, rtt, nodes = await asyncio.wait_for(ping(api), timeout=self.timeout)
        except Exception as e:
            raise explain(e, server) from None
        finally:
            await api.close()
        return LiveTest(True, rtt, version, server, nodes)

    async def register(self, reg: Registration, max_clusters: int) -> tuple[ManagedCluster, LiveTest]:
        """Checks the kubeconfig, then stores the cluster and its Secret; gives what the check read from the
        member too (its version, API server and nodes), which the stored status holds only after the operator's
        first sync."""
        reached = await self._check(reg)
        existing = await self.all()
        if any(c["metadata"]["name"] == reg.name for c in existing):
            raise Conflict(f"cluster {reg.name!r} already exists")
        if len(existing) >= max_clusters:
            raise QuotaExceeded(len(existing), max_clusters)
        # The CR claims the name atomically (a concurrent add of the same name gets 409 here), then
        # the Secret follows, owned by it; nothing of another caller's is ever touched.
        ref = KubeconfigSecretRef(name=secret_name_for(reg.name))
        cluster_id = await allocate_id(self.hub, self.namespace, MANAGED_CLUSTER.plural)
        cluster = ManagedCluster(
            metadata=ObjectMeta(name=reg.name, namespace=self.namespace, labels={ID_LABEL: str(cluster_id)}),
            spec=ManagedClusterSpec(display_name=reg.display_name or reg.name, provider=reg.provider,
                                    region=reg.region, description=reg.description, tags=reg.tags,
                                    kubeconfig_secret_ref=ref, context=reg.context or None))
        created = as_cluster(self._remember(await self.clusters.create(dump(cluster))))
        try:
            await self._store_secret(ref, reg, created)
        except Exception:
            await self.clusters.delete(reg.name)
            raise
        # The operator may have looked before the Secret existed: ask it to look again now.
        return as_cluster((await self._ask_sync(reg.name))[0]), reached

    async def _ask_sync(self, name: str) -> tuple[Body, str]:
        """Sets the sync-request annotation to a fresh token; the operator echoes it in status."""
        token = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        patched = await self.clusters.patch(name, {"metadata": {"annotations": {SYNC_ANNOTATION: token}}})
        return self._remember(patched), token

    async def _store_secret(self, ref: KubeconfigSecretRef, reg: Registration, owner: ManagedCluster) -> None:
        """Creates the kubeconfig Secret owned by its cluster (garbage-collected with it even without the
        operator). A Secret of that name left by an earlier cluster of the same name is replaced."""
        labels = {CLUSTER_LABEL: reg.name}
        owned_by: OwnerReference = {"apiVersion": owner.api_version, "kind": owner.kind,
                                    "name": owner.metadata.name or reg.name, "uid": owner.metadata.uid or ""}
        data = {ref.key: reg.kubeconfig}
        try:
            await create_owned(self.hub, self.namespace, ref.name, data, labels, owned_by)
        except Conflict:
            current = await read_secret(self.hub, self.namespace, ref.name)
            if current is not None and current.labels.get(CLUSTER_LABEL) != reg.name:
                raise Conflict(f"a Secret named {ref.name!r} exists and does not belong to cluster {reg.name!r}") \
                    from None
            await Secrets(self.hub, self.namespace).delete(ref.name)
            await create_owned(self.hub, self.namespace, ref.name, data, labels, owned_by)

    async def update(self, ref: str, changes: ManagedClusterSpec) -> ManagedCluster:
        """Merge-patches the spec with the fields set in `changes` (a partial spec)."""
        cluster = await self.find(ref)
        patch = dump_patch(changes)
        if not patch:
            return as_cluster(cluster)
        return as_cluster(self._remember(await self.clusters.patch(cluster["metadata"]["name"], {"spec": patch})))

    async def remove(self, ref: str) -> ManagedCluster:
        cluster = await self.find(ref)
        await self.clusters.delete(cluster["metadata"]["name"])
        return as_cluster(cluster)

    async def live(self, cluster: ManagedCluster) -> LiveTest:
        """The connection test: version, response time and node count, or why it failed."""
        start = time.perf_counter()
        server = (cluster.status.api_server if cluster.status else None) or ""
        try:
            api, server = await self.members.get(self.hub, self.namespace, cluster.spec)
            version, rtt, nodes = await asyncio.wait_for(ping(api), timeout=self.timeout)
        except Exception as e:
            err = explain(e, server or "the member API server")
            return LiveTest(False, round(time.perf_counter() - start, 4), "", server, 0, err.message, err.reason)
        return LiveTest(True, rtt, version, server, nodes)

    async def request_sync(self, ref: str, wait_seconds: float) -> ManagedCluster:
        """Asks the operator for an immediate reconcile and waits until its status answers the request."""
        name = (await self.find(ref))["metadata"]["name"]
        _, token = await self._ask_sync(name)
        timeout = SyncTimeout(f"the operator did not sync cluster {name!r} within {wait_seconds:.0f}s; is it running?")
        cached = self._cached()
        if cached is not None:
            if await cached.wait_for(lambda: _sync_answer(cached.get(name)) == token, wait_seconds):
                return as_cluster(cached.get(name) or await self.find(name))
            raise timeout
        deadline = time.monotonic() + wait_seconds
        delay = 0.1
        while time.monotonic() < deadline:
            current = await self.clusters.get(name)
            if _sync_answer(current) == token:
                return as_cluster(current)
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        raise timeout
