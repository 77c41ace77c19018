"""A steady cluster's sync writes only its heartbeat; a real change writes the whole status."""

from __future__ import annotations

from typing import Any

from cloudops_operator.handlers.managed_cluster import status_patch


def _status(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "phase": "connected", "healthScore": 100.0, "lastSyncTime": "2026-01-01T00:00:00Z",
        "message": "connected in 0.01s", "resourceCounts": {"pods": 3},
        "components": [{"name": "etcd", "status": "healthy", "responseTimeSeconds": 0.01, "message": "3s ago"}],
        "conditions": [{"type": "Ready", "status": "True", "reason": "Connected", "message": "connected in 0.01s",
                        "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        "nodes": None}
    base.update(over)
    return base


def test_only_volatile_readings_changed_writes_the_heartbeat() -> None:
    current = _status()
    current.pop("nodes")
    new = _status(lastSyncTime="2026-01-01T00:01:00Z", message="connected in 0.02s",
                  components=[{"name": "etcd", "status": "healthy", "responseTimeSeconds": 0.03,
                               "message": "9s ago"}])
    assert status_patch(current, new) == {"lastSyncTime": "2026-01-01T00:01:00Z", "message": "connected in 0.02s"}


def test_a_meaningful_change_writes_everything() -> None:
    current = _status()
    current.pop("nodes")
    for change in ({"resourceCounts": {"pods": 4}}, {"healthScore": 80.0},
                   {"components": [{"name": "etcd", "status": "unhealthy"}]},
                   {"conditions": [{"type": "Ready", "status": "False", "reason": "Timeout"}]}):
        new = _status(**change)
        assert status_patch(current, new) is new, change


def test_a_field_to_clear_forces_a_full_write() -> None:
    current = _status(nodes=[{"name": "n1", "status": "Ready"}])  # written by an older operator
    new = _status()
    assert status_patch(current, new) is new


def test_a_sync_request_is_answered_even_when_nothing_changed() -> None:
    current = _status()
    current.pop("nodes")
    patch = status_patch(current, _status(lastSyncRequest="token-1"))
    assert patch["lastSyncRequest"] == "token-1" and "resourceCounts" not in patch
