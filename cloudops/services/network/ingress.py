"""网络管理 API 2. Ingress 管理 (2.1–2.6): snake_case Ingresses, their live status, TLS Secrets checked first."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime

from cloudops.errors import Missing, StateConflict, Unprocessable
from cloudops.members.access import ClusterRef
from cloudops.members.discovery import ResourceType
from cloudops.members.errors import MemberError
from cloudops.members.session import MemberSession
from cloudops.network import kinds
from cloudops.network.slices import SERVICE_LABEL, ready_by_service
from cloudops.network.tls import CertInfo, check_tls
from cloudops.services.network.checks import metadata_changes
from cloudops.services.network.ingress_views import (
    backend_status,
    certificate_view,
    ingress_hosts,
    ingress_view,
    tls_status,
    to_k8s_spec,
)
from cloudops.services.network.models.ingress import (
    IngressCreate,
    IngressHealth,
    IngressList,
    IngressUpdate,
    IngressView,
    SslBody,
    SslResult,
    TlsConfig,
)
from cloudops.services.network.models.network_params import ListQuery
from cloudops.services.network.names import Named
from cloudops.services.network.objects import NetworkObjects

__all__ = ["Ingresses"]

log = logging.getLogger("cloudops.network")
INGRESSES = "ingresses.networking.k8s.io"
API_VERSION = "networking.k8s.io/v1"
TLS_SECRET = "kubernetes.io/tls"


async def _secret(member: MemberSession, namespace: str, name: str) -> kinds.Secret | None:
    """The Secret with its values, for reading `tls.crt` only; None when it does not exist."""
    try:
        return kinds.parse(kinds.Secret, await member.get(await member.resolve("secrets"), namespace, name,
                                                          reveal=True))
    except MemberError as e:
        if e.status == 404:
            return None
        raise


def _tls_secret(namespace: str, name: str, certificate: str, private_key: str) -> kinds.Secret:
    return {"apiVersion": "v1", "kind": "Secret", "type": TLS_SECRET,
            "metadata": {"name": name, "namespace": namespace, "labels": {"app.kubernetes.io/managed-by": "cloudops"}},
            "data": {"tls.crt": base64.b64encode(certificate.encode()).decode(),
                     "tls.key": base64.b64encode(private_key.encode()).decode()}}


def _checked(cfg: TlsConfig, action: str, hosts: list[str]) -> tuple[CertInfo, str, str]:
    """The certificate's description, the certificate and the key: 422 naming what is missing or wrong."""
    if not cfg.certificate or not cfg.private_key:
        missing = "tls_config.certificate" if not cfg.certificate else "tls_config.private_key"
        raise Unprocessable(f"required for action {action!r}", field=missing)
    if not hosts:
        raise Unprocessable("the Ingress has no rule hosts; name the hosts to secure", field="tls_config.hosts")
    info = check_tls(cfg.certificate, cfg.private_key, hosts, datetime.now(UTC), where="tls_config.")
    return info, cfg.certificate, cfg.private_key


