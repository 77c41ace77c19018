"""The reference's backup item (2.2) from a YamlBackup object; pure."""

from __future__ import annotations

from typing import Any

from cloudops.backups.store import SCHEDULE_LABEL

__all__ = ["backup_view", "human_size"]

Json = dict[str, Any]
_PHASES = {"Completed": "completed", "Failed": "failed"}


def human_size(size: int) -> str:
    """`2.5MB` as the reference writes sizes (1024-based, one decimal, no trailing .0)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.1f}".removesuffix(".0") if unit != "B" else str(int(value))
            return f"{text}{unit}"
        value /= 1024
    raise AssertionError("unreachable")


def backup_view(cr: Json) -> Json:
    meta, spec, status = cr.get("metadata") or {}, cr.get("spec") or {}, cr.get("status") or {}
    size = int(status.get("sizeBytes") or 0)
    return {
        "id": int(status.get("id") or (meta.get("labels") or {}).get("cloudops.io/id") or 0),
        "backup_name": meta.get("name", ""),
        "resource_id": spec.get("resourceId", ""),
        "resource_type": spec.get("resourceType", ""),
        "cluster_id": spec.get("clusterId"),
        "cluster_name": (spec.get("clusterRef") or {}).get("name", ""),
        "namespace": spec.get("namespace", ""),
        "name": spec.get("name", ""),
        "description": spec.get("description", ""),
        "created_at": meta.get("creationTimestamp"),
        "created_by": spec.get("createdBy", ""),
        "file_size": human_size(size),
        "size_bytes": size,
        "encrypted": bool(status.get("encrypted")),
        "status": _PHASES.get(str(status.get("phase")), "in_progress"),
        "sha256": status.get("sha256"),
        "object_count": int(status.get("objectCount") or 0),
        "schedule": (meta.get("labels") or {}).get(SCHEDULE_LABEL),
        "error": status.get("error"),
    }
