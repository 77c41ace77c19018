"""MCP 集成 API against a member, over REST and over the Model Context Protocol (the SDK's own client).

The tools read the real member: a test breaks a pod and adds a Service with no endpoints, and the scan's
answer changes to name exactly them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from cloudops.settings import Settings
from cloudops.version import VERSION
from devcluster.podroot import make_root
from tests.helpers import REPO, eventually
from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member, pod

__all__ = ["member"]

Json = dict[str, Any]
SCAN = "/api/k8s/mcp/cluster/scan"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """scale_resource and exec_in_pod enabled here; delete_resource stays off (the default for destructive tools)."""
    return dataclasses.replace(settings, mcp_destructive_tools="scale_resource,exec_in_pod")


def deployment(name: str, replicas: int) -> Json:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": "example/app:1",
                                                           "securityContext": {"privileged": True}}]}}}}


def pod_issues(scan: Json) -> dict[str, Json]:
    """The first issue found for each resource: what the scan read from the objects comes before Warning
    events, and a member may add one of its own at any time (ClusterIPNotAllocated while its repair loop runs)."""
    found: dict[str, Json] = {}
    for i in scan["issues"]:
        if i["resource"] != "cluster":
            found.setdefault(i["resource"], i)
    return found


async def test_rest_tools_follow_the_cluster(member: Member, shim: Client, make_key: KeyMaker,
                                             tmp_path: Path) -> None:
    cid, ns = member.cluster["id"], member.ns
    tools = {t["name"]: t for t in (await call(shim, "GET", "/api/k8s/mcp/tools"))["data"]["tools"]}
    assert {"cluster_scanner", "resource_monitor", "config_validator", "performance_analyzer", "list_resources",
            "get_resource", "pod_logs", "list_events", "scale_resource", "delete_resource",
            "cost_analyzer"} <= set(tools)
    scan_type = next(p for p in tools["cluster_scanner"]["parameters"] if p["name"] == "scan_type")
    assert scan_type == {**scan_type, "type": "string", "required": True,
                         "options": ["health", "security", "performance"]}
    assert tools["scale_resource"]["enabled"] and tools["scale_resource"]["destructive"]
    assert not tools["delete_resource"]["enabled"] and tools["list_resources"]["read_only"]

    body = {"cluster_id": cid, "scan_type": "health", "namespace": ns}
    before = (await call(shim, "POST", SCAN, json=body))["data"]
    assert before["scan_id"].startswith("scan-") and before["duration"] >= 0 and before["scan_time"]
    assert pod_issues(before) == {} and before["checked"]["pods"] == 0

    # Break the cluster: a crash-looping pod, a Service that selects nothing.
    await member.apply(pod("web", {"app": "web"}))
    await eventually(lambda: _running(member, "web"), what="pod web running")
    log = tmp_path / "web.log"
    log.write_text("2024-01-01T00:00:00.000000001Z stdout F first line\n"  # the CRI log format
                   "2024-01-01T00:00:01.000000001Z stdout F second line\n")
    await member.apply({"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs", "metadata": {"name": "web"},
                        "spec": {"logs": [{"containers": ["c"], "logsFile": str(log)}]}})

    async def logged() -> Json | None:
        got = (await call(shim, "POST", "/api/k8s/mcp/tools/pod_logs/execute", json={
            "cluster_id": cid, "parameters": {"name": "web", "namespace": ns, "tail_lines": 1}}))["data"]["result"]
        return got if got["lines"] else None
    assert (await eventually(logged, timeout=20, what="pod logs"))["lines"] == ["second line"]
    await asyncio.to_thread(member.k, "annotate", "pod", "web", "cloudops.io/emulate-state=CrashLoopBackOff")
    await member.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lonely"},
                        "spec": {"selector": {"app": "nobody"}, "ports": [{"port": 80}]}})

    async def broken() -> Json | None:
        scan = (await call(shim, "POST", SCAN, json=body))["data"]
        return scan if "pod/web" in pod_issues(scan) else None
    after = await eventually(broken, timeout=30, what="the scan to see the crash loop")
    issues = pod_issues(after)
    assert issues["pod/web"]["severity"] == "high" and "CrashLoopBackOff" in issues["pod/web"]["message"]
    assert issues["service/lonely"]["message"] == "service has no ready endpoints"
    assert {r["action"] for r in after["recommendations"]} >= {"inspect_pod_logs", "check_service_selector"}
    assert after["health_status"] in ("warning", "error") and after["scan_id"] != before["scan_id"]

    # Config validation is the compliance engine: a privileged deployment fails security-context.
    await member.apply(deployment("priv", 1))
    valid = (await call(shim, "POST", "/api/k8s/mcp/config/validate",
                        json={"cluster_id": cid, "namespace": ns, "policies": ["security-context"]}))["data"]
    failed = {r["name"]: r for r in valid["results"]}
    assert "priv" in failed and any(v["check_id"] == "privileged" for v in failed["priv"]["violations"])
    security = (await call(shim, "POST", SCAN, json={**body, "scan_type": "security"}))["data"]
    assert any(i["resource"] == "deployment/priv" and "privileged" in i["message"] for i in security["issues"])

    # Performance: a pod asking for more CPU than any node has is pending for resources.
    huge = pod("huge", {"app": "huge"})
    huge["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "100000"}}
    await member.apply(huge)

    async def pending() -> Json | None:
        perf = (await call(shim, "POST", "/api/k8s/mcp/performance/analyze",
                           json={"cluster_id": cid, "namespace": ns, "analysis_type": "scaling"}))["data"]
        return perf if any(f["resource"] == "pod/huge" for f in perf["findings"]) else None
    perf = await eventually(pending, timeout=30, what="pod huge pending")
    assert "Insufficient cpu" in next(f for f in perf["findings"] if f["resource"] == "pod/huge")["message"]

    monitor = (await call(shim, "POST", "/api/k8s/mcp/resources/monitor",
                          json={"cluster_id": cid, "resource_types": ["nodes", "services"], "namespace": ns}))
    assert monitor["data"]["resources"]["services"]["count"] == 1 and monitor["data"]["resources"]["nodes"]

    # Cost: the cost engine's report; with no usage recorded (no operator here) there is no forecast.
    cost = (await call(shim, "POST", "/api/k8s/mcp/cost/analyze",
                       json={"cluster_id": cid, "time_range": "24h", "include_optimization": False}))["data"]
    assert cost["report"]["time_range"] == "24h" and cost["optimization"] is None
    assert cost["forecast"]["available"] is False and cost["forecast"]["coverage"]["covered_hours"] == 0

    # 2.2: any tool by name, its parameters validated against its schema.
    listed = (await call(shim, "POST", "/api/k8s/mcp/tools/list_resources/execute",
                         json={"cluster_id": cid, "parameters": {"resource_type": "pods", "namespace": ns}}))["data"]
    assert {i["name"] for i in listed["result"]["items"]} == {"web", "huge"} | {
        i["name"] for i in listed["result"]["items"] if i["name"].startswith("priv-")}
    err = await call(shim, "POST", "/api/k8s/mcp/tools/list_resources/execute", 400,
                     json={"cluster_id": cid, "parameters": {"resource_type": "pods", "limit": "x"}})
    assert err["error"].startswith("body.parameters.limit")
    err = await call(shim, "POST", "/api/k8s/mcp/tools/get_resource/execute", 400,
                     json={"cluster_id": cid, "parameters": {"resource_type": "pods", "name": "web"}})
    assert err["error"].startswith("parameters.namespace")
    assert (await call(shim, "POST", "/api/k8s/mcp/tools/nope/execute", 404, json={"cluster_id": cid}))["code"] == 1002
    assert (await call(shim, "POST", "/api/k8s/mcp/tools/get_resource/execute", 404, json={
        "cluster_id": cid, "parameters": {"resource_type": "pods", "name": "gone", "namespace": ns}}))["code"] == 1002
    await call(shim, "POST", "/api/k8s/mcp/tools/delete_resource/execute", 403, json={
        "cluster_id": cid, "parameters": {"resource_type": "pods", "name": "web", "namespace": ns}})

    # A viewer reads and scans, never writes.
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    await call(shim, "POST", SCAN, headers=viewer, json=body)
    await call(shim, "GET", "/api/k8s/mcp/tools", headers=viewer)
    err = await call(shim, "POST", "/api/k8s/mcp/tools/scale_resource/execute", 403, headers=viewer, json={
        "cluster_id": cid, "parameters": {"resource_type": "deployments", "name": "priv", "namespace": ns,
                                          "replicas": 2}})
    assert err["code"] == 1003
    scaled = (await call(shim, "POST", "/api/k8s/mcp/tools/scale_resource/execute", json={
        "cluster_id": cid, "parameters": {"resource_type": "deployments", "name": "priv", "namespace": ns,
                                          "replicas": 2}}))["data"]["result"]
    assert scaled["replicas_before"] == 1 and scaled["replicas"] == 2
    assert (await member.json("get", "deployment", "priv"))["spec"]["replicas"] == 2


async def _running(member: Member, name: str) -> bool:
    return bool((await member.json("get", "pod", name)).get("status", {}).get("phase") == "Running")


def _mcp_client(shim: Client, headers: dict[str, str], path: str = "/mcp") -> Any:
    return streamable_http_client(str(shim.server.make_url(path)), http_client=httpx2.AsyncClient(headers=headers))


async def test_mcp_answers_at_the_trailing_slash_too_and_names_the_product_version(shim: Client,
                                                                                   make_key: KeyMaker) -> None:
    admin = {"Authorization": f"Bearer {await make_key('ada', ['cloudops:admins'])}"}
    for path in ("/mcp", "/mcp/"):
        async with _mcp_client(shim, admin, path) as streams, ClientSession(streams[0], streams[1]) as session:
            init = await session.initialize()
            assert init.server_info.name == "cloudops-k8s" and init.server_info.version == VERSION, path
            assert VERSION and VERSION == tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
            assert "cluster_scanner" in {t.name for t in (await session.list_tools()).tools}, path


async def test_list_resources_checks_its_field_selector(member: Member, shim: Client) -> None:
    cid, ns = member.cluster["id"], member.ns
    await member.apply(pod("web", {"app": "web"}))
    url = "/api/k8s/mcp/tools/list_resources/execute"
    params = {"resource_type": "pods", "namespace": ns}
    got = (await call(shim, "POST", url, json={"cluster_id": cid, "parameters": {
        **params, "field_selector": "metadata.name=web"}}))["data"]["result"]
    assert [i["name"] for i in got["items"]] == ["web"]
    err = await call(shim, "POST", url, 400, json={"cluster_id": cid, "parameters": {
        **params, "field_selector": "metadata.name"}})
    assert err["error"].startswith("parameters.field_selector: ") and "is not 'key=value'" in err["error"], err


async def test_mcp_server_with_the_sdk_client(member: Member, shim: Client, make_key: KeyMaker,
                                              tmp_path: Path) -> None:
    ns, name = member.ns, member.cluster["name"]
    admin = {"Authorization": f"Bearer {await make_key('ada', ['cloudops:admins'])}"}
    await member.apply(deployment("api", 1))
    async with _mcp_client(shim, admin) as streams, ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert "cluster_scanner" in tools and "delete_resource" not in tools  # off unless configured
        assert tools["scale_resource"].annotations.destructive_hint is True
        assert tools["list_resources"].annotations.read_only_hint is True
        assert tools["cluster_scanner"].input_schema["properties"]["scan_type"]["enum"] == [
            "health", "security", "performance"]
        scan = await session.call_tool("cluster_scanner", {"cluster": name, "scan_type": "health",
                                                           "namespace": ns})
        assert not scan.is_error, scan.content
        assert scan.structured_content["scan_id"].startswith("scan-")
        assert scan.structured_content["cluster_name"] == name
        listed = await session.call_tool("list_resources", {"resource_type": "deployments", "namespace": ns})
        assert [i["name"] for i in listed.structured_content["items"]] == ["api"]
        bad = await session.call_tool("list_resources", {"resource_type": "deployments", "cluster": "nope"})
        assert bad.is_error and "404" in bad.content[0].text
        invalid = await session.call_tool("list_resources", {"resource_type": "deployments", "limit": 0})
        assert invalid.is_error and "limit" in invalid.content[0].text

    # The API key also works in X-API-Key; a viewer is refused the destructive tool (403), an operator scales.
    viewer = {"X-API-Key": await make_key("vera", ["cloudops:viewers"])}
    operator = {"Authorization": f"Bearer {await make_key('otto', ['cloudops:operators'])}"}
    scale = {"resource_type": "deployments", "name": "api", "namespace": ns, "replicas": 3}
    async with _mcp_client(shim, viewer) as streams, ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        refused = await session.call_tool("scale_resource", scale)
        assert refused.is_error and ": 403 (1003): " in refused.content[0].text, refused.content
        refused = await session.call_tool("exec_in_pod", {"name": "api", "namespace": ns, "command": ["id"]})
        assert refused.is_error and ": 403 (1003): " in refused.content[0].text, refused.content
        assert not (await session.call_tool("list_events", {"namespace": ns})).is_error
    assert (await member.json("get", "deployment", "api"))["spec"]["replicas"] == 1
    await member.apply(pod("shell", {"app": "shell"}))
    root = make_root(tmp_path / "rootfs")
    await member.apply({"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": {"name": "shell"},
                        "spec": {"execs": [{"containers": ["c"], "local": {"workDir": str(root)}}]}})
    await eventually(lambda: _running(member, "shell"), what="pod shell running")
    (root / "marker").write_text("here")  # at the pod's /, its exec's working directory
    run = {"name": "shell", "namespace": ns, "command": ["cat", "marker"]}
    async with _mcp_client(shim, operator) as streams, ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        done = await session.call_tool("scale_resource", scale)
        assert not done.is_error and done.structured_content["replicas"] == 3
        ran = await session.call_tool("exec_in_pod", run)
        assert not ran.is_error, ran.content
        assert ran.structured_content["stdout"] == "here" and ran.structured_content["exit_code"] == 0
    assert (await member.json("get", "deployment", "api"))["spec"]["replicas"] == 3

    # Every tool call is in the audit trail, with its caller, cluster and outcome; never a credential.
    def audited() -> list[Json]:
        lines = (tmp_path / "audit.jsonl").read_text().splitlines()
        return [r["audit"] for r in map(json.loads, lines) if r["audit"]["route"] == "/mcp"]
    records = await eventually(lambda: asyncio.to_thread(
        lambda: (r := audited()) and any(x["operation"].endswith("exec_in_pod") for x in r) and r), what="audit")
    assert {(r["user"], r["operation"], r["status"]) for r in records} >= {
        ("ada", "MCP tools/call cluster_scanner", 200), ("vera", "MCP tools/call scale_resource", 403),
        ("otto", "MCP tools/call exec_in_pod", 200), ("ada", "MCP tools/call list_resources", 404)}
    assert "cok_" not in (tmp_path / "audit.jsonl").read_text()

    # Without a credential, or with a bad one: 401 from the SDK's auth; a foreign Host header is refused.
    url = str(shim.server.make_url("/mcp"))
    ping = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    accept = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    async with httpx2.AsyncClient() as raw:
        assert (await raw.post(url, content=json.dumps(ping), headers=accept)).status_code == 401
        bad = {**accept, "Authorization": "Bearer cok_0000000000000000_notavalidkeyatall000000"}
        assert (await raw.post(url, content=json.dumps(ping), headers=bad)).status_code == 401
        rebind = {**accept, **admin, "Host": "evil.example"}
        refused = await raw.post(url, content=json.dumps(ping), headers=rebind)
        assert refused.status_code == 421 and refused.headers["content-type"].startswith("application/json")
        body = refused.json()
        assert body["code"] == 421 and "'evil.example'" in body["error"], body
        assert "CLOUDOPS_MCP_ALLOWED_HOSTS" in body["error"], body
        foreign = {**accept, **admin, "Origin": "http://evil.example"}
        refused = await raw.post(url, content=json.dumps(ping), headers=foreign)
        assert refused.status_code == 403 and "CLOUDOPS_MCP_ALLOWED_HOSTS" in refused.json()["error"]


async def test_rest_and_mcp_take_cluster_and_cluster_id(member: Member, shim: Client, make_key: KeyMaker) -> None:
    """REST's tool-execute names the cluster `cluster_id`, the MCP server `cluster`: each takes both, and an
    error names the one the caller sent."""
    ns, name = member.ns, member.cluster["name"]
    await member.apply(deployment("api", 1))
    url, params = "/api/k8s/mcp/tools/list_resources/execute", {"resource_type": "deployments", "namespace": ns}
    for key in ("cluster", "cluster_id"):
        got = (await call(shim, "POST", url, json={key: name, "parameters": params}))["data"]
        assert got["cluster_name"] == name and [i["name"] for i in got["result"]["items"]] == ["api"], key
        err = await call(shim, "POST", url, 404, json={key: "nope", "parameters": params})
        assert err["error"].startswith(f"{key}: cluster 'nope' not found"), err
    err = await call(shim, "POST", url, 400, json={"cluster": name, "cluster_id": name, "parameters": params})
    assert err["error"] == "body.cluster: the same parameter as cluster_id: send one of them", err

    admin = {"Authorization": f"Bearer {await make_key('ada', ['cloudops:admins'])}"}
    async with _mcp_client(shim, admin) as streams, ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        tools = {t.name: t for t in (await session.list_tools()).tools}
        assert {"cluster", "cluster_id"} <= set(tools["list_resources"].input_schema["properties"])
        for key in ("cluster", "cluster_id"):
            listed = await session.call_tool("list_resources", {**params, key: name})
            assert not listed.is_error, listed.content
            assert listed.structured_content["cluster_name"] == name, key
            bad = await session.call_tool("list_resources", {**params, key: "nope"})
            assert bad.is_error and f"404 (1002): {key}: cluster 'nope' not found" in bad.content[0].text, bad
        both = await session.call_tool("list_resources", {**params, "cluster": name, "cluster_id": name})
        assert both.is_error and "400 (400): arguments.cluster_id: the same argument as cluster" in \
            both.content[0].text, both.content


async def test_a_security_scan_over_nothing_has_no_score_and_checks_bare_pods(member: Member, shim: Client) -> None:
    """No `healthy, score 100.0` with nothing checked: a null score with the reason, status unknown; and the
    scan looks at every workload, so a bare pod running as root is found."""
    body = {"cluster_id": member.cluster["id"], "scan_type": "security", "namespace": member.ns}
    empty = (await call(shim, "POST", SCAN, json=body))["data"]
    assert empty["checked"] == {"workloads_checked": 0} and empty["issues"] == []
    assert empty["health_status"] == "unknown" and empty["score"] is None
    assert empty["score_reason"] == (f"nothing was checked: no deployments, statefulsets, daemonsets, replicasets, "
                                     f"jobs, cronjobs, pods found in namespaces {member.ns}")
    await member.apply(pod("web", {"app": "web"}))
    found = (await call(shim, "POST", SCAN, json=body))["data"]
    assert found["checked"] == {"workloads_checked": 1} and found["score_reason"] is None
    assert found["score"] == 0.0 and found["health_status"] == "error"
    assert any(i["resource"] == "pod/web" and i["message"].startswith("run-as-non-root") for i in found["issues"])


async def test_the_scan_tool_takes_the_reference_example(member: Member, shim: Client) -> None:
    """The reference's `parameters: {"scan_type": "health", "include_nodes": true}` runs, and include_nodes is
    honoured (nodes looked at, or not)."""
    url, cid = "/api/k8s/mcp/tools/cluster_scanner/execute", member.cluster["id"]
    example = {"scan_type": "health", "include_nodes": True}
    got = (await call(shim, "POST", url, json={"cluster_id": cid, "parameters": example}))["data"]["result"]
    assert got["checked"]["nodes"] >= 1 and got["health_status"] in ("healthy", "warning", "error")
    off = {"scan_type": "health", "include_nodes": False, "namespace": member.ns}
    got = (await call(shim, "POST", url, json={"cluster_id": cid, "parameters": off}))["data"]["result"]
    assert "nodes" not in got["checked"] and not any(i["resource"].startswith("node/") for i in got["issues"])
    scan = (await call(shim, "POST", SCAN, json={"cluster_id": cid, **example}))["data"]
    assert scan["checked"]["nodes"] >= 1  # the REST route takes it too
    both = (await call(shim, "POST", url, json={"cluster_id": cid, "parameters": {
        **example, "options": {"include_nodes": False}}}))["data"]["result"]
    assert both["checked"]["nodes"] >= 1  # the top-level flag, as the reference writes it, wins over options
