"""ManagedCluster objects rendered in the reference's snake_case shapes."""

from __future__ import annotations

from typing import Any

__all__ = ["cluster_detail", "cluster_summary", "resources_view", "usage_view", "version_of"]


def version_of(status: dict[str, Any]) -> str:
    return str(status.get("kubernetesVersion", "")).removeprefix("v")


def resources_view(counts: dict[str, Any]) -> dict[str, int]:
    return {"pods": counts.get("pods", 0), "deployments": counts.get("deployments", 0),
            "services": counts.get("services", 0), "configmaps": counts.get("configmaps", 0),
            "secrets": counts.get("secrets", 0), "persistent_volumes": counts.get("persistentVolumes", 0),
            "nodes": counts.get("nodes", 0)}


def usage_view(usage: dict[str, Any]) -> dict[str, Any]:
    return {"cpu_usage": usage.get("cpuPercent"), "memory_usage": usage.get("memoryPercent"),
            "disk_usage": usage.get("diskPercent"), "source": usage.get("source", "none")}


def cluster_summary(cr: dict[str, Any]) -> dict[str, Any]:
    spec, status = cr.get("spec", {}), cr.get("status") or {}
    counts = status.get("resourceCounts") or {}
    return {
        "id": status.get("id") or _label_id(cr),
        "name": cr["metadata"]["name"],
        "display_name": spec.get("displayName") or cr["metadata"]["name"],
        "provider": spec.get("provider", "other"),
        "region": spec.get("region", ""),
        "version": version_of(status),
        "status": status.get("phase", "pending"),
        "health_status": status.get("healthStatus", "unknown"),
        "resource_count": sum(v for v in counts.values() if isinstance(v, int)),
        "last_sync_time": status.get("lastSyncTime"),
        "tags": list(spec.get("tags", [])),
    }


def _label_id(cr: dict[str, Any]) -> int | None:
    label = (cr["metadata"].get("labels") or {}).get("cloudops.io/id")
    return int(label) if label and label.isascii() and label.isdigit() else None


def cluster_detail(cr: dict[str, Any]) -> dict[str, Any]:
    status = cr.get("status") or {}
    counts, usage = status.get("resourceCounts") or {}, status.get("usage") or {}
    return {
        **cluster_summary(cr),
        "created_at": cr["metadata"].get("creationTimestamp"),
        "description": cr.get("spec", {}).get("description", ""),
        "api_server": status.get("apiServer", ""),
        "health_score": status.get("healthScore"),
        "message": status.get("message", ""),
        "metrics": {
            "cpu_usage": usage.get("cpuPercent"), "memory_usage": usage.get("memoryPercent"),
            "disk_usage": usage.get("diskPercent"), "pod_count": counts.get("pods", 0),
            "node_count": counts.get("nodes", status.get("nodeCount", 0)),
            "service_count": counts.get("services", 0), "deployment_count": counts.get("deployments", 0),
        },
    }
