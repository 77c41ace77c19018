"""Conditions of the typed custom-resource models (cloudops.resources): a transition time changes only when the
status does (as cloudops.conditions does for plain JSON)."""

from __future__ import annotations

from cloudops.conditions import now_iso
from cloudops.resources.base import Condition

__all__ = ["condition", "merge_condition", "ready_conditions"]


def condition(ctype: str, ok: bool, reason: str, message: str, generation: int | None,
              now: str | None = None) -> Condition:
    """A condition of `ctype`, True when `ok`; observedGeneration only when known."""
    new = Condition(type=ctype, status="True" if ok else "False", reason=reason, message=message,
                    last_transition_time=now or now_iso())
    if generation is not None:
        new.observed_generation = generation
    return new


def merge_condition(existing: list[Condition] | None, new: Condition) -> list[Condition]:
    """`existing` with `new` merged in by type, keeping the old transition time when the status is unchanged."""
    out: list[Condition] = []
    replaced = False
    for old in existing or []:
        if old.type != new.type:
            out.append(old)
            continue
        same = old.status == new.status and old.last_transition_time
        out.append(new.model_copy(update={"last_transition_time": old.last_transition_time}) if same else new)
        replaced = True
    if not replaced:
        out.append(new)
    return out


def ready_conditions(existing: list[Condition] | None, ok: bool, reason: str, message: str,
                     generation: int | None) -> list[Condition]:
    """`existing` with the Ready condition merged in."""
    return merge_condition(existing, condition("Ready", ok, reason, message, generation))
