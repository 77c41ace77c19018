"""YAML 版本管理 2. YAML 备份管理: backups of member objects kept in the hub (`BackupService`); the section's
requests and answers are in `models`."""

from cloudops.services.backups.service import BackupService

__all__ = ["BackupService"]
