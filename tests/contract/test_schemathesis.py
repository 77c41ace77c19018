"""Contract test: schemathesis fuzzes every operation of the live shim against its own OpenAPI document.

The shim runs as users run it (`python -m api_shim.main`) against the real hub, with the operator, and
with the two local members registered through the REST API, so member routes do real work. Each member
also holds a namespace of this test's own with a ConfigMap, a LimitRange, a ResourceQuota, a
NetworkPolicy, an Ingress, a custom resource of a CRD of its own and a pod whose exec runs in a pod root made here
(devcluster/podroot.py: its own filesystem, entered as a non-root user, nothing of this machine reachable): the
registered clusters, those objects, that CRD, the pod's container, paths and commands in it are dictionaries
schemathesis draws half of the matching parameters from (the pod's more often: OFTEN), so fuzzing reaches past
"not found" into the member logic and the exec and files operations run for real in the pod, while nothing other
tests use is ever touched. Rate limits are raised
by configuration, not by switching checks off.

With two clusters registered, `cluster_id` is required (fleet_hooks.py gives schema-valid cases one when they have
none). Schema-valid data is never refused with 400 except by the operations of SEMANTIC_400, for the rules named
there.

Three runs share one seed: every operation except the DELETEs, then the DELETEs of member objects, then
the DELETE of clusters, so a fuzzed delete of a registered cluster or object (drawn often) is exercised
for real without emptying the fleet under the other operations. The figures go to stdout as
`schemathesis: N operations, M cases, F failures` and to `.clusters/contract/schemathesis.json`; each
run's terminal output (every failure with a curl line to reproduce it), JUnit and JSON reports are next
to it. CLOUDOPS_CONTRACT_SEED replays a run, CLOUDOPS_CONTRACT_EXAMPLES and CLOUDOPS_CONTRACT_SECONDS
change its size and bound; CLOUDOPS_CONTRACT_PATHS (a regex on paths) fuzzes one section while it is built.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import random
import shutil
import signal
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
from devcluster.podroot import UNJAILED, make_root, place
from devcluster.topology import Topology, state_dir
from tests.helpers import Kubectl, eventually, free_port, wait_until
from tests.leaks import log_file, secret
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
# (502-504); a WebSocket endpoint asked without the upgrade answers 426. It is never refused with 400: what the
# shim refuses, its schema says.
POSITIVE_STATUSES = ["2xx", "401", "403", "404", "409", "422", "426", "429", "502", "503", "504"]
# The operations that may still answer schema-valid data with 400, each for a rule about several values together or
# about the fleet's state, which JSON Schema cannot express (README, "What the schema cannot say"): keep it short.
_BARE_NAME = "a bare-name {id} needs resource_type"
_MANIFEST = "the manifest's kind and apiVersion must be those of the type the member resolves"
_FILE_OPERATIONS = [f"{verb}_api_k8s_containers_id_files{op}" for verb, op in (
    ("get", ""), ("get", "_download"), ("post", "_upload"), ("put", "_edit"), ("delete", "_delete"))]
# The sign-in round trip answers a browser's navigation with 302 (to the identity provider, or back to the
# console's sign-in page saying why), not JSON: documented so, and accepted as the answer to valid data.
REDIRECTS = ["get_api_k8s_auth_oidc_login", "get_api_k8s_auth_oidc_callback"]
SEMANTIC_400: dict[str, str] = {
    "get_api_k8s_unified_resources": "paging by the member's `continue` token reads one cluster, from offset 0",
    "get_api_k8s_unified_compare": "comparing needs two distinct clusters the caller may read",
    "post_api_k8s_unified_resources": _MANIFEST,
    "get_api_k8s_unified_resources_id": _BARE_NAME,
    "put_api_k8s_unified_resources_id": f"{_BARE_NAME}; the manifest must agree with the id (name, namespace, type)",
    "delete_api_k8s_unified_resources_id": _BARE_NAME,
    "post_api_k8s_crds_name_resources": _MANIFEST,
    "put_api_k8s_crds_name_resources_resource_name": f"{_MANIFEST}; its name must be the id's",
    "post_api_k8s_cli_execute": "the kubectl policy: allowed subcommands and flags, no shell syntax",
    "post_api_k8s_mcp_tools_tool_name_execute": "`parameters` must fit the tool the path names (its own schema, "
                                                "GET /mcp/tools)",
    **dict.fromkeys(_FILE_OPERATIONS, "the path policy: system paths are never written, kernel trees and "
                                      "credentials never read, neither as given nor as the container resolves its "
                                      "symbolic links; a DELETE's query and body paths agree"),
}
NEGATIVE_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "426", "428", "429",
                     "5xx"]
MAX_EXAMPLES = int(os.environ.get("CLOUDOPS_CONTRACT_EXAMPLES", "10"))
RUN_SECONDS = float(os.environ.get("CLOUDOPS_CONTRACT_SECONDS", "480"))  # hard bound for all runs together
PATHS = os.environ.get("CLOUDOPS_CONTRACT_PATHS", "")  # only the operations whose path matches (a section)
# Destructive operations last, so what they remove is there for everything else first; the clusters
# themselves last of all, so the object deletes still reach their members.
DELETE_CLUSTER = "delete_api_k8s_clusters_id"
RUNS = {"all-but-delete": ["--exclude-method", "DELETE"],
        "delete-objects": ["--include-method", "DELETE", "--exclude-operation-id", DELETE_CLUSTER],
        # One operation, no link to follow: schemathesis fails a stateful phase whose links are all filtered out.
        "delete-clusters": ["--include-operation-id", DELETE_CLUSTER, "--phases", "examples,coverage,fuzzing"]}
# Each run's share of the time left when it starts, so a slow first run cannot starve the deletes.
SHARE = {"all-but-delete": 0.75, "delete-objects": 0.8, "delete-clusters": 1.0}
# One worker: with two, hypothesis's ast.parse calls in concurrent threads failed on CPython 3.11.7 with
# "SystemError: AST constructor recursion depth mismatch" (cf. python/cpython#106905), a tooling error.
REPORTS = os.environ.get("CLOUDOPS_CONTRACT_REPORTS", "json,junit")  # add vcr to record every exchange
# Drawn, with the real values, where the schema rejects them (negative cases): Unicode digits pass str.isdigit
# but not int(), a trailing newline passes Python's `$`, and the rest must not reach the hub unchecked.
TRICKY = ["²0", "٣", "1\n", "a%b", "-1"]
WARNINGS = ["missing_auth", "missing_test_data", "base_url_mismatch", "validation_mismatch", "missing_deserializer",
            "unused_openapi_auth", "unsupported_regex", "method_not_allowed", "constants_extraction",
            "unmatched_filter", "unresolvable_reference", "low_valid_rate", "rate_limited", "dictionary_mismatch",
            "timeout_units"]
HIGH = "1000000"
# Dictionaries drawn more often than half the time: the pod's operations do real work only with its container id,
# its paths and commands it has (the rest of the draws still try unknown ones).
OFTEN = {"containers": 0.9, "pod_paths": 0.8, "pod_dirs": 0.8, "commands": 0.8}
# The operations that run commands in the pod get twice the examples: most of the coverage phase's cases stop at
# an unknown container, and these are the ones that can touch a filesystem.
POD_OPERATIONS = ["post_api_k8s_containers_id_exec", "post_api_k8s_containers_id_exec_terminal", *_FILE_OPERATIONS]
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
    """What this test created in each member: a namespace holding one object named `name` of each of
    TYPES (`widget` from a CRD of its own), that CRD, and a pod `name` (container `app`) whose exec runs in a
    pod root of its own holding POD_PATHS."""

    namespace: str
    crd: str
    name: str = "contract"
    TYPES = ("configmap", "limitrange", "resourcequota", "networkpolicy", "ingress", "widget")
    POD_DIRS = ("/", "/app", "/app/data", "/tmp", "/etc")
    # Files to list, read, write (a path ending in / takes the upload's own file name) and delete in the pod.
    POD_PATHS = (*POD_DIRS, "/app/", "/tmp/", "/app/config.json", "/app/data/notes.txt", "/app/new.txt", "/tmp/x",
                 "/etc/passwd")
    COMMANDS = ("ls", "id", "echo", "pwd", "cat", "sh", "-la", "/app", "/app/config.json")


@pytest.fixture
def shim_process(topology: Topology, namespace: str, tmp_path: Path) -> Iterator[Shim]:
    port, log, audit = free_port(), log_file(tmp_path / "shim.log"), log_file(tmp_path / "audit.jsonl")
    env = {**os.environ, "KUBECONFIG": str(topology.hub.kubeconfig), "CLOUDOPS_NAMESPACE": namespace,
           "CLOUDOPS_SHIM_PORT": str(port), "CLOUDOPS_AUDIT_SINK": f"file:{audit}", "CLOUDOPS_MEMBER_TIMEOUT": "15",
           "CLOUDOPS_SYNC_TIMEOUT": "10", "CLOUDOPS_LOG_STREAM_MAX_SECONDS": "3",  # SSE log streams end, never hang
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
def member_objects(topology: Topology, namespace: str, tmp_path: Path) -> Iterator[MemberObjects]:
    """Objects the fuzzed member routes may read, change and delete, in every member: never shared ones."""
    objs = MemberObjects(namespace=f"contract-{namespace}", crd=f"widgets.{namespace}.{GROUP_SUFFIX}")
    group, ns, name = objs.crd.split(".", 1)[1], objs.namespace, objs.name
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": objs.crd},
           "spec": {"group": group, "scope": "Namespaced",
                    "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                        "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    meta = {"name": name, "namespace": ns}
    setup = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, crd,
             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": "v"}},
             {"apiVersion": "v1", "kind": "LimitRange", "metadata": meta, "spec": {"limits": [
                 {"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}}]}},
             {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta, "spec": {"hard": {"configmaps": "50"}}},
             {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta,
              "spec": {"podSelector": {"matchLabels": {"app": "contract"}}, "policyTypes": ["Ingress"]}},
             {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": {"rules": [
                 {"host": "contract.example.test", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {
                     "service": {"name": "contract", "port": {"number": 80}}}}]}}]}}]
    widget = {"apiVersion": f"{group}/v1", "kind": "Widget", "metadata": meta, "spec": {"size": 1}}
    members = [Kubectl(m.kubeconfig) for m in topology.members[:2]]
    nodes = [_node_state(kubectl) for kubectl in members]
    try:
        for i, kubectl in enumerate(members):
            kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": setup}))
            kubectl("wait", "--for=condition=Established", f"crd/{objs.crd}", "--timeout=60s")
            kubectl("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                          "items": [widget, *_pod(meta, tmp_path / f"pod-{i}")]}))
            kubectl("wait", "-n", ns, "--for=condition=Ready", f"pod/{name}", "--timeout=60s")
            # A fuzzed absolute path must never reach this machine: the pod's exec must be the pod's.
            assert kubectl("exec", "-n", ns, name, "--", "id", "-u").strip() == "1000", UNJAILED
        yield objs
    finally:
        for kubectl, before in zip(members, nodes, strict=True):
            kubectl.run("delete", "namespace", ns, "--wait=false", "--ignore-not-found", check=False)
            kubectl.run("delete", "crd", objs.crd, "--wait=false", "--ignore-not-found", check=False)
            _restore_nodes(kubectl, before)


def _node_state(kubectl: Kubectl) -> dict[str, Json]:
    """Per node, what the fuzzed taint, label and cordon routes may change: the later tests share these nodes."""
    return {n["metadata"]["name"]: {"labels": n["metadata"].get("labels") or {},
                                    "taints": n["spec"].get("taints") or [],
                                    "unschedulable": bool(n["spec"].get("unschedulable"))}
            for n in kubectl.json("get", "nodes")["items"]}


def _restore_nodes(kubectl: Kubectl, before: dict[str, Json]) -> None:
    """Puts the nodes' labels, taints and schedulability back as they were before the run."""
    for name, now in _node_state(kubectl).items():
        was = before.get(name)
        if was is None or now == was:
            continue
        labels: dict[str, str | None] = {k: None for k in now["labels"] if k not in was["labels"]}
        labels.update(was["labels"])
        patch = {"metadata": {"labels": labels},
                 "spec": {"taints": was["taints"] or None, "unschedulable": was["unschedulable"] or None}}
        kubectl.run("patch", "node", name, "--type", "merge", "-p", json.dumps(patch), check=False)


