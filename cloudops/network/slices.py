"""A Service's endpoints read from its EndpointSlices, in the reference's v1-Endpoints-like shape.

Kubernetes 1.33 deprecates v1 Endpoints; ready, serving and terminating exist only as EndpointSlice
conditions, so slices are the source. Addresses are grouped into `subsets` by their port set (as v1
Endpoints did), ready ones under `addresses`, the others under `not_ready_addresses`.

Writes (create/update/delete) manage slices of Services *without* a selector, labelled as ours
(`endpointslice.kubernetes.io/managed-by: cloudops.io`) so the EndpointSlice controller leaves them alone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MANAGED_BY", "MANAGED_BY_LABEL", "SERVICE_LABEL", "address_type", "endpoint_counts", "endpoint_view",
           "ready_by_service", "service_view", "slices_for", "subsets_of", "sync_status"]

Json = dict[str, Any]
SERVICE_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "cloudops.io"


def _ready(ep: Json) -> bool:
    # The API: a nil `ready` is an unknown state that consumers should treat as ready.
    return (ep.get("conditions") or {}).get("ready") is not False


def ready_by_service(slices: Iterable[Json]) -> dict[str, int]:
    """Ready addresses per Service name, each address counted once."""
    seen: dict[str, set[str]] = {}
    for s in slices:
        service = ((s.get("metadata") or {}).get("labels") or {}).get(SERVICE_LABEL)
        if not service:
            continue
        for ep in s.get("endpoints") or []:
            if _ready(ep):
                seen.setdefault(service, set()).update(ep.get("addresses") or [])
    return {k: len(v) for k, v in seen.items()}


def _port_key(ports: list[Json]) -> tuple[tuple[str, int, str], ...]:
    return tuple(sorted((str(p.get("name") or ""), int(p.get("port") or 0), str(p.get("protocol") or "TCP"))
                        for p in ports))


def subsets_of(slices: Iterable[Json]) -> list[Json]:
    """The slices' endpoints as subsets: one per distinct port set, addresses deduplicated, sorted by IP."""
    groups: dict[tuple[tuple[str, int, str], ...], dict[str, Json]] = {}
    for s in slices:
        key = _port_key(s.get("ports") or [])
        group = groups.setdefault(key, {})
        for ep in s.get("endpoints") or []:
            cond = ep.get("conditions") or {}
            ref = ep.get("targetRef")
            for ip in ep.get("addresses") or []:
                group.setdefault(ip, {
                    "ip": ip, "hostname": ep.get("hostname"), "node_name": ep.get("nodeName"),
                    "zone": ep.get("zone"),
                    "target_ref": {"kind": ref.get("kind"), "name": ref.get("name"),
                                   "namespace": ref.get("namespace")} if ref else None,
                    "ready": _ready(ep), "serving": cond.get("serving") is not False,
                    "terminating": cond.get("terminating") is True})
    out = []
    for key in sorted(groups):
        addrs = sorted(groups[key].values(), key=lambda a: _ip_sort(a["ip"]))
        out.append({"addresses": [a for a in addrs if a["ready"]],
                    "not_ready_addresses": [a for a in addrs if not a["ready"]],
                    "ports": [{"name": n or None, "port": p, "protocol": proto} for n, p, proto in key]})
    return out


def _ip_sort(ip: str) -> tuple[int, int, str]:
    try:
        addr = ipaddress.ip_address(ip)
        return (addr.version, int(addr), ip)
    except ValueError:
        return (9, 0, ip)


def endpoint_counts(subsets: list[Json]) -> Json:
    """Totals and the health score (ready share in percent; 0.0 when there is no address)."""
    ready = len({a["ip"] for s in subsets for a in s["addresses"]})
    total = len({a["ip"] for s in subsets for a in [*s["addresses"], *s["not_ready_addresses"]]})
    return {"total_endpoints": total, "ready_endpoints": ready, "not_ready_endpoints": total - ready,
            "health_score": round(100.0 * ready / total, 1) if total else 0.0}


def address_type(ip: str) -> str:
    """`IPv4` or `IPv6`; ValueError when `ip` is not an address."""
    return "IPv4" if ipaddress.ip_address(ip).version == 4 else "IPv6"


