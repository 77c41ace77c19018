"""What a member serves: resource types by plural, singular, kind or short name, from its discovery.

Aggregated discovery (apidiscovery.k8s.io/v2, two requests) is tried first, legacy discovery after.
Groups come in the server's priority order and versions preferred first, so `events` resolves to the
core group and `deployment` to apps/v1, as kubectl resolves them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypedDict

__all__ = ["AGGREGATED", "Discovery", "ResourceType", "parse_aggregated", "parse_legacy"]

AGGREGATED = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def type_name(self) -> str:
        """The id scheme's type: the singular lower-case kind."""
        return self.singular or self.kind.lower()

    def collection_path(self, namespace: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"

    def object_path(self, namespace: str | None, name: str, subresource: str = "") -> str:
        path = f"{self.collection_path(namespace if self.namespaced else None)}/{name}"
        return f"{path}/{subresource}" if subresource else path

    def names(self) -> set[str]:
        return {self.plural, self.singular, self.kind.lower(), *self.short_names} - {""}


@dataclass
class Discovery:
    """The resource types of one member, in resolution order."""

    types: list[ResourceType] = field(default_factory=list)

    def resolve(self, name: str) -> ResourceType | None:
        """By plural, singular, kind or short name (case-insensitive), or `plural.group` as kubectl accepts."""
        key = name.strip().lower()
        if not key:
            return None
        plain, _, group = key.partition(".")
        for rt in self.types:
            if key in rt.names():
                return rt
        if group:
            for rt in self.types:
                if rt.group == group and plain in rt.names():
                    return rt
        return None

    def by_group_kind(self, group: str, kind: str) -> ResourceType | None:
        return next((rt for rt in self.types if rt.group == group and rt.kind == kind), None)


class _Subresource(TypedDict, total=False):
    subresource: str


class _Kind(TypedDict, total=False):
    kind: str


class ApiResource(TypedDict, total=False):
    """One resource of a discovery document: an APIResource (legacy) or an APIResourceDiscovery (aggregated)."""

    name: str
    resource: str
    kind: str
    responseKind: _Kind
    singularName: str
    singularResource: str
    namespaced: bool
    scope: str
    verbs: list[str]
    shortNames: list[str]
    subresources: list[_Subresource]


def _list(doc: Mapping[str, object], key: str) -> list[ApiResource]:
    """`doc[key]` when it is a list (of objects, as discovery sends them), else empty."""
    value = doc.get(key)
    return value if isinstance(value, list) else []


def _resource(group: str, version: str, r: ApiResource, kind_key: str) -> ResourceType | None:
    plural = r.get("resource") or r.get("name") or ""
    if not plural or "/" in plural:
        return None
    kind = (r.get("responseKind") or {}).get("kind") if kind_key == "responseKind" else r.get("kind")
    subs = tuple(s.get("subresource", "") for s in r.get("subresources") or [])
    scope = r.get("scope")
    namespaced = scope == "Namespaced" if scope is not None else bool(r.get("namespaced"))
    return ResourceType(group=group, version=version, plural=plural,
                        singular=(r.get("singularResource") or r.get("singularName") or str(kind or "").lower()),
                        kind=str(kind or ""), namespaced=namespaced, verbs=tuple(r.get("verbs") or ()),
                        short_names=tuple(r.get("shortNames") or ()), subresources=subs)


def parse_aggregated(*documents: Mapping[str, object]) -> Discovery:
    """APIGroupDiscoveryList documents (from /api and /apis); the first version of a group is preferred."""
    out: list[ResourceType] = []
    seen: set[tuple[str, str]] = set()
    for doc in documents:
        items = doc.get("items")
        for item in items if isinstance(items, list) else []:
            group = (item.get("metadata") or {}).get("name", "")
            for v in (item.get("versions") or [])[:1]:
                for r in v.get("resources") or []:
                    rt = _resource(group, v.get("version", ""), r, "responseKind")
                    if rt is not None and (group, rt.plural) not in seen:
                        seen.add((group, rt.plural))
                        out.append(rt)
    return Discovery(out)


def _legacy_group(group: str, version: str, doc: Mapping[str, object]) -> list[ResourceType]:
    """Legacy lists carry subresources as `plural/sub` entries of their own: fold them into the parent."""
    entries = _list(doc, "resources")
    subs: dict[str, list[str]] = {}
    for r in entries:
        parent, _, sub = str(r.get("name", "")).partition("/")
        if sub:
            subs.setdefault(parent, []).append(sub)
    out = []
    for r in entries:
        rt = _resource(group, version, r, "kind")
        if rt is not None:
            out.append(replace(rt, subresources=tuple(subs.get(rt.plural, ()))))
    return out


def parse_legacy(core: Mapping[str, object], groups: Sequence[tuple[str, str, Mapping[str, object]]]) -> Discovery:
    """/api/v1's APIResourceList plus (group, preferred version, APIResourceList) for each group."""
    out = _legacy_group("", "v1", core)
    for group, version, doc in groups:
        out.extend(_legacy_group(group, version, doc))
    return Discovery(out)
