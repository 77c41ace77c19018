"""CustomResourceDefinitions of a member and their custom resources (CRD 资源 API 1.1–2.4).

The member's own CRD is the schema: custom resources are written through its live API, so its
structural schema, CEL rules and defaults decide what is valid, exactly as kubectl would see them.
"""

from __future__ import annotations

from typing import Any

from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession

__all__ = ["CRD_TYPE", "crd_detail", "crd_summary", "get_crd", "list_crds", "resource_type_of", "schema_of",
           "storage_version"]

Json = dict[str, Any]
CRD_TYPE = ResourceType(group="apiextensions.k8s.io", version="v1", plural="customresourcedefinitions",
                        singular="customresourcedefinition", kind="CustomResourceDefinition", namespaced=False)


def _condition(crd: Json, ctype: str) -> Json | None:
    return next((c for c in (crd.get("status") or {}).get("conditions") or [] if c.get("type") == ctype), None)


def _state(crd: Json) -> str:
    if (crd.get("metadata") or {}).get("deletionTimestamp"):
        return "terminating"
    established = _condition(crd, "Established")
    return "established" if established and established.get("status") == "True" else "not_established"


def storage_version(crd: Json) -> Json:
    versions = (crd.get("spec") or {}).get("versions") or []
    return next((v for v in versions if v.get("storage")), versions[0] if versions else {})


def _served(crd: Json) -> Json:
    """The version reads and writes go through: the storage version when served, else the first served."""
    versions = (crd.get("spec") or {}).get("versions") or []
    stored = storage_version(crd)
    if stored.get("served"):
        return stored
    return next((v for v in versions if v.get("served")), stored)


def schema_of(crd: Json, version: str | None = None) -> Json | None:
    versions = (crd.get("spec") or {}).get("versions") or []
    chosen = storage_version(crd) if version is None else next((v for v in versions if v.get("name") == version),
                                                               None)
    if chosen is None:
        return None
    return ((chosen.get("schema") or {}).get("openAPIV3Schema")) or {}


def crd_summary(crd: Json) -> Json:
    spec, meta = crd.get("spec") or {}, crd.get("metadata") or {}
    names = spec.get("names") or {}
    return {"name": meta.get("name", ""), "group": spec.get("group", ""),
            "version": storage_version(crd).get("name", ""), "kind": names.get("kind", ""),
            "plural": names.get("plural", ""), "singular": names.get("singular") or names.get("kind", "").lower(),
            "scope": spec.get("scope", ""), "short_names": names.get("shortNames") or [],
            "served_versions": [v.get("name") for v in spec.get("versions") or [] if v.get("served")],
            "schema": schema_of(crd) or {}, "status": _state(crd), "created_at": meta.get("creationTimestamp")}


def crd_detail(crd: Json) -> Json:
    spec = crd.get("spec") or {}
    status = crd.get("status") or {}
    return {
        **crd_summary(crd),
        "categories": (spec.get("names") or {}).get("categories") or [],
        "conversion": (spec.get("conversion") or {}).get("strategy", "None"),
        "stored_versions": status.get("storedVersions") or [],
        "versions": [{"name": v.get("name"), "served": bool(v.get("served")), "storage": bool(v.get("storage")),
                      "deprecated": bool(v.get("deprecated")), "deprecation_warning": v.get("deprecationWarning"),
                      "subresources": sorted((v.get("subresources") or {}).keys()),
                      "printer_columns": [{"name": c.get("name"), "type": c.get("type"),
                                           "json_path": c.get("jsonPath"), "description": c.get("description"),
                                           "priority": c.get("priority", 0)}
                                          for c in v.get("additionalPrinterColumns") or []],
                      "schema": ((v.get("schema") or {}).get("openAPIV3Schema")) or {}}
                     for v in spec.get("versions") or []],
        "conditions": [{"type": c.get("type"), "status": c.get("status"), "reason": c.get("reason"),
                        "message": c.get("message"), "last_transition_time": c.get("lastTransitionTime")}
                       for c in status.get("conditions") or []],
    }


def resource_type_of(crd: Json) -> ResourceType:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    version = _served(crd).get("name", "")
    return ResourceType(group=spec.get("group", ""), version=version, plural=names.get("plural", ""),
                        singular=names.get("singular") or names.get("kind", "").lower(), kind=names.get("kind", ""),
                        namespaced=spec.get("scope") == "Namespaced", short_names=tuple(names.get("shortNames") or ()),
                        subresources=tuple((_served(crd).get("subresources") or {}).keys()))


async def get_crd(session: MemberSession, name: str) -> Json:
    try:
        return await session.get(CRD_TYPE, None, name)
    except MemberError as e:
        if e.status == 404:
            raise MemberError(404, 1002, session.cluster, f"no CustomResourceDefinition named {name!r}") from None
        raise


async def list_crds(session: MemberSession, group: str | None, version: str | None, scope: str | None) -> list[Json]:
    crds, _ = await session.list_all(CRD_TYPE)
    out = []
    for crd in crds:
        spec = crd.get("spec") or {}
        if group and spec.get("group") != group:
            continue
        if scope and spec.get("scope") != scope:
            continue
        if version and not any(v.get("name") == version for v in spec.get("versions") or []):
            continue
        out.append(crd)
    out.sort(key=lambda c: c["metadata"]["name"])
    return out
