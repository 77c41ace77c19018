"""Importing this package registers every kind's handlers with kopf."""

from cloudops_operator.handlers import (
    compliance_check,
    label_policy,
    managed_cluster,
    self_healing_rule,
    startup,
    yaml_backup_schedule,
)

__all__ = ["compliance_check", "label_policy", "managed_cluster", "self_healing_rule", "startup",
           "yaml_backup_schedule"]