def _pod(meta: Json, at: Path) -> list[Json]:
    """The pod `meta` names: its exec in a pod root made at `at` (some files in /app to find), its log a file."""
    root = make_root(at / "rootfs")  # makes `at` too
    place(root, "/app/config.json", b'{"feature_flags": {"contract": true}}\n')
    place(root, "/app/data/notes.txt", b"fuzzed files live here\n")
    log = at / "app.log"
    log.write_text("".join(f"2024-01-01T00:00:0{i}.000000000Z {stream} F {msg}\n" for i, (stream, msg) in enumerate(
        [("stdout", '{"level":"info","msg":"started"}'), ("stderr", "ERROR payment failed order=42"),
         ("stdout", "level=warn msg=\"slow\""), ("stdout", "DEBUG cache warmed")])))
    return [{"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": [
                {"name": "app", "image": "contract/app:1"}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Logs", "metadata": meta,
             "spec": {"logs": [{"containers": ["app"], "logsFile": str(log)}]}},
            {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Exec", "metadata": meta,
             "spec": {"execs": [{"containers": ["app"], "local": {"workDir": str(root)}}]}}]


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
    """schemathesis.toml: the API key from the environment, the checks and the statuses the data checks
    accept, and the dictionaries each matching parameter is drawn from half of the time: real things for
    the positive cases, TRICKY values for the negative ones."""
    c1, c2 = clusters[0], clusters[1]

    def ids(kind: str) -> list[str]:  # both members, by id and by name, and the bare name
        return [f"{c1['id']}:{kind}:{objs.namespace}:{objs.name}", f"{c2['name']}:{kind}:{objs.namespace}:{objs.name}",
                objs.name]

    real = {
        "clusters": [str(c1["id"]), str(c2["id"]), c1["name"], c2["name"]],
        "cluster_lists": [f"{c1['id']},{c2['id']}", f"{c1['name']},{c2['name']}", str(c1["id"])],
        "objects": [*{i for kind in objs.TYPES for i in ids(kind)}, f"{c2['id']}:namespace::{objs.namespace}"],
        "types": [*objs.TYPES, "configmaps", "namespace"],
        "namespaces": [objs.namespace],
        "names": [objs.name],
        "crds": [objs.crd],
        "configmap_type": ["configmap"],
        **{f"{kind}_ids": ids(kind) for kind in objs.TYPES},
        "backups": ["1", "nightly"],
        # The pod's container, by cluster id and name, with and without the container part (one-container pod).
        "containers": [f"{c1['id']}:{objs.namespace}:{objs.name}:app", f"{c2['name']}:{objs.namespace}:{objs.name}",
                       f"{c2['id']}:{objs.namespace}:{objs.name}:app"],
        "pod_paths": list(objs.POD_PATHS),
        "pod_dirs": list(objs.POD_DIRS),
        "commands": list(objs.COMMANDS),
    }
    dictionaries = {name: [*values, *TRICKY] for name, values in real.items()}
    bindings = {"query.cluster_id": "clusters", "body.cluster_id": "clusters", "body.cluster_ids[*]": "clusters",
                "query.cluster_ids": "cluster_lists", "query.resource_type": "types", "body.resource_type": "types",
                "query.namespace": "namespaces", "body.namespace": "namespaces", "query.name": "names"}
    # The path parameters, per section: each drawn from the real things of its own kind.
    by_path = {"^/api/k8s/clusters/": {"path.id": "clusters"},
               "^/api/k8s/unified/resources/": {"path.id": "objects"},
               "^/api/k8s/limitrange/": {"path.id": "limitrange_ids"},
               "^/api/k8s/resourcequota/": {"path.id": "resourcequota_ids"},
               "^/api/k8s/networkpolicies/": {"path.name": "networkpolicy_ids"},
               "^/api/k8s/ingress/": {"path.name": "ingress_ids"},
               "^/api/k8s/labels/": {"path.resource_type": "configmap_type", "path.resource_id": "configmap_ids"},
               "^/api/k8s/yaml/": {"path.backup_id": "backups"},
               "^/api/k8s/crds/": {"path.name": "crds", "path.resource_name": "widget_ids"},
               "^/api/k8s/containers/": {"path.id": "containers", "query.path": "pod_paths", "body.path": "pod_paths",
                                         "body.working_dir": "pod_dirs", "body.command[*]": "commands"}}

    def bound(key: str, dictionary: str) -> str:
        return f"{_toml(key)} = {{ dictionary = {_toml(dictionary)}, probability = {OFTEN.get(dictionary, 0.5)} }}"

    statuses = {"positive_data_acceptance": POSITIVE_STATUSES, "negative_data_rejection": NEGATIVE_STATUSES}
    warnings = [w for w in WARNINGS if w != "dictionary_mismatch"]  # TRICKY entries mismatch on purpose
    lines = ['[auth.openapi.apiKey]', 'api_key = "${CLOUDOPS_CONTRACT_KEY}"', "",
             "[warnings]", f"display = {_toml(warnings)}", "",
             "[generation]", 'database = "none"', "",
             "[reports]", f"directory = {_toml(str(report))}", "",
             # The checks are chosen here, not with --checks, which would override the stateful exception.
             "[checks]", "enabled = false", ""]
    for check in CHECKS:
        lines += [f"[checks.{check}]", "enabled = true"]
        lines += [f"expected-statuses = {_toml(statuses[check])}"] if check in statuses else []
        lines.append("")
    # A stateful step copies its parameters from an earlier response (a null `cluster_id` becomes the path
    # segment "None"), not from the parameter's schema: "schema-valid" is not promised there.
    lines += ["[phases.stateful.checks.positive_data_acceptance]", "enabled = false", ""]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(sorted(values))}", ""]
    lines += ["[parameters]", *(bound(k, v) for k, v in bindings.items())]
    for regex, params in by_path.items():
        lines += ["", "[[operations]]", f"include-path-regex = {_toml(regex)}", "", "[operations.parameters]",
                  *(bound(k, v) for k, v in params.items())]
    for operation_id in POD_OPERATIONS:
        lines += ["", "[[operations]]", f"include-operation-id = {_toml(operation_id)}", "",
                  "[operations.generation]", f"max-examples = {2 * MAX_EXAMPLES}"]
    for operation_id in SEMANTIC_400:
        lines += ["", "[[operations]]", f"include-operation-id = {_toml(operation_id)}", "",
                  "[operations.checks.positive_data_acceptance]",
                  f"expected-statuses = {_toml([*POSITIVE_STATUSES, '400'])}"]
    for operation_id in REDIRECTS:
        lines += ["", "[[operations]]", f"include-operation-id = {_toml(operation_id)}", "",
                  "[operations.checks.positive_data_acceptance]",
                  f"expected-statuses = {_toml([*POSITIVE_STATUSES, '302'])}"]
    path.write_text("\n".join(lines) + "\n")


