"""cloudops.labels: label keys, values and selectors are refused the way Kubernetes refuses them."""

from __future__ import annotations

import pytest

from cloudops.labels.selectors import field_selector_error, key_error, selector_error, value_error

# -- keys ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    "app",
    "A",
    "app.kubernetes.io/name",
    "example.com/tier_1",
    "a-b_c.d",
    "x" * 63,
    "a" * 253 + "/name",
    "sub.example-1.com/v",
])
def test_key_error_accepts_valid_keys(key: str) -> None:
    assert key_error(key) is None


@pytest.mark.parametrize("key", [
    "Example.com/name",  # prefix must be lower-case
    "-example.com/name",
    "example.com-/name",
    "exa_mple.com/name",
    "/name",  # empty prefix
    "a/b/c",  # a second slash lands in the prefix
    "a" * 254 + "/name",
])
def test_key_error_names_the_prefix(key: str) -> None:
    err = key_error(key)
    assert err is not None
    assert "prefix" in err
    assert repr(key) in err


@pytest.mark.parametrize("key", [
    "",
    "example.com/",
    "x" * 64,
    "-app",
    "app-",
    "_app",
    "app.",
    "a b",
    "a@b",
    "ä",
    "app\n",
])
def test_key_error_names_the_name(key: str) -> None:
    err = key_error(key)
    assert err is not None
    assert "name must be 1-63 characters" in err


# -- values ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "v", "V1", "a-b_c.d", "1", "x" * 63])
def test_value_error_accepts_valid_values(value: str) -> None:
    assert value_error(value) is None


@pytest.mark.parametrize("value", ["x" * 64, "-a", "a-", ".a", "a b", "a/b", "a:b", "ü", "a\n"])
def test_value_error_refuses_invalid_values(value: str) -> None:
    err = value_error(value)
    assert err is not None
    assert repr(value) in err
    assert "63" in err


# -- selectors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("selector", [
    "",
    "   ",
    "a=b",
    "a==b",
    "a!=b",
    "!a",
    "a",
    "a=",  # empty value is a valid value
    "a in (x,y)",
    "a in (x, y)",
    "a notin (x)",
    "a in(x)",
    "a = b",
    " a  !=  b ",
    "! a",
    "app.kubernetes.io/name=web",
    "a=b,c!=d",
    "a=b, !c, d in (x, y), e notin (z), f",
    "tier in (a,b),env=prod",
])
def test_selector_error_accepts_valid_selectors(selector: str) -> None:
    assert selector_error(selector) is None


@pytest.mark.parametrize("selector", [
    "a===b",
    "!!",
    "!!a",
    "=b",
    "==b",
    "a=b,",
    ",a=b",
    "a=b,,c=d",
    "a b",
    "a=b c",
    "!a=b",
    "!a in (x)",
    "a in x",
    "a in ((x))",
    "a in (x)(y)",
])
def test_selector_error_refuses_malformed_requirements(selector: str) -> None:
    assert selector_error(selector) is not None


def test_selector_error_empty_set() -> None:
    err = selector_error("a in ()")
    assert err is not None
    assert "empty" in err


@pytest.mark.parametrize("selector", ["a in (x", "a in x)", "a in (x,y", "a=b)"])
def test_selector_error_unbalanced_parentheses(selector: str) -> None:
    assert selector_error(selector) == "unbalanced parentheses"


def test_selector_error_bang_takes_a_bare_key() -> None:
    err = selector_error("!a=b")
    assert err is not None
    assert "'!' takes a bare key" in err


@pytest.mark.parametrize(("selector", "part"), [
    ("a@b=c", "key 'a@b'"),
    ("Bad.Prefix/a=b", "key 'Bad.Prefix/a'"),
    ("-a", "key '-a'"),
    ("a=b@c", "value 'b@c'"),
    ("a!=-x", "value '-x'"),
    ("a in (x, y@)", "value 'y@'"),
    ("a notin (ok, " + "v" * 64 + ")", "value '" + "v" * 64 + "'"),
    ("ok=1, a=b@c", "value 'b@c'"),
])
def test_selector_error_names_the_bad_key_or_value(selector: str, part: str) -> None:
    err = selector_error(selector)
    assert err is not None
    assert err.startswith(part)


@pytest.mark.parametrize("selector", ["domain (x)", "ain (x)", "plugin(x)"])
def test_selector_error_refuses_key_glued_to_set_parenthesis(selector: str) -> None:
    assert selector_error(selector) is not None


@pytest.mark.parametrize("selector", [
    "",
    "metadata.name=web",
    "metadata.name==web",
    "status.phase!=Running",
    "spec.nodeName=",  # an empty value selects objects whose field is empty
    "metadata.namespace=default,status.phase=Pending",
    "status.phase=Pending,",  # Kubernetes skips empty terms
    "type=Warning",
    "involvedObject.kind=Pod,involvedObject.name=web-0",
    "status.podIP!=10.0.0.1",
    "metadata.name=a!b",  # '!' in a value is data, not an operator
    "metadata.name=a\\,b",  # an escaped comma stays in the value
    "metadata.name=a\\=b",
    "metadata.name=a\\\\b",
    "spec.some_field-x=1",
])
def test_field_selector_error_accepts_valid_selectors(selector: str) -> None:
    assert field_selector_error(selector) is None


@pytest.mark.parametrize(("selector", "part"), [
    ("metadata.name", "is not 'key=value'"),
    ("status.phase in (Running)", "is not 'key=value'"),
    ("=web", "key ''"),
    ("!=web", "key ''"),
    ("metadata.name = web", "key 'metadata.name '"),
    ("metadata..name=web", "key 'metadata..name'"),
    (".metadata.name=web", "key '.metadata.name'"),
    ("metadata.labels['app']=web", "key"),
    ("metadata.name===web", "'=' in a value"),
    ("metadata.name=a=b", "'=' in a value"),
    ("metadata.name=a\\!b", "is not an escape"),
    ("metadata.name=a\\", "lone backslash"),
    ("status.phase=Running,bogus", "term 'bogus'"),
])
def test_field_selector_error_names_what_is_wrong(selector: str, part: str) -> None:
    err = field_selector_error(selector)
    assert err is not None and part in err, err
