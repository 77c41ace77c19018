"""Unified resources (2.1–2.7) against the hub and both local members: real objects, real replicas."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.leaks import secret
from tests.shim.checked import call
from tests.shim.conftest import Client, KeyMaker

Json = dict[str, Any]



def deployment(name: str, image: str, replicas: int = 1, **labels: str) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name, **labels}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": image}]}}}}


@pytest.fixture
async def fleet(topology: Topology, shim: Client) -> AsyncIterator[tuple[list[Json], list[Kubectl], str]]:
    """Both members registered through REST, and one fresh namespace in each member."""
    clusters = []
    for i, m in enumerate(topology.members[:2], start=1):
        body = {"name": f"m{i}", "kubeconfig": base64.b64encode(m.kubeconfig.read_bytes()).decode()}
        clusters.append((await call(shim, "POST", "/api/k8s/clusters/add", json=body))["data"])
    ns = f"u-{uuid.uuid4().hex[:8]}"
    members = [Kubectl(m.kubeconfig, ns) for m in topology.members[:2]]
    for k in members:
        await asyncio.to_thread(Kubectl(k.kubeconfig), "create", "namespace", ns)
    yield clusters, members, ns
    for k in members:
        await asyncio.to_thread(Kubectl(k.kubeconfig).run, "delete", "namespace", ns, "--wait=false", check=False)


async def apply(k: Kubectl, obj: Json) -> None:
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(obj))


async def test_one_query_spans_both_members_with_ids_that_round_trip(fleet: Any, shim: Client) -> None:
    clusters, members, ns = fleet
    await apply(members[0], deployment("web", "nginx:1.19", tier="front"))
    await apply(members[1], deployment("web", "nginx:1.18", tier="front"))
    await apply(members[1], deployment("api", "api:2", tier="back"))

    data = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deployments&namespace={ns}"))["data"]
    assert data["errors"] == [] and data["total"] == 3
    assert [(r["cluster_name"], r["name"]) for r in data["resources"]] == [("m1", "web"), ("m2", "api"),
                                                                           ("m2", "web")]
    first = data["resources"][0]
    assert first["cluster_id"] == clusters[0]["id"] and first["type"] == "deployment"
    assert first["id"] == f"{clusters[0]['id']}:deployment:{ns}:web"
    assert first["labels"]["tier"] == "front" and first["spec"]["replicas"] == 1
    assert set(first["status_info"]) >= {"replicas", "ready_replicas", "available_replicas"}

    # Aliases as kubectl knows them, the cluster filter, selectors and paging.
    for alias in ("deploy", "Deployment", "deployment", "deployments.apps"):
        got = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type={alias}&namespace={ns}"))["data"]
        assert got["total"] == 3, alias
    only2 = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deploy&namespace={ns}"
                                     f"&cluster_ids={clusters[1]['name']}"))["data"]
    assert {r["cluster_name"] for r in only2["resources"]} == {"m2"} and only2["total"] == 2
    back = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deploy&namespace={ns}"
                                    "&label_selector=tier in (back)"))["data"]
    assert [r["name"] for r in back["resources"]] == ["api"]
    paged = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deploy&namespace={ns}"
                                     "&limit=1&offset=1"))["data"]
    assert paged["total"] == 3 and [r["name"] for r in paged["resources"]] == ["api"]
    bad = await call(shim, "GET", "/api/k8s/unified/resources?resource_type=pods&label_selector=a%3D%3D%3Db", 400)
    assert "label_selector" in bad["error"]
    unknown = await call(shim, "GET", "/api/k8s/unified/resources?resource_type=pods&cluster_ids=nope,m1", 200)
    assert [e["cluster_name"] for e in unknown["data"]["errors"]] == ["nope"]
    assert unknown["data"]["errors"][0]["code"] == 1002
    assert (await call(shim, "GET", "/api/k8s/unified/resources?resource_type=pods&cluster_ids=,", 400))
    # `cluster_id`, the name of the other sections, works for one cluster; an error names it as sent.
    one = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deploy&namespace={ns}"
                                   f"&cluster_id={clusters[1]['id']}"))["data"]
    assert [r["id"] for r in one["resources"]] == [r["id"] for r in only2["resources"]] and one["total"] == 2
    err = await call(shim, "GET", "/api/k8s/unified/resources?resource_type=pods&cluster_id=nope", 404)
    assert err["error"] == "cluster_id: no such clusters: nope", err
    err = await call(shim, "GET", "/api/k8s/unified/resources?resource_type=pods&cluster_id=m1,m2", 400)
    assert err["error"] == "query.cluster_id: one cluster id or name; several go in cluster_ids", err

    # The member's own paging token, for one cluster.
    p1 = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deploy&namespace={ns}"
                                  f"&cluster_ids=m2&limit=1&continue="))["data"]
    assert len(p1["resources"]) == 1 and p1["continue"] and p1["total"] == 2
    p2 = (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=deploy&namespace={ns}"
                                  f"&cluster_ids=m2&limit=1&continue={p1['continue']}"))["data"]
    assert [r["name"] for r in p1["resources"] + p2["resources"]] == ["api", "web"] and p2["continue"] is None

    # Every id decodes without a lookup and answers the same object; a bare name works with its context.
    for item in data["resources"]:
        detail = (await call(shim, "GET", f"/api/k8s/unified/resources/{item['id']}"))["data"]
        assert detail["id"] == item["id"] and detail["resource"]["metadata"]["name"] == item["name"]
        assert "managedFields" not in detail["resource"]["metadata"]
    bare = (await call(shim, "GET", f"/api/k8s/unified/resources/web?cluster_id={clusters[1]['id']}"
                                    f"&resource_type=deployments&namespace={ns}"))["data"]
    assert bare["id"] == f"{clusters[1]['id']}:deployment:{ns}:web"
    err = await call(shim, "GET", "/api/k8s/unified/resources/web?resource_type=deployments", 400)
    assert "cluster_id" in err["error"]
    err = await call(shim, "GET", f"/api/k8s/unified/resources/{clusters[0]['id']}:deployment:{ns}:nope", 404)
    assert err["code"] == 1002 and "m1" in err["error"]
    err = await call(shim, "GET", f"/api/k8s/unified/resources/{clusters[0]['id']}:nosuchtype:{ns}:x", 404)
    assert err["code"] == 1002 and "nosuchtype" in err["error"]
    err = await call(shim, "GET", "/api/k8s/unified/resources/1:deployment:Bad_NS:x", 400)
    assert "namespace" in err["error"]
    node = (await call(shim, "GET", "/api/k8s/unified/resources?resource_type=nodes&cluster_ids=m1"))["data"]
    node_id = node["resources"][0]["id"]
    assert node_id.startswith(f"{clusters[0]['id']}:node::")
    assert (await call(shim, "GET", f"/api/k8s/unified/resources/{node_id}"))["data"]["status"].startswith("ready")


async def test_create_update_delete_through_the_member(fleet: Any, shim: Client) -> None:
    clusters, members, ns = fleet
    cid = clusters[0]["id"]
    # A quantity a member would spend minutes parsing never reaches it.
    choke = deployment("choke", "nginx", replicas=1)
    choke["spec"]["template"]["spec"]["containers"][0]["resources"] = {"requests": {"memory": ".6E-57970540073"}}
    err = await call(shim, "POST", "/api/k8s/unified/resources", 422,
                     json={"cluster_id": cid, "resource_type": "deployment", "namespace": ns, "resource": choke})
    assert "spec.template.spec.containers[0].resources.requests.memory" in err["error"]
    bad = deployment("bad", "nginx", replicas=1)
    bad["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": "eighty"}]
    err = await call(shim, "POST", "/api/k8s/unified/resources", 422,
                     json={"cluster_id": cid, "resource_type": "deployment", "namespace": ns, "resource": bad})
    assert "containerPort" in err["error"]
    assert (await asyncio.to_thread(members[0].run, "get", "deploy", "bad", check=False)).returncode != 0

    created = (await call(shim, "POST", "/api/k8s/unified/resources",
                          json={"cluster_id": cid, "resource_type": "deployment", "namespace": ns,
                                "resource": deployment("made", "nginx:1.19")}))["data"]
    assert created["id"] == f"{cid}:deployment:{ns}:made"
    live = await asyncio.to_thread(members[0].json, "get", "deploy", "made")
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.19"
    await call(shim, "POST", "/api/k8s/unified/resources", 409,
               json={"cluster_id": cid, "namespace": ns, "resource": deployment("made", "x")})
    err = await call(shim, "POST", "/api/k8s/unified/resources", 400,
                     json={"namespace": ns, "resource": deployment("x", "x")})
    assert "cluster_id" in err["error"]

    first = (await call(shim, "GET", f"/api/k8s/unified/resources/{created['id']}"))["data"]["resource"]
    stale = json.loads(json.dumps(first))

    async def update_image() -> Any:
        """The member's controllers bump resourceVersion too: read, change, write until no one interferes."""
        current = (await call(shim, "GET", f"/api/k8s/unified/resources/{created['id']}"))["data"]["resource"]
        current["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.20"
        r = await shim.put(f"/api/k8s/unified/resources/{created['id']}", json={"resource": current})
        body = await r.json()
        assert r.status in (200, 409), body
        return (body["data"], current) if r.status == 200 else None

    updated, current = await eventually(update_image, 30, "an update that no controller raced")
    assert updated["resource"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.20"
    # Writes through this API are versioned (YAML 版本管理), attributed to the caller, and stay tracked.
    history = (await call(shim, "GET", f"/api/k8s/yaml/versions/{created['id']}"))["data"]
    assert [v["created_by"] for v in history["versions"]][-2:] == ["test-admin", "test-admin"], history
    assert updated["resource"]["metadata"]["labels"]["cloudops.io/versioned"] == "true"
    stale["spec"]["replicas"] = 4
    err = await call(shim, "PUT", f"/api/k8s/unified/resources/{created['id']}", 409, json={"resource": stale})
    assert err["code"] == 1006
    live = await asyncio.to_thread(members[0].json, "get", "deploy", "made")
    assert live["spec"]["replicas"] == 1 and live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.20"
    renamed = dict(current, metadata={**current["metadata"], "name": "other"})
    err = await call(shim, "PUT", f"/api/k8s/unified/resources/{created['id']}", 400, json={"resource": renamed})
    assert "metadata.name" in err["error"]

    gone = (await call(shim, "DELETE", f"/api/k8s/unified/resources/{created['id']}"))["data"]
    assert gone == {"id": created["id"], "deleted": True, "propagation_policy": "Background"}
    await eventually(lambda: _absent(members[0], "deploy", "made"), 30, "deployment deleted in the member")
    assert (await call(shim, "DELETE", f"/api/k8s/unified/resources/{created['id']}", 404))["code"] == 1002


async def test_update_takes_the_create_calls_body_when_it_agrees_with_the_id(fleet: Any, shim: Client) -> None:
    """The reference documents no update body, so a user sends the create call's: it works when its cluster_id,
    resource_type and namespace say what the id says, and is a 400 naming the field that does not."""
    clusters, members, ns = fleet
    cid, other = clusters[0]["id"], clusters[1]["id"]

    def config(value: str) -> Json:
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": value}}
    created = (await call(shim, "POST", "/api/k8s/unified/resources", json={
        "cluster_id": cid, "resource_type": "configmap", "namespace": ns, "resource": config("v1")}))["data"]
    oid = created["id"]
    base = f"/api/k8s/unified/resources/{oid}"
    same = {"cluster_id": cid, "resource_type": "configmap", "namespace": ns}
    assert (await call(shim, "PUT", base, json={**same, "resource": config("v2")}))["data"]["id"] == oid
    aliases = {"cluster_id": clusters[0]["name"], "resource_type": "configmaps", "namespace": ns}
    await call(shim, "PUT", base, json={**aliases, "resource": config("v3")})
    for field, value in (("cluster_id", other), ("resource_type", "secret"), ("namespace", "default")):
        err = await call(shim, "PUT", base, 400, json={**same, field: value, "resource": config("no")})
        assert err["error"].startswith(f"{field}: ") and oid in err["error"], err
    # A bare name with the create call's fields finds the object as the create call put it.
    await call(shim, "PUT", "/api/k8s/unified/resources/cfg", json={**same, "resource": config("v4")})
    live = await asyncio.to_thread(members[0].json, "get", "configmap", "cfg")
    assert live["data"] == {"k": "v4"}

    err = await call(shim, "GET", "/api/k8s/unified/resources/5", 400)
    assert err["error"] == "id: expected <cluster>:<type>:<namespace>:<name>, e.g. 1:deployment:default:web; got 5"
    err = await call(shim, "PUT", "/api/k8s/unified/resources/5", 400, json={**same, "resource": config("no")})
    assert err["error"] == "id: expected <cluster>:configmap:<namespace>:<name>, e.g. 1:configmap:default:web; got 5"


async def test_a_body_over_the_members_limit_is_its_413_not_a_connection_failure(fleet: Any, shim: Client) -> None:
    """A ConfigMap of ~3.5 MB passes the shim's 4 MiB body limit but not kube-apiserver's 3 MiB one: the member's 413
    is the caller's error (413 naming the member's reason), never 502/1001 "cluster connection failed"."""
    clusters, members, ns = fleet
    big = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
           "data": {f"part-{i}": "x" * 500_000 for i in range(7)}}
    body = {"cluster_id": clusters[0]["id"], "resource_type": "configmap", "namespace": ns, "resource": big}
    assert 3 * 1024 * 1024 < len(json.dumps(body)) < 4 * 1024 * 1024
    err = await call(shim, "POST", "/api/k8s/unified/resources", 413, json=body)
    assert err["code"] == 413 and err["message"] == "Payload Too Large", err
    assert err["error"].startswith("cluster 'm1': the member refused the request as too large: "), err
    assert "limit is 3145728" in err["error"], err  # kube-apiserver's own reason
    assert await _absent(members[0], "configmap", "big")
    # The member is reachable all along: the next (small) create goes through.
    small = dict(big, data={"k": "v"})
    assert (await call(shim, "POST", "/api/k8s/unified/resources", json=body | {"resource": small}))["data"]["id"] == (
        f"{clusters[0]['id']}:configmap:{ns}:big")


async def _absent(k: Kubectl, *what: str) -> bool:
    return (await asyncio.to_thread(k.run, "get", *what, check=False)).returncode != 0


async def test_secrets_show_keys_and_sizes_never_values(fleet: Any, shim: Client, make_key: KeyMaker) -> None:
    _, members, ns = fleet
    value = secret("s3cr3t-" + uuid.uuid4().hex)
    await asyncio.to_thread(members[0], "create", "secret", "generic", "creds", f"--from-literal=password={value}",
                            "--from-literal=user=admin", "--save-config")
    listed = await shim.get(f"/api/k8s/unified/resources?resource_type=secrets&namespace={ns}&cluster_ids=m1")
    text = await listed.text()
    assert listed.status == 200 and value not in text and base64.b64encode(value.encode()).decode() not in text
    item = next(r for r in (json.loads(text))["data"]["resources"] if r["name"] == "creds")
    assert item["spec"]["keys"] == [{"key": "password", "size": len(value)}, {"key": "user", "size": 5}]
    detail = await shim.get(f"/api/k8s/unified/resources/{item['id']}")
    text = await detail.text()
    assert value not in text and base64.b64encode(value.encode()).decode() not in text
    resource = json.loads(text)["data"]["resource"]
    assert "data" not in resource and "kubectl.kubernetes.io/last-applied-configuration" not in str(resource)

    # Writing the redacted view back keeps the values: nothing is lost by a read-modify-write.
    resource["metadata"].setdefault("labels", {})["rotated"] = "no"
    await call(shim, "PUT", f"/api/k8s/unified/resources/{item['id']}", json={"resource": resource})
    live = await asyncio.to_thread(members[0].json, "get", "secret", "creds")
    assert base64.b64decode(live["data"]["password"]).decode() == value and live["metadata"]["labels"]["rotated"]

    operator_key = await make_key("olga", ["cloudops:operators"])
    err = await call(shim, "GET", f"/api/k8s/unified/resources/{item['id']}?show_secret_values=true", 403,
                     headers={"X-API-Key": operator_key})
    assert "secrets" in err["error"]
    revealed = (await call(shim, "GET", f"/api/k8s/unified/resources/{item['id']}?show_secret_values=true"))["data"]
    assert base64.b64decode(revealed["resource"]["data"]["password"]).decode() == value


async def test_batch_scale_moves_real_replicas_and_reports_partial_success(fleet: Any, shim: Client) -> None:
    clusters, members, ns = fleet
    for k in members:
        await apply(k, deployment("web", "nginx:1.19"))
    body = {"cluster_ids": [c["id"] for c in clusters], "operation": "scale",
            "resources": [{"type": "deployment", "namespace": ns, "name": "web", "parameters": {"replicas": 3}}]}
    res = (await call(shim, "POST", "/api/k8s/unified/batch", json=body))["data"]
    assert res["status"] == "success" and res["summary"] == {"total": 2, "succeeded": 2, "failed": 0}
    for k in members:
        async def ready(k: Kubectl = k) -> bool:
            d = await asyncio.to_thread(k.json, "get", "deploy", "web")
            return bool(d["spec"]["replicas"] == 3 and d["status"].get("readyReplicas") == 3)
        await eventually(ready, 60, "three ready replicas")

    body["resources"].append({"type": "deployment", "namespace": ns, "name": "missing", "parameters": {"replicas": 1}})
    res = (await call(shim, "POST", "/api/k8s/unified/batch", json=body))["data"]
    assert res["status"] == "partial" and res["summary"]["failed"] == 2
    assert {r["code"] for r in res["results"] if not r["success"]} == {1002}

    for op, params, check in (
            ("set_image", {"image": "nginx:1.21"}, lambda d: d["spec"]["template"]["spec"]["containers"][0]["image"]
             == "nginx:1.21"),
            ("label", {"labels": {"team": "blue"}}, lambda d: d["metadata"]["labels"].get("team") == "blue"),
            ("restart", {}, lambda d: "kubectl.kubernetes.io/restartedAt" in
             (d["spec"]["template"]["metadata"].get("annotations") or {}))):
        one = {"cluster_ids": [clusters[0]["id"]], "operation": op,
               "resources": [{"type": "deploy", "namespace": ns, "name": "web", "parameters": params}]}
        res = (await call(shim, "POST", "/api/k8s/unified/batch", json=one))["data"]
        assert res["status"] == "success", res
        assert check(await asyncio.to_thread(members[0].json, "get", "deploy", "web")), op
    bad = {"cluster_ids": [clusters[0]["id"]], "operation": "scale",
           "resources": [{"type": "deploy", "namespace": ns, "name": "web", "parameters": {"replicas": "many"}}]}
    res = (await call(shim, "POST", "/api/k8s/unified/batch", json=bad))["data"]
    assert res["status"] == "failed" and "parameters.replicas" in res["results"][0]["error"]

    res = (await call(shim, "POST", "/api/k8s/unified/batch", json={**body, "operation": "delete",
                                                                    "resources": body["resources"][:1]}))["data"]
    assert res["status"] == "success"
    for k in members:
        await eventually(lambda k=k: _absent(k, "deploy", "web"), 30, "deleted by batch")


async def test_compare_finds_the_image_difference_and_ignores_order(fleet: Any, shim: Client) -> None:
    clusters, members, ns = fleet
    a = deployment("web", "nginx:1.19", replicas=3)
    a["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox:1"})
    b = json.loads(json.dumps(a))
    b["spec"]["template"]["spec"]["containers"].reverse()  # order alone is no difference
    b["spec"]["template"]["spec"]["containers"][1]["image"] = "nginx:1.18"
    b["spec"]["replicas"] = 2
    await apply(members[0], a)
    await apply(members[1], b)
    await apply(members[0], deployment("only-here", "x:1"))
    ids = f"{clusters[0]['id']},{clusters[1]['id']}"
    data = (await call(shim, "GET", f"/api/k8s/unified/compare?cluster_ids={ids}&resource_type=deployments"
                                    f"&namespace={ns}"))["data"]
    rows = {r["resource_name"]: r for r in data["comparison"]}
    web = rows["web"]
    assert web["cluster_1"]["cluster_id"] == clusters[0]["id"] and web["cluster_2"]["replicas"] == 2
    diffs = {d["field"]: (d["cluster_1_value"], d["cluster_2_value"]) for d in web["differences"]}
    # Paths number list items as the first cluster does: its "web" is containers[0].
    assert diffs == {"spec.replicas": (3, 2), "spec.template.spec.containers[0].image": ("nginx:1.19", "nginx:1.18")}
    assert rows["only-here"]["missing_in"] == [clusters[1]["id"]]
    assert data["summary"] == {"resources": 2, "identical": 0, "different": 2}
    err = await call(shim, "GET", f"/api/k8s/unified/compare?cluster_ids={clusters[0]['id']}&resource_type=deploy", 400)
    assert "cluster_ids" in err["error"]


