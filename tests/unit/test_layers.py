"""The shape rules of issue 17, held by the code itself: module and function sizes, thin handlers, and the
member access layer as the only place a MemberSession is built. (Import rules: import-linter, `make lint`.)"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from api_shim.routes import SECTIONS

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
MAX_AVERAGE_HANDLER_LINES = 15


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(), str(path))
    return [(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", (node.end_lineno or node.lineno) - node.lineno + 1)
            for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_shim_module_over_300_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules("api_shim")
            if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_over_60_lines() -> None:
    long = [f"{name} ({n} lines)" for package in ("api_shim", "cloudops/services") for p in _modules(package)
            for name, n in _functions(p) if n > MAX_FUNCTION_LINES]
    assert long == []


def test_handlers_are_thin() -> None:
    """A handler is validated input, one service call and a response model: ≤ 15 lines on average."""
    sizes = [len(inspect.getsource(ep.handler).splitlines()) for s in SECTIONS for ep in s.endpoints]
    assert sizes and sum(sizes) / len(sizes) <= MAX_AVERAGE_HANDLER_LINES, sum(sizes) / len(sizes)


def test_sessions_are_built_only_by_the_member_access_layer() -> None:
    """`MemberSession(...)` is constructed in cloudops.members alone: everyone else asks MemberAccess."""
    builders = []
    for package in ("api_shim", "cloudops", "cloudops_operator"):
        for p in _modules(package):
            if p.is_relative_to(ROOT / "cloudops" / "members"):
                continue
            for node in ast.walk(ast.parse(p.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "MemberSession":
                    builders.append(f"{p.relative_to(ROOT)}:{node.lineno}")
    assert builders == []


def test_every_json_endpoint_declares_its_response_model() -> None:
    """Endpoint.handle refuses an answer not built from `data`: an endpoint without one would answer untyped."""
    untyped = [f"{ep.method} {ep.path}" for s in SECTIONS for ep in s.endpoints
               if ep.data is None and ep.method != "WS" and not ep.media and not ep.redirect]
    assert untyped == []


# camelCase words that are the Kubernetes API's own (or a request's), not fields of our custom resources.
NOT_OURS = {"apiVersion", "resourceVersion", "observedGeneration", "lastTransitionTime", "matchLabels",
            "matchExpressions", "ownerReferences", "creationTimestamp", "labelSelector", "namespaceSelector",
            "podSelector", "dryRun", "resourceType"}


def _properties(schema: object, out: set[str]) -> None:
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            out.add(name)
            _properties(sub, out)
        _properties(schema.get("items"), out)
        _properties(schema.get("additionalProperties"), out)


def test_custom_resource_fields_are_named_only_by_their_models() -> None:
    """No camelCase field of our CRDs as a string literal outside cloudops/resources: code goes through the
    models, so a renamed field is one change, checked by test_resource_models."""
    import yaml

    fields: set[str] = set()
    for crd in (ROOT / "crds").glob("*.yaml"):
        if crd.name != "kustomization.yaml":
            for version in yaml.safe_load(crd.read_text())["spec"]["versions"]:
                schema = version["schema"]["openAPIV3Schema"]["properties"]
                _properties(schema.get("spec"), fields)
                _properties(schema.get("status"), fields)
    ours = {f for f in fields if any(c.isupper() for c in f)} - NOT_OURS
    literals = [f"{p.relative_to(ROOT)}:{node.lineno} {node.value}"
                for package in ("api_shim", "cloudops", "cloudops_operator") for p in _modules(package)
                if not p.is_relative_to(ROOT / "cloudops" / "resources")
                for node in ast.walk(ast.parse(p.read_text()))
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ours]
    assert len(ours) > 50 and literals == []