def slices_for(service: str, namespace: str, subsets: list[Json], labels: Mapping[str, str]) -> list[Json]:
    """The EndpointSlices (one per subset and address family) that represent `subsets` for `service`.

    Names are deterministic (`<service>-cloudops-<n>`), so an update replaces exactly what a create wrote.
    ValueError names the bad address.
    """
    out: list[Json] = []
    for i, subset in enumerate(subsets):
        families: dict[str, list[Json]] = {}
        for ready, key in ((True, "addresses"), (False, "not_ready_addresses")):
            for j, a in enumerate(subset.get(key) or []):
                try:
                    family = address_type(a["ip"])
                except ValueError:
                    raise ValueError(f"subsets[{i}].{key}[{j}].ip: {str(a['ip'])[:60]!r} is not an IP address") \
                        from None
                ep: Json = {"addresses": [a["ip"]], "conditions": {"ready": ready, "serving": ready,
                                                                   "terminating": False}}
                if a.get("hostname"):
                    ep["hostname"] = a["hostname"]
                if a.get("node_name"):
                    ep["nodeName"] = a["node_name"]
                families.setdefault(family, []).append(ep)
        ports = [{k: v for k, v in (("name", p.get("name")), ("port", p.get("port")),
                                    ("protocol", p.get("protocol") or "TCP")) if v is not None}
                 for p in subset.get("ports") or []]
        for family, endpoints in sorted(families.items()):
            out.append({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": family,
                "metadata": {"name": f"{service}-cloudops-{len(out)}", "namespace": namespace,
                             "labels": {**labels, SERVICE_LABEL: service, MANAGED_BY_LABEL: MANAGED_BY}},
                "endpoints": endpoints, "ports": ports})
    return out


_SYSTEM_LABELS = (SERVICE_LABEL, MANAGED_BY_LABEL, "endpointslice.kubernetes.io/skip-mirror")
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"


def endpoint_view(cluster_id: int | None, cluster_name: str, oid: str, service: str, namespace: str,
                  slices: list[Json]) -> Json:
    """One Service's endpoints as the reference's Endpoint item: subsets, labels and annotations of its slices."""
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}
    created = [str(m["creationTimestamp"]) for m in (s.get("metadata") or {} for s in slices)
               if m.get("creationTimestamp")]
    triggers = [((s.get("metadata") or {}).get("annotations") or {}).get(TRIGGER) for s in slices]
    changed = [*created, *[str(t) for t in triggers if t]]
    for s in slices:
        meta = s.get("metadata") or {}
        labels.update({k: v for k, v in (meta.get("labels") or {}).items() if k not in _SYSTEM_LABELS})
        annotations.update({k: v for k, v in (meta.get("annotations") or {}).items() if k != TRIGGER})
    subsets = subsets_of(slices)
    return {"id": oid, "name": service, "namespace": namespace, "cluster_id": cluster_id,
            "cluster_name": cluster_name, "subsets": subsets, "labels": labels, "annotations": annotations,
            "slices": sorted((s.get("metadata") or {}).get("name", "") for s in slices),
            "managed_by": sorted({((s.get("metadata") or {}).get("labels") or {}).get(MANAGED_BY_LABEL) or "unknown"
                                  for s in slices}),
            "created_at": min(created) if created else None,
            "updated_at": max(changed) if changed else None}


def service_view(svc: Json) -> Json:
    meta, spec = svc.get("metadata") or {}, svc.get("spec") or {}
    return {"name": meta.get("name", ""), "namespace": meta.get("namespace", ""), "type": spec.get("type", "ClusterIP"),
            "cluster_ip": spec.get("clusterIP"), "external_ips": list(spec.get("externalIPs") or []),
            "ports": [{"name": p.get("name"), "port": p.get("port"),
                       "target_port": p.get("targetPort", p.get("port")), "protocol": p.get("protocol", "TCP")}
                      for p in spec.get("ports") or []],
            "selector": dict(spec.get("selector") or {})}


def sync_status(svc: Json | None, slices: list[Json]) -> tuple[str, list[str]]:
    """Whether a Service and its endpoints agree: `synced`, `out_of_sync`, `no_endpoints` or `orphaned`,
    with the reasons. Every Service port must appear (by name) among the slices' ports."""
    if svc is None:
        return ("orphaned", ["no Service of this name: nothing routes to these endpoints"]) if slices else \
            ("orphaned", ["neither a Service nor endpoints"])
    spec = svc.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return "synced", ["ExternalName Services have no endpoints"]
    problems = []
    slice_ports = {(p.get("name") or "", p.get("protocol") or "TCP") for s in slices for p in s.get("ports") or []}
    for p in spec.get("ports") or []:
        key = (p.get("name") or "", p.get("protocol") or "TCP")
        if slices and key not in slice_ports:
            problems.append(f"service port {key[0] or p.get('port')}/{key[1]} has no matching endpoint port")
    if not slices:
        return "no_endpoints", ["the Service has no EndpointSlices" + (
            "" if spec.get("selector") else " (it has no selector: create its endpoints)")]
    if problems:
        return "out_of_sync", problems
    if not any(a for s in subsets_of(slices) for a in s["addresses"]):
        return "no_endpoints", ["no endpoint address is ready"]
    return "synced", []
