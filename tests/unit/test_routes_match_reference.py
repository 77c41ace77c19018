"""Every route the shim serves is in the API reference, with the same method and path."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from api_shim.app import _ordered
from api_shim.openapi import SYSTEM_ROUTES, build_openapi
from api_shim.routes import SECTIONS

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "endpoints.tsv"


def _reference() -> set[tuple[str, str]]:
    if not SPEC.exists():
        pytest.skip(f"{SPEC} not present (it is beside the repo in CI and on developer machines)")
    with SPEC.open(encoding="utf-8") as f:
        return {(row["method"], row["path"]) for row in csv.DictReader(f, delimiter="\t")}


def test_every_declared_endpoint_is_in_the_reference() -> None:
    reference = _reference()
    served = {(ep.method, ep.path) for s in SECTIONS for ep in s.endpoints}
    assert served, "no endpoints declared"
    assert served <= reference, sorted(served - reference)


def test_cluster_sections_are_complete() -> None:
    reference = {(m, p) for m, p in _reference() if p.startswith("/api/k8s/clusters")}
    served = {(ep.method, ep.path) for s in SECTIONS for ep in s.endpoints}
    assert reference <= served, sorted(reference - served)


def test_openapi_document_lists_every_declared_endpoint() -> None:
    endpoints = _ordered([ep for s in SECTIONS for ep in s.endpoints])
    doc = build_openapi(endpoints)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if p not in SYSTEM_ROUTES}
    assert documented == {(e.method, e.path) for e in endpoints}
