"""Typed application state keys."""

from __future__ import annotations

from aiohttp import web
from kubernetes_asyncio.client import ApiClient

from api_shim.metrics import ShimMetrics
from cloudops.settings import Settings

__all__ = ["ENDPOINTS", "HUB", "METRICS", "SETTINGS"]

SETTINGS = web.AppKey("settings", Settings)
HUB = web.AppKey("hub", ApiClient)
METRICS = web.AppKey("metrics", ShimMetrics)
ENDPOINTS = web.AppKey("endpoints", list)
