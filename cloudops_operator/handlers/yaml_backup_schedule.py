"""YAML BACKUP SCHEDULE handlers: the kind is stored and acknowledged; its behaviour is not built yet."""

from cloudops.constants import YAML_BACKUP_SCHEDULE
from cloudops_operator.status import register_placeholder

register_placeholder(YAML_BACKUP_SCHEDULE, "Scheduled YAML backup")
