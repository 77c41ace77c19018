"""`{name}` in the network routes (endpoints, ingress, networkpolicies): a name or an object id.

Route modules never import each other, so the one reading of it they share lives here; the rules are
cloudops.services.network.names.
"""

from __future__ import annotations

from api_shim.endpoints import Call
from cloudops.services.network.names import Named, named

__all__ = ["target"]


def target(call: Call, type_name: str) -> Named:
    """(namespace, name, object id) for `{name}`: a name (namespace from the query or body, else `default`)
    or an object id of `type_name`, whose namespace wins; 400 naming `name` when it is neither."""
    namespace = getattr(call.query, "namespace", None) or getattr(call.body, "namespace", None)
    return named(call.cluster, call.path("name"), type_name, namespace)
