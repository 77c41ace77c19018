"""The response envelopes of the API reference: {code, message, data, timestamp} and its error twin."""

from __future__ import annotations

import functools
import json
from http import HTTPStatus
from typing import Any

from aiohttp import web

from cloudops.conditions import now_iso

__all__ = ["ApiError", "BusinessCode", "error_body", "ok"]


class BusinessCode:
    """Business codes of the reference (错误码定义 / 业务错误码)."""

    CLUSTER_CONNECTION_FAILED = 1001
    RESOURCE_NOT_FOUND = 1002
    PERMISSION_DENIED = 1003
    TIMEOUT = 1004
    CONFIG_ERROR = 1005
    VERSION_CONFLICT = 1006
    BACKUP_FAILED = 1007
    RESTORE_FAILED = 1008
    SCAN_FAILED = 1009
    TOOL_FAILED = 1010


_MESSAGES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Payload Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """Raised anywhere below a handler; the error middleware renders it as the error envelope.

    `detail` is shown to the caller, so it must never hold secrets or internals.
    """

    def __init__(self, status: int, detail: str, code: int | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code if code is not None else status
        self.headers = headers or {}


# JSON has no NaN or Infinity: a float that is not finite is a bug to surface (500), never invalid JSON sent out.
dumps = functools.partial(json.dumps, allow_nan=False)


def ok(data: Any, status: int = 200) -> web.Response:
    return web.json_response({"code": 200, "message": "success", "data": data, "timestamp": now_iso()},
                             status=status, dumps=dumps)


def _phrase(status: int) -> str:
    """The standard reason phrase of a status the table lacks (a member's 414, 431, ...)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(status: int, detail: str, code: int | None = None) -> dict[str, Any]:
    return {"code": code if code is not None else status, "message": _MESSAGES.get(status) or _phrase(status),
            "error": detail, "timestamp": now_iso()}
