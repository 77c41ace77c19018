"""The clusters section (多云集群 API 1.x, 集群接入管理): ManagedCluster objects in the hub and live calls to members.

`Clusters` takes the validated input (`models`) and the resolved cluster, and answers a response model;
`views` renders a ManagedCluster as the reference's snake_case shapes (also for cluster health).
"""

from cloudops.services.clusters.service import Clusters

__all__ = ["Clusters"]
