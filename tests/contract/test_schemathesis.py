"""Contract test: schemathesis fuzzes every operation of the live shim against its own OpenAPI document.

The shim runs as users run it (`python -m api_shim.main`) against the real hub, with the operator, and
with the two local members registered through the REST API, so member routes do real work. Each member
also holds a namespace of this test's own, with a ConfigMap and a custom resource of a CRD of its own:
the registered clusters, those objects and that CRD are dictionaries schemathesis draws half of the
matching parameters from, so fuzzing reaches past "not found" into the member logic, while nothing other
tests use is ever touched. Rate limits are raised by configuration, not by switching checks off.

Three runs share one seed: every operation except the DELETEs, then the DELETEs of member objects, then
the DELETE of clusters, so a fuzzed delete of a registered cluster or object (drawn often) is exercised
for real without emptying the fleet under the other operations. The figures go to stdout as
`schemathesis: N operations, M cases, F failures` and to `.clusters/contract/schemathesis.json`; each
run's terminal output (every failure with a curl line to reproduce it), JUnit and JSON reports are next
to it. CLOUDOPS_CONTRACT_SEED replays a run, CLOUDOPS_CONTRACT_EXAMPLES and CLOUDOPS_CONTRACT_SECONDS
change its size and bound.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from api_shim.security.apikeys import create_api_key
from cloudops.kube.client import hub_client
from devcluster.topology import Topology, state_dir
from tests.helpers import Kubectl, eventually, free_port, wait_until
from tests.processes import OperatorProcess

Json = dict[str, Any]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = [
    "not_a_server_error", "response_schema_conformance", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "unsupported_method", "allow_header_conformance",
    "positive_data_acceptance", "negative_data_rejection",
]
# Schema-valid data may still name a cluster or object that does not exist (404), conflict with what exists
# (409), carry an unusable kubeconfig or reach an unusable member (422), or meet a member or the hub failing
# (502-504); it must never be called malformed (400).
POSITIVE_STATUSES = ["2xx", "401", "403", "404", "409", "422", "429", "502", "503", "504"]
NEGATIVE_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
MAX_EXAMPLES = int(os.environ.get("CLOUDOPS_CONTRACT_EXAMPLES", "20"))
RUN_SECONDS = float(os.environ.get("CLOUDOPS_CONTRACT_SECONDS", "120"))  # hard bound for both runs together
# Destructive operations last, so what they remove is there for everything else first; the clusters
# themselves last of all, so the object deletes still reach their members.
DELETE_CLUSTER = "delete_api_k8s_clusters_id"
RUNS = {"all-but-delete": ["--exclude-method", "DELETE"],
        "delete-objects": ["--include-method", "DELETE", "--exclude-operation-id", DELETE_CLUSTER],
        "delete-clusters": ["--include-operation-id", DELETE_CLUSTER]}
REPORTS = os.environ.get("CLOUDOPS_CONTRACT_REPORTS", "json,junit")  # add vcr to record every exchange
HIGH = "1000000"
OUT = state_dir() / "contract"
GROUP_SUFFIX = "contract.cloudops.test"


@dataclass
class Shim:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass(frozen=True)
class MemberObjects:
    """What this test created in each member: a namespace, a ConfigMap and a custom resource in it, its CRD."""

    namespace: str
    crd: str
    kind_type: str = "widget"
    configmap: str = "contract"
    widget: str = "w1"


@pytest.fixture
def shim_process(topology: Topology, namespace: str, tmp_path: Path) -> Iterator[Shim]:
    port, log = free_port(), tmp_path / "shim.log"
    env = {**os.environ, "KUBECONFIG": str(topology.hub.kubeconfig), "CLOUDOPS_NAMESPACE": namespace,
           "CLOUDOPS_SHIM_PORT": str(port), "CLOUDOPS_AUDIT_SINK": "none", "CLOUDOPS_MEMBER_TIMEOUT": "3",
           "CLOUDOPS_SYNC_TIMEOUT": "10",
           **{f"CLOUDOPS_{kind}_{scope}": HIGH for kind in ("RATE", "BURST") for scope in ("USER", "IP", "ROUTE")}}
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api_shim.main"], env=env, stdout=out, stderr=out)
    shim = Shim(proc, f"http://127.0.0.1:{port}", log)

    def ready() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"the shim exited with {proc.returncode}:\n{shim.text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{shim.url}/readyz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        wait_until(ready, 60, "shim readiness endpoint")
        yield shim
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(log, OUT / "shim.log")


@pytest.fixture
def member_objects(topology: Topology, namespace: str) -> Iterator[MemberObjects]:
    """Objects the fuzzed member routes may read, change and delete, in every member: never shared ones."""
    objs = MemberObjects(namespace=f"contract-{namespace}", crd=f"widgets.{namespace}.{GROUP_SUFFIX}")
    group = objs.crd.split(".", 1)[1]
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": objs.crd},
           "spec": {"group": group, "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    setup = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": objs.namespace}},
             {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"},
              "metadata": {"name": objs.configmap, "namespace": objs.namespace}}, crd]
    widget = {"apiVersion": f"{group}/v1", "kind": "Widget",
              "metadata": {"name": objs.widget, "namespace": objs.namespace}, "spec": {"size": 1}}
    members = [Kubectl(m.kubeconfig) for m in topology.members[:2]]
    try:
        for kubectl in members:
            kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": setup}))
            kubectl("wait", "--for=condition=Established", f"crd/{objs.crd}", "--timeout=60s")
            kubectl("apply", "-f", "-", stdin=json.dumps(widget))
        yield objs
    finally:
        for kubectl in members:
            kubectl.run("delete", "namespace", objs.namespace, "--wait=false", "--ignore-not-found", check=False)
            kubectl.run("delete", "crd", objs.crd, "--wait=false", "--ignore-not-found", check=False)


async def _register(shim: Shim, key: str, topology: Topology) -> list[Json]:
    """The members, added through the REST API, and once the operator has synced them."""
    async with aiohttp.ClientSession(shim.url, headers={"X-API-Key": key}) as http:
        for member in topology.members[:2]:
            body = {"name": member.name, "kubeconfig": base64.b64encode(member.kubeconfig.read_bytes()).decode(),
                    "provider": "other", "region": "local", "tags": ["contract"]}
            async with http.post("/api/k8s/clusters/add", json=body) as r:
                assert r.status == 200, await r.text()

        async def connected() -> list[Json]:
            async with http.get("/api/k8s/clusters/list") as r:
                data = (await r.json())["data"]
            done = data["total"] == 2 and all(c["status"] == "connected" for c in data["clusters"])
            return list(data["clusters"]) if done else []

        return await eventually(connected, 60, "registered members connected")


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON strings and arrays of them are TOML too


def _config(path: Path, clusters: list[Json], objs: MemberObjects, report: Path) -> None:
    """schemathesis.toml: the API key from the environment, the statuses the data checks accept, and the
    dictionaries of real things each matching parameter is drawn from half of the time."""
    c1, c2 = clusters[0], clusters[1]
    refs = [str(c1["id"]), str(c2["id"]), c1["name"], c2["name"]]
    objects = [f"{c1['id']}:configmap:{objs.namespace}:{objs.configmap}",
               f"{c2['name']}:configmap:{objs.namespace}:{objs.configmap}",
               f"{c1['name']}:{objs.kind_type}:{objs.namespace}:{objs.widget}",
               f"{c2['id']}:namespace::{objs.namespace}"]
    dictionaries = {
        "clusters": refs,
        "cluster_lists": [f"{c1['id']},{c2['id']}", f"{c1['name']},{c2['name']}", str(c1["id"])],
        "objects": [*objects, objs.configmap, objs.widget],
        "names": [objs.configmap, objs.widget],
        "types": ["configmap", "configmaps", "widget", "widgets", "namespace"],
        "namespaces": [objs.namespace],
        "crds": [objs.crd],
    }
    bindings = {"query.cluster_id": "clusters", "body.cluster_id": "clusters", "body.cluster_ids[*]": "clusters",
                "query.cluster_ids": "cluster_lists", "path.name": "crds", "path.resource_name": "objects",
                "query.resource_type": "types", "body.resource_type": "types", "query.namespace": "namespaces",
                "body.namespace": "namespaces", "query.name": "names"}
    by_path = {"^/api/k8s/clusters/": "clusters", "^/api/k8s/unified/resources/": "objects"}
    lines = ['[auth.openapi.apiKey]', 'api_key = "${CLOUDOPS_CONTRACT_KEY}"', "",
             "[generation]", 'database = "none"', "",
             "[checks.positive_data_acceptance]", f"expected-statuses = {_toml(POSITIVE_STATUSES)}", "",
             "[checks.negative_data_rejection]", f"expected-statuses = {_toml(NEGATIVE_STATUSES)}", "",
             "[reports]", f"directory = {_toml(str(report))}", ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}", ""]
    lines.append("[parameters]")
    lines += [f"{_toml(k)} = {{ dictionary = {_toml(v)}, probability = 0.5 }}" for k, v in bindings.items()]
    for regex, dictionary in by_path.items():
        lines += ["", "[[operations]]", f"include-path-regex = {_toml(regex)}", "", "[operations.parameters]",
                  f'"path.id" = {{ dictionary = {_toml(dictionary)}, probability = 0.5 }}']
    path.write_text("\n".join(lines) + "\n")


def _schemathesis(shim: Shim, key: str, config: Path, report: Path, seed: int, selection: list[str],
                  timeout: float) -> tuple[Json, str, list[str]]:
    """One CLI run; returns its JSON report, its terminal output and the command line (the key is not in it)."""
    cmd = [str(SCHEMATHESIS), "--config-file", str(config), "--no-color", "run", f"{shim.url}/api/k8s/openapi.json",
           "--checks", ",".join(CHECKS), "--max-examples", str(MAX_EXAMPLES), "--seed", str(seed),
           "--workers", "2", "--request-timeout", "20", "--report", REPORTS,
           "--report-json-path", str(report / "report.json"), "--report-junit-path", str(report / "junit.xml"),
           *selection]
    env = {**os.environ, "CLOUDOPS_CONTRACT_KEY": key}
    try:
        res = subprocess.run(cmd, env=env, cwd=report, capture_output=True, text=True, timeout=max(timeout, 1))
        output = res.stdout + res.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        raise AssertionError(f"schemathesis did not finish within {timeout:.0f}s:\n{out[-6000:]}") from None
    (report / "output.txt").write_text(output)
    path = report / "report.json"
    assert path.exists(), output[-6000:]
    return json.loads(path.read_text()), output, cmd


def _figures(report: Json) -> dict[str, int]:
    return {"operations": report["operations"]["tested"], "selected": report["operations"]["selected"],
            "cases": report["test_cases"]["generated"],
            "failures": sum(f["count"] for f in report["failures"]),
            "unique_failures": report["test_cases"]["unique_failures"],
            "errors": sum(e["count"] for e in report["errors"])}


async def test_every_operation_honours_its_documented_contract(
        topology: Topology, namespace: str, operator: OperatorProcess, shim_process: Shim,
        member_objects: MemberObjects) -> None:
    api = await hub_client(str(topology.hub.kubeconfig))
    try:
        key = await create_api_key(api, namespace, "contract-admin", ["cloudops:admins"])
    finally:
        await api.close()
    clusters = await _register(shim_process, key, topology)
    seed = int(os.environ.get("CLOUDOPS_CONTRACT_SEED", random.randrange(1 << 31)))
    if OUT.exists():
        shutil.rmtree(OUT)
    deadline = time.monotonic() + RUN_SECONDS
    results: dict[str, Json] = {}
    outputs: list[str] = []
    for name, selection in RUNS.items():
        report = OUT / name
        report.mkdir(parents=True)
        config = report / "schemathesis.toml"
        _config(config, clusters, member_objects, report)
        doc, output, cmd = await asyncio.to_thread(_schemathesis, shim_process, key, config, report, seed,
                                                   selection, deadline - time.monotonic())
        results[name] = {"command": " ".join(cmd[1:]), **_figures(doc), "stop_reason": doc["stop_reason"],
                         "failure_groups": doc["failures"], "error_groups": doc["errors"]}
        outputs.append(output)
    total = {k: sum(r[k] for r in results.values())
             for k in ("operations", "selected", "cases", "failures", "unique_failures", "errors")}
    summary = {"seed": seed, "max_examples": MAX_EXAMPLES, "checks": CHECKS, **total, "runs": results}
    (OUT / "schemathesis.json").write_text(json.dumps(summary, indent=2) + "\n")
    line = (f"schemathesis: {total['operations']} operations, {total['cases']} cases, {total['failures']} failures"
            f" ({total['unique_failures']} unique, {total['errors']} errors; seed {seed}, "
            f"max-examples {MAX_EXAMPLES})")
    print("\n" + line)
    failed = total["failures"] or total["errors"] or any(r["stop_reason"] != "completed" for r in results.values())
    if failed:
        print("\n\n".join(o[-30000:] for o in outputs))
    assert total["operations"] == total["selected"] > 0, summary
    assert not failed, f"{line}; details in {OUT}/*/output.txt"
