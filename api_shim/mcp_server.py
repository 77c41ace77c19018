"""The MCP server: the tool registry over the Model Context Protocol (streamable HTTP at /mcp), in the shim.

Built with the official SDK (`mcp.server.MCPServer`). It is ASGI; the shim is aiohttp, so /mcp is an aiohttp
route that hands each request to the SDK's ASGI app (a small bridge) — one process, one port, one set of
health checks. The SDK runs stateless with JSON responses: no MCP session lives in this process, so any
replica answers any request and a restart loses nothing.

Authentication is the shim's own chain (API key, our JWT, TokenReview) as the SDK's token verifier: send
`Authorization: Bearer <token or API key>` or `X-API-Key`. Each tool call is authorized by the same
SubjectAccessReviews as REST and runs the same way (cloudops.services.mcp). Destructive tools are served only
when configured (CLOUDOPS_MCP_DESTRUCTIVE_TOOLS) and carry destructiveHint. Host headers are checked against
CLOUDOPS_MCP_ALLOWED_HOSTS (DNS-rebinding protection).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from aiohttp import web
from mcp.server import MCPServer
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import ToolAnnotations
from pydantic import AnyHttpUrl, BaseModel, Field, ValidationError
from starlette.types import Message, Scope

from api_shim.envelope import ApiError
from api_shim.mcp_edge import allowed_hosts, edge_refusal
from api_shim.resolver import Resolver
from api_shim.security.audit import AuditRecord, caller, redact_params
from api_shim.security.authn import AuthError
from api_shim.security.identity import User
from api_shim.security.middleware import client_ip
from api_shim.state import ACCESS, AUDIT, AUTHN, HUB, LIMITS, REGISTRY, SETTINGS
from cloudops.conditions import now_iso
from cloudops.errors import CloudOpsError
from cloudops.kube.errors import KubeError
from cloudops.mcp_tools import TOOLS, Tool, destructive_enabled
from cloudops.services.base import Deps
from cloudops.services.mcp import McpService
from cloudops.validation import validation_message
from cloudops.version import VERSION

__all__ = ["MCP_PATH", "mount"]

MCP_PATH = "/mcp"
log = logging.getLogger("cloudops.mcp")
_SERVER: web.AppKey[MCPServer[Any]] = web.AppKey("mcp_server", MCPServer)
_ASGI: web.AppKey[Any] = web.AppKey("mcp_asgi", object)
_SECURITY = web.AppKey("mcp_security", TransportSecuritySettings)


class ShimTokenVerifier:
    """The SDK's TokenVerifier over the shim's Authenticator: API keys (`cok_...`) and bearer tokens."""

    def __init__(self, app: web.Application) -> None:
        self.app = app

    async def verify_token(self, token: str) -> AccessToken | None:
        authn = self.app[AUTHN]
        try:
            user = await (authn.authenticate(None, token) if token.startswith("cok_")
                          else authn.authenticate(f"Bearer {token}", None))
        except AuthError:
            return None
        except KubeError as e:
            log.warning("mcp: authentication could not be checked: %s", e.message)
            return None
        return AccessToken(token=token, client_id=user.name, subject=user.name, scopes=[],
                           claims={"groups": list(user.groups), "uid": user.uid, "method": user.method,
                                   "extra": user.extra})


def _caller() -> User:
    token = get_access_token()
    if token is None:  # the SDK's RequireAuthMiddleware lets no unauthenticated request this far
        raise ToolError("401: not authenticated")
    claims = token.claims or {}
    return User(name=token.client_id, groups=tuple(claims.get("groups") or ()), uid=str(claims.get("uid") or ""),
                method=str(claims.get("method") or ""), extra=dict(claims.get("extra") or {}))


def _service(app: web.Application, actor: str) -> McpService:
    """The tool runner for one caller, with the app's hub, registry and member access (as REST calls get them)."""
    return McpService(Deps(app[HUB], app[SETTINGS], app[REGISTRY], app[ACCESS], actor))


