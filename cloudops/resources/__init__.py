"""Typed pydantic models of the cloudops.io/v1alpha1 custom resources, one module per kind (see base.py).

Read with `<Kind>.model_validate(body)`, write with `base.dump(model)` (or `base.dump_patch` for merge
patches); `cloudops.kube.stores.HubStore` does both around `cloudops.kube.custom_objects.CustomObjects`.
"""

from __future__ import annotations

from cloudops.resources.activity_record import ActivityRecord
from cloudops.resources.base import CustomResource, dump, dump_patch
from cloudops.resources.cluster_metrics import ClusterMetrics
from cloudops.resources.compliance_check import ComplianceCheck
from cloudops.resources.compliance_report import ComplianceReport
from cloudops.resources.cost_pricing import CostPricing
from cloudops.resources.label_policy import LabelPolicy
from cloudops.resources.managed_cluster import ManagedCluster
from cloudops.resources.metric_history import MetricHistory
from cloudops.resources.self_healing_rule import SelfHealingRule
from cloudops.resources.yaml_backup import YamlBackup
from cloudops.resources.yaml_backup_schedule import YamlBackupSchedule
from cloudops.resources.yaml_version import YamlVersion

__all__ = [
    "RESOURCES",
    "ActivityRecord",
    "ClusterMetrics",
    "ComplianceCheck",
    "ComplianceReport",
    "CostPricing",
    "CustomResource",
    "LabelPolicy",
    "ManagedCluster",
    "MetricHistory",
    "SelfHealingRule",
    "YamlBackup",
    "YamlBackupSchedule",
    "YamlVersion",
    "dump",
    "dump_patch",
]

RESOURCES: tuple[type[CustomResource], ...] = (
    ManagedCluster, ClusterMetrics, MetricHistory, ActivityRecord, YamlBackupSchedule, YamlBackup, YamlVersion,
    SelfHealingRule, LabelPolicy, ComplianceCheck, ComplianceReport, CostPricing)
"""Every kind's top-level model (the order of crds/kustomization.yaml)."""