async def test_field_selectors_are_checked_like_label_selectors(fleet: Any, shim: Client) -> None:
    """A malformed field selector is a 400 naming field_selector, not a 200 hiding each member's refusal."""
    _, members, ns = fleet
    await apply(members[0], deployment("web", "nginx:1.19"))
    await apply(members[1], deployment("api", "api:2"))
    url = "/api/k8s/unified/resources"
    base = {"resource_type": "deployments", "namespace": ns}
    got = (await call(shim, "GET", url, params={**base, "field_selector": "metadata.name=web"}))["data"]
    assert got["errors"] == [] and [(r["cluster_name"], r["name"]) for r in got["resources"]] == [("m1", "web")]
    got = (await call(shim, "GET", url, params={**base, "field_selector": "metadata.name!=web,"}))["data"]
    assert got["errors"] == [] and [(r["cluster_name"], r["name"]) for r in got["resources"]] == [("m2", "api")]
    for bad, why in (("metadata.name", "is not 'key=value'"), ("metadata.name=a=b", "'=' in a value"),
                     ("metadata.name = web", "not a field path"), ("metadata.name=a\\", "lone backslash")):
        for extra in ({}, {"cluster_ids": "m1", "continue": ""}):  # fanned out, and paged by the member's token
            err = await call(shim, "GET", url, 400, params={**base, **extra, "field_selector": bad})
            assert err["error"].startswith("field_selector: ") and why in err["error"], err


