"""Schema-valid requests the shim used to refuse with 400, and now answers (README, "What the schema cannot say")."""

from __future__ import annotations

from aiohttp.test_utils import make_mocked_request

from api_shim.resolver import _path_object
from cloudops.containers.logparse import LogLine
from cloudops.members.discovery import ResourceType
from cloudops.members.objects import ObjectId
from cloudops.services.containers.logs import _filter
from cloudops.services.named import scoped

CONFIGMAP = ResourceType(group="", version="v1", plural="configmaps", singular="configmap", kind="ConfigMap",
                         namespaced=True)
NAMESPACE = ResourceType(group="", version="v1", plural="namespaces", singular="namespace", kind="Namespace",
                         namespaced=False)


def test_a_namespaced_object_named_without_a_namespace_is_in_default() -> None:
    assert scoped(CONFIGMAP, "") == "default" and scoped(CONFIGMAP, "web") == "web"
    assert scoped(NAMESPACE, "web") == ""


def test_an_until_before_since_is_an_empty_range() -> None:
    empty = _filter(10, 5, None, None, False)
    assert not any(empty.matches(LogLine(ts, "", "x")) for ts in (4, 5, 7, 10, 11))


def test_an_object_id_in_the_path_names_the_cluster() -> None:
    """The network, autoscaling and CRD object routes take the cluster from an object id, as the unified ones do:
    `cluster_id` completes a bare name only (a 400 while two clusters are registered, before)."""
    request = make_mocked_request("GET", "/", match_info={"name": "2:endpoints:shop:web"})
    assert _path_object(request) == ("name", ObjectId("2", "endpoints", "shop", "web"))
    crd = make_mocked_request("GET", "/", match_info={"name": "widgets.example.com", "resource_name": "b:widget::x"})
    assert _path_object(crd) == ("resource_name", ObjectId("b", "widget", "", "x"))
    assert _path_object(make_mocked_request("GET", "/", match_info={"name": "web"})) is None
    assert _path_object(make_mocked_request("GET", "/", match_info={"name": "UPPER:a:b:c"})) is None
