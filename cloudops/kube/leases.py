"""coordination.k8s.io Leases through the raw client: read, and written only at the resourceVersion read (or
created), so of two replicas writing the same Lease exactly one wins and the other learns it (409).

Used by the operator's leader election (cloudops_operator/leader.py) and the self-healing claims
(cloudops/selfheal/claims.py).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cloudops.constants import FIELD_MANAGER
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import KubeError, Unavailable
from cloudops.kube.raw import RawResponse, request
from cloudops.kube.types import KubeObject

__all__ = ["Lease", "Observed", "delete_lease", "fail", "holder_identity", "lease_path", "list_leases", "micro",
           "parse_time", "put_lease", "read_lease", "write_lease"]


def holder_identity() -> str:
    """This replica: its pod name (HOSTNAME) and process id."""
    return f"{os.environ.get('HOSTNAME') or socket.gethostname()}/{os.getpid()}"[:128]


def micro(moment: datetime) -> str:
    """A Lease's MicroTime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def lease_path(namespace: str, name: str = "") -> str:
    return f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases" + (f"/{name}" if name else "")


def fail(resp: RawResponse, what: str) -> KubeError:
    """The hub's answer as an error: its Status message, 503 for a 5xx."""
    try:
        message = str(resp.json().get("message") or what)
    except ValueError:
        message = what
    error = KubeError(message) if resp.status < 500 else Unavailable(message)
    error.status = resp.status
    return error


@dataclass(frozen=True)
class Lease:
    """A Lease's spec as read, with the resourceVersion a write must name."""

    holder: str
    acquired: datetime | None
    renewed: datetime | None
    seconds: int
    transitions: int
    resource_version: str
    name: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, obj: KubeObject) -> Lease:
        spec, meta = obj.get("spec") or {}, obj.get("metadata") or {}
        return cls(str(spec.get("holderIdentity") or ""), parse_time(spec.get("acquireTime")),
                   parse_time(spec.get("renewTime")), int(spec.get("leaseDurationSeconds") or 0),
                   int(spec.get("leaseTransitions") or 0), str(meta.get("resourceVersion")),
                   str(meta.get("name") or ""), {str(k): str(v) for k, v in (meta.get("labels") or {}).items()})


@dataclass
class Observed:
    """When this replica first saw a Lease's current record (holder and renewal), by its own monotonic clock.

    Expiry is judged from that moment, as client-go's leader election does: clocks of different nodes are never
    compared, so a holder whose clock is off neither keeps a Lease forever nor loses it early."""

    clock: Callable[[], float] = time.monotonic
    record: tuple[str, str] | None = None
    since: float = 0.0

    def see(self, lease: Lease) -> None:
        record = (lease.holder, lease.renewed.isoformat() if lease.renewed else "")
        if record != self.record:
            self.record, self.since = record, self.clock()

    def expired(self, lease: Lease) -> bool:
        """Free (no holder), or not renewed for its whole duration as seen from here."""
        return not lease.holder or self.clock() - self.since > max(1, lease.seconds)

    def age(self) -> float:
        """Seconds since the current record was first seen."""
        return self.clock() - self.since


async def read_lease(api: ApiClient, namespace: str, name: str, seconds: float = 30) -> Lease | None:
    resp = await request(api, "GET", lease_path(namespace, name), seconds=seconds)
    if resp.status == 404:
        return None
    if resp.status != 200:
        raise fail(resp, f"reading Lease {name}: HTTP {resp.status}")
    return Lease.of(resp.json())


async def list_leases(api: ApiClient, namespace: str, selector: str, seconds: float = 30) -> list[Lease]:
    """The Leases matching a label selector, in one request."""
    resp = await request(api, "GET", lease_path(namespace), query=[("labelSelector", selector)], seconds=seconds)
    if resp.status != 200:
        raise fail(resp, f"listing Leases {selector}: HTTP {resp.status}")
    return [Lease.of(obj) for obj in resp.json().get("items") or []]


async def delete_lease(api: ApiClient, namespace: str, lease: Lease) -> bool:
    """Deletes the Lease as read (its resourceVersion a precondition): False when it changed or went meanwhile."""
    body = {"apiVersion": "v1", "kind": "DeleteOptions",
            "preconditions": {"resourceVersion": lease.resource_version}}
    resp = await request(api, "DELETE", lease_path(namespace, lease.name), body=body, seconds=30)
    if resp.status in (409, 404):
        return False
    if not 200 <= resp.status <= 299:
        raise fail(resp, f"deleting Lease {lease.name}: HTTP {resp.status}")
    return True


async def write_lease(api: ApiClient, namespace: str, name: str, spec: dict[str, Any], previous: Lease | None,
                      metadata: dict[str, Any] | None = None, seconds: float = 30) -> bool:
    """Creates the Lease (no `previous`) or replaces it at `previous`'s resourceVersion: True when written,
    False when another writer came first (409) or it was deleted meanwhile (404)."""
    return await put_lease(api, namespace, name, spec, previous, metadata, seconds) is not None


async def put_lease(api: ApiClient, namespace: str, name: str, spec: dict[str, Any], previous: Lease | None,
                    metadata: dict[str, Any] | None = None, seconds: float = 30) -> Lease | None:
    """`write_lease`, returning the Lease as written (its new resourceVersion: the next write needs no read)."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace, **(metadata or {})}
    if previous is not None:
        meta["resourceVersion"] = previous.resource_version
    body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta, "spec": spec}
    query = [("fieldManager", FIELD_MANAGER)]
    if previous is None:
        resp = await request(api, "POST", lease_path(namespace), query=query, body=body, seconds=seconds)
    else:
        resp = await request(api, "PUT", lease_path(namespace, name), query=query, body=body, seconds=seconds)
    if resp.status in (409, 404):
        return None
    if not 200 <= resp.status <= 299:
        raise fail(resp, f"writing Lease {name}: HTTP {resp.status}")
    return Lease.of(resp.json())
