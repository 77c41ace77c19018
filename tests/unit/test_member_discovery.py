"""cloudops.members.discovery: aggregated and legacy discovery documents become resolvable resource types."""

from __future__ import annotations

from typing import Any

import pytest

from cloudops.members.discovery import Discovery, ResourceType, parse_aggregated, parse_legacy

Json = dict[str, Any]
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def _res(plural: str, kind: str, singular: str, scope: str = "Namespaced", short: list[str] | None = None,
         subs: list[str] | None = None) -> Json:
    out: Json = {"resource": plural, "responseKind": {"group": "", "version": "", "kind": kind},
                 "scope": scope, "singularResource": singular, "verbs": VERBS}
    if short:
        out["shortNames"] = short
    if subs:
        out["subresources"] = [{"subresource": s, "responseKind": {"kind": kind}, "verbs": ["get"]} for s in subs]
    return out


CORE: Json = {
    "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
    "items": [{"metadata": {"name": ""}, "versions": [{"version": "v1", "resources": [
        _res("pods", "Pod", "pod", short=["po"], subs=["log", "status", "exec"]),
        _res("events", "Event", "event", short=["ev"]),
        _res("nodes", "Node", "node", scope="Cluster", short=["no"], subs=["status", "proxy"]),
        _res("namespaces", "Namespace", "namespace", scope="Cluster", short=["ns"]),
    ]}]}],
}

APIS: Json = {
    "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
    "items": [
        {"metadata": {"name": "apps"}, "versions": [{"version": "v1", "resources": [
            _res("deployments", "Deployment", "deployment", short=["deploy"], subs=["scale", "status"]),
            # A server that lists a subresource as its own entry must not turn it into a type.
            {"resource": "deployments/scale", "responseKind": {"kind": "Scale"}, "scope": "Namespaced"},
        ]}]},
        {"metadata": {"name": "events.k8s.io"}, "versions": [{"version": "v1", "resources": [
            _res("events", "Event", "event", short=["ev"]),
        ]}]},
        {"metadata": {"name": "example.com"}, "versions": [
            {"version": "v2", "resources": [_res("widgets", "Widget", "widget", short=["wd"])]},
            {"version": "v1", "resources": [_res("widgets", "Widget", "widget", short=["wd"]),
                                            _res("gadgets", "Gadget", "gadget")]},
        ]},
        {"metadata": {"name": "rbac.authorization.k8s.io"}, "versions": [{"version": "v1", "resources": [
            _res("clusterroles", "ClusterRole", "clusterrole", scope="Cluster"),
        ]}]},
    ],
}


@pytest.fixture
def agg() -> Discovery:
    return parse_aggregated(CORE, APIS)


@pytest.mark.parametrize(("name", "group", "plural"), [
    ("pods", "", "pods"),
    ("pod", "", "pods"),
    ("Pod", "", "pods"),
    ("po", "", "pods"),
    ("  PODS ", "", "pods"),
    ("deployments", "apps", "deployments"),
    ("deployment", "apps", "deployments"),
    ("Deployment", "apps", "deployments"),
    ("deploy", "apps", "deployments"),
    ("deployments.apps", "apps", "deployments"),
    ("deployment.apps", "apps", "deployments"),
    ("widgets", "example.com", "widgets"),
    ("wd", "example.com", "widgets"),
    ("widgets.example.com", "example.com", "widgets"),
    ("clusterroles.rbac.authorization.k8s.io", "rbac.authorization.k8s.io", "clusterroles"),
    ("nodes", "", "nodes"),
])
def test_resolve_by_any_name(agg: Discovery, name: str, group: str, plural: str) -> None:
    rt = agg.resolve(name)
    assert rt is not None
    assert (rt.group, rt.plural) == (group, plural)


@pytest.mark.parametrize("name", ["", "   ", "cronjobs", "deployments.batch", "scale", "deployments/scale",
                                  "widgets.example.org"])
def test_resolve_unknown_is_none(agg: Discovery, name: str) -> None:
    assert agg.resolve(name) is None


