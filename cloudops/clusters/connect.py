"""Clients to members from their ManagedCluster spec, pooled, with failures a human can act on."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Mapping

from pydantic import ValidationError

from cloudops.clusters.errors import ConnectError, explain
from cloudops.clusters.kubeconfig import KubeconfigError, parse_kubeconfig, server_of
from cloudops.kube.client import DEFAULT_CONNECTIONS, ApiClient, client_from_kubeconfig
from cloudops.kube.cluster_secrets import read_secret
from cloudops.resources.managed_cluster import ManagedClusterSpec

__all__ = ["ConnectError", "MemberClients", "explain"]  # the errors live in cloudops.clusters.errors

Key = tuple[str, str, str, str, str]  # namespace, secret, key, context, secret resourceVersion


def _spec(spec: ManagedClusterSpec | Mapping[str, object]) -> ManagedClusterSpec:
    if isinstance(spec, ManagedClusterSpec):
        return spec
    try:
        return ManagedClusterSpec.model_validate(spec)
    except ValidationError:
        raise ConnectError("SecretNotFound", "the cluster names no kubeconfig Secret", "error") from None


class MemberClients:
    """One client (connection pool, TLS sessions) per member kubeconfig version.

    A changed Secret has a new resourceVersion, so it gets a new client and the old one is closed.
    Only connections are kept here; losing them on restart loses nothing.
    """

    def __init__(self, max_clients: int = 2000, versions: Callable[[str], str | None] | None = None,
                 connections: int = DEFAULT_CONNECTIONS) -> None:
        """`versions(secret name)` gives a kubeconfig Secret's resourceVersion from a watch, when there is
        one: a pooled client of that version is then reused without reading the Secret again. `connections`:
        what each client keeps open at most (each a TLS session: memory, and a handshake to make)."""
        self.max_clients, self.connections = max_clients, connections
        self.versions = versions
        self._clients: OrderedDict[Key, tuple[ApiClient, str]] = OrderedDict()
        self._lock = asyncio.Lock()
        self.secret_reads = 0

    async def get(self, hub: ApiClient, namespace: str,
                  spec: ManagedClusterSpec | Mapping[str, object]) -> tuple[ApiClient, str]:
        """The client and server for a cluster's spec (its model, or the spec as stored)."""
        typed = _spec(spec)
        name, key = typed.kubeconfig_secret_ref.name, typed.kubeconfig_secret_ref.key or "kubeconfig"
        context = typed.context or ""
        known = self.versions(name) if self.versions is not None else None
        if known:
            hit = self._clients.get((namespace, name, key, context, known))
            if hit is not None:
                self._clients.move_to_end((namespace, name, key, context, known))
                return hit
        self.secret_reads += 1
        secret = await read_secret(hub, namespace, name)
        if secret is None:
            raise ConnectError("SecretNotFound", f"kubeconfig Secret {name!r} (key {key!r}) not found in "
                               f"{namespace}", "error")
        if key not in secret.data:
            raise ConnectError("SecretNotFound", f"kubeconfig Secret {name!r} has no key {key!r}", "error")
        cache_key: Key = (namespace, name, key, context, secret.resource_version)
        async with self._lock:
            hit = self._clients.get(cache_key)
            if hit is not None:
                self._clients.move_to_end(cache_key)
                return hit
            entry = await self._connect(secret.data[key], context or None, self.connections)
            for old in [k for k in self._clients if k[:4] == cache_key[:4]]:
                await self._clients.pop(old)[0].close()
            self._clients[cache_key] = entry
            while len(self._clients) > self.max_clients:
                await self._clients.popitem(last=False)[1][0].close()
            return entry

    @staticmethod
    async def _connect(kubeconfig: bytes, context: str | None, connections: int) -> tuple[ApiClient, str]:
        try:
            cfg = parse_kubeconfig(kubeconfig.decode("utf-8"), context)
        except (KubeconfigError, UnicodeDecodeError, ValueError) as e:
            message = str(e) if isinstance(e, KubeconfigError) else "kubeconfig: not valid UTF-8"
            raise ConnectError("KubeconfigInvalid", message, "error") from None
        try:
            api = await client_from_kubeconfig(cfg, context, connections)
        except Exception as e:
            raise ConnectError("KubeconfigInvalid", f"kubeconfig cannot be loaded: {e.__class__.__name__}",
                               "error") from None
        return api, server_of(cfg, context)

    async def close(self) -> None:
        async with self._lock:
            for api, _ in self._clients.values():
                await api.close()
            self._clients.clear()
