"""The web console's files at /ui/: the built single-page app (ui/dist), same origin as the API it calls.

Hashed assets are immutable and cached for a year; every other path under /ui/ is a client-side route and
gets index.html, never cached, so a new build shows at the next load. The Content-Security-Policy allows
scripts only from the shim itself (no inline script, no CDN) and no framing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from api_shim.envelope import ApiError

__all__ = ["CSP", "mount_console"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY"}
IMMUTABLE = "public, max-age=31536000, immutable"
DIST = Path(__file__).resolve().parents[1] / "ui" / "dist"


def _file(root: Path, tail: str) -> Path | None:
    """The file `tail` names inside `root`, or None (a route, or an attempt to leave the directory)."""
    if not tail or tail.endswith("/"):
        return None
    path = (root / tail).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


class Console:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    async def serve(self, request: web.Request) -> web.StreamResponse:
        tail = request.match_info.get("tail", "")
        found = await asyncio.to_thread(_file, self.root, tail)
        if found is not None and found.name != "index.html":
            cache = IMMUTABLE if tail.startswith("assets/") else "no-cache"
            return web.FileResponse(found, headers={**HEADERS, "Cache-Control": cache})
        if tail.startswith("assets/"):  # a missing asset is a 404, not the page (a stale tab's old chunk)
            raise ApiError(404, f"/ui/{tail[:200]}: no such file in the console build")
        index = self.root / "index.html"
        try:
            body = await asyncio.to_thread(index.read_bytes)
        except OSError:
            raise ApiError(503, "the web console is not built: run `make ui` (or `make run`, which builds it), "
                                f"or set CLOUDOPS_CONSOLE_DIR; looked in {self.root}") from None
        return web.Response(body=body, content_type="text/html", charset="utf-8",
                            headers={**HEADERS, "Cache-Control": "no-cache"})

    async def redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect("/ui/")


def mount_console(app: web.Application, directory: str) -> None:
    console = Console(Path(directory) if directory else DIST)
    app.router.add_get("/ui", console.redirect)
    app.router.add_get("/ui/{tail:.*}", console.serve)
