"""After the whole suite: no log it produced holds a key, token or Secret value it created (issue 18).

Runs last (tests/conftest.py moves it there). Every audit file, operator and shim process log and the
in-process shim's log records (written as deployed, through cloudops.logs.JsonFormatter) are read.
"""

from __future__ import annotations

import pytest

from tests.leaks import FORMS, LOGS, SECRETS


def _context(text: str, at: int) -> str:
    """The 80 characters before a finding, with every secret in them masked (the report must not leak either)."""
    before = text[max(0, at - 80):at]
    for value in SECRETS:
        before = before.replace(value, "***")
    for pattern in FORMS.values():
        before = pattern.sub("***", before)
    return before


def test_no_log_of_the_suite_holds_a_secret_it_created() -> None:
    logs = sorted(p for p in LOGS if p.is_file())
    if not logs:
        pytest.skip("no test of this run wrote a log")
    found: list[str] = []
    for path in logs:
        text = path.read_text(errors="replace")
        for value in SECRETS:
            if value in text:
                at = text.index(value)
                found.append(f"{path}: a registered secret after …{_context(text, at)}")
        for form, pattern in FORMS.items():
            for m in pattern.finditer(text):
                found.append(f"{path}: a value in the form of a {form} after …{_context(text, m.start())}")
    assert not found, f"{len(found)} leaks in {len(logs)} logs:\n" + "\n".join(found[:20])
