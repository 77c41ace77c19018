"""The shim app in-process against the real hub, served by aiohttp's test server, with real credentials."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from kubernetes_asyncio.client import ApiClient

from api_shim.app import create_app
from api_shim.security.apikeys import create_api_key
from api_shim.state import CACHE
from cloudops.kube.client import hub_client
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.leaks import log_file, secret
from tests.shim.checked import CheckedClient

KeyMaker = Callable[[str, list[str]], Awaitable[str]]
Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
async def hub_api(topology: Topology) -> AsyncIterator[ApiClient]:
    """The hub as its admin (a human creating API keys, test set-up), never the shim's identity."""
    api = await hub_client(str(topology.hub.kubeconfig))
    yield api
    await api.close()


@pytest.fixture
def make_key(hub_api: ApiClient, namespace: str) -> KeyMaker:
    async def make(user: str, groups: list[str]) -> str:
        return secret(await create_api_key(hub_api, namespace, user, groups))
    return make


@pytest.fixture
def settings(namespace: str, identities: dict[str, Path], tmp_path: Path) -> Settings:
    """The shim as deployed: the cloudops-shim ServiceAccount's token and RBAC, not the hub's admin."""
    return Settings(namespace=namespace, kubeconfig=str(identities["shim"]),
                    audit_sink=f"file:{log_file(tmp_path / 'audit.jsonl')}", member_timeout_seconds=3.0,
                    sync_timeout_seconds=10.0)


@pytest.fixture
async def shim(settings: Settings, make_key: KeyMaker) -> AsyncIterator[Client]:
    """A client authenticated as an admin (API key, group cloudops:admins)."""
    key = await make_key("test-admin", ["cloudops:admins"])
    async with CheckedClient(TestServer(create_app(settings)), headers={"X-API-Key": key}) as client:
        # As a load balancer would: traffic only once /readyz holds (the cluster cache has synced).
        assert await client.app[CACHE].wait_synced(60), "the shim's cluster cache did not sync"
        yield client
