"""Console entry point `cloudops-operator`: kopf against the hub, one namespace, liveness probe on."""

from __future__ import annotations

import asyncio

import kopf

import cloudops_operator.handlers  # noqa: F401  (registers handlers)
from cloudops.logs import setup_logging
from cloudops.settings import Settings
from cloudops_operator.memo import Memo

__all__ = ["main"]


def main() -> None:
    setup_logging()
    settings = Settings.from_env()
    asyncio.run(kopf.operator(
        namespaces=[settings.namespace],
        standalone=True,
        liveness_endpoint=f"http://{settings.listen_host}:{settings.operator_health_port}/healthz",
        memo=Memo(),
    ))


if __name__ == "__main__":
    main()
