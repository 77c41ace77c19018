"""Ingresses in the reference's snake_case shape (`class`, `path_type`, `secret_name`) and their live status.

The status answers what `kubectl describe` leaves to the reader: does every backend Service exist, expose
the port and have ready endpoints; does every TLS Secret exist and what does its certificate cover, until when.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime

from cloudops.members.access import ClusterRef
from cloudops.network import kinds
from cloudops.network.tls import CertInfo, TlsProblem, describe_certificate, parse_certificate
from cloudops.services.network.models.ingress import (
    Backend,
    BackendHealth,
    BackendView,
    CertificateView,
    HttpView,
    IngressFields,
    IngressRule,
    IngressStatusView,
    IngressTls,
    IngressView,
    LbIngress,
    LoadBalancer,
    PathView,
    PortRef,
    ResourceRef,
    RuleView,
    ServiceRef,
    TlsHealth,
    TlsView,
)
from cloudops.services.network.names import INGRESS, object_id

__all__ = ["backend_status", "certificate_view", "ingress_hosts", "ingress_view", "tls_status", "to_k8s_spec"]


def _backend_to_k8s(b: Backend) -> kinds.IngressBackend:
    out: kinds.IngressBackend = {}
    if b.service is not None:
        port: kinds.BackendPort = {}
        if b.service.port.number:
            port["number"] = b.service.port.number
        if b.service.port.name:
            port["name"] = b.service.port.name
        out["service"] = {"name": b.service.name, "port": port}
    if b.resource is not None:
        out["resource"] = {"apiGroup": b.resource.api_group, "kind": b.resource.kind, "name": b.resource.name}
    return out


def _rule_to_k8s(r: IngressRule) -> kinds.IngressRule:
    rule: kinds.IngressRule = {}
    if r.host:
        rule["host"] = r.host
    if r.http is not None:
        rule["http"] = {"paths": [{"path": p.path or "/", "pathType": p.path_type or "Prefix",
                                   "backend": _backend_to_k8s(p.backend)} for p in r.http.paths]}
    return rule


def _tls_to_k8s(t: IngressTls) -> kinds.IngressTls:
    tls: kinds.IngressTls = {}
    if t.hosts:
        tls["hosts"] = t.hosts
    if t.secret_name:
        tls["secretName"] = t.secret_name
    return tls


def to_k8s_spec(given: IngressFields) -> kinds.IngressSpec:
    """The reference's fields to an Ingress spec; only the fields given (None means left out)."""
    spec: kinds.IngressSpec = {}
    if given.class_ is not None:
        spec["ingressClassName"] = given.class_
    if given.default_backend is not None:
        spec["defaultBackend"] = _backend_to_k8s(given.default_backend)
    if given.rules is not None:
        spec["rules"] = [_rule_to_k8s(r) for r in given.rules]
    if given.tls is not None:
        spec["tls"] = [_tls_to_k8s(t) for t in given.tls]
    return spec


def _backend_view(b: kinds.IngressBackend) -> BackendView:
    svc, res = b.get("service"), b.get("resource")
    port = (svc or {}).get("port") or {}
    return BackendView(
        service=ServiceRef(name=svc.get("name", ""), port=PortRef(number=port.get("number"), name=port.get("name")))
        if svc else None,
        resource=ResourceRef(api_group=res.get("apiGroup"), kind=res.get("kind", ""), name=res.get("name", ""))
        if res else None)


def _rule_view(r: kinds.IngressRule) -> RuleView:
    return RuleView(host=r.get("host"), http=HttpView(paths=[
        PathView(path=p.get("path"), path_type=p.get("pathType"), backend=_backend_view(p.get("backend") or {}))
        for p in (r.get("http") or {}).get("paths") or []]))


def ingress_view(cluster: ClusterRef, obj: kinds.Ingress) -> IngressView:
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    name, namespace = meta.get("name", ""), meta.get("namespace", "")
    lb = (status.get("loadBalancer") or {}).get("ingress") or []
    default = spec.get("defaultBackend")
    return IngressView.model_validate({
        "id": object_id(cluster, INGRESS, namespace, name), "name": name, "namespace": namespace,
        "cluster_id": cluster.id, "cluster_name": cluster.name, "class": spec.get("ingressClassName"),
        "default_backend": _backend_view(default) if default else None,
        "rules": [_rule_view(r) for r in spec.get("rules") or []],
        "tls": [TlsView(hosts=list(t.get("hosts") or []), secret_name=t.get("secretName"))
                for t in spec.get("tls") or []],
        "status": IngressStatusView(load_balancer=LoadBalancer(
            ingress=[LbIngress(ip=i.get("ip"), hostname=i.get("hostname")) for i in lb])),
        "labels": meta.get("labels") or {}, "annotations": meta.get("annotations") or {},
        "created_at": meta.get("creationTimestamp")})


