"""标签与亲和性管理 2.–5.: affinity, tolerations, node taints, suggestions, topology and the affinity graph on a
member (`SchedulingService`); the section's requests and answers are in `models`, the rules in
cloudops.scheduling."""

from cloudops.services.scheduling.service import SchedulingService

__all__ = ["SchedulingService"]
