"""资源配额管理: ResourceQuotas (`QuotaService`) and LimitRanges (`LimitRangeService`) of member clusters; the
section's requests and answers are in `models`."""

from cloudops.services.quotas.service import LimitRangeService, QuotaService

__all__ = ["LimitRangeService", "QuotaService"]