class Ingresses(NetworkObjects):
    """`delete` leaves the TLS Secrets: other Ingresses may use them; the SSL route's `delete` removes one."""

    resource = INGRESSES

    async def list_ingresses(self, cluster: ClusterRef, q: ListQuery) -> IngressList:
        views, total = await self._page(cluster, q, kinds.Ingress, ingress_view)
        return IngressList(ingresses=views, total=total, limit=q.limit, offset=q.offset)

    async def create(self, cluster: ClusterRef, b: IngressCreate) -> IngressView:
        namespace = b.namespace or "default"
        obj: kinds.Ingress = {"apiVersion": API_VERSION, "kind": "Ingress",
                              "metadata": {"name": b.name, "namespace": namespace,
                                           **metadata_changes(b.labels, b.annotations)},
                              "spec": to_k8s_spec(b)}
        member = await self.deps.member(cluster)
        created = await member.create(await member.resolve(INGRESSES), namespace, dict(obj))
        return ingress_view(cluster, kinds.parse(kinds.Ingress, created))

    async def update(self, cluster: ClusterRef, ref: Named, b: IngressUpdate) -> IngressView:
        """Fields left out keep their current value."""
        member = await self.deps.member(cluster)
        rt = await member.resolve(INGRESSES)
        current = await member.get(rt, ref.namespace, ref.name)
        spec = {**(current.get("spec") or {}), **to_k8s_spec(b)}
        updated = await self._replace(member, rt, ref, current, spec, b.labels, b.annotations)
        return ingress_view(cluster, kinds.parse(kinds.Ingress, updated))

    async def status(self, cluster: ClusterRef, ref: Named) -> IngressHealth:
        member = await self.deps.member(cluster)
        obj = kinds.parse(kinds.Ingress, await member.get(await member.resolve(INGRESSES), ref.namespace, ref.name))
        services, _ = await member.list_all(await member.resolve("services"), ref.namespace)
        slices, _ = await member.list_all(await member.resolve("endpointslices.discovery.k8s.io"), ref.namespace,
                                          label_selector=SERVICE_LABEL)
        by_name = {(s.get("metadata") or {}).get("name", ""): s for s in kinds.parse_all(kinds.Service, services)}
        backends = backend_status(obj, by_name, ready_by_service(kinds.parse_all(kinds.EndpointSlice, slices)))
        names = {t.get("secretName") for t in (obj.get("spec") or {}).get("tls") or [] if t.get("secretName")}
        secrets = {n: await _secret(member, ref.namespace, n) for n in sorted(n for n in names if n)}
        tls = tls_status(obj, secrets, datetime.now(UTC))
        view = ingress_view(cluster, obj)
        healthy = all(b.healthy is not False for b in backends) and all(t.message == "ok" for t in tls)
        return IngressHealth.model_validate({
            "id": ref.id, "name": ref.name, "namespace": ref.namespace, "cluster_id": cluster.id, "class": view.class_,
            "load_balancer": view.status.load_balancer, "backends": backends, "tls": tls, "healthy": healthy})

    async def _write_secret(self, member: MemberSession, namespace: str, b: SslBody, hosts: list[str]) -> CertInfo:
        """create/update: the checked pair as a kubernetes.io/tls Secret."""
        cfg, secrets_rt = b.tls_config, await member.resolve("secrets")
        info, certificate, private_key = _checked(cfg, b.action, hosts)
        secret = _tls_secret(namespace, cfg.secret_name, certificate, private_key)
        existing = await _secret(member, namespace, cfg.secret_name)
        if b.action == "create":
            if existing is not None:
                raise StateConflict(f"secret {cfg.secret_name!r} already exists; use action 'update'",
                                    field="tls_config.secret_name")
            await member.create(secrets_rt, namespace, dict(secret))
            return info
        if existing is None:
            raise Missing(f"secret {cfg.secret_name!r} does not exist; use action 'create'",
                          field="tls_config.secret_name")
        if existing.get("type") != TLS_SECRET:
            raise StateConflict(f"secret {cfg.secret_name!r} is not a kubernetes.io/tls Secret",
                                field="tls_config.secret_name")
        secret.setdefault("metadata", {})["resourceVersion"] = (existing.get("metadata") or {}).get(
            "resourceVersion", "")
        await member.replace(secrets_rt, namespace, cfg.secret_name, dict(secret))
        return info

    async def ssl(self, cluster: ClusterRef, ref: Named, b: SslBody) -> SslResult:
        """create/update: check the pair with `cryptography`, write a kubernetes.io/tls Secret, reference it from
        the Ingress's `tls`. delete: drop the reference and the Secret. The private key is never echoed or logged."""
        cfg = b.tls_config
        member = await self.deps.member(cluster)
        rt: ResourceType = await member.resolve(INGRESSES)
        ingress = await member.get(rt, ref.namespace, ref.name)
        read = kinds.parse(kinds.Ingress, ingress)
        hosts = cfg.hosts if cfg.hosts is not None else ingress_hosts(read)
        tls = [t for t in (read.get("spec") or {}).get("tls") or [] if t.get("secretName") != cfg.secret_name]
        info: CertInfo | None = None
        existing: kinds.Secret | None = None
        if b.action == "delete":
            existing = await _secret(member, ref.namespace, cfg.secret_name)
            if existing is not None and existing.get("type") != TLS_SECRET:
                raise StateConflict(f"secret {cfg.secret_name!r} is not a kubernetes.io/tls Secret; it is left "
                                    "alone", field="tls_config.secret_name")
        else:
            info = await self._write_secret(member, ref.namespace, b, hosts)
            tls.append({"hosts": hosts, "secretName": cfg.secret_name})
        body = {**ingress, "spec": {**(ingress.get("spec") or {}), "tls": tls}}
        updated = kinds.parse(kinds.Ingress, await member.replace(rt, ref.namespace, ref.name, body))
        if existing is not None:
            await member.delete(await member.resolve("secrets"), ref.namespace, cfg.secret_name)
        log.info("ingress %s/%s: TLS secret %s %sd", ref.namespace, ref.name, cfg.secret_name, b.action.rstrip("e"))
        return SslResult(ingress=ref.name, namespace=ref.namespace, action=b.action, secret_name=cfg.secret_name,
                         hosts=hosts, certificate=certificate_view(info) if info else None,
                         warnings=info.warnings if info else [], tls=ingress_view(cluster, updated).tls)
