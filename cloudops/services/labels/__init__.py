"""标签管理: labels and annotations of member objects (`LabelService`), label policies and compliance checks
(`LabelPolicyService`); the section's requests and answers are in `models`."""

from cloudops.services.labels.objects import LabelService
from cloudops.services.labels.policies import Authorize, LabelPolicyService

__all__ = ["Authorize", "LabelPolicyService", "LabelService"]
