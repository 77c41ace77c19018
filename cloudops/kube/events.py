"""Kubernetes Events on our objects, so `kubectl describe` shows what REST callers did."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from kubernetes_asyncio.client import ApiClient, CoreV1Api, CoreV1Event, V1EventSource, V1ObjectMeta, V1ObjectReference
from kubernetes_asyncio.client.exceptions import ApiException

__all__ = ["emit_event"]

log = logging.getLogger("cloudops.events")


async def emit_event(api: ApiClient, obj: dict[str, Any], reason: str, message: str, kind_type: str = "Normal",
                     component: str = "cloudops-shim") -> None:
    """Best effort: a failed Event must never fail the operation it describes."""
    meta = obj.get("metadata", {})
    now = datetime.now(UTC)
    event = CoreV1Event(
        metadata=V1ObjectMeta(generate_name=f"{meta.get('name', 'object')}.", namespace=meta.get("namespace")),
        involved_object=V1ObjectReference(api_version=obj.get("apiVersion"), kind=obj.get("kind"),
                                          name=meta.get("name"), namespace=meta.get("namespace"),
                                          uid=meta.get("uid"), resource_version=meta.get("resourceVersion")),
        reason=reason, message=message[:1024], type=kind_type, source=V1EventSource(component=component),
        first_timestamp=now, last_timestamp=now, count=1)
    try:
        await CoreV1Api(api).create_namespaced_event(meta.get("namespace"), event)
    except ApiException as e:
        log.warning("could not record event %s on %s: HTTP %s", reason, meta.get("name"), e.status)
