"""MCP at the edge: the SDK's DNS-rebinding checks of Host and Origin, answered by the shim in the error
envelope with the setting that admits the caller (the SDK itself answers a bare `421 Invalid Host header`)."""

from __future__ import annotations

from aiohttp import web
from mcp.server.transport_security import TransportSecuritySettings

from api_shim.envelope import ApiError
from cloudops.settings import Settings

__all__ = ["LOCAL_HOSTS", "allowed_hosts", "edge_refusal"]

LOCAL_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]


def _matches(value: str, allowed: list[str]) -> bool:
    """The SDK's rule: an exact entry, or `host:*` for that host on any port."""
    return value in allowed or any(a.endswith(":*") and value.startswith(a[:-1]) for a in allowed)


def edge_refusal(request: web.Request, security: TransportSecuritySettings) -> ApiError | None:
    """The SDK's DNS-rebinding checks, answered here in the envelope with the setting that admits the caller
    (the SDK itself would answer a bare `421 Invalid Host header`)."""
    if not security.enable_dns_rebinding_protection:
        return None
    host = request.headers.get("Host", "")
    if not _matches(host, security.allowed_hosts):
        return ApiError(421, f"Host header {host!r} is not one this MCP server answers (DNS-rebinding protection): "
                             "add it to CLOUDOPS_MCP_ALLOWED_HOSTS (comma-separated; host:* admits any port, "
                             "* turns the check off)")
    origin = request.headers.get("Origin", "")
    if origin and not _matches(origin, security.allowed_origins):
        return ApiError(403, f"Origin header {origin!r} is not one this MCP server answers (DNS-rebinding "
                             "protection): add its host to CLOUDOPS_MCP_ALLOWED_HOSTS")
    return None


def allowed_hosts(settings: Settings) -> TransportSecuritySettings:
    """Loopback on any port plus CLOUDOPS_MCP_ALLOWED_HOSTS; `*` there turns the checks off."""
    extra = [h.strip() for h in settings.mcp_allowed_hosts.split(",") if h.strip()]
    if "*" in extra:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    hosts = LOCAL_HOSTS + extra
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)
