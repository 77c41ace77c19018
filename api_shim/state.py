"""Typed application state keys."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from api_shim.metrics import ShimMetrics
from api_shim.routing import RouteTable
from api_shim.security.audit import AuditSink
from api_shim.security.authn import Authenticator
from api_shim.security.authz import Authorizer
from api_shim.security.client_ip import TrustedProxies
from api_shim.security.ratelimit import Buckets
from cloudops.clusters.cache import ClusterCache
from cloudops.clusters.connect import MemberClients
from cloudops.clusters.registry import Registry
from cloudops.kube.client import ApiClient
from cloudops.members.access import MemberAccess
from cloudops.settings import RateLimits, Settings

__all__ = ["ACCESS", "AUDIT", "AUTHN", "AUTHZ", "CACHE", "ENDPOINTS", "HUB", "LIMITS", "MEMBERS", "METRICS",
           "PROXIES", "REGISTRY", "ROUTES", "SETTINGS", "Limits"]


@dataclass
class Limits:
    ip: Buckets
    user: Buckets
    route: Buckets

    @classmethod
    def from_settings(cls, r: RateLimits) -> Limits:
        return cls(Buckets(r.ip_rate, r.ip_burst), Buckets(r.user_rate, r.user_burst),
                   Buckets(r.route_rate, r.route_burst))


SETTINGS = web.AppKey("settings", Settings)
HUB = web.AppKey("hub", ApiClient)
METRICS = web.AppKey("metrics", ShimMetrics)
ENDPOINTS = web.AppKey("endpoints", list)
AUTHN = web.AppKey("authn", Authenticator)
AUTHZ = web.AppKey("authz", Authorizer)
LIMITS = web.AppKey("limits", Limits)
AUDIT = web.AppKey("audit", AuditSink)
MEMBERS = web.AppKey("members", MemberClients)
# Cluster lookup in the hub, and sessions with members: one of each per app.
REGISTRY = web.AppKey("registry", Registry)
ACCESS = web.AppKey("access", MemberAccess)
# The watch-backed view of ManagedClusters and kubeconfig Secret versions (readiness waits for it).
CACHE = web.AppKey("cache", ClusterCache)
PROXIES = web.AppKey("proxies", TrustedProxies)
ROUTES = web.AppKey("routes", RouteTable)
