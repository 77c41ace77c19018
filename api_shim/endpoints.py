"""Endpoint declarations: one source for routing, request validation, authorization and OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import hdrs, web
from pydantic import BaseModel, ValidationError

from api_shim.context import Call, Target
from api_shim.envelope import DATA_MODEL, ApiError
from cloudops.bounded import DocumentTooComplex, check_json
from cloudops.kube.types import JsonValue
from cloudops.validation import validation_message

__all__ = ["Call", "ClusterMode", "Endpoint", "Section", "Target", "is_json_type"]

MAX_BODY_BYTES = 4 * 1024 * 1024
# Where an endpoint finds its cluster: nowhere, the `{id}` path segment, `cluster_id` (query or body;
# the only cluster when there is just one), an object id in `{id}`, `cluster_ids` (many), or a container id
# `<cluster>:<namespace>:<pod>[:<container>]` in `{id}`; "caller": about the caller itself, no authorization.
ClusterMode = Literal["none", "path", "param", "object", "many", "container", "caller"]


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    summary: str
    tag: str
    handler: Handler
    resource: str
    verb: str
    subresource: str = ""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    data: type[BaseModel] | None = None
    cluster: ClusterMode = "none"
    media: tuple[str, ...] = ()  # non-JSON media types a 200 may also carry (a download: text/csv, ...)
    # The body's media type: anything but JSON (multipart/form-data) is documented from `body` and read by
    # the handler itself.
    body_media: str = "application/json"
    # Authenticated by a single-use ticket in the query (WebSocket upgrades: browsers send no headers); the
    # handler redeems it, sets the user and authorizes. Method "WS" is served (and documented) as GET.
    ticket: bool = False
    # Served without credentials (the sign-in flow: who would have them yet); the client IP's rate limit applies.
    public: bool = False
    # Answers a browser navigation with 302 and Location instead of a JSON 200 (the sign-in flow).
    redirect: bool = False

    @property
    def http_method(self) -> str:
        return "GET" if self.method == "WS" else self.method

    async def handle(self, request: web.Request) -> web.StreamResponse:
        query = _validate(self.query, _query_dict(request, self.query), "query") if self.query else None
        json_body = self.body is not None and self.body_media == "application/json"
        body = _validate(self.body, await _json_body(request), "body") if self.body and json_body else None
        if self.ticket or self.public:
            return self.checked(await self.handler(Call(request, query, body)))
        from api_shim.resolver import prepare  # prepare resolves Endpoints: imported late, no circle

        target = await prepare(request, self, query, body)
        return self.checked(await self.handler(Call(request, query, body, target)))

    def checked(self, response: web.StreamResponse) -> web.StreamResponse:
        """The declared `data` model is the type on the wire: a JSON success must be serialized from it."""
        model = response.get(DATA_MODEL)
        if self.data is None or response.status >= 300 or response.content_type != "application/json":
            return response
        if model is None or not issubclass(model, self.data):
            answered = model.__name__ if model is not None else "untyped data"
            raise TypeError(f"{self.method} {self.path} answered {answered}, declares {self.data.__name__}")
        return response


@dataclass
class Section:
    """The endpoints of one section of the API reference; each routes module owns one."""

    tag: str
    resource: str
    endpoints: list[Endpoint] = field(default_factory=list)

    def route(self, method: str, path: str, summary: str, *, verb: str, subresource: str = "",
              query: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
              data: type[BaseModel] | None = None, resource: str | None = None,
              cluster: ClusterMode = "none", media: tuple[str, ...] = (), body_media: str = "application/json",
              ticket: bool = False, public: bool = False, redirect: bool = False) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(Endpoint(method, path, summary, self.tag, handler, resource or self.resource,
                                           verb, subresource, query, body, data, cluster, media, body_media,
                                           ticket, public, redirect))
            return handler
        return register


def _query_dict(request: web.Request, model: type[BaseModel]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key in request.query.keys():
        values = request.query.getall(key)
        info = model.model_fields.get(key)
        is_list = info is not None and "list" in str(info.annotation)
        out[key] = values if is_list else values[-1]
    return out


def is_json_type(content_type: str) -> bool:
    """application/json or a structured `+json` type (application/merge-patch+json, ...)."""
    return content_type == "application/json" or (content_type.startswith("application/")
                                                   and content_type.endswith("+json"))


async def _json_body(request: web.Request) -> JsonValue:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, f"body: larger than {MAX_BODY_BYTES} bytes")
    raw = await request.read()
    if not raw.strip():
        return {}
    if not is_json_type(request.content_type):
        # Read first: a client that sent no body with a stray Content-Type is not refused for it.
        sent = request.headers.get(hdrs.CONTENT_TYPE)
        raise ApiError(415, "Content-Type: the body must be sent as application/json"
                            + (f", not {request.content_type}" if sent else " (no Content-Type was sent)"))
    try:
        check_json(raw)
        body: JsonValue = json.loads(raw, parse_float=_number)
        return body
    except DocumentTooComplex as e:
        raise ApiError(400, f"body: {e}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, f"body: not valid JSON ({e.__class__.__name__} at position {getattr(e, 'pos', 0)})") \
            from None


def _number(text: str) -> int | float:
    """A JSON number with a zero fraction (`3.0`, `1e3`) is the integer JSON Schema says it is: bodies are
    validated strictly, where a float is never an int."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _validate(model: type[BaseModel], raw: object, where: str) -> BaseModel:
    if where == "body" and not isinstance(raw, dict):
        raise ApiError(400, "body: must be a JSON object")
    try:
        # Bodies are JSON: no coercion (0 is not false, "3" is not 3). Query strings are text and coerce, except
        # where a field itself is strict (a cluster id "1\n" must not become 1): None keeps field settings.
        return model.model_validate(raw, strict=True if where == "body" else None)
    except ValidationError as e:
        raise ApiError(400, validation_message(e, where)) from None
