"""Field-level diffs of Kubernetes objects, shared by cross-cluster compare, YAML version diffs and compliance.

Pure and I/O-free on purpose: callers fetch objects however they like, run them through `normalize` so
server-populated noise (status, managedFields, resourceVersion...) does not show up as drift, then `diff`
them. Lists are matched by merge key (container/env/volume name, port, mountPath...) the way Kubernetes
strategic merge does, so the same objects returned in a different order compare equal.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

__all__ = ["Change", "ChangeKind", "ChangeView", "changed_fields", "describe", "diff", "merge_patch", "normalize",
           "summarize"]

ChangeKind = Literal["added", "modified", "deleted"]

_Segment = str | int  # str: mapping key, int: list index
_Path = tuple[_Segment, ...]
_Found = tuple[_Path, ChangeKind, Any, Any]

# Written by the API server or controllers, never by the author, so they differ between any two copies.
_METADATA_NOISE = (
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)
_ANNOTATION_NOISE = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
)

# Merge keys tried in order, by list field name; an empty tuple forces positional comparison.
_MERGE_KEYS: Mapping[str, tuple[str, ...]] = {
    "ports": ("name", "containerPort", "port"),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "tolerations": (),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
}
_DEFAULT_MERGE_KEYS = ("name",)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KIND_ORDER: Mapping[str, int] = {"deleted": 0, "modified": 1, "added": 2}
_VALUE_WIDTH = 40


class ChangeView(TypedDict):
    """A change as API responses expose it."""

    type: ChangeKind
    path: str
    old_value: Any
    new_value: Any


@dataclass(frozen=True)
class Change:
    """One field-level difference; `old_value` is None when added, `new_value` is None when deleted."""

    kind: ChangeKind
    path: str
    old_value: Any
    new_value: Any

    def to_dict(self) -> ChangeView:
        """JSON-ready form; the key is `type` because that is what API responses expose."""
        return ChangeView(type=self.kind, path=self.path, old_value=self.old_value, new_value=self.new_value)


def normalize(obj: Mapping[str, Any], *, include_metadata: bool = True) -> dict[str, Any]:
    """Deep copy of `obj` without server-populated fields, so two copies of the same manifest compare equal.

    ownerReferences are kept: they are meaningful (who garbage-collects the object). With
    include_metadata=False labels and annotations are dropped too, for comparisons that only care about spec.
    """
    out: dict[str, Any] = copy.deepcopy(dict(obj))
    out.pop("status", None)
    meta = out.get("metadata")
    if not isinstance(meta, dict):
        return out
    for field in _METADATA_NOISE:
        meta.pop(field, None)
    if not include_metadata:
        meta.pop("labels", None)
        meta.pop("annotations", None)
        return out
    annotations = meta.get("annotations")
    if isinstance(annotations, dict):
        for name in _ANNOTATION_NOISE:
            annotations.pop(name, None)
    for field in ("labels", "annotations"):
        if field in meta and meta[field] in (None, {}):
            del meta[field]
    return out


def diff(old: Any, new: Any, *, index_from: Literal["new", "old"] = "new") -> list[Change]:
    """Differences from `old` to `new`, sorted by path (list indices numerically) for stable output.

    A key or list item present on one side only is a single change carrying the whole subtree. Values are
    deep-copied so callers can keep or mutate the changes without touching the compared objects.
    Items matched by merge key are numbered by their place in `new` (a version diff reads in the new
    object), or in `old` with index_from="old" (comparing many objects against one base keeps one numbering).
    """
    found: list[_Found] = []
    _walk(old, new, (), None, found, index_from == "old")
    found.sort(key=lambda f: (_sort_key(f[0]), _KIND_ORDER[f[1]]))
    return [Change(kind, _format_path(path), copy.deepcopy(o), copy.deepcopy(n)) for path, kind, o, n in found]


def changed_fields(old: Any, new: Any) -> set[tuple[str, ...]]:
    """The field paths (mapping keys only, cut at the first list item) where `old` and `new` differ: the
    granularity of managedFields ownership, which says who wrote each field."""
    found: list[_Found] = []
    _walk(old, new, (), None, found, False)
    fields: set[tuple[str, ...]] = set()
    for path, *_ in found:
        cut = next((i for i, seg in enumerate(path) if isinstance(seg, int)), len(path))
        fields.add(tuple(str(seg) for seg in path[:cut]))
    return fields


def summarize(changes: Sequence[Change]) -> dict[str, int]:
    """Counts per change kind plus the total, for badges and API summaries."""
    counts = {"added": 0, "modified": 0, "deleted": 0}
    for change in changes:
        counts[change.kind] += 1
    return {**counts, "total": len(changes)}


def describe(changes: Sequence[Change], limit: int = 3) -> str:
    """One-line change log: `path old→new` for modified, `+path=new` for added, `-path` for deleted."""
    if not changes:
        return "no changes"
    parts = [_describe_one(change) for change in changes[: max(limit, 0)]]
    hidden = len(changes) - len(parts)
    if hidden:
        parts.append(f"+{hidden} more")
    return "; ".join(parts)


def _walk(old: Any, new: Any, path: _Path, field: str | None, out: list[_Found], old_index: bool) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        _diff_mappings(old, new, path, out, old_index)
    elif _is_list(old) and _is_list(new):
        _diff_lists(old, new, path, field, out, old_index)
    elif not _same_scalar(old, new):
        out.append((path, "modified", old, new))


def _diff_mappings(old: Mapping[Any, Any], new: Mapping[Any, Any], path: _Path, out: list[_Found],
                   old_index: bool) -> None:
    for key, value in old.items():
        if key not in new:
            out.append(((*path, str(key)), "deleted", value, None))
        else:
            _walk(value, new[key], (*path, str(key)), str(key), out, old_index)
    for key, value in new.items():
        if key not in old:
            out.append(((*path, str(key)), "added", None, value))


def _diff_lists(old: Sequence[Any], new: Sequence[Any], path: _Path, field: str | None, out: list[_Found],
                old_index: bool) -> None:
    key = _merge_key(old, new, field)
    if key is None:
        for i in range(max(len(old), len(new))):
            if i >= len(new):
                out.append(((*path, i), "deleted", old[i], None))
            elif i >= len(old):
                out.append(((*path, i), "added", None, new[i]))
            else:
                _walk(old[i], new[i], (*path, i), None, out, old_index)
        return
    old_at = {item[key]: i for i, item in enumerate(old)}
    new_keys = {item[key] for item in new}
    for j, item in enumerate(new):
        at = old_at.get(item[key])
        if at is None:
            out.append(((*path, j), "added", None, item))
        else:
            _walk(old[at], item, (*path, at if old_index else j), None, out, old_index)
    for i, item in enumerate(old):
        if item[key] not in new_keys:
            out.append(((*path, i), "deleted", item, None))


def _merge_key(old: Sequence[Any], new: Sequence[Any], field: str | None) -> str | None:
    """First candidate key that identifies every item on both sides; None means compare by position."""
    candidates = _MERGE_KEYS.get(field, _DEFAULT_MERGE_KEYS) if field is not None else _DEFAULT_MERGE_KEYS
    for key in candidates:
        if _identifies(old, key) and _identifies(new, key):
            return key
    return None


def _identifies(items: Sequence[Any], key: str) -> bool:
    seen: set[Any] = set()
    for item in items:
        if not isinstance(item, Mapping):
            return False
        value = item.get(key)
        if not isinstance(value, str | int | float) or value in seen:
            return False
        seen.add(value)
    return True


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _scalar_kind(value: Any) -> str:
    """Type class for equality: ints and floats are one JSON number, but booleans are not numbers."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


