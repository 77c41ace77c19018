"""Status writing shared by every kind's handlers."""

from __future__ import annotations

import kopf

from cloudops.conditions import ready_condition, set_condition

__all__ = ["ready_status"]


def ready_status(body: kopf.Body, ok: bool, reason: str, message: str) -> dict[str, object]:
    """observedGeneration plus the Ready condition, merged into the object's current conditions: wire names, for
    a merge patch or a kind's status model (cloudops_operator.model_status does it over Condition models)."""
    generation = body.get("metadata", {}).get("generation")
    existing = list((body.get("status") or {}).get("conditions", []) or [])
    return {"observedGeneration": generation,
            "conditions": set_condition(existing, ready_condition(ok, reason, message, generation))}
