"""The product's version: one place (pyproject.toml's `version`), read from the installed distribution.

The image tag, the chart's appVersion, kustomize's newTag and MCP's `serverInfo.version` all follow it
(tests/unit/test_version.py holds them together).
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

__all__ = ["VERSION"]

_DIST = "cloudops-k8s"


def _version() -> str:
    try:
        return metadata.version(_DIST)
    except metadata.PackageNotFoundError:  # a source tree run without installing: read the one place itself
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])


VERSION = _version()
