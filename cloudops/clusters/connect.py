"""Opening a client to a member from its ManagedCluster spec, with failures a human can act on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.clusters.kubeconfig import KubeconfigError, parse_kubeconfig, server_of
from cloudops.kube.client import client_from_kubeconfig
from cloudops.kube.errors import NotFound
from cloudops.kube.secrets import Secrets

__all__ = ["ConnectError", "explain", "member_client"]


class ConnectError(Exception):
    """`reason` is a CamelCase condition reason; `phase` is error (fix config) or disconnected (retry)."""

    def __init__(self, reason: str, message: str, phase: str) -> None:
        super().__init__(message)
        self.reason, self.message, self.phase = reason, message, phase


async def load_kubeconfig(hub: ApiClient, namespace: str, spec: dict[str, Any]) -> tuple[dict[str, Any], str]:
    ref = spec.get("kubeconfigSecretRef") or {}
    name, key = ref.get("name", ""), ref.get("key") or "kubeconfig"
    try:
        text = await Secrets(hub, namespace).read_key(name, key)
    except NotFound:
        raise ConnectError("SecretNotFound", f"kubeconfig Secret {name!r} (key {key!r}) not found in {namespace}",
                           "error") from None
    try:
        cfg = parse_kubeconfig(text, spec.get("context") or None)
    except KubeconfigError as e:
        raise ConnectError("KubeconfigInvalid", str(e), "error") from None
    return cfg, server_of(cfg, spec.get("context") or None)


def explain(exc: BaseException, server: str) -> ConnectError:
    """Turns a failure talking to a member into a reason; never includes credentials."""
    if isinstance(exc, ConnectError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return ConnectError("Timeout", f"{server} did not answer in time", "disconnected")
    if isinstance(exc, ApiException):
        if exc.status in (401, 403):
            return ConnectError("Unauthorized", f"{server} rejected the kubeconfig's credentials (HTTP {exc.status})",
                                "error")
        return ConnectError("APIError", f"{server} answered HTTP {exc.status} {exc.reason}", "disconnected")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return ConnectError("TLSError", f"TLS handshake with {server} failed: check certificate-authority-data",
                            "error")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return ConnectError("Unreachable", f"cannot reach {server}: {exc.__class__.__name__}", "disconnected")
    return ConnectError("ProbeFailed", f"probing {server} failed: {exc.__class__.__name__}", "error")


@asynccontextmanager
async def member_client(hub: ApiClient, namespace: str, spec: dict[str, Any]) -> AsyncIterator[tuple[ApiClient, str]]:
    cfg, server = await load_kubeconfig(hub, namespace, spec)
    try:
        api = await client_from_kubeconfig(cfg, spec.get("context") or None)
    except Exception as e:
        raise ConnectError("KubeconfigInvalid", f"kubeconfig cannot be loaded: {e.__class__.__name__}", "error") \
            from None
    try:
        yield api, server
    finally:
        await api.close()
