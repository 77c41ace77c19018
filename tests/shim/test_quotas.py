"""ResourceQuota (1.1–1.6) and LimitRange (2.1–2.5) against a real member: its quota controller counts
usage, its admission applies LimitRange defaults, and the operator samples usage into the hub."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, start_operator, stop_operator, wait_healthy
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str]]:
    async with registered_member(topology, shim, "q1", "q") as m:
        yield m


def quota_body(ns: str, **hard: str) -> Json:
    return {"name": "compute", "namespace": ns, "description": "team quota",
            "spec": {"hard": hard or {"configmaps": "3", "pods": "4", "requests.cpu": "2", "requests.memory": "1Gi"}}}


async def test_quota_lifecycle_with_usage_counted_by_the_member(member: Any, shim: Client) -> None:
    cluster, k, ns = member
    # The reference's own example combines BestEffort and NotBestEffort: the member refuses it.
    bad = quota_body(ns)
    bad["spec"]["scopes"] = ["BestEffort", "NotBestEffort"]
    err = await call(shim, "POST", "/api/k8s/resourcequota/create", 422, json=bad)
    assert "spec.scopes" in err["error"]
    err = await call(shim, "POST", "/api/k8s/resourcequota/create", 400,
                     json=quota_body(ns, **{"requests.memory": "8Gx"}))
    assert "spec.hard.requests.memory" in err["error"]

    created = (await call(shim, "POST", "/api/k8s/resourcequota/create", json=quota_body(ns)))["data"]
    qid = f"{cluster['id']}:resourcequota:{ns}:compute"
    assert created["id"] == qid and created["description"] == "team quota"
    assert created["spec"]["hard"]["requests.memory"] == "1Gi" and created["cluster_id"] == cluster["id"]

    # The member's quota controller counts the namespace's kube-root-ca.crt ConfigMap.
    async def counted() -> Json | None:
        d = (await call(shim, "GET", f"/api/k8s/resourcequota/{qid}"))["data"]
        return d if d["status"]["used"].get("configmaps") == "1" else None
    detail = await eventually(counted, 60, "quota usage counted")
    assert detail["state"] == "active" and detail["alerts"] == []
    assert detail["usage_percentage"]["configmaps"] == pytest.approx(33.3)
    assert detail["usage_percentage"]["requests.cpu"] == 0.0

    for name in ("a", "b"):
        await asyncio.to_thread(k, "create", "configmap", name)

    async def full() -> Json | None:
        d = (await call(shim, "GET", f"/api/k8s/resourcequota/compute?namespace={ns}"))["data"]
        return d if d["status"]["used"].get("configmaps") == "3" else None
    detail = await eventually(full, 60, "three configmaps counted")
    assert detail["state"] == "exceeded" and detail["usage_percentage"]["configmaps"] == 100.0
    assert [(a["type"], a["resource"]) for a in detail["alerts"]] == [("critical", "configmaps")]
    # The member enforces what the quota says.
    denied = await asyncio.to_thread(k.run, "create", "configmap", "c", check=False)
    assert denied.returncode != 0 and "exceeded quota" in denied.stderr

    listed = (await call(shim, "GET", f"/api/k8s/resourcequota/list?namespace={ns}"))["data"]
    assert listed["total"] == 1 and listed["resourcequotas"][0]["status"] == "exceeded"
    assert listed["resourcequotas"][0]["usage_percentage"]["configmaps"] == 100.0
    everywhere = (await call(shim, "GET", "/api/k8s/resourcequota/list?limit=1000"))["data"]
    assert qid in {q["id"] for q in everywhere["resourcequotas"]}

    updated = (await call(shim, "PUT", f"/api/k8s/resourcequota/{qid}",
                          json={"spec": {"hard": {"configmaps": "10", "pods": "4"}}, "description": "raised"}))["data"]
    assert updated["spec"]["hard"] == {"configmaps": "10", "pods": "4"} and updated["description"] == "raised"
    assert updated["updated_at"] is not None

    async def relaxed() -> bool:
        d = (await call(shim, "GET", f"/api/k8s/resourcequota/{qid}"))["data"]
        return d["state"] == "active" and d["status"]["hard"].get("configmaps") == "10"
    await eventually(relaxed, 60, "raised quota seen by the controller")
    await asyncio.to_thread(k, "create", "configmap", "c")

    err = await call(shim, "GET", f"/api/k8s/resourcequota/{cluster['id']}:configmap:{ns}:a", 400)
    assert "resourcequota" in err["error"]
    gone = (await call(shim, "DELETE", f"/api/k8s/resourcequota/{qid}"))["data"]
    assert gone == {"id": qid, "deleted": True}
    err = await call(shim, "GET", f"/api/k8s/resourcequota/{qid}", 404)
    assert err["code"] == 1002
    assert (await call(shim, "GET", f"/api/k8s/resourcequota/list?namespace={ns}"))["data"]["total"] == 0


def limits_body(ns: str, default_cpu: str = "500m") -> Json:
    return {"name": "defaults", "namespace": ns, "spec": {"limits": [
        {"type": "Container", "default": {"cpu": default_cpu, "memory": "512Mi"},
         "defaultRequest": {"cpu": "250m", "memory": "256Mi"},
         "min": {"cpu": "100m", "memory": "128Mi"}, "max": {"cpu": "2", "memory": "2Gi"}},
        {"type": "Pod", "max": {"cpu": "4", "memory": "4Gi"}},
        {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "10Gi"}}]}}


async def test_limit_range_defaults_are_applied_to_a_new_pod(member: Any, shim: Client) -> None:
    cluster, k, ns = member
    err = await call(shim, "POST", "/api/k8s/limitrange/create", 422, json=limits_body(ns, default_cpu="3"))
    assert "spec.limits[0].default" in err["error"]
    assert (await asyncio.to_thread(k, "get", "limitranges", "-o", "name")).strip() == ""

    created = (await call(shim, "POST", "/api/k8s/limitrange/create", json=limits_body(ns)))["data"]
    lid = f"{cluster['id']}:limitrange:{ns}:defaults"
    assert created["id"] == lid and [x["type"] for x in created["spec"]["limits"]] == [
        "Container", "Pod", "PersistentVolumeClaim"]

    await asyncio.to_thread(k, "run", "plain", "--image=nginx", "--restart=Never")
    pod = await asyncio.to_thread(k.json, "get", "pod", "plain")
    resources = pod["spec"]["containers"][0]["resources"]
    assert resources["limits"] == {"cpu": "500m", "memory": "512Mi"}
    assert resources["requests"] == {"cpu": "250m", "memory": "256Mi"}

    listed = (await call(shim, "GET", f"/api/k8s/limitrange/list?namespace={ns}"))["data"]
    assert [x["id"] for x in listed["limitranges"]] == [lid] and listed["total"] == 1
    got = (await call(shim, "GET", f"/api/k8s/limitrange/defaults?namespace={ns}"))["data"]
    assert got["spec"]["limits"][0]["max"]["cpu"] == "2"

    changed = limits_body(ns, default_cpu="1")["spec"]
    updated = (await call(shim, "PUT", f"/api/k8s/limitrange/{lid}", json={"spec": changed,
                                                                            "description": "1 cpu"}))["data"]
    assert updated["spec"]["limits"][0]["default"]["cpu"] == "1" and updated["description"] == "1 cpu"
    await asyncio.to_thread(k, "run", "second", "--image=nginx", "--restart=Never")
    pod = await asyncio.to_thread(k.json, "get", "pod", "second")
    assert pod["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "1"
    err = await call(shim, "PUT", f"/api/k8s/limitrange/{lid}", 422,
                     json={"spec": limits_body(ns, default_cpu="50m")["spec"]})
    assert "default" in err["error"]

    assert (await call(shim, "DELETE", f"/api/k8s/limitrange/{lid}"))["data"]["deleted"] is True
    await call(shim, "GET", f"/api/k8s/limitrange/{lid}", 404)


@pytest.fixture
def fast_operator(topology: Topology, namespace: str, identities: dict[str, Path], tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> Iterator[OperatorProcess]:
    """The operator sampling quota usage every second (CLOUDOPS_QUOTA_SAMPLE_SECONDS)."""
    monkeypatch.setenv("CLOUDOPS_QUOTA_SAMPLE_SECONDS", "1")
    op = start_operator(topology, namespace, tmp_path / "operator.log", identities["operator"])
    wait_healthy(op)
    yield op
    stop_operator(op)


async def test_operator_samples_usage_into_a_history_with_trends(fast_operator: OperatorProcess, member: Any,
                                                                  shim: Client, hub: Kubectl, namespace: str) -> None:
    cluster, k, ns = member
    # The pod first, so every sample the quota controller's first count allows already holds its requests.
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sized"}, "spec": {"containers": [
            {"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "500m", "memory": "256Mi"}}}]}}))
    await call(shim, "POST", "/api/k8s/resourcequota/create", json=quota_body(ns))
    qid = f"{cluster['id']}:resourcequota:{ns}:compute"
    empty = (await call(shim, "GET", f"/api/k8s/resourcequota/{qid}/usage?time_range=1h"))["data"]
    assert empty["quota_id"] == qid and empty["period_seconds"] == 60

    async def sampled() -> Json | None:
        d = (await call(shim, "GET", f"/api/k8s/resourcequota/{qid}/usage?time_range=1h"))["data"]
        rows = d["usage_history"]
        return d if rows and rows[-1].get("configmaps") == 1 and rows[-1].get("pods") == 1 else None
    data = await eventually(sampled, 90, "a quota usage sample")
    assert data["time_range"] == "1h" and data["trends"]["configmaps"]["trend"] in ("stable", "increasing")
    # The reference's form: bytes as a Kubernetes quantity, cores and counts as numbers; `values` for machines.
    row = data["usage_history"][-1]
    assert row["requests.memory"] == "256Mi" and row["requests.cpu"] == 0.5 and row["pods"] == 1
    assert isinstance(row["pods"], int) and row["values"]["requests.memory"] == 256 * 2**20
    assert row["values"]["requests.cpu"] == 0.5 and row["values"]["configmaps"] == 1.0
    day = (await call(shim, "GET", f"/api/k8s/resourcequota/{qid}/usage"))["data"]
    assert day["time_range"] == "24h" and day["period_seconds"] == 900 and day["usage_history"]
    # One bounded history object per quota, owned by its ManagedCluster in the hub.
    histories = await asyncio.to_thread(hub.json, "get", "metrichistories", "-n", namespace,
                                        "-l", "cloudops.io/history-family=quota-usage")
    mine = [h for h in histories["items"] if h["spec"]["subject"] == {"kind": "ResourceQuota", "namespace": ns,
                                                                      "name": "compute"}]
    assert len(mine) == 1 and mine[0]["metadata"]["ownerReferences"][0]["kind"] == "ManagedCluster"
    err = await call(shim, "GET", f"/api/k8s/resourcequota/{qid}/usage?time_range=2h", 400)
    assert "time_range" in err["error"]


async def test_an_integer_id_is_refused_with_the_form_of_ours(member: Any, shim: Client) -> None:
    """The reference numbers quotas (`quota_id: 1`); ours are object ids, and an integer says so (400)."""
    quota = "id: expected <cluster>:resourcequota:<namespace>:<name>, e.g. 1:resourcequota:default:compute; got 5"
    limits = "id: expected <cluster>:limitrange:<namespace>:<name>, e.g. 1:limitrange:default:defaults; got 7"
    for method, path, expected in (("GET", "/api/k8s/resourcequota/5", quota),
                                   ("GET", "/api/k8s/resourcequota/5/usage", quota),
                                   ("DELETE", "/api/k8s/resourcequota/5", quota),
                                   ("GET", "/api/k8s/limitrange/7", limits)):
        assert (await call(shim, method, path, 400))["error"] == expected, path


async def test_a_viewer_reads_quotas_but_gets_403_on_every_write(member: Any, shim: Client,
                                                                  make_key: KeyMaker) -> None:
    cluster, k, ns = member
    await call(shim, "POST", "/api/k8s/resourcequota/create", json=quota_body(ns))
    await call(shim, "POST", "/api/k8s/limitrange/create", json=limits_body(ns))
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    qid, lid = f"{cluster['id']}:resourcequota:{ns}:compute", f"{cluster['id']}:limitrange:{ns}:defaults"
    for path in (f"/api/k8s/resourcequota/list?namespace={ns}", f"/api/k8s/resourcequota/{qid}",
                 f"/api/k8s/resourcequota/{qid}/usage", f"/api/k8s/limitrange/list?namespace={ns}",
                 f"/api/k8s/limitrange/{lid}"):
        await call(shim, "GET", path, headers=viewer)
    writes = [("POST", "/api/k8s/resourcequota/create", quota_body(ns)),
              ("PUT", f"/api/k8s/resourcequota/{qid}", {"description": "x"}),
              ("DELETE", f"/api/k8s/resourcequota/{qid}", None),
              ("POST", "/api/k8s/limitrange/create", limits_body(ns)),
              ("PUT", f"/api/k8s/limitrange/{lid}", {"description": "x"}),
              ("DELETE", f"/api/k8s/limitrange/{lid}", None)]
    for method, path, body in writes:
        err = await call(shim, method, path, 403, headers=viewer, **({"json": body} if body is not None else {}))
        assert err["code"] == 1003 and "vera" in err["error"], (method, path)
    assert (await asyncio.to_thread(k.json, "get", "resourcequota", "compute"))["metadata"]["annotations"].get(
        "cloudops.io/description") == "team quota"
