"""X-Forwarded-For is believed only from configured proxies, walked from the right."""

from __future__ import annotations

import pytest

from api_shim.security.client_ip import TrustedProxies


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert TrustedProxies("").client("127.0.0.5", ["1.2.3.4"]) == "127.0.0.5"


def test_an_untrusted_peer_cannot_choose_its_address() -> None:
    assert TrustedProxies("127.0.0.1").client("127.0.0.9", ["9.9.9.9"]) == "127.0.0.9"


def test_the_first_untrusted_hop_from_the_right_is_the_client() -> None:
    proxies = TrustedProxies("127.0.0.0/30, ::1")
    assert proxies.client("127.0.0.1", ["203.0.113.7, 127.0.0.2"]) == "203.0.113.7"
    # A client that prepends a forged address does not get it believed.
    assert proxies.client("127.0.0.1", ["6.6.6.6, 203.0.113.7"]) == "203.0.113.7"
    assert proxies.client("::1", ["2001:db8::1"]) == "2001:db8::1"
    assert proxies.client("127.0.0.1", ["198.51.100.1", "203.0.113.9"]) == "203.0.113.9"


def test_all_hops_trusted_or_garbled() -> None:
    proxies = TrustedProxies("127.0.0.0/8")
    assert proxies.client("127.0.0.1", ["127.0.0.3, 127.0.0.2"]) == "127.0.0.3"
    assert proxies.client("127.0.0.1", ["not-an-ip"]) == "127.0.0.1"
    assert proxies.client("127.0.0.1", []) == "127.0.0.1"
    assert proxies.client(None, ["1.2.3.4"]) == "unknown"


def test_a_bad_entry_names_itself() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        TrustedProxies("127.0.0.1,nonsense")
