"""智能运维 API 2. 故障自愈: SelfHealingRule objects in the hub (2.1 create, 2.2 list with status) and the history
of what the rules did (2.3, ActivityRecords of stream `self-healing`). The operator runs the rules.

Capability `policies` (rules are automation policies, like label policies and compliance): creating is verb
create, listing rules and history is list, each authorized per target cluster.
"""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.self_healing import SelfHealingService
from cloudops.services.self_healing.models import (
    CreateRule,
    HistoryList,
    HistoryQuery,
    ListQuery,
    RuleList,
    RuleView,
)

__all__ = ["section"]

section = Section(tag="self-healing", resource="managedclusters")


@section.route("POST", "/api/k8s/self-healing/rules/create", "创建自愈规则", verb="create", subresource="policies",
               body=CreateRule, data=RuleView, cluster="many")
async def create_rule(call: Call) -> web.Response:
    return ok(await call.service(SelfHealingService).create(call.body, call.clusters, call.target.missing))


@section.route("GET", "/api/k8s/self-healing/rules", "获取自愈规则列表", verb="list", subresource="policies",
               query=ListQuery, data=RuleList, cluster="many")
async def list_rules(call: Call) -> web.Response:
    return ok(await call.service(SelfHealingService).list(call.query, call.clusters))


@section.route("GET", "/api/k8s/self-healing/history", "获取自愈历史", verb="list", subresource="policies",
               query=HistoryQuery, data=HistoryList, cluster="many")
async def list_history(call: Call) -> web.Response:
    return ok(await call.service(SelfHealingService).history(call.query, call.clusters))
