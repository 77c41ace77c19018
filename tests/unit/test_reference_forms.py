"""The reference's own examples, held against what the product declares and answers (issue 19): its integer ids
refused with the form of ours, its quantities and byte counts in its own notation, its ingress backend in the
declared schema, its `requirements=cpu,memory,gpu` accepted."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from api_shim.openapi import build_openapi
from api_shim.path_formats import path_param_schema
from api_shim.routes import SECTIONS
from cloudops.errors import BadRequest
from cloudops.id_forms import expected_form, is_integer_id, refuse_integer_id
from cloudops.members.access import ClusterRef
from cloudops.quantity_format import byte_quantity, is_byte_resource, metric_bytes, usage_value
from cloudops.services.backups.models import CreateBody, ScheduleBody
from cloudops.services.network.names import ENDPOINTS, INGRESS, NETWORKPOLICY, named
from cloudops.services.scheduling.models import SuggestionQuery
from cloudops.validation import validation_message

CLUSTER = ClusterRef(1, "m1", {})


def test_integer_ids_are_recognised_in_every_form_they_arrive_in() -> None:
    assert is_integer_id(5) and is_integer_id("5") and is_integer_id("0123")
    assert not any(is_integer_id(v) for v in (True, "5a", "", "web", "1:pod:default:web", "٥", 5.0))
    assert expected_form("resourcequota") == ("<cluster>:resourcequota:<namespace>:<name>, "
                                              "e.g. 1:resourcequota:default:compute")
    assert expected_form() == "<cluster>:<type>:<namespace>:<name>, e.g. 1:deployment:default:web"
    with pytest.raises(BadRequest) as caught:
        refuse_integer_id("5", "id", "limitrange")
    assert caught.value.detail == ("id: expected <cluster>:limitrange:<namespace>:<name>, "
                                   "e.g. 1:limitrange:default:defaults; got 5")
    refuse_integer_id("web", "id")


@pytest.mark.parametrize(("kind", "example"), [(ENDPOINTS, "default:web"), (INGRESS, "default:web"),
                                               (NETWORKPOLICY, "default:deny-all")])
def test_network_names_refuse_an_integer_with_the_id_form(kind: str, example: str) -> None:
    with pytest.raises(BadRequest) as caught:
        named(CLUSTER, "42", kind, "shop")
    assert caught.value.detail == f"name: expected <cluster>:{kind}:<namespace>:<name>, e.g. 1:{kind}:{example}; got 42"
    assert named(CLUSTER, f"1:{kind}:shop:42", kind, None).name == "42"  # an all-digit name, by its full id
    assert named(CLUSTER, "web5", kind, "shop").id == f"1:{kind}:shop:web5"


@pytest.mark.parametrize("model", [CreateBody, ScheduleBody])
def test_backup_targets_refuse_the_references_integer_resource_id(model: Any) -> None:
    """The reference's backup example sends `"resource_id": 123`."""
    body = {"resource_id": 123, "resource_type": "deployment", "schedule": "@daily"}
    if model is CreateBody:
        body.pop("schedule")
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body, strict=True)
    assert validation_message(caught.value, "body") == (
        "body.resource_id: expected <cluster>:<type>:<namespace>:<name>, e.g. 1:deployment:default:web; got 123")


def test_object_path_parameters_declare_that_digits_alone_are_not_a_name() -> None:
    for path, name in (("/api/k8s/resourcequota/{id}", "id"), ("/api/k8s/unified/resources/{id}", "id"),
                       ("/api/k8s/ingress/{name}", "name"), ("/api/k8s/endpoints/{name}/metrics", "name")):
        bare = path_param_schema(path, name)["anyOf"][1]["pattern"]
        assert not re.fullmatch(bare[1:-1], "5") and not re.fullmatch(bare[1:-1], "123")
        assert re.fullmatch(bare[1:-1], "web5") and re.fullmatch(bare[1:-1], "5web")


def test_quantities_and_byte_counts_in_the_references_notation() -> None:
    assert [byte_quantity(v) for v in (0, 512, 1024, 1536, 5 * 2**30, 1536 * 2**20, 10**9, 1500 * 10**3,
                                       5 * 2**30 + 1, 5 * 2**30 + 0.4)] == [
        "0", "512", "1Ki", "1536", "5Gi", "1536Mi", "1G", "1500k", "5368709121", "5Gi"]
    assert [metric_bytes(v) for v in (0, 900, 2.5e9, 1234567, 999.95e6, 1048576)] == [
        "0B", "900B", "2.5GB", "1.23MB", "1GB", "1.05MB"]
    assert all(is_byte_resource(n) for n in ("memory", "requests.memory", "limits.ephemeral-storage",
                                             "requests.storage", "gold.storageclass.storage.k8s.io/requests.storage",
                                             "requests.hugepages-2Mi"))
    assert not any(is_byte_resource(n) for n in ("cpu", "requests.cpu", "pods", "count/deployments.apps",
                                                 "requests.nvidia.com/gpu"))
    assert usage_value("requests.memory", 5 * 2**30) == "5Gi" and usage_value("requests.cpu", 2.5) == 2.5
    assert usage_value("pods", 6.0) == 6 and isinstance(usage_value("pods", 6.0), int)


def test_the_references_suggestion_query_is_valid() -> None:
    q = SuggestionQuery.model_validate({"requirements": "cpu,memory,gpu", "resource_type": "deployment"})
    assert q.requirements == "cpu,memory,gpu"
    with pytest.raises(ValidationError):
        SuggestionQuery.model_validate({"resource_type": "widget"})


def _data_schema(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    envelope = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    return {**envelope["properties"]["data"], "components": doc["components"]}


def test_the_references_ingress_backend_matches_the_declared_response() -> None:
    """2.1's example, ids aside (ours are strings): `backend: {service: {name, port: {number}}}` and a load
    balancer entry with only `ip` are what networking.k8s.io/v1 writes, and the schema says so."""
    doc = build_openapi([ep for section in SECTIONS for ep in section.endpoints])
    ingress = {"id": "1:ingress:default:nginx-ingress", "name": "nginx-ingress", "namespace": "default",
               "cluster_id": 1, "cluster_name": "prod", "class": "nginx", "default_backend": None,
               "rules": [{"host": "example.com", "http": {"paths": [{"path": "/", "path_type": "Prefix", "backend": {
                   "service": {"name": "nginx-service", "port": {"number": 80}}}}]}}],
               "tls": [{"hosts": ["example.com"], "secret_name": "example-tls"}],
               "status": {"load_balancer": {"ingress": [{"ip": "192.168.1.100"}]}},
               "labels": {"app": "nginx"}, "annotations": {}, "created_at": "2024-01-01T00:00:00Z"}
    listed = {"ingresses": [ingress], "total": 1, "limit": 20, "offset": 0}
    jsonschema.validate(listed, _data_schema(doc, "/api/k8s/ingress", "get"))
