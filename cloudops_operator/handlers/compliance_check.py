"""COMPLIANCE CHECK handlers: the kind is stored and acknowledged; its behaviour is not built yet."""

from cloudops.constants import COMPLIANCE_CHECK
from cloudops_operator.status import register_placeholder

register_placeholder(COMPLIANCE_CHECK, "Compliance checking")
