"""Kubernetes Events on our objects, so `kubectl describe` shows what REST callers did."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from kubernetes_asyncio.client import ApiClient, CoreV1Api, CoreV1Event, V1EventSource, V1ObjectMeta, V1ObjectReference
from kubernetes_asyncio.client.exceptions import ApiException

__all__ = ["emit_event"]

log = logging.getLogger("cloudops.events")


def _text(fields: Mapping[str, object], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) else None


async def emit_event(api: ApiClient, obj: Mapping[str, object], reason: str, message: str,
                     kind_type: str = "Normal", component: str = "cloudops-shim") -> None:
    """Best effort: a failed Event must never fail the operation it describes. `obj` is the object as stored
    (a KubeObject, or any JSON object with apiVersion, kind and metadata)."""
    found = obj.get("metadata")
    meta: Mapping[str, object] = found if isinstance(found, Mapping) else {}
    name, namespace = _text(meta, "name"), _text(meta, "namespace")
    now = datetime.now(UTC)
    event = CoreV1Event(
        metadata=V1ObjectMeta(generate_name=f"{meta.get('name', 'object')}.", namespace=namespace),
        involved_object=V1ObjectReference(api_version=_text(obj, "apiVersion"), kind=_text(obj, "kind"),
                                          name=name, namespace=namespace, uid=_text(meta, "uid"),
                                          resource_version=_text(meta, "resourceVersion")),
        reason=reason, message=message[:1024], type=kind_type, source=V1EventSource(component=component),
        first_timestamp=now, last_timestamp=now, count=1)
    try:
        await CoreV1Api(api).create_namespaced_event(namespace or "", event)
    except ApiException as e:
        log.warning("could not record event %s on %s: HTTP %s", reason, meta.get("name"), e.status)
