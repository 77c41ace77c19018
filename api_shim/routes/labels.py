"""标签与亲和性管理 API, 1. 标签管理: labels and annotations of objects in members (1.1–1.5), label
policies (1.6) and compliance checks against them (1.7). The work is cloudops.services.labels.

Objects are named by object id or by name with resource_type and namespace.
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.constants import LABEL_POLICY
from cloudops.services.labels import LabelPolicyService, LabelService
from cloudops.services.labels.models import (
    AddBody,
    BatchBody,
    BatchResult,
    ChangedView,
    ComplianceBody,
    ComplianceResult,
    LabelView,
    ObjectQuery,
    PolicyBody,
    PolicyList,
    PolicyListQuery,
    PolicyView,
    RemoveBody,
    SelectQuery,
    SelectResult,
)

__all__ = ["section"]

section = Section(tag="labels", resource="managedclusters")

LABELS_PATH = "/api/k8s/labels/{resource_type}/{resource_id}"


@section.route("GET", LABELS_PATH, "获取资源标签", verb="get", subresource="labels", query=ObjectQuery,
               data=LabelView, cluster="object")
async def get_labels(call: Call) -> web.Response:
    return ok(await call.service(LabelService).get(call.cluster, call.object_id, call.path("resource_type")))


@section.route("POST", LABELS_PATH + "/add", "添加/更新标签", verb="update", subresource="labels", body=AddBody,
               data=ChangedView, cluster="object")
async def add_labels(call: Call) -> web.Response:
    """With overwrite false, the patch carries the read resourceVersion: a concurrent change is 409/1006."""
    service = call.service(LabelService)
    return ok(await service.add(call.cluster, call.object_id, call.path("resource_type"), call.body))


@section.route("DELETE", LABELS_PATH + "/remove", "删除标签", verb="update", subresource="labels", body=RemoveBody,
               data=ChangedView, cluster="object")
async def remove_labels(call: Call) -> web.Response:
    """Keys the object does not have are not an error; `changed` lists those that were there."""
    service = call.service(LabelService)
    return ok(await service.remove(call.cluster, call.object_id, call.path("resource_type"), call.body))


@section.route("POST", "/api/k8s/labels/batch", "批量标签操作", verb="update", subresource="labels", body=BatchBody,
               data=BatchResult, cluster="param")
async def batch_labels(call: Call) -> web.Response:
    """One result per resource, run concurrently; a failed resource never fails the others."""
    return ok(await call.service(LabelService).batch(call.cluster, call.body))


@section.route("GET", "/api/k8s/labels/select", "标签选择器查询", verb="list", subresource="labels",
               query=SelectQuery, data=SelectResult, cluster="param")
async def select(call: Call) -> web.Response:
    """The selector goes to the member as is (equality and set-based); a malformed one is 400 first."""
    return ok(await call.service(LabelService).select(call.cluster, call.query))


@section.route("POST", "/api/k8s/labels/policies/create", "标签策略管理", verb="create", resource="labelpolicies",
               body=PolicyBody, data=PolicyView)
async def create_policy(call: Call) -> web.Response:
    """A LabelPolicy in the hub with an integer id; the operator checks it on change and on its interval."""
    may_label = partial(call.authorize, "create", "labels")
    return ok(await call.service(LabelPolicyService).create(call.body, may_label))


@section.route("GET", "/api/k8s/labels/policies/list", "标签策略列表", verb="list", resource="labelpolicies",
               query=PolicyListQuery, data=PolicyList)
async def list_policies(call: Call) -> web.Response:
    """Beyond the reference: the LabelPolicies (kubectl-applied ones too) with their last check, for the console."""
    return ok(await call.service(LabelPolicyService).list(call.query))


@section.route("POST", "/api/k8s/labels/compliance/check", "标签合规性检查", verb="get", subresource="labels",
               body=ComplianceBody, data=ComplianceResult, cluster="param")
async def check_compliance(call: Call) -> web.Response:
    """Reads only: every violating object with what is missing, forbidden or not matching, and a score."""
    may_read = partial(call.authorize, "get", "", resource=LABEL_POLICY.plural)
    return ok(await call.service(LabelPolicyService).check(call.cluster, call.body, may_read))