def _cluster_argument(kwargs: dict[str, Any]) -> tuple[object, str]:
    """The cluster reference and the name it came under: `cluster`, or `cluster_id` as REST names it."""
    cluster, cluster_id = kwargs.pop("cluster", None), kwargs.pop("cluster_id", None)
    if cluster is not None and cluster_id is not None:
        raise ApiError(400, "arguments.cluster_id: the same argument as cluster: send one of them")
    return (cluster, "cluster") if cluster_id is None else (cluster_id, "cluster_id")


def _handler(app: web.Application, tool: Tool) -> Any:
    """A function whose signature is the tool's parameters plus `cluster` (or `cluster_id`): the SDK derives
    the input schema from it; the tool's own model validates again before it runs."""
    async def call(**kwargs: Any) -> dict[str, object]:
        user, start = _caller(), time.perf_counter()
        named = [kwargs[k] for k in ("cluster", "cluster_id") if kwargs.get(k) is not None]
        status, code, cluster_name = 200, 200, str(named[0]) if named else ""
        try:
            wait = app[LIMITS].user.take(user.name)
            if wait > 0:
                raise ApiError(429, f"rate limit exceeded for user {user.name}; retry after {max(1, int(wait + 1))}s")
            cluster_ref, where = _cluster_argument(kwargs)
            params = tool.params.model_validate(kwargs)
            cluster = await Resolver(app, user).one(None if cluster_ref is None else str(cluster_ref),
                                                    tool.grants, where)
            cluster_name = cluster.name
            tools = _service(app, user.name)
            tools.check_enabled(tool)
            result = (await tools.run(tool, cluster, params)).model_dump(mode="json")
        except CloudOpsError as e:
            status, code = e.status, e.business_code
            raise ToolError(f"{status} ({code}): {e.detail}") from None
        except ValidationError as e:
            status, code = 400, 400
            raise ToolError(f"400 (400): {validation_message(e, 'arguments')}") from None
        except Exception:
            status, code = 500, 500  # the SDK answers with a generic error and logs it
            raise
        finally:
            _audit(app, user, tool, cluster_name, status, code, start, kwargs)
        return {"cluster_id": cluster.id, "cluster_name": cluster.name, **result}

    params = [inspect.Parameter("cluster", inspect.Parameter.KEYWORD_ONLY, annotation=int | str | None,
                                default=Field(None, description="cluster id or name; optional when only one "
                                                                "cluster is registered")),
              inspect.Parameter("cluster_id", inspect.Parameter.KEYWORD_ONLY, annotation=int | str | None,
                                default=Field(None, description="the same as `cluster` (the REST API's name); "
                                                                "send one of them"))]
    for name, info in tool.params.model_fields.items():
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=info.annotation,
                                        default=info))
    call.__dict__["__signature__"] = inspect.Signature(params, return_annotation=dict[str, object])
    call.__name__ = tool.name
    return call


def _audit(app: web.Application, user: User, tool: Tool, cluster: str, status: int, code: int, start: float,
           arguments: Mapping[str, object]) -> None:
    """Every MCP tool call in the shim's audit trail, like every REST call (credentials redacted)."""
    app[AUDIT].write(AuditRecord(
        time=now_iso(), **caller(user), operation=f"MCP tools/call {tool.name}", route=MCP_PATH, client_ip="",
        status=status, code=code,
        latency_ms=round((time.perf_counter() - start) * 1000, 2),
        params=redact_params({"arguments": json.loads(json.dumps(arguments, default=_plain))}),
        resource={"group": "cloudops.io", "resource": "managedclusters",
                  "subresource": ",".join(sorted({c for _, c in tool.grants})), "name": cluster,
                  "namespace": app[SETTINGS].namespace}))


def _plain(value: Any) -> Any:
    return value.model_dump() if isinstance(value, BaseModel) else str(value)


