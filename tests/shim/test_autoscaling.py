"""HPA (智能运维 1.1–1.3) against a real member: kwok emulates the pods' CPU usage (annotation), metrics-server
serves it (`kubectl top`), the member's controller-manager scales the Deployment, and the operator records
the usage into the hub's pod-usage history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiClient

from cloudops import history_store
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, start_operator, stop_operator, wait_healthy
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "web"},
                     "annotations": {"kwok.x-k8s.io/usage-cpu": "250m", "kwok.x-k8s.io/usage-memory": "64Mi"}},
        "spec": {"containers": [{"name": "app", "image": "nginx",
                                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}}}}


@pytest.fixture
def usage_operator(topology: Topology, namespace: str, identities: dict[str, Path], tmp_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[OperatorProcess]:
    """The operator sampling usage every 2 seconds (CLOUDOPS_USAGE_SAMPLE_SECONDS)."""
    monkeypatch.setenv("CLOUDOPS_USAGE_SAMPLE_SECONDS", "2")
    op = start_operator(topology, namespace, tmp_path / "operator.log", identities["operator"])
    wait_healthy(op)
    yield op
    stop_operator(op)


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str]]:
    async with registered_member(topology, shim, "hpa1", "hpa") as m:
        yield m


def hpa_body(ns: str, **changes: Any) -> Json:
    body = {"name": "web", "namespace": ns,
            "target": {"api_version": "apps/v1", "kind": "Deployment", "name": "web"},
            "metrics": [{"type": "Resource",
                         "resource": {"name": "cpu", "target": {"type": "Utilization", "average_utilization": 50}}}],
            "min_replicas": 1, "max_replicas": 3}
    return {**body, **changes}


async def test_an_hpa_scales_a_deployment_on_emulated_usage(usage_operator: OperatorProcess, member: Any,
                                                            shim: Client, hub_api: ApiClient, namespace: str,
                                                            make_key: KeyMaker) -> None:
    cluster, k, ns = member
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(DEPLOYMENT))

    # Validated by the member: its 422 names the field.
    err = await call(shim, "POST", "/api/k8s/autoscaling/hpa/create", 422,
                     json=hpa_body(ns, min_replicas=5, max_replicas=2))
    assert "spec.maxReplicas" in err["error"]
    err = await call(shim, "POST", "/api/k8s/autoscaling/hpa/create", 400,
                     json=hpa_body(ns, metrics=[{"type": "Resource", "resource": {"name": "cpu", "target": {
                         "type": "AverageValue", "average_value": "12x"}}}]))
    assert "average_value" in err["error"]
    viewer = {"X-API-Key": await make_key("vic", ["cloudops:viewers"])}
    for method, path, body in (("POST", "/api/k8s/autoscaling/hpa/create", hpa_body(ns)),
                               ("PUT", f"/api/k8s/autoscaling/hpa/web?namespace={ns}", {"max_replicas": 4})):
        err = await call(shim, method, path, 403, headers=viewer, json=body)
        assert err["code"] == 1003 and "vic" in err["error"]

    created = (await call(shim, "POST", "/api/k8s/autoscaling/hpa/create", json=hpa_body(ns)))["data"]
    hid = f"{cluster['id']}:horizontalpodautoscaler:{ns}:web"
    assert created["id"] == hid and created["max_replicas"] == 3
    assert created["metrics"][0]["resource"]["target"] == {"type": "Utilization", "average_utilization": 50}
    member_hpa = await asyncio.to_thread(k.json, "get", "hpa", "web")
    assert member_hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 50

    # metrics-server serves kwok's emulated usage.
    async def top() -> str | None:
        out = await asyncio.to_thread(k.run, "top", "pods", "--no-headers", check=False)
        return out.stdout if "250m" in out.stdout or "251m" in out.stdout else None
    await eventually(top, 90, "kubectl top showing the emulated 250m")

    # The member's controller-manager scales up to max (5 wanted at 250 % of 50 %), limited by max_replicas.
    async def scaled() -> Json | None:
        listed = (await call(shim, "GET", f"/api/k8s/autoscaling/hpa?namespace={ns}"))["data"]
        h = listed["hpas"][0] if listed["hpas"] else None
        return h if h and h["desired_replicas"] == 3 and h["current_metrics"] else None
    hpa = await eventually(scaled, 90, "the HPA scaling the Deployment")
    assert hpa["able_to_scale"] is True and hpa["scaling_active"] is True and hpa["scaling_limited"] is True
    assert {c["type"] for c in hpa["conditions"]} >= {"AbleToScale", "ScalingActive", "ScalingLimited"}
    current = hpa["current_metrics"][0]
    assert current["type"] == "Resource" and current["name"] == "cpu"
    assert current["current"]["average_utilization"] >= 200
    deployment = await asyncio.to_thread(k.json, "get", "deployment", "web")
    assert deployment["spec"]["replicas"] == 3

    behavior = {"scale_down": {"stabilization_window_seconds": 60,
                               "policies": [{"type": "Pods", "value": 1, "period_seconds": 30}]}}
    updated = (await call(shim, "PUT", f"/api/k8s/autoscaling/hpa/{hid}",
                          json={"max_replicas": 4, "behavior": behavior}))["data"]
    assert updated["max_replicas"] == 4 and updated["min_replicas"] == 1
    assert updated["behavior"]["scale_down"]["policies"] == [{"type": "Pods", "value": 1, "period_seconds": 30}]
    member_hpa = await asyncio.to_thread(k.json, "get", "hpa", "web")
    assert member_hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 60
    err = await call(shim, "PUT", f"/api/k8s/autoscaling/hpa/web?namespace={ns}", 422, json={"min_replicas": 9})
    assert "spec.maxReplicas" in err["error"] or "spec.minReplicas" in err["error"]
    await call(shim, "PUT", f"/api/k8s/autoscaling/hpa/nope?namespace={ns}", 404, json={"max_replicas": 2})

    # The operator recorded the pods' usage (and requests) into the hub.
    async def recorded() -> list[history_store.History] | None:
        found = [h for h in await history_store.histories(hub_api, namespace, "pod-usage", cluster["name"])
                 if h.subject.namespace == ns and (h.series.get("1h") or [{}])[-1].get("metered") == 1.0]
        return found or None
    (h, *_) = await eventually(recorded, 60, "a pod-usage sample with usage")
    last = h.series["1h"][-1]
    assert 240 <= last["c0_cpu_m"] <= 260 and last["cpu_request_m"] == 100.0
    assert last["memory_usage_max"] == 64 * 1024 ** 2
    assert h.attributes["controller_kind"] == "Deployment" and h.attributes["controller"] == "web"
    spaces = await history_store.histories(hub_api, namespace, "namespace-usage", cluster["name"])
    assert any(s.subject.name == ns for s in spaces)
