"""Importing this package registers every kind's handlers with kopf."""

from cloudops_operator.handlers import (
    compliance_check,
    endpoint_monitor,
    label_policy,
    managed_cluster,
    quota_usage,
    startup,
    usage_history,
    version_tracking,
    yaml_backup,
    yaml_backup_schedule,
)

__all__ = ["compliance_check", "endpoint_monitor", "label_policy", "managed_cluster", "quota_usage",
           "startup", "usage_history", "version_tracking", "yaml_backup",
           "yaml_backup_schedule"]
