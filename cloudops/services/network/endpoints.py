"""网络管理 API 1. Endpoint 管理 (1.1–1.5, 1.8–1.9): a Service's endpoints, read from its EndpointSlices."""

from __future__ import annotations

import asyncio

from cloudops.errors import CloudOpsError, Missing, Unprocessable
from cloudops.members.access import ClusterRef
from cloudops.network import kinds
from cloudops.network.slices import SERVICE_LABEL, Subset, sync_status
from cloudops.services.base import Service
from cloudops.services.network.checks import check_selector
from cloudops.services.network.endpoint_slices import ServiceEndpoints
from cloudops.services.network.endpoint_views import endpoint_detail, endpoint_item, service_info, updated_at
from cloudops.services.network.models.endpoints import (
    BatchBody,
    BatchItem,
    BatchResult,
    BatchSummary,
    EndpointCreate,
    EndpointDetail,
    EndpointList,
    EndpointUpdate,
    ListEndpointsQuery,
    ServiceLink,
    SubsetIn,
)
from cloudops.services.network.models.network_params import Deleted
from cloudops.services.network.names import ENDPOINTS, Named, object_id

__all__ = ["Endpoints"]


def _subsets(subsets: list[SubsetIn] | None) -> list[Subset] | None:
    return None if subsets is None else kinds.parse_all(Subset, (s.model_dump() for s in subsets))


class Endpoints(Service):
    """Read every Service's endpoints; write those of Services without a selector."""

    async def _open(self, cluster: ClusterRef) -> ServiceEndpoints:
        return await ServiceEndpoints.of(await self.deps.member(cluster))

    async def list_endpoints(self, cluster: ClusterRef, q: ListEndpointsQuery) -> EndpointList:
        check_selector(q.label_selector)
        store = await self._open(cluster)
        selector = ",".join(s for s in (q.label_selector, f"{SERVICE_LABEL}={q.service_name}" if q.service_name
                                        else SERVICE_LABEL) if s)
        groups: dict[tuple[str, str], list[kinds.EndpointSlice]] = {}
        for s in await store.slices(q.namespace, selector):
            meta = s.get("metadata") or {}
            groups.setdefault((meta.get("namespace", ""), (meta.get("labels") or {})[SERVICE_LABEL]), []).append(s)
        items = [endpoint_item(cluster, Named(ns, name, object_id(cluster, ENDPOINTS, ns, name)), group)
                 for (ns, name), group in sorted(groups.items())]
        return EndpointList(endpoints=items[q.offset:q.offset + q.limit], total=len(items), limit=q.limit,
                            offset=q.offset)

    async def detail(self, cluster: ClusterRef, ref: Named) -> EndpointDetail:
        return await self._detail(cluster, ref, await self._open(cluster))

    async def slices(self, cluster: ClusterRef, ref: Named, store: ServiceEndpoints | None = None) \
            -> list[kinds.EndpointSlice]:
        """The slices of Service `ref`; 404 when there is neither a Service nor endpoints of the name."""
        store = store or await self._open(cluster)
        slices = await store.of_service(ref.namespace, ref.name)
        if not slices and await store.service(ref.namespace, ref.name) is None:
            raise Missing(f"no service or endpoints {ref.name!r} in {ref.namespace!r}", field="name")
        return slices

    async def _detail(self, cluster: ClusterRef, ref: Named, store: ServiceEndpoints) -> EndpointDetail:
        return endpoint_detail(cluster, ref, await self.slices(cluster, ref, store))

    async def create(self, cluster: ClusterRef, b: EndpointCreate) -> EndpointDetail:
        """Endpoints for a Service without a selector (created selector-less when missing): its EndpointSlices."""
        namespace = b.namespace or "default"
        store = await self._open(cluster)
        await store.write(namespace, b.name, _subsets(b.subsets), b.labels, b.annotations, create=True)
        ref = Named(namespace, b.name, object_id(cluster, ENDPOINTS, namespace, b.name))
        return await self._detail(cluster, ref, store)

    async def update(self, cluster: ClusterRef, ref: Named, b: EndpointUpdate) -> EndpointDetail:
        store = await self._open(cluster)
        await store.write(ref.namespace, ref.name, _subsets(b.subsets), b.labels, b.annotations, create=False)
        return await self._detail(cluster, ref, store)

    async def delete(self, cluster: ClusterRef, ref: Named) -> Deleted:
        """Removes our slices; a Service that the create made for them goes too."""
        await (await self._open(cluster)).remove(ref.namespace, ref.name)
        return Deleted(id=ref.id, name=ref.name, namespace=ref.namespace, deleted=True)

    async def service_link(self, cluster: ClusterRef, ref: Named) -> ServiceLink:
        store = await self._open(cluster)
        svc = await store.service(ref.namespace, ref.name)
        slices = await store.of_service(ref.namespace, ref.name)
        if svc is None and not slices:
            raise Missing(f"no service or endpoints {ref.name!r} in {ref.namespace!r}", field="name")
        state, problems = sync_status(svc, slices)
        return ServiceLink(endpoint_name=ref.name, namespace=ref.namespace,
                           service=service_info(svc) if svc else None,
                           selector_managed=bool(svc and (svc.get("spec") or {}).get("selector")),
                           endpoint_sync_status=state, sync_problems=problems, last_sync_time=updated_at(slices))

    async def batch(self, cluster: ClusterRef, b: BatchBody) -> BatchSummary:
        """One result per item, in order; a failing item never stops the others."""
        store = await self._open(cluster)
        slots = asyncio.Semaphore(8)

        async def one(item: BatchItem) -> BatchResult:
            namespace = item.namespace or "default"
            try:
                async with slots:
                    if b.operation == "delete":
                        await store.remove(namespace, item.name)
                    else:
                        if b.operation == "create" and item.subsets is None:
                            raise Unprocessable("required to create endpoints", field="subsets")
                        await store.write(namespace, item.name, _subsets(item.subsets), item.labels,
                                          item.annotations, create=b.operation == "create")
                return BatchResult(name=item.name, namespace=namespace, success=True, status=200, error=None)
            except CloudOpsError as e:
                return BatchResult(name=item.name, namespace=namespace, success=False, status=e.status,
                                   error=e.detail)

        results = list(await asyncio.gather(*(one(i) for i in b.endpoints)))
        succeeded = sum(1 for r in results if r.success)
        return BatchSummary(operation=b.operation, total=len(results), succeeded=succeeded,
                            failed=len(results) - succeeded, results=results)
