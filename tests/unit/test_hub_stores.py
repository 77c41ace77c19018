"""HubStore: models in, models out, wire JSON (camelCase, merge patches) to CustomObjects underneath."""

from __future__ import annotations

import copy
from typing import Any, cast

import pytest

from cloudops.constants import ACTIVITY_RECORD, MANAGED_CLUSTER, Kind
from cloudops.kube.custom_objects import CustomObjects
from cloudops.kube.errors import NotFound
from cloudops.kube.stores import HubStore
from cloudops.resources import ActivityRecord, CostPricing, ManagedCluster
from cloudops.resources.base import Condition, ObjectMeta
from cloudops.resources.managed_cluster import (
    ClusterUsage,
    KubeconfigSecretRef,
    ManagedClusterSpec,
    ManagedClusterStatus,
)

Json = dict[str, Any]


def _merge(target: Json, patch: Json) -> Json:
    """RFC 7386 JSON merge patch."""
    out = dict(target)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class FakeObjects:
    """CustomObjects in memory, recording what was sent."""

    def __init__(self, kind: Kind, namespace: str = "ns") -> None:
        self.kind, self.namespace = kind, namespace
        self.items: dict[str, Json] = {}
        self.sent: list[tuple[str, Any]] = []

    async def get(self, name: str) -> Json:
        if name not in self.items:
            raise NotFound(f"{name} not found")
        return copy.deepcopy(self.items[name])

    async def list(self, label_selector: str | None = None) -> list[Json]:
        self.sent.append(("list", label_selector))
        return [copy.deepcopy(v) for v in self.items.values()]

    async def create(self, body: Json) -> Json:
        self.sent.append(("create", copy.deepcopy(body)))
        stored = copy.deepcopy(body)
        stored["metadata"] = {**stored["metadata"], "uid": "u-1", "resourceVersion": "1", "generation": 1}
        self.items[stored["metadata"]["name"]] = stored
        return copy.deepcopy(stored)

    async def patch(self, name: str, patch: Json) -> Json:
        self.sent.append(("patch", copy.deepcopy(patch)))
        self.items[name] = _merge(self.items[name], patch)
        return copy.deepcopy(self.items[name])

    async def patch_status(self, name: str, status: Json) -> Json:
        self.sent.append(("patch_status", copy.deepcopy(status)))
        self.items[name] = _merge(self.items[name], {"status": status})
        return copy.deepcopy(self.items[name])

    async def delete(self, name: str) -> None:
        self.sent.append(("delete", name))
        del self.items[name]


def _store(kind: Kind = MANAGED_CLUSTER) -> tuple[HubStore[ManagedCluster], FakeObjects]:
    fake = FakeObjects(kind)
    return HubStore.over(cast(CustomObjects, fake), ManagedCluster), fake


def _cluster() -> ManagedCluster:
    return ManagedCluster(metadata=ObjectMeta(name="member-1", labels={"cloudops.io/id": "1"}),
                          spec=ManagedClusterSpec(region="local", kubeconfig_secret_ref=KubeconfigSecretRef(
                              name="member-1-kubeconfig")))


async def test_create_sends_wire_json_and_returns_the_stored_model() -> None:
    store, fake = _store()
    created = await store.create(_cluster())
    assert fake.sent == [("create", {
        "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
        "metadata": {"name": "member-1", "labels": {"cloudops.io/id": "1"}},
        "spec": {"provider": "other", "region": "local",
                 "kubeconfigSecretRef": {"name": "member-1-kubeconfig", "key": "kubeconfig"},
                 "syncIntervalSeconds": 15}})]
    assert isinstance(created, ManagedCluster) and created.metadata.uid == "u-1"
    assert await store.get("member-1") == created
    assert await store.list("cloudops.io/id=1") == [created]
    assert fake.sent[-1] == ("list", "cloudops.io/id=1")
    assert store.raw is cast(CustomObjects, fake) and store.namespace == "ns"


async def test_patch_spec_sends_only_what_was_set() -> None:
    store, fake = _store()
    await store.create(_cluster())
    current = await store.get("member-1")
    changed = current.spec.model_copy()
    changed.sync_interval_seconds = 60
    changed.region = None  # explicitly cleared: sent as null
    updated = await store.patch_spec("member-1", changed)
    assert fake.sent[-1][1]["spec"]["syncIntervalSeconds"] == 60 and fake.sent[-1][1]["spec"]["region"] is None
    assert updated.spec.sync_interval_seconds == 60 and updated.spec.region is None
    partial = ManagedClusterSpec(kubeconfig_secret_ref=KubeconfigSecretRef(name="other"))
    await store.patch_spec("member-1", partial)
    assert fake.sent[-1] == ("patch", {"spec": {"kubeconfigSecretRef": {"name": "other"}}})  # no defaults sent
    assert (await store.patch_spec("member-1", {"description": "hello"})).spec.description == "hello"


async def test_patch_status_merges_and_clears() -> None:
    store, fake = _store()
    await store.create(_cluster())
    first = ManagedClusterStatus(id=1, phase="error", message="unreachable", usage=ClusterUsage(cpu_percent=5.0),
                                 conditions=[Condition(type="Ready", status="False", reason="Unreachable",
                                                       last_transition_time="2026-03-01T10:00:00Z")])
    await store.patch_status("member-1", first)
    assert fake.sent[-1][1]["usage"] == {"cpuPercent": 5.0}
    assert fake.sent[-1][1]["conditions"][0] == {"type": "Ready", "status": "False", "reason": "Unreachable",
                                                 "lastTransitionTime": "2026-03-01T10:00:00Z"}
    after = await store.patch_status("member-1", ManagedClusterStatus(phase="connected", message=None))
    assert after.status is not None
    assert (after.status.id, after.status.phase, after.status.message) == (1, "connected", None)
    assert (await store.patch_status("member-1", {"healthScore": 90.0})).status.health_score == 90.0  # type: ignore[union-attr]


async def test_wrong_shapes_are_refused_before_sending() -> None:
    store, fake = _store()
    await store.create(_cluster())
    sent = len(fake.sent)
    with pytest.raises(TypeError):
        await store.patch_status("member-1", ManagedClusterSpec(kubeconfig_secret_ref=KubeconfigSecretRef(name="x")))
    with pytest.raises(TypeError):
        await store.patch_spec("member-1", ManagedClusterStatus(phase="connected"))
    with pytest.raises(ValueError, match="sync_interval_seconds"):
        await store.patch_spec("member-1", {"sync_interval_seconds": 5})  # wire names are camelCase
    with pytest.raises(TypeError):
        await store.create(cast(Any, CostPricing.model_validate({"spec": {}})))
    assert len(fake.sent) == sent


async def test_kinds_without_status_and_free_form_status() -> None:
    records = HubStore.over(cast(CustomObjects, FakeObjects(ACTIVITY_RECORD)), ActivityRecord)
    with pytest.raises(TypeError):
        await records.patch_status("x", {"anything": 1})
    with pytest.raises(TypeError):
        HubStore.over(cast(CustomObjects, FakeObjects(ACTIVITY_RECORD)), ManagedCluster)


async def test_delete() -> None:
    store, fake = _store()
    await store.create(_cluster())
    await store.delete("member-1")
    assert fake.sent[-1] == ("delete", "member-1")
    with pytest.raises(NotFound):
        await store.get("member-1")
