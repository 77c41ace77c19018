"""Strategic-merge patches for pod templates, built and combined without a cluster.

A fix for one container must not touch the others, so container entries carry their `name` (the
strategic-merge key of `containers`) and combining two patches merges entries with the same name.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudops.kube.types import JsonObject, JsonValue

__all__ = ["MERGE_KEYS", "at_path", "merge_patches"]

MERGE_KEYS = {"containers": "name", "initContainers": "name", "volumes": "name"}


def at_path(path: Sequence[str], value: JsonObject) -> JsonObject:
    """`value` nested under `path`: at_path(["spec", "template", "spec"], v) -> {"spec": {"template": {"spec": v}}}."""
    out = value
    for key in reversed(path):
        out = {key: out}
    return out


def _merge_list(key: str, a: list[JsonValue], b: list[JsonValue]) -> list[JsonValue]:
    merge_key = MERGE_KEYS.get(key)
    if merge_key is None:
        return list(b)
    out: list[JsonValue] = [dict(x) if isinstance(x, dict) else x for x in a]
    for item in b:
        match = next((i for i, x in enumerate(out) if isinstance(x, dict) and isinstance(item, dict)
                      and x.get(merge_key) == item.get(merge_key)), None)
        current = out[match] if match is not None else None
        if match is None:
            out.append(item)
        elif isinstance(current, dict) and isinstance(item, dict):
            out[match] = _merge(current, item)
        else:
            out[match] = item
    return out


def _merge(a: JsonObject, b: JsonObject) -> JsonObject:
    out = dict(a)
    for key, value in b.items():
        current = out.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            out[key] = _merge(current, value)
        elif isinstance(value, list) and isinstance(current, list):
            out[key] = _merge_list(key, current, value)
        else:
            out[key] = value
    return out


def merge_patches(patches: Sequence[JsonObject]) -> JsonObject:
    """One patch doing what all of `patches` do (later ones win on the same scalar)."""
    out: JsonObject = {}
    for p in patches:
        out = _merge(out, p)
    return out
