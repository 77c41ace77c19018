"""One member's Services and their EndpointSlices, as the endpoint routes read and write them.

Writes manage the slices of Services without a selector (the Service is created, selector-less, when
missing); the endpoints of selector-managed Services belong to the EndpointSlice controller and are
read-only here (409).
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudops.errors import Missing, StateConflict, Unprocessable
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.network import kinds
from cloudops.network.slices import MANAGED_BY, MANAGED_BY_LABEL, SERVICE_LABEL, Subset, slices_for, subsets_of
from cloudops.services.network.checks import check_labels
from cloudops.services.network.endpoint_views import slice_labels

__all__ = ["CREATED_FOR", "ServiceEndpoints"]

CREATED_FOR = "cloudops.io/created-for"


def _name(obj: kinds.EndpointSlice | kinds.Service) -> str:
    return (obj.get("metadata") or {}).get("name", "")


def _ours(slices: Sequence[kinds.EndpointSlice]) -> dict[str, kinds.EndpointSlice]:
    return {_name(s): s for s in slices if ((s.get("metadata") or {}).get("labels") or {}).get(MANAGED_BY_LABEL)
            == MANAGED_BY}


def _writable(svc: kinds.Service | None, name: str) -> None:
    spec = (svc or {}).get("spec") or {}
    if svc is not None and spec.get("selector"):
        raise StateConflict(f"service {name!r} has a selector, so its endpoints are managed by the "
                            "EndpointSlice controller from its pods and are read-only here; remove the selector "
                            "to manage them by hand", field="name")
    if svc is not None and spec.get("type") == "ExternalName":
        raise StateConflict(f"service {name!r} is an ExternalName service; it has no endpoints", field="name")


def _service_for(name: str, namespace: str, subsets: Sequence[Subset]) -> kinds.Service:
    ports: dict[tuple[str, str], kinds.ServicePort] = {}
    for s in subsets:
        for p in s.get("ports") or []:
            port_name, protocol = p.get("name") or "", p.get("protocol") or "TCP"
            port: kinds.ServicePort = {"port": p["port"], "protocol": protocol, "targetPort": p["port"]}
            ports.setdefault((port_name, protocol), {"name": port_name, **port} if port_name else port)
    if len(ports) > 1 and any(not k[0] for k in ports):
        raise Unprocessable("every port needs a name when there is more than one", field="subsets.ports")
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": namespace, "annotations": {CREATED_FOR: "endpoints"},
                         "labels": {"app.kubernetes.io/managed-by": "cloudops"}},
            "spec": {"ports": list(ports.values())}}


class ServiceEndpoints:
    def __init__(self, member: MemberSession, services: ResourceType, slices: ResourceType) -> None:
        self.member, self.services_rt, self.slices_rt = member, services, slices

    @classmethod
    async def of(cls, member: MemberSession) -> ServiceEndpoints:
        return cls(member, await member.resolve("services"), await member.resolve("endpointslices.discovery.k8s.io"))

    async def service(self, namespace: str, name: str) -> kinds.Service | None:
        try:
            return kinds.parse(kinds.Service, await self.member.get(self.services_rt, namespace, name))
        except MemberError as e:
            if e.status == 404:
                return None
            raise

    async def slices(self, namespace: str | None, selector: str) -> list[kinds.EndpointSlice]:
        items, _ = await self.member.list_all(self.slices_rt, namespace, label_selector=selector)
        return kinds.parse_all(kinds.EndpointSlice, items)

    async def of_service(self, namespace: str, name: str) -> list[kinds.EndpointSlice]:
        return await self.slices(namespace, f"{SERVICE_LABEL}={name}")

    async def write(self, namespace: str, name: str, subsets: list[Subset] | None, labels: dict[str, str] | None,
                    annotations: dict[str, str] | None, create: bool) -> None:
        """Create or replace the slices of a selector-less Service so they hold exactly `subsets`."""
        check_labels(labels, "labels")
        svc = await self.service(namespace, name)
        _writable(svc, name)
        existing = await self.of_service(namespace, name)
        ours = _ours(existing)
        if create and ours:
            raise StateConflict(f"endpoints of service {name!r} already exist; update them", field="name")
        if not create and svc is None:
            raise Missing(f"service {name!r} does not exist in {namespace!r}", field="name")
        if subsets is None:  # labels/annotations only
            current = [s for s in existing if _name(s) in ours]
            subsets = subsets_of(current)
            if labels is None:
                labels = slice_labels(current)[0]
        wanted = slices_for(name, namespace, subsets, labels or {})
        for s in wanted:
            if annotations:
                s.setdefault("metadata", {})["annotations"] = dict(annotations)
        if svc is None:
            await self.member.create(self.services_rt, namespace, dict(_service_for(name, namespace, subsets)))
        for s in wanted:
            old = ours.pop(_name(s), None)
            if old is None:
                await self.member.create(self.slices_rt, namespace, dict(s))
            else:
                s.setdefault("metadata", {})["resourceVersion"] = (old.get("metadata") or {}).get(
                    "resourceVersion", "")
                await self.member.replace(self.slices_rt, namespace, _name(s), dict(s))
        for leftover in ours:
            await self.member.delete(self.slices_rt, namespace, leftover)

    async def remove(self, namespace: str, name: str) -> None:
        svc = await self.service(namespace, name)
        _writable(svc, name)
        ours = _ours(await self.of_service(namespace, name))
        if not ours and svc is None:
            raise Missing(f"no endpoints of service {name!r} in {namespace!r}", field="name")
        for slice_name in ours:
            await self.member.delete(self.slices_rt, namespace, slice_name)
        if svc is not None and ((svc.get("metadata") or {}).get("annotations") or {}).get(CREATED_FOR) == "endpoints":
            await self.member.delete(self.services_rt, namespace, name)
