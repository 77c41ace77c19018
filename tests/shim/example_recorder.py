"""Records real exchanges as the OpenAPI document's examples (opt-in: CLOUDOPS_RECORD_EXAMPLES=1).

CheckedClient hands every response it checked to `record`; the first 2xx JSON answer of each operation in a test
session is stored as api_shim/operation_docs/examples/<operationId>.json, after redaction (Secret values,
credentials by key and by form) and trimming (lists to MAX_ITEMS, strings to MAX_CHARS), unless the example kept
is better: a request that needed no redaction beats one that did, then an answer whose lists are not all empty.
A stored file counts as kept while the operation's current schemas accept it, so recording a few test files never
replaces a better example (delete a file to record it afresh). An example is stored only when the schemas accept
it (tests/openapi_examples.py): a call with an undocumented alias or an off-contract answer is skipped with a
warning, never written.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from functools import cache
from typing import Any

from aiohttp import ClientResponse

from api_shim.endpoints import Endpoint
from api_shim.openapi import build_openapi
from api_shim.operation_docs.examples import EXAMPLES_DIR, Recorded, RecordedRequest, RecordedResponse
from cloudops.redact import REDACTED, redact
from tests.openapi_examples import example_problems

__all__ = ["ENABLED", "record", "redacted", "trimmed"]

ENABLED = os.environ.get("CLOUDOPS_RECORD_EXAMPLES", "") not in ("", "0")
MAX_ITEMS = 3
MAX_CHARS = 600
SECRET_MAPS = ("data", "stringData", "binaryData")
SECRET_KEYS = {"kubeconfig", "token", "password", "api_key", "apikey", "private_key", "secret", "client_key",
               "ticket", "jwt", "authorization"}
SKIPPED = {"/api/k8s/openapi.json"}  # the document as an example of itself would only grow it
_HEX_DIGEST = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_recorded: dict[str, tuple[bool, bool] | tuple[()]] = {}  # operationId -> quality of the example kept
_warned: set[tuple[str, str]] = set()


def redacted(value: Any, key: str = "", secret: bool = False) -> Any:
    """`value` without secrets: any value under a credential-named key, the values of Secret `data`,
    `stringData` and `binaryData` (an object of kind Secret, one with `stringData`, or any object of a request
    that names Secrets: `secret`), and credentials by form in any string (cloudops.redact: PEM, JWT, bearer,
    long base64, API keys, terminal tickets)."""
    if key.lower() in SECRET_KEYS and value not in (None, "", [], {}):
        return REDACTED
    if isinstance(value, dict):
        secret = secret or value.get("kind") == "Secret" or "stringData" in value
        return {k: ({n: REDACTED for n in v} if secret and k in SECRET_MAPS and isinstance(v, dict)
                    else redacted(v, k, secret)) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v, key, secret) for v in value]
    if isinstance(value, str) and not _HEX_DIGEST.fullmatch(value):  # a checksum is not a credential
        return redact(value)
    return value


def _names_secrets(path_values: dict[str, str], query: dict[str, Any], body: Any) -> bool:
    """A request about Secrets (`1:secret:ns:db`, resource_type=secrets), whose bodies may leave out `kind`."""
    types = [query.get("resource_type"), body.get("resource_type") if isinstance(body, dict) else None,
             *(v.split(":")[1] for v in path_values.values() if v.count(":") >= 3)]
    return any(str(t).lower() in ("secret", "secrets") for t in types if t)


def trimmed(value: Any) -> Any:
    """`value` with lists cut to MAX_ITEMS and strings to MAX_CHARS (an example, not a dump)."""
    if isinstance(value, dict):
        return {k: trimmed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trimmed(v) for v in value[:MAX_ITEMS]]
    if isinstance(value, str) and len(value) > MAX_CHARS:
        return value[:MAX_CHARS] + "…"
    return value


def _richness(envelope: dict[str, Any]) -> int:
    """How many lists in the answer have items: an empty list makes a poor example."""
    def count(value: Any) -> int:
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, list):
            return (1 if value else 0) + sum(count(v) for v in value)
        return 0
    return count(envelope.get("data"))


@cache
def _document(endpoints: tuple[Endpoint, ...]) -> dict[str, Any]:
    return json.loads(json.dumps(build_openapi(list(endpoints))))


def _match(document: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The document's template for `path` with `method`, and the path parameters' values, in the order the shim
    routes them (api_shim.app._ordered: `/clusters/list` is not `/clusters/{id}`)."""
    templates = sorted(document["paths"], key=lambda t: (t.count("{"), t.find("{") if "{" in t else 0))
    for template in templates:
        pattern = "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
        found = re.match(pattern, path)
        if found and method.lower() in document["paths"][template]:
            return template, found.groupdict()
    return None


