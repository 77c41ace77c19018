"""metav1.Condition bookkeeping: a transition time changes only when the status does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TypeAlias

__all__ = ["Condition", "now_iso", "ready_condition", "set_condition"]

Condition: TypeAlias = dict[str, object]
"""A metav1.Condition as a status carries it, in wire names (type, status, reason, message, observedGeneration,
lastTransitionTime): a JSON object whose fields a reader narrows; cloudops.resources.base.Condition is its model."""


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ready_condition(ok: bool, reason: str, message: str, generation: int | None) -> Condition:
    cond: Condition = {"type": "Ready", "status": "True" if ok else "False", "reason": reason, "message": message}
    if generation is not None:
        cond["observedGeneration"] = generation
    return cond


def set_condition(existing: Iterable[Mapping[str, object]] | None, new: Mapping[str, object],
                  now: str | None = None) -> list[Condition]:
    """Returns the list with `new` merged in by type, keeping lastTransitionTime if status is unchanged."""
    out: list[Condition] = []
    replaced = False
    for cond in existing or []:
        if cond.get("type") == new["type"]:
            merged = dict(new)
            same = cond.get("status") == new["status"] and cond.get("lastTransitionTime")
            merged["lastTransitionTime"] = cond["lastTransitionTime"] if same else (now or now_iso())
            out.append(merged)
            replaced = True
        else:
            out.append(dict(cond))
    if not replaced:
        out.append({**new, "lastTransitionTime": now or now_iso()})
    return out
