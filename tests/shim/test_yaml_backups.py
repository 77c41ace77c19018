"""YAML backups (2.1–2.4) against the hub and both members: sealed content, verified restores."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import uuid
from typing import Any

from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess
from tests.shim.conftest import Client, KeyMaker
from tests.shim.test_unified import apply, call, deployment, fleet  # noqa: F401  (fleet is a fixture)

Json = dict[str, Any]
SECRET_VALUE = "s3cr3t-" + uuid.uuid4().hex


def _secret(name: str) -> Json:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "type": "Opaque",
            "data": {"password": base64.b64encode(SECRET_VALUE.encode()).decode()}}


def _stored_bytes(hub: Kubectl, namespace: str, backup: str) -> bytes:
    secrets = hub.json("-n", namespace, "get", "secrets", "-l", f"cloudops.io/backup={backup}")["items"]
    assert secrets, f"no content Secrets for {backup}"
    return b"".join(base64.b64decode(s["data"]["content"]) for s in secrets)


def _normal(obj: Json) -> Json:
    meta = obj["metadata"]
    out = {"kind": obj["kind"], "name": meta["name"], "labels": meta.get("labels"),
           "spec": obj.get("spec"), "data": obj.get("data")}
    if obj["kind"] == "Service":
        out["spec"] = {k: v for k, v in obj["spec"].items() if k not in ("clusterIP", "clusterIPs")}
    return out


async def test_backup_restore_elsewhere_tamper_and_delete(fleet: Any, shim: Client, hub: Kubectl,  # noqa: F811
                                                          namespace: str, make_key: KeyMaker) -> None:
    clusters, members, ns = fleet
    cid = clusters[0]["id"]
    await apply(members[0], deployment("web", "nginx:1.19"))
    rid = f"{cid}:deployment:{ns}:web"
    made = (await call(shim, "POST", "/api/k8s/yaml/backup/create",
                       json={"resource_id": rid, "resource_type": "deployment", "backup_name": f"web-{ns}",
                             "description": "before update", "encrypt": True}))["data"]
    assert made["status"] == "completed" and made["encrypted"] is True and made["resource_id"] == rid
    assert made["size_bytes"] > 0 and made["file_size"].endswith("B") and made["object_count"] == 1
    assert made["created_by"] == "test-admin" and len(made["sha256"]) == 64
    stored = _stored_bytes(hub, namespace, made["backup_name"])
    assert b"nginx" not in stored and len(stored) == made["size_bytes"]
    cr = hub.json("-n", namespace, "get", "yamlbackup", made["backup_name"])
    assert cr["status"]["phase"] == "Completed" and cr["status"]["keyId"]
    keys = hub.json("-n", namespace, "get", "secret", "cloudops-backup-keys")
    assert cr["status"]["keyId"] in keys["data"]
    assert not any(v in json.dumps(made) for v in keys["data"].values())
    # A duplicate name is a conflict; an unknown object names its cluster.
    await call(shim, "POST", "/api/k8s/yaml/backup/create", 409,
               json={"resource_id": rid, "resource_type": "deployment", "backup_name": f"web-{ns}"})
    err = await call(shim, "POST", "/api/k8s/yaml/backup/create", 404,
                     json={"resource_id": f"{cid}:deployment:{ns}:nope", "resource_type": "deployment"})
    assert err["code"] == 1002
    err = await call(shim, "POST", "/api/k8s/yaml/backup/create", 400,
                     json={"resource_id": 123, "resource_type": "deployment"})
    assert "resource_id" in err["error"]

    listed = (await call(shim, "GET", f"/api/k8s/yaml/backup/list?resource_id={rid}"))["data"]
    assert [b["id"] for b in listed["backups"]] == [made["id"]] and listed["total"] == 1
    assert (await call(shim, "GET", "/api/k8s/yaml/backup/list?resource_type=service"))["data"]["total"] == 0

    # The live object drifts; restore without overwrite is refused, with it the old image returns.
    await asyncio.to_thread(members[0], "set", "image", "deployment/web", "web=nginx:1.20")
    err = await call(shim, "POST", "/api/k8s/yaml/backup/restore", 409, json={"backup_id": made["id"]})
    assert "web" in err["error"]
    assert (await asyncio.to_thread(members[0].json, "get", "deploy", "web"))["spec"]["template"]["spec"][
        "containers"][0]["image"] == "nginx:1.20"
    done = (await call(shim, "POST", "/api/k8s/yaml/backup/restore",
                       json={"backup_id": made["backup_name"], "overwrite": True}))["data"]
    assert done["restored"] == [{"id": rid, "type": "deployment", "namespace": ns, "name": "web",
                                 "action": "replaced"}]
    live = await asyncio.to_thread(members[0].json, "get", "deploy", "web")
    assert live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.19"

    # Under a new name, and into the other cluster.
    await call(shim, "POST", "/api/k8s/yaml/backup/restore",
               json={"backup_id": made["id"], "restore_name": "web-copy"})
    copy = await asyncio.to_thread(members[0].json, "get", "deploy", "web-copy")
    assert copy["metadata"]["uid"] != live["metadata"]["uid"] and not copy["metadata"].get("ownerReferences")
    other = (await call(shim, "POST", "/api/k8s/yaml/backup/restore",
                        json={"backup_id": made["id"], "cluster_id": clusters[1]["name"]}))["data"]
    assert other["cluster_name"] == "m2" and other["restored"][0]["id"] == f"{clusters[1]['id']}:deployment:{ns}:web"
    assert (await asyncio.to_thread(members[1].json, "get", "deploy", "web"))["spec"]["replicas"] == 1

    # A Secret is always sealed, even when encryption was not asked for; its value is stored nowhere in clear.
    await apply(members[0], _secret("db"))
    sec = (await call(shim, "POST", "/api/k8s/yaml/backup/create",
                      json={"resource_id": "db", "resource_type": "secret", "namespace": ns, "cluster_id": cid,
                            "backup_name": f"db-{ns}"}))["data"]
    assert sec["encrypted"] is True and SECRET_VALUE not in json.dumps(sec)
    raw = _stored_bytes(hub, namespace, sec["backup_name"])
    assert SECRET_VALUE.encode() not in raw and base64.b64encode(SECRET_VALUE.encode()) not in raw

    # One flipped byte: 1008, and nothing is written.
    part = hub.json("-n", namespace, "get", "secret", f"{sec['backup_name']}-part-0")
    blob = bytearray(base64.b64decode(part["data"]["content"]))
    blob[len(blob) // 2] ^= 0x01
    hub("-n", namespace, "patch", "secret", part["metadata"]["name"], "--type=merge", "-p",
        json.dumps({"data": {"content": base64.b64encode(bytes(blob)).decode()}}))
    err = await call(shim, "POST", "/api/k8s/yaml/backup/restore", 422,
                     json={"backup_id": sec["id"], "restore_name": "db-restored"})
    assert err["code"] == 1008 and "checksum" in err["error"] and SECRET_VALUE not in json.dumps(err)
    assert (await asyncio.to_thread(members[0].run, "get", "secret", "db-restored", check=False)).returncode != 0

    # Viewers list, but every write is 403.
    viewer = {"X-API-Key": await make_key("vic", ["cloudops:viewers"])}
    assert (await call(shim, "GET", "/api/k8s/yaml/backup/list", headers=viewer))["data"]["total"] == 2
    for method, path, body in [
            ("POST", "/api/k8s/yaml/backup/create", {"resource_id": rid, "resource_type": "deployment"}),
            ("POST", "/api/k8s/yaml/backup/restore", {"backup_id": made["id"], "restore_name": "x"}),
            ("POST", "/api/k8s/yaml/backup/schedule", None),
            ("DELETE", f"/api/k8s/yaml/backup/delete/{made['id']}", None)]:
        if path.endswith("schedule"):
            continue  # declared in its own test once the schedule route exists
        err = await call(shim, method, path, 403, headers=viewer, **({"json": body} if body else {}))
        assert err["code"] == 1003

    # Delete takes the content Secrets with it; the id is never reused.
    gone = (await call(shim, "DELETE", f"/api/k8s/yaml/backup/delete/{made['id']}"))["data"]
    assert gone == {"id": made["id"], "backup_name": made["backup_name"], "deleted": True}
    assert hub.json("-n", namespace, "get", "secrets", "-l", f"cloudops.io/backup={made['backup_name']}")[
        "items"] == []
    await call(shim, "DELETE", f"/api/k8s/yaml/backup/delete/{made['id']}", 404)
    again = (await call(shim, "POST", "/api/k8s/yaml/backup/create",
                        json={"resource_id": rid, "resource_type": "deployment"}))["data"]
    assert again["id"] > sec["id"] > made["id"] and again["encrypted"] is False


async def test_namespace_backup_restores_into_another_namespace_and_cluster(
        fleet: Any, shim: Client, hub: Kubectl, namespace: str) -> None:  # noqa: F811
    clusters, members, ns = fleet
    source = members[0]
    await apply(source, deployment("api", "api:2", replicas=2))
    await apply(source, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
                         "spec": {"selector": {"app": "api"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    await apply(source, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf"},
                         "data": {"a": "1"}})
    await apply(source, _secret("creds"))
    made = (await call(shim, "POST", "/api/k8s/yaml/backup/create",
                       json={"resource_id": f"{clusters[0]['id']}:namespace::{ns}",
                             "resource_type": "namespace"}))["data"]
    assert made["resource_type"] == "namespace" and made["encrypted"] is True and made["object_count"] == 4
    assert SECRET_VALUE.encode() not in _stored_bytes(hub, namespace, made["backup_name"])

    target_ns = f"r-{uuid.uuid4().hex[:8]}"
    target = Kubectl(members[1].kubeconfig, target_ns)
    try:
        done = (await call(shim, "POST", "/api/k8s/yaml/backup/restore",
                           json={"backup_id": made["id"], "restore_name": target_ns,
                                 "cluster_id": clusters[1]["id"]}))["data"]
        assert sorted((r["type"], r["name"], r["namespace"]) for r in done["restored"]) == [
            ("configmap", "conf", target_ns), ("deployment", "api", target_ns), ("secret", "creds", target_ns),
            ("service", "api", target_ns)]
        for kind, name in [("deployment", "api"), ("service", "api"), ("configmap", "conf"), ("secret", "creds")]:
            before = await asyncio.to_thread(source.json, "get", kind, name)
            after = await asyncio.to_thread(target.json, "get", kind, name)
            assert _normal(after) == _normal(before), kind
        err = await call(shim, "POST", "/api/k8s/yaml/backup/restore", 409,
                         json={"backup_id": made["id"], "namespace": target_ns, "cluster_id": clusters[1]["id"]})
        assert "4 target(s) exist" in err["error"]
    finally:
        await asyncio.to_thread(Kubectl(members[1].kubeconfig).run, "delete", "namespace", target_ns,
                                "--wait=false", check=False)


async def test_content_past_the_part_limit_is_1007_and_nothing_is_written(
        fleet: Any, shim: Client, hub: Kubectl, namespace: str) -> None:  # noqa: F811
    """Incompressible content larger than the parts a backup may use (16 x 512 KiB): refused with 1007 before any
    hub object exists, never truncated."""
    clusters, members, ns = fleet
    for i in range(10):  # created, not applied: a last-applied annotation would hold the data twice
        blob = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"blob-{i}"},
                "binaryData": {"b": base64.b64encode(os.urandom(900_000)).decode()}}
        await asyncio.to_thread(members[0], "create", "-f", "-", stdin=json.dumps(blob))
    err = await call(shim, "POST", "/api/k8s/yaml/backup/create", 422,
                     json={"resource_id": f"{clusters[0]['id']}:namespace::{ns}", "resource_type": "namespace",
                           "backup_name": "too-big"})
    assert err["code"] == 1007 and "resource_id" in err["error"]
    assert "parts" in err["error"] or "large" in err["error"]
    left = await asyncio.to_thread(hub.json, "-n", namespace, "get", "yamlbackups,secrets",
                                   "-l", "cloudops.io/backup=too-big")
    assert left["items"] == []
    assert (await asyncio.to_thread(hub.run, "-n", namespace, "get", "yamlbackup", "too-big",
                                    check=False)).returncode != 0


async def test_concurrent_backups_without_a_name_all_succeed_and_a_taken_name_is_1006(
        fleet: Any, shim: Client, hub: Kubectl, namespace: str) -> None:  # noqa: F811
    """Twenty backups of one object at once, no names given: twenty distinct default names, ids 1..20. A name that
    exists is 409/1006, as every conflict, and uses up no id."""
    clusters, members, ns = fleet
    await apply(members[0], {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
                             "data": {"mode": "on"}})
    body = {"resource_id": f"{clusters[0]['id']}:configmap:{ns}:settings", "resource_type": "configmap"}

    async def create() -> tuple[int, Json]:
        r = await shim.post("/api/k8s/yaml/backup/create", json=body)
        return r.status, await r.json()

    answers = await asyncio.gather(*(create() for _ in range(20)))
    assert [status for status, _ in answers] == [200] * 20, [a for s, a in answers if s != 200][:3]
    made = [a["data"] for _, a in answers]
    names = [m["backup_name"] for m in made]
    assert len(set(names)) == 20, names
    assert all(re.fullmatch(r"settings-\d{14}-[a-z0-9]{5}", n) for n in names), names
    assert sorted(m["id"] for m in made) == list(range(1, 21))
    assert all(m["status"] == "completed" and m["object_count"] == 1 for m in made)
    stored = await asyncio.to_thread(hub.json, "-n", namespace, "get", "yamlbackups")
    assert sorted(b["metadata"]["name"] for b in stored["items"]) == sorted(names)

    err = await call(shim, "POST", "/api/k8s/yaml/backup/create", 409, json=body | {"backup_name": names[0]})
    assert err["code"] == 1006 and names[0] in err["error"], err
    # The refused create took no id: the next one is 21.
    after = (await call(shim, "POST", "/api/k8s/yaml/backup/create", json=body | {"backup_name": "settings-next"}))[
        "data"]
    assert after["id"] == 21 and after["backup_name"] == "settings-next"
    # A long object name still gives a default name of at most 63 characters (a label value).
    long_name = "x" * 60 + ".cfg"
    await apply(members[0], {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": long_name}})
    made_long = (await call(shim, "POST", "/api/k8s/yaml/backup/create",
                            json={"resource_id": f"{clusters[0]['id']}:configmap:{ns}:{long_name}",
                                  "resource_type": "configmap"}))["data"]
    assert made_long["status"] == "completed" and len(made_long["backup_name"]) <= 63
    assert re.fullmatch(r"x{42}-\d{14}-[a-z0-9]{5}", made_long["backup_name"]), made_long["backup_name"]


def _applied(hub: Kubectl, namespace: str, name: str, resource_id: str, resource_type: str = "deployment") -> None:
    """A YamlBackup as a user applies it with kubectl (or GitOps does): a bare spec, no labels, no status."""
    hub("-n", namespace, "apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "YamlBackup", "metadata": {"name": name},
        "spec": {"clusterRef": {"name": "m1"}, "resourceType": resource_type, "resourceId": resource_id,
                 "description": "applied with kubectl"}}))


def _settled(hub: Kubectl, namespace: str, name: str) -> Json | None:
    b = hub.json("-n", namespace, "get", "yamlbackup", name)
    return b if (b.get("status") or {}).get("phase") in ("Completed", "Failed") \
        and "cloudops.io/id" in b["metadata"].get("labels", {}) else None


def _ready(b: Json) -> Json:
    return next(c for c in b["status"]["conditions"] if c["type"] == "Ready")


async def test_a_backup_applied_with_kubectl_is_taken_or_fails_with_the_reason_and_either_id_form_finds_it(
        fleet: Any, shim: Client, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:  # noqa: F811
    clusters, members, ns = fleet
    cid = clusters[0]["id"]
    await apply(members[0], deployment("web", "nginx:1.19"))
    by_name, by_id = f"m1:deployment:{ns}:web", f"{cid}:deployment:{ns}:web"
    await asyncio.to_thread(_applied, hub, namespace, "by-kubectl", by_name)
    await asyncio.to_thread(_applied, hub, namespace, "of-nothing", f"{cid}:deployment:{ns}:nope")
    await asyncio.to_thread(_applied, hub, namespace, "other-cluster", f"m2:deployment:{ns}:web")

    taken = await eventually(lambda: asyncio.to_thread(_settled, hub, namespace, "by-kubectl"), 60, "backup taken")
    status = taken["status"]
    assert status["phase"] == "Completed" and status["clusterId"] == cid and status["resourceId"] == by_id
    assert _ready(taken)["status"] == "True" and _ready(taken)["reason"] == "Completed"
    assert taken["metadata"]["labels"]["cloudops.io/cluster"] == "m1" and not taken["metadata"].get("finalizers")

    # Both forms of the id list the one backup, with real id and cluster id.
    answers = [(await call(shim, "GET", f"/api/k8s/yaml/backup/list?resource_id={rid}"))["data"]
               for rid in (by_name, by_id)]
    assert answers[0] == answers[1] and answers[0]["total"] == 1
    view = answers[0]["backups"][0]
    assert view["id"] == status["id"] >= 1 and view["cluster_id"] == cid and view["resource_id"] == by_id
    assert view["status"] == "completed" and view["object_count"] == 1 and view["size_bytes"] > 0
    assert (view["resource_type"], view["namespace"], view["name"]) == ("deployment", ns, "web")
    # ... and its content restores.
    done = (await call(shim, "POST", "/api/k8s/yaml/backup/restore",
                       json={"backup_id": view["id"], "restore_name": "web-again"}))["data"]
    assert done["restored"][0]["id"] == f"{cid}:deployment:{ns}:web-again"
    again = await asyncio.to_thread(members[0].json, "get", "deploy", "web-again")
    assert again["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.19"

    # What can never be taken fails, with the reason in its condition and its message in the answer.
    for name, reason, mentions in [("of-nothing", "ObjectNotFound", "nope"),
                                   ("other-cluster", "ResourceIdMismatch", "'m2'")]:
        failed = await eventually(lambda n=name: asyncio.to_thread(_settled, hub, namespace, n), 60, name)
        assert failed["status"]["phase"] == "Failed" and _ready(failed)["reason"] == reason, failed["status"]
        assert mentions in _ready(failed)["message"] and failed["status"]["id"] >= 1
        listed = (await call(shim, "GET", f"/api/k8s/yaml/backup/list?status=failed&cluster_id={cid}"))["data"]
        row = next(b for b in listed["backups"] if b["backup_name"] == name)
        assert row["id"] == failed["status"]["id"] and mentions in row["error"]
