"""Parsing and checking user-supplied kubeconfigs without ever echoing their content."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import yaml

__all__ = ["KubeconfigError", "parse_kubeconfig", "decode_base64_kubeconfig", "server_of"]


class KubeconfigError(ValueError):
    """Raised with a message that names what is wrong, never the kubeconfig's text."""


def decode_base64_kubeconfig(encoded: str) -> str:
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise KubeconfigError("kubeconfig: not valid base64-encoded UTF-8") from None


def parse_kubeconfig(text: str, context: str | None = None) -> dict[str, Any]:
    """Returns the parsed kubeconfig after checking that `context` (or current-context) resolves."""
    try:
        cfg = yaml.safe_load(text)
    except yaml.YAMLError:
        raise KubeconfigError("kubeconfig: not valid YAML") from None
    if not isinstance(cfg, dict) or not isinstance(cfg.get("contexts"), list):
        raise KubeconfigError("kubeconfig: no contexts section (is this a kubeconfig?)")
    name = context or cfg.get("current-context")
    if not name:
        raise KubeconfigError("context: not given and the kubeconfig has no current-context")
    contexts = {c.get("name"): c.get("context", {}) for c in cfg["contexts"] if isinstance(c, dict)}
    if name not in contexts:
        raise KubeconfigError(f"context: {name!r} is not in the kubeconfig (has: {', '.join(sorted(map(str, contexts)))})")
    ctx = contexts[name] or {}
    clusters = {c.get("name"): c.get("cluster", {}) for c in cfg.get("clusters", []) or [] if isinstance(c, dict)}
    if ctx.get("cluster") not in clusters or not (clusters[ctx.get("cluster")] or {}).get("server"):
        raise KubeconfigError(f"context: {name!r} refers to a cluster with no server")
    users = {u.get("name") for u in cfg.get("users", []) or [] if isinstance(u, dict)}
    if ctx.get("user") and ctx["user"] not in users:
        raise KubeconfigError(f"context: {name!r} refers to user {ctx['user']!r} that is not in the kubeconfig")
    return cfg


def server_of(cfg: dict[str, Any], context: str | None) -> str:
    name = context or cfg.get("current-context")
    ctx = next(c["context"] for c in cfg["contexts"] if c.get("name") == name)
    cluster = next(c["cluster"] for c in cfg["clusters"] if c.get("name") == ctx["cluster"])
    return str(cluster["server"])
