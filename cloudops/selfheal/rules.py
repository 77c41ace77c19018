"""SelfHealingRule specs: the condition and action vocabulary, validation naming the field, and the typed rule.

One vocabulary for the REST shim (2.1 refuses unknown types with a 400 naming them) and the operator (a rule
written with kubectl that the CRD schema cannot fully check is reported InvalidSpec, never half-run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudops.labels.selectors import key_error, value_error
from cloudops.resources import SelfHealingRule
from cloudops.resources.base import ResourceModel
from cloudops.resources.self_healing_rule import LabelSelector, SelfHealingRuleSpec

__all__ = [
    "ACTIONS",
    "ACTION_KINDS",
    "CONDITIONS",
    "NODE_STATES",
    "POD_STATES",
    "Action",
    "Condition",
    "Rule",
    "action_errors",
    "condition_errors",
    "duration_pattern",
    "parse_duration",
    "rule_from_object",
    "spec_errors",
]

# condition type -> (the kind of object it is about, the operators it takes)
CONDITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pod_status": ("pods", ("equals",)),
    "restart_count": ("pods", ("greater_than", "greater_than_or_equal", "equals")),
    "node_status": ("nodes", ("equals",)),
    "deployment_unavailable_replicas": ("deployments", ("greater_than", "greater_than_or_equal", "equals")),
}
POD_STATES = ("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "OOMKilled", "Error", "Pending",
              "CreateContainerConfigError", "Failed", "Unknown")
NODE_STATES = ("NotReady", "Unknown")
# action type -> parameters it takes besides `delay` (a name ending in "!" is required)
ACTIONS: dict[str, tuple[str, ...]] = {
    "restart_pod": (),
    "rollback_deployment": ("to_revision",),
    "scale": ("replicas!",),
    "cordon_node": (),
    "annotate": ("key!", "value"),
    "event": ("reason", "message"),
}
# the kinds of object each action can act upon (pods: through the pod's Deployment for rollback and scale)
ACTION_KINDS: dict[str, tuple[str, ...]] = {
    "restart_pod": ("pods",),
    "rollback_deployment": ("pods", "deployments"),
    "scale": ("pods", "deployments"),
    "cordon_node": ("nodes",),
    "annotate": ("pods", "nodes", "deployments"),
    "event": ("pods", "nodes", "deployments"),
}
MAX_DURATION = 86400
_DURATION = re.compile(r"^[ \t]*([0-9]{1,6})[ \t]*(s|m|h)?[ \t]*$")
_REASON = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,127}$")


def _fixed(a: str, b: str) -> str:
    """A pattern for the digit strings of one length from `a` to `b`."""
    if a == b:
        return a
    if len(a) == 1:
        return f"[{a}-{b}]"
    if a[0] == b[0]:
        return f"{a[0]}({_fixed(a[1:], b[1:])})"
    if a[1:] == "0" * (len(a) - 1) and b[1:] == "9" * (len(b) - 1):
        return f"[{a[0]}-{b[0]}][0-9]{{{len(a) - 1}}}"
    parts = [f"{a[0]}({_fixed(a[1:], '9' * (len(a) - 1))})"]
    if int(b[0]) - int(a[0]) > 1:
        parts.append(f"[{int(a[0]) + 1}-{int(b[0]) - 1}][0-9]{{{len(a) - 1}}}")
    parts.append(f"{b[0]}({_fixed('0' * (len(b) - 1), b[1:])})")
    return "|".join(parts)


def _digits(lo: int, hi: int, width: int = 6) -> str:
    """A pattern for the numbers lo..hi written in at most `width` digits, leading zeros allowed."""
    parts = []
    for n in range(1, len(str(hi)) + 1):
        a, b = max(lo, 10 ** (n - 1) if n > 1 else 0), min(hi, 10 ** n - 1)
        if a <= b:
            parts.append(f"0{{0,{width - n}}}({_fixed(str(a), str(b))})")
    return "|".join(parts)


def duration_pattern(minimum: int = 0) -> str:
    """What parse_duration accepts, at least `minimum` seconds, as a JSON Schema pattern."""
    alts = [f"({_digits(-(-minimum // k), MAX_DURATION // k)})[ \\t]*{unit}"
            for k, unit in ((1, "s?"), (60, "m"), (3600, "h"))]
    return rf"^[ \t]*({'|'.join(alts)})[ \t]*$"


def parse_duration(text: str | int) -> int:
    """Seconds from `90`, `"90"`, `"30s"`, `"5m"` or `"1h"`; ValueError saying what is accepted."""
    if isinstance(text, bool):
        raise ValueError("a duration such as 30s, 5m or 1h")
    if isinstance(text, int):
        seconds = text
    else:
        m = _DURATION.fullmatch(text)
        if m is None:
            raise ValueError(f"{text[:40]!r} is not a duration such as 30s, 5m or 1h")
        seconds = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, None: 1}[m.group(2)]
    if not 0 <= seconds <= MAX_DURATION:
        raise ValueError(f"must be between 0 and {MAX_DURATION} seconds")
    return seconds


@dataclass(frozen=True)
class Condition:
    type: str
    operator: str
    value: str
    duration: int = 0  # seconds the condition must have held (pods Pending, deployments unavailable...)

    def describe(self) -> str:
        text = f"{self.type} {self.operator} {self.value}"
        return f"{text} for {self.duration}s" if self.duration else text


@dataclass(frozen=True)
class Action:
    type: str
    parameters: tuple[tuple[str, str], ...] = ()

    def param(self, name: str, default: str = "") -> str:
        return dict(self.parameters).get(name, default)

    @property
    def delay(self) -> int:
        raw = self.param("delay")
        return parse_duration(raw) if raw else 0


@dataclass(frozen=True)
class Rule:
    namespace: str
    name: str
    uid: str
    generation: int
    clusters: tuple[str, ...]
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    namespaces: tuple[str, ...] = ()
    selector: LabelSelector = field(default_factory=LabelSelector)
    enabled: bool = True
    dry_run: bool = False
    cooldown: int = 300
    max_per_hour: int = 10
    delay: int = 0

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def kind(self) -> str:
        """What the rule watches: pods, nodes or deployments (all its conditions are about one kind)."""
        return CONDITIONS[self.conditions[0].type][0]

    @property
    def effective_delay(self) -> int:
        """The rule's delay or the longest action delay: how long a match must last before anything runs."""
        return max([self.delay, *(a.delay for a in self.actions)])

    @property
    def actor(self) -> str:
        return f"selfhealingrule/{self.name}"


