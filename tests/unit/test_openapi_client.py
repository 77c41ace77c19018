"""The served OpenAPI document as its consumers read it: valid OpenAPI 3.1 (openapi-spec-validator), and a
client generated from it (openapi-python-client 0.29) that has every operation and every declared response.

Client generators name types after schema titles: before every component had its own title, 31 schemas shared
one (`Deleted`, `BatchBody`, ...) and openapi-python-client dropped 9 operations and the responses of 19 more.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from api_shim.app import _ordered
from api_shim.openapi import build_openapi
from api_shim.openapi_schemas import title_of
from api_shim.routes import SECTIONS

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@cache
def _document() -> dict[str, Any]:
    return json.loads(json.dumps(build_openapi(_ordered([ep for s in SECTIONS for ep in s.endpoints]))))


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], set[int]]:
    """(METHOD, path) -> the statuses the document declares for it."""
    return {(method.upper(), path): {int(s) for s in op["responses"]}
            for path, item in doc["paths"].items() for method, op in item.items()}


def test_the_document_is_valid_openapi() -> None:
    validate(_document())  # raises OpenAPIValidationError naming the offending part


def test_every_component_has_a_title_of_its_own() -> None:
    schemas = _document()["components"]["schemas"]
    titles = [s.get("title", name) for name, s in schemas.items()]
    assert sorted(t for t in titles if titles.count(t) > 1) == []
    assert schemas["unified.Deleted"]["title"] == "UnifiedDeleted"
    assert schemas["ClusterDetail"]["title"] == "ClusterDetail"
    assert title_of("network_params.Deleted") == "NetworkParamsDeleted"


def _literal(node: ast.expr | None) -> str | None:
    """A string constant, or the constant a `"...".format(...)` call formats."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal(node.func.value)
    return None


def _generated(package: Path) -> dict[tuple[str, str], set[int]]:
    """(METHOD, path) -> the statuses its generated module parses, read from the module's source: the request
    `_get_kwargs` builds and the `response.status_code == N` branches of `_parse_response`."""
    found: dict[tuple[str, str], set[int]] = {}
    for module in sorted((package / "api").rglob("*.py")):
        tree = ast.parse(module.read_text(), str(module))
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        if "_get_kwargs" not in functions:
            continue
        request: dict[str, str | None] = {}
        for node in ast.walk(functions["_get_kwargs"]):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in ("method", "url"):
                        request[key.value] = _literal(value)
        statuses = {node.comparators[0].value for node in ast.walk(functions["_parse_response"])
                    if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute)
                    and node.left.attr == "status_code" and isinstance(node.comparators[0], ast.Constant)}
        method, url = request.get("method"), request.get("url")
        assert method and url, f"{module}: no request in _get_kwargs"
        found[(method.upper(), url)] = statuses
    return found


def test_a_generated_client_has_every_operation_and_response(tmp_path: Path) -> None:
    assert GENERATOR.exists(), "openapi-python-client is a dev dependency: pip install -e '.[dev]'"
    spec, config, out = tmp_path / "openapi.json", tmp_path / "config.json", tmp_path / "client"
    spec.write_text(json.dumps(_document()))
    config.write_text(json.dumps({"post_hooks": []}))  # no formatter run: its absence would be a warning
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(spec), "--output-path", str(out),
                          "--meta", "none", "--config", str(config)],
                         capture_output=True, text=True, timeout=300, check=False)
    output = (run.stdout + run.stderr).strip()
    assert run.returncode == 0, output
    # Anything but the progress line is a warning: a schema it could not read, an operation or response dropped.
    assert [line for line in output.splitlines() if line.strip() and not line.startswith("Generating ")] == [], output
    declared, generated = _operations(_document()), _generated(out)
    assert sorted(set(declared) - set(generated)) == []
    missing = {f"{m} {p}": sorted(s - generated[(m, p)]) for (m, p), s in declared.items()
               if s - generated.get((m, p), s)}
    assert missing == {}