def build(app: web.Application) -> MCPServer[Any]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server: MCPServer[Any] = MCPServer(
        "cloudops-k8s", version=VERSION,
        instructions="Kubernetes multi-cluster operations: scans, monitoring, compliance, performance; every tool "
                     "takes `cluster` (id or name; `cluster_id` works too).",
        token_verifier=ShimTokenVerifier(app),
        auth=AuthSettings(issuer_url=AnyHttpUrl("http://127.0.0.1"), resource_server_url=None))
    root.handlers[:], root.level = handlers, level  # the SDK configures logging; the shim's JSON logs stay
    logging.getLogger("mcp").setLevel(logging.WARNING)
    for tool in TOOLS:
        if not destructive_enabled(tool, app[SETTINGS].mcp_destructive_tools):  # the hub client comes later
            continue
        server.add_tool(_handler(app, tool), name=tool.name, description=tool.description,
                        annotations=ToolAnnotations(read_only_hint=tool.read_only,
                                                    destructive_hint=not tool.read_only,
                                                    idempotent_hint=tool.read_only, open_world_hint=False),
                        meta={"version": tool.version, "grants": [f"{v} {c}" for v, c in tool.grants]})
    return server


def _scope(request: web.Request, body_headers: list[tuple[bytes, bytes]]) -> Scope:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": request.method, "scheme": request.scheme, "path": MCP_PATH,  # /mcp/ is /mcp
            "raw_path": MCP_PATH.encode(), "query_string": request.query_string.encode(),
            "root_path": "", "headers": body_headers, "client": (request.remote or "", 0),
            "server": (request.host.rsplit(":", 1)[0], 0), "state": {}}


async def _bridge(request: web.Request) -> web.StreamResponse:
    """One HTTP exchange handed to the SDK's ASGI app; the response streams back as the SDK writes it."""
    ip = client_ip(request)
    wait = request.app[LIMITS].ip.take(ip)
    if wait > 0:
        retry = str(max(1, int(wait + 1)))
        return web.json_response({"error": "rate_limited", "error_description": f"rate limit exceeded for {ip}"},
                                 status=429, headers={"Retry-After": retry})
    refused = edge_refusal(request, request.app[_SECURITY])
    if refused is not None:
        raise refused
    headers = [(k.lower(), v) for k, v in request.raw_headers]
    if not any(k == b"authorization" for k, _ in headers):
        key = next((v for k, v in headers if k == b"x-api-key"), None)
        if key:
            headers.append((b"authorization", b"Bearer " + key))
    body = await request.read()
    done = asyncio.Event()
    first = True
    response: web.StreamResponse | None = None

    async def receive() -> Message:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal response
        if message["type"] == "http.response.start":
            response = web.StreamResponse(status=message["status"])
            for k, v in message.get("headers") or []:
                if k.lower() not in (b"content-length", b"transfer-encoding"):
                    response.headers.add(k.decode("latin-1"), v.decode("latin-1"))
            await response.prepare(request)
        elif message["type"] == "http.response.body" and response is not None:
            if message.get("body"):
                await response.write(message["body"])
            if not message.get("more_body"):
                await response.write_eof()
                done.set()

    try:
        await request.app[_ASGI](_scope(request, headers), receive, send)
    finally:
        done.set()
    if response is None:
        raise ApiError(500, "the MCP server gave no response")
    return response


async def _session_manager(app: web.Application) -> AsyncIterator[None]:
    """The SDK's task group lives in one task of its own for the app's lifetime."""
    stop = asyncio.Event()
    started = asyncio.Event()

    async def run() -> None:
        async with app[_SERVER].session_manager.run():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run(), name="mcp-session-manager")
    await asyncio.wait([task, asyncio.ensure_future(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()
    yield
    stop.set()
    await task


def mount(app: web.Application) -> None:
    """Serve MCP at /mcp (and /mcp/, which clients configured with a trailing slash ask) on this app."""
    server = build(app)
    app[_SERVER] = server
    app[_SECURITY] = allowed_hosts(app[SETTINGS])
    app[_ASGI] = server.streamable_http_app(streamable_http_path=MCP_PATH, stateless_http=True, json_response=True,
                                            transport_security=app[_SECURITY])
    app.cleanup_ctx.append(_session_manager)
    app.router.add_route("*", MCP_PATH, _bridge)
    app.router.add_route("*", MCP_PATH + "/", _bridge)