def ingress_hosts(obj: kinds.Ingress) -> list[str]:
    return list(dict.fromkeys(r["host"] for r in (obj.get("spec") or {}).get("rules") or [] if r.get("host")))


def _backends(spec: kinds.IngressSpec) -> list[tuple[str | None, str | None, kinds.IngressBackend]]:
    out: list[tuple[str | None, str | None, kinds.IngressBackend]] = []
    default = spec.get("defaultBackend")
    if default:
        out.append((None, None, default))
    for r in spec.get("rules") or []:
        for p in (r.get("http") or {}).get("paths") or []:
            out.append((r.get("host"), p.get("path"), p.get("backend") or {}))
    return out


def _has_port(service: kinds.Service, port: kinds.BackendPort) -> bool:
    number, name = port.get("number"), port.get("name")
    return any((number and p.get("port") == number) or (name and p.get("name") == name)
               for p in (service.get("spec") or {}).get("ports") or [])


def _backend_health(host: str | None, path: str | None, svc: kinds.ServiceBackend,
                    services: Mapping[str, kinds.Service], ready: Mapping[str, int]) -> BackendHealth:
    name, port = svc.get("name", ""), svc.get("port") or {}
    found = services.get(name)
    port_ok = found is not None and _has_port(found, port)
    count = ready.get(name, 0) if found is not None else 0
    if found is None:
        message = f"service {name!r} does not exist"
    elif not port_ok:
        message = f"service {name!r} has no port {port.get('number') or port.get('name')}"
    elif not count:
        message = f"service {name!r} has no ready endpoints"
    else:
        message = "ok"
    return BackendHealth(host=host, path=path, service=name, port=port.get("number") or port.get("name"),
                         service_exists=found is not None, port_exists=port_ok, ready_endpoints=count,
                         healthy=message == "ok", message=message)


def backend_status(obj: kinds.Ingress, services: Mapping[str, kinds.Service],
                   ready: Mapping[str, int]) -> list[BackendHealth]:
    """Per backend: the Service exists, has the port, and how many ready endpoint addresses it has.

    `services` by name (the Ingress's namespace), `ready` ready addresses per service name.
    """
    out: list[BackendHealth] = []
    for host, path, b in _backends(obj.get("spec") or {}):
        svc = b.get("service")
        if svc:
            out.append(_backend_health(host, path, svc, services, ready))
            continue
        res = b.get("resource") or {}
        out.append(BackendHealth(host=host, path=path, service=None, port=None, service_exists=None,
                                 port_exists=None, ready_endpoints=None, healthy=None,
                                 message=f"resource backend {res.get('kind')}/{res.get('name')}"))
    return out


def certificate_view(info: CertInfo) -> CertificateView:
    return CertificateView(**asdict(info))


def _tls_health(hosts: list[str], name: str | None, secret: kinds.Secret | None, now: datetime) -> TlsHealth:
    health = TlsHealth(hosts=hosts, secret_name=name, secret_exists=False, secret_type=None, certificate=None,
                       message="")
    if not name:
        health.message = "no secretName: the controller's default certificate is used"
    elif secret is None:
        health.message = f"secret {name!r} does not exist"
    else:
        health.secret_exists, health.secret_type = True, secret.get("type")
        raw = (secret.get("data") or {}).get("tls.crt")
        if not raw:
            health.message = f"secret {name!r} has no tls.crt"
            return health
        try:
            info = describe_certificate(parse_certificate(base64.b64decode(raw), "tls.crt")[0], hosts, now)
        except (TlsProblem, ValueError) as e:
            health.message = f"secret {name!r}: {e}"
            return health
        health.certificate = certificate_view(info)
        problems = ([f"expired on {info.not_after}"] if info.expired else []) + (
            [f"does not cover {', '.join(info.uncovered_hosts)}"] if info.uncovered_hosts else [])
        health.message = "; ".join(problems + info.warnings) or "ok"
    return health


def tls_status(obj: kinds.Ingress, secrets: Mapping[str, kinds.Secret | None], now: datetime) -> list[TlsHealth]:
    """Per TLS entry: the Secret exists, is a TLS Secret, what its certificate covers and when it expires.

    `secrets` by name hold the Secrets *with* values (only `tls.crt` is read; the key is never looked at).
    """
    return [_tls_health(list(t.get("hosts") or []), t.get("secretName"), secrets.get(t.get("secretName") or ""), now)
            for t in (obj.get("spec") or {}).get("tls") or []]
