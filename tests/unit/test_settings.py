"""Settings come from the environment with typed conversion; unset variables keep the defaults."""

from __future__ import annotations

import pytest

from cloudops.settings import RateLimits, Settings


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("KUBECONFIG", "CLOUDOPS_NAMESPACE", "CLOUDOPS_SHIM_PORT", "CLOUDOPS_RATE_IP"):
        monkeypatch.delenv(var, raising=False)
    s = Settings.from_env()
    assert s.namespace == "cloudops-system" and s.kubeconfig is None and s.shim_port == 8080
    assert s.rate_limits == RateLimits()


def test_variables_override_with_the_field_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", "/tmp/hub.kubeconfig")
    monkeypatch.setenv("CLOUDOPS_SHIM_PORT", "9001")
    monkeypatch.setenv("CLOUDOPS_MEMBER_TIMEOUT", "2.5")
    monkeypatch.setenv("CLOUDOPS_BURST_USER", "7")
    s = Settings.from_env()
    assert s.kubeconfig == "/tmp/hub.kubeconfig"
    assert s.shim_port == 9001 and isinstance(s.shim_port, int)
    assert s.member_timeout_seconds == 2.5
    assert s.rate_limits.user_burst == 7 and s.rate_limits.user_rate == RateLimits().user_rate


def test_a_malformed_number_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDOPS_SHIM_PORT", "eighty")
    with pytest.raises(ValueError):
        Settings.from_env()


def test_every_setting_has_one_variable_and_the_readme_names_it() -> None:
    from dataclasses import fields
    from pathlib import Path

    from cloudops.settings import ENV, RATE_ENV

    assert set(ENV) == {f.name for f in fields(Settings)} - {"rate_limits"}
    assert set(RATE_ENV) == {f.name for f in fields(RateLimits)}
    variables = [*ENV.values(), *RATE_ENV.values()]
    assert len(variables) == len(set(variables)), "two settings share a variable"
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [v for v in variables if v not in readme and not v.startswith(("CLOUDOPS_RATE_", "CLOUDOPS_BURST_"))]
    assert not missing, f"README lacks {missing}"
