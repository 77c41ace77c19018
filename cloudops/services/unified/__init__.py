"""多云集群 API 2. 统一资源管理: objects of any type across member clusters (`UnifiedService`); the section's
requests and answers are in `models`, the item views (shared with the CRD section) in `views`."""

from cloudops.services.unified.service import UnifiedService

__all__ = ["UnifiedService"]
