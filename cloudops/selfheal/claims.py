"""Claims: the hub decides which operator replica acts, and the claim's lifetime is the cooldown.

A claim is a coordination.k8s.io Lease in the hub whose name is a digest of (rule uid, cluster, resource), so
every replica that sees the same match names the same object. Creating it wins; 409 means another replica
holds it. While it is younger than the rule's cooldown nobody acts on that resource again; once expired, one
replica takes it over by replacing it at the resourceVersion it read (a concurrent takeover gets 409). There is
no wall-clock bucket whose edge two replicas could fall on either side of. Leases are owned by their rule and
go with it; one exists per rule and resource ever acted upon, reused on the next action.
"""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudops.constants import API_VERSION, FIELD_MANAGER, GROUP, SELF_HEALING_RULE
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import KubeError, Unavailable
from cloudops.kube.raw import RawResponse, request
from cloudops.kube.types import KubeObject
from cloudops.selfheal.guards import lease_expired
from cloudops.selfheal.rules import Rule

__all__ = ["RULE_LABEL", "Held", "claim", "claim_name", "holder_identity", "read"]

RULE_LABEL = f"{GROUP}/self-healing-rule"
RESOURCE_ANNOTATION = f"{GROUP}/self-healing-resource"


@dataclass(frozen=True)
class Held:
    holder: str
    acquired: datetime | None
    seconds: int
    resource_version: str
    transitions: int

    def expired(self, now: datetime) -> bool:
        return lease_expired(self.acquired, self.seconds, now)


def claim_name(rule_uid: str, cluster: str, resource: str) -> str:
    return "shr-" + hashlib.sha256(f"{rule_uid}\n{cluster}\n{resource}".encode()).hexdigest()[:48]


def holder_identity() -> str:
    """This replica: its pod name (HOSTNAME) and process id."""
    return f"{os.environ.get('HOSTNAME') or socket.gethostname()}/{os.getpid()}"[:128]


def _micro(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _path(namespace: str, name: str = "") -> str:
    return f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases" + (f"/{name}" if name else "")


def _fail(resp: RawResponse, what: str) -> KubeError:
    try:
        message = str(resp.json().get("message") or what)
    except ValueError:
        message = what
    error = KubeError(message) if resp.status < 500 else Unavailable(message)
    error.status = resp.status
    return error


async def read(api: ApiClient, namespace: str, name: str) -> Held | None:
    resp = await request(api, "GET", _path(namespace, name), seconds=30)
    if resp.status == 404:
        return None
    if resp.status != 200:
        raise _fail(resp, f"reading claim {name}: HTTP {resp.status}")
    lease = resp.json()
    spec = lease.get("spec") or {}
    return Held(str(spec.get("holderIdentity") or ""), _parse(spec.get("acquireTime")),
                int(spec.get("leaseDurationSeconds") or 0), str((lease.get("metadata") or {}).get("resourceVersion")),
                int(spec.get("leaseTransitions") or 0))


async def claim(api: ApiClient, rule: Rule, cluster: str, resource: str, holder: str, now: datetime,
                previous: Held | None) -> bool:
    """True when this replica now holds the claim for `resource` (absent, or `previous` expired and not taken
    over by another replica meanwhile); False when another replica acted."""
    name = claim_name(rule.uid, cluster, resource)
    body: KubeObject = {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": name, "namespace": rule.namespace, "labels": {RULE_LABEL: rule.name},
                     "annotations": {RESOURCE_ANNOTATION: f"{cluster}/{resource}"[:1024]},
                     "ownerReferences": [{"apiVersion": API_VERSION, "kind": SELF_HEALING_RULE.kind, "name": rule.name,
                                          "uid": rule.uid, "blockOwnerDeletion": False}]},
        "spec": {"holderIdentity": holder, "acquireTime": _micro(now), "renewTime": _micro(now),
                 "leaseDurationSeconds": max(1, rule.cooldown),
                 "leaseTransitions": (previous.transitions + 1) if previous else 0}}
    query = [("fieldManager", FIELD_MANAGER)]
    if previous is None:
        resp = await request(api, "POST", _path(rule.namespace), query=query, body=body, seconds=30)
    else:
        if not previous.expired(now):
            return False
        body["metadata"]["resourceVersion"] = previous.resource_version
        resp = await request(api, "PUT", _path(rule.namespace, name), query=query, body=body, seconds=30)
    if resp.status in (409, 404):  # created or taken over by another replica first (or deleted meanwhile)
        return False
    if not 200 <= resp.status <= 299:
        raise _fail(resp, f"claiming {name}: HTTP {resp.status}")
    return True
