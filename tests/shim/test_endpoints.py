"""Endpoints 1.1–1.9 against a member, probing only servers this test starts on 127.0.0.0/8.

Kubernetes refuses loopback addresses in EndpointSlices, so the slices hold documentation addresses
(192.0.2.x, never routed) and the shim's probe map (CLOUDOPS_PROBE_ADDRESS_MAP) turns them into 127.0.0.x;
CLOUDOPS_PROBE_CIDRS=127.0.0.0/8 guarantees nothing else is ever contacted (kwok's 10.x pod IPs included).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess, start_operator, stop_operator, wait_healthy
from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member, pod

__all__ = ["member"]

BASE = "/api/k8s/endpoints"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, endpoint_probe_cidrs="127.0.0.0/8", endpoint_probe_map="192.0.2.0/24=127.0.0.0/24")


async def _respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        status = 200 if head.split(b" ")[1] in (b"/", b"/health") else 404
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def backends() -> AsyncIterator[tuple[int, dict[str, asyncio.Server]]]:
    """HTTP servers on 127.0.0.2 and 127.0.0.3, one port for both (as one EndpointSlice port needs)."""
    for _ in range(20):
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
            port = int(s.getsockname()[1])
        try:
            servers = {h: await asyncio.start_server(_respond, h, port) for h in ("127.0.0.2", "127.0.0.3")}
            break
        except OSError:
            continue
    else:
        raise RuntimeError("no port free on both 127.0.0.2 and 127.0.0.3")
    yield port, servers
    for s in servers.values():
        s.close()


def subsets(port: int, ready: list[str], not_ready: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"addresses": [{"ip": ip, "hostname": f"h{ip.split('.')[-1]}"} for ip in ready],
             "not_ready_addresses": [{"ip": ip} for ip in not_ready or []],
             "ports": [{"name": "http", "port": port, "protocol": "TCP"}]}]


async def test_endpoints_of_a_selectorless_service(member: Member, shim: Client,
                                                   backends: tuple[int, dict[str, asyncio.Server]]) -> None:
    port, servers = backends
    ns = member.ns
    body = {"name": "ext", "namespace": ns, "labels": {"app": "ext"}, "annotations": {"description": "external"},
            "subsets": subsets(port, ["192.0.2.2", "192.0.2.3"], ["192.0.2.9"])}
    created = (await call(shim, "POST", f"{BASE}/create", json=body))["data"]
    assert created["id"] == f"{member.cluster['id']}:endpoints:{ns}:ext"
    assert created["status"] == {"total_endpoints": 3, "ready_endpoints": 2, "not_ready_endpoints": 1,
                                 "health_score": 66.7}
    subset = created["subsets"][0]
    assert [a["ip"] for a in subset["addresses"]] == ["192.0.2.2", "192.0.2.3"]
    assert subset["addresses"][0]["hostname"] == "h2" and subset["addresses"][0]["ready"] is True
    assert [a["ip"] for a in subset["not_ready_addresses"]] == ["192.0.2.9"]
    # Written through the API, so tracked for versions (YAML 版本管理).
    assert created["labels"] == {"app": "ext", "cloudops.io/versioned": "true"}
    assert created["annotations"] == {"description": "external"}

    # Both kubectl and the Service resolve to the given addresses.
    slices = await member.json("get", "endpointslices", "-l", "kubernetes.io/service-name=ext")
    addresses = sorted(a for s in slices["items"] for e in s["endpoints"] for a in e["addresses"])
    assert addresses == ["192.0.2.2", "192.0.2.3", "192.0.2.9"]
    svc = await member.json("get", "service", "ext")
    assert "selector" not in svc["spec"] and svc["spec"]["ports"][0]["port"] == port
    err = await call(shim, "POST", f"{BASE}/create", 409, json=body)
    assert "already exist" in err["error"]

    # Kubernetes itself refuses loopback addresses: the member's field error comes back.
    err = await call(shim, "POST", f"{BASE}/create", 422, json={"name": "lo", "namespace": ns,
                                                                 "subsets": subsets(port, ["127.0.0.2"])})
    assert "loopback" in err["error"]
    assert "not an IP" in (await call(shim, "POST", f"{BASE}/create", 422, json={
        "name": "bad", "namespace": ns, "subsets": subsets(port, ["no-ip"])}))["error"]

    listed = (await call(shim, "GET", f"{BASE}?namespace={ns}&service_name=ext"))["data"]
    assert listed["total"] == 1 and listed["endpoints"][0]["subsets"] == created["subsets"]
    assert (await call(shim, "GET", f"{BASE}?namespace={ns}&label_selector=app%3Dother"))["data"]["total"] == 0
    assert (await call(shim, "GET", f"{BASE}/{created['id']}"))["data"]["name"] == "ext"

    # Health check: both servers healthy, the not-ready address refuses; then one server goes down.
    check = {"namespace": ns, "timeout": 2, "retries": 1,
             "custom_checks": [{"port": port, "path": "/health", "expected_status": 200}]}
    result = (await call(shim, "POST", f"{BASE}/ext/health-check", json=check))["data"]
    by_ip = {r["ip"]: r for r in result["results"]}
    assert by_ip["192.0.2.2"]["status"] == "healthy" and by_ip["192.0.2.3"]["status"] == "healthy"
    assert by_ip["192.0.2.2"]["details"] == {"tcp_check": "passed", "http_check": "passed", "custom_check": "passed"}
    assert by_ip["192.0.2.9"]["status"] == "unhealthy" and by_ip["192.0.2.9"]["error_type"] == "connection_refused"
    assert result["summary"] == {"total_checked": 3, "healthy": 2, "unhealthy": 1, "timeout": 0,
                                 "unreachable_from_shim": 0}
    servers["127.0.0.3"].close()
    await servers["127.0.0.3"].wait_closed()
    result = (await call(shim, "POST", f"{BASE}/ext/health-check",
                         json={"namespace": ns, "timeout": 2, "include_not_ready": False}))["data"]
    by_ip = {r["ip"]: r for r in result["results"]}
    assert by_ip["192.0.2.2"]["status"] == "healthy" and by_ip["192.0.2.3"]["status"] == "unhealthy"
    assert result["summary"]["total_checked"] == 2 and result["duration"] < 3
    wrong = (await call(shim, "POST", f"{BASE}/ext/health-check", json={
        "namespace": ns, "timeout": 2, "include_not_ready": False,
        "custom_checks": [{"port": port, "path": "/nope", "expected_status": 200}]}))["data"]
    assert {r["ip"]: r["details"]["custom_check"] for r in wrong["results"] if r["ip"] == "192.0.2.2"} == {
        "192.0.2.2": "failed"}

    link = (await call(shim, "GET", f"{BASE}/ext/service?namespace={ns}"))["data"]
    assert link["service"]["selector"] == {} and not link["selector_managed"]
    assert link["endpoint_sync_status"] == "synced" and link["service"]["ports"][0]["target_port"] == port

    status = (await call(shim, "GET", f"{BASE}/ext/status?namespace={ns}"))["data"]
    assert status["status"]["total_endpoints"] == 3 and status["health_checks"] == []  # not monitored
    assert [d["ip"] for d in status["endpoint_details"]] == ["192.0.2.2", "192.0.2.3", "192.0.2.9"]
    metrics = (await call(shim, "GET", f"{BASE}/ext/metrics?namespace={ns}&time_range=1h"))["data"]
    traffic = metrics["metrics"]["traffic"]
    assert metrics["monitored"] is False and traffic == {
        "source": "none", "total_requests": None, "requests_per_second": None, "bytes_transferred": None,
        "bytes_transferred_bytes": None, "time_range": "1h", "evaluated_at": None, "queries": {}, "step_seconds": 60,
        "error": None, "reason": traffic["reason"]}
    assert "CLOUDOPS_PROMETHEUS_URL" in traffic["reason"]

    # Update: new addresses replace the old; labels alone keep the addresses.
    updated = (await call(shim, "PUT", f"{BASE}/ext?namespace={ns}",
                          json={"subsets": subsets(port, ["192.0.2.2"])}))["data"]
    assert updated["status"]["total_endpoints"] == 1
    relabelled = (await call(shim, "PUT", f"{BASE}/ext?namespace={ns}", json={"labels": {"app": "ext2"}}))["data"]
    assert relabelled["labels"] == {"app": "ext2", "cloudops.io/versioned": "true"}
    assert relabelled["status"]["total_endpoints"] == 1
    slices = await member.json("get", "endpointslices", "-l", "kubernetes.io/service-name=ext")
    assert [e["addresses"] for s in slices["items"] for e in s["endpoints"]] == [["192.0.2.2"]]
    assert slices["items"][0]["metadata"]["labels"]["app"] == "ext2"

    gone = (await call(shim, "DELETE", f"{BASE}/ext?namespace={ns}"))["data"]
    assert gone == {"id": created["id"], "name": "ext", "namespace": ns, "deleted": True}

    async def removed() -> bool:
        left = await member.json("get", "endpointslices,services", "-l", "app=ext2")
        svc = await asyncio.to_thread(member.k.run, "get", "service", "ext", check=False)
        return not left["items"] and svc.returncode != 0
    await eventually(removed, 30, "slices and the service made for them removed")
    assert (await call(shim, "GET", f"{BASE}/ext?namespace={ns}", 404))["code"] == 1002


async def test_integer_names_refused(member: Member, shim: Client) -> None:
    """An integer where the name or id goes is a 400 showing the id's form. (Traffic figures from Prometheus:
    tests/shim/test_prometheus_metrics.py, against the real one.)"""
    for path in (f"{BASE}/5", f"{BASE}/5/metrics", f"{BASE}/5/status"):
        err = await call(shim, "GET", f"{path}?namespace={member.ns}", 400)
        assert err["error"] == ("name: expected <cluster>:endpoints:<namespace>:<name>, "
                                "e.g. 1:endpoints:default:web; got 5"), path


async def test_selector_managed_endpoints_are_read_only_and_never_probed(member: Member, shim: Client) -> None:
    ns = member.ns
    await member.apply(pod("web-1", {"app": "web"}, [{"name": "http", "containerPort": 80}]))
    await member.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                        "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}})

    async def sliced() -> Any:
        found = (await call(shim, "GET", f"{BASE}/web?namespace={ns}"))["data"]
        return found if found["status"]["total_endpoints"] else None
    found = await eventually(sliced, 60, "the EndpointSlice controller publishes web-1")
    address = (found["subsets"][0]["addresses"] + found["subsets"][0]["not_ready_addresses"])[0]
    assert address["target_ref"] == {"kind": "Pod", "name": "web-1", "namespace": ns}
    assert "endpointslice-controller.k8s.io" in found["managed_by"]

    err = await call(shim, "PUT", f"{BASE}/web?namespace={ns}", 409, json={"subsets": subsets(80, ["192.0.2.5"])})
    assert "selector" in err["error"] and err["code"] == 1006
    assert (await call(shim, "DELETE", f"{BASE}/web?namespace={ns}", 409))["code"] == 1006
    assert (await call(shim, "POST", f"{BASE}/create", 409, json={"name": "web", "namespace": ns,
                                                                   "subsets": subsets(80, ["192.0.2.5"])}))

    # kwok's pod IPs are outside 127.0.0.0/8: reported, never contacted.
    result = (await call(shim, "POST", f"{BASE}/web/health-check", json={"namespace": ns, "timeout": 1}))["data"]
    assert result["results"] and {r["status"] for r in result["results"]} == {"unreachable_from_shim"}
    assert {r["attempts"] for r in result["results"]} == {0}

    link = (await call(shim, "GET", f"{BASE}/web/service?namespace={ns}"))["data"]
    assert link["selector_managed"] and link["service"]["selector"] == {"app": "web"}
    assert link["endpoint_sync_status"] in ("synced", "no_endpoints")


async def test_batch_has_a_result_per_item_and_viewers_cannot_write(member: Member, shim: Client,
                                                                    make_key: KeyMaker) -> None:
    ns = member.ns
    await member.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sel"},
                        "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80}]}})
    items = [{"name": "a", "namespace": ns, "subsets": subsets(8080, ["192.0.2.20"])},
             {"name": "sel", "namespace": ns, "subsets": subsets(8080, ["192.0.2.21"])},
             {"name": "b", "namespace": ns, "subsets": subsets(8080, ["192.0.2.22", "192.0.2.23"])}]
    done = (await call(shim, "POST", f"{BASE}/batch", json={"operation": "create", "endpoints": items}))["data"]
    assert [(r["name"], r["success"], r["status"]) for r in done["results"]] == [
        ("a", True, 200), ("sel", False, 409), ("b", True, 200)]
    assert done["succeeded"] == 2 and done["failed"] == 1
    slices = await member.json("get", "endpointslices", "-l", "kubernetes.io/service-name=b")
    assert sorted(a for s in slices["items"] for e in s["endpoints"] for a in e["addresses"]) == [
        "192.0.2.22", "192.0.2.23"]
    updated = (await call(shim, "POST", f"{BASE}/batch", json={"operation": "update", "endpoints": [
        {"name": "a", "namespace": ns, "subsets": subsets(8080, ["192.0.2.30"])},
        {"name": "missing", "namespace": ns, "subsets": subsets(8080, ["192.0.2.31"])}]}))["data"]
    assert [(r["name"], r["status"]) for r in updated["results"]] == [("a", 200), ("missing", 404)]

    viewer = {"X-API-Key": await make_key("val", ["cloudops:viewers"])}
    assert (await call(shim, "GET", f"{BASE}?namespace={ns}", headers=viewer))["data"]["total"] >= 2
    for method, path, body in (
            ("POST", f"{BASE}/create", {"name": "v", "namespace": ns, "subsets": subsets(80, ["192.0.2.40"])}),
            ("PUT", f"{BASE}/a?namespace={ns}", {"labels": {"x": "y"}}),
            ("DELETE", f"{BASE}/a?namespace={ns}", None),
            ("POST", f"{BASE}/batch", {"operation": "update", "endpoints": [{"name": "a", "namespace": ns}]}),
            ("POST", f"{BASE}/batch", {"operation": "create", "endpoints": [{"name": "v", "namespace": ns}]}),
            ("POST", f"{BASE}/batch", {"operation": "delete", "endpoints": [{"name": "a", "namespace": ns}]})):
        err = await call(shim, method, path, 403, headers=viewer, **({"json": body} if body is not None else {}))
        assert err["code"] == 1003 and "val" in err["error"], (method, path)

    removed = (await call(shim, "POST", f"{BASE}/batch", json={"operation": "delete", "endpoints": [
        {"name": "a", "namespace": ns}, {"name": "b", "namespace": ns}]}))["data"]
    assert removed["succeeded"] == 2
    left = await member.json("get", "endpointslices", "-l", "endpointslice.kubernetes.io/managed-by=cloudops.io")
    assert left["items"] == []


@pytest.fixture
def monitoring_operator(topology: Topology, namespace: str, identities: dict[str, Path], tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> Iterator[OperatorProcess]:
    """The operator probing monitored Services every second, inside 127.0.0.0/8 only."""
    for var, value in (("CLOUDOPS_PROBE_CIDRS", "127.0.0.0/8"), ("CLOUDOPS_PROBE_INTERVAL", "1"),
                       ("CLOUDOPS_PROBE_ADDRESS_MAP", "192.0.2.0/24=127.0.0.0/24")):
        monkeypatch.setenv(var, value)
    op = start_operator(topology, namespace, tmp_path / "operator.log", identities["operator"])
    wait_healthy(op)
    yield op
    stop_operator(op)


async def test_the_operator_records_probes_of_monitored_services(
        monitoring_operator: OperatorProcess, member: Member, shim: Client, hub: Kubectl, namespace: str,
        backends: tuple[int, dict[str, asyncio.Server]]) -> None:
    port, servers = backends
    ns = member.ns
    await call(shim, "POST", f"{BASE}/create", json={"name": "mon", "namespace": ns,
                                                      "subsets": subsets(port, ["192.0.2.2", "192.0.2.3"])})
    await call(shim, "POST", f"{BASE}/create", json={"name": "quiet", "namespace": ns,
                                                      "subsets": subsets(port, ["192.0.2.2"])})
    await asyncio.to_thread(member.k, "label", "service", "mon", "cloudops.io/monitor=true")

    async def probed() -> Any:
        d = (await call(shim, "GET", f"{BASE}/mon/metrics?namespace={ns}&time_range=1h"))["data"]
        return d if d["monitored"] and d["checks"] >= 4 else None
    data = await eventually(probed, 90, "two probe rounds recorded")
    assert data["metrics"]["availability"] == 100.0 and data["metrics"]["errors"]["total_errors"] == 0
    latency = data["metrics"]["latency"]
    assert latency["average"] is not None and 0 < latency["average"] < 1 and latency["p99"] >= latency["average"]
    assert data["metrics"]["traffic"]["source"] == "none" and data["metrics"]["traffic"]["requests_per_second"] is None
    assert data["endpoint_performance"][-1]["availability"] == 100.0

    status = (await call(shim, "GET", f"{BASE}/mon/status?namespace={ns}"))["data"]
    assert [c["endpoint"] for c in status["health_checks"]] == [f"192.0.2.2:{port}", f"192.0.2.3:{port}"]
    assert {c["status"] for c in status["health_checks"]} == {"healthy"} and status["status"]["last_check"]
    assert all(d["last_probe"] for d in status["endpoint_details"])

    servers["127.0.0.3"].close()
    await servers["127.0.0.3"].wait_closed()

    async def refused() -> Any:
        d = (await call(shim, "GET", f"{BASE}/mon/metrics?namespace={ns}&time_range=1h&metrics=errors"))["data"]
        return d if d["metrics"]["errors"]["error_types"]["connection_refused"] >= 1 else None
    data = await eventually(refused, 60, "a refused probe recorded")
    assert data["metrics"]["availability"] < 100.0 and data["metrics"]["errors"]["error_rate"] > 0
    assert data["metrics"]["traffic"] is None and data["metrics"]["latency"] is None  # only errors asked for

    quiet = (await call(shim, "GET", f"{BASE}/quiet/metrics?namespace={ns}"))["data"]
    assert quiet["monitored"] is False
    histories = await asyncio.to_thread(hub.json, "get", "metrichistories", "-n", namespace,
                                        "-l", "cloudops.io/history-family=probe")
    assert [h["spec"]["subject"] for h in histories["items"]] == [{"kind": "Service", "namespace": ns, "name": "mon"}]
