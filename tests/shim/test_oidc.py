"""Bearer tokens from a real OpenID Connect provider (Dex on loopback), verified by the shim itself, and from
a second, different real issuer beside it: the hub API server's own service-account issuer.

Tokens come from Dex's token endpoint; only the malformed ones a real provider never issues (alg none, HS256
with the public key, an unknown key id, another issuer) are made here, from a real token's claims.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx
import jwt
import pytest
import yaml
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from api_shim.app import create_app
from api_shim.state import AUDIT, AUTHN
from cloudops.settings import Settings
from devcluster.topology import Topology
from tests.dex import Dex, bind_groups, new_dex
from tests.helpers import Kubectl, eventually
from tests.shim.checked import CheckedClient, call
from tests.shim.conftest import Client

WHOAMI = "/api/k8s/auth/whoami"
LIST = "/api/k8s/clusters/list"


@pytest.fixture
def dex(tmp_path: Path) -> Iterator[Dex]:
    # Short-lived ID tokens, so the expiry test waits seconds, not an hour.
    d = new_dex(tmp_path / "dex", ["http://127.0.0.1:9/unused"], id_token_seconds=6).start()
    yield d
    d.stop()


@pytest.fixture
async def oidc_shim(settings: Settings, dex: Dex, hub: Kubectl, namespace: str) -> AsyncIterator[Client]:
    bind_groups(hub, namespace)
    s = dataclasses.replace(settings, oidc_issuers=dex.issuer_setting())
    async with CheckedClient(TestServer(create_app(s))) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(header: dict[str, Any], claims: dict[str, Any], sign: Any = None) -> str:
    """A token made here (only for what a real provider never issues)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = sign(signing_input.encode()) if sign is not None else b""
    return f"{signing_input}.{_b64(signature)}"


async def refused(client: Client, token: str, why: str) -> None:
    body = await call(client, "GET", WHOAMI, 401, headers=bearer(token))
    assert body["code"] == 401 and why in body["error"], body


async def test_a_token_from_the_provider_maps_user_and_groups_and_is_audited(
        oidc_shim: Client, dex: Dex, settings: Settings) -> None:
    token = await asyncio.to_thread(dex.token, "alice@example.com")
    me = (await call(oidc_shim, "GET", WHOAMI, headers=bearer(token)))["data"]
    assert me["user"] == "oidc:alice@example.com" and me["method"] == "oidc" and me["issuer"] == dex.issuer
    assert "oidc:cloudops-admins" in me["groups"]
    # The token's system:masters claim maps to nothing: neither itself nor under the prefix.
    assert not [g for g in me["groups"] if "system:masters" in g], me["groups"]
    assert "create" in me["can"]["clusters"]  # the admin role, through the mapped group
    await call(oidc_shim, "GET", LIST, headers=bearer(token))

    # The audit names the issuer and the subject (Dex's stable id), beside the mapped user.
    await asyncio.to_thread(oidc_shim.app[AUDIT].flush)
    assert settings.audit_sink.startswith("file:")
    records = [json.loads(line)["audit"] for line in Path(settings.audit_sink[5:]).read_text().splitlines()]
    mine = [r for r in records if r["route"] == LIST and r["user"] == "oidc:alice@example.com"]
    assert mine and mine[-1]["auth_method"] == "oidc" and mine[-1]["issuer"] == dex.issuer
    assert mine[-1]["subject"] == jwt.decode(token, options={"verify_signature": False})["sub"]
    assert token not in Path(settings.audit_sink[5:]).read_text()


async def test_a_system_masters_group_claim_grants_nothing(oidc_shim: Client, dex: Dex) -> None:
    token = await asyncio.to_thread(dex.token, "mallory@example.com")
    assert "system:masters" in jwt.decode(token, options={"verify_signature": False})["groups"]
    me = (await call(oidc_shim, "GET", WHOAMI, headers=bearer(token)))["data"]
    assert me["groups"] == ["system:authenticated"] and me["can"] == {}
    await call(oidc_shim, "GET", LIST, 403, headers=bearer(token))