def _typed(raw: list[str], schema: dict[str, Any]) -> Any:
    """A query value as its schema types it (query strings are text; the example shows the typed value)."""
    types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
    if "array" in types:
        items = next((s.get("items", {}) for s in [schema, *schema.get("anyOf", [])] if s.get("type") == "array"), {})
        return [_typed([v], items) for v in raw]
    value = raw[-1]
    try:
        if "string" in types:
            return value
        if "integer" in types:
            return int(value)
        if "number" in types:
            return float(value)
    except ValueError:
        return value
    if "boolean" in types and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _stored_quality(document: dict[str, Any], operation_id: str) -> tuple[bool, bool] | tuple[()]:
    """The quality of the example kept for `operation_id`: this session's, else the stored file's while the
    schemas still accept it (so a run of a few test files never replaces a better example); () for none."""
    if operation_id not in _recorded:
        _recorded[operation_id] = ()
        path = EXAMPLES_DIR / f"{operation_id}.json"
        if path.exists():
            stored = Recorded.model_validate(json.loads(path.read_text()))
            if not example_problems(document, stored):
                clean = REDACTED not in json.dumps(stored.request.model_dump())
                _recorded[operation_id] = (clean, _richness(stored.response.body) > 0)
    return _recorded[operation_id]


def _request_body(kwargs: dict[str, Any]) -> Any:
    if "json" in kwargs:
        return kwargs["json"]
    data = kwargs.get("data")
    if isinstance(data, str | bytes):
        try:
            return json.loads(data)
        except ValueError:
            return None
    return None


def record(endpoints: list[Endpoint], method: str, resp: ClientResponse, kwargs: dict[str, Any], text: str) -> None:
    """Stores this exchange as its operation's example when recording is on and it is the best one yet."""
    if not ENABLED or not 200 <= resp.status < 300 or resp.content_type != "application/json":
        return
    document = _document(tuple(endpoints))
    matched = _match(document, method, resp.url.path)
    if matched is None or matched[0] in SKIPPED:
        return
    template, path_values = matched
    op = document["paths"][template][method.lower()]
    envelope = trimmed(redacted(json.loads(text)))
    params = {p["name"]: p["schema"] for p in op.get("parameters", []) if p["in"] == "query"}
    query = {k: _typed(resp.url.query.getall(k), params.get(k, {})) for k in resp.url.query}
    body = _request_body(kwargs)
    secret = _names_secrets(path_values, query, body)
    # Better examples replace earlier ones of the session: a request sent as is, then an answer with items.
    quality = (redacted(body, secret=secret) == body and redacted(query) == query, _richness(envelope) > 0)
    if _stored_quality(document, op["operationId"]) >= quality:
        return
    rec = Recorded(operation_id=op["operationId"], method=method, path=template,
                   recorded_by=os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0],
                   request=RecordedRequest(path=path_values, query=redacted(query),
                                           body=trimmed(redacted(body, secret=secret)) if body is not None else None),
                   response=RecordedResponse(status=resp.status, body=envelope))
    problems = example_problems(document, rec)
    if problems:
        if (op["operationId"], problems[0]) not in _warned:
            _warned.add((op["operationId"], problems[0]))
            warnings.warn(f"example of {op['operationId']} not recorded: {problems[:3]}", stacklevel=2)
        return
    _recorded[op["operationId"]] = quality
    EXAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    target = EXAMPLES_DIR / f"{op['operationId']}.json"
    tmp = target.with_suffix(".tmp")
    stored = rec.model_dump()
    if body is None:
        del stored["request"]["body"]
    tmp.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n")
    tmp.replace(target)
