"""Strategic-merge patches for pod templates, built and combined without a cluster.

A fix for one container must not touch the others, so container entries carry their `name` (the
strategic-merge key of `containers`) and combining two patches merges entries with the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["MERGE_KEYS", "at_path", "merge_patches"]

Json = dict[str, Any]
MERGE_KEYS = {"containers": "name", "initContainers": "name", "volumes": "name"}


def at_path(path: Sequence[str], value: Json) -> Json:
    """`value` nested under `path`: at_path(["spec", "template", "spec"], v) -> {"spec": {"template": {"spec": v}}}."""
    out = value
    for key in reversed(path):
        out = {key: out}
    return out


def _merge_list(key: str, a: list[Any], b: list[Any]) -> list[Any]:
    merge_key = MERGE_KEYS.get(key)
    if merge_key is None:
        return list(b)
    out: list[Any] = [dict(x) if isinstance(x, dict) else x for x in a]
    for item in b:
        match = next((i for i, x in enumerate(out) if isinstance(x, dict) and isinstance(item, dict)
                      and x.get(merge_key) == item.get(merge_key)), None)
        if match is None:
            out.append(item)
        else:
            out[match] = _merge(out[match], item)
    return out


def _merge(a: Json, b: Json) -> Json:
    out = dict(a)
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = _merge_list(key, out[key], value)
        else:
            out[key] = value
    return out


def merge_patches(patches: Sequence[Json]) -> Json:
    """One patch doing what all of `patches` do (later ones win on the same scalar)."""
    out: Json = {}
    for p in patches:
        out = _merge(out, p)
    return out
