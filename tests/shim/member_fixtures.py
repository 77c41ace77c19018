"""Shared by the quota, label, label-policy and scheduling tests: the checked call, and one member
registered through REST with a fresh namespace in it, removed afterwards."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from devcluster.topology import Topology
from tests.helpers import Kubectl
from tests.shim.conftest import Client

Json = dict[str, Any]


async def call(client: Client, method: str, path: str, expect: int = 200, **kw: Any) -> Json:
    r = await client.request(method, path, **kw)
    body: Json = await r.json()
    assert r.status == expect, body
    return body


@asynccontextmanager
async def registered_member(topology: Topology, shim: Client, name: str,
                            prefix: str) -> AsyncIterator[tuple[Json, Kubectl, str]]:
    """The first member registered as `name` (the only cluster, so cluster_id is optional), and a new
    namespace `<prefix>-<random>` in it: (cluster as REST returned it, kubectl in that namespace, namespace)."""
    body = {"name": name, "kubeconfig": base64.b64encode(topology.members[0].kubeconfig.read_bytes()).decode()}
    cluster = (await call(shim, "POST", "/api/k8s/clusters/add", json=body))["data"]
    ns = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = Kubectl(topology.members[0].kubeconfig)
    await asyncio.to_thread(admin, "create", "namespace", ns)
    try:
        yield cluster, Kubectl(topology.members[0].kubeconfig, ns), ns
    finally:
        await asyncio.to_thread(admin.run, "delete", "namespace", ns, "--wait=false", check=False)