def test_core_events_win_over_events_k8s_io(agg: Discovery) -> None:
    for name in ("events", "event", "ev", "Event"):
        rt = agg.resolve(name)
        assert rt is not None
        assert rt.group == ""
        assert rt.api_version == "v1"
    rt = agg.resolve("events.events.k8s.io")
    assert rt is not None
    assert rt.group == "events.k8s.io"
    assert rt.api_version == "events.k8s.io/v1"
    assert [t.group for t in agg.types if t.plural == "events"] == ["", "events.k8s.io"]


def test_aggregated_fields(agg: Discovery) -> None:
    deploy = agg.resolve("deploy")
    assert deploy == ResourceType(group="apps", version="v1", plural="deployments", singular="deployment",
                                  kind="Deployment", namespaced=True, verbs=tuple(VERBS), short_names=("deploy",),
                                  subresources=("scale", "status"))
    node = agg.resolve("node")
    assert node is not None
    assert node.namespaced is False
    assert node.subresources == ("status", "proxy")


def test_aggregated_subresource_entries_are_not_types(agg: Discovery) -> None:
    assert all("/" not in t.plural for t in agg.types)
    assert [t.plural for t in agg.types if t.group == "apps"] == ["deployments"]
    assert not any(t.kind == "Scale" for t in agg.types)


def test_aggregated_uses_only_the_preferred_version(agg: Discovery) -> None:
    widget = agg.resolve("widget")
    assert widget is not None
    assert widget.version == "v2"
    assert agg.resolve("gadgets") is None
    assert [t.version for t in agg.types if t.group == "example.com"] == ["v2"]


def test_aggregated_order_and_core_without_a_name() -> None:
    core = {"items": [{"metadata": {"creationTimestamp": None}, "versions": [{"version": "v1", "resources": [
        _res("configmaps", "ConfigMap", "configmap", short=["cm"])]}]}]}
    found = parse_aggregated(core, APIS)
    cm = found.resolve("cm")
    assert cm is not None
    assert (cm.group, cm.api_version) == ("", "v1")
    assert [t.plural for t in found.types][:2] == ["configmaps", "deployments"]


def test_aggregated_singular_falls_back_to_kind() -> None:
    doc = {"items": [{"metadata": {"name": "x.io"}, "versions": [{"version": "v1", "resources": [
        {"resource": "things", "responseKind": {"kind": "Thing"}, "scope": "Cluster"}]}]}]}
    rt = parse_aggregated(doc).resolve("thing")
    assert rt is not None
    assert (rt.singular, rt.type_name, rt.namespaced) == ("thing", "thing", False)


def test_empty_documents() -> None:
    assert parse_aggregated({}, {"items": None}).types == []
    assert parse_legacy({}, []).types == []


def test_by_group_kind(agg: Discovery) -> None:
    rt = agg.by_group_kind("events.k8s.io", "Event")
    assert rt is not None
    assert rt.group == "events.k8s.io"
    core = agg.by_group_kind("", "Event")
    assert core is not None
    assert core.group == ""
    assert agg.by_group_kind("apps", "Widget") is None


# -- legacy discovery -----------------------------------------------------------------------------------


