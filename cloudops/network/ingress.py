"""Ingresses in the reference's snake_case shape (`class`, `path_type`, `secret_name`) and their live status.

The status answers what `kubectl describe` leaves to the reader: does every backend Service exist, expose
the port and have ready endpoints; does every TLS Secret exist and what does its certificate cover, until when.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from cloudops.network.tls import TlsProblem, describe_certificate, parse_certificate

__all__ = ["API_VERSION", "backend_status", "ingress_hosts", "ingress_view", "tls_status", "to_k8s_spec"]

Json = dict[str, Any]
API_VERSION = "networking.k8s.io/v1"


def _backend_to_k8s(b: Json) -> Json:
    out: Json = {}
    if b.get("service") is not None:
        svc = b["service"]
        port = svc.get("port") or {}
        out["service"] = {"name": svc["name"], "port": {k: port[k] for k in ("number", "name") if port.get(k)}}
    if b.get("resource") is not None:
        r = b["resource"]
        out["resource"] = {"apiGroup": r.get("api_group"), "kind": r["kind"], "name": r["name"]}
    return out


def to_k8s_spec(body: Json) -> Json:
    """The reference's fields to an Ingress spec; only the fields given (None means left out)."""
    spec: Json = {}
    if body.get("class") is not None:
        spec["ingressClassName"] = body["class"]
    if body.get("default_backend") is not None:
        spec["defaultBackend"] = _backend_to_k8s(body["default_backend"])
    if body.get("rules") is not None:
        rules = []
        for r in body["rules"]:
            rule: Json = {}
            if r.get("host"):
                rule["host"] = r["host"]
            if r.get("http") is not None:
                rule["http"] = {"paths": [
                    {"path": p.get("path") or "/", "pathType": p.get("path_type") or "Prefix",
                     "backend": _backend_to_k8s(p["backend"])} for p in r["http"].get("paths") or []]}
            rules.append(rule)
        spec["rules"] = rules
    if body.get("tls") is not None:
        spec["tls"] = [{**({"hosts": t["hosts"]} if t.get("hosts") else {}),
                        **({"secretName": t["secret_name"]} if t.get("secret_name") else {})} for t in body["tls"]]
    return spec


def _backend_view(b: Json) -> Json:
    svc, res = b.get("service"), b.get("resource")
    return {"service": {"name": svc.get("name", ""), "port": {"number": (svc.get("port") or {}).get("number"),
                                                              "name": (svc.get("port") or {}).get("name")}}
            if svc else None,
            "resource": {"api_group": res.get("apiGroup"), "kind": res.get("kind", ""), "name": res.get("name", "")}
            if res else None}


def ingress_view(cluster_id: int | None, cluster_name: str, oid: str, obj: Json) -> Json:
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    lb = (status.get("loadBalancer") or {}).get("ingress") or []
    return {
        "id": oid, "name": meta.get("name", ""), "namespace": meta.get("namespace", ""),
        "cluster_id": cluster_id, "cluster_name": cluster_name, "class": spec.get("ingressClassName"),
        "default_backend": _backend_view(spec["defaultBackend"]) if spec.get("defaultBackend") else None,
        "rules": [{"host": r.get("host"), "http": {"paths": [
            {"path": p.get("path"), "path_type": p.get("pathType"), "backend": _backend_view(p.get("backend") or {})}
            for p in (r.get("http") or {}).get("paths") or []]}} for r in spec.get("rules") or []],
        "tls": [{"hosts": list(t.get("hosts") or []), "secret_name": t.get("secretName")}
                for t in spec.get("tls") or []],
        "status": {"load_balancer": {"ingress": [{"ip": i.get("ip"), "hostname": i.get("hostname")} for i in lb]}},
        "labels": meta.get("labels") or {}, "annotations": meta.get("annotations") or {},
        "created_at": meta.get("creationTimestamp"),
    }