def _fleet(shim: Shim, clusters: list[Json]) -> str:
    """CLOUDOPS_CONTRACT_FLEET for fleet_hooks: the clusters, and the operations taking `cluster_id`."""
    with urllib.request.urlopen(f"{shim.url}/api/k8s/openapi.json", timeout=30) as r:
        document = json.load(r)
    schemas = document["components"]["schemas"]
    query, body = [], []
    for path, item in document["paths"].items():
        for method, op in item.items():
            label = f"{method.upper()} {path}"
            if any(p["name"] == "cluster_id" and p["in"] == "query" for p in op.get("parameters", [])):
                query.append(label)
            ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "cluster_id" in schemas.get(str(ref.get("$ref", "")).rsplit("/", 1)[-1], {}).get("properties", {}):
                body.append(label)
    names = [str(c[k]) for c in clusters for k in ("id", "name") if c.get(k) is not None]
    return json.dumps({"clusters": names, "query": query, "body": body})


def _schemathesis(shim: Shim, key: str, config: Path, report: Path, seed: int, selection: list[str],
                  timeout: float, fleet: str) -> tuple[Json | None, str, list[str]]:
    """One CLI run: its JSON report, its terminal output and its command line (the key is not in it). Past
    `timeout` it is interrupted (SIGINT), which still writes the report, with stop_reason "interrupted"."""
    cmd = [str(SCHEMATHESIS), "--config-file", str(config), "--no-color", "run", f"{shim.url}/api/k8s/openapi.json",
           "--max-examples", str(MAX_EXAMPLES), "--seed", str(seed),
           "--workers", "1", "--request-timeout", "60", "--report", REPORTS,
           "--report-json-path", str(report / "report.json"), "--report-junit-path", str(report / "junit.xml"),
           *selection, *(["--include-path-regex", PATHS] if PATHS else [])]
    env = {**os.environ, "CLOUDOPS_CONTRACT_KEY": key, "CLOUDOPS_CONTRACT_FLEET": fleet,
           "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name("fleet_hooks.py"))}
    log = report / "output.txt"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=report, stdout=out, stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=max(timeout, 1))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            out.write(f"\n[interrupted after {timeout:.0f}s, the time bound: lower CLOUDOPS_CONTRACT_EXAMPLES]\n")
    path = report / "report.json"
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        doc = None
    return doc, log.read_text(errors="replace"), cmd


