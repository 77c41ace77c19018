"""LabelPolicy evaluation: which labels an object misses, carries against the rules, or holds with a value
that does not match. Pure, so the shim's compliance check (1.7) and the operator's reconciler share one
unit-tested truth.

Rules come from the LabelPolicy spec (cloudops.resources.LabelRule) or from REST (the same snake_case names);
patterns are Python regular expressions searched in the value (anchor them with ^...$ to match whole).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from cloudops.kube.types import JsonObject
from cloudops.resources.base import dump
from cloudops.resources.label_policy import LabelRule

__all__ = ["Finding", "MismatchedLabel", "Rule", "compile_error", "evaluate", "remediation", "rule_from_spec",
           "rule_to_spec", "score"]


class MismatchedLabel(TypedDict):
    """A label whose value breaks a rule: with the `pattern` it does not match, or the `allowed` values."""

    label: str
    value: str
    pattern: NotRequired[str]
    allowed: NotRequired[list[str]]


@dataclass(frozen=True)
class Rule:
    resource_type: str
    required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    patterns: dict[str, str] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, spec: LabelRule) -> Rule:
        return cls(spec.resource_type, tuple(spec.required_labels or ()), tuple(spec.forbidden_labels or ()),
                   dict(spec.label_patterns or {}), {k: tuple(v) for k, v in (spec.allowed_values or {}).items()})

    def to_model(self) -> LabelRule:
        """The rule as the LabelPolicy spec stores it: empty checks left out."""
        return LabelRule(resource_type=self.resource_type, required_labels=list(self.required) or None,
                         forbidden_labels=list(self.forbidden) or None, label_patterns=dict(self.patterns) or None,
                         allowed_values={k: list(v) for k, v in self.allowed.items()} or None)


@dataclass
class Finding:
    """What one object does wrong against the rules of its type; empty lists mean compliant."""

    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    mismatched: list[MismatchedLabel] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        return not (self.missing or self.forbidden or self.mismatched)

    def message(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"missing {', '.join(self.missing)}")
        if self.forbidden:
            parts.append(f"forbidden {', '.join(self.forbidden)}")
        for m in self.mismatched:
            pattern = m.get("pattern")
            want = f"pattern {pattern!r}" if pattern is not None else f"one of {', '.join(m.get('allowed', []))}"
            parts.append(f"{m['label']}={m['value']!r} does not match {want}")
        return "; ".join(parts)


def rule_from_spec(spec: Mapping[str, object]) -> Rule:
    """A rule from the CR's camelCase or REST's snake_case fields."""
    return Rule.of(LabelRule.model_validate(spec))


def rule_to_spec(rule: Rule) -> JsonObject:
    """The rule in the CR's wire (camelCase) form."""
    return dump(rule.to_model())


def compile_error(pattern: str) -> str | None:
    """Why `pattern` is not a regular expression, or None."""
    try:
        re.compile(pattern)
    except re.error as e:
        return f"invalid regular expression: {e}"
    return None


def evaluate(rules: list[Rule], labels: Mapping[str, str]) -> Finding:
    """Every rule in `rules` (those for the object's type) against the object's labels."""
    finding = Finding()
    for rule in rules:
        finding.missing += [k for k in rule.required if k not in labels and k not in finding.missing]
        finding.forbidden += [k for k in rule.forbidden if k in labels and k not in finding.forbidden]
        for key, pattern in sorted(rule.patterns.items()):
            if key in labels and re.search(pattern, labels[key]) is None:
                finding.mismatched.append({"label": key, "value": labels[key], "pattern": pattern})
        for key, allowed in sorted(rule.allowed.items()):
            if key in labels and labels[key] not in allowed:
                finding.mismatched.append({"label": key, "value": labels[key], "allowed": list(allowed)})
    return finding


def remediation(finding: Finding, defaults: Mapping[str, str]) -> dict[str, str]:
    """The labels to add: missing ones that have a declared default. Nothing else is ever changed."""
    return {k: defaults[k] for k in finding.missing if k in defaults}


def score(checked: int, violating: int) -> float | None:
    """Percent of checked objects that comply; None when nothing was checked (a score over nothing is not 100)."""
    return None if checked == 0 else round(100.0 * (checked - violating) / checked, 1)


def nothing_checked(namespaces: list[str] | None, types: list[str] | None) -> str:
    """Why a check has no score: what it looked for and where."""
    where = f"namespaces {', '.join(namespaces)}" if namespaces else "any namespace the policy covers"
    what = ", ".join(types) if types else "the policy's resource types"
    return f"nothing was checked: no objects of {what} in {where}"
