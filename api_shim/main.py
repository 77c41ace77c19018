"""Console entry point `cloudops-shim`."""

from __future__ import annotations

import logging

from aiohttp import web

from api_shim.app import create_app
from cloudops.kube.client import shrink_tls_buffers
from cloudops.logs import setup_logging
from cloudops.native_memory import limit_arenas
from cloudops.settings import Settings

__all__ = ["main"]


def main() -> None:
    setup_logging()
    shrink_tls_buffers()
    limit_arenas()
    settings = Settings.from_env()
    logging.getLogger("cloudops.shim").info("serving on http://%s:%d (REST /api/k8s, MCP /mcp)", settings.listen_host,
                                            settings.shim_port)
    # Long query strings (selectors, id lists) within what the models allow must reach the app, which answers
    # with the envelope; aiohttp's own 8 KiB line limit would answer in plain text.
    web.run_app(create_app(settings), host=settings.listen_host, port=settings.shim_port, print=None,
                access_log=None, max_line_size=65536, max_field_size=65536)


if __name__ == "__main__":
    main()
