"""One typed settings object, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    namespace: str = "cloudops-system"
    kubeconfig: str | None = None  # None: in-cluster service account
    shim_host: str = "127.0.0.1"
    shim_port: int = 8080
    operator_health_port: int = 8081
    operator_metrics_port: int = 9090
    member_timeout_seconds: float = 5.0

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(
            namespace=env("CLOUDOPS_NAMESPACE", cls.namespace),
            kubeconfig=env("KUBECONFIG") or None,
            shim_host=env("CLOUDOPS_SHIM_HOST", cls.shim_host),
            shim_port=int(env("CLOUDOPS_SHIM_PORT", str(cls.shim_port))),
            operator_health_port=int(env("CLOUDOPS_OPERATOR_HEALTH_PORT", str(cls.operator_health_port))),
            operator_metrics_port=int(env("CLOUDOPS_OPERATOR_METRICS_PORT", str(cls.operator_metrics_port))),
            member_timeout_seconds=float(env("CLOUDOPS_MEMBER_TIMEOUT", str(cls.member_timeout_seconds))),
        )
