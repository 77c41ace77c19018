"""`apply`: the prose, parameter descriptions and recorded examples, filled into the paths of a built OpenAPI
document (api_shim.openapi calls it once, before components are chosen)."""

from __future__ import annotations

import re

from api_shim.openapi_types import Operation, Parameter
from api_shim.operation_docs import clusters, containers, labels_docs, network, operations, quotas, resources, yaml_docs
from api_shim.operation_docs.examples import attach, recorded
from api_shim.operation_docs.model import Doc, Docs
from api_shim.operation_docs.params import BY_NAME, BY_OPERATION, BY_PATH, GLOSSES

__all__ = ["DOCS", "apply", "authorization", "parameter_description"]

DOCS: Docs = {**clusters.DOCS, **resources.DOCS, **quotas.DOCS, **network.DOCS, **yaml_docs.DOCS,
              **labels_docs.DOCS, **operations.DOCS, **containers.DOCS}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def apply(paths: dict[str, dict[str, Operation]]) -> None:
    """Fills the operations of `paths` (path -> method -> operation) in place; those it does not know are left
    as they are."""
    examples = recorded()
    for path, item in paths.items():
        for method, op in item.items():
            key = f"{method.upper()} {path}"
            doc = DOCS.get(key)
            if doc is not None:
                _describe(op, doc)
            for param in op.get("parameters", []):
                _describe_parameter(key, path, param)
            rec = examples.get(op["operationId"])
            if rec is not None:
                attach(op, rec)


def _describe(op: Operation, doc: Doc) -> None:
    if _CHINESE.search(op["summary"]) and " — " not in op["summary"]:  # the reference's: the English follows
        op["summary"] = f"{op['summary']} — {doc.summary}"
    op["description"] = (f"{doc.does}\n\n**Writes:** {doc.writes}\n\n"
                         f"**Authorization:** {authorization(op, doc.authz)}")
    body = op.get("requestBody")
    if body is not None and doc.body:
        body["description"] = doc.body


def authorization(op: Operation, extra: str = "") -> str:
    """What the caller needs, from the operation's own `x-kubernetes-authorization` (the declaration's verb
    and subresource), so the prose cannot disagree with what is checked."""
    authz = op.get("x-kubernetes-authorization")
    if op.get("x-authenticated-only"):
        return (f"any authenticated caller (API key, console session, OIDC, JWT or bearer token); nothing is "
                f"authorized. {extra}").strip()
    if op.get("x-sign-in"):
        return f"none: part of signing in, before any credential (the client IP's rate limit applies). {extra}".strip()
    if authz is None:
        return "none: served outside the /api/k8s security chain (no credential, no rate limit)."
    target = f"`{authz['resource']}/{authz['subresource']}`" if authz["subresource"] else f"`{authz['resource']}`"
    text = (f"verb `{authz['verb']}` on {target} in group `{authz['group']}`, checked by a SubjectAccessReview "
            "on the hub (for the request's cluster by name, where it has one)")
    if authz["subresource"]:
        text += f": the capability `{authz['subresource']}`"
    if op.get("x-websocket"):
        text += "; authenticated by the single-use `session` ticket in the query instead of a header"
    return f"{text}. {extra}".strip()


def parameter_description(key: str, path: str, name: str) -> str | None:
    """The table's description of parameter `name` of operation `key` ("METHOD /path"): the operation's own,
    else the longest matching path prefix's, else the name's."""
    if (key, name) in BY_OPERATION:
        return BY_OPERATION[(key, name)]
    prefixes = [p for (p, n) in BY_PATH if n == name and path.startswith(p)]
    if prefixes:
        return BY_PATH[(max(prefixes, key=len), name)]
    return BY_NAME.get(name)


def _describe_parameter(key: str, path: str, param: Parameter) -> None:
    current = param.get("description")
    if not current:
        found = parameter_description(key, path, param["name"])
        if found is not None:
            param["description"] = found
        return
    term = next((t for t in sorted(GLOSSES, key=len, reverse=True) if current.startswith(t)), None)
    if term is not None and not current[len(term):].startswith(" — "):
        param["description"] = f"{term} — {GLOSSES[term]}{current[len(term):]}"
