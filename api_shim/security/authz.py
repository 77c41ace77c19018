"""Authorization through the hub's SubjectAccessReview: one set of RBAC rules for REST and kubectl."""

from __future__ import annotations

from dataclasses import dataclass

from kubernetes_asyncio.client import (
    ApiClient,
    AuthorizationV1Api,
    V1ResourceAttributes,
    V1SubjectAccessReview,
    V1SubjectAccessReviewSpec,
)

from api_shim.security.identity import User
from api_shim.security.ttlcache import TTLCache
from cloudops.constants import GROUP

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
        review = V1SubjectAccessReview(spec=V1SubjectAccessReviewSpec(
            user=user.name, groups=list(user.groups), uid=user.uid or None, extra=user.extra or None,
            resource_attributes=V1ResourceAttributes(
                group=GROUP, resource=attrs.resource, subresource=attrs.subresource or None, verb=attrs.verb,
                name=attrs.name or None, namespace=attrs.namespace)))
        res = await AuthorizationV1Api(self.hub).create_subject_access_review(review)
        decision = (bool(res.status.allowed), res.status.reason or "")
        self._cache.put(key, decision)
        return decision
