"""What a version holds and how it is described: pure functions over objects.

Objects are normalized (cloudops.diff.normalize) before they are compared or stored, so a change to
status, managedFields, resourceVersion and the like records nothing.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cloudops.diff import changed_fields, describe, diff, normalize
from cloudops.kube.types import JsonObject

__all__ = ["BRANCH_ANNOTATION", "CHANGE_CAUSE", "VERSIONED_LABEL", "branch_of", "change_log", "decode", "encode",
           "fingerprint", "last_manager", "resource_key", "stored"]

VERSIONED_LABEL = "cloudops.io/versioned"
BRANCH_ANNOTATION = "cloudops.io/branch"
CHANGE_CAUSE = "kubernetes.io/change-cause"


def resource_key(cluster: str, group: str, plural: str, namespace: str, name: str) -> str:
    """A label-safe key for one object in one cluster (sha256, 40 hex digits)."""
    return hashlib.sha256(f"{cluster}/{group}/{plural}/{namespace}/{name}".encode()).hexdigest()[:40]


def stored(obj: Mapping[str, Any]) -> JsonObject:
    """The form a version keeps: normalized, without the managed-fields bookkeeping."""
    return normalize(obj)


def fingerprint(obj: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(stored(obj), sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def encode(obj: Mapping[str, Any]) -> str:
    raw = json.dumps(stored(obj), sort_keys=True, separators=(",", ":")).encode()
    return base64.b64encode(gzip.compress(raw, mtime=0)).decode()


def decode(text: str) -> JsonObject:
    doc = json.loads(gzip.decompress(base64.b64decode(text)))
    if not isinstance(doc, dict):
        raise ValueError("a stored version is not an object")
    return doc


def branch_of(obj: Mapping[str, Any]) -> str:
    return str(((obj.get("metadata") or {}).get("annotations") or {}).get(BRANCH_ANNOTATION) or "main")


def change_log(previous: Mapping[str, Any] | None, current: Mapping[str, Any], reason: str = "") -> str:
    """The request's reason, else a new change-cause annotation, else a summary such as `spec.replicas 3→5`."""
    if reason:
        return reason
    cause = ((current.get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE)
    old_cause = (((previous or {}).get("metadata") or {}).get("annotations") or {}).get(CHANGE_CAUSE)
    if cause and cause != old_cause:
        return str(cause)
    if previous is None:
        return "Initial version"
    changes = diff(stored(previous), stored(current))
    return describe(changes) if changes else "No changes"


def last_manager(obj: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> str:
    """Who made the change from `previous`: of the field managers that own a changed field, the one that
    wrote last; without `previous` (or when no owner of a changed field remains, as after a deletion) the
    manager that wrote last. managedFields times have whole seconds, so two writers in one second tie on
    time alone; ownership of the changed field tells them apart."""
    entries = [m for m in (obj.get("metadata") or {}).get("managedFields") or []
               if m.get("operation") in ("Update", "Apply") and not m.get("subresource")]
    if not entries:
        return ""
    if previous is not None:
        changed = changed_fields(stored(previous), stored(obj))
        owners = [m for m in entries if any(_owns(m.get("fieldsV1"), path) for path in changed)]
        entries = owners or entries
    return str(max(entries, key=lambda m: str(m.get("time") or "")).get("manager") or "")


def _owns(fields: Any, path: tuple[str, ...]) -> bool:
    """Whether a managedFields fieldsV1 set holds `path` (the field itself, or part of it when it is a list)."""
    node = fields
    for key in path:
        if not isinstance(node, Mapping) or f"f:{key}" not in node:
            return False
        node = node[f"f:{key}"]
    return bool(path)
