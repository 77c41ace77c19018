"""The response envelopes of the API reference: {code, message, data, timestamp} and its error twin."""

from __future__ import annotations

import functools
import json
from http import HTTPStatus
from typing import Any, TypedDict

from aiohttp import web
from pydantic import BaseModel

from cloudops.conditions import now_iso
from cloudops.errors import BusinessCode, CloudOpsError

__all__ = ["DATA_MODEL", "ApiError", "BusinessCode", "ErrorBody", "error_body", "ok"]


_MESSAGES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 421: "Misdirected Request",
    422: "Unprocessable Entity", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}


class ApiError(CloudOpsError):
    """An error the shim itself decides (a malformed request, an authorization refusal), status given.

    Domain errors raised below a handler are `cloudops.errors.CloudOpsError` subclasses; both render alike.
    """

    def __init__(self, status: int, detail: str, code: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, status=status, code=code, headers=headers)


# JSON has no NaN or Infinity: a float that is not finite is a bug to surface (500), never invalid JSON sent out.
dumps = functools.partial(json.dumps, allow_nan=False)


# The model class a response's `data` was serialized from: Endpoint.handle holds it against the declared one.
DATA_MODEL = web.ResponseKey("data_model", type)


def ok(data: BaseModel | Any, status: int = 200) -> web.Response:
    """The success envelope around `data`; a response model is serialized here, and remembered."""
    model = type(data) if isinstance(data, BaseModel) else None
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    response = web.json_response({"code": 200, "message": "success", "data": payload, "timestamp": now_iso()},
                                 status=status, dumps=dumps)
    if model is not None:
        response[DATA_MODEL] = model
    return response


class ErrorBody(TypedDict):
    """The error envelope (the `ErrorEnvelope` of the OpenAPI document)."""

    code: int
    message: str
    error: str
    timestamp: str


def _phrase(status: int) -> str:
    """The standard reason phrase of a status the table lacks (a member's 414, 431, ...)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, detail: str, code: int | None = None) -> ErrorBody:
    return {"code": code if code is not None else status, "message": _MESSAGES.get(status) or _phrase(status),
            "error": detail, "timestamp": now_iso()}
