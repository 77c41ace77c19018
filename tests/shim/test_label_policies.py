"""Label policies (标签管理 1.6), compliance checks (1.7) and the LabelPolicy reconciler, on real deployments
of a member: the reconciler reports a non-compliant deployment and, with remediation on, fixes it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess
from tests.shim.conftest import Client, KeyMaker
from tests.shim.member_fixtures import call, registered_member

Json = dict[str, Any]


def deployment(name: str, **labels: str) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": labels},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[tuple[Json, Kubectl, str]]:
    async with registered_member(topology, shim, "p1", "p") as (cluster, k, ns):
        for d in (deployment("good", environment="production", team="a", version="v1.0.0"),
                  deployment("nolabels"),
                  deployment("devish", environment="dev", team="b", dev="true")):
            await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(d))
        yield cluster, k, ns


def policy(name: str, **extra: Any) -> Json:
    return {"name": name, "description": "Required labels for production resources", "enabled": True,
            "rules": [{"resource_type": "deployment", "required_labels": ["environment", "team"],
                       "forbidden_labels": ["test", "dev"],
                       "label_patterns": {"environment": "^production$|^staging$"}}], **extra}


async def test_policy_create_and_compliance_check(member: Any, shim: Client, make_key: KeyMaker) -> None:
    cluster, _, ns = member
    bad = policy("broken")
    bad["rules"][0]["label_patterns"]["version"] = r"^v(\d+"
    err = await call(shim, "POST", "/api/k8s/labels/policies/create", 400, json=bad)
    assert "rules[0].label_patterns.version" in err["error"]
    bad = policy("broken")
    bad["rules"][0]["forbidden_labels"] = ["team"]
    assert "also required" in (await call(shim, "POST", "/api/k8s/labels/policies/create", 422, json=bad))["error"]
    bad = policy("broken")
    bad["rules"][0]["required_labels"] = ["bad key"]
    err = await call(shim, "POST", "/api/k8s/labels/policies/create", 400, json=bad)
    assert "rules[0].required_labels[0]" in err["error"]

    created = (await call(shim, "POST", "/api/k8s/labels/policies/create", json=policy("prod")))["data"]
    assert isinstance(created["id"], int) and created["enforcement"] == "audit"
    assert created["rules"][0]["required_labels"] == ["environment", "team"]
    second = (await call(shim, "POST", "/api/k8s/labels/policies/create", json=policy("prod-2")))["data"]
    assert second["id"] > created["id"]
    await call(shim, "POST", "/api/k8s/labels/policies/create", 409, json=policy("prod"))

    check = {"cluster_id": cluster["id"], "namespace": ns, "resource_types": ["deployments"],
             "policy_id": created["id"]}
    result = (await call(shim, "POST", "/api/k8s/labels/compliance/check", json=check))["data"]
    assert result["checked"] == 3 and result["violation_count"] == 2 and result["compliant_count"] == 1
    assert result["score"] == 33.3 and result["compliant"] is False and result["policy_name"] == "prod"
    by_name = {v["name"]: v for v in result["violations"]}
    assert by_name["nolabels"]["missing_labels"] == ["environment", "team"]
    assert by_name["devish"]["forbidden_labels"] == ["dev"]
    assert by_name["devish"]["invalid_labels"] == [{"label": "environment", "value": "dev",
                                                    "pattern": "^production$|^staging$"}]
    assert by_name["nolabels"]["id"] == f"{cluster['id']}:deployment:{ns}:nolabels"

    same = (await call(shim, "POST", "/api/k8s/labels/compliance/check",
                       json={**check, "policy_id": "prod", "resource_types": None}))["data"]
    assert same["violation_count"] == 2
    services = (await call(shim, "POST", "/api/k8s/labels/compliance/check",
                           json={**check, "resource_types": ["services"]}))["data"]
    assert services["checked"] == 0 and services["score"] is None and services["compliant"] is None
    assert services["score_reason"].startswith("nothing was checked")  # a score over nothing is not 100
    await call(shim, "POST", "/api/k8s/labels/compliance/check", 404, json={**check, "policy_id": 99999})
    await call(shim, "POST", "/api/k8s/labels/compliance/check", 404, json={**check, "resource_types": ["nope"]})

    viewer = {"X-API-Key": await make_key("vivi", ["cloudops:viewers"])}
    await call(shim, "POST", "/api/k8s/labels/compliance/check", json=check, headers=viewer)
    err = await call(shim, "POST", "/api/k8s/labels/policies/create", 403, json=policy("v"), headers=viewer)
    assert err["code"] == 1003 and "vivi" in err["error"]
    listed = (await call(shim, "GET", "/api/k8s/labels/policies/list?limit=1&offset=1", headers=viewer))["data"]
    assert listed["total"] == 2 and [p["name"] for p in listed["policies"]] == ["prod-2"]
    assert listed["policies"][0]["id"] == second["id"] and listed["policies"][0]["rules"] == second["rules"]
    nobody = {"X-API-Key": await make_key("nemo", [])}
    assert (await call(shim, "GET", "/api/k8s/labels/policies/list", 403, headers=nobody))["code"] == 1003


async def test_reconciler_reports_then_remediates(operator: OperatorProcess, member: Any, shim: Client, hub: Kubectl,
                                                  namespace: str) -> None:
    cluster, k, ns = member
    body = {"name": "teams", "cluster_id": cluster["id"], "namespaces": [ns],
            "rules": [{"resource_type": "deployments", "required_labels": ["team", "owner"]}],
            "remediation": {"default_labels": {"owner": "platform"}}}
    await call(shim, "POST", "/api/k8s/labels/policies/create", json=body)
    empty = {**body, "name": "nobody-home", "namespaces": [f"{ns}-none"]}
    await call(shim, "POST", "/api/k8s/labels/policies/create", json=empty)

    def status(name: str = "teams") -> Json:
        return dict(hub.json("-n", namespace, "get", "labelpolicy", name).get("status") or {})

    # audit (the default): reported, nothing changed.
    reported = await eventually(lambda: asyncio.to_thread(lambda: (s := status()).get("lastCheckTime") and s), 60,
                                "the policy checked")
    assert reported["checkedCount"] == 3 and reported["violationCount"] == 3
    assert [v["name"] for v in reported["violations"]] == ["devish", "good", "nolabels"]
    assert reported["violations"][2] == {"cluster": "p1", "resourceType": "deployment", "namespace": ns,
                                         "name": "nolabels", "label": "team", "message": "missing team, owner"}
    conds = {c["type"]: c for c in reported["conditions"]}
    assert conds["Ready"]["status"] == "True" and conds["Compliant"]["status"] == "False"
    assert "remediations" not in reported
    nothing = await eventually(lambda: asyncio.to_thread(lambda: (s := status("nobody-home")).get("lastCheckTime")
                                                         and s), 60, "the empty policy checked")
    empty_compliant = next(c for c in nothing["conditions"] if c["type"] == "Compliant")
    assert (empty_compliant["status"], empty_compliant["reason"]) == ("Unknown", "NothingChecked"), nothing
    live = await asyncio.to_thread(k.json, "get", "deployment", "nolabels")
    assert "owner" not in (live["metadata"].get("labels") or {})
    listed = await call(shim, "POST", "/api/k8s/labels/compliance/check",
                        json={"cluster_id": cluster["id"], "policy_id": "teams"})
    assert listed["data"]["violation_count"] == 3 and listed["data"]["checked"] == 3  # the policy's namespaces

    # warn: remediation adds the missing label that has a default; `team` has none, so one violation stays.
    await asyncio.to_thread(hub, "-n", namespace, "patch", "labelpolicy", "teams", "--type=merge", "-p",
                            '{"spec":{"enforcement":"warn"}}')

    async def remediated() -> Json | None:
        s = await asyncio.to_thread(status)
        return s if s.get("remediations") else None
    fixed = await eventually(remediated, 60, "remediation")
    assert fixed["remediations"] == [{"cluster": "p1", "resourceType": "deployment", "namespace": ns,
                                      "name": name, "labels": {"owner": "platform"}}
                                     for name in ("devish", "good", "nolabels")]
    assert fixed["violationCount"] == 1 and fixed["violations"][0]["message"] == "missing team"
    live = await asyncio.to_thread(k.json, "get", "deployment", "nolabels")
    assert live["metadata"]["labels"]["owner"] == "platform"

    # Fixing the rest by hand makes the policy compliant on its next check (a spec change wakes it).
    await asyncio.to_thread(k, "label", "deployment", "nolabels", "team=x")
    await asyncio.to_thread(hub, "-n", namespace, "patch", "labelpolicy", "teams", "--type=merge", "-p",
                            '{"spec":{"description":"recheck"}}')

    async def compliant() -> bool:
        s = await asyncio.to_thread(status)
        return s.get("violationCount") == 0 and s.get("compliantCount") == 3
    await eventually(compliant, 60, "compliant after the fix")
    events = await asyncio.to_thread(hub.json, "-n", namespace, "get", "events",
                                     "--field-selector", "involvedObject.name=teams")
    reasons = {e["reason"] for e in events["items"]}
    assert {"LabelViolations", "Remediated"} <= reasons
