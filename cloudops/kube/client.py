"""API clients for the hub (from KUBECONFIG or the pod's service account) and for members."""

from __future__ import annotations

import logging
from typing import Any

from kubernetes_asyncio import client, config
from kubernetes_asyncio.client import ApiClient

__all__ = ["client_from_kubeconfig", "hub_client"]

# The generated client logs whole response bodies (Secrets included) at DEBUG: never let it.
logging.getLogger("kubernetes_asyncio").setLevel(logging.WARNING)


async def hub_client(kubeconfig: str | None) -> ApiClient:
    cfg = client.Configuration()
    if kubeconfig:
        await config.load_kube_config(config_file=kubeconfig, client_configuration=cfg)
    else:
        config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
    return ApiClient(configuration=cfg)


async def client_from_kubeconfig(kubeconfig: dict[str, Any], context: str | None) -> ApiClient:
    """A client for a member cluster; the caller closes it."""
    return await config.new_client_from_config_dict(kubeconfig, context=context or None)
