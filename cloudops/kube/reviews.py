"""TokenReview and SubjectAccessReview on the hub: who a bearer token is, and what a user may do."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubernetes_asyncio.client import (
    ApiClient,
    AuthenticationV1Api,
    AuthorizationV1Api,
    V1ResourceAttributes,
    V1SubjectAccessReview,
    V1SubjectAccessReviewSpec,
    V1TokenReview,
    V1TokenReviewSpec,
)
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import translate

__all__ = ["AccessRequest", "ReviewedUser", "review_access", "review_token"]


@dataclass(frozen=True)
class ReviewedUser:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessRequest:
    user: str
    groups: tuple[str, ...]
    uid: str
    extra: dict[str, list[str]]
    group: str
    resource: str
    verb: str
    namespace: str
    subresource: str = ""
    name: str = ""


async def review_token(api: ApiClient, token: str) -> ReviewedUser | None:
    """The user the hub's authenticators see in `token`, or None when it is not accepted."""
    try:
        res = await AuthenticationV1Api(api).create_token_review(V1TokenReview(spec=V1TokenReviewSpec(token=token)))
    except ApiException as e:
        raise translate(e) from None
    status = res.status
    if status is None or not status.authenticated or status.user is None:
        return None
    u = status.user
    return ReviewedUser(u.username or "", tuple(u.groups or ()), u.uid or "",
                        {k: list(v) for k, v in (u.extra or {}).items()})


async def review_access(api: ApiClient, req: AccessRequest) -> tuple[bool, str]:
    """(allowed, reason) from the hub's authorizers."""
    review = V1SubjectAccessReview(spec=V1SubjectAccessReviewSpec(
        user=req.user, groups=list(req.groups), uid=req.uid or None, extra=req.extra or None,
        resource_attributes=V1ResourceAttributes(
            group=req.group, resource=req.resource, subresource=req.subresource or None, verb=req.verb,
            name=req.name or None, namespace=req.namespace)))
    try:
        res = await AuthorizationV1Api(api).create_subject_access_review(review)
    except ApiException as e:
        raise translate(e) from None
    return bool(res.status.allowed), res.status.reason or ""
