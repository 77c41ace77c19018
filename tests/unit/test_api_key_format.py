"""API key format, digest and Secret naming."""

from __future__ import annotations

import hashlib

import pytest

from api_shim.security.apikeys import _FORMAT, _digest, secret_name

KEY_ID = "0123456789abcdef"
SECRET = "Zm9vYmFyYmF6cXV4LXNlY3JldF92YWx1ZQ"


def test_well_formed_key_matches_and_yields_id_and_secret() -> None:
    match = _FORMAT.match(f"cok_{KEY_ID}_{SECRET}")
    assert match is not None
    assert match.group(1) == KEY_ID
    assert match.group(2) == SECRET


def test_secret_part_may_contain_underscores_and_dashes() -> None:
    match = _FORMAT.match(f"cok_{KEY_ID}_abc_def-ghi_jkl-mno_pqr")
    assert match is not None
    assert match.group(1) == KEY_ID


@pytest.mark.parametrize("key", [
    "",
    f"cok_{KEY_ID}",
    f"cok_{KEY_ID}_",
    f"cok_{KEY_ID}_short",  # secret under 20 characters
    f"cok_{KEY_ID[:-1]}_{SECRET}",  # id of 15 hex digits
    f"cok_{KEY_ID}0_{SECRET}",  # id of 17 hex digits
    f"cok_0123456789ABCDEF_{SECRET}",  # uppercase hex
    f"cok_0123456789abcdeg_{SECRET}",  # not hex
    f"key_{KEY_ID}_{SECRET}",
    f"COK_{KEY_ID}_{SECRET}",
    f" cok_{KEY_ID}_{SECRET}",
    f"cok_{KEY_ID}_{SECRET} ",
    f"cok_{KEY_ID}_{SECRET}=",
    f"cok_{KEY_ID}_{SECRET[:10]}.{SECRET[10:]}",
    f"Bearer cok_{KEY_ID}_{SECRET}",
])
def test_malformed_keys_do_not_match(key: str) -> None:
    assert _FORMAT.match(key) is None


def test_digest_is_sha256_hex_of_the_whole_key() -> None:
    key = f"cok_{KEY_ID}_{SECRET}"
    assert _digest(key) == hashlib.sha256(key.encode()).hexdigest()
    assert len(_digest(key)) == 64


def test_digest_differs_for_different_secrets() -> None:
    assert _digest(f"cok_{KEY_ID}_{SECRET}") != _digest(f"cok_{KEY_ID}_{SECRET}x")


def test_secret_name_embeds_the_key_id() -> None:
    assert secret_name(KEY_ID) == "cloudops-apikey-0123456789abcdef"
