"""Names that make up the API contract of the custom resources (see crds/)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIVITY_RECORD",
    "API_VERSION",
    "COMPLIANCE_CHECK",
    "COMPLIANCE_REPORT",
    "COST_PRICING",
    "FIELD_MANAGER",
    "GROUP",
    "ID_LABEL",
    "KINDS",
    "LABEL_POLICY",
    "MANAGED_CLUSTER",
    "METRIC_HISTORY",
    "SELF_HEALING_RULE",
    "VERSION",
    "YAML_BACKUP",
    "YAML_BACKUP_SCHEDULE",
    "YAML_VERSION",
    "Kind",
]

GROUP = "cloudops.io"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
ID_LABEL = f"{GROUP}/id"
FIELD_MANAGER = "cloudops"


@dataclass(frozen=True)
class Kind:
    kind: str
    plural: str


MANAGED_CLUSTER = Kind("ManagedCluster", "managedclusters")
YAML_BACKUP_SCHEDULE = Kind("YamlBackupSchedule", "yamlbackupschedules")
YAML_BACKUP = Kind("YamlBackup", "yamlbackups")
YAML_VERSION = Kind("YamlVersion", "yamlversions")
SELF_HEALING_RULE = Kind("SelfHealingRule", "selfhealingrules")
LABEL_POLICY = Kind("LabelPolicy", "labelpolicies")
COMPLIANCE_CHECK = Kind("ComplianceCheck", "compliancechecks")
COMPLIANCE_REPORT = Kind("ComplianceReport", "compliancereports")
CLUSTER_METRICS = Kind("ClusterMetrics", "clustermetrics")
METRIC_HISTORY = Kind("MetricHistory", "metrichistories")
ACTIVITY_RECORD = Kind("ActivityRecord", "activityrecords")
COST_PRICING = Kind("CostPricing", "costpricings")
KINDS = (MANAGED_CLUSTER, YAML_BACKUP_SCHEDULE, SELF_HEALING_RULE, LABEL_POLICY, COMPLIANCE_CHECK)
