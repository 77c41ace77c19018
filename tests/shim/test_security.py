"""Authentication, authorization, audit and limits on the REST API, against the real hub."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestServer

from api_shim.app import create_app
from api_shim.security.apikeys import secret_name
from api_shim.state import AUDIT
from cloudops.settings import RateLimits, Settings
from devcluster.topology import Topology
from tests.helpers import Kubectl, eventually
from tests.leaks import secret
from tests.shim.checked import CheckedClient
from tests.shim.conftest import Client, KeyMaker

LIST = "/api/k8s/clusters/list"


async def _status(client: Client, method: str, path: str, **kw: Any) -> tuple[int, dict[str, Any]]:
    r = await client.request(method, path, **kw)
    return r.status, await r.json()


async def test_no_or_bad_credentials_are_401(settings: Settings) -> None:
    async with CheckedClient(TestServer(create_app(settings))) as client:
        status, body = await _status(client, "GET", LIST)
        assert status == 401 and body["code"] == 401 and "no credentials" in body["error"]
        for headers in ({"X-API-Key": "cok_0123456789abcdef_" + "x" * 43}, {"X-API-Key": "garbage"},
                        {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer not-a-token"}):
            status, body = await _status(client, "GET", LIST, headers=headers)
            assert status == 401, headers
            assert set(body) == {"code", "message", "error", "timestamp"}
        # Probes and the API document stay open.
        assert (await client.get("/healthz")).status == 200
        assert (await client.get("/api/k8s/openapi.json")).status == 200


async def test_rbac_viewer_reads_but_cannot_delete(settings: Settings, make_key: KeyMaker) -> None:
    viewer = await make_key("vera", ["cloudops:viewers"])
    nobody = await make_key("nora", [])
    async with CheckedClient(TestServer(create_app(settings))) as client:
        assert (await _status(client, "GET", LIST, headers={"X-API-Key": viewer}))[0] == 200
        status, body = await _status(client, "DELETE", "/api/k8s/clusters/anything", headers={"X-API-Key": viewer})
        assert status == 403 and body["code"] == 1003
        assert "vera" in body["error"] and "delete managedclusters.cloudops.io 'anything'" in body["error"]
        status, body = await _status(client, "GET", LIST, headers={"X-API-Key": nobody})
        assert status == 403 and "list managedclusters" in body["error"]


async def test_api_key_revocation_takes_effect(settings: Settings, make_key: KeyMaker, hub: Kubectl,
                                               namespace: str) -> None:
    key = await make_key("rev", ["cloudops:admins"])
    async with CheckedClient(TestServer(create_app(settings)), headers={"X-API-Key": key}) as client:
        assert (await client.get(LIST)).status == 200
        await asyncio.to_thread(hub, "-n", namespace, "delete", "secret", secret_name(key.split("_")[1]))

        async def rejected() -> bool:
            return (await client.get(LIST)).status == 401

        await eventually(rejected, 15, "revoked key rejected")


def _jwt_secret(hub: Kubectl, namespace: str, key: str) -> None:
    secret(key)
    hub("-n", namespace, "create", "secret", "generic", "cloudops-jwt", f"--from-literal=hs256-key={key}",
        "--from-literal=issuer=https://issuer.cloudops.test", "--from-literal=audience=cloudops-api")


def _token(key: str, **claims: Any) -> str:
    base = {"iss": "https://issuer.cloudops.test", "aud": "cloudops-api", "sub": "jane",
            "groups": ["cloudops:admins"], "exp": int(time.time()) + 300}
    return secret(jwt.encode({**base, **claims}, key, algorithm="HS256"))


async def test_jwt_bearer_tokens(settings: Settings, hub: Kubectl, namespace: str) -> None:
    key = "k" * 48
    await asyncio.to_thread(_jwt_secret, hub, namespace, key)
    async with CheckedClient(TestServer(create_app(settings))) as client:
        ok = {"Authorization": f"Bearer {_token(key)}"}
        assert (await _status(client, "GET", LIST, headers=ok))[0] == 200
        cases = {"expired": _token(key, exp=int(time.time()) - 10), "audience": _token(key, aud="other"),
                 "signature": _token("z" * 48)}
        for why, token in cases.items():
            status, body = await _status(client, "GET", LIST, headers={"Authorization": f"Bearer {token}"})
            assert status == 401, why
            assert token not in body["error"]
        viewer = {"Authorization": f"Bearer {_token(key, sub='joe', groups=['cloudops:viewers'])}"}
        assert (await _status(client, "DELETE", "/api/k8s/clusters/x", headers=viewer))[0] == 403


async def test_the_jwt_key_is_rotated_by_replacing_its_secret_without_a_restart(settings: Settings, hub: Kubectl,
                                                                                  namespace: str) -> None:
    """The README's rotation, verbatim in kind: `create secret --dry-run=client -o yaml | apply`; the running
    shim takes the new key within its 30 s cache and refuses tokens of the old one from then on."""
    old, new = "o" * 48, "n" * 48
    await asyncio.to_thread(_jwt_secret, hub, namespace, old)
    async with CheckedClient(TestServer(create_app(settings))) as client:
        before, after = _token(old), _token(new)
        assert (await _status(client, "GET", LIST, headers={"Authorization": f"Bearer {before}"}))[0] == 200
        assert (await _status(client, "GET", LIST, headers={"Authorization": f"Bearer {after}"}))[0] == 401

        def rotate() -> None:
            secret(new)
            manifest = hub("-n", namespace, "create", "secret", "generic", "cloudops-jwt",
                           f"--from-literal=hs256-key={new}", "--from-literal=issuer=https://issuer.cloudops.test",
                           "--from-literal=audience=cloudops-api", "--dry-run=client", "-o", "yaml")
            hub("-n", namespace, "apply", "-f", "-", stdin=manifest)

        await asyncio.to_thread(rotate)

        async def rotated() -> bool:
            return (await _status(client, "GET", LIST, headers={"Authorization": f"Bearer {after}"}))[0] == 200

        await eventually(rotated, 45, "the new JWT key accepted")
        assert (await _status(client, "GET", LIST, headers={"Authorization": f"Bearer {before}"}))[0] == 401


async def test_service_account_tokens_via_token_review(settings: Settings, hub: Kubectl, namespace: str) -> None:
    def setup() -> str:
        hub("-n", namespace, "create", "serviceaccount", "ci-bot")
        hub("-n", namespace, "create", "rolebinding", "ci-bot-view", "--clusterrole=cloudops:viewer",
            f"--serviceaccount={namespace}:ci-bot")
        return hub("-n", namespace, "create", "token", "ci-bot").strip()

    token = await asyncio.to_thread(setup)
    async with CheckedClient(TestServer(create_app(settings)),
                          headers={"Authorization": f"Bearer {token}"}) as client:
        async def allowed() -> bool:
            return (await client.get(LIST)).status == 200

        await eventually(allowed, 20, "service account may list")
        status, body = await _status(client, "DELETE", "/api/k8s/clusters/x")
        assert status == 403 and f"system:serviceaccount:{namespace}:ci-bot" in body["error"]


async def test_rate_limits_answer_429_with_retry_after(settings: Settings, make_key: KeyMaker) -> None:
    key = await make_key("hasty", ["cloudops:admins"])
    limited = Settings(**{**settings.__dict__, "rate_limits": RateLimits(user_rate=0.5, user_burst=3)})
    async with CheckedClient(TestServer(create_app(limited)), headers={"X-API-Key": key}) as client:
        statuses = [(await client.get(LIST)).status for _ in range(3)]
        assert statuses == [200, 200, 200]
        r = await client.get(LIST)
        body = await r.json()
        assert r.status == 429 and int(r.headers["Retry-After"]) >= 1
        assert body["code"] == 429 and "user hasty" in body["error"]
    per_ip = Settings(**{**settings.__dict__, "rate_limits": RateLimits(ip_rate=0.5, ip_burst=2)})
    async with CheckedClient(TestServer(create_app(per_ip)), headers={"X-API-Key": key}) as client:
        assert [(await client.get(LIST)).status for _ in range(3)] == [200, 200, 429]
    other = await make_key("patient", ["cloudops:admins"])
    per_route = Settings(**{**settings.__dict__, "rate_limits": RateLimits(route_rate=0.5, route_burst=2)})
    async with CheckedClient(TestServer(create_app(per_route))) as client:
        statuses = [(await client.get(LIST, headers={"X-API-Key": k})).status for k in (key, other, key)]
        assert statuses == [200, 200, 429], "the route's bucket is shared by every caller"
        r = await client.get("/api/k8s/clusters/metrics/summary", headers={"X-API-Key": other})
        assert r.status == 200, "another route has its own bucket"


async def test_audit_records_every_call_without_secrets(
        topology: Topology, settings: Settings, shim: Client, hub: Kubectl, namespace: str,
        caplog: pytest.LogCaptureFixture) -> None:
    kubeconfig = topology.members[0].kubeconfig.read_text()
    encoded = base64.b64encode(kubeconfig.encode()).decode()
    with caplog.at_level(logging.DEBUG):
        r = await shim.post("/api/k8s/clusters/add", json={"name": "audited", "kubeconfig": encoded})
        add_text = await r.text()
        assert r.status == 200, add_text
        texts = [add_text]
        for path in (LIST, "/api/k8s/clusters/audited", "/api/k8s/clusters/audited/health"):
            texts.append(await (await shim.get(path)).text())
        texts.append(await (await shim.post("/api/k8s/clusters/audited/test")).text())
        texts.append(await (await shim.get("/api/k8s/clusters/list?limit=bad")).text())
    shim.app[AUDIT].flush()  # records are written by their own thread
    audit_file = Path(settings.audit_sink.removeprefix("file:"))
    records = [json.loads(line)["audit"] for line in audit_file.read_text().splitlines()]
    assert len(records) == 6
    add_rec = records[0]
    assert add_rec["user"] == "test-admin" and add_rec["auth_method"] == "api-key"
    assert add_rec["operation"] == "POST /api/k8s/clusters/add" and add_rec["status"] == 200
    assert add_rec["params"]["body"]["kubeconfig"] == "[REDACTED]" and add_rec["params"]["body"]["name"] == "audited"
    assert add_rec["client_ip"] and add_rec["latency_ms"] > 0
    assert records[-1]["status"] == 400 and records[-1]["code"] == 400
    logs = "\n".join(r.getMessage() for r in caplog.records)
    secret_bits = [encoded[:40], "client-key-data", *(line.split(": ")[1][:40] for line in kubeconfig.splitlines()
                                                       if "-data:" in line)]
    for blob in [*texts, audit_file.read_text(), logs]:
        for bit in secret_bits:
            assert bit not in blob


async def test_rbac_resource_names_apply_to_ids_too(settings: Settings, make_key: KeyMaker, hub: Kubectl,
                                                   namespace: str) -> None:
    def setup() -> None:
        for name, cid in (("mine", 7), ("theirs", 8)):
            hub("apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "cloudops.io/v1alpha1", "kind": "ManagedCluster",
                "metadata": {"name": name, "namespace": namespace, "labels": {"cloudops.io/id": str(cid)}},
                "spec": {"kubeconfigSecretRef": {"name": "x"}}}))
        hub("-n", namespace, "create", "role", "one-cluster", "--verb=get",
            "--resource=managedclusters.cloudops.io", "--resource-name=mine")
        hub("-n", namespace, "create", "rolebinding", "one-cluster", "--role=one-cluster", "--user=scoped")

    await asyncio.to_thread(setup)
    key = await make_key("scoped", [])
    async with CheckedClient(TestServer(create_app(settings)), headers={"X-API-Key": key}) as client:
        async def allowed() -> bool:
            return (await client.get("/api/k8s/clusters/mine")).status == 200

        await eventually(allowed, 20, "role applies")
        assert (await client.get("/api/k8s/clusters/7")).status == 200, "id 7 is 'mine'"
        assert (await client.get("/api/k8s/clusters/8")).status == 403
        assert (await client.get("/api/k8s/clusters/theirs")).status == 403
