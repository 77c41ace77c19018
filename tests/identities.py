"""The operator and the shim run in tests as they are deployed: as their ServiceAccounts, with the
RBAC of deploy/rbac/, never with the hub's admin credentials. So a missing permission fails a test.

Per test namespace: both ServiceAccounts, their Role and RoleBinding rendered into the namespace,
and one ClusterRoleBinding each (named `<clusterrole>-<namespace>`, deleted by `release`) to the
deploy ClusterRoles, which are applied once per session. Each component then gets a kubeconfig
with the hub's server and CA and a TokenRequest token of its ServiceAccount.
"""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import REPO, wait_until

__all__ = ["COMPONENTS", "binding_name", "json_objects", "provision", "release", "render"]

RBAC = REPO / "deploy" / "rbac"
COMPONENTS = {"operator": "cloudops-operator", "shim": "cloudops-shim"}  # component -> ServiceAccount
TEST_LABEL = "cloudops.io/test-namespace"  # on the per-namespace ClusterRoleBindings
TOKEN_DURATION = "2h"

# One permission per binding, checked before a component starts: RBAC is enforced from informer
# caches, so a new binding is honoured a moment after it is created.
READY_CHECKS: dict[str, list[dict[str, str]]] = {
    "operator": [{"resource": "secrets", "verb": "get"}, {"resource": "namespaces", "verb": "list"}],
    "shim": [{"resource": "secrets", "verb": "get"},
             {"group": "authorization.k8s.io", "resource": "subjectaccessreviews", "verb": "create"}],
}

_lock = threading.Lock()
_sessions: set[Path] = set()  # hubs whose ClusterRoles this process applied
_provisioned: dict[tuple[Path, str, str], Path] = {}  # (hub, namespace, component) -> kubeconfig
_bound: set[tuple[Path, str, str]] = set()  # (hub, namespace, component) whose ClusterRoleBinding was applied


def _start(hub: Path, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(["kubectl", "--kubeconfig", str(hub), *args], text=True,
                            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[str], stdin: str | None = None) -> str:
    out, err = proc.communicate(stdin, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, proc.args[3:6]))} failed: {err}")  # type: ignore[index]
    return out


def _kubectl(hub: Path, *args: str, stdin: str | None = None) -> str:
    return _finish(_start(hub, *args, stdin=stdin is not None), stdin)


def json_objects(text: str) -> list[dict[str, Any]]:
    """kubectl's `-o json` output of several objects: one document after another (or one List)."""
    decoder, pos = json.JSONDecoder(), 0
    out: list[dict[str, Any]] = []
    while pos < len(text.rstrip()):
        obj, end = decoder.raw_decode(text, pos)
        out.extend(obj["items"] if obj.get("kind") == "List" else [obj])
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _docs(component: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((RBAC / f"{component}.yaml").read_text()) if d]


def _as_list(items: list[dict[str, Any]]) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items})


def binding_name(component: str, namespace: str) -> str:
    return f"{COMPONENTS[component]}-{namespace}"


def render(component: str, namespace: str) -> list[dict[str, Any]]:
    """deploy/rbac/<component>.yaml for one namespace: namespaced objects in it, the ClusterRoleBinding
    renamed and labelled per namespace; the ClusterRole is left out (applied once per session)."""
    out = []
    for doc in _docs(component):
        kind = doc["kind"]
        if kind == "ClusterRole":
            continue
        if kind == "ClusterRoleBinding":
            doc["metadata"]["name"] = binding_name(component, namespace)
            doc["metadata"].setdefault("labels", {})[TEST_LABEL] = namespace
        else:
            doc["metadata"]["namespace"] = namespace
        for subject in doc.get("subjects", []):
            if subject["kind"] == "ServiceAccount":
                subject["namespace"] = namespace
        out.append(doc)
    return out


def _session(hub: Path) -> None:
    """The deploy ClusterRoles as they are (once per hub and process); per-namespace bindings an
    interrupted earlier run left behind, those whose namespace is gone, are deleted."""
    roles = [d for c in COMPONENTS for d in _docs(c) if d["kind"] == "ClusterRole"]
    apply = _start(hub, "apply", "-f", "-", stdin=True)
    bindings = json.loads(_kubectl(hub, "get", "clusterrolebinding", "-l", TEST_LABEL, "-o", "json"))["items"]
    _finish(apply, _as_list(roles))
    namespaces = {b["metadata"]["labels"][TEST_LABEL] for b in bindings}
    if not namespaces:
        return
    alive = {n.removeprefix("namespace/") for n in
             _kubectl(hub, "get", "namespace", *sorted(namespaces), "--ignore-not-found", "-o", "name").split()}
    stale = [b["metadata"]["name"] for b in bindings if b["metadata"]["labels"][TEST_LABEL] not in alive]
    if stale:
        _kubectl(hub, "delete", "clusterrolebinding", *stale, "--ignore-not-found", "--wait=false")


