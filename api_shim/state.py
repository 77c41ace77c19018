"""Typed application state keys."""

from __future__ import annotations

from kubernetes_asyncio.client import ApiClient
from aiohttp import web

from api_shim.metrics import ShimMetrics
from cloudops.settings import Settings

__all__ = ["SETTINGS", "HUB", "METRICS", "ENDPOINTS"]

SETTINGS = web.AppKey("settings", Settings)
HUB = web.AppKey("hub", ApiClient)
METRICS = web.AppKey("metrics", ShimMetrics)
ENDPOINTS = web.AppKey("endpoints", list)
