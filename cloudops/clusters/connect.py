"""Clients to members from their ManagedCluster spec, pooled, with failures a human can act on."""

from __future__ import annotations

import asyncio
import base64
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import aiohttp
from kubernetes_asyncio.client import ApiClient, CoreV1Api
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.clusters.kubeconfig import KubeconfigError, parse_kubeconfig, server_of
from cloudops.errors import UpstreamFailed
from cloudops.kube.client import client_from_kubeconfig
from cloudops.kube.errors import translate

__all__ = ["ConnectError", "MemberClients", "explain"]


class ConnectError(UpstreamFailed):
    """`reason` is a CamelCase condition reason; `phase` is error (fix config) or disconnected (retry).

    Raised to a caller (a kubeconfig given to `add` that does not answer), it is 502/1001 as for a stored one.
    """

    def __init__(self, reason: str, message: str, phase: str) -> None:
        self.reason, self.phase = reason, phase
        super().__init__(message)
        self.args = (message,)  # str() stays the message, as the operator's conditions show it

    @property
    def detail(self) -> str:
        return f"{self.reason}: {self.message}"


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


Key = tuple[str, str, str, str, str]  # namespace, secret, key, context, secret resourceVersion


class MemberClients:
    """One client (connection pool, TLS sessions) per member kubeconfig version.

    A changed Secret has a new resourceVersion, so it gets a new client and the old one is closed.
    Only connections are kept here; losing them on restart loses nothing.
    """

    def __init__(self, max_clients: int = 2000, versions: Callable[[str], str | None] | None = None) -> None:
        """`versions(secret name)` gives a kubeconfig Secret's resourceVersion from a watch, when there is
        one: a pooled client of that version is then reused without reading the Secret again."""
        self.max_clients = max_clients
        self.versions = versions
        self._clients: OrderedDict[Key, tuple[ApiClient, str]] = OrderedDict()
        self._lock = asyncio.Lock()
        self.secret_reads = 0

    async def get(self, hub: ApiClient, namespace: str, spec: dict[str, Any]) -> tuple[ApiClient, str]:
        ref = spec.get("kubeconfigSecretRef") or {}
        name, key, context = ref.get("name", ""), ref.get("key") or "kubeconfig", spec.get("context") or ""
        known = self.versions(name) if self.versions is not None else None
        if known:
            hit = self._clients.get((namespace, name, key, context, known))
            if hit is not None:
                self._clients.move_to_end((namespace, name, key, context, known))
                return hit
        self.secret_reads += 1
        try:
            secret = await CoreV1Api(hub).read_namespaced_secret(name, namespace)
        except ApiException as e:
            if e.status == 404:
                raise ConnectError("SecretNotFound", f"kubeconfig Secret {name!r} (key {key!r}) not found in "
                                   f"{namespace}", "error") from None
            raise translate(e) from None
        data = secret.data or {}
        if key not in data:
            raise ConnectError("SecretNotFound", f"kubeconfig Secret {name!r} has no key {key!r}", "error")
        cache_key: Key = (namespace, name, key, context, secret.metadata.resource_version or "")
        async with self._lock:
            hit = self._clients.get(cache_key)
            if hit is not None:
                self._clients.move_to_end(cache_key)
                return hit
            try:
                cfg = parse_kubeconfig(base64.b64decode(data[key]).decode("utf-8"), context or None)
            except (KubeconfigError, UnicodeDecodeError, ValueError) as e:
                message = str(e) if isinstance(e, KubeconfigError) else "kubeconfig: not valid UTF-8"
                raise ConnectError("KubeconfigInvalid", message, "error") from None
            try:
                api = await client_from_kubeconfig(cfg, context or None)
            except Exception as e:
                raise ConnectError("KubeconfigInvalid", f"kubeconfig cannot be loaded: {e.__class__.__name__}",
                                   "error") from None
            entry = (api, server_of(cfg, context or None))
            for old in [k for k in self._clients if k[:4] == cache_key[:4]]:
                await self._clients.pop(old)[0].close()
            self._clients[cache_key] = entry
            while len(self._clients) > self.max_clients:
                await self._clients.popitem(last=False)[1][0].close()
            return entry

    async def close(self) -> None:
        async with self._lock:
            for api, _ in self._clients.values():
                await api.close()
            self._clients.clear()
