"""The OpenAPI document as the shim serves it: built once per app, off the event loop, then the same bytes."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from api_shim.endpoints import Endpoint
from api_shim.openapi import build_openapi

__all__ = ["OPENAPI", "ServedDocument"]


class ServedDocument:
    """Routes do not change while the shim runs, and building the document (schemas, links, prose, examples:
    about a megabyte) takes a quarter of a second of pure work: build it once, in a thread, on first request."""

    def __init__(self, endpoints: list[Endpoint]) -> None:
        self._endpoints = endpoints
        self._body: bytes | None = None
        self._lock = asyncio.Lock()

    async def body(self) -> bytes:
        async with self._lock:
            if self._body is None:
                document = await asyncio.to_thread(build_openapi, self._endpoints)
                self._body = json.dumps(document).encode()
        return self._body


OPENAPI = web.AppKey("openapi", ServedDocument)
