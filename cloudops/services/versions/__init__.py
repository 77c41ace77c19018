"""YAML 版本管理 1. YAML 版本控制: version history, diff, rollback, compare and tags of member objects
(`VersionService`); the section's requests and answers are in `models`."""

from cloudops.services.versions.service import VersionService

__all__ = ["VersionService"]
