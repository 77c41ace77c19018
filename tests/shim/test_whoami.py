"""GET /api/k8s/auth/whoami: the caller's rights as the hub's RBAC decides them, for the console to show."""

from __future__ import annotations

import base64

from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl
from tests.shim.checked import CheckedClient, call
from tests.shim.conftest import KeyMaker

WHOAMI = "/api/k8s/auth/whoami"
WRITES = {"create", "update", "delete"}


async def test_whoami_answers_what_rbac_allows_each_role(settings: Settings, make_key: KeyMaker) -> None:
    admin = await make_key("ada", ["cloudops:admins"])
    viewer = await make_key("vera", ["cloudops:viewers"])
    nobody = await make_key("nora", [])
    async with CheckedClient(TestServer(create_app(settings))) as client:
        a = (await call(client, "GET", WHOAMI, headers={"X-API-Key": admin}))["data"]
        assert a["user"] == "ada" and "cloudops:admins" in a["groups"] and a["method"] == "api-key"
        assert set(a["can"]["resources"]) == {"get", "list", "create", "update", "delete"}
        assert "create" in a["can"]["exec"] and "get" in a["can"]["secrets"]

        v = (await call(client, "GET", WHOAMI, headers={"X-API-Key": viewer}))["data"]
        assert set(v["can"]["resources"]) == {"get", "list"} and set(v["can"]["clusters"]) >= {"get", "list"}
        assert not any(WRITES & set(verbs) for verbs in v["can"].values()), v["can"]
        assert "exec" not in v["can"] and "secrets" not in v["can"] and "cli" not in v["can"]

        n = (await call(client, "GET", WHOAMI, headers={"X-API-Key": nobody}))["data"]
        assert n["user"] == "nora" and n["can"] == {}  # authenticated, allowed nothing: still told so

        r = await client.get(WHOAMI)
        assert r.status == 401


async def test_whoami_for_one_cluster_counts_grants_by_name(settings: Settings, make_key: KeyMaker,
                                                           topology: Topology, hub: Kubectl, namespace: str) -> None:
    """A Role granting one capability on one cluster by resourceNames shows for that cluster only."""
    admin = await make_key("ada", ["cloudops:admins"])
    scoped = await make_key("sam", [f"cloudops:{namespace}-m1"])
    hub("apply", "-n", namespace, "-f", "-", stdin=f"""
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: m1-logs, namespace: {namespace}}}
rules:
- apiGroups: [cloudops.io]
  resources: [managedclusters, managedclusters/logs]
  resourceNames: [m1]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: m1-logs, namespace: {namespace}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: m1-logs}}
subjects: [{{kind: Group, name: "cloudops:{namespace}-m1", apiGroup: rbac.authorization.k8s.io}}]
""")
    async with CheckedClient(TestServer(create_app(settings))) as client:
        body = {"name": "m1", "kubeconfig": base64.b64encode(topology.members[0].kubeconfig.read_bytes()).decode()}
        await call(client, "POST", "/api/k8s/clusters/add", json=body, headers={"X-API-Key": admin})
        everywhere = (await call(client, "GET", WHOAMI, headers={"X-API-Key": scoped}))["data"]
        assert everywhere["cluster"] is None and "logs" not in everywhere["can"]
        on_m1 = (await call(client, "GET", f"{WHOAMI}?cluster_id=m1", headers={"X-API-Key": scoped}))["data"]
        assert on_m1["cluster"]["name"] == "m1" and on_m1["can"]["logs"] == ["get"]
        assert on_m1["can"]["clusters"] == ["get"] and "resources" not in on_m1["can"]
        r = await client.get(f"{WHOAMI}?cluster_id=not-there", headers={"X-API-Key": scoped})
        assert r.status == 403  # RBAC first: a caller learns a cluster is missing only when allowed to see it
