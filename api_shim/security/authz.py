"""Authorization through the hub's SubjectAccessReview: one set of RBAC rules for REST and kubectl."""

from __future__ import annotations

from dataclasses import dataclass

from api_shim.security.identity import User
from api_shim.security.ttlcache import TTLCache
from cloudops.constants import GROUP
from cloudops.kube.client import ApiClient
from cloudops.kube.reviews import AccessRequest, review_access

__all__ = ["Attributes", "Authorizer"]


@dataclass(frozen=True)
class Attributes:
    verb: str
    resource: str
    namespace: str
    subresource: str = ""
    name: str = ""

    def describe(self) -> str:
        res = f"{self.resource}/{self.subresource}" if self.subresource else self.resource
        return f"{self.verb} {res}.{GROUP}" + (f" {self.name!r}" if self.name else "") + f" in {self.namespace}"


class Authorizer:
    def __init__(self, hub: ApiClient, cache_seconds: float) -> None:
        self.hub = hub
        self._cache: TTLCache[tuple[str, tuple[str, ...], Attributes], tuple[bool, str]] = TTLCache(cache_seconds)

    async def allowed(self, user: User, attrs: Attributes) -> tuple[bool, str]:
        key = (user.name, user.groups, attrs)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        decision = await review_access(self.hub, AccessRequest(
            user.name, user.groups, user.uid, user.extra, GROUP, attrs.resource, attrs.verb, attrs.namespace,
            attrs.subresource, attrs.name))
        self._cache.put(key, decision)
        return decision