async def test_an_unreachable_member_is_an_error_entry_not_a_failed_query(
        fleet: Any, shim: Client, topology: Topology, hub: Kubectl, namespace: str, tmp_path: Path) -> None:
    cfg = yaml.safe_load(topology.members[0].kubeconfig.read_text())
    cfg["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"
    dead = tmp_path / "dead.kubeconfig"
    dead.write_text(yaml.safe_dump(cfg))
    secret = hub("-n", namespace, "create", "secret", "generic", "dead-kc", f"--from-file=kubeconfig={dead}",
                 "--dry-run=client", "-o", "yaml")
    await asyncio.to_thread(hub, "apply", "-f", "-", stdin=secret)
    cr = {"apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster", "metadata": {"name": "dead",
          "namespace": namespace}, "spec": {"kubeconfigSecretRef": {"name": "dead-kc"}}}
    await asyncio.to_thread(hub, "apply", "-f", "-", stdin=json.dumps(cr))
    data = (await call(shim, "GET", "/api/k8s/unified/resources?resource_type=namespaces"))["data"]
    assert [(e["cluster_name"], e["status"], e["code"]) for e in data["errors"]] == [("dead", 502, 1001)]
    assert {r["cluster_name"] for r in data["resources"]} == {"m1", "m2"}
    err = await call(shim, "GET", "/api/k8s/unified/resources/dead:namespace::default", 502)
    assert err["code"] == 1001 and "127.0.0.1:1" in err["error"]
    err = await call(shim, "GET", "/api/k8s/crds?cluster_id=dead", 502)
    assert err["code"] == 1001


async def test_a_viewer_reads_but_gets_403_on_every_write(fleet: Any, shim: Client, make_key: KeyMaker) -> None:
    clusters, members, ns = fleet
    viewer = {"X-API-Key": await make_key("vic", ["cloudops:viewers"])}
    cid = clusters[0]["id"]
    await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=pods&namespace={ns}", headers=viewer)
    await call(shim, "GET", f"/api/k8s/crds?cluster_id={cid}", headers=viewer)
    oid = f"{cid}:configmap:{ns}:kube-root-ca.crt"
    writes = [
        ("POST", "/api/k8s/unified/resources", {"cluster_id": cid, "namespace": ns,
                                                "resource": {"kind": "ConfigMap", "metadata": {"name": "v"}}}),
        ("PUT", f"/api/k8s/unified/resources/{oid}", {"resource": {"kind": "ConfigMap", "metadata": {"name": "x"}}}),
        ("DELETE", f"/api/k8s/unified/resources/{oid}", None),
        ("POST", "/api/k8s/unified/batch", {"cluster_ids": [cid], "operation": "label", "resources": [
            {"type": "configmap", "namespace": ns, "name": "kube-root-ca.crt", "parameters": {"labels": {"a": "b"}}}]}),
        ("POST", f"/api/k8s/crds/widgets.example.com/resources?cluster_id={cid}", {"metadata": {"name": "w"}}),
        ("PUT", f"/api/k8s/crds/widgets.example.com/resources/w?cluster_id={cid}", {"metadata": {"name": "w"}}),
        ("DELETE", f"/api/k8s/crds/widgets.example.com/resources/w?cluster_id={cid}", None),
        ("DELETE", f"/api/k8s/clusters/{cid}", None),
        ("PUT", f"/api/k8s/clusters/{cid}", {"description": "x"}),
    ]
    for method, path, body in writes:
        err = await call(shim, method, path, 403, headers=viewer, **({"json": body} if body is not None else {}))
        assert err["code"] == 1003 and "vic" in err["error"], (method, path)
    assert (await asyncio.to_thread(members[0].json, "get", "configmap", "kube-root-ca.crt"))["metadata"].get(
        "labels") is None
