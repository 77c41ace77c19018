"""The compliance section's service (合规性管理 API): check runs and their reports."""

from __future__ import annotations

from cloudops.services.compliance.service import ChangeAudit, ComplianceService, Download

__all__ = ["ChangeAudit", "ComplianceService", "Download"]
