"""LabelPolicy evaluation: which labels an object misses, carries against the rules, or holds with a value
that does not match. Pure, so the shim's compliance check (1.7) and the operator's reconciler share one
unit-tested truth.

Rules come from the LabelPolicy spec (camelCase, crds/labelpolicies.yaml) or from REST (snake_case);
patterns are Python regular expressions searched in the value (anchor them with ^...$ to match whole).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Finding", "Rule", "compile_error", "evaluate", "remediation", "rule_from_spec", "rule_to_spec",
           "score", "summary"]

Json = dict[str, Any]


@dataclass(frozen=True)
class Rule:
    resource_type: str
    required: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    patterns: dict[str, str] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Finding:
    """What one object does wrong against the rules of its type; empty lists mean compliant."""

    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    mismatched: list[Json] = field(default_factory=list)  # {label, value, pattern} or {label, value, allowed}

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
            want = f"pattern {m['pattern']!r}" if "pattern" in m else f"one of {', '.join(m['allowed'])}"
            parts.append(f"{m['label']}={m['value']!r} does not match {want}")
        return "; ".join(parts)


def rule_from_spec(spec: Json) -> Rule:
    """A rule from the CR's camelCase or REST's snake_case fields."""
    def get(camel: str, snake: str) -> Any:
        return spec.get(camel) if spec.get(camel) is not None else spec.get(snake)
    return Rule(str(get("resourceType", "resource_type")), tuple(get("requiredLabels", "required_labels") or ()),
                tuple(get("forbiddenLabels", "forbidden_labels") or ()),
                dict(get("labelPatterns", "label_patterns") or {}),
                {k: tuple(v) for k, v in (get("allowedValues", "allowed_values") or {}).items()})


def rule_to_spec(rule: Rule) -> Json:
    out: Json = {"resourceType": rule.resource_type}
    if rule.required:
        out["requiredLabels"] = list(rule.required)
    if rule.forbidden:
        out["forbiddenLabels"] = list(rule.forbidden)
    if rule.patterns:
        out["labelPatterns"] = dict(rule.patterns)
    if rule.allowed:
        out["allowedValues"] = {k: list(v) for k, v in rule.allowed.items()}
    return out


def compile_error(pattern: str) -> str | None:
    """Why `pattern` is not a regular expression, or None."""
    try:
        re.compile(pattern)
    except re.error as e:
        return f"invalid regular expression: {e}"
    return None


def evaluate(rules: list[Rule], labels: dict[str, str]) -> Finding:
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


def remediation(finding: Finding, defaults: dict[str, str]) -> dict[str, str]:
    """The labels to add: missing ones that have a declared default. Nothing else is ever changed."""
    return {k: defaults[k] for k in finding.missing if k in defaults}


def score(checked: int, violating: int) -> float:
    """Percent of checked objects that comply (100 when nothing was checked)."""
    return 100.0 if checked == 0 else round(100.0 * (checked - violating) / checked, 1)


def summary(checked: int, violating: int) -> Json:
    return {"checked": checked, "compliant_count": checked - violating, "violation_count": violating,
            "score": score(checked, violating), "compliant": violating == 0}