def _kubeconfig(hub: Path, token: str, namespace: str, user: str) -> dict[str, Any]:
    """The hub's server and CA (of its current context) with a bearer token."""
    cfg = yaml.safe_load(hub.read_text())
    ctx_name = cfg.get("current-context") or cfg["contexts"][0]["name"]
    ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == ctx_name)
    cluster = {k: v for k, v in next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"]).items()
               if k in ("server", "certificate-authority-data", "certificate-authority", "tls-server-name",
                        "insecure-skip-tls-verify")}
    ca = cluster.get("certificate-authority")
    if ca and not Path(ca).is_absolute():
        cluster["certificate-authority"] = str((hub.parent / ca).resolve())
    return {"apiVersion": "v1", "kind": "Config", "current-context": user, "preferences": {},
            "clusters": [{"name": "hub", "cluster": cluster}],
            "users": [{"name": user, "user": {"token": token}}],
            "contexts": [{"name": user, "context": {"cluster": "hub", "user": user, "namespace": namespace}}]}


def _ready(hub: Path, namespace: str, components: list[str]) -> bool:
    """One SubjectAccessReview per READY_CHECKS entry, all in one kubectl call."""
    reviews = [{"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                "spec": {"user": f"system:serviceaccount:{namespace}:{COMPONENTS[c]}",
                         "groups": ["system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                                    "system:authenticated"],
                         "resourceAttributes": {"namespace": namespace, **attrs}}}
               for c in components for attrs in READY_CHECKS[c]]
    items = json_objects(_kubectl(hub, "create", "-f", "-", "-o", "json", stdin=_as_list(reviews)))
    return len(items) == len(reviews) and all(i["status"].get("allowed") for i in items)


def provision(hub: Path, namespace: str, directory: Path,
              components: tuple[str, ...] = ("operator", "shim")) -> dict[str, Path]:
    """Kubeconfigs (component -> file in `directory`) of `components`' ServiceAccounts in `namespace`,
    which must exist. One `kubectl apply` of every object, then the tokens minted while the RBAC
    readiness check runs. Idempotent: a component already provisioned in the namespace is reused."""
    hub = hub.resolve()
    with _lock:
        if hub not in _sessions:
            _session(hub)
            _sessions.add(hub)
        have = {c: _provisioned[(hub, namespace, c)] for c in components if (hub, namespace, c) in _provisioned}
    todo = [c for c in components if c not in have]
    if not todo:
        return have
    with _lock:
        _bound.update((hub, namespace, c) for c in todo)
    objects = [d for c in todo for d in render(c, namespace)]
    _kubectl(hub, "apply", "--server-side", "--force-conflicts", "-f", "-", stdin=_as_list(objects))
    procs = {c: _start(hub, "-n", namespace, "create", "token", COMPONENTS[c], f"--duration={TOKEN_DURATION}")
             for c in todo}
    try:
        wait_until(lambda: _ready(hub, namespace, todo), 30, f"RBAC of {', '.join(todo)} in {namespace}")
        tokens = {c: _finish(p).strip() for c, p in procs.items()}
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()
                p.communicate()
    directory.mkdir(parents=True, exist_ok=True)
    for c, token in tokens.items():
        path = directory / f"{c}.kubeconfig"
        path.touch(mode=0o600)
        path.chmod(0o600)  # before the token is in it
        path.write_text(json.dumps(_kubeconfig(hub, token, namespace, COMPONENTS[c]), indent=1) + "\n")
        with _lock:
            _provisioned[(hub, namespace, c)] = path
        have[c] = path
    return have


def release(hub: Path, namespace: str, wait: bool = True) -> subprocess.Popen[str] | None:
    """Deletes the namespace's ClusterRoleBindings, if any were made (its namespaced objects go with
    the namespace). With wait=False the running kubectl is returned for the caller to finish."""
    hub = hub.resolve()
    with _lock:
        made = [c for c in COMPONENTS if (hub, namespace, c) in _bound]
        for c in COMPONENTS:
            _bound.discard((hub, namespace, c))
            _provisioned.pop((hub, namespace, c), None)
    if not made:
        return None
    proc = _start(hub, "delete", "clusterrolebinding", *(binding_name(c, namespace) for c in made),
                  "--ignore-not-found", "--wait=false")
    if wait:
        _finish(proc)
        return None
    return proc
