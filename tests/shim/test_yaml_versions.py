"""YAML versions (1.1–1.5): kubectl changes in a member become versions; diff, compare, tag and rollback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.helpers import eventually
from tests.processes import OperatorProcess
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import registered_member
from tests.shim.test_unified import apply, call, deployment, fleet  # noqa: F401  (fleet is a fixture)

Json = dict[str, Any]


@pytest.fixture(autouse=True)
def _fast_version_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator started for this module looks for changes every 2 s (the default is 30 s)."""
    monkeypatch.setenv("CLOUDOPS_VERSION_POLL_SECONDS", "2")


async def test_kubectl_changes_become_versions_and_rollback_restores(
        fleet: Any, shim: Client, operator: OperatorProcess, make_key: KeyMaker) -> None:  # noqa: F811
    clusters, members, ns = fleet
    member = members[0]
    await apply(member, deployment("web", "nginx:1.19", **{"cloudops.io/versioned": "true"}))
    await apply(member, deployment("untracked", "nginx:1.19"))
    rid = f"{clusters[0]['id']}:deployment:{ns}:web"
    base = f"/api/k8s/yaml/versions/{rid}"

    async def versions(expected: int) -> list[Json]:
        data = (await call(shim, "GET", base))["data"]
        assert data["total"] == expected, data
        return list(data["versions"])

    [v1] = await eventually(lambda: versions(1), 60, "the first version")
    assert v1["id"] == 1 and v1["version"] == "v1" and v1["change_log"] == "Initial version"
    assert v1["is_current"] and v1["branch"] == "main" and v1["tags"] == []
    assert v1["created_by"] and v1["created_by"] != "cloudops"

    await asyncio.to_thread(member, "set", "image", "deployment/web", "web=nginx:1.20")
    v2 = (await eventually(lambda: versions(2), 60, "a version for kubectl set image"))[0]
    assert v2["id"] == 2 and v2["is_current"]
    assert "spec.template.spec.containers[0].image nginx:1.19→nginx:1.20" in v2["change_log"]
    d = (await call(shim, "GET", f"{base}/diff?version1=1&version2=v2"))["data"]
    assert {"type": "modified", "path": "spec.template.spec.containers[0].image", "old_value": "nginx:1.19",
            "new_value": "nginx:1.20"} in d["diff"]
    assert d["summary"]["modified"] >= 1 and d["version1"] == "v1" and d["version2"] == "v2"
    assert d["object1"] is None and d["object2"] is None  # whole objects only when asked for
    whole = (await call(shim, "GET", f"{base}/diff?version1=1&version2=v2&include_objects=true"))["data"]
    images = [o["spec"]["template"]["spec"]["containers"][0]["image"] for o in (whole["object1"], whole["object2"])]
    assert images == ["nginx:1.19", "nginx:1.20"] and "status" not in whole["object2"]
    assert whole["diff"] == d["diff"]
    await asyncio.to_thread(member, "create", "secret", "generic", "vault", "--from-literal=password=hunter2-x9")
    refused = await call(shim, "GET", f"/api/k8s/yaml/versions/{clusters[0]['id']}:secret:{ns}:vault/diff"
                                      "?version1=current&version2=current&include_objects=true", 422)
    assert "include_objects" in refused["error"] and "hunter2" not in str(refused)
    live = (await call(shim, "GET", f"{base}/diff?version1=2&version2=current"))["data"]
    assert live["diff"] == [] and live["summary"] == {"added": 0, "modified": 0, "deleted": 0}
    # The untracked object and the bare-name form.
    err = await call(shim, "GET", f"/api/k8s/yaml/versions/{clusters[0]['id']}:deployment:{ns}:untracked", 200)
    assert err["data"]["total"] == 0
    bare = (await call(shim, "GET", f"/api/k8s/yaml/versions/web?resource_type=deployment&namespace={ns}"
                                    f"&cluster_id={clusters[0]['name']}&branch=main"))["data"]
    assert bare["total"] == 2 and bare["resource_id"] == rid
    assert (await call(shim, "GET", f"{base}?branch=canary"))["data"]["total"] == 0
    await call(shim, "GET", f"{base}/diff?version1=9", 404)

    # A label change: compare with and without metadata.
    await asyncio.to_thread(member, "label", "deployment/web", "tier=front")
    await eventually(lambda: versions(3), 60, "a version for the label")
    with_meta = (await call(shim, "POST", f"{base}/compare", json={"version1": "v2", "version2": 3}))["data"]
    assert with_meta["diff"] == [{"type": "added", "path": "metadata.labels.tier", "old_value": None,
                                  "new_value": "front"}]
    without = (await call(shim, "POST", f"{base}/compare",
                          json={"version1": "v2", "version2": "v3", "include_metadata": False}))["data"]
    assert without["diff"] == [] and without["summary"]["added"] == 0

    # Tags are unique per resource.
    tagged = (await call(shim, "POST", f"{base}/tag",
                         json={"version_id": 1, "tag": "stable", "description": "known good"}))["data"]
    assert tagged["tags"] == ["stable"] and tagged["tag_descriptions"] == {"stable": "known good"}
    err = await call(shim, "POST", f"{base}/tag", 409, json={"version_id": 2, "tag": "stable"})
    assert "v1" in err["error"]

    # Viewers read, never write.
    viewer = {"X-API-Key": await make_key("vic", ["cloudops:viewers"])}
    await call(shim, "GET", base, headers=viewer)
    for path, body in [(f"{base}/rollback", {"version_id": 1}), (f"{base}/tag", {"version_id": 1, "tag": "x"})]:
        assert (await call(shim, "POST", path, 403, headers=viewer, json=body))["code"] == 1003

    # Rollback by tag: the old image returns, a new version records it, the users get an Event.
    done = (await call(shim, "POST", f"{base}/rollback",
                       json={"version_id": "stable", "reason": "performance issues",
                             "notify_users": ["alice", "bob"]}))["data"]
    assert done["rolled_back_to"]["id"] == 1 and done["notified_users"] == ["alice", "bob"]
    new = done["new_version"]
    assert new["id"] == 4 and new["change_log"] == "Rollback to v1: performance issues"
    assert new["created_by"] == "test-admin" and new["is_current"]
    obj = await asyncio.to_thread(member.json, "get", "deploy", "web")
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.19"
    assert "tier" not in obj["metadata"]["labels"]
    events = await asyncio.to_thread(member.json, "get", "events", "--field-selector", "reason=Rollback")
    assert any("alice" in e["message"] and "bob" in e["message"] and e["involvedObject"]["name"] == "web"
               for e in events["items"])
    # The operator sees the rolled-back object but records nothing twice.
    await asyncio.to_thread(member, "annotate", "deployment/web", "kubernetes.io/change-cause=bump")
    listed = await eventually(lambda: versions(5), 60, "a version after the rollback")
    assert listed[0]["change_log"] == "bump" and [v["id"] for v in listed] == [5, 4, 3, 2, 1]

    # A rollback the member refuses (a Service's clusterIP is immutable): 422 from the dry run, nothing changes.
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "api", "labels": {"cloudops.io/versioned": "true"}},
           "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}}
    sbase = f"/api/k8s/yaml/versions/{clusters[0]['id']}:service:{ns}:api"

    async def service_versions(expected: int) -> bool:
        return bool((await call(shim, "GET", sbase))["data"]["total"] == expected)
    await apply(member, svc)
    await eventually(lambda: service_versions(1), 60, "the service's first version")
    await asyncio.to_thread(member, "delete", "service", "api")
    await apply(member, svc)
    await eventually(lambda: service_versions(2), 60, "a version with the new clusterIP")
    before = await asyncio.to_thread(member.json, "get", "service", "api")
    err = await call(shim, "POST", f"{sbase}/rollback", 422, json={"version_id": 1})
    assert "clusterIP" in err["error"] or "immutable" in err["error"]
    after = await asyncio.to_thread(member.json, "get", "service", "api")
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert (await call(shim, "GET", sbase))["data"]["total"] == 2