async def test_a_viewer_group_reads_and_cannot_write(oidc_shim: Client, dex: Dex) -> None:
    token = await asyncio.to_thread(dex.token, "victor@example.com")
    me = (await call(oidc_shim, "GET", WHOAMI, headers=bearer(token)))["data"]
    assert set(me["can"]["clusters"]) == {"get", "list"}
    await call(oidc_shim, "GET", LIST, headers=bearer(token))
    await call(oidc_shim, "POST", "/api/k8s/clusters/add", 403, headers=bearer(token),
               json={"name": "nope", "kubeconfig": base64.b64encode(b"x").decode()})


async def test_wrong_audience_and_forged_tokens_are_refused(oidc_shim: Client, dex: Dex) -> None:
    other = await asyncio.to_thread(dex.token, "alice@example.com", "other-app")
    await refused(oidc_shim, other, "audience")

    real = await asyncio.to_thread(dex.token, "alice@example.com")
    header = jwt.get_unverified_header(real)
    claims = jwt.decode(real, options={"verify_signature": False})
    await refused(oidc_shim, forged({"alg": "none", "typ": "JWT"}, claims), "algorithm 'none' is not allowed")

    # HS256 "signed" with the issuer's public key, which anyone can read from the JWKS.
    async with httpx.AsyncClient() as h:
        jwks = (await h.get(f"{dex.issuer}/keys")).json()
    public = jwt.PyJWK(jwks["keys"][0]).key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    hs = forged({**header, "alg": "HS256"}, claims, lambda m: hmac.new(public, m, hashlib.sha256).digest())
    await refused(oidc_shim, hs, "algorithm 'HS256' is not allowed")

    # Signed by a key the issuer never published (same claims, another key id).
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unknown = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "not-a-dex-key"})
    await refused(oidc_shim, unknown, "key id is not among the issuer's keys")
    # The published key id, the wrong key: the signature fails.
    await refused(oidc_shim, jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": header["kid"]}),
                  "signature")

    # Another issuer: not trusted by the shim, so the hub's TokenReview decides, and refuses it.
    elsewhere = jwt.encode({**claims, "iss": "http://127.0.0.1:9/other"}, stranger, algorithm="RS256")
    await refused(oidc_shim, elsewhere, "not accepted")


async def test_an_expired_token_is_refused(oidc_shim: Client, dex: Dex) -> None:
    token = await asyncio.to_thread(dex.token, "alice@example.com")
    await call(oidc_shim, "GET", WHOAMI, headers=bearer(token))
    exp = jwt.decode(token, options={"verify_signature": False})["exp"]

    async def refused_now() -> bool:
        r = await oidc_shim.get(WHOAMI, headers=bearer(token))
        return r.status == 401

    await eventually(refused_now, timeout=30, what="the token refused once expired")
    assert time.time() >= exp  # not before its expiry
    await refused(oidc_shim, token, "expired")


async def test_a_rotated_signing_key_is_picked_up_without_restart(oidc_shim: Client, dex: Dex) -> None:
    before = await asyncio.to_thread(dex.token, "alice@example.com")
    await call(oidc_shim, "GET", WHOAMI, headers=bearer(before))
    old_kid = jwt.get_unverified_header(before)["kid"]
    await asyncio.to_thread(dex.start)  # a restart with memory storage: new signing keys, same issuer
    after = await asyncio.to_thread(dex.token, "alice@example.com")
    assert jwt.get_unverified_header(after)["kid"] != old_kid

    async def accepted() -> bool:
        return (await oidc_shim.get(WHOAMI, headers=bearer(after))).status == 200

    await eventually(accepted, timeout=15, what="the new key's token accepted by the running shim")
    await refused(oidc_shim, before, "key id")  # the old key is gone from the issuer's key set


