"""The cluster service: registration, lookups and live calls behind 多云集群 API 1.x."""

from __future__ import annotations

from cloudops.clusters.errors import ConnectError
from cloudops.clusters.fleet import probe_cluster
from cloudops.clusters.kubeconfig import decode_base64_kubeconfig
from cloudops.clusters.objects import as_cluster
from cloudops.clusters.registry import Registration
from cloudops.conditions import now_iso
from cloudops.errors import BadRequest
from cloudops.kube.events import emit_event
from cloudops.members.access import ClusterRef
from cloudops.members.errors import from_connect_error
from cloudops.resources.base import dump, dump_patch
from cloudops.resources.managed_cluster import ManagedCluster, ManagedClusterSpec
from cloudops.services.base import Service
from cloudops.services.clusters.models import (
    AddBody,
    ClusterDeleted,
    ClusterDetail,
    ClusterList,
    ConnectionTest,
    ListQuery,
    ResourceStats,
    SyncResult,
    UpdateBody,
)
from cloudops.services.clusters.views import (
    bare_version,
    cluster_detail,
    cluster_summary,
    registered_detail,
    resources_view,
    usage_view,
)

__all__ = ["Clusters"]


class Clusters(Service):
    async def _event(self, cluster: ManagedCluster, reason: str, what: str) -> None:
        await emit_event(self.deps.hub, dump(cluster), reason, f"{what} by {self.deps.actor} through the REST API")

    async def add(self, body: AddBody) -> ClusterDetail:
        reg = Registration(name=body.name, kubeconfig=decode_base64_kubeconfig(body.kubeconfig), context=body.context,
                           display_name=body.display_name, provider=body.provider, region=body.region,
                           description=body.description, tags=body.tags)
        created, reached = await self.deps.registry.register(reg, self.deps.settings.max_clusters)
        await self._event(created, "Registered", "cluster registered")
        return registered_detail(created, reached)

    async def list(self, query: ListQuery) -> ClusterList:
        items = sorted((cluster_summary(as_cluster(cr)) for cr in await self.deps.registry.all()),
                       key=lambda c: (c.id if c.id is not None else 1 << 62, c.name))
        if query.provider:
            items = [c for c in items if c.provider == query.provider]
        if query.status:
            items = [c for c in items if c.status == query.status]
        if query.tag:
            items = [c for c in items if query.tag in c.tags]
        return ClusterList(clusters=items[query.offset:query.offset + query.limit], total=len(items),
                           limit=query.limit, offset=query.offset)

    def detail(self, cluster: ClusterRef) -> ClusterDetail:
        return cluster_detail(as_cluster(cluster.cr))

    async def update(self, cluster: ClusterRef, body: UpdateBody) -> ClusterDetail:
        given = {k: v for k, v in {"display_name": body.display_name, "description": body.description,
                                   "tags": body.tags}.items() if v is not None}
        if not given:
            raise BadRequest("give at least one of display_name, description, tags", field="body")
        # A partial spec (the body validated its fields): only those are patched.
        changes = ManagedClusterSpec.model_construct(set(given), **given)
        updated = await self.deps.registry.update(cluster.name, changes)
        await self._event(updated, "Updated", f"{', '.join(sorted(dump_patch(changes)))} updated")
        return cluster_detail(updated)

    async def delete(self, cluster: ClusterRef) -> ClusterDeleted:
        removed = await self.deps.registry.remove(cluster.name)
        await self._event(removed, "Deleted", "cluster deletion requested")
        return ClusterDeleted(id=cluster_summary(removed).id, name=removed.metadata.name or "", deleted=True)

    async def test(self, cluster: ClusterRef) -> ConnectionTest:
        """The test's answer is data: a member that cannot be reached is `connected: false`, not an error."""
        result = await self.deps.registry.live(as_cluster(cluster.cr))
        return ConnectionTest(connected=result.connected, response_time=result.response_time,
                              version=bare_version(result.version), api_server=result.api_server,
                              nodes_count=result.nodes_count, error=result.error, reason=result.reason)

    async def sync(self, cluster: ClusterRef) -> SyncResult:
        fresh = await self.deps.registry.request_sync(cluster.name, self.deps.settings.sync_timeout_seconds)
        await self._event(fresh, "SyncRequested", "immediate sync requested")
        view, status = cluster_summary(fresh), fresh.status
        issues = [i.model_dump(by_alias=True, exclude_unset=True) for i in (status.issues or [])] if status else []
        return SyncResult(sync_time=status.last_sync_time if status else None, resource_count=view.resource_count,
                          health_status=view.health_status, status=view.status, issues=issues)

    async def resources(self, cluster: ClusterRef) -> ResourceStats:
        """Counted live from the member, not from the last sync."""
        result = await probe_cluster(self.deps.registry, as_cluster(cluster.cr))
        if result.snapshot is None:
            raise from_connect_error(cluster.name, ConnectError(result.reason, result.message, result.phase))
        snap = result.snapshot
        return ResourceStats(cluster_id=cluster.id, timestamp=now_iso(), resources=resources_view(snap.counts),
                             usage=usage_view(snap.usage))
