"""Status writing shared by every kind's handlers."""

from __future__ import annotations

from typing import Any

import kopf

from cloudops.conditions import ready_condition, set_condition
from cloudops.constants import GROUP, VERSION, Kind

__all__ = ["ready_status", "register_placeholder"]


def ready_status(body: kopf.Body, ok: bool, reason: str, message: str) -> dict[str, Any]:
    """observedGeneration plus the Ready condition, merged into the object's current conditions."""
    generation = body.get("metadata", {}).get("generation")
    existing: list[dict[str, Any]] = list((body.get("status") or {}).get("conditions", []) or [])
    return {"observedGeneration": generation,
            "conditions": set_condition(existing, ready_condition(ok, reason, message, generation))}


def register_placeholder(kind: Kind, what: str) -> None:
    """Handlers for a kind whose behaviour is not built yet: an honest Ready=False, never a fake success."""

    def acknowledge(body: kopf.Body, patch: kopf.Patch, **_: Any) -> None:
        message = f"{what} is not implemented yet; the object is stored only"
        patch.status.update(ready_status(body, False, "NotImplemented", message))

    for cause in (kopf.on.resume, kopf.on.create, kopf.on.update):
        cause(GROUP, VERSION, kind.plural, id="placeholder")(acknowledge)
