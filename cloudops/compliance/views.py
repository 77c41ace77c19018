"""What a run shows of its results: the shapes of the compliance API (合规性管理 1.1–1.2), the stored
ComplianceReport results and the MCP config validator alike.

TypedDicts, so a result is plain JSON wherever it goes (packed into a report, turned into PolicyReports, CSV)
and typed all the same; the API's response models (cloudops.services.compliance.models) hold them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from typing_extensions import TypedDict

__all__ = ["FixStatus", "FixSuggestion", "FixView", "ResultView", "Severity", "Summary", "ViolationView"]

Severity = Literal["danger", "warning"]
FixStatus = Literal["applied", "rejected", "failed"]  # rejected: the dry run failed; failed: the write did


class FixSuggestion(TypedDict):
    action: str
    patch: Mapping[str, object] | None


class ViolationView(TypedDict):
    check_id: str
    severity: Severity
    field: str
    expected: Any
    actual: Any
    message: str
    fix_suggestion: FixSuggestion | None


class ResultView(TypedDict):
    resource: str
    kind: str
    namespace: str
    name: str
    policy: str
    status: Literal["passed", "failed"]
    violations: list[ViolationView]
    fix_suggestion: FixSuggestion | None


class Summary(TypedDict):
    total: int
    passed: int
    failed: int
    compliance_score: float | None
    """round(100 × passed / total, 1); null when nothing was checked (total 0)."""
    score_reason: str | None
    """Why compliance_score is null; null when there is a score."""


class FixView(TypedDict):
    resource: str
    namespace: str
    name: str
    checks: list[str]
    patch: Mapping[str, object]
    status: FixStatus
    error: str | None
