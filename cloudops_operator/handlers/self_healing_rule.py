"""SELF HEALING RULE handlers: the kind is stored and acknowledged; its behaviour is not built yet."""

from cloudops.constants import SELF_HEALING_RULE
from cloudops_operator.status import register_placeholder

register_placeholder(SELF_HEALING_RULE, "Self-healing")