async def test_mcp_takes_a_token_from_the_provider(oidc_shim: Client, dex: Dex) -> None:
    token = await asyncio.to_thread(dex.token, "alice@example.com")
    url = str(oidc_shim.server.make_url("/mcp"))
    async with streamable_http_client(url, http_client=httpx.AsyncClient(headers=bearer(token))) as streams, \
            ClientSession(streams[0], streams[1]) as session:
        await session.initialize()
        assert "cluster_scanner" in {t.name for t in (await session.list_tools()).tools}


HUB_ISSUER = "https://kubernetes.default.svc.cluster.local"


async def test_the_hub_service_account_issuer_is_a_second_issuer(settings: Settings, dex: Dex, hub: Kubectl,
                                                                 namespace: str, topology: Topology,
                                                                 tmp_path: Path) -> None:
    cluster = yaml.safe_load(topology.hub.kubeconfig.read_text())["clusters"][0]["cluster"]
    server = cluster["server"]
    ca = tmp_path / "hub-ca.pem"
    ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
    # The hub's discovery document names its keys at its advertised address (not loopback here): the keys'
    # URL is set beside it, as for an issuer behind a proxy. Reading them unauthenticated needs the usual binding.
    binding = f"oidc-discovery-{namespace}"
    hub("create", "clusterrolebinding", binding, "--clusterrole=system:service-account-issuer-discovery",
        "--group=system:unauthenticated")
    try:
        hub("create", "serviceaccount", "robot", "-n", namespace)
        token = hub("create", "token", "robot", "-n", namespace, "--audience", "cloudops-test").strip()
        other = hub("create", "token", "robot", "-n", namespace).strip()  # the API server's own audience
        issuers = [*json.loads(dex.issuer_setting()),
                   {"name": "hub", "issuer": HUB_ISSUER, "client_id": "cloudops-test", "console": False,
                    "discovery_url": f"{server}/.well-known/openid-configuration",
                    "jwks_url": f"{server}/openid/v1/jwks", "ca_file": str(ca),
                    "username_claim": "sub", "username_prefix": "hub:"}]
        s = dataclasses.replace(settings, oidc_issuers=json.dumps(issuers))
        async with CheckedClient(TestServer(create_app(s))) as client:
            me = (await call(client, "GET", WHOAMI, headers=bearer(token)))["data"]
            assert me["user"] == f"hub:system:serviceaccount:{namespace}:robot", me
            assert me["method"] == "oidc" and me["issuer"] == HUB_ISSUER and me["can"] == {}
            await refused(client, other, "audience")
            # Dex beside it, in the same shim: each token goes to the issuer it names.
            alice = await asyncio.to_thread(dex.token, "alice@example.com")
            assert (await call(client, "GET", WHOAMI, headers=bearer(alice)))["data"]["issuer"] == dex.issuer
            providers = (await call(client, "GET", "/api/k8s/auth/providers"))["data"]["providers"]
            assert [p["name"] for p in providers] == ["dex"]  # the hub issuer signs no one in to the console
    finally:
        hub.run("delete", "clusterrolebinding", binding, check=False)


async def test_an_issuer_outage_refuses_no_token_it_signed(oidc_shim: Client, dex: Dex) -> None:
    """While the issuer cannot be reached, the discovery document and keys read before serve; a token naming a
    key they lack is refused at once, not after a hang."""
    token = await asyncio.to_thread(dex.token, "alice@example.com")
    await call(oidc_shim, "GET", WHOAMI, headers=bearer(token))
    provider = oidc_shim.app[AUTHN].providers["dex"]
    provider.keys_seconds = provider.discovery_seconds = 0.0  # every request reads them again...
    provider.retry_seconds = 0.0  # ...and asks again after a failure
    await asyncio.to_thread(dex.stop)
    for _ in range(3):
        await call(oidc_shim, "GET", WHOAMI, headers=bearer(token))
    claims = jwt.decode(token, options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    await refused(oidc_shim, jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "other"}), "key id")
    await asyncio.to_thread(dex.start)  # back, with new keys: its new tokens are accepted again
    fresh = await asyncio.to_thread(dex.token, "alice@example.com")
    await call(oidc_shim, "GET", WHOAMI, headers=bearer(fresh))
