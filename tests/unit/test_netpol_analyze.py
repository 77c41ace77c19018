"""Inferred connectivity: environment and ConfigMap values naming Services become edges with evidence."""

from __future__ import annotations

from typing import Any

from cloudops.network.analyze import analyze, hosts_in
from cloudops.network.policy_eval import Namespace

Json = dict[str, Any]


def test_hosts_in_values() -> None:
    svcs = ["db", "cache", "api"]
    assert hosts_in("mysql://user:pw@db:3306/shop", "shop", svcs) == [("db", 3306)]
    assert hosts_in("cache.shop.svc.cluster.local", "shop", svcs) == [("cache", None)]
    assert hosts_in("db.other.svc", "shop", svcs) == []
    assert hosts_in("http://$(API_SERVICE_HOST):$(API_SERVICE_PORT)", "shop", svcs) == [("api", None)]
    assert hosts_in("true", "shop", svcs) == []


def _pod(name: str, labels: dict[str, str], env: list[Json] | None = None, ports: list[Json] | None = None) -> Json:
    return {"metadata": {"name": name, "namespace": "shop", "labels": labels},
            "spec": {"containers": [{"name": "c", "image": "x:1", "env": env or [], "ports": ports or []}]}}


def test_analyze_edges_decisions_and_recommendation() -> None:
    app = _pod("app", {"app": "app"}, [{"name": "DB_URL", "value": "mysql://u:secret@db:3306/x"},
                                       {"name": "CACHE", "valueFrom": {"configMapKeyRef": {"name": "cfg",
                                                                                           "key": "cache"}}}])
    db = _pod("db", {"app": "db"}, ports=[{"name": "mysql", "containerPort": 3306}])
    cache = _pod("cache", {"app": "cache"})
    services = [{"metadata": {"name": "db"}, "spec": {"selector": {"app": "db"},
                                                      "ports": [{"port": 3306, "targetPort": "mysql"}]}},
                {"metadata": {"name": "cache"}, "spec": {"selector": {"app": "cache"}, "ports": [{"port": 6379}]}}]
    cms = [{"metadata": {"name": "cfg"}, "data": {"cache": "cache:6379"}}]
    deny_db = {"metadata": {"name": "db-only-app", "namespace": "shop"},
               "spec": {"podSelector": {"matchLabels": {"app": "cache"}}, "ingress": []}}
    out = analyze("shop", [app, db, cache], services, cms, [deny_db], {"shop": Namespace("shop")})
    edges = {e["to_service"]: e for e in out["edges"]}
    assert edges["db"]["decisions"][0] | {"reason": ""} == {"pod": "db", "port": 3306, "protocol": "TCP",
                                                              "allowed": True, "reason": ""}
    assert edges["db"]["evidence"] == [{"type": "env", "variable": "DB_URL", "container": "c", "host": "db"}]
    assert "secret" not in str(out)
    assert edges["cache"]["evidence"][0]["configmap"] == "cfg"
    assert edges["cache"]["decisions"][0]["allowed"] is False  # ingress of cache is isolated by db-only-app
    assert out["unisolated_pods"]["ingress"] == ["app", "db"]
    (rec,) = out["recommendations"]
    assert rec["exceptions"] == [{"from": "app", "to": "cache", "ports": [6379]},
                                 {"from": "app", "to": "db", "ports": [3306]}]
    assert rec["pods"] == ["app", "cache", "db"]
