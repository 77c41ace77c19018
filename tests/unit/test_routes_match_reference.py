"""Every route the shim serves is in the API reference, with the same method and path."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from api_shim.app import _ordered
from api_shim.openapi import SYSTEM_ROUTES, build_openapi
from api_shim.routes import SECTIONS

REPO = Path(__file__).resolve().parents[2]
VENDORED = REPO / "reference" / "endpoints.tsv"  # a copy, so this test never skips on a fresh clone
SHARED = REPO.parent / "shared" / "spec" / "endpoints.tsv"
# Documented endpoints the product adds beyond the reference (README: "Ids and where we differ").
BEYOND_REFERENCE = {("GET", "/api/k8s/auth/whoami"), ("GET", "/api/k8s/yaml/backup/schedule/list"),
                    ("GET", "/api/k8s/labels/policies/list"), ("GET", "/api/k8s/auth/providers"),
                    ("GET", "/api/k8s/auth/oidc/login"), ("GET", "/api/k8s/auth/oidc/callback"),
                    ("POST", "/api/k8s/auth/logout")}


def _reference() -> set[tuple[str, str]]:
    with VENDORED.open(encoding="utf-8") as f:
        return {(row["method"], row["path"]) for row in csv.DictReader(f, delimiter="\t")}


def test_the_vendored_list_matches_the_shared_reference() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not beside this clone; the vendored copy stands alone")
    assert VENDORED.read_text(encoding="utf-8") == SHARED.read_text(encoding="utf-8")


def test_the_vendored_list_has_every_endpoint() -> None:
    assert len(_reference()) == 122


def test_every_declared_endpoint_is_in_the_reference() -> None:
    reference = _reference()
    served = {(ep.method, ep.path) for s in SECTIONS for ep in s.endpoints}
    assert served, "no endpoints declared"
    assert served <= reference | BEYOND_REFERENCE, sorted(served - reference - BEYOND_REFERENCE)


@pytest.mark.parametrize("prefix", ["/api/k8s/clusters", "/api/k8s/unified", "/api/k8s/crds"])
def test_finished_sections_are_complete(prefix: str) -> None:
    reference = {(m, p) for m, p in _reference() if p.startswith(prefix)}
    served = {(ep.method, ep.path) for s in SECTIONS for ep in s.endpoints}
    assert reference <= served, sorted(reference - served)


def test_openapi_document_lists_every_declared_endpoint() -> None:
    endpoints = _ordered([ep for s in SECTIONS for ep in s.endpoints])
    doc = build_openapi(endpoints)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if p not in SYSTEM_ROUTES}
    assert documented == {(e.http_method, e.path) for e in endpoints}  # WS is served (and documented) as GET
