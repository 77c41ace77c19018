"""Shared by the network tests: one member registered through REST, a fresh namespace in it, kubectl on it."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from devcluster.topology import Topology
from tests.helpers import Kubectl
from tests.shim.checked import call
from tests.shim.conftest import Client

Json = dict[str, Any]



@dataclass
class Member:
    cluster: Json
    k: Kubectl  # kubectl in the test namespace
    admin: Kubectl  # kubectl without a namespace
    ns: str
    extra: list[str]

    async def namespace(self, labels: dict[str, str]) -> str:
        """Another namespace, with labels, removed with the test's."""
        name = f"{self.ns}-{len(self.extra) + 1}"
        self.extra.append(name)
        await asyncio.to_thread(self.admin, "apply", "-f", "-", stdin=json.dumps(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}))
        return name

    async def apply(self, obj: Json, namespace: str | None = None) -> None:
        kubectl = Kubectl(self.k.kubeconfig, namespace or self.ns)
        await asyncio.to_thread(kubectl, "apply", "-f", "-", stdin=json.dumps(obj))

    async def json(self, *args: str) -> Any:
        return await asyncio.to_thread(self.k.json, *args)


def pod(name: str, labels: dict[str, str], ports: list[Json] | None = None) -> Json:
    container: Json = {"name": "c", "image": "example/app:1"}
    if ports:
        container["ports"] = ports
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
            "spec": {"containers": [container]}}


@pytest.fixture
async def member(topology: Topology, shim: Client) -> AsyncIterator[Member]:
    m = topology.members[0]
    body = {"name": "net-member", "kubeconfig": base64.b64encode(m.kubeconfig.read_bytes()).decode()}
    cluster = (await call(shim, "POST", "/api/k8s/clusters/add", json=body))["data"]
    ns = f"n-{uuid.uuid4().hex[:8]}"
    admin = Kubectl(m.kubeconfig)
    await asyncio.to_thread(admin, "create", "namespace", ns)
    found = Member(cluster, Kubectl(m.kubeconfig, ns), admin, ns, [])
    yield found
    for name in [ns, *found.extra]:
        await asyncio.to_thread(admin.run, "delete", "namespace", name, "--wait=false", check=False)
