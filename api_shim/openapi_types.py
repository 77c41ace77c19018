"""The objects of the OpenAPI 3.1 document that api_shim.openapi builds, in their wire names.

The JSON Schemas inside them (pydantic's, and the path parameter formats) are free JSON: `JsonObject`.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from cloudops.kube.types import JsonObject, JsonValue

__all__ = ["Authorization", "Components", "Example", "Header", "Info", "Link", "MediaType", "OpenApiDocument",
           "Operation", "Parameter", "RequestBody", "Response", "SecurityRequirement"]


class Example(TypedDict):
    summary: str
    value: JsonValue


class MediaType(TypedDict):
    schema: JsonObject
    examples: NotRequired[dict[str, Example]]


class Header(TypedDict):
    required: bool
    schema: JsonObject
    description: str


class Link(TypedDict):
    """A follow-up call: `parameters` maps `<in>.<name>` of the target to a runtime expression
    (`$response.body#/data/id`, `$request.path.name`)."""

    operationId: str
    parameters: dict[str, str]
    description: str


class Response(TypedDict):
    description: str
    content: NotRequired[dict[str, MediaType]]
    headers: NotRequired[dict[str, Header]]
    links: NotRequired[dict[str, Link]]


Parameter = TypedDict("Parameter", {
    "name": str, "in": str, "required": bool, "schema": JsonObject, "description": NotRequired[str],
    "examples": NotRequired[dict[str, Example]]})


class RequestBody(TypedDict):
    required: bool
    description: NotRequired[str]
    content: dict[str, MediaType]


class Authorization(TypedDict):
    """`x-kubernetes-authorization`: the SubjectAccessReview attributes an operation is authorized with."""

    group: str
    resource: str
    verb: str
    subresource: str


class SecurityRequirement(TypedDict, total=False):
    apiKey: list[str]
    bearer: list[str]


Operation = TypedDict("Operation", {
    "operationId": str,
    "summary": str,
    "description": NotRequired[str],
    "tags": list[str],
    "parameters": NotRequired[list[Parameter]],
    "x-kubernetes-authorization": NotRequired[Authorization],
    "security": NotRequired[list[SecurityRequirement]],
    "responses": dict[str, Response],
    "requestBody": NotRequired[RequestBody],
    "x-websocket": NotRequired[bool],
    "x-authenticated-only": NotRequired[bool],  # about the caller itself: nothing is authorized
    "x-sign-in": NotRequired[bool],  # part of signing in: served without credentials
})


class Info(TypedDict):
    title: str
    version: str


class Components(TypedDict):
    schemas: dict[str, JsonObject]
    securitySchemes: dict[str, JsonObject]


class OpenApiDocument(TypedDict):
    openapi: str
    info: Info
    paths: dict[str, dict[str, Operation]]  # path -> method (lower case) -> operation
    security: list[SecurityRequirement]
    components: Components
