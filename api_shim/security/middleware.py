"""The security chain for /api/k8s routes: audit around rate limits, authentication and authorization."""

from __future__ import annotations

import json
import logging
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from api_shim.endpoints import MAX_BODY_BYTES, Endpoint, is_json_type
from api_shim.envelope import ApiError
from api_shim.security.audit import AuditRecord, caller, is_secret_type, redact_params
from api_shim.security.authn import AuthError
from api_shim.security.identity import USER, User
from api_shim.security.sessions import CSRF_HEADER, CSRF_VALUE, SESSION_COOKIE
from api_shim.state import AUDIT, AUTHN, LIMITS, PROXIES, SETTINGS
from cloudops.bounded import DocumentTooComplex, loads_json
from cloudops.conditions import now_iso

__all__ = ["USER", "audit_middleware", "endpoint_of", "names_secret", "security_middleware"]

log = logging.getLogger("cloudops.shim")


def endpoint_of(request: web.Request) -> Endpoint | None:
    ep = getattr(request.match_info.handler, "__self__", None)
    return ep if isinstance(ep, Endpoint) else None


def client_ip(request: web.Request) -> str:
    return request.app[PROXIES].client(request.remote, request.headers.getall("X-Forwarded-For", []))


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    ep = endpoint_of(request)
    if ep is None:
        return await handler(request)
    limits, now = request.app[LIMITS], time.monotonic()
    _limit(limits.ip.take(client_ip(request), now), f"client {client_ip(request)}")
    if ep.ticket or ep.public:
        return await handler(request)  # the handler redeems the ticket and authorizes (Endpoint.ticket)
    authorization, api_key = request.headers.get("Authorization"), request.headers.get("X-API-Key")
    session = request.cookies.get(SESSION_COOKIE) if not (authorization or api_key) else None
    if session and request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        # A cookie goes with any request the browser makes, a cross-site one too; a custom header cannot.
        raise ApiError(403, f"a request signed in by the console's session cookie must carry the header "
                            f"{CSRF_HEADER}: {CSRF_VALUE} (protection against cross-site requests)")
    try:
        user = await request.app[AUTHN].authenticate(authorization, api_key, session)
    except AuthError as e:
        raise ApiError(401, str(e), headers={"WWW-Authenticate": 'Bearer realm="cloudops"'}) from None
    request[USER] = user
    _limit(limits.user.take(user.name, now), f"user {user.name}")
    _limit(limits.route.take(f"{ep.method} {ep.path}", now), f"route {ep.method} {ep.path}")
    # Authorization needs the resolved cluster: it happens in the request context (api_shim.context).
    return await handler(request)


def _limit(wait: float, who: str) -> None:
    if wait > 0:
        retry = max(1, int(wait + 0.999))
        raise ApiError(429, f"rate limit exceeded for {who}; retry after {retry}s",
                       headers={"Retry-After": str(retry)})


def names_secret(request: web.Request) -> bool:
    """The path or query names core Secrets (`{id}` = `1:secret:ns:name`, `resource_type=secrets`): every
    `data`/`stringData` in the body is then a Secret's, whether or not the body says `kind: Secret`."""
    for name, value in request.match_info.items():
        if name == "resource_type" and is_secret_type(value):
            return True
        parts = value.split(":")
        if name in ("id", "resource_id") and len(parts) >= 2 and is_secret_type(parts[1]):
            return True
    for name in ("resource_type", "resource_types", "kind", "type"):
        for value in request.query.getall(name, []):
            if any(is_secret_type(v) for v in value.split(",")):
                return True
    return False


async def _params(request: web.Request) -> dict[str, object]:
    """The query and a JSON body as sent, redacted; other bodies only by their type and size."""
    params: dict[str, object] = {}
    if request.query:
        params["query"] = {k: request.query.getall(k) for k in request.query.keys()}
    if request.body_exists and is_json_type(request.content_type):
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            params["body"] = "<too large>"
            return redact_params(params, secret=names_secret(request))
        try:
            params["body"] = loads_json(await request.read())
        except DocumentTooComplex as e:
            params["body"] = f"<refused: {e}>"
        except ValueError:
            params["body"] = "<not JSON>"
        except web.HTTPException:
            params["body"] = "<unreadable>"
    elif request.body_exists and request.content_type != "multipart/form-data":
        params["body"] = f"<{request.content_type}, {request.content_length or 'unknown'} bytes>"
    return redact_params(params, secret=names_secret(request))


def _business_code(response: web.StreamResponse) -> int | None:
    if isinstance(response, web.Response) and response.content_type == "application/json" and response.body:
        try:
            code = json.loads(bytes(response.body)).get("code")  # type: ignore[arg-type]
        except (ValueError, AttributeError):
            return None
        return code if isinstance(code, int) else None
    return None


@web.middleware
async def audit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    ep = endpoint_of(request)
    if ep is None:
        return await handler(request)
    start = time.perf_counter()
    status, code = 500, None
    try:
        response = await handler(request)
        status, code = response.status, _business_code(response)
        return response
    finally:
        user: User | None = request.get(USER)
        ref = request.match_info.get("id", "")
        request.app[AUDIT].write(AuditRecord(
            time=now_iso(), **caller(user), operation=f"{request.method} {request.path}",
            route=ep.path, client_ip=client_ip(request), status=status, code=code,
            latency_ms=round((time.perf_counter() - start) * 1000, 2),
            # The sign-in flow's query holds one-time secrets (code, state): only its names are kept.
            params={"query": sorted(request.query.keys())} if ep.public else await _params(request),
            resource={"group": "cloudops.io", "resource": ep.resource, "subresource": ep.subresource,
                      "name": ref, "namespace": request.app[SETTINGS].namespace}))