async def test_writes_through_any_section_become_versions_of_their_user(
        topology: Any, shim: Client, make_key: KeyMaker) -> None:
    """Versioning is the member layer's write observer, not each route's duty: a quota created, a label added and a
    quota updated through three different sections each leave a version by the caller; a Secret never does."""
    async with registered_member(topology, shim, "vw", "vw") as (_cluster, k, ns):
        quota = {"name": "compute", "namespace": ns, "spec": {"hard": {"configmaps": "3"}}}
        qid = (await call(shim, "POST", "/api/k8s/resourcequota/create", json=quota))["data"]["id"]
        base = f"/api/k8s/yaml/versions/{qid}"
        first = (await call(shim, "GET", base))["data"]
        assert first["total"] == 1 and first["versions"][0]["created_by"] == "test-admin"
        live = await asyncio.to_thread(k.json, "get", "resourcequota", "compute")
        assert live["metadata"]["labels"]["cloudops.io/versioned"] == "true"  # followed from now on

        editor = {"X-API-Key": await make_key("eve", ["cloudops:operators"])}
        await call(shim, "POST", f"/api/k8s/labels/resourcequota/{qid}/add", headers=editor,
                   json={"labels": {"team": "a"}})
        await call(shim, "PUT", f"/api/k8s/resourcequota/{qid}", headers=editor,
                   json={"spec": {"hard": {"configmaps": "5"}}})
        versions = (await call(shim, "GET", base))["data"]["versions"]
        assert [v["id"] for v in versions] == [3, 2, 1]
        assert [v["created_by"] for v in versions] == ["eve", "eve", "test-admin"]
        assert "metadata.labels.team" in versions[1]["change_log"] and "configmaps" in versions[0]["change_log"]

        secret = {"resource_type": "secret", "namespace": ns,
                  "resource": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                               "stringData": {"k": "v"}}}
        sid = (await call(shim, "POST", "/api/k8s/unified/resources", json=secret))["data"]["id"]
        assert (await call(shim, "GET", f"/api/k8s/yaml/versions/{sid}"))["data"]["total"] == 0
        s = await asyncio.to_thread(k.json, "get", "secret", "s")
        assert "cloudops.io/versioned" not in (s["metadata"].get("labels") or {})
