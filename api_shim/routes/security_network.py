"""智能运维 API network 2.1–2.2: analyze a namespace's connectivity, generate NetworkPolicies for its pods.

Both only read (verb get on capability `network`); 2.2 with `apply: true` writes, so it is authorized again
as `create` on `network`: a viewer may analyze and generate but never apply.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import yaml
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from api_shim.context import authorize
from api_shim.endpoints import Call, Section
from api_shim.envelope import ApiError, ok
from api_shim.models import ClusterRefItem
from api_shim.state import ACCESS
from cloudops.network.generate import Exception_, generate

__all__ = ["section"]

section = Section(tag="security", resource="managedclusters")
DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
PodName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=253)]
Port = Annotated[int, Field(ge=1, le=65535)]


class PolicyException(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: PodName = Field(alias="from", description="source pod (one of `pods`)")
    to: PodName = Field(description="destination pod (one of `pods`)")
    ports: list[Port] = Field(min_length=1, max_length=50, description="TCP ports")


class GenerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cluster_id: ClusterRefItem | None = None
    namespace: str = Field("default", pattern=DNS_LABEL, max_length=63)
    pods: list[PodName] = Field(min_length=1, max_length=200)
    policy_type: Literal["deny-all", "allow-same-namespace", "allow-list"] = "deny-all"
    exceptions: list[PolicyException] = Field(default_factory=list, max_length=200)
    allow_dns: bool = Field(True, description="keep egress to the cluster DNS (port 53) open")
    apply: bool = Field(False, description="create the policies (server-side apply after a dry run)")


class Generated(BaseModel):
    cluster_id: int | None
    namespace: str
    policy_type: str
    policies: list[dict[str, Any]]
    yaml: str
    applied: bool
    applied_policies: list[str]


@section.route("POST", "/api/k8s/security/network/generate-policy", "生成网络策略", verb="get",
               subresource="network", body=GenerateBody, data=Generated, cluster="param")
async def generate_policy(call: Call) -> web.Response:
    b: GenerateBody = call.body
    if b.apply:
        await authorize(call.request, "create", "network", call.cluster.name)
    session = await call.request.app[ACCESS].session(call.cluster)
    pods_rt = await session.resolve("pods")
    names = list(dict.fromkeys(b.pods))
    pods = [await session.get(pods_rt, b.namespace, name) for name in names]
    exceptions = [Exception_(e.from_, e.to, tuple(e.ports)) for e in b.exceptions]
    try:
        policies = generate(b.namespace, pods, b.policy_type, exceptions, b.allow_dns)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
    applied: list[str] = []
    if b.apply:
        rt = await session.resolve("networkpolicies")
        for dry_run in (True, False):  # every policy must pass the server's dry run before any is written
            for policy in policies:
                name = policy["metadata"]["name"]
                await session.patch(rt, b.namespace, name, policy, patch_type="apply", force=True, dry_run=dry_run)
                if not dry_run:
                    applied.append(name)
    text = yaml.safe_dump_all(policies, sort_keys=False)
    return ok({"cluster_id": call.cluster.id, "namespace": b.namespace, "policy_type": b.policy_type,
               "policies": policies, "yaml": text, "applied": bool(applied), "applied_policies": applied})
