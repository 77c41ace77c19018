"""Parsing and checking user-supplied kubeconfigs without ever echoing their content."""

from __future__ import annotations

import base64
import binascii

import yaml

from cloudops.bounded import DocumentTooComplex, check_yaml
from cloudops.errors import ConfigError
from cloudops.kube.types import JsonObject

__all__ = ["KubeconfigError", "decode_base64_kubeconfig", "named", "parse_kubeconfig", "server_of"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # a safe loader; the C one when built


class KubeconfigError(ConfigError, ValueError):
    """Raised with a message that names what is wrong, never the kubeconfig's text."""


def decode_base64_kubeconfig(encoded: str) -> str:
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise KubeconfigError("kubeconfig: not valid base64-encoded UTF-8") from None


def named(cfg: JsonObject, section: str, body_key: str) -> dict[str, JsonObject]:
    """`section` as {name: body}, rejecting entries of the wrong shape instead of crashing on them."""
    entries = cfg.get(section) or []
    if not isinstance(entries, list):
        raise KubeconfigError(f"kubeconfig: {section} must be a list")
    out: dict[str, JsonObject] = {}
    for i, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(name, str):
            raise KubeconfigError(f"kubeconfig: {section}[{i}] must be a mapping with a string name")
        body = entry.get(body_key) or {}
        if not isinstance(body, dict):
            raise KubeconfigError(f"kubeconfig: {section}[{i}].{body_key} must be a mapping")
        out[name] = body
    return out


def _load(text: str) -> JsonObject:
    try:
        check_yaml(text)  # before the loader, whose composer recurses once per level
        cfg = yaml.load(text, Loader=_Loader)
    except DocumentTooComplex as e:
        raise KubeconfigError(f"kubeconfig: {e}") from None
    except yaml.YAMLError:
        raise KubeconfigError("kubeconfig: not valid YAML") from None
    if not isinstance(cfg, dict) or not isinstance(cfg.get("contexts"), list):
        raise KubeconfigError("kubeconfig: no contexts section (is this a kubeconfig?)")
    return cfg


def parse_kubeconfig(text: str, context: str | None = None) -> JsonObject:
    """Returns the parsed kubeconfig after checking that `context` (or current-context) resolves."""
    cfg = _load(text)
    contexts = named(cfg, "contexts", "context")
    clusters = named(cfg, "clusters", "cluster")
    users = named(cfg, "users", "user")
    name = context or cfg.get("current-context")
    if not name:
        raise KubeconfigError("context: not given and the kubeconfig has no current-context")
    if not isinstance(name, str):
        raise KubeconfigError("kubeconfig: current-context must be a string")
    if name not in contexts:
        raise KubeconfigError(f"context: {name!r} is not in the kubeconfig (has: {', '.join(sorted(contexts))})")
    ctx = contexts[name]
    cluster = ctx.get("cluster")
    if not isinstance(cluster, str) or cluster not in clusters or not clusters[cluster].get("server"):
        raise KubeconfigError(f"context: {name!r} refers to a cluster with no server")
    user = ctx.get("user")
    if user is not None and not isinstance(user, str):
        raise KubeconfigError(f"context: {name!r} has a user reference that is not a string")
    if user is not None and user not in users:
        raise KubeconfigError(f"context: {name!r} refers to user {user!r} that is not in the kubeconfig")
    return cfg


def server_of(cfg: JsonObject, context: str | None) -> str:
    """The server of `context` (or current-context) in a kubeconfig parse_kubeconfig accepted."""
    name = str(context or cfg["current-context"])
    cluster = named(cfg, "contexts", "context")[name]["cluster"]
    return str(named(cfg, "clusters", "cluster")[str(cluster)]["server"])
