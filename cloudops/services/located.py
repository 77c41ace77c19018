"""One object of a member named by an object id (`<cluster>:<type>:<namespace>:<name>`, or a bare name the
request context completed): its resource type, checked against the type the endpoint acts on, and where it is.

Sections answer an id of another type differently, and the answers are kept (clients and tests rely on them):
`TypeCheck` says how. Labels accept any alias of the path's type (`deploy` for `deployments`) and answer a
mismatch 422; quotas take the id's type as written and answer 400 before asking the member anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from cloudops.errors import BadRequest, CloudOpsError, Unprocessable
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId
from cloudops.members.session import MemberSession

__all__ = ["BY_ALIAS", "EXACT", "Located", "TypeCheck", "locate"]


@dataclass(frozen=True)
class TypeCheck:
    """How an id of another type than the endpoint's is answered."""

    error: type[CloudOpsError]
    field: str
    aliases: bool  # compare the resolved types (any name of the type matches) or the id's type as written


BY_ALIAS = TypeCheck(Unprocessable, "resource_id", aliases=True)
EXACT = TypeCheck(BadRequest, "id", aliases=False)


@dataclass(frozen=True)
class Located:
    session: MemberSession
    rt: ResourceType
    namespace: str | None  # None for a cluster-scoped object
    name: str

    def object_id(self, cluster: ClusterRef) -> str:
        return str(ObjectId(cluster.ref, self.rt.type_name, self.namespace or "", self.name))


async def locate(session: MemberSession, oid: ObjectId, expected: str, check: TypeCheck) -> Located:
    """The object `oid` names, which must be of type `expected`; a namespaced one without a namespace is in
    `default`, a cluster-scoped one named with a namespace is refused (field `namespace`)."""
    if check.aliases:
        rt = await session.resolve(expected)
        if oid.type != rt.type_name and (await session.resolve(oid.type)).type_name != rt.type_name:
            raise check.error(f"names a {oid.type}, not a {rt.type_name}", field=check.field)
    else:
        if oid.type != expected:
            raise check.error(f"names a {oid.type}, not a {expected}", field=check.field)
        rt = await session.resolve(expected)
    if not rt.namespaced and oid.namespace:
        raise check.error(f"{rt.kind} is cluster-scoped", field="namespace")
    return Located(session, rt, (oid.namespace or "default") if rt.namespaced else None, oid.name)
