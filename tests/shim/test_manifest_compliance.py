"""The product's own compliance check, run through its REST API on its own manifests as rendered by the chart
and by kustomize and applied to a member: the score the README states."""

from __future__ import annotations

from typing import Any

import pytest

from tests.manifests import chart_text, in_namespace, kustomize_text, objects
from tests.shim.conftest import Client
from tests.shim.network_fixtures import Member, call, member

__all__ = ["member"]

RUN = "/api/k8s/compliance/check"


@pytest.mark.parametrize("source", ["chart", "kustomize"])
async def test_the_products_manifests_score_at_least_90_on_its_own_check(member: Member, shim: Client,
                                                                          source: str) -> None:
    text = chart_text() if source == "chart" else kustomize_text()
    ns = await member.namespace({})
    for obj in in_namespace(objects(text), ns):
        await member.apply(obj, ns)
    run: dict[str, Any] = (await call(shim, "POST", RUN, json={"namespaces": [ns]}))["data"]
    failing = {(r["name"], r["policy"]): [v["check_id"] for v in r["violations"]]
               for r in run["results"] if r["status"] == "failed"}
    assert failing == {}, failing
    assert {r["name"] for r in run["results"]} == {"cloudops-operator", "cloudops-shim"}
    assert run["summary"] == {"total": 12, "passed": 12, "failed": 0, "compliance_score": 100.0,
                              "score_reason": None}