LEGACY_CORE: Json = {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
    {"name": "pods", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": VERBS, "shortNames": ["po"]},
    {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
    {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event", "verbs": VERBS,
     "shortNames": ["ev"]},
    {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node", "verbs": VERBS,
     "shortNames": ["no"]},
]}

LEGACY_GROUPS: list[tuple[str, str, Json]] = [
    ("apps", "v1", {"kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
        {"name": "deployments", "singularName": "deployment", "namespaced": True, "kind": "Deployment",
         "verbs": VERBS, "shortNames": ["deploy"]},
        {"name": "deployments/scale", "singularName": "", "namespaced": True, "group": "autoscaling",
         "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]},
        {"name": "deployments/status", "singularName": "", "namespaced": True, "kind": "Deployment",
         "verbs": ["get"]},
    ]}),
    ("events.k8s.io", "v1", {"resources": [
        {"name": "events", "singularName": "event", "namespaced": True, "kind": "Event", "verbs": VERBS,
         "shortNames": ["ev"]}]}),
    ("example.com", "v1beta1", {"resources": [
        {"name": "widgets", "singularName": "widget", "namespaced": False, "kind": "Widget", "verbs": VERBS}]}),
]


@pytest.fixture
def legacy() -> Discovery:
    return parse_legacy(LEGACY_CORE, LEGACY_GROUPS)


@pytest.mark.parametrize(("name", "group", "version", "plural", "namespaced"), [
    ("pod", "", "v1", "pods", True),
    ("po", "", "v1", "pods", True),
    ("Node", "", "v1", "nodes", False),
    ("deploy", "apps", "v1", "deployments", True),
    ("deployments.apps", "apps", "v1", "deployments", True),
    ("widget", "example.com", "v1beta1", "widgets", False),
    ("widgets.example.com", "example.com", "v1beta1", "widgets", False),
    ("events", "", "v1", "events", True),
    ("events.events.k8s.io", "events.k8s.io", "v1", "events", True),
])
def test_legacy_resolve(legacy: Discovery, name: str, group: str, version: str, plural: str,
                        namespaced: bool) -> None:
    rt = legacy.resolve(name)
    assert rt is not None
    assert (rt.group, rt.version, rt.plural, rt.namespaced) == (group, version, plural, namespaced)


def test_legacy_subresource_entries_are_not_types(legacy: Discovery) -> None:
    assert all("/" not in t.plural for t in legacy.types)
    assert [t.plural for t in legacy.types] == ["pods", "events", "nodes", "deployments", "events", "widgets"]


def test_legacy_empty_singular_falls_back_to_kind(legacy: Discovery) -> None:
    pod = legacy.resolve("pods")
    assert pod is not None
    assert pod.singular == "pod"
    assert pod.type_name == "pod"
    assert pod.short_names == ("po",)


def test_legacy_subresources_are_captured(legacy: Discovery) -> None:
    deploy = legacy.resolve("deployments")
    assert deploy is not None
    assert "scale" in deploy.subresources
    assert "status" in deploy.subresources


# -- ResourceType paths ---------------------------------------------------------------------------------

POD = ResourceType("", "v1", "pods", "pod", "Pod", True)
NODE = ResourceType("", "v1", "nodes", "node", "Node", False)
DEPLOY = ResourceType("apps", "v1", "deployments", "deployment", "Deployment", True, subresources=("scale",))
CROLE = ResourceType("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", False)


@pytest.mark.parametrize(("rt", "namespace", "path"), [
    (POD, "default", "/api/v1/namespaces/default/pods"),
    (POD, None, "/api/v1/pods"),
    (POD, "", "/api/v1/pods"),
    (NODE, None, "/api/v1/nodes"),
    (NODE, "default", "/api/v1/nodes"),
    (DEPLOY, "shop", "/apis/apps/v1/namespaces/shop/deployments"),
    (DEPLOY, None, "/apis/apps/v1/deployments"),
    (CROLE, "ignored", "/apis/rbac.authorization.k8s.io/v1/clusterroles"),
])
def test_collection_path(rt: ResourceType, namespace: str | None, path: str) -> None:
    assert rt.collection_path(namespace) == path


@pytest.mark.parametrize(("rt", "namespace", "name", "sub", "path"), [
    (POD, "default", "web-0", "", "/api/v1/namespaces/default/pods/web-0"),
    (POD, "default", "web-0", "log", "/api/v1/namespaces/default/pods/web-0/log"),
    (DEPLOY, "shop", "web", "scale", "/apis/apps/v1/namespaces/shop/deployments/web/scale"),
    (NODE, "default", "node-000000", "", "/api/v1/nodes/node-000000"),
    (NODE, None, "node-000000", "status", "/api/v1/nodes/node-000000/status"),
    (CROLE, None, "system:auth-delegator", "", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:auth-delegator"),
])
def test_object_path(rt: ResourceType, namespace: str | None, name: str, sub: str, path: str) -> None:
    assert rt.object_path(namespace, name, sub) == path


def test_api_version_type_name_and_names() -> None:
    assert POD.api_version == "v1"
    assert DEPLOY.api_version == "apps/v1"
    assert ResourceType("x.io", "v1", "things", "", "Thing", True).type_name == "thing"
    assert ResourceType("x.io", "v1", "things", "", "Thing", True, short_names=("th",)).names() == {
        "things", "thing", "th"}
