"""A Service's endpoints read from its EndpointSlices, in the reference's v1-Endpoints-like shape.

Kubernetes 1.33 deprecates v1 Endpoints; ready, serving and terminating exist only as EndpointSlice
conditions, so slices are the source. Addresses are grouped into `subsets` by their port set (as v1
Endpoints did), ready ones under `addresses`, the others under `not_ready_addresses`.

Writes (create/update/delete) manage slices of Services *without* a selector, labelled as ours
(`endpointslice.kubernetes.io/managed-by: cloudops.io`) so the EndpointSlice controller leaves them alone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal, Required

from typing_extensions import TypedDict

from cloudops.errors import Unprocessable
from cloudops.network import kinds

__all__ = ["MANAGED_BY", "MANAGED_BY_LABEL", "SERVICE_LABEL", "TRIGGER", "Address", "AddressError", "Counts",
           "Port", "Subset", "SyncState", "TargetRef", "address_type", "endpoint_counts", "ready_by_service",
           "slices_for", "subsets_of", "sync_status"]

SERVICE_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY = "cloudops.io"
TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time"


SyncState = Literal["synced", "out_of_sync", "no_endpoints", "orphaned"]


class AddressError(Unprocessable, ValueError):
    """An address of the wanted subsets is not an IP address (422, naming it)."""


class TargetRef(TypedDict):
    kind: str | None
    name: str | None
    namespace: str | None


class Address(TypedDict, total=False):
    """One address of a subset; what a caller gives holds `ip` and optionally `hostname`, `node_name`."""

    ip: Required[str]
    hostname: str | None
    node_name: str | None
    zone: str | None
    target_ref: TargetRef | None
    ready: bool
    serving: bool
    terminating: bool


class Port(TypedDict, total=False):
    name: str | None
    port: Required[int]
    protocol: str


class Subset(TypedDict, total=False):
    addresses: list[Address]
    not_ready_addresses: list[Address]
    ports: list[Port]


class Counts(TypedDict):
    total_endpoints: int
    ready_endpoints: int
    not_ready_endpoints: int
    health_score: float


def _ready(ep: kinds.SliceEndpoint) -> bool:
    # The API: a nil `ready` is an unknown state that consumers should treat as ready.
    return (ep.get("conditions") or {}).get("ready") is not False


def ready_by_service(slices: Iterable[kinds.EndpointSlice]) -> dict[str, int]:
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


def _port_key(ports: list[kinds.SlicePort]) -> tuple[tuple[str, int, str], ...]:
    return tuple(sorted((str(p.get("name") or ""), int(p.get("port") or 0), str(p.get("protocol") or "TCP"))
                        for p in ports))


def _address(ip: str, ep: kinds.SliceEndpoint) -> Address:
    cond = ep.get("conditions") or {}
    ref = ep.get("targetRef")
    return {"ip": ip, "hostname": ep.get("hostname"), "node_name": ep.get("nodeName"), "zone": ep.get("zone"),
            "target_ref": {"kind": ref.get("kind"), "name": ref.get("name"), "namespace": ref.get("namespace")}
            if ref else None,
            "ready": _ready(ep), "serving": cond.get("serving") is not False,
            "terminating": cond.get("terminating") is True}


def subsets_of(slices: Iterable[kinds.EndpointSlice]) -> list[Subset]:
    """The slices' endpoints as subsets: one per distinct port set, addresses deduplicated, sorted by IP."""
    groups: dict[tuple[tuple[str, int, str], ...], dict[str, Address]] = {}
    for s in slices:
        group = groups.setdefault(_port_key(s.get("ports") or []), {})
        for ep in s.get("endpoints") or []:
            for ip in ep.get("addresses") or []:
                group.setdefault(ip, _address(ip, ep))
    out: list[Subset] = []
    for key in sorted(groups):
        addrs = sorted(groups[key].values(), key=lambda a: _ip_sort(a["ip"]))
        out.append({"addresses": [a for a in addrs if a.get("ready")],
                    "not_ready_addresses": [a for a in addrs if not a.get("ready")],
                    "ports": [{"name": n or None, "port": p, "protocol": proto} for n, p, proto in key]})
    return out


def _ip_sort(ip: str) -> tuple[int, int, str]:
    try:
        addr = ipaddress.ip_address(ip)
        return (addr.version, int(addr), ip)
    except ValueError:
        return (9, 0, ip)


def endpoint_counts(subsets: Sequence[Subset]) -> Counts:
    """Totals and the health score (ready share in percent; 0.0 when there is no address)."""
    ready = len({a["ip"] for s in subsets for a in s.get("addresses", [])})
    total = len({a["ip"] for s in subsets for a in [*s.get("addresses", []), *s.get("not_ready_addresses", [])]})
    return {"total_endpoints": total, "ready_endpoints": ready, "not_ready_endpoints": total - ready,
            "health_score": round(100.0 * ready / total, 1) if total else 0.0}


def address_type(ip: str) -> str:
    """`IPv4` or `IPv6`; ValueError when `ip` is not an address."""
    return "IPv4" if ipaddress.ip_address(ip).version == 4 else "IPv6"


def _slice_endpoint(a: Address, ready: bool) -> kinds.SliceEndpoint:
    ep: kinds.SliceEndpoint = {"addresses": [a["ip"]],
                               "conditions": {"ready": ready, "serving": ready, "terminating": False}}
    if a.get("hostname"):
        ep["hostname"] = str(a.get("hostname"))
    if a.get("node_name"):
        ep["nodeName"] = str(a.get("node_name"))
    return ep


def _slice_ports(subset: Subset) -> list[kinds.SlicePort]:
    out: list[kinds.SlicePort] = []
    for p in subset.get("ports") or []:
        port: kinds.SlicePort = {"port": p["port"], "protocol": p.get("protocol") or "TCP"}
        name = p.get("name")
        out.append({"name": name, **port} if name is not None else port)
    return out


def slices_for(service: str, namespace: str, subsets: Sequence[Subset],
               labels: Mapping[str, str]) -> list[kinds.EndpointSlice]:
    """The EndpointSlices (one per subset and address family) that represent `subsets` for `service`.

    Names are deterministic (`<service>-cloudops-<n>`), so an update replaces exactly what a create wrote.
    AddressError (a ValueError) names the bad address.
    """
    out: list[kinds.EndpointSlice] = []
    for i, subset in enumerate(subsets):
        families: dict[str, list[kinds.SliceEndpoint]] = {}
        for ready, key, given in ((True, "addresses", subset.get("addresses") or []),
                                  (False, "not_ready_addresses", subset.get("not_ready_addresses") or [])):
            for j, a in enumerate(given):
                try:
                    family = address_type(a["ip"])
                except ValueError:
                    raise AddressError(f"{str(a['ip'])[:60]!r} is not an IP address",
                                       field=f"subsets[{i}].{key}[{j}].ip") from None
                families.setdefault(family, []).append(_slice_endpoint(a, ready))
        for family, endpoints in sorted(families.items()):
            out.append({
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": family,
                "metadata": {"name": f"{service}-cloudops-{len(out)}", "namespace": namespace,
                             "labels": {**labels, SERVICE_LABEL: service, MANAGED_BY_LABEL: MANAGED_BY}},
                "endpoints": endpoints, "ports": _slice_ports(subset)})
    return out


def sync_status(svc: kinds.Service | None, slices: Sequence[kinds.EndpointSlice]) -> tuple[SyncState, list[str]]:
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
    if not any(a for s in subsets_of(slices) for a in s.get("addresses", [])):
        return "no_endpoints", ["no endpoint address is ready"]
    return "synced", []
