"""Write the OpenAPI document to a file without a hub (`python -m api_shim.openapi_dump OUT`): the console's
build generates its API types from it, so a schema change breaks the console's build, not its pages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api_shim.app import _ordered
from api_shim.openapi import build_openapi
from api_shim.routes import SECTIONS


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m api_shim.openapi_dump OUT.json", file=sys.stderr)
        return 2
    document = build_openapi(_ordered([ep for s in SECTIONS for ep in s.endpoints]))
    Path(argv[0]).write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
