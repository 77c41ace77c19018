"""The kubeconfig Secrets of member clusters in the hub: read as stored, created owned by their cluster, and
deleted only when so owned.

A read keeps the values as bytes and the resourceVersion, which the member client pool keys its clients on
(cloudops.clusters.connect): a changed Secret gets a new client. Values are credentials: never logged.
A Secret the product did not create (kubectl, Argo CD, External Secrets) is the user's: it is never deleted.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from kubernetes_asyncio.client import ApiClient, CoreV1Api, V1DeleteOptions, V1OwnerReference, V1Preconditions
from kubernetes_asyncio.client.exceptions import ApiException

from cloudops.kube.errors import NotFound, translate
from cloudops.kube.secrets import Secrets
from cloudops.kube.types import OwnerReference

__all__ = ["RawSecret", "create_owned", "delete_owned", "read_secret"]


@dataclass(frozen=True)
class RawSecret:
    name: str
    resource_version: str
    labels: dict[str, str] = field(default_factory=dict)
    data: dict[str, bytes] = field(repr=False, default_factory=dict)
    uid: str = ""
    owner_uids: tuple[str, ...] = ()  # the uids its ownerReferences name


async def read_secret(api: ApiClient, namespace: str, name: str) -> RawSecret | None:
    """The Secret with its values base64-decoded to bytes; None when it does not exist (other failures:
    cloudops.kube.errors.KubeError)."""
    try:
        secret = await CoreV1Api(api).read_namespaced_secret(name, namespace)
    except ApiException as e:
        err = translate(e)
        if isinstance(err, NotFound):
            return None
        raise err from None
    meta = secret.metadata
    return RawSecret(meta.name or name, meta.resource_version or "", dict(meta.labels or {}),
                     {k: base64.b64decode(v) for k, v in (secret.data or {}).items()}, meta.uid or "",
                     tuple(ref.uid for ref in meta.owner_references or [] if ref.uid))


async def create_owned(api: ApiClient, namespace: str, name: str, data: dict[str, str], labels: dict[str, str],
                       owner: OwnerReference) -> None:
    """Creates an Opaque Secret owned by `owner` (garbage-collected with it); Conflict when the name is taken."""
    ref = V1OwnerReference(api_version=owner.get("apiVersion"), kind=owner.get("kind"), name=owner.get("name"),
                           uid=owner.get("uid"), controller=owner.get("controller"),
                           block_owner_deletion=owner.get("blockOwnerDeletion"))
    await Secrets(api, namespace).create(name, data, labels=labels, owner=ref)


async def delete_owned(api: ApiClient, namespace: str, name: str, owner_uid: str) -> bool | None:
    """Deletes the Secret only when an ownerReference names `owner_uid` (the product creates a cluster's Secret
    owned by it: cloudops.clusters.registry); a Secret without one stays. True: deleted; False: kept; None: there
    is none. The delete is preconditioned on the Secret read, so one replaced in between is never deleted."""
    secret = await read_secret(api, namespace, name)
    if secret is None:
        return None
    if not owner_uid or owner_uid not in secret.owner_uids:
        return False
    options = V1DeleteOptions(preconditions=V1Preconditions(uid=secret.uid, resource_version=secret.resource_version))
    try:
        await CoreV1Api(api).delete_namespaced_secret(name, namespace, body=options)
    except ApiException as e:
        err = translate(e)
        if isinstance(err, NotFound):
            return None
        raise err from None
    return True
