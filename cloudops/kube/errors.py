"""Kubernetes API failures as domain errors, so transports render them without knowing the client."""

from __future__ import annotations

import json

from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.errors import BusinessCode, CloudOpsError
from cloudops.redact import scrub

__all__ = ["Conflict", "Forbidden", "Invalid", "KubeError", "NotFound", "Unavailable", "translate"]


class KubeError(CloudOpsError):
    """A hub API server's answer: `message` is its own Status message, scrubbed, so safe to show."""

    status = 500

    def __init__(self, message: str, causes: list[dict[str, str]] | None = None) -> None:
        super().__init__(scrub(message))
        self.causes = causes or []


class NotFound(KubeError):
    status, code = 404, BusinessCode.RESOURCE_NOT_FOUND


class Conflict(KubeError):
    """A name taken or a stale resourceVersion: 409/1006, as a member's conflict is."""

    status, code = 409, BusinessCode.VERSION_CONFLICT


class Invalid(KubeError):
    status = 422


class Forbidden(KubeError):
    status = 403


class Unavailable(KubeError):
    status = 503


# 429 is the hub asking to come back later (a watch cache still (re)initializing after a restart, priority and
# fairness): for our caller the hub is briefly unavailable, 503.
_BY_STATUS: dict[int, type[KubeError]] = {404: NotFound, 409: Conflict, 422: Invalid, 403: Forbidden, 400: Invalid,
                                          429: Unavailable}


def translate(exc: ApiException) -> KubeError:
    """Maps an ApiException to a domain error carrying the API server's Status message and causes."""
    message: str = exc.reason or "error"
    causes: list[dict[str, str]] = []
    try:
        body = json.loads(exc.body or "{}")
        message = body.get("message", message)
        causes = body.get("details", {}).get("causes", []) or []
    except (ValueError, AttributeError):
        pass
    cls = _BY_STATUS.get(exc.status or 0, Unavailable if (exc.status or 0) >= 500 else KubeError)
    return cls(message, causes)
