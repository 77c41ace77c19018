"""故障自愈 2.1-2.3 and the SelfHealingRule reconciler, end to end: kwok puts a pod into CrashLoopBackOff, the
operator (watching the member) restarts it once per cooldown and records it; a dry-run rule records only."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubernetes_asyncio.client import ApiClient

from cloudops.selfheal import claims
from cloudops.selfheal.rules import rule_from_object
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]
Member = tuple[Json, Kubectl, str]


def deployment(name: str) -> Json:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": f"{name}:1"}]}}}}


def rule(name: str, app: str, ns: str, **extra: Any) -> Json:
    return {"name": name, "description": "Auto restart failed pods", "namespaces": [ns],
            "label_selector": {"app": app},
            "conditions": [{"type": "pod_status", "operator": "equals", "value": "CrashLoopBackOff"}],
            "actions": [{"type": "restart_pod", "parameters": {"delay": "0s"}}], "cooldown": "10m",
            "enabled": True, **extra}


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[Member]:
    async with registered_member(topology, shim, "m1", "heal") as m:
        yield m


async def running_pod(k: Kubectl, app: str, other_than: str = "") -> str:
    async def one() -> str | None:
        pods = (await asyncio.to_thread(k.json, "get", "pods", "-l", f"app={app}"))["items"]
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp") and p["metadata"]["name"] != other_than
                and p.get("status", {}).get("phase") == "Running"
                and all(c.get("ready") for c in p["status"].get("containerStatuses") or [{}])]
        return str(live[0]["metadata"]["name"]) if live else None
    return await eventually(one, 60, f"a running {app} pod")


async def crash(k: Kubectl, pod: str, may_go: bool = False) -> None:
    """kwok shows the pod crash-looping (or, `may_go`, it is already restarted: the operator can be quicker
    than this poll)."""
    await asyncio.to_thread(k, "annotate", "pod", pod, "cloudops.io/emulate-state=CrashLoopBackOff")

    async def crashing() -> bool:
        found = await asyncio.to_thread(k, "get", "pod", pod, "--ignore-not-found", "-o", "json")
        if not found.strip():
            assert may_go, f"{pod} is gone"
            return True
        p = json.loads(found)
        if may_go and p["metadata"].get("deletionTimestamp"):
            return True
        return any((c.get("state") or {}).get("waiting", {}).get("reason") == "CrashLoopBackOff"
                   for c in p["status"].get("containerStatuses") or [])
    await eventually(crashing, 30, f"{pod} crash-looping")


async def history(shim: Client, query: str = "") -> Json:
    return (await call(shim, "GET", f"/api/k8s/self-healing/history{query}"))["data"]


async def recorded(shim: Client, query: str) -> Json | None:
    """The history page once it holds an entry (a wait condition: the page itself is never empty)."""
    page = await history(shim, query)
    return page if page["history"] else None


async def test_create_validates_and_a_viewer_cannot_create(member: Member, shim: Client, make_key: KeyMaker) -> None:
    cluster, _, ns = member
    bad = rule("bad", "web", ns)
    bad["conditions"][0]["type"] = "cpu_spike"
    err = await call(shim, "POST", "/api/k8s/self-healing/rules/create", 400, json=bad)
    assert "conditions[0].type" in err["error"] and "cpu_spike" in err["error"]
    bad = rule("bad", "web", ns, actions=[{"type": "restart_pod"}, {"type": "reboot_node"}])
    err = await call(shim, "POST", "/api/k8s/self-healing/rules/create", 400, json=bad)
    assert "actions[1].type" in err["error"] and "reboot_node" in err["error"]
    bad = rule("bad", "web", ns, actions=[{"type": "scale"}])
    err = await call(shim, "POST", "/api/k8s/self-healing/rules/create", 400, json=bad)
    assert "actions[0].parameters.replicas" in err["error"]
    err = await call(shim, "POST", "/api/k8s/self-healing/rules/create", 400, json=rule("bad", "web", ns, cooldown=5))
    assert err["error"].startswith("cooldown")

    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    denied = await call(shim, "POST", "/api/k8s/self-healing/rules/create", 403, json=rule("v", "web", ns),
                        headers=viewer)
    assert denied["code"] == 1003
    created = (await call(shim, "POST", "/api/k8s/self-healing/rules/create", json=rule("ok", "web", ns)))["data"]
    assert created["clusters"] == [{"cluster_id": cluster["id"], "cluster_name": "m1"}]
    assert created["cooldown_seconds"] == 600 and created["actions"][0]["parameters"] == {"delay": "0s"}
    await call(shim, "POST", "/api/k8s/self-healing/rules/create", 409, json=rule("ok", "web", ns))
    # A viewer reads rules and history (verb list on capability policies).
    listed = (await call(shim, "GET", "/api/k8s/self-healing/rules", headers=viewer))["data"]
    assert [r["name"] for r in listed["rules"]] == ["ok"] and listed["total"] == 1
    assert (await call(shim, "GET", "/api/k8s/self-healing/history", headers=viewer))["data"]["total"] == 0


async def test_history_times_that_cannot_exist_are_400s_in_our_words(member: Member, shim: Client) -> None:
    for field in ("start_time", "end_time"):
        for value, why in (("2026-02-30T00:00:00Z", "e.g. 2026-01-02T03:04:05Z"),
                           ("0000-01-01T00:00:00Z", "e.g. 2026-01-02T03:04:05Z"),
                           ("2024-01-01T24:00:00Z", "e.g. 2026-01-02T03:04:05Z")):
            err = await call(shim, "GET", "/api/k8s/self-healing/history", 400, params={field: value})
            assert err["error"].startswith(f"{field}: ") and why in err["error"], err
    assert (await call(shim, "GET", "/api/k8s/self-healing/history", params={  # edges of RFC 3339 bound like 0001/9999
        "start_time": "9999-12-31T23:59:59-01:00", "end_time": "0001-01-01T00:00:00+01:00"}))["data"]["total"] == 0
    assert (await call(shim, "GET", "/api/k8s/self-healing/history", params={
        "start_time": "0001-01-01T00:00:00Z", "end_time": "9999-12-31T23:59:59Z"}))["data"]["total"] == 0


async def test_restarts_a_crash_looping_pod_once_per_cooldown_and_dry_run_only_records(
        member: Member, shim: Client, hub: Kubectl, namespace: str, operator: OperatorProcess) -> None:
    _, k, ns = member
    for app in ("web", "dry", "api"):
        await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(deployment(app)))
    web, dry = await running_pod(k, "web"), await running_pod(k, "dry")
    await call(shim, "POST", "/api/k8s/self-healing/rules/create", json=rule("restart-web", "web", ns))
    await call(shim, "POST", "/api/k8s/self-healing/rules/create", json=rule("dry-web", "dry", ns, dry_run=True))
    await call(shim, "POST", "/api/k8s/self-healing/rules/create", json=rule("undo-api", "api", ns, actions=[
        {"type": "event", "parameters": {"reason": "SelfHealingTest"}},
        {"type": "annotate", "parameters": {"key": "cloudops.io/healed", "value": "yes"}},
        {"type": "rollback_deployment"}]))
    await asyncio.to_thread(k, "set", "image", "deployment/api", "c=api:2")

    async def watching() -> bool:
        rules = (await call(shim, "GET", "/api/k8s/self-healing/rules"))["data"]["rules"]
        return len(rules) == 3 and all(r["status"]["ready"] and r["status"]["reason"] == "Watching" for r in rules)
    await eventually(watching, 30, "both rules watching")
    started = datetime.now(UTC) - timedelta(seconds=1)

    # 1. The crash-looping pod is restarted: deleted, and its ReplicaSet brings up a new one.
    await crash(k, web, may_go=True)
    replacement = await running_pod(k, "web", other_than=web)
    entries = (await eventually(lambda: recorded(shim, "?rule=restart-web"), 30, "restart recorded"))["history"]
    assert len(entries) == 1
    e = entries[0]
    assert (e["action"], e["result"], e["dry_run"], e["error"]) == ("restart_pod", "succeeded", False, None)
    assert e["resource"] == {"kind": "pod", "namespace": ns, "name": web}
    assert e["cooldown_key"] == f"deployment/{ns}/web" and e["condition"] == "pod_status equals CrashLoopBackOff"
    assert e["cluster_name"] == "m1" and started <= datetime.fromisoformat(e["started_at"]) <= \
        datetime.fromisoformat(e["finished_at"])

    # 2. Within the cooldown the app's next crash-looping pod is left alone. The dry-run pod crashes after it:
    # once that decision is recorded, the engine has evaluated the earlier event on the replacement too.
    await crash(k, replacement)
    await crash(k, dry)
    dry_entries = (await eventually(lambda: recorded(shim, "?rule=dry-web"), 30, "dry run recorded"))["history"]
    assert [(d["action"], d["result"], d["dry_run"]) for d in dry_entries] == [("restart_pod", "dry_run", True)]
    pods = await asyncio.to_thread(k.json, "get", "pods")
    names = {p["metadata"]["name"] for p in pods["items"] if not p["metadata"].get("deletionTimestamp")}
    assert replacement in names and dry in names, "neither the cooled-down pod nor the dry-run pod was deleted"
    assert (await history(shim, "?rule=restart-web"))["total"] == 1
    # One claim per rule and workload in the hub: the cooldown's truth, shared by replicas.
    leases = await asyncio.to_thread(hub.json, "-n", namespace, "get", "leases", "-l",
                                     "cloudops.io/self-healing-rule=restart-web")
    assert len(leases["items"]) == 1 and leases["items"][0]["spec"]["leaseDurationSeconds"] == 600

    # 3. Status and history filters.
    async def counted() -> Json | None:
        rules = {r["name"]: r for r in (await call(shim, "GET", "/api/k8s/self-healing/rules"))["data"]["rules"]}
        ok = rules["restart-web"]["status"]["triggers"] == 1 and rules["dry-web"]["status"]["triggers"] == 1
        return rules if ok else None
    rules = await eventually(counted, 30, "trigger counts")
    status = rules["restart-web"]["status"]
    assert status["actions_last_hour"] == 1 and status["last_triggered"] and status["observed_generation"] == 1
    both = await history(shim, "?limit=1")
    assert both["total"] == 2 and len(both["history"]) == 1 and both["history"][0]["rule"] == "dry-web"
    assert (await history(shim, "?namespace=elsewhere"))["total"] == 0
    future = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (await history(shim, f"?start_time={future}"))["total"] == 0
    assert (await history(shim, f"?start_time={future}&end_time=2020-01-01T00:00:00Z"))["total"] == 0  # empty range

    # 4. Rollback like `kubectl rollout undo`, after a Warning event and an annotation, in the rule's order.
    async def api_v2_pod() -> str | None:
        pods = (await asyncio.to_thread(k.json, "get", "pods", "-l", "app=api"))["items"]
        return next((p["metadata"]["name"] for p in pods if p["spec"]["containers"][0]["image"] == "api:2"
                     and not p["metadata"].get("deletionTimestamp") and p["status"].get("phase") == "Running"), None)
    await crash(k, await eventually(api_v2_pod, 60, "api:2 rolled out"), may_go=True)

    async def rolled_back() -> bool:
        dep = await asyncio.to_thread(k.json, "get", "deployment", "api")
        return bool(dep["spec"]["template"]["spec"]["containers"][0]["image"] == "api:1")
    await eventually(rolled_back, 30, "api rolled back to revision 1")
    undo = (await eventually(lambda: recorded(shim, "?rule=undo-api"), 30, "rollback recorded"))["history"]
    assert [(e["action"], e["result"]) for e in reversed(undo)] == [
        ("event", "succeeded"), ("annotate", "succeeded"), ("rollback_deployment", "succeeded")], undo
    assert "back to revision 1" in undo[0]["message"]
    events = await asyncio.to_thread(k.json, "get", "events", "--field-selector", "reason=SelfHealingTest")
    assert len(events["items"]) == 1 and events["items"][0]["type"] == "Warning"

    # 5. The member watch is shared by the rules and stops with the last of them.
    assert operator.text().count("self-healing: watching pods of m1") == 1
    await asyncio.to_thread(hub, "-n", namespace, "delete", "selfhealingrule", "restart-web", "dry-web", "undo-api")
    await eventually(lambda: asyncio.sleep(0, "self-healing: stopped watching pods of m1" in operator.text()), 30,
                     "the member watch stopped")


async def test_two_replicas_never_both_claim_one_action(hub_api: ApiClient, hub: Kubectl, namespace: str) -> None:
    """The claim is a Lease named after (rule, cluster, resource): one of two concurrent claimers wins, nobody
    claims during the cooldown, and of two replicas taking over an expired claim one wins."""
    body = {"apiVersion": "cloudops.io/v1alpha1", "kind": "SelfHealingRule",
            "metadata": {"name": "claims", "namespace": namespace},
            "spec": {"clusters": ["m1"], "enabled": False, "cooldownSeconds": 30,
                     "conditions": [{"type": "pod_status", "value": "CrashLoopBackOff"}],
                     "actions": [{"type": "restart_pod"}]}}
    rule = rule_from_object(json.loads(await asyncio.to_thread(hub, "create", "-f", "-", "-o", "json",
                                                               stdin=json.dumps(body))))
    now, resource = datetime.now(UTC), "deployment/app/web"
    first = await asyncio.gather(*(claims.claim(hub_api, rule, "m1", resource, f"replica-{i}", now, None)
                                   for i in range(2)))
    assert sorted(first) == [False, True]
    held = await claims.read(hub_api, namespace, claims.claim_name(rule.uid, "m1", resource))
    assert held is not None and held.seconds == 30 and held.holder == f"replica-{first.index(True)}"
    assert not await claims.claim(hub_api, rule, "m1", resource, "replica-0", now + timedelta(seconds=29), held)
    later = now + timedelta(seconds=30)
    second = await asyncio.gather(*(claims.claim(hub_api, rule, "m1", resource, f"replica-{i}", later, held)
                                    for i in range(2)))
    assert sorted(second) == [False, True]
    after = await claims.read(hub_api, namespace, claims.claim_name(rule.uid, "m1", resource))
    assert after is not None and after.transitions == 1 and after.acquired == later
    # Another resource (or cluster) is a claim of its own.
    assert await claims.claim(hub_api, rule, "m2", resource, "replica-0", now, None)