def ingress_hosts(obj: Json) -> list[str]:
    return list(dict.fromkeys(r["host"] for r in (obj.get("spec") or {}).get("rules") or [] if r.get("host")))


def _backends(spec: Json) -> list[tuple[str | None, str | None, Json]]:
    out: list[tuple[str | None, str | None, Json]] = []
    if spec.get("defaultBackend"):
        out.append((None, None, spec["defaultBackend"]))
    for r in spec.get("rules") or []:
        for p in (r.get("http") or {}).get("paths") or []:
            out.append((r.get("host"), p.get("path"), p.get("backend") or {}))
    return out


def _service_port(service: Json, port: Json) -> Json | None:
    for p in (service.get("spec") or {}).get("ports") or []:
        if (port.get("number") and p.get("port") == port["number"]) or (port.get("name") and p.get("name") == port[
                "name"]):
            return dict(p)
    return None


def backend_status(obj: Json, services: Mapping[str, Json], ready: Mapping[str, int]) -> list[Json]:
    """Per backend: the Service exists, has the port, and how many ready endpoint addresses it has.

    `services` by name (the Ingress's namespace), `ready` ready addresses per service name.
    """
    out: list[Json] = []
    for host, path, b in _backends(obj.get("spec") or {}):
        svc = b.get("service")
        if not svc:
            res = b.get("resource") or {}
            out.append({"host": host, "path": path, "service": None, "port": None, "service_exists": None,
                        "port_exists": None, "ready_endpoints": None,
                        "healthy": None, "message": f"resource backend {res.get('kind')}/{res.get('name')}"})
            continue
        name, port = svc.get("name", ""), svc.get("port") or {}
        found = services.get(name)
        port_ok = found is not None and _service_port(found, port) is not None
        count = ready.get(name, 0) if found is not None else 0
        if found is None:
            message = f"service {name!r} does not exist"
        elif not port_ok:
            message = f"service {name!r} has no port {port.get('number') or port.get('name')}"
        elif not count:
            message = f"service {name!r} has no ready endpoints"
        else:
            message = "ok"
        out.append({"host": host, "path": path, "service": name, "port": port.get("number") or port.get("name"),
                    "service_exists": found is not None, "port_exists": port_ok, "ready_endpoints": count,
                    "healthy": message == "ok", "message": message})
    return out


def tls_status(obj: Json, secrets: Mapping[str, Json | None], now: datetime) -> list[Json]:
    """Per TLS entry: the Secret exists, is a TLS Secret, what its certificate covers and when it expires.

    `secrets` by name hold the Secrets *with* values (only `tls.crt` is read; the key is never looked at).
    """
    out = []
    for t in (obj.get("spec") or {}).get("tls") or []:
        name, hosts = t.get("secretName"), list(t.get("hosts") or [])
        entry: Json = {"hosts": hosts, "secret_name": name, "secret_exists": False, "secret_type": None,
                       "certificate": None, "message": ""}
        secret = secrets.get(name or "")
        if not name:
            entry["message"] = "no secretName: the controller's default certificate is used"
        elif secret is None:
            entry["message"] = f"secret {name!r} does not exist"
        else:
            entry.update(secret_exists=True, secret_type=secret.get("type"))
            raw = (secret.get("data") or {}).get("tls.crt")
            if not raw:
                entry["message"] = f"secret {name!r} has no tls.crt"
            else:
                try:
                    cert = parse_certificate(base64.b64decode(raw), "tls.crt")[0]
                    info = asdict(describe_certificate(cert, hosts, now))
                    entry["certificate"] = info
                    problems = ([f"expired on {info['not_after']}"] if info["expired"] else []) + (
                        [f"does not cover {', '.join(info['uncovered_hosts'])}"] if info["uncovered_hosts"] else [])
                    entry["message"] = "; ".join(problems + info["warnings"]) or "ok"
                except (TlsProblem, ValueError) as e:
                    entry["message"] = f"secret {name!r}: {e}"
        out.append(entry)
    return out
