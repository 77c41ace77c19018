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
from dataclasses import dataclass
from datetime import datetime

from cloudops.constants import API_VERSION, GROUP, SELF_HEALING_RULE
from cloudops.kube.client import ApiClient
from cloudops.kube.leases import Lease, holder_identity, micro, read_lease, write_lease
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


async def read(api: ApiClient, namespace: str, name: str) -> Held | None:
    lease = await read_lease(api, namespace, name)
    return None if lease is None else Held(lease.holder, lease.acquired, lease.seconds, lease.resource_version,
                                           lease.transitions)


async def claim(api: ApiClient, rule: Rule, cluster: str, resource: str, holder: str, now: datetime,
                previous: Held | None) -> bool:
    """True when this replica now holds the claim for `resource` (absent, or `previous` expired and not taken
    over by another replica meanwhile); False when another replica acted."""
    if previous is not None and not previous.expired(now):
        return False
    metadata = {"labels": {RULE_LABEL: rule.name},
                "annotations": {RESOURCE_ANNOTATION: f"{cluster}/{resource}"[:1024]},
                "ownerReferences": [{"apiVersion": API_VERSION, "kind": SELF_HEALING_RULE.kind, "name": rule.name,
                                     "uid": rule.uid, "blockOwnerDeletion": False}]}
    spec = {"holderIdentity": holder, "acquireTime": micro(now), "renewTime": micro(now),
            "leaseDurationSeconds": max(1, rule.cooldown),
            "leaseTransitions": (previous.transitions + 1) if previous else 0}
    seen = None if previous is None else Lease(previous.holder, previous.acquired, None, previous.seconds,
                                               previous.transitions, previous.resource_version)
    # False: created or taken over by another replica first (or deleted meanwhile).
    return await write_lease(api, rule.namespace, claim_name(rule.uid, cluster, resource), spec, seen, metadata)
