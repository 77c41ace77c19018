"""CustomResourceDefinitions of a member and their custom resources (CRD 资源 API 1.1–2.4).

The member's own CRD is the schema: custom resources are written through its live API, so its
structural schema, CEL rules and defaults decide what is valid, exactly as kubectl would see them.
"""

from __future__ import annotations

from typing import TypedDict

from cloudops.kube.shapes import Condition
from cloudops.kube.types import JsonObject, KubeObject
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.objects import as_object
from cloudops.members.session import MemberSession

__all__ = ["CRD_TYPE", "CrdSpec", "CrdStatus", "CrdVersionSpec", "crd_spec", "crd_status", "get_crd", "list_crds",
           "resource_type_of", "schema_of", "storage_version"]

CRD_TYPE = ResourceType(group="apiextensions.k8s.io", version="v1", plural="customresourcedefinitions",
                        singular="customresourcedefinition", kind="CustomResourceDefinition", namespaced=False)


class CrdNames(TypedDict, total=False):
    plural: str
    singular: str
    kind: str
    shortNames: list[str]
    categories: list[str]


class PrinterColumnSpec(TypedDict, total=False):
    name: str
    type: str
    jsonPath: str
    description: str
    priority: int


class CrdValidation(TypedDict, total=False):
    openAPIV3Schema: dict[str, object]


class CrdVersionSpec(TypedDict, total=False):
    name: str
    served: bool
    storage: bool
    deprecated: bool
    deprecationWarning: str
    schema: CrdValidation
    subresources: JsonObject
    additionalPrinterColumns: list[PrinterColumnSpec]


class CrdConversion(TypedDict, total=False):
    strategy: str


class CrdSpec(TypedDict, total=False):
    group: str
    names: CrdNames
    scope: str
    versions: list[CrdVersionSpec]
    conversion: CrdConversion


class CrdStatus(TypedDict, total=False):
    conditions: list[Condition]
    storedVersions: list[str]


def crd_spec(crd: KubeObject) -> CrdSpec:
    empty: CrdSpec = {}
    return crd.get("spec") or empty


def crd_status(crd: KubeObject) -> CrdStatus:
    empty: CrdStatus = {}
    return crd.get("status") or empty


def storage_version(crd: KubeObject) -> CrdVersionSpec:
    versions = crd_spec(crd).get("versions") or []
    first: CrdVersionSpec = versions[0] if versions else {}
    return next((v for v in versions if v.get("storage")), first)


def _served(crd: KubeObject) -> CrdVersionSpec:
    """The version reads and writes go through: the storage version when served, else the first served."""
    versions = crd_spec(crd).get("versions") or []
    stored = storage_version(crd)
    if stored.get("served"):
        return stored
    return next((v for v in versions if v.get("served")), stored)


def schema_of(crd: KubeObject, version: str | None = None) -> dict[str, object] | None:
    versions = crd_spec(crd).get("versions") or []
    chosen = storage_version(crd) if version is None else next((v for v in versions if v.get("name") == version),
                                                               None)
    if chosen is None:
        return None
    return (chosen.get("schema") or {}).get("openAPIV3Schema") or {}


def resource_type_of(crd: KubeObject) -> ResourceType:
    spec = crd_spec(crd)
    names = spec.get("names") or {}
    served = _served(crd)
    return ResourceType(group=spec.get("group", ""), version=served.get("name", ""), plural=names.get("plural", ""),
                        singular=names.get("singular") or names.get("kind", "").lower(), kind=names.get("kind", ""),
                        namespaced=spec.get("scope") == "Namespaced", short_names=tuple(names.get("shortNames") or ()),
                        subresources=tuple((served.get("subresources") or {}).keys()))


async def get_crd(session: MemberSession, name: str) -> KubeObject:
    try:
        return as_object(await session.get(CRD_TYPE, None, name))
    except MemberError as e:
        if e.status == 404:
            raise MemberError(404, 1002, session.cluster, f"no CustomResourceDefinition named {name!r}") from None
        raise


async def list_crds(session: MemberSession, group: str | None, version: str | None,
                    scope: str | None) -> list[KubeObject]:
    crds, _ = await session.list_all(CRD_TYPE)
    out = []
    for crd in map(as_object, crds):
        spec = crd_spec(crd)
        if group and spec.get("group") != group:
            continue
        if scope and spec.get("scope") != scope:
            continue
        if version and not any(v.get("name") == version for v in spec.get("versions") or []):
            continue
        out.append(crd)
    out.sort(key=lambda c: c["metadata"]["name"])
    return out
