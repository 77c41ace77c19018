"""A Service's endpoints as the reference shows them, built from its EndpointSlices (and the Service)."""

from __future__ import annotations

from collections.abc import Sequence

from cloudops.kube.types import ObjectMeta
from cloudops.members.access import ClusterRef
from cloudops.network import kinds
from cloudops.network.slices import MANAGED_BY_LABEL, SERVICE_LABEL, TRIGGER, endpoint_counts, subsets_of
from cloudops.services.network.models.endpoints import (
    Counts,
    EndpointDetail,
    EndpointItem,
    ServiceInfo,
    ServicePort,
    Subset,
)
from cloudops.services.network.names import Named

__all__ = ["endpoint_detail", "endpoint_item", "service_info", "slice_labels", "updated_at"]

_SYSTEM_LABELS = (SERVICE_LABEL, MANAGED_BY_LABEL, "endpointslice.kubernetes.io/skip-mirror")


def _meta(s: kinds.EndpointSlice) -> ObjectMeta:
    return s.get("metadata") or {}


def slice_labels(slices: Sequence[kinds.EndpointSlice]) -> tuple[dict[str, str], dict[str, str]]:
    """The labels and annotations of a Service's slices, without those Kubernetes (or we) set on every slice."""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    for s in slices:
        meta = _meta(s)
        labels.update({k: v for k, v in (meta.get("labels") or {}).items() if k not in _SYSTEM_LABELS})
        annotations.update({k: v for k, v in (meta.get("annotations") or {}).items() if k != TRIGGER})
    return labels, annotations


def _created(slices: Sequence[kinds.EndpointSlice]) -> list[str]:
    return [str(m["creationTimestamp"]) for m in map(_meta, slices) if m.get("creationTimestamp")]


def updated_at(slices: Sequence[kinds.EndpointSlice]) -> str | None:
    """When the endpoints last changed: the latest slice creation or change trigger time."""
    triggers = [(_meta(s).get("annotations") or {}).get(TRIGGER) for s in slices]
    changed = [*_created(slices), *[str(t) for t in triggers if t]]
    return max(changed) if changed else None


def endpoint_item(cluster: ClusterRef, ref: Named, slices: Sequence[kinds.EndpointSlice]) -> EndpointItem:
    """One Service's endpoints as the reference's Endpoint item: subsets, labels and annotations of its slices."""
    labels, annotations = slice_labels(slices)
    created = _created(slices)
    return EndpointItem(
        id=ref.id, name=ref.name, namespace=ref.namespace, cluster_id=cluster.id, cluster_name=cluster.name,
        subsets=[Subset.model_validate(s) for s in subsets_of(slices)], labels=labels, annotations=annotations,
        slices=sorted(_meta(s).get("name", "") for s in slices),
        managed_by=sorted({(_meta(s).get("labels") or {}).get(MANAGED_BY_LABEL) or "unknown" for s in slices}),
        created_at=min(created) if created else None, updated_at=updated_at(slices))


def endpoint_detail(cluster: ClusterRef, ref: Named, slices: Sequence[kinds.EndpointSlice]) -> EndpointDetail:
    """The item with its counts (total, ready, not ready, health score)."""
    item = endpoint_item(cluster, ref, slices)
    return EndpointDetail(**dict(item), status=Counts.model_validate(endpoint_counts(subsets_of(slices))))


def service_info(svc: kinds.Service) -> ServiceInfo:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    return ServiceInfo(
        name=meta.get("name", ""), namespace=meta.get("namespace", ""), type=spec.get("type", "ClusterIP"),
        cluster_ip=spec.get("clusterIP"), external_ips=list(spec.get("externalIPs") or []),
        ports=[ServicePort(name=p.get("name"), port=p.get("port", 0), target_port=p.get("targetPort", p.get("port", 0)),
                           protocol=p.get("protocol", "TCP")) for p in spec.get("ports") or []],
        selector=dict(spec.get("selector") or {}))