def _typed(items: Sequence[Mapping[str, Any]], where: str, known: Mapping[str, Any], noun: str,
           errors: list[str]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(field path, type, item) of the items whose type is known; the others (or none at all) are errors."""
    if not items:
        errors.append(f"{where}: at least one {noun} is required")
    for i, item in enumerate(items):
        at, itype = f"{where}[{i}]", str(item.get("type", ""))
        if itype in known:
            yield at, itype, item
        else:
            errors.append(f"{at}.type: unknown {noun} type {itype[:60]!r} (known: {', '.join(known)})")


def condition_errors(conditions: Sequence[Mapping[str, Any]], where: str = "conditions") -> list[str]:
    """Why the conditions cannot be evaluated, each naming its field; [] when they can."""
    errors: list[str] = []
    kinds = set()
    for at, ctype, c in _typed(conditions, where, CONDITIONS, "condition", errors):
        kind, operators = CONDITIONS[ctype]
        kinds.add(kind)
        op = str(c.get("operator") or "equals")
        if op not in operators:
            errors.append(f"{at}.operator: {op[:40]!r} does not apply to {ctype} (use {', '.join(operators)})")
        value = str(c.get("value", ""))
        if ctype == "pod_status" and value not in POD_STATES:
            errors.append(f"{at}.value: {value[:60]!r} is not a pod status ({', '.join(POD_STATES)})")
        elif ctype == "node_status" and value not in NODE_STATES:
            errors.append(f"{at}.value: {value[:60]!r} is not a node status ({', '.join(NODE_STATES)})")
        elif ctype in ("restart_count", "deployment_unavailable_replicas") and (
                not value.isascii() or not value.isdigit() or int(value) > 1_000_000):
            errors.append(f"{at}.value: {value[:60]!r} must be a whole number from 0 to 1000000")
    if len(kinds) > 1:
        errors.append(f"{where}: all conditions must be about one kind of object (AND on the same object); "
                      f"these mix {', '.join(sorted(kinds))}")
    return errors


def _parameter_errors(at: str, atype: str, params: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    allowed = {p.rstrip("!") for p in ACTIONS[atype]} | {"delay"}
    for name in params:
        if name not in allowed:
            errors.append(f"{at}.parameters.{str(name)[:40]}: unknown parameter for {atype} "
                          f"(known: {', '.join(sorted(allowed))})")
    for p in ACTIONS[atype]:
        if p.endswith("!") and p[:-1] not in params:
            errors.append(f"{at}.parameters.{p[:-1]}: required for {atype}")
    text = {k: str(v) for k, v in params.items()}
    if "delay" in text:
        try:
            parse_duration(text["delay"])
        except ValueError as e:
            errors.append(f"{at}.parameters.delay: {e}")
    for number, top in (("replicas", 1000), ("to_revision", 1_000_000)):
        if number in text and (not text[number].isascii() or not text[number].isdigit() or int(text[number]) > top):
            errors.append(f"{at}.parameters.{number}: must be a whole number from 0 to {top}")
    if "key" in text and (err := key_error(text["key"])):
        errors.append(f"{at}.parameters.key: {err}")
    if "value" in text and len(text["value"]) > 1024:
        errors.append(f"{at}.parameters.value: at most 1024 characters")
    if "reason" in text and not _REASON.fullmatch(text["reason"]):
        errors.append(f"{at}.parameters.reason: a CamelCase word of at most 128 characters")
    if "message" in text and len(text["message"]) > 1024:
        errors.append(f"{at}.parameters.message: at most 1024 characters")
    return errors


def action_errors(actions: Sequence[Mapping[str, Any]], kind: str | None, where: str = "actions") -> list[str]:
    """Why the actions cannot run on objects of `kind` (None: unknown, only types are checked)."""
    errors: list[str] = []
    for at, atype, a in _typed(actions, where, ACTIONS, "action", errors):
        if kind is not None and kind not in ACTION_KINDS[atype]:
            errors.append(f"{at}.type: {atype} cannot act on {kind} (it acts on {', '.join(ACTION_KINDS[atype])})")
        params = a.get("parameters") or {}
        if not isinstance(params, Mapping):
            errors.append(f"{at}.parameters: must be an object")
            continue
        errors += _parameter_errors(at, atype, params)
    return errors


def _wire(model: type[ResourceModel], name: str) -> str:
    """A field's name on the wire (the models' camelCase alias)."""
    return model.model_fields[name].alias or name


def spec_errors(spec: SelfHealingRuleSpec | Mapping[str, object]) -> list[str]:
    """Everything wrong with a SelfHealingRule spec that its schema cannot say."""
    if not isinstance(spec, SelfHealingRuleSpec):
        spec = SelfHealingRuleSpec.model_validate(spec)
    conditions = [c.model_dump() for c in spec.conditions]
    errors = condition_errors(conditions)
    kind = None if errors else CONDITIONS[spec.conditions[0].type][0]
    errors += action_errors([a.model_dump() for a in spec.actions], kind)
    if not spec.clusters:
        errors.append("clusters: at least one cluster is required")
    match_labels = spec.label_selector.match_labels if spec.label_selector else None
    where = f"{_wire(SelfHealingRuleSpec, 'label_selector')}.{_wire(LabelSelector, 'match_labels')}"
    for name, value in (match_labels or {}).items():
        if err := key_error(name) or value_error(value):
            errors.append(f"{where}: {err}")
    return errors


def rule_from_object(obj: SelfHealingRule | Mapping[str, object]) -> Rule:
    """The typed rule of a valid SelfHealingRule (check spec_errors first)."""
    if not isinstance(obj, SelfHealingRule):
        obj = SelfHealingRule.model_validate(obj)
    meta, spec = obj.metadata, obj.spec
    conditions = tuple(Condition(c.type, c.operator, c.value, c.duration_seconds) for c in spec.conditions)
    actions = tuple(Action(a.type, tuple(sorted((a.parameters or {}).items()))) for a in spec.actions)
    return Rule(namespace=meta.namespace or "", name=meta.name or "", uid=meta.uid or "",
                generation=meta.generation or 0, clusters=tuple(spec.clusters), conditions=conditions,
                actions=actions, namespaces=tuple(spec.namespaces or ()),
                selector=spec.label_selector or LabelSelector(), enabled=spec.enabled, dry_run=spec.dry_run,
                cooldown=spec.cooldown_seconds, max_per_hour=spec.max_actions_per_hour, delay=spec.delay_seconds)
