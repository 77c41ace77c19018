"""合规性管理 1.1 against a member: a bad deployment fails exactly its checks, auto_fix makes a re-run pass them."""

from __future__ import annotations

from typing import Any

from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member

__all__ = ["member"]

RUN = "/api/k8s/compliance/check"
Json = dict[str, Any]
GOOD_CONTAINER: Json = {
    "name": "app", "image": "example/app:1.2", "imagePullPolicy": "Always",
    "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]}},
    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "128Mi"}},
    "readinessProbe": {"tcpSocket": {"port": 80}}, "livenessProbe": {"tcpSocket": {"port": 80}}}
BAD_CONTAINER: Json = {"name": "app", "image": "example/app:1.2", "imagePullPolicy": "IfNotPresent",
                       "securityContext": {"allowPrivilegeEscalation": True, "privileged": True}}


def deployment(name: str, container: Json, replicas: int, pod: Json | None = None) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [container], **(pod or {})}}}}


async def setup(member: Member, namespace: str | None = None) -> None:
    good_pod = {"securityContext": {"runAsNonRoot": True, "runAsUser": 1000}}
    await member.apply(deployment("good", GOOD_CONTAINER, 2, good_pod), namespace)
    await member.apply(deployment("bad", BAD_CONTAINER, 1, {"hostPID": True}), namespace)
    await member.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "good"},
                        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "good"}}}}, namespace)
    await member.apply({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "good"},
                        "spec": {"podSelector": {"matchLabels": {"app": "good"}},
                                 "policyTypes": ["Ingress", "Egress"]}}, namespace)


def failing(run: Json, name: str) -> dict[str, list[str]]:
    return {r["policy"]: [v["check_id"] for v in r["violations"]] for r in run["results"]
            if r["name"] == name and r["status"] == "failed"}


async def test_checks_fail_exactly_the_bad_deployment_and_auto_fix_makes_a_rerun_pass(
        member: Member, shim: Client) -> None:
    ns = member.ns
    other = await member.namespace({})
    await setup(member)
    await setup(member, other)

    run = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    assert run["status"] == "completed" and run["check_id"].startswith("check-") and run["fixes"] == []
    assert failing(run, "good") == {}
    assert failing(run, "bad") == {
        "security-context": ["run-as-non-root", "privilege-escalation-allowed", "privileged",
                             "capabilities-drop-all", "read-only-root-filesystem", "host-pid"],
        "resource-limits": ["cpu-requests", "cpu-limits", "memory-requests", "memory-limits"],
        "network-policy": ["network-policy-ingress", "network-policy-egress"],
        "image": ["pull-policy-always"], "probes": ["readiness-probe", "liveness-probe"],
        "reliability": ["deployment-replicas", "pod-disruption-budget"]}
    assert run["summary"] == {"total": 12, "passed": 6, "failed": 6, "compliance_score": 50.0}
    sc = next(r for r in run["results"] if r["name"] == "bad" and r["policy"] == "security-context")
    assert sc["resource"] == "deployment/bad" and sc["namespace"] == ns
    assert sc["violations"][0]["field"] == "spec.template.spec.securityContext.runAsNonRoot"
    assert sc["fix_suggestion"]["patch"]["spec"]["template"]["spec"]["securityContext"] == {
        "runAsNonRoot": True, "runAsUser": 1000}

    # Only the policies asked for; services are named as skipped; system namespaces excluded by default.
    only = (await call(shim, "POST", RUN, json={"policies": ["image"], "resources": ["deployments", "services"],
                                                 "namespaces": [ns, "kube-system"]}))["data"]
    assert {r["policy"] for r in only["results"]} == {"image"} and only["summary"]["total"] == 2
    assert any("services" in n for n in only["notes"]) and "kube-system" in only["excluded_namespaces"]

    # auto_fix: only mechanical checks, never in the excluded namespace.
    fixed = (await call(shim, "POST", RUN, json={"namespaces": [ns, other], "excluded_namespaces": [other],
                                                  "auto_fix": True}))["data"]
    assert [(f["namespace"], f["name"], f["status"]) for f in fixed["fixes"]] == [(ns, "bad", "applied")]
    assert fixed["fixes"][0]["checks"] == sorted(
        ["run-as-non-root", "privilege-escalation-allowed", "privileged", "capabilities-drop-all",
         "read-only-root-filesystem", "host-pid", "pull-policy-always", "deployment-replicas"])
    live = await member.json("get", "deployment", "bad")
    container = live["spec"]["template"]["spec"]["containers"][0]
    assert container["securityContext"]["privileged"] is False and container["imagePullPolicy"] == "Always"
    assert live["spec"]["replicas"] == 2 and live["spec"]["template"]["spec"].get("hostPID") is not True
    untouched = await member.json("get", "deployment", "bad", "-n", other)
    assert untouched["spec"]["replicas"] == 1

    rerun = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    assert failing(rerun, "bad") == {
        "resource-limits": ["cpu-requests", "cpu-limits", "memory-requests", "memory-limits"],
        "network-policy": ["network-policy-ingress", "network-policy-egress"],
        "probes": ["readiness-probe", "liveness-probe"], "reliability": ["pod-disruption-budget"]}
    assert rerun["summary"]["compliance_score"] > run["summary"]["compliance_score"]


async def test_bad_input_names_the_field_and_a_viewer_may_check_but_not_fix(
        member: Member, shim: Client, make_key: KeyMaker) -> None:
    ns = member.ns
    await setup(member)
    assert "resources[1]" in (await call(shim, "POST", RUN, 400, json={"resources": ["deployments", "widgets"]}))[
        "error"]
    assert "policies" in (await call(shim, "POST", RUN, 400, json={"policies": ["nope"]}))["error"]
    assert "namespaces" in (await call(shim, "POST", RUN, 400, json={"namespaces": ["Bad_NS"]}))["error"]
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    seen = (await call(shim, "POST", RUN, headers=viewer, json={"namespaces": [ns]}))["data"]
    assert seen["summary"]["failed"] == 6
    err = await call(shim, "POST", RUN, 403, headers=viewer, json={"namespaces": [ns], "auto_fix": True})
    assert err["code"] == 1003 and "vera" in err["error"]
    assert (await member.json("get", "deployment", "bad"))["spec"]["replicas"] == 1
