"""Which declared path owns a request path, so 405 and `Allow` speak of that path alone.

aiohttp tries every resource that matches: `/clusters/add` also matches `/clusters/{id}`, so a PUT to it
would reach the cluster update handler and a 405 would list the methods of both paths. The owner is the
most specific declared template (literal segments beat parameters), as the API reference means it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api_shim.endpoints import Endpoint

__all__ = ["RouteTable"]


@dataclass(frozen=True)
class Owner:
    template: str
    methods: tuple[str, ...]


class RouteTable:
    def __init__(self, endpoints: list[Endpoint]) -> None:
        by_template: dict[str, set[str]] = {}
        for ep in endpoints:
            by_template.setdefault(ep.path, set()).add(ep.http_method)
        ordered = sorted(by_template, key=lambda t: (t.count("{"), t.find("{") if "{" in t else 0))
        self._routes = [(re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(t)) + "$"),
                         Owner(t, tuple(sorted(by_template[t])))) for t in ordered]

    def owner(self, path: str) -> Owner | None:
        return next((owner for pattern, owner in self._routes if pattern.match(path)), None)