def _same_scalar(old: Any, new: Any) -> bool:
    return _scalar_kind(old) == _scalar_kind(new) and bool(old == new)


def _sort_key(path: _Path) -> tuple[tuple[int, str, int], ...]:
    return tuple((0, seg, 0) if isinstance(seg, str) else (1, "", seg) for seg in path)


def _format_path(path: _Path) -> str:
    parts: list[str] = []
    for seg in path:
        if isinstance(seg, int):
            parts.append(f"[{seg}]")
        elif _IDENTIFIER.fullmatch(seg):
            parts.append(f".{seg}" if parts else seg)
        else:
            parts.append(f"[{json.dumps(seg, ensure_ascii=False)}]")
    return "".join(parts)


def _describe_one(change: Change) -> str:
    path = change.path or "<root>"
    if change.kind == "added":
        return f"+{path}={_short(change.new_value)}"
    if change.kind == "deleted":
        return f"-{path}"
    return f"{path} {_short(change.old_value)}→{_short(change.new_value)}"


def _short(value: Any) -> str:
    """Strings as-is (image tags read better unquoted), everything else as compact JSON, capped in width."""
    if isinstance(value, str) and value:
        text = value
    else:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def merge_patch(old: Any, new: Any) -> Any:
    """The RFC 7386 JSON merge patch that turns `old` into `new`: maps merge key by key with null for a
    removed key, anything else (lists included) is replaced whole. Lets a caller replace a nested map
    exactly with a merge patch, which (unlike a JSON patch) can carry metadata.resourceVersion."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return new
    patch: dict[str, object] = {k: None for k in old if k not in new}
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = merge_patch(old[key], value)
    return patch
