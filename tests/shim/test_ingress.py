"""Ingress 2.1–2.6 against a member: snake_case CRUD, live backend and TLS status, the checked SSL route."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

from cloudops.settings import Settings
from tests.helpers import eventually
from tests.shim.conftest import Client, KeyMaker
from tests.shim.network_fixtures import Member, call, member
from tests.tls_material import key_pem, self_signed

__all__ = ["member"]

BASE = "/api/k8s/ingress"


def service(name: str, port: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"ports": [{"name": "http", "port": port, "protocol": "TCP"}]}}


def app_ingress(ns: str) -> dict[str, Any]:
    backend = lambda name, port: {"service": {"name": name, "port": {"number": port}}}  # noqa: E731
    return {"name": "app", "namespace": ns, "class": "nginx", "labels": {"app": "shop"},
            "annotations": {"nginx.ingress.kubernetes.io/ssl-redirect": "true"},
            "rules": [{"host": "app.example.com", "http": {"paths": [
                {"path": "/api", "path_type": "Prefix", "backend": backend("api", 8080)},
                {"path": "/", "path_type": "Prefix", "backend": backend("web", 80)},
                {"path": "/old", "path_type": "Exact", "backend": backend("gone", 80)}]}}],
            "tls": [{"hosts": ["app.example.com"], "secret_name": "app-tls"}]}


async def test_ingress_crud_and_status(member: Member, shim: Client) -> None:
    ns = member.ns
    await member.apply(service("web", 80))
    await member.apply(service("api", 8080))
    await member.apply({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                        "metadata": {"name": "web-1", "labels": {"kubernetes.io/service-name": "web"}},
                        "endpoints": [{"addresses": ["192.0.2.10"], "conditions": {"ready": True}},
                                      {"addresses": ["192.0.2.11"], "conditions": {"ready": False}}],
                        "ports": [{"name": "http", "port": 80}]})

    created = (await call(shim, "POST", f"{BASE}/create", json=app_ingress(ns)))["data"]
    assert created["id"] == f"{member.cluster['id']}:ingress:{ns}:app" and created["class"] == "nginx"
    assert created["rules"][0]["http"]["paths"][2]["path_type"] == "Exact"
    assert created["tls"] == [{"hosts": ["app.example.com"], "secret_name": "app-tls"}]
    live = await member.json("get", "ingress", "app")
    assert live["spec"]["ingressClassName"] == "nginx" and live["spec"]["tls"][0]["secretName"] == "app-tls"
    assert live["spec"]["rules"][0]["http"]["paths"][0] == {
        "path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 8080}}}}
    assert live["metadata"]["annotations"]["nginx.ingress.kubernetes.io/ssl-redirect"] == "true"

    listed = (await call(shim, "GET", f"{BASE}?namespace={ns}&label_selector=app%3Dshop"))["data"]
    assert listed["total"] == 1 and listed["ingresses"][0]["status"] == {"load_balancer": {"ingress": []}}
    # Backends in the reference's (and networking.k8s.io/v1's) form, without null siblings.
    assert listed["ingresses"][0]["rules"][0]["http"]["paths"][0] == {
        "path": "/api", "path_type": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 8080}}}}
    assert created["rules"] == listed["ingresses"][0]["rules"]
    for method, path in (("GET", f"{BASE}/5/status"), ("PUT", f"{BASE}/5"), ("DELETE", f"{BASE}/5")):
        err = await call(shim, method, f"{path}?namespace={ns}", 400, **({"json": {}} if method == "PUT" else {}))
        assert err["error"] == "name: expected <cluster>:ingress:<namespace>:<name>, e.g. 1:ingress:default:web; got 5"

    status = (await call(shim, "GET", f"{BASE}/app/status?namespace={ns}"))["data"]
    by_path = {b["path"]: b for b in status["backends"]}
    assert by_path["/"]["healthy"] and by_path["/"]["ready_endpoints"] == 1
    assert by_path["/api"]["service_exists"] and by_path["/api"]["ready_endpoints"] == 0
    assert "no ready endpoints" in by_path["/api"]["message"]
    assert by_path["/old"]["service_exists"] is False and not status["healthy"]
    assert status["tls"][0]["secret_exists"] is False and "does not exist" in status["tls"][0]["message"]

    # Update: what is given replaces, the rest stays; the member validates paths.
    updated = (await call(shim, "PUT", f"{BASE}/app?namespace={ns}", json={"class": "traefik"}))["data"]
    assert updated["class"] == "traefik" and len(updated["rules"][0]["http"]["paths"]) == 3
    web = {"service": {"name": "web", "port": {"number": 80}}}
    bad = {"rules": [{"host": "app.example.com", "http": {"paths": [
        {"path": "relative", "path_type": "Prefix", "backend": web}]}}]}
    err = await call(shim, "PUT", f"{BASE}/app?namespace={ns}", 422, json=bad)
    assert "spec.rules[0].http.paths[0].path" in err["error"]
    assert "rules[0].host" in (await call(shim, "PUT", f"{BASE}/app?namespace={ns}", 400,
                                          json={"rules": [{"host": "Bad_Host"}]}))["error"]
    assert "body.class_" not in (await call(shim, "POST", f"{BASE}/create", 400, json={"name": "x", "clas": 1}))[
        "error"]

    gone = (await call(shim, "DELETE", f"{BASE}/app?namespace={ns}"))["data"]
    assert gone == {"id": created["id"], "name": "app", "namespace": ns, "deleted": True}
    assert (await call(shim, "GET", f"{BASE}/app/status?namespace={ns}", 404))["code"] == 1002


async def test_ssl_route_checks_the_pair_and_never_echoes_the_key(member: Member, shim: Client,
                                                                   settings: Settings) -> None:
    ns = member.ns
    await call(shim, "POST", f"{BASE}/create", json=app_ingress(ns) | {"tls": []})
    path = f"{BASE}/app/ssl?namespace={ns}"
    cert, key = self_signed(["app.example.com", "*.example.org"])
    _, other_key = key_pem()
    config = {"secret_name": "app-tls", "certificate": cert}

    err = await call(shim, "POST", path, 422, json={"action": "create", "tls_config": config | {
        "private_key": other_key}})
    assert "tls_config.private_key" in err["error"] and "does not match" in err["error"]
    wrong_host, wrong_key = self_signed(["shop.example.com"])
    err = await call(shim, "POST", path, 422, json={"action": "create", "tls_config": {
        "secret_name": "app-tls", "certificate": wrong_host, "private_key": wrong_key}})
    assert "tls_config.hosts" in err["error"] and "app.example.com" in err["error"]
    old, old_key = self_signed(["app.example.com"], days=3, start_days_ago=10)
    err = await call(shim, "POST", path, 422, json={"action": "create", "tls_config": {
        "secret_name": "app-tls", "certificate": old, "private_key": old_key}})
    assert "expired" in err["error"]
    assert (await call(shim, "GET", f"/api/k8s/unified/resources?resource_type=secrets&namespace={ns}"))["data"][
        "total"] <= 1  # nothing was written (at most the default token secret of old clusters)

    r = await shim.post(path, json={"action": "create", "tls_config": config | {"private_key": key}})
    text = await r.text()
    assert r.status == 200, text
    done = (await r.json())["data"]
    assert "PRIVATE KEY" not in text and key.splitlines()[1] not in text
    assert done["certificate"]["dns_names"] == ["app.example.com", "*.example.org"]
    assert done["tls"] == [{"hosts": ["app.example.com"], "secret_name": "app-tls"}]
    secret = await member.json("get", "secret", "app-tls")
    assert secret["type"] == "kubernetes.io/tls" and base64.b64decode(secret["data"]["tls.key"]).decode() == key
    assert (await member.json("get", "ingress", "app"))["spec"]["tls"] == [
        {"hosts": ["app.example.com"], "secretName": "app-tls"}]
    err = await call(shim, "POST", path, 409, json={"action": "create", "tls_config": config | {"private_key": key}})
    assert "update" in err["error"]

    status = (await call(shim, "GET", f"{BASE}/app/status?namespace={ns}"))["data"]
    tls = status["tls"][0]
    assert tls["secret_exists"] and tls["secret_type"] == "kubernetes.io/tls" and tls["message"] == "ok"
    assert tls["certificate"]["covered_hosts"] == ["app.example.com"] and tls["certificate"]["days_remaining"] >= 85

    soon, soon_key = self_signed(["app.example.com"], days=11)
    renewed = (await call(shim, "POST", path, json={"action": "update", "tls_config": {
        "secret_name": "app-tls", "certificate": soon, "private_key": soon_key}}))["data"]
    assert renewed["warnings"] and "expires in" in renewed["warnings"][0]
    status = (await call(shim, "GET", f"{BASE}/app/status?namespace={ns}"))["data"]
    assert "expires in" in status["tls"][0]["message"] and status["tls"][0]["certificate"]["days_remaining"] <= 10

    removed = (await call(shim, "POST", path, json={"action": "delete", "tls_config": {"secret_name": "app-tls"}}))[
        "data"]
    assert removed["tls"] == [] and removed["certificate"] is None

    async def secret_gone() -> bool:
        res = await asyncio.to_thread(member.k.run, "get", "secret", "app-tls", check=False)
        return res.returncode != 0
    await eventually(secret_gone, 30, "TLS secret deleted")

    audit = Path(settings.audit_sink.removeprefix("file:")).read_text()
    assert "/ssl" in audit
    for pem in (key, soon_key, other_key):
        assert pem.splitlines()[1] not in audit


async def test_a_viewer_reads_ingresses_but_gets_403_on_every_write(member: Member, shim: Client,
                                                                    make_key: KeyMaker) -> None:
    ns = member.ns
    await call(shim, "POST", f"{BASE}/create", json=app_ingress(ns))
    viewer = {"X-API-Key": await make_key("vince", ["cloudops:viewers"])}
    assert (await call(shim, "GET", f"{BASE}?namespace={ns}", headers=viewer))["data"]["total"] == 1
    await call(shim, "GET", f"{BASE}/app/status?namespace={ns}", headers=viewer)
    cert, key = self_signed(["app.example.com"])
    for method, path, body in (
            ("POST", f"{BASE}/create", {"name": "x", "namespace": ns}),
            ("PUT", f"{BASE}/app?namespace={ns}", {"class": "x"}),
            ("DELETE", f"{BASE}/app?namespace={ns}", None),
            ("POST", f"{BASE}/app/ssl?namespace={ns}", {"action": "create", "tls_config": {
                "secret_name": "t", "certificate": cert, "private_key": key}}),
            ("POST", f"{BASE}/app/ssl?namespace={ns}", {"action": "delete", "tls_config": {"secret_name": "t"}})):
        err = await call(shim, method, path, 403, headers=viewer, **({"json": body} if body is not None else {}))
        assert err["code"] == 1003 and "vince" in err["error"], (method, path)
    assert (await member.json("get", "ingress", "app"))["spec"]["ingressClassName"] == "nginx"
