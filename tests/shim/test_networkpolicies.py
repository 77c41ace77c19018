"""NetworkPolicy 3.1–3.5 against a member: snake_case CRUD, the member's validation, the computed status."""

from __future__ import annotations

from typing import Any

from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member, pod

__all__ = ["member"]

BASE = "/api/k8s/networkpolicies"


def web_policy(ns: str, ops: str) -> dict[str, Any]:
    return {"name": "web-policy", "namespace": ns, "labels": {"team": "web"},
            "pod_selector": {"matchLabels": {"app": "web"}}, "policy_types": ["Ingress", "Egress"],
            "ingress": [{"from": [{"pod_selector": {"matchLabels": {"app": "api"}}}],
                         "ports": [{"protocol": "TCP", "port": 80}, {"port": "metrics"}]}],
            "egress": [{"to": [{"namespace_selector": {"matchLabels": {"team": "ops"}},
                                "pod_selector": {"matchLabels": {"app": "prom"}}},
                               {"ip_block": {"cidr": "172.20.0.0/16", "except": ["172.20.1.0/24"]}}],
                        "ports": [{"protocol": "TCP", "port": 9090, "end_port": 9099}]}]}


async def test_policy_crud_and_computed_status(member: Member, shim: Client) -> None:
    ns = member.ns
    ops = await member.namespace({"team": "ops"})
    for name, labels in (("web-1", {"app": "web"}), ("web-2", {"app": "web"}), ("api-1", {"app": "api"}),
                         ("db-1", {"app": "db"})):
        await member.apply(pod(name, labels, [{"name": "metrics", "containerPort": 9100}]))
    await member.apply(pod("prom", {"app": "prom"}), ops)
    await member.apply(pod("grafana", {"app": "grafana"}), ops)

    created = (await call(shim, "POST", f"{BASE}/create", json=web_policy(ns, ops)))["data"]
    assert created["id"] == f"{member.cluster['id']}:networkpolicy:{ns}:web-policy"
    assert created["ingress"][0]["from"][0]["pod_selector"] == {"matchLabels": {"app": "api"}}
    assert created["egress"][0]["to"][1]["ip_block"] == {"cidr": "172.20.0.0/16", "except": ["172.20.1.0/24"]}
    live = await member.json("get", "networkpolicy", "web-policy")
    assert live["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 9090, "endPort": 9099}]
    assert live["spec"]["egress"][0]["to"][0]["namespaceSelector"] == {"matchLabels": {"team": "ops"}}
    assert live["spec"]["ingress"][0]["ports"][1] == {"protocol": "TCP", "port": "metrics"}

    listed = (await call(shim, "GET", f"{BASE}?namespace={ns}"))["data"]
    assert listed["total"] == 1 and listed["networkpolicies"][0]["policy_types"] == ["Ingress", "Egress"]
    assert (await call(shim, "GET", f"{BASE}?namespace={ns}&label_selector=team%3Dother"))["data"]["total"] == 0
    assert "label_selector" in (await call(shim, "GET", f"{BASE}?label_selector=%21%21", 400))["error"]

    status = (await call(shim, "GET", f"{BASE}/web-policy/status?namespace={ns}"))["data"]
    assert [p["name"] for p in status["selected_pods"]] == ["web-1", "web-2"] and status["selected_pod_count"] == 2
    assert status["isolated_directions"] == ["Ingress", "Egress"]
    ingress_peer = status["ingress_rules"][0]["peers"][0]
    assert ingress_peer["type"] == "pods" and [p["name"] for p in ingress_peer["pods"]] == ["api-1"]
    egress = status["egress_rules"][0]["peers"]
    assert egress[0]["namespaces"] == [ops] and [(p["namespace"], p["name"]) for p in egress[0]["pods"]] == [
        (ops, "prom")]
    assert egress[1] == {"type": "ip_block", "namespaces": [], "pods": [], "cidr": "172.20.0.0/16",
                         "except": ["172.20.1.0/24"]}
    assert sorted(status["unisolated_pods"]["ingress"]) == ["api-1", "db-1"]
    assert status["default_deny"] == {"ingress": False, "egress": False} and status["namespace_pod_count"] == 4
    by_id = (await call(shim, "GET", f"{BASE}/{created['id']}/status"))["data"]
    assert by_id["selected_pod_count"] == 2

    # A second policy isolating every pod's ingress changes the namespace's unisolated pods.
    deny = {"name": "deny-all", "namespace": ns, "pod_selector": {}, "policy_types": ["Ingress"]}
    await call(shim, "POST", f"{BASE}/create", json=deny)
    deny_status = (await call(shim, "GET", f"{BASE}/deny-all/status?namespace={ns}"))["data"]
    assert deny_status["default_deny"] == {"ingress": True, "egress": False}
    assert deny_status["selected_pod_count"] == 4 and deny_status["unisolated_pods"]["ingress"] == []
    assert sorted(deny_status["unisolated_pods"]["egress"]) == ["api-1", "db-1"]

    # Update: fields left out stay; an empty ingress list is deny-all ingress.
    updated = (await call(shim, "PUT", f"{BASE}/web-policy?namespace={ns}", json={"ingress": [],
                                                                                  "labels": {"team": "x"}}))["data"]
    assert updated["ingress"] == [] and updated["egress"][0]["ports"][0]["end_port"] == 9099
    live = await member.json("get", "networkpolicy", "web-policy")
    assert live["metadata"]["labels"] == {"team": "x", "cloudops.io/versioned": "true"}  # tracked for versions
    assert live["spec"].get("ingress") is None
    assert live["spec"]["podSelector"] == {"matchLabels": {"app": "web"}}
    status = (await call(shim, "GET", f"{BASE}/web-policy/status?namespace={ns}"))["data"]
    assert status["default_deny"]["ingress"] is True

    # The member validates: its field path comes back.
    bad = web_policy(ns, ops) | {"name": "bad"}
    bad["egress"][0]["to"][1]["ip_block"]["cidr"] = "300.1.1.1/8"
    err = await call(shim, "POST", f"{BASE}/create", 422, json=bad)
    assert "ipBlock.cidr" in err["error"]
    err = await call(shim, "POST", f"{BASE}/create", 400, json={"name": "x", "namespace": ns, "podSelector": {}})
    assert "podSelector" in err["error"]
    err = await call(shim, "POST", f"{BASE}/create", 400, json={"name": "x", "labels": {"bad key!": "v"}})
    assert "labels" in err["error"]
    assert (await call(shim, "PUT", f"{BASE}/nothing?namespace={ns}", 404, json={}))["code"] == 1002

    gone = (await call(shim, "DELETE", f"{BASE}/web-policy?namespace={ns}"))["data"]
    assert gone == {"id": created["id"], "name": "web-policy", "namespace": ns, "deleted": True}
    assert (await call(shim, "GET", f"{BASE}/web-policy/status?namespace={ns}", 404))["code"] == 1002
    assert "networkpolicy" in (await call(shim, "GET", f"{BASE}/1:pod:{ns}:web-1/status", 400))["error"]


async def test_a_viewer_reads_policies_but_gets_403_on_every_write(member: Member, shim: Client,
                                                                   make_key: KeyMaker) -> None:
    ns = member.ns
    await call(shim, "POST", f"{BASE}/create", json={"name": "p", "namespace": ns, "pod_selector": {}})
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    assert (await call(shim, "GET", f"{BASE}?namespace={ns}", headers=viewer))["data"]["total"] == 1
    await call(shim, "GET", f"{BASE}/p/status?namespace={ns}", headers=viewer)
    for method, path, body in (("POST", f"{BASE}/create", {"name": "q", "namespace": ns}),
                               ("PUT", f"{BASE}/p?namespace={ns}", {"policy_types": ["Egress"]}),
                               ("DELETE", f"{BASE}/p?namespace={ns}", None)):
        err = await call(shim, method, path, 403, headers=viewer, **({"json": body} if body is not None else {}))
        assert err["code"] == 1003 and "vera" in err["error"], (method, path)
    assert (await member.json("get", "networkpolicy", "p"))["spec"].get("policyTypes") == ["Ingress"]
