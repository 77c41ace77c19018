"""智能运维 API network 2.1–2.2: analyze a namespace's connectivity, generate NetworkPolicies for its pods.

Both only read (verb get on capability `network`); 2.2 with `apply: true` writes, so it is authorized again
as `create` on `network`: a viewer may analyze and generate but never apply.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.network import NetworkSecurity
from cloudops.services.network.models.security_network import Analysis, AnalyzeBody, GenerateBody, Generated

__all__ = ["section"]

section = Section(tag="security", resource="managedclusters")


@section.route("POST", "/api/k8s/security/network/analyze", "分析流量模式", verb="get", subresource="network",
               body=AnalyzeBody, data=Analysis, cluster="param")
async def analyze_traffic(call: Call) -> web.Response:
    """Declared and inferred connectivity, plus observed flows over `time_range` (default 1h) when a flow
    source is configured (CLOUDOPS_NETWORK_FLOWS); without one `time_range` is reported as not applicable."""
    return ok(await call.service(NetworkSecurity).analyze(call.cluster, call.body))


@section.route("POST", "/api/k8s/security/network/generate-policy", "生成网络策略", verb="get",
               subresource="network", body=GenerateBody, data=Generated, cluster="param")
async def generate_policy(call: Call) -> web.Response:
    b: GenerateBody = call.body
    if b.apply:
        await call.authorize("create", "network", call.cluster.name)
    return ok(await call.service(NetworkSecurity).generate(call.cluster, b))
