"""Come back when an API server says so: 429 (and 503) with `Retry-After`, as client-go does.

An API server answers 429 with `Retry-After` when priority and fairness sheds load or a watch cache is
still (re)initializing after a restart or a compaction; the request was not processed, so sending it again
is safe for every verb. client-go retries these on its own (up to ten times); the generated Python client
does not, so without this a busy hub's one-second hiccup became a 503 for our caller.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from kubernetes_asyncio.client import ApiClient
from kubernetes_asyncio.client.exceptions import ApiException

__all__ = ["MAX_RETRIES", "MAX_WAIT_SECONDS", "retry_after", "retrying"]

log = logging.getLogger(__name__)

MAX_RETRIES = 3
MAX_WAIT_SECONDS = 2.0  # one wait at most; a server asking for longer gets its answer passed on sooner
RETRIED = (429, 503)


def retry_after(status: int, headers: Any) -> float | None:
    """Seconds to wait before sending again, or None when the answer is not an invitation to retry."""
    if status not in RETRIED or headers is None:
        return None
    value = headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    if seconds is None or seconds < 0:
        return None
    return min(seconds, MAX_WAIT_SECONDS)


def retrying(api: ApiClient) -> ApiClient:
    """Wraps the client's transport so every call (generated or raw) honours `Retry-After` a few times."""
    rest = getattr(api, "rest_client", None)
    if rest is None or getattr(rest, "_cloudops_retrying", False):
        return api
    send: Callable[..., Awaitable[Any]] = rest.request

    async def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(MAX_RETRIES + 1):
            last = attempt == MAX_RETRIES
            try:
                resp = await send(method, url, *args, **kwargs)
            except ApiException as e:
                wait = None if last else retry_after(e.status or 0, e.headers)
                if wait is None:
                    raise
            else:
                wait = None if last else retry_after(int(getattr(resp, "status", 200)), getattr(resp, "headers", None))
                if wait is None:
                    return resp
                release = getattr(resp, "release", None)
                if callable(release):
                    release()
            log.info("%s %s: the API server asked to retry in %.1fs (attempt %d)", method, url.split("?")[0],
                     wait, attempt + 1)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    rest.request = request
    rest._cloudops_retrying = True
    return api
