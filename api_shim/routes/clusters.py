"""多云集群 API, 1. 集群接入管理: ManagedCluster objects in the hub, and live calls to members. The work is
cloudops.services.clusters."""

from __future__ import annotations

from aiohttp import web

from api_shim.endpoints import Call, Section
from api_shim.envelope import ok
from cloudops.services.clusters import Clusters
from cloudops.services.clusters.models import (
    AddBody,
    ClusterDeleted,
    ClusterDetail,
    ClusterList,
    ConnectionTest,
    ListQuery,
    ResourceStats,
    SyncResult,
    UpdateBody,
)

__all__ = ["section"]

section = Section(tag="clusters", resource="managedclusters")


@section.route("POST", "/api/k8s/clusters/add", "添加集群", verb="create", body=AddBody, data=ClusterDetail)
async def add_cluster(call: Call) -> web.Response:
    return ok(await call.service(Clusters).add(call.body))


@section.route("GET", "/api/k8s/clusters/list", "获取集群列表", verb="list", query=ListQuery, data=ClusterList)
async def list_clusters(call: Call) -> web.Response:
    return ok(await call.service(Clusters).list(call.query))


@section.route("GET", "/api/k8s/clusters/{id}", "获取集群详情", verb="get", data=ClusterDetail, cluster="path")
async def get_cluster(call: Call) -> web.Response:
    return ok(call.service(Clusters).detail(call.cluster))


@section.route("PUT", "/api/k8s/clusters/{id}", "更新集群信息", verb="update", body=UpdateBody, data=ClusterDetail,
               cluster="path")
async def update_cluster(call: Call) -> web.Response:
    return ok(await call.service(Clusters).update(call.cluster, call.body))


@section.route("DELETE", "/api/k8s/clusters/{id}", "删除集群", verb="delete", data=ClusterDeleted, cluster="path")
async def delete_cluster(call: Call) -> web.Response:
    return ok(await call.service(Clusters).delete(call.cluster))


@section.route("POST", "/api/k8s/clusters/{id}/test", "测试集群连接", verb="create", subresource="test",
               data=ConnectionTest, cluster="path")
async def test_cluster(call: Call) -> web.Response:
    """The test's answer is data: a member that cannot be reached is `connected: false`, not an error."""
    return ok(await call.service(Clusters).test(call.cluster))


@section.route("POST", "/api/k8s/clusters/{id}/sync", "同步集群状态", verb="create", subresource="sync",
               data=SyncResult, cluster="path")
async def sync_cluster(call: Call) -> web.Response:
    return ok(await call.service(Clusters).sync(call.cluster))


@section.route("GET", "/api/k8s/clusters/{id}/resources", "获取集群资源统计", verb="get", subresource="resources",
               data=ResourceStats, cluster="path")
async def cluster_resources(call: Call) -> web.Response:
    """Counted live from the member, not from the last sync."""
    return ok(await call.service(Clusters).resources(call.cluster))
