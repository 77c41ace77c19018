"""LABEL POLICY handlers: the kind is stored and acknowledged; its behaviour is not built yet."""

from cloudops.constants import LABEL_POLICY
from cloudops_operator.status import register_placeholder

register_placeholder(LABEL_POLICY, "Label policy enforcement")
