"""The first admin in a cluster without kubectl exec: a Secret the shim adopts as an API key, then deletes.

The shim runs as its own ServiceAccount (its RBAC is part of what is tested); the key is chosen by the test,
as a platform team would, and must never be logged.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from kubernetes_asyncio.client import ApiClient

from api_shim.security.apikeys import list_api_keys
from cloudops.kube.secrets import Secrets
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.helpers import eventually
from tests.leaks import secret
from tests.shim.conftest import Client

BOOTSTRAP = "cloudops-bootstrap-apikey"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, bootstrap_poll_seconds=0.2)


async def _status(shim: Client, key: str) -> int:
    raw: TestClient = shim  # type: ignore[type-arg]
    async with raw.session.get(raw.make_url("/api/k8s/clusters/list"), headers={"X-API-Key": key}) as r:
        return r.status


async def test_a_bootstrap_secret_becomes_the_first_api_key_and_is_deleted(
        shim: Client, hub_api: ApiClient, namespace: str, caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    store = Secrets(hub_api, namespace)
    key = secret(f"cok_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}")
    assert await _status(shim, key) == 401

    # Not a key: left in place, and the log names the field and why (once), never the value.
    caplog.set_level(logging.ERROR, logger="cloudops.bootstrap")
    await store.create(BOOTSTRAP, {"api-key": "not-a-key-at-all", "user": "platform-admin"})
    await eventually(lambda: asyncio.sleep(0, "api-key: not an API key" in caplog.text), timeout=20,
                     what="the bad bootstrap Secret reported")
    assert "not-a-key-at-all" not in caplog.text
    assert await store.read(BOOTSTRAP) is not None

    # A key: adopted for the user and groups given, and the Secret deleted.
    await store.delete(BOOTSTRAP)
    await store.create(BOOTSTRAP, {"api-key": key, "user": "platform-admin", "groups": "cloudops:admins"})
    await eventually(lambda: _gone(store), timeout=20,
                     what="the bootstrap Secret adopted and deleted")
    assert await _status(shim, key) == 200
    keys = {k.key_id: k for k in await list_api_keys(hub_api, namespace)}
    adopted = keys[key.split("_")[1]]
    assert (adopted.user, adopted.groups) == ("platform-admin", ("cloudops:admins",))
    assert key not in caplog.text

    # The same key again (a second replica, a re-applied manifest): nothing new, the Secret goes.
    await store.create(BOOTSTRAP, {"api-key": key})
    await eventually(lambda: _gone(store), timeout=20, what="the repeated bootstrap Secret deleted")
    assert len(await list_api_keys(hub_api, namespace)) == len(keys)

    # Another key under a taken id: refused, the Secret stays.
    other = secret(f"cok_{key.split('_')[1]}_{secrets.token_urlsafe(32)}")
    await store.create(BOOTSTRAP, {"api-key": other})
    await eventually(lambda: asyncio.sleep(0, "its id is taken by another key" in caplog.text), timeout=20,
                     what="the id clash reported")
    assert await store.read(BOOTSTRAP) is not None and await _status(shim, other) == 401
    await store.delete(BOOTSTRAP)


async def _gone(store: Secrets) -> bool:
    return await store.read(BOOTSTRAP) is None


def test_apikey_list_shows_each_keys_user_and_groups(topology: Topology, namespace: str) -> None:
    env = {**os.environ, "KUBECONFIG": str(topology.hub.kubeconfig), "CLOUDOPS_NAMESPACE": namespace}
    cli = [sys.executable, "-m", "api_shim.security.apikey_cli"]
    made = subprocess.run([*cli, "create", "--user", "grace", "--group", "cloudops:viewers", "--group", "ops"],
                          env=env, capture_output=True, text=True, check=True, timeout=60)
    key = secret(made.stdout.strip())
    listed = subprocess.run([*cli, "list"], env=env, capture_output=True, text=True, check=True, timeout=60)
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["ID", "USER", "GROUPS", "CREATED"]
    row = next(r.split() for r in rows if r.startswith(key.split("_")[1]))
    assert row[1:3] == ["grace", "cloudops:viewers,ops"] and row[3].startswith("20")
    assert key not in listed.stdout and "sha256" not in listed.stdout
