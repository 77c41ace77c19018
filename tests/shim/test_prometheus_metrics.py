"""The Prometheus-backed figures against the real local Prometheus (devcluster/prometheus.py), which scrapes the
members' emulated kubelets (cAdvisor network counters driven by pod annotations) and the workloads registered
with it (real HTTP servers on loopback counting what they serve).

Both members are registered under their own names, which is the value of the `cluster` label their series
carry; the other member is the cluster that must NOT see a figure. Every wait is a condition with a timeout.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from api_shim.state import CACHE
from cloudops.settings import Settings
from devcluster import prometheus
from devcluster.topology import Topology, external_topology
from devcluster.workload import HttpWorkload, Traffic
from tests.helpers import Kubectl, eventually, wait_until
from tests.processes import OperatorProcess, start_operator, stop_operator, wait_healthy
from tests.shim.checked import CheckedClient, call
from tests.shim.conftest import Client, KeyMaker

Json = dict[str, Any]
RANGE = 3600  # time_range=1h
RX = "cloudops.io/emulate-network-receive"
TX = "cloudops.io/emulate-network-transmit"


@pytest.fixture(scope="module")
def prometheus_url() -> str:
    if external_topology() is not None:
        pytest.skip("KUBECONFIG names external clusters: no local Prometheus")
    url = prometheus.url()
    assert url is not None, "devcluster started no Prometheus"
    with urllib.request.urlopen(f"{url}/-/ready", timeout=5) as r:
        assert r.status == 200
    return url


@pytest.fixture
def settings(settings: Settings, prometheus_url: str) -> Settings:
    return replace(settings, prometheus_url=prometheus_url, network_flows=f"prometheus:{prometheus_url}")


@dataclass
class Members:
    ids: dict[str, int]  # member name -> cluster id
    kubectl: dict[str, Kubectl]  # member name -> kubectl without a namespace
    ns: str  # created in every member, removed afterwards


@pytest.fixture
async def members(topology: Topology, shim: Client) -> AsyncIterator[Members]:
    """Every member registered under its own name, and one fresh namespace in each."""
    ids, kubectl, ns = {}, {}, f"p-{uuid.uuid4().hex[:8]}"
    for m in topology.members[:2]:
        body = {"name": m.name, "kubeconfig": base64.b64encode(m.kubeconfig.read_bytes()).decode()}
        ids[m.name] = (await call(shim, "POST", "/api/k8s/clusters/add", json=body))["data"]["id"]
        kubectl[m.name] = Kubectl(m.kubeconfig)
        await asyncio.to_thread(kubectl[m.name], "create", "namespace", ns)
    yield Members(ids, kubectl, ns)
    for k in kubectl.values():
        await asyncio.to_thread(k.run, "delete", "namespace", ns, "--wait=false", check=False)


def _promql(url: str, query: str, at: float) -> float:
    """What Prometheus itself says (for the part of a cluster-wide figure other tests' pods make)."""
    params = urllib.parse.urlencode({"query": query, "time": f"{at:.3f}"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{params}", timeout=5) as r:
        result = json.loads(r.read())["data"]["result"]
    return sum(float(row["value"][1]) for row in result)


def _first_sample(url: str, selector: str) -> float | None:
    """When Prometheus first scraped the series of `selector` (within the last 10 minutes), once it has two
    samples (what increase() and rate() need)."""
    params = urllib.parse.urlencode({"query": f"{selector}[10m]"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{params}", timeout=5) as r:
        result = json.loads(r.read())["data"]["result"]
    stamps = [float(v[0]) for row in result for v in row["values"]]
    return min(stamps) if len(stamps) >= 2 else None


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _pod(name: str, rx: int, tx: int) -> Json:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"app": "net"}, "annotations": {RX: str(rx), TX: str(tx)}},
            "spec": {"containers": [{"name": "c", "image": "example/app:1"}]}}


async def test_cluster_network_usage_is_the_pods_rates_averaged_over_the_range(
        shim: Client, members: Members, prometheus_url: str) -> None:
    """Pods annotated with network rates raise the cluster's network_usage by their bytes averaged over what
    Prometheus recorded of the hour (`recorded_seconds`: the whole hour, or less when it started later), so the
    figure times `recorded_seconds` is our pods' bytes; a changed annotation changes how fast they grow.
    Other tests' pods add their own part, which Prometheus tells at the same instant."""
    ns, k = members.ns, Kubectl(members.kubectl["member-1"].kubeconfig, members.ns)
    path = f"/api/k8s/clusters/{members.ids['member-1']}/metrics?time_range=1h"
    base = (await call(shim, "GET", path))["data"]
    network = base["network"]
    assert network["source"] == "prometheus" and network["unit"] == "bytes/s" and network["time_range"] == "1h"
    assert network["queries"] == {
        "receive": 'sum(rate(container_network_receive_bytes_total{cluster="member-1",namespace!=""}[1h]))',
        "transmit": 'sum(rate(container_network_transmit_bytes_total{cluster="member-1",namespace!=""}[1h]))',
        "recorded_since": 'min(min_over_time(timestamp(up{cluster="member-1"})[1h:30s]))'}

    rx, tx = 4_000_000, 1_000_000  # per pod; large, so other pods' parts are small beside them
    for name in ("net-a", "net-b"):
        await asyncio.to_thread(k, "apply", "-f", "-", stdin=json.dumps(_pod(name, rx, tx)))
    started = min(_epoch(p["metadata"]["creationTimestamp"]) for p in (await asyncio.to_thread(
        k.json, "get", "pods", "-l", "app=net"))["items"])
    others = {d: q.replace('namespace!=""', f'namespace!="",namespace!="{ns}"') for d, q in network["queries"].items()
              if d != "recorded_since"}

    async def ours() -> tuple[Json, float, float]:
        """The answer, and the bytes our pods received and transmitted in it: (figure - other namespaces' rate
        over the hour × the hour / the recorded seconds) × the recorded seconds."""
        d = (await call(shim, "GET", path))["data"]
        at, n = _epoch(d["network"]["evaluated_at"]), d["network"]
        recorded = n["recorded_seconds"]
        assert 0 < recorded <= RANGE
        assert d["network_usage"] == pytest.approx(n["receive_bytes_per_second"] + n["transmit_bytes_per_second"])
        return (d, n["receive_bytes_per_second"] * recorded - _promql(prometheus_url, others["receive"], at) * RANGE,
                n["transmit_bytes_per_second"] * recorded - _promql(prometheus_url, others["transmit"], at) * RANGE)

    async def measured() -> tuple[Json, float, float] | None:
        d, mine_rx, mine_tx = await ours()
        return (d, mine_rx, mine_tx) if mine_rx > 0 and _epoch(d["network"]["evaluated_at"]) - started > 40 else None
    d, mine_rx, mine_tx = await eventually(measured, 120, "our pods' bytes in the cluster's network usage")
    # kwok counts a pod's bytes from the first scrape after it runs: up to ~15 s after it was created here.
    age = _epoch(d["network"]["evaluated_at"]) - started
    for mine, rate in ((mine_rx, rx), (mine_tx, tx)):
        assert 0.95 * 2 * rate * (age - 15) <= mine <= 1.05 * 2 * rate * (age + 2), (mine, rate, age)
    assert d["network_usage"] > base["network_usage"]

    # Ten times the receive rate from now on: our pods' received bytes grow about that much faster.
    changed = _epoch(d["network"]["evaluated_at"])
    for name in ("net-a", "net-b"):
        await asyncio.to_thread(k, "annotate", "--overwrite", "pod", name, f"{RX}={rx * 10}")

    async def faster() -> tuple[Json, float, float] | None:
        got = await ours()
        since = _epoch(got[0]["network"]["evaluated_at"]) - changed
        return got if since > 30 and got[1] - mine_rx > 5 * 2 * rx * since else None
    d2, rx2, tx2 = await eventually(faster, 120, "the received bytes growing at the new rate")
    since = _epoch(d2["network"]["evaluated_at"]) - changed
    assert rx2 - mine_rx == pytest.approx(2 * rx * 10 * since, rel=0.3), (rx2, mine_rx, since)
    assert tx2 - mine_tx == pytest.approx(2 * tx * since, rel=0.3)  # transmit unchanged

    other = (await call(shim, "GET", f"/api/k8s/clusters/{members.ids['member-2']}/metrics?time_range=1h"))["data"]
    assert 'cluster="member-2"' in other["network"]["queries"]["receive"]


@dataclass
class Served:
    server: HttpWorkload
    traffic: Traffic


@pytest.fixture
def workloads(members: Members) -> Iterator[dict[str, Served]]:
    """Real HTTP servers standing for the pods of Services `web` and `api` of member-1, registered with
    Prometheus as a ServiceMonitor labels them, each driven at 5 requests per second by its own client
    workload of the namespace (`client-web`, `client-api`)."""
    ns, made = members.ns, {}
    try:
        for svc in ("web", "api"):
            server = HttpWorkload(ns, svc)
            made[svc] = Served(server, Traffic(server.address, f"{ns}/client-{svc}", 5))
            prometheus.register(f"{ns}-{svc}", server.address,
                                {"cluster": "member-1", "namespace": ns, "service": svc, "pod": f"{svc}-0"})
        yield made
    finally:
        for svc, served in made.items():
            served.traffic.stop()
            prometheus.unregister(f"{ns}-{svc}")
            served.server.close()


@pytest.fixture
def probing_operator(topology: Topology, namespace: str, identities: dict[str, Path], tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[OperatorProcess]:
    """The operator probing monitored Services every second, inside 127.0.0.0/8 only (192.0.2.x in slices
    mapped onto loopback, as tests/shim/test_endpoints.py does)."""
    for var, value in (("CLOUDOPS_PROBE_CIDRS", "127.0.0.0/8"), ("CLOUDOPS_PROBE_INTERVAL", "1"),
                       ("CLOUDOPS_PROBE_ADDRESS_MAP", "192.0.2.0/24=127.0.0.0/24")):
        monkeypatch.setenv(var, value)
    op = start_operator(topology, namespace, tmp_path / "operator.log", identities["operator"])
    wait_healthy(op)
    yield op
    stop_operator(op)


async def _services(shim: Client, members: Members, port: int) -> None:
    """`web` in member-1: its slice at 192.0.2.1 (127.0.0.1 for the probes) on a port the probes only connect
    to (not named http: no request of theirs is counted), monitored. `api` in both members, not monitored."""
    ns = members.ns
    await call(shim, "POST", "/api/k8s/endpoints/create", json={
        "name": "web", "namespace": ns, "cluster_id": members.ids["member-1"],
        "subsets": [{"addresses": [{"ip": "192.0.2.1"}], "ports": [{"name": "tcp", "port": port, "protocol": "TCP"}]}]})
    await asyncio.to_thread(Kubectl(members.kubectl["member-1"].kubeconfig, ns), "label", "service", "web",
                            "cloudops.io/monitor=true")
    api = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
           "spec": {"ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}}
    for k in members.kubectl.values():
        await asyncio.to_thread(Kubectl(k.kubeconfig, ns), "apply", "-f", "-", stdin=json.dumps(api))


def _trailing(served: Served) -> float:
    """How far a count Prometheus read may trail the workload's own: it holds the counter as of its last scrape
    (every 5 s, later on a loaded machine), and `increase()` misses what was sent before its first scrape; two
    scrape intervals of traffic."""
    return max(10.0, served.traffic.rate * 2 * prometheus.SCRAPE_SECONDS)


def _late(d: Json, since: float) -> list[Json]:
    """The buckets that began after `since` with their requests per second measured."""
    return [p for p in d["endpoint_performance"] if _epoch(p["timestamp"]) >= since
            and p["requests_per_second"] is not None]


async def test_endpoint_traffic_and_observed_flows_come_from_prometheus_for_that_cluster_only(
        shim: Client, members: Members, workloads: dict[str, Served], probing_operator: OperatorProcess,
        prometheus_url: str) -> None:
    ns = members.ns
    await _services(shim, members, int(workloads["web"].server.address.rsplit(":", 1)[1]))

    def scraped() -> float | None:
        firsts = [_first_sample(prometheus_url, f'http_requests_total{{namespace="{ns}",service="{svc}"}}')
                  for svc in workloads]
        known = [t for t in firsts if t is not None]
        return max(known) if len(known) == len(firsts) else None
    started = await asyncio.to_thread(wait_until, scraped, 60, "Prometheus scraping both workloads")
    path = f"/api/k8s/endpoints/{{}}/metrics?namespace={ns}&time_range=1h&cluster_id={members.ids['member-1']}"

    async def steady() -> tuple[Json, Json] | None:
        """Both Services with a bucket that began after Prometheus first scraped them, its requests per second
        measured; `web`'s from the probes too."""
        web = (await call(shim, "GET", path.format("web")))["data"]
        api = (await call(shim, "GET", path.format("api")))["data"]
        probed = [p for p in _late(web, started) if p["availability"] is not None]
        return (web, api) if probed and _late(api, started) else None
    web, api = await eventually(steady, 150, "buckets of Prometheus-measured requests")
    served = workloads["api"].server.totals()[0]
    t = api["metrics"]["traffic"]
    assert t["source"] == "prometheus" and t["time_range"] == "1h" and t["error"] is None and t["reason"] is None
    assert t["total_requests"] == pytest.approx(served, rel=0.15, abs=10)
    assert t["requests_per_second"] == pytest.approx(t["total_requests"] / RANGE, rel=0.02)  # rate() over 1h
    assert t["bytes_transferred_bytes"] == pytest.approx(t["total_requests"] * 2048, rel=0.02)
    assert t["bytes_transferred"].endswith(("KB", "MB"))
    selector = f'{{cluster="member-1",namespace="{ns}",service="api"}}'
    assert t["queries"]["total_requests"] == f"sum(increase(http_requests_total{selector}[1h]))"
    assert t["queries"]["requests_per_second"] == f"sum(rate(http_requests_total{selector}[1h]))"
    assert t["queries"]["bytes_transferred"] == f"sum(increase(http_response_size_bytes_sum{selector}[1h]))"
    assert t["queries"]["endpoint_performance"] == f"sum(rate(http_requests_total{selector}[60s]))"
    assert t["step_seconds"] == 60 and abs(_epoch(t["evaluated_at"]) - time.time()) < 60
    # Not probed: the buckets are Prometheus's alone, at the rate the traffic is driven at.
    last = _late(api, started)[-1]
    assert last["requests_per_second"] == pytest.approx(workloads["api"].traffic.rate, rel=0.2), (started, last)
    assert api["monitored"] is False and last["average_latency"] is None and last["availability"] is None
    # Probed: the operator's buckets, each with Prometheus's requests per second at its timestamp.
    assert web["monitored"] is True and web["metrics"]["traffic"]["total_requests"] == pytest.approx(
        workloads["web"].server.totals()[0], rel=0.15, abs=_trailing(workloads["web"]))
    probed = [p for p in _late(web, started) if p["availability"] is not None][-1]
    assert probed["requests_per_second"] == pytest.approx(workloads["web"].traffic.rate, rel=0.2), (started, probed)
    assert probed["availability"] == 100.0 and probed["average_latency"] is not None

    elsewhere = (await call(shim, "GET", f"/api/k8s/endpoints/api/metrics?namespace={ns}&time_range=1h"
                                         f"&cluster_id={members.ids['member-2']}"))["data"]
    nothing = elsewhere["metrics"]["traffic"]
    assert nothing["source"] == "prometheus" and nothing["total_requests"] is None
    assert nothing["requests_per_second"] is None and "http_requests_total" in nothing["reason"]
    assert 'cluster="member-2"' in nothing["queries"]["total_requests"] and elsewhere["endpoint_performance"] == []
    await _flows(shim, members, workloads)


async def _flows(shim: Client, members: Members, workloads: dict[str, Served]) -> None:
    """The flow source through the same Prometheus: each client's edge to its Service's workload within the
    range, in member-1 only."""
    ns = members.ns
    body = {"namespace": ns, "time_range": "30m", "include_recommendations": False}
    seen = (await call(shim, "POST", "/api/k8s/security/network/analyze",
                       json={**body, "cluster_id": members.ids["member-1"]}))["data"]
    edges = {(e["from"], e["to"]): e for e in seen["observed_edges"]}
    assert set(edges) == {(f"{ns}/client-web", f"{ns}/web"), (f"{ns}/client-api", f"{ns}/api")}
    for svc, served in workloads.items():
        edge = edges[(f"{ns}/client-{svc}", f"{ns}/{svc}")]
        assert edge["protocol"] == "TCP" and set(edge["verdicts"]) == {"FORWARDED"}
        assert edge["flows"] == pytest.approx(served.traffic.sent, rel=0.2, abs=_trailing(served))
    source, window = seen["flow_source"], seen["time_range"]
    assert source["kind"] == "prometheus" and source["used"] and source["error"] is None
    assert len(source["queries"]) == 1 and 'cluster="member-1"' in source["queries"][0]
    assert f'destination_namespace="{ns}"}}[30m]' in source["queries"][0]
    assert window["applicable"] and window["used"] == "30m"
    assert _epoch(window["until"]) - _epoch(window["since"]) == 1800
    other = (await call(shim, "POST", "/api/k8s/security/network/analyze",
                        json={**body, "cluster_id": members.ids["member-2"]}))["data"]
    assert other["observed_edges"] == [] and 'cluster="member-2"' in other["flow_source"]["queries"][0]


async def test_without_prometheus_the_figures_are_null_with_the_reason(
        settings: Settings, make_key: KeyMaker, members: Members) -> None:
    """Not configured: source "none"; configured but not answering (nothing listens on port 9): source
    "prometheus" with the error, and the queries it could not ask."""
    key = await make_key("test-admin", ["cloudops:admins"])
    path = f"/api/k8s/clusters/{members.ids['member-1']}/metrics"
    for url in ("", "http://127.0.0.1:9"):
        app = create_app(replace(settings, prometheus_url=url))
        async with CheckedClient(TestServer(app), headers={"X-API-Key": key}) as client:
            assert await client.app[CACHE].wait_synced(60)
            d = (await call(client, "GET", path))["data"]
        assert d["network_usage"] is None and d["network"]["receive_bytes_per_second"] is None
        if url:
            assert d["network"]["source"] == "prometheus" and "unreachable" in d["network"]["error"]
            assert "Prometheus gave no answer" in d["network"]["reason"] and d["network"]["queries"]
        else:
            assert d["network"]["source"] == "none" and d["network"]["queries"] == {}
            assert "CLOUDOPS_PROMETHEUS_URL" in d["network"]["reason"] and d["network"]["error"] is None
