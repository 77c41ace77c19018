"""The CRD API against a member: discovery of CRDs, and custom resources validated by the live schema."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.shim.checked import call
from tests.shim.conftest import Client

Json = dict[str, Any]



def widget_crd(group: str) -> Json:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "required": ["size"], "properties": {
        "size": {"type": "integer", "minimum": 1}, "color": {"type": "string", "enum": ["red", "blue"]}}}}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"widgets.{group}"},
            "spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wdg"]},
                     "versions": [
                         {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema},
                          "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]},
                         {"name": "v1beta1", "served": True, "storage": False, "deprecated": True,
                          "schema": {"openAPIV3Schema": schema}}]}}


@pytest.fixture
async def member_with_crd(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str, str]]:
    m = topology.members[0]
    body = {"name": "crd-member", "kubeconfig": base64.b64encode(m.kubeconfig.read_bytes()).decode()}
    cluster = (await call(shim, "POST", "/api/k8s/clusters/add", json=body))["data"]
    group = f"t{uuid.uuid4().hex[:8]}.example.com"
    ns = f"c-{uuid.uuid4().hex[:8]}"
    k = Kubectl(m.kubeconfig)
    await asyncio.to_thread(k, "create", "namespace", ns)
    await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(widget_crd(group)))
    await asyncio.to_thread(k, "wait", "--for=condition=Established", f"crd/widgets.{group}", "--timeout=60s")
    yield cluster, k, group, ns
    await asyncio.to_thread(k.run, "delete", "crd", f"widgets.{group}", "--wait=false", check=False)
    await asyncio.to_thread(k.run, "delete", "namespace", ns, "--wait=false", check=False)


async def test_crd_discovery_detail_and_schema(member_with_crd: Any, shim: Client) -> None:
    cluster, _, group, _ = member_with_crd
    name = f"widgets.{group}"
    listed = (await call(shim, "GET", f"/api/k8s/crds?group={group}"))["data"]  # one cluster: no cluster_id needed
    assert listed["total"] == 1 and listed["cluster_id"] == cluster["id"]
    crd = listed["crds"][0]
    assert {k: crd[k] for k in ("name", "group", "version", "kind", "plural", "singular", "scope", "status")} == {
        "name": name, "group": group, "version": "v1", "kind": "Widget", "plural": "widgets", "singular": "widget",
        "scope": "Namespaced", "status": "established"}
    assert crd["schema"]["properties"]["spec"]["required"] == ["size"]
    assert (await call(shim, "GET", f"/api/k8s/crds?group={group}&scope=Cluster"))["data"]["total"] == 0
    assert (await call(shim, "GET", f"/api/k8s/crds?group={group}&version=v1beta1"))["data"]["total"] == 1
    assert (await call(shim, "GET", f"/api/k8s/crds?group={group}&version=v9"))["data"]["total"] == 0

    detail = (await call(shim, "GET", f"/api/k8s/crds/{name}?cluster_id={cluster['id']}"))["data"]
    versions = {v["name"]: v for v in detail["versions"]}
    assert versions["v1"]["storage"] and versions["v1"]["served"] and versions["v1beta1"]["deprecated"]
    assert versions["v1"]["printer_columns"][0]["json_path"] == ".spec.size"
    assert {c["type"] for c in detail["conditions"]} >= {"Established", "NamesAccepted"}

    schema = (await call(shim, "GET", f"/api/k8s/crds/{name}/schema"))["data"]
    assert schema["version"] == "v1" and schema["schema"]["properties"]["spec"]["properties"]["size"]["minimum"] == 1
    assert (await call(shim, "GET", f"/api/k8s/crds/{name}/schema?version=v1beta1"))["data"]["version"] == "v1beta1"
    err = await call(shim, "GET", f"/api/k8s/crds/{name}/schema?version=v9", 404)
    assert err["code"] == 1002 and "v9" in err["error"]
    err = await call(shim, "GET", f"/api/k8s/crds/nothings.{group}", 404)
    assert err["code"] == 1002 and "CustomResourceDefinition" in err["error"]
    assert "name" in (await call(shim, "GET", "/api/k8s/crds/NotACrd", 400))["error"]


async def test_custom_resources_are_validated_by_the_live_schema(member_with_crd: Any, shim: Client) -> None:
    cluster, k, group, ns = member_with_crd
    base = f"/api/k8s/crds/widgets.{group}/resources"
    err = await call(shim, "POST", f"{base}?namespace={ns}", 422,
                     json={"metadata": {"name": "w1"}, "spec": {"size": 0, "color": "green"}})
    assert "spec.size" in err["error"] and "spec.color" in err["error"]
    err = await call(shim, "POST", f"{base}?namespace={ns}", 422, json={"metadata": {"name": "w1"}, "spec": {}})
    assert "spec.size" in err["error"]
    created = (await call(shim, "POST", f"{base}?namespace={ns}",
                          json={"metadata": {"name": "w1", "labels": {"app": "a"}}, "spec": {"size": 2}}))["data"]
    assert created["id"] == f"{cluster['id']}:widget:{ns}:w1" and created["resource"]["apiVersion"] == f"{group}/v1"
    live = json.loads(await asyncio.to_thread(k, "-n", ns, "get", f"widgets.{group}", "w1", "-o", "json"))
    assert live["spec"] == {"size": 2}
    await call(shim, "POST", f"{base}?namespace={ns}",
               json={"metadata": {"name": "w2", "namespace": ns, "labels": {"app": "b"}}, "spec": {"size": 5}})

    listed = (await call(shim, "GET", f"{base}?namespace={ns}"))["data"]
    assert [r["name"] for r in listed["resources"]] == ["w1", "w2"] and listed["total"] == 2
    assert [r["name"] for r in (await call(shim, "GET", f"{base}?namespace={ns}&label_selector=app%3Db"))["data"][
        "resources"]] == ["w2"]
    assert [r["name"] for r in (await call(shim, "GET", f"{base}?namespace={ns}&field_selector=metadata.name%3Dw1"))[
        "data"]["resources"]] == ["w1"]
    assert "label_selector" in (await call(shim, "GET", f"{base}?label_selector=%21%21", 400))["error"]
    bad_field = (await call(shim, "GET", base, 400, params={"field_selector": "metadata.name"}))["error"]
    assert bad_field.startswith("field_selector: ") and "is not 'key=value'" in bad_field

    current = created["resource"]
    current["spec"]["size"] = 3
    updated = (await call(shim, "PUT", f"{base}/w1?namespace={ns}", json=current))["data"]
    assert updated["resource"]["spec"]["size"] == 3
    latest = updated["resource"]
    latest["spec"]["size"] = -1
    err = await call(shim, "PUT", f"{base}/{created['id']}", 422, json=latest)
    assert "spec.size" in err["error"]
    stale = dict(created["resource"], spec={"size": 9})
    assert (await call(shim, "PUT", f"{base}/w1?namespace={ns}", 409, json=stale))["code"] == 1006

    gone = (await call(shim, "DELETE", f"{base}/w1?namespace={ns}"))["data"]
    assert gone == {"id": created["id"], "deleted": True}
    async def deleted() -> bool:
        res = await asyncio.to_thread(k.run, "-n", ns, "get", f"widgets.{group}", "w1", check=False)
        return res.returncode != 0

    await eventually(deleted, 30, "custom resource deleted")
    assert (await call(shim, "DELETE", f"{base}/w1?namespace={ns}", 404))["code"] == 1002
