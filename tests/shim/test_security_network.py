"""Network 2.1–2.2 against a member: generated policies, applied, are accepted and evaluate as intended."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from api_shim.state import CACHE
from cloudops.network.policy_eval import Endpoint, Namespace, Pod, Policy, evaluate
from cloudops.settings import Settings
from tests.shim.checked import CheckedClient
from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member, pod

__all__ = ["member"]

GENERATE = "/api/k8s/security/network/generate-policy"
Json = dict[str, Any]


async def test_generated_policies_apply_and_allow_only_app_to_db_on_3306(member: Member, shim: Client) -> None:
    ns = member.ns
    await member.apply(pod("app-pod", {"app": "shop", "tier": "app", "pod-template-hash": "abc"}))
    await member.apply(pod("db-pod", {"app": "shop", "tier": "db"}, [{"name": "mysql", "containerPort": 3306}]))
    await member.apply(pod("other", {"app": "other"}))
    body = {"namespace": ns, "pods": ["app-pod", "db-pod"], "policy_type": "deny-all",
            "exceptions": [{"from": "app-pod", "to": "db-pod", "ports": [3306]}]}
    preview = (await call(shim, "POST", GENERATE, json=body))["data"]
    assert preview["applied"] is False and len(preview["policies"]) == 2
    assert list(yaml.safe_load_all(preview["yaml"])) == preview["policies"]
    assert preview["policies"][0]["spec"]["podSelector"] == {"matchLabels": {"app": "shop", "tier": "app"}}
    assert (await member.json("get", "networkpolicies"))["items"] == []

    done = (await call(shim, "POST", GENERATE, json=body | {"apply": True}))["data"]
    assert done["applied_policies"] == ["cloudops-deny-all-app-pod", "cloudops-deny-all-db-pod"]
    live = (await member.json("get", "networkpolicies"))["items"]
    pods = {p["metadata"]["name"]: Pod.from_k8s(p) for p in (await member.json("get", "pods"))["items"]}
    namespaces = {ns: Namespace(ns)}
    policies = [Policy.from_k8s(p) for p in live]

    def allowed(src: str, dst: str, port: int) -> bool:
        return evaluate(policies, Endpoint.of_pod(pods[src], namespaces), Endpoint.of_pod(pods[dst], namespaces),
                        port).allowed

    assert allowed("app-pod", "db-pod", 3306)
    assert not any(allowed(s, d, p) for s, d, p in (("app-pod", "db-pod", 80), ("db-pod", "app-pod", 3306),
                                                    ("other", "db-pod", 3306), ("app-pod", "other", 3306),
                                                    ("other", "app-pod", 8080)))
    # Applying again is idempotent.
    again = (await call(shim, "POST", GENERATE, json=body | {"apply": True}))["data"]
    assert again["applied_policies"] == done["applied_policies"]


async def test_generate_bad_input_and_a_viewer_may_preview_but_not_apply(member: Member, shim: Client,
                                                                          make_key: KeyMaker) -> None:
    ns = member.ns
    await member.apply(pod("app-pod", {"app": "a"}))
    err = await call(shim, "POST", GENERATE, 400, json={"namespace": ns, "pods": ["app-pod"], "exceptions": [
        {"from": "app-pod", "to": "db-pod", "ports": [3306]}]})
    assert "exceptions[0].to" in err["error"]
    assert "ports" in (await call(shim, "POST", GENERATE, 400, json={"namespace": ns, "pods": ["app-pod"],
                                                                    "exceptions": [{"from": "app-pod", "to": "app-pod",
                                                                                    "ports": [0]}]}))["error"]
    assert (await call(shim, "POST", GENERATE, 404, json={"namespace": ns, "pods": ["nope"]}))["code"] == 1002
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    await call(shim, "POST", GENERATE, headers=viewer, json={"namespace": ns, "pods": ["app-pod"]})
    err = await call(shim, "POST", GENERATE, 403, headers=viewer, json={"namespace": ns, "pods": ["app-pod"],
                                                                        "apply": True})
    assert err["code"] == 1003 and "vera" in err["error"]
    assert (await member.json("get", "networkpolicies"))["items"] == []


async def test_analyze_infers_edges_with_evidence_and_its_recommendation_generates_policies(
        member: Member, shim: Client) -> None:
    ns = member.ns
    app = pod("app-pod", {"tier": "app"})
    app["spec"]["containers"][0]["env"] = [{"name": "DB_URL", "value": "mysql://u:hunter2@db:3306/shop"}]
    await member.apply(app)
    await member.apply(pod("db-pod", {"tier": "db"}, [{"name": "mysql", "containerPort": 3306}]))
    await member.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
                        "spec": {"selector": {"tier": "db"}, "ports": [{"port": 3306, "targetPort": "mysql"}]}})
    out = (await call(shim, "POST", "/api/k8s/security/network/analyze",
                      json={"namespace": ns, "time_range": "24h"}))["data"]
    assert out["time_range"]["applicable"] is False and out["data_sources"] == ["declared", "inferred"]
    assert out["services"][0]["pods"] == ["db-pod"]
    (edge,) = out["edges"]
    assert (edge["from"], edge["to_service"], edge["to_pods"]) == ("app-pod", "db", ["db-pod"])
    assert edge["evidence"][0]["variable"] == "DB_URL" and edge["decisions"][0]["allowed"] is True
    assert "hunter2" not in str(out)
    assert out["unisolated_pods"]["ingress"] == ["app-pod", "db-pod"]
    (rec,) = out["recommendations"]
    body = {"namespace": ns, "pods": rec["pods"], "policy_type": rec["policy_type"],
            "exceptions": rec["exceptions"], "apply": True}
    await call(shim, "POST", GENERATE, json=body)
    after = (await call(shim, "POST", "/api/k8s/security/network/analyze", json={"namespace": ns}))["data"]
    assert after["unisolated_pods"] == {"ingress": [], "egress": []} and after["recommendations"] == []
    assert after["edges"][0]["decisions"][0]["allowed"] is True
    assert "time_range" in (await call(shim, "POST", "/api/k8s/security/network/analyze", 400,
                                       json={"namespace": ns, "time_range": "forever"}))["error"]


def _hubble(src: str, dst: str, port: int, verdict: str, at: datetime) -> str:
    (sns, spod), (dns, dpod) = src.split("/"), dst.split("/")
    return json.dumps({"flow": {
        "time": at.strftime("%Y-%m-%dT%H:%M:%S.000000001Z"), "verdict": verdict, "Type": "L3_L4",
        "source": {"namespace": sns, "pod_name": spod, "labels": ["k8s:tier=app"]},
        "destination": {"namespace": dns, "pod_name": dpod}, "l4": {"TCP": {"source_port": 41000,
                                                                           "destination_port": port}}},
        "node_name": "kwok-node-0", "time": at.strftime("%Y-%m-%dT%H:%M:%SZ")})


async def test_analyze_reports_observed_flows_from_a_configured_hubble_export(
        member: Member, shim: Client, settings: Settings, make_key: KeyMaker, tmp_path: Path) -> None:
    ns = member.ns
    now = datetime.now(UTC)
    export = tmp_path / "flows.json"
    export.write_text("\n".join([
        _hubble(f"{ns}/app-pod", f"{ns}/db-pod", 3306, "FORWARDED", now - timedelta(minutes=5)),
        _hubble(f"{ns}/app-pod", f"{ns}/db-pod", 3306, "FORWARDED", now - timedelta(minutes=4)),
        _hubble(f"{ns}/app-pod", f"{ns}/db-pod", 22, "DROPPED", now - timedelta(minutes=3)),
        _hubble(f"{ns}/app-pod", f"{ns}/db-pod", 3306, "FORWARDED", now - timedelta(hours=3)),  # outside 1h
        _hubble("elsewhere/a", "elsewhere/b", 80, "FORWARDED", now)]) + "\n")
    await member.apply(pod("app-pod", {"tier": "app"}))
    key = await make_key("flow-admin", ["cloudops:admins"])
    flows_settings = replace(settings, network_flows=f"hubble:{export}")
    async with CheckedClient(TestServer(create_app(flows_settings)), headers={"X-API-Key": key}) as client:
        assert await client.app[CACHE].wait_synced(60)
        out = (await call(client, "POST", "/api/k8s/security/network/analyze",
                          json={"namespace": ns, "time_range": "1h"}))["data"]
    assert out["time_range"]["applicable"] is True
    assert "3 flows from the Hubble flow export" in out["time_range"]["note"]
    assert out["data_sources"] == ["declared", "inferred", "observed"]
    assert out["flow_source"] == {"kind": "hubble", "used": True, "flows_read": 3, "truncated": False, "error": None,
                                  "queries": []}
    assert out["time_range"]["used"] == "1h" and out["time_range"]["since"] < out["time_range"]["until"]
    assert [(e["from"], e["to"], e["port"], e["flows"], e["verdicts"]) for e in out["observed_edges"]] == [
        (f"{ns}/app-pod", f"{ns}/db-pod", 3306, 2, {"FORWARDED": 2}),
        (f"{ns}/app-pod", f"{ns}/db-pod", 22, 1, {"DROPPED": 1})]
    # The shim without a source: no observed edges, time_range not applicable.
    plain = (await call(shim, "POST", "/api/k8s/security/network/analyze",
                        json={"namespace": ns, "time_range": "1h"}))["data"]
    assert plain["observed_edges"] == [] and plain["flow_source"]["kind"] is None
    assert plain["time_range"]["applicable"] is False
