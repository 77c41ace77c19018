"""The first API key in a cluster, without `kubectl exec`: the platform team puts a key of their choosing in a
Secret (`cloudops-bootstrap-apikey`: `api-key`, optional `user` and `groups`); the shim stores its hash as an
ordinary API key, then deletes the Secret, so the key itself does not stay in the cluster.

Every replica looks every CLOUDOPS_BOOTSTRAP_POLL_SECONDS (one GET). Two replicas adopting the same Secret at
once are safe: the second finds the key stored already, and the Secret is deleted by uid. A Secret that is not
valid is left in place and logged, naming the field and why (never the value).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from api_shim.security.apikeys import is_stored, key_id, store_api_key
from cloudops.kube.client import ApiClient
from cloudops.kube.errors import Conflict, KubeError
from cloudops.kube.secrets import Secrets

__all__ = ["Adopted", "BootstrapError", "adopt", "parse", "watch"]

log = logging.getLogger("cloudops.bootstrap")
DEFAULT_USER = "admin"
DEFAULT_GROUPS = ("cloudops:admins",)


class BootstrapError(ValueError):
    """The bootstrap Secret is not usable: which field and why."""


@dataclass(frozen=True)
class Adopted:
    key_id: str
    user: str
    groups: tuple[str, ...]


def parse(data: Mapping[str, str]) -> tuple[str, str, tuple[str, ...]]:
    """The key, user and groups a bootstrap Secret's data holds."""
    key = data.get("api-key", "").strip()
    if not key:
        raise BootstrapError("api-key: missing (the key to adopt, e.g. cok_$(openssl rand -hex 8)_$(openssl rand "
                             "-hex 32))")
    if key_id(key) is None:
        raise BootstrapError("api-key: not an API key: the form is cok_<16 hex digits>_<20 or more of A-Z a-z 0-9 "
                             "_ ->")
    user = data.get("user", "").strip() or DEFAULT_USER
    if user.startswith("system:"):
        raise BootstrapError("user: system: names are Kubernetes' own")
    groups = tuple(g.strip() for g in data.get("groups", "").split(",") if g.strip()) or DEFAULT_GROUPS
    reserved = [g for g in groups if g.startswith("system:")]
    if reserved:
        raise BootstrapError(f"groups: system: groups are Kubernetes' own: {', '.join(reserved)}")
    return key, user, groups


async def adopt(hub: ApiClient, namespace: str, name: str) -> Adopted | None:
    """Adopts the bootstrap Secret if there is one; None when there is none. BootstrapError when it is not
    usable (left in place)."""
    secrets = Secrets(hub, namespace)
    found = await secrets.read(name)
    if found is None:
        return None
    key, user, groups = parse(found.data)
    try:
        kid = await store_api_key(hub, namespace, key, user, list(groups))
    except Conflict:
        if not await is_stored(hub, namespace, key):
            raise BootstrapError("api-key: its id is taken by another key: generate a new key") from None
        kid = str(key_id(key))  # another replica adopted it first
    with contextlib.suppress(Conflict):  # replaced since the read: the new one is adopted next time
        await secrets.delete(name, uid=found.uid)
    return Adopted(kid, user, groups)


async def watch(hub: ApiClient, namespace: str, name: str, every: float, stop: asyncio.Event) -> None:
    """Adopts the bootstrap Secret whenever one appears, until `stop`."""
    reported = ""
    while not stop.is_set():
        try:
            adopted = await adopt(hub, namespace, name)
            if adopted is not None:
                log.warning("adopted the API key %s for user %s (groups %s) from Secret %s/%s, and deleted the Secret",
                            adopted.key_id, adopted.user, ",".join(adopted.groups), namespace, name)
            reported = ""
        except BootstrapError as e:
            if str(e) != reported:  # once per problem, not every poll
                log.error("Secret %s/%s was not adopted as an API key: %s", namespace, name, e)
                reported = str(e)
        except KubeError as e:
            log.warning("could not look for Secret %s/%s: %s", namespace, name, e.message)
        except Exception as e:  # the hub unreachable, a reset, a timeout: looked for again next time
            log.warning("could not look for Secret %s/%s: %s", namespace, name, type(e).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)
