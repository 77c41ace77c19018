"""智能运维 2. 故障自愈: self-healing rules and their history (`SelfHealingService`); the section's requests and
answers are in `models`."""

from cloudops.services.self_healing.service import SelfHealingService

__all__ = ["SelfHealingService"]
