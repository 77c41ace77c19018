"""Schemathesis hooks of the contract test, loaded by its CLI runs (SCHEMATHESIS_HOOKS): the rules of its fleet.

`cluster_id` is optional while exactly one cluster is registered and required while more are (the README says
so; JSON Schema cannot make a parameter depend on how many clusters exist). With the test's two members, a
schema-valid case of an operation taking `cluster_id` is sent with one of the fleet's clusters when it has
none, so every other 400 of that operation stays a finding. Negative cases are sent as generated.
CLOUDOPS_CONTRACT_FLEET is a JSON object: `clusters` (ids and names), `query` and `body` (the labels,
`GET /api/k8s/...`, of the operations taking `cluster_id` in the query, in a JSON body).
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

import schemathesis

FLEET: dict[str, list[str]] = json.loads(os.environ.get("CLOUDOPS_CONTRACT_FLEET", "{}"))
_pick = random.Random(0)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta, label = case.meta, case.operation.label
    if meta is None or not meta.generation.mode.is_positive:
        return
    if label in FLEET.get("query", ()) and (case.query or {}).get("cluster_id") in (None, ""):
        case.query = {**(case.query or {}), "cluster_id": _pick.choice(FLEET["clusters"])}
    if label in FLEET.get("body", ()):
        body = case.body if isinstance(case.body, dict) else {}  # an optional body left out is `{}` to the shim
        if body.get("cluster_id") in (None, ""):
            if case.media_type is None:
                case.media_type = "application/json"
            case.body = {**body, "cluster_id": _pick.choice(FLEET["clusters"])}
