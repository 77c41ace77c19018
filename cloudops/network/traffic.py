"""Traffic figures of a Service from Prometheus, the only source: without CLOUDOPS_PROMETHEUS_URL they are
null with source "none", never estimated.

Queries use the labels the Prometheus Operator's ServiceMonitors put on scraped series (`namespace`,
`service`) and the conventional HTTP metrics: `http_requests_total` and `http_response_size_bytes_sum`.
"""

from __future__ import annotations

import asyncio
import re
from typing import Literal

import aiohttp
from typing_extensions import TypedDict

__all__ = ["RANGE_SECONDS", "Traffic", "none", "service_traffic"]

RANGE_SECONDS = {"1h": 3600, "24h": 86400, "7d": 604800, "30d": 2592000}
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class Traffic(TypedDict):
    source: Literal["prometheus", "none"]
    total_requests: float | None
    requests_per_second: float | None
    bytes_transferred: float | None
    error: str | None


def none() -> Traffic:
    return {"source": "none", "total_requests": None, "requests_per_second": None, "bytes_transferred": None,
            "error": None}


async def _scalar(session: aiohttp.ClientSession, url: str, query: str) -> float | None:
    async with session.get(f"{url.rstrip('/')}/api/v1/query", params={"query": query}) as resp:
        if resp.status != 200:
            raise ConnectionError(f"Prometheus answered HTTP {resp.status}")
        body = await resp.json(content_type=None)
    result = ((body or {}).get("data") or {}).get("result") or []
    if not result:
        return None
    return round(float(result[0]["value"][1]), 4)


async def service_traffic(url: str, namespace: str, service: str, time_range: str,
                          seconds: float = 5.0) -> Traffic:
    """Requests, requests per second and bytes over `time_range`; ConnectionError/TimeoutError when
    Prometheus cannot answer (the caller reports it, never a guess)."""
    if not _LABEL.fullmatch(namespace) or not _LABEL.fullmatch(service):
        raise ValueError("namespace and service must be DNS labels")
    window = time_range
    selector = f'{{namespace="{namespace}",service="{service}"}}'
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session:
        try:
            requests, size = await asyncio.gather(
                _scalar(session, url, f"sum(increase(http_requests_total{selector}[{window}]))"),
                _scalar(session, url, f"sum(increase(http_response_size_bytes_sum{selector}[{window}]))"))
        except aiohttp.ClientError as e:
            raise ConnectionError(f"Prometheus unreachable: {e.__class__.__name__}") from None
    return {"source": "prometheus", "total_requests": requests,
            "requests_per_second": round(requests / RANGE_SECONDS[time_range], 4) if requests is not None else None,
            "bytes_transferred": size, "error": None}
