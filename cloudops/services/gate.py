"""What a service asks of its caller for clusters named inside the data (a resource id in a body, a stored
backup's source): resolve and authorize them like the endpoint's own. The shim's request context
(api_shim.context.Call) is one; a service never learns how the caller decides."""

from __future__ import annotations

from typing import Protocol

from cloudops.errors import CloudOpsError
from cloudops.members.access import ClusterRef

__all__ = ["Gate", "allowed"]


class Gate(Protocol):
    async def resolve(self, ref: str | int | None, verb: str, capability: str, where: str) -> ClusterRef:
        """The cluster `ref` names (the only one when None), authorized for `verb` on `capability`; the error
        names `where` (the input field) when it is malformed or unknown."""
        ...

    async def authorize(self, verb: str, capability: str, name: str, resource: str = "managedclusters") -> None:
        """403/1003 unless the caller may `verb` the `capability` of cluster `name`."""
        ...


async def allowed(gate: Gate, verb: str, capability: str, name: str) -> bool:
    """Whether the caller may: a refusal is False, any other failure propagates."""
    try:
        await gate.authorize(verb, capability, name)
    except CloudOpsError as e:
        if e.status != 403:
            raise
        return False
    return True
