"""Who am I and what may I do: the console's view of the caller's rights (SelfSubjectAccessReview-style).

Each capability the API checks (a subresource of managedclusters) is asked for each verb through the same
authorizer as a real call, so a console hides exactly the actions a call would refuse; it never decides
anything itself. Over all clusters unless one cluster is named (RBAC may grant one cluster by resourceNames).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cloudops.services.access.models import CAPABILITIES, VERBS, Whoami, WhoamiCluster
from cloudops.services.base import Service

__all__ = ["AccessService", "Decide"]

# (verb, capability, cluster name or "" for all) -> allowed; the shim's authorizer behind it.
Decide = Callable[[str, str, str], Awaitable[bool]]

# The capability's own name in RBAC: the ManagedCluster objects themselves carry no subresource.
def _subresource(capability: str) -> str:
    return "" if capability == "clusters" else capability


class AccessService(Service):
    async def whoami(self, user: str, groups: tuple[str, ...], method: str, decide: Decide,
                     cluster: WhoamiCluster | None = None, *, issuer: str = "", expires_at: str = "") -> Whoami:
        name = cluster.name if cluster is not None else ""
        pairs = [(cap, verb) for cap in CAPABILITIES for verb in VERBS]
        gate = asyncio.Semaphore(16)  # ~105 reviews, cached by the authorizer; bounded against the hub

        async def one(cap: str, verb: str) -> bool:
            async with gate:
                return await decide(verb, _subresource(cap), name)

        answers = await asyncio.gather(*(one(c, v) for c, v in pairs))
        can: dict[str, list[str]] = {cap: [] for cap in CAPABILITIES}
        for (cap, verb), allowed in zip(pairs, answers, strict=True):
            if allowed:
                can[cap].append(verb)
        return Whoami(user=user, groups=list(groups), method=method, cluster=cluster,
                      can={cap: verbs for cap, verbs in can.items() if verbs}, issuer=issuer or None,
                      expires_at=expires_at or None)