def _figures(report: Json | None) -> dict[str, Any]:
    if report is None:
        return {"operations": 0, "selected": 0, "cases": 0, "failures": 0, "unique_failures": 0, "errors": 1,
                "stop_reason": "no report", "seconds": None, "failure_groups": [], "error_groups": ["no report"]}
    operations = report["operations"] or {"tested": 0, "selected": 0}  # None when it never got to start
    return {"stop_reason": report["stop_reason"], "seconds": report["running_time"],
            "failure_groups": report["failures"], "error_groups": report["errors"],
            "operations": operations["tested"], "selected": operations["selected"],
            "cases": report["test_cases"]["generated"],
            "failures": sum(f["count"] for f in report["failures"]),
            "unique_failures": report["test_cases"]["unique_failures"],
            "errors": sum(e["count"] for e in report["errors"])}


async def test_every_operation_honours_its_documented_contract(
        topology: Topology, namespace: str, operator: OperatorProcess, shim_process: Shim,
        member_objects: MemberObjects) -> None:
    api = await hub_client(str(topology.hub.kubeconfig))
    try:
        key = secret(await create_api_key(api, namespace, "contract-admin", ["cloudops:admins"]))
    finally:
        await api.close()
    clusters = await _register(shim_process, key, topology)
    fleet = await asyncio.to_thread(_fleet, shim_process, clusters)
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
        bound = (deadline - time.monotonic()) * SHARE[name]
        doc, output, cmd = await asyncio.to_thread(_schemathesis, shim_process, key, config, report, seed,
                                                   selection, bound, fleet)
        results[name] = {"command": " ".join(cmd[1:]), **_figures(doc)}
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
    stops = {name: r["stop_reason"] for name, r in results.items()}
    assert not failed, f"{line}; stops {stops}; details in {OUT}/*/output.txt"
    assert PATHS or all(r["selected"] > 0 for r in results.values()), f"a run selected nothing: {summary}"
    assert total["operations"] == total["selected"], f"operations left untested: {summary}"
