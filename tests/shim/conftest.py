"""The shim app in-process against the real hub, served by aiohttp's test server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from api_shim.app import create_app
from cloudops.settings import Settings
from devcluster.topology import Topology


@pytest.fixture
async def shim(topology: Topology, namespace: str) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(Settings(namespace=namespace, kubeconfig=str(topology.hub.kubeconfig)))
    async with TestClient(TestServer(app)) as client:
        yield client
