"""LabelPolicy evaluation: required, forbidden, patterns and allowed values; remediation and score."""

from __future__ import annotations

from cloudops.labels.policy import Rule, compile_error, evaluate, remediation, rule_from_spec, rule_to_spec, score

PROD = Rule("deployment", required=("environment", "team", "version"), forbidden=("test", "dev"),
            patterns={"environment": "^production$|^staging$", "version": r"^v\d+\.\d+\.\d+$"})


def test_a_compliant_object() -> None:
    f = evaluate([PROD], {"environment": "staging", "team": "a", "version": "v1.2.3", "other": "x"})
    assert f.compliant and f.message() == ""


def test_missing_forbidden_and_mismatched_are_each_reported() -> None:
    f = evaluate([PROD], {"environment": "prod", "version": "1.2", "dev": "true"})
    assert f.missing == ["team"] and f.forbidden == ["dev"]
    assert f.mismatched == [{"label": "environment", "value": "prod", "pattern": "^production$|^staging$"},
                            {"label": "version", "value": "1.2", "pattern": r"^v\d+\.\d+\.\d+$"}]
    assert not f.compliant
    assert f.message().startswith("missing team; forbidden dev; environment='prod' does not match")


def test_patterns_apply_only_to_present_labels_and_are_searched() -> None:
    assert evaluate([Rule("*", patterns={"tier": "front"})], {"tier": "frontend"}).compliant
    assert evaluate([Rule("*", patterns={"tier": "^front$"})], {}).compliant


def test_allowed_values_and_several_rules_merge_without_duplicates() -> None:
    rules = [Rule("deployment", required=("team",), allowed={"tier": ("web", "db")}), Rule("*", required=("team",))]
    f = evaluate(rules, {"tier": "cache"})
    assert f.missing == ["team"] and f.mismatched == [{"label": "tier", "value": "cache", "allowed": ["web", "db"]}]
    assert "one of web, db" in f.message()


def test_remediation_adds_only_missing_labels_with_defaults() -> None:
    f = evaluate([PROD], {"environment": "prod"})
    assert remediation(f, {"team": "platform", "version": "v0.0.1", "unrelated": "x"}) == {
        "team": "platform", "version": "v0.0.1"}
    assert remediation(f, {}) == {}


def test_rules_round_trip_between_rest_and_the_custom_resource() -> None:
    rest = {"resource_type": "deployment", "required_labels": ["team"], "forbidden_labels": [],
            "label_patterns": {"v": "^v"}, "allowed_values": {}}
    rule = rule_from_spec(rest)
    assert rule_to_spec(rule) == {"resourceType": "deployment", "requiredLabels": ["team"],
                                  "labelPatterns": {"v": "^v"}}
    assert rule_from_spec(rule_to_spec(rule)) == rule


def test_invalid_regex_and_score() -> None:
    assert compile_error("^(unclosed") is not None and compile_error(r"^v\d+$") is None
    assert score(0, 0) is None and score(3, 1) == 66.7 and score(4, 4) == 0.0
