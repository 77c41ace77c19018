"""Who am I and what may I do (outside the API reference, for the web console and scripts): the caller's
name, groups and, per capability, the verbs RBAC allows, so a viewer's console shows no write action."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.security.oidc import OidcError
from api_shim.security.sessions import LOGIN_COOKIE, LOGIN_SECONDS, SESSION_COOKIE
from api_shim.security.signin import SignIn
from api_shim.state import AUTHN
from cloudops.services.access import AccessService
from cloudops.services.access.models import (
    CallbackQuery,
    LoginQuery,
    ProviderItem,
    Providers,
    SignedOut,
    Whoami,
    WhoamiCluster,
    WhoamiQuery,
)

__all__ = ["section"]

section = Section(tag="access", resource="managedclusters")


@section.route("GET", "/api/k8s/auth/whoami", "当前用户及其权限", verb="get", query=WhoamiQuery, data=Whoami,
               cluster="caller")
async def whoami(call: Call) -> web.Response:
    user = call.user
    assert user is not None  # the security middleware authenticated the caller
    ref = call.query.cluster_id
    cluster = None if ref is None else await call.resolve(str(ref), "get", "", "cluster_id")
    target = None if cluster is None else WhoamiCluster(id=cluster.id, name=cluster.name)
    return ok(await call.service(AccessService).whoami(user.name, user.groups, user.method, call.may, target,
                                                       issuer=user.issuer, expires_at=user.expires_at))


# --- single sign-on (README "Single sign-on"): the providers, the sign-in round trip, sign-out ---

CALLBACK = "/api/k8s/auth/oidc/callback"


def _signin(call: Call) -> SignIn:
    return SignIn(call.request.app[AUTHN])


def _secure(call: Call) -> bool:
    """Cookies are Secure when browsers reach the shim over TLS (directly or as the public URL says)."""
    return (call.settings.public_url or str(call.request.url)).startswith("https://")


def _callback_url(call: Call) -> str:
    base = call.settings.public_url.rstrip("/") or f"{call.request.scheme}://{call.request.host}"
    return base + CALLBACK


@section.route("GET", "/api/k8s/auth/providers", "单点登录提供方", verb="get", data=Providers, public=True)
async def providers(call: Call) -> web.Response:
    signin = _signin(call)
    items = [ProviderItem(name=name, display_name=p.config.title,
                          login_url=f"/api/k8s/auth/oidc/login?provider={name}")
             for name, p in signin.authn.providers.items() if signin.provider(name) is not None]
    return ok(Providers(providers=items, api_key=True))


@section.route("GET", "/api/k8s/auth/oidc/login", "单点登录：前往身份提供方", verb="get", query=LoginQuery,
               public=True, redirect=True)
async def oidc_login(call: Call) -> web.StreamResponse:
    signin = _signin(call)
    provider = signin.provider(call.query.provider)
    if provider is None:
        raise ApiError(404, f"query.provider: no single sign-on provider named {call.query.provider!r}")
    try:
        begun = await signin.begin(provider, call.query.next, _callback_url(call))
    except OidcError as e:
        return _to_login(f"{provider.config.title}: {e}")
    response = web.Response(status=302, headers={"Location": begun.location, "Cache-Control": "no-store"})
    response.set_cookie(LOGIN_COOKIE, begun.state, max_age=LOGIN_SECONDS, path=CALLBACK, httponly=True,
                        samesite="Lax", secure=_secure(call))
    return response


@section.route("GET", CALLBACK, "单点登录：身份提供方回调", verb="get", query=CallbackQuery, public=True,
               redirect=True)
async def oidc_callback(call: Call) -> web.StreamResponse:
    q = call.query
    try:
        done = await _signin(call).finish(q.code, q.state, call.request.cookies.get(LOGIN_COOKIE), q.error,
                                          q.error_description)
    except OidcError as e:
        response = _to_login(str(e))
    else:
        response = web.Response(status=302, headers={"Location": done.next, "Cache-Control": "no-store"})
        response.set_cookie(SESSION_COOKIE, done.session, max_age=int(call.settings.session_hours * 3600), path="/",
                            httponly=True, samesite="Lax", secure=_secure(call))
    response.del_cookie(LOGIN_COOKIE, path=CALLBACK)
    return response


@section.route("POST", "/api/k8s/auth/logout", "退出登录", verb="get", data=SignedOut, cluster="caller")
async def logout(call: Call) -> web.Response:
    value = call.request.cookies.get(SESSION_COOKIE)
    signed_in_by_it = bool(value) and call.user is not None and call.user.method == "oidc"
    ended = signed_in_by_it and await call.request.app[AUTHN].end_session(value or "")
    response = ok(SignedOut(ended=ended))
    if value:
        response.del_cookie(SESSION_COOKIE, path="/")
    return response


def _to_login(message: str) -> web.Response:
    """Back to the console's sign-in page, which shows why."""
    location = "/ui/login?" + urlencode({"sso_error": message[:300]})
    return web.Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})
