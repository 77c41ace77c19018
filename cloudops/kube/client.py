"""API clients for the hub (from KUBECONFIG or the pod's service account) and for members."""

from __future__ import annotations

import asyncio.sslproto
import logging
from typing import Any

from kubernetes_asyncio import client, config
from kubernetes_asyncio.client import ApiClient

from cloudops.kube.retry import retrying

# `ApiClient` is re-exported: outside cloudops.kube and cloudops.members it is only ever a type to hold.
__all__ = ["ApiClient", "client_from_kubeconfig", "hub_client", "shrink_tls_buffers"]

# The generated client logs whole response bodies (Secrets included) at DEBUG: never let it.
logging.getLogger("kubernetes_asyncio").setLevel(logging.WARNING)


def _no_env_lookups(api: ApiClient) -> ApiClient:
    """Retries what the server asks us to retry (cloudops.kube.retry), and: the generated client's aiohttp
    session trusts the environment: every request then reads ~/.netrc
    and the proxy variables in two thread hops, about 40 % of a member probe's CPU. Proxies for a
    cluster come from its kubeconfig's `proxy-url` (the client honours that on its own), so we drop it."""
    session = getattr(getattr(api, "rest_client", None), "pool_manager", None)
    if session is not None and hasattr(session, "_trust_env"):
        session._trust_env = False
    return retrying(api)


# What asyncio reads a TLS connection into: one buffer of this size per open TLS connection, allocated when the
# connection is made (asyncio.sslproto.SSLProtocol.max_size, 256 KiB; cf. python/cpython#109534). An operator
# keeping two or three connections to each of 1,000 members held 300 MB in these buffers alone. 16 KiB is a TLS
# record's plaintext, what one SSL read returns at most anyway; ciphertext is read from the socket in steps of
# that size too, which for a list of a few MB is a few hundred reads instead of a few dozen.
TLS_READ_BUFFER = 16 * 1024


def shrink_tls_buffers(size: int = TLS_READ_BUFFER) -> None:
    """Called once at process start, before any connection is made."""
    asyncio.sslproto.SSLProtocol.max_size = size


# Connections one client keeps at most. Each TLS connection costs ~200 KB (Python's SSL buffer plus
# OpenSSL's own); the library's default of 100 per client let 1,000 concurrent probes hold hundreds.
# Requests beyond it wait for a free connection, which keep-alive makes short.
DEFAULT_CONNECTIONS = 16


async def hub_client(kubeconfig: str | None, connections: int = DEFAULT_CONNECTIONS) -> ApiClient:
    cfg = client.Configuration()
    if kubeconfig:
        await config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    else:
        config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
    cfg.connection_pool_maxsize = connections
    return _no_env_lookups(ApiClient(configuration=cfg))


async def client_from_kubeconfig(kubeconfig: dict[str, Any], context: str | None,
                                 connections: int = DEFAULT_CONNECTIONS) -> ApiClient:
    """A client for a member cluster; the caller closes it."""
    cfg = client.Configuration()
    await config.load_kube_config_from_dict(kubeconfig, context=context or None, client_configuration=cfg)
    cfg.connection_pool_maxsize = connections
    return _no_env_lookups(ApiClient(configuration=cfg))


async def server_version(api: ApiClient) -> str:
    """The API server's git version (`v1.31.0`): the cheapest call that proves it answers."""
    from kubernetes_asyncio.client import VersionApi

    info = await VersionApi(api).get_code()
    return str(info.git_version)
