"""One typed settings object, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["RateLimits", "Settings"]


@dataclass(frozen=True)
class RateLimits:
    """Token buckets: sustained requests per second and burst size, per user, per client IP, per route."""

    user_rate: float = 20.0
    user_burst: int = 40
    ip_rate: float = 50.0
    ip_burst: int = 100
    route_rate: float = 500.0
    route_burst: int = 1000


@dataclass(frozen=True)
class Settings:
    namespace: str = "cloudops-system"
    kubeconfig: str | None = None  # None: in-cluster service account
    listen_host: str = "127.0.0.1"
    shim_port: int = 8080
    operator_health_port: int = 8081
    operator_metrics_port: int = 9090
    member_timeout_seconds: float = 5.0
    sync_timeout_seconds: float = 30.0
    max_clusters: int = 100
    jwt_secret: str = "cloudops-jwt"  # hub Secret with issuer, audience and the verification key
    audit_sink: str = "stdout"  # stdout | none | file:/path
    authz_cache_seconds: float = 10.0
    rate_limits: RateLimits = RateLimits()

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        d = cls()
        limits = RateLimits(
            user_rate=float(env("CLOUDOPS_RATE_USER", str(d.rate_limits.user_rate))),
            user_burst=int(env("CLOUDOPS_BURST_USER", str(d.rate_limits.user_burst))),
            ip_rate=float(env("CLOUDOPS_RATE_IP", str(d.rate_limits.ip_rate))),
            ip_burst=int(env("CLOUDOPS_BURST_IP", str(d.rate_limits.ip_burst))),
            route_rate=float(env("CLOUDOPS_RATE_ROUTE", str(d.rate_limits.route_rate))),
            route_burst=int(env("CLOUDOPS_BURST_ROUTE", str(d.rate_limits.route_burst))),
        )
        return cls(
            namespace=env("CLOUDOPS_NAMESPACE", d.namespace),
            kubeconfig=env("KUBECONFIG") or None,
            listen_host=env("CLOUDOPS_LISTEN_HOST", d.listen_host),
            shim_port=int(env("CLOUDOPS_SHIM_PORT", str(d.shim_port))),
            operator_health_port=int(env("CLOUDOPS_OPERATOR_HEALTH_PORT", str(d.operator_health_port))),
            operator_metrics_port=int(env("CLOUDOPS_OPERATOR_METRICS_PORT", str(d.operator_metrics_port))),
            member_timeout_seconds=float(env("CLOUDOPS_MEMBER_TIMEOUT", str(d.member_timeout_seconds))),
            sync_timeout_seconds=float(env("CLOUDOPS_SYNC_TIMEOUT", str(d.sync_timeout_seconds))),
            max_clusters=int(env("CLOUDOPS_MAX_CLUSTERS", str(d.max_clusters))),
            jwt_secret=env("CLOUDOPS_JWT_SECRET", d.jwt_secret),
            audit_sink=env("CLOUDOPS_AUDIT_SINK", d.audit_sink),
            authz_cache_seconds=float(env("CLOUDOPS_AUTHZ_CACHE_SECONDS", str(d.authz_cache_seconds))),
            rate_limits=limits,
        )
