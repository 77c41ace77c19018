"""智能运维 API 1. 自动扩缩容: HorizontalPodAutoscalers of member clusters (`AutoscalingService`); the section's
requests and answers are in `models`."""

from cloudops.services.autoscaling.service import AutoscalingService

__all__ = ["AutoscalingService"]
