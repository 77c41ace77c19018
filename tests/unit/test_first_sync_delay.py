"""A loop starting on a cluster (restart, takeover) keeps its cadence when its status is current, and probes at
once when it is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cloudops.clusters.registry import SYNC_ANNOTATION
from cloudops_operator.handlers.managed_cluster import first_sync_delay

NOW = datetime(2026, 12, 5, 12, 0, 0, tzinfo=UTC)


def _cluster(synced: datetime | None, generation: int = 1, observed: int | None = 1, interval: int = 60,
             request: str | None = None, answered: str | None = None) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": "connected", "observedGeneration": observed}
    if synced is not None:
        status["lastSyncTime"] = synced.strftime("%Y-%m-%dT%H:%M:%SZ")
    if answered is not None:
        status["lastSyncRequest"] = answered
    meta: dict[str, Any] = {"name": "c", "namespace": "n", "generation": generation}
    if request is not None:
        meta["annotations"] = {SYNC_ANNOTATION: request}
    return {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster", "metadata": meta,
            "spec": {"kubeconfigSecretRef": {"name": "kc"}, "syncIntervalSeconds": interval}, "status": status}


def test_a_current_status_is_probed_when_its_interval_is_up() -> None:
    assert first_sync_delay(_cluster(NOW - timedelta(seconds=20)), NOW) == 40
    assert first_sync_delay(_cluster(NOW - timedelta(seconds=90)), NOW) == 0


def test_never_synced_changed_or_requested_is_probed_at_once() -> None:
    assert first_sync_delay({**_cluster(None), "status": None}, NOW) == 0
    assert first_sync_delay(_cluster(None), NOW) == 0
    assert first_sync_delay(_cluster(NOW - timedelta(seconds=5), generation=2), NOW) == 0
    assert first_sync_delay(_cluster(NOW - timedelta(seconds=5), request="r2", answered="r1"), NOW) == 0
    assert first_sync_delay(_cluster(NOW - timedelta(seconds=5), request="r1", answered="r1"), NOW) == 55


def test_a_clock_ahead_of_ours_delays_by_one_interval_at_most() -> None:
    assert first_sync_delay(_cluster(NOW + timedelta(hours=1)), NOW) == 60
