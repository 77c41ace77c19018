"""One base for every error the product shows a caller: it carries its own HTTP status and business code.

Domain code raises a subclass and never thinks about transports; the shim renders any `CloudOpsError` as
the reference's error envelope in one place, and the MCP server as a tool error. `message` is shown to the
caller, so it must never hold secrets or internals; `field` names the input at fault (`body.name`,
`cluster_id`), and the caller sees `field: message`.
"""

from __future__ import annotations

__all__ = ["BadRequest", "BusinessCode", "CloudOpsError", "ConfigError", "Denied", "Gone", "Missing",
           "StateConflict", "TimedOut", "TooLarge", "Unprocessable", "UpstreamFailed"]


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


class CloudOpsError(Exception):
    """Base of every error a caller may see. Subclasses set `status` and `code`; an instance may override both."""

    status: int = 500
    code: int | None = None  # the business code; None means the HTTP status

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None,
                 code: int | None = None, headers: dict[str, str] | None = None) -> None:
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        self.headers: dict[str, str] = headers or {}
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        """What the caller reads: `field: message`, or the message alone."""
        return f"{self.field}: {self.message}" if self.field else self.message

    @property
    def business_code(self) -> int:
        return self.code if self.code is not None else self.status


class BadRequest(CloudOpsError):
    status = 400


class Denied(CloudOpsError):
    status, code = 403, BusinessCode.PERMISSION_DENIED


class Missing(CloudOpsError):
    status, code = 404, BusinessCode.RESOURCE_NOT_FOUND


class Gone(CloudOpsError):
    status = 410


class StateConflict(CloudOpsError):
    status, code = 409, BusinessCode.VERSION_CONFLICT


class TooLarge(CloudOpsError):
    status = 413


class Unprocessable(CloudOpsError):
    status = 422


class ConfigError(CloudOpsError):
    status, code = 422, BusinessCode.CONFIG_ERROR


class UpstreamFailed(CloudOpsError):
    status, code = 502, BusinessCode.CLUSTER_CONNECTION_FAILED


class TimedOut(CloudOpsError):
    status, code = 504, BusinessCode.TIMEOUT
