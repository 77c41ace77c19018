"""Labels and annotations (标签管理 1.1–1.5) on real objects of a member, by name and by object id."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from api_shim.state import AUDIT
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]


def deployment(name: str, **labels: str) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name, **labels}},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str]]:
    async with registered_member(topology, shim, "l1", "l") as (cluster, k, ns):
        for name, labels in (("web", {"tier": "front", "env": "prod"}), ("api", {"tier": "back", "env": "prod"}),
                             ("job", {"tier": "batch", "env": "dev"})):
            await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(deployment(name, **labels)))
        await asyncio.to_thread(k, "create", "service", "clusterip", "web", "--tcp=80:80")
        yield cluster, k, ns


async def test_get_add_and_remove_labels_and_annotations(member: Any, shim: Client) -> None:
    cluster, k, ns = member
    got = (await call(shim, "GET", f"/api/k8s/labels/deployments/web?namespace={ns}"))["data"]
    assert got["labels"] == {"app": "web", "tier": "front", "env": "prod"}
    assert got["resource_type"] == "deployment" and got["resource_id"] == "web" and got["namespace"] == ns
    oid = got["id"]
    assert oid == f"{cluster['id']}:deployment:{ns}:web"
    by_id = (await call(shim, "GET", f"/api/k8s/labels/deployment/{oid}"))["data"]
    assert by_id["labels"] == got["labels"]
    err = await call(shim, "GET", f"/api/k8s/labels/services/{oid}", 422)
    assert "resource_id" in err["error"]
    await call(shim, "GET", f"/api/k8s/labels/deployments/nope?namespace={ns}", 404)

    added = (await call(shim, "POST", f"/api/k8s/labels/deployment/{oid}/add",
                        json={"labels": {"team": "frontend", "env": "production"},
                              "annotations": {"description": "Production nginx"}, "overwrite": True}))["data"]
    assert added["labels"]["env"] == "production" and added["annotations"]["description"] == "Production nginx"
    assert added["changed"] == ["description", "env", "team"]
    live = await asyncio.to_thread(k.json, "get", "deployment", "web")
    assert live["metadata"]["labels"]["team"] == "frontend"

    # overwrite false: keys holding other values are a 409 naming them; equal values are fine.
    err = await call(shim, "POST", f"/api/k8s/labels/deployments/web/add?namespace={ns}", 409,
                     json={"namespace": ns, "labels": {"env": "staging", "team": "frontend", "new": "x"},
                           "overwrite": False})
    assert "labels.env" in err["error"] and "team" not in err["error"]
    assert "new" not in (await asyncio.to_thread(k.json, "get", "deployment", "web"))["metadata"]["labels"]
    fine = (await call(shim, "POST", "/api/k8s/labels/deployments/web/add", json={
        "namespace": ns, "labels": {"team": "frontend", "new": "x"}, "overwrite": False}))["data"]
    assert fine["labels"]["new"] == "x"

    for bad, where in (({"labels": {"-bad": "x"}}, "labels.-bad"), ({"labels": {"ok": "a b"}}, "labels.ok"),
                       ({"labels": {"x/" * 2 + "y": "v"}}, "labels.x/x/y"),
                       ({"labels": {"k": "v" * 64}}, "labels.k"), ({"annotations": {"bad key": "v"}}, "annotations")):
        err = await call(shim, "POST", f"/api/k8s/labels/deployment/{oid}/add", 400, json=bad)
        assert where in err["error"], (bad, err)

    removed = (await call(shim, "DELETE", f"/api/k8s/labels/deployment/{oid}/remove",
                          json={"labels": ["team", "absent"], "annotations": ["description"]}))["data"]
    assert removed["changed"] == ["description", "team"] and "team" not in removed["labels"]
    assert "description" not in removed["annotations"]

    # Cluster-scoped objects: nodes and namespaces.
    node = (await asyncio.to_thread(Kubectl(k.kubeconfig).json, "get", "nodes"))["items"][0]["metadata"]["name"]
    got = (await call(shim, "GET", f"/api/k8s/labels/nodes/{node}"))["data"]
    assert got["namespace"] == "" and got["id"] == f"{cluster['id']}:node::{node}"
    ns_labels = (await call(shim, "POST", f"/api/k8s/labels/namespaces/{ns}/add",
                            json={"labels": {"owner": "team-a"}}))["data"]
    assert ns_labels["labels"]["owner"] == "team-a"


async def test_batch_and_select(member: Any, shim: Client) -> None:
    cluster, _, ns = member
    body = {"operation": "add", "labels": {"environment": "production", "team": "frontend"}, "resources": [
        {"type": "deployment", "name": "web", "namespace": ns}, {"type": "service", "name": "web", "namespace": ns},
        {"type": "deployment", "name": "missing", "namespace": ns}]}
    result = (await call(shim, "POST", "/api/k8s/labels/batch", json=body))["data"]
    assert result["status"] == "partial" and result["summary"] == {"total": 3, "succeeded": 2, "failed": 1}
    rows = {r["id"]: r for r in result["results"]}
    assert rows[f"{cluster['id']}:service:{ns}:web"]["labels"]["team"] == "frontend"
    assert rows[f"{cluster['id']}:deployment:{ns}:missing"]["code"] == 1002

    sel = (await call(shim, "GET", f"/api/k8s/labels/select?resource_type=deployments&namespace={ns}"
                                   "&label_selector=environment=production"))["data"]
    assert [r["name"] for r in sel["resources"]] == ["web"] and sel["total"] == 1
    sel = (await call(shim, "GET", f"/api/k8s/labels/select?resource_type=deploy&namespace={ns}"
                                   "&label_selector=tier in (front,back),env!=dev&limit=1&offset=1"))["data"]
    assert sel["total"] == 2 and [r["name"] for r in sel["resources"]] == ["web"]
    sel = (await call(shim, "GET", f"/api/k8s/labels/select?resource_type=deployments&namespace={ns}"
                                   "&label_selector=!environment"))["data"]
    assert [r["name"] for r in sel["resources"]] == ["api", "job"]
    err = await call(shim, "GET", "/api/k8s/labels/select?resource_type=pods&label_selector=a%3D%3D%3Db", 400)
    assert "label_selector" in err["error"]

    replaced = (await call(shim, "POST", "/api/k8s/labels/batch", json={
        "operation": "replace", "labels": {"only": "this"},
        "resources": [{"type": "service", "name": "web", "namespace": ns}]}))["data"]
    assert replaced["results"][0]["labels"] == {"only": "this"}
    removed = (await call(shim, "POST", "/api/k8s/labels/batch", json={
        "operation": "remove", "labels": ["environment", "team"],
        "resources": [{"type": "deployment", "name": "web", "namespace": ns}]}))["data"]
    assert removed["status"] == "success" and "team" not in removed["results"][0]["labels"]
    err = await call(shim, "POST", "/api/k8s/labels/batch", 422, json={
        "operation": "add", "labels": ["x"], "resources": [{"type": "service", "name": "web", "namespace": ns}]})
    assert "labels" in err["error"]


async def test_a_viewer_reads_labels_but_gets_403_on_every_write(member: Any, shim: Client, make_key: KeyMaker,
                                                                  settings: Settings) -> None:
    cluster, k, ns = member
    viewer = {"X-API-Key": await make_key("vlad", ["cloudops:viewers"])}
    await call(shim, "GET", f"/api/k8s/labels/deployments/web?namespace={ns}", headers=viewer)
    await call(shim, "GET", f"/api/k8s/labels/select?namespace={ns}", headers=viewer)
    oid = f"{cluster['id']}:deployment:{ns}:web"
    writes = [("POST", f"/api/k8s/labels/deployment/{oid}/add", {"labels": {"a": "b"}}),
              ("DELETE", f"/api/k8s/labels/deployment/{oid}/remove", {"labels": ["tier"]}),
              ("POST", "/api/k8s/labels/batch", {"operation": "add", "labels": {"a": "b"},
                                                 "resources": [{"type": "deployment", "name": "web",
                                                                "namespace": ns}]})]
    for method, path, body in writes:
        err = await call(shim, method, path, 403, headers=viewer, json=body)
        assert err["code"] == 1003 and "vlad" in err["error"], (method, path)
    assert (await asyncio.to_thread(k.json, "get", "deployment", "web"))["metadata"]["labels"] == {
        "app": "web", "tier": "front", "env": "prod"}
    # Every write is audited: the denied ones and an allowed one, with who, what and the outcome.
    await call(shim, "POST", f"/api/k8s/labels/deployment/{oid}/add", json={"labels": {"audited": "yes"}})
    shim.app[AUDIT].flush()
    records = [json.loads(line)["audit"] for line in
               Path(settings.audit_sink.removeprefix("file:")).read_text().splitlines()]
    writes_seen = [(r["user"], r["operation"].split(" ")[0], r["status"]) for r in records
                   if "/api/k8s/labels/" in r["operation"] and not r["operation"].startswith("GET")]
    assert writes_seen == [("vlad", "POST", 403), ("vlad", "DELETE", 403), ("vlad", "POST", 403),
                           ("test-admin", "POST", 200)]
