"""合规性管理 API 1.1–1.2: run the compliance check library against a member (optionally fixing what is
mechanical) and read the reports of past runs as JSON, CSV or PDF (cloudops.services.compliance).

Running checks only reads (verb get on capability `policies`); `auto_fix` writes, so it is authorized again as
`update` on `policies`: a viewer may check but never fix. Every auto-fix change gets its own audit record
(operation `PATCH <kind> <namespace>/<name>`, route `compliance auto-fix`).
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.compliance import ComplianceService
from cloudops.services.compliance.models import CheckBody, CheckRun, ReportQuery, ReportView

__all__ = ["section"]

section = Section(tag="compliance", resource="managedclusters")


@section.route("POST", "/api/k8s/compliance/check", "运行合规性检查", verb="get", subresource="policies",
               body=CheckBody, data=CheckRun, cluster="param")
async def run_check(call: Call) -> web.Response:
    if call.body.auto_fix:
        await call.authorize("update", "policies", call.cluster.name)
    audit = partial(call.audit, "compliance auto-fix", "policies")
    return ok(await call.service(ComplianceService).run(call.body, call.cluster, audit))


@section.route("GET", "/api/k8s/compliance/report", "获取合规性报告", verb="get", subresource="policies",
               query=ReportQuery, data=ReportView, cluster="param", media=("text/csv", "application/pdf"))
async def get_report(call: Call) -> web.Response:
    """The last run's results in the range, with the score of every run of its check in the range."""
    report = await call.service(ComplianceService).download(call.query, call.cluster)
    if isinstance(report, ReportView):
        return ok(report)
    return web.Response(body=report.body, content_type=report.content_type,
                        charset="utf-8" if report.content_type == "text/csv" else None,
                        headers={"Content-Disposition": f'attachment; filename="{report.filename}"'})
