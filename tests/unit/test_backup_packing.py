"""Backup packing: gzip + AES-256-GCM + checksum + parts; every tampering is caught before decoding."""

from __future__ import annotations

import os

import pytest

from cloudops.backups.content import prepare_restore
from cloudops.backups.packing import (
    IntegrityError,
    TooLarge,
    checksum,
    decode_objects,
    encode_objects,
    join_parts,
    key_id_of,
    open_blob,
    seal,
    split_parts,
)
from cloudops.backups.views import human_size

SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": {"password": "aHVudGVyMg=="}}
KEY = os.urandom(32)
CTX = b"cloudops-backup/b1"


def test_round_trip_plain_and_encrypted() -> None:
    payload = encode_objects([SECRET])
    assert decode_objects(open_blob(seal(payload, CTX), CTX, {})) == [SECRET]
    sealed = seal(payload, CTX, KEY, "k1")
    assert key_id_of(sealed) == "k1" and key_id_of(seal(payload, CTX)) is None
    assert decode_objects(open_blob(sealed, CTX, {"k1": KEY})) == [SECRET]
    assert encode_objects([SECRET]) == payload  # deterministic: no timestamp in the gzip header


def test_encrypted_bytes_hold_no_plaintext() -> None:
    sealed = seal(encode_objects([SECRET] * 50), CTX, KEY, "k1")
    for needle in (b"aHVudGVyMg==", b"password", b"Secret", b"hunter2"):
        assert needle not in sealed


@pytest.mark.parametrize("index", [0, 4, 5, 8, 20, -17, -1])
def test_a_flipped_byte_fails_the_tag(index: int) -> None:
    sealed = bytearray(seal(encode_objects([SECRET]), CTX, KEY, "k1"))
    sealed[index] ^= 0x01
    with pytest.raises(IntegrityError):
        open_blob(bytes(sealed), CTX, {"k1": KEY}, encrypted=True)


def test_wrong_key_other_context_or_unknown_key_fail() -> None:
    sealed = seal(encode_objects([SECRET]), CTX, KEY, "k1")
    with pytest.raises(IntegrityError, match="authentication"):
        open_blob(sealed, CTX, {"k1": os.urandom(32)})
    with pytest.raises(IntegrityError, match="authentication"):
        open_blob(sealed, b"cloudops-backup/other", {"k1": KEY})
    with pytest.raises(IntegrityError, match="not in the key store"):
        open_blob(sealed, CTX, {})
    with pytest.raises(IntegrityError, match="header"):
        open_blob(b"garbage", CTX, {})


def test_checksum_is_verified_before_anything_else() -> None:
    blob = seal(encode_objects([SECRET]), CTX)
    parts = split_parts(blob, 7, 100)
    assert len(parts) == -(-len(blob) // 7) and join_parts(parts, checksum(blob), len(blob)) == blob
    flipped = bytearray(parts[1])
    flipped[0] ^= 0x80
    with pytest.raises(IntegrityError, match="checksum"):
        join_parts([parts[0], bytes(flipped), *parts[2:]], checksum(blob), len(blob))
    with pytest.raises(IntegrityError, match="bytes"):
        join_parts(parts[:-1], checksum(blob), len(blob))


def test_too_large_is_refused_not_truncated() -> None:
    assert split_parts(b"x" * 10, 10, 1) == [b"x" * 10]
    assert split_parts(b"", 10, 1) == [b""]
    with pytest.raises(TooLarge, match="11 bytes"):
        split_parts(b"x" * 11, 10, 1)


def test_damaged_plain_content_is_an_integrity_error() -> None:
    with pytest.raises(IntegrityError):
        decode_objects(b"not gzip")


def test_human_size() -> None:
    assert [human_size(n) for n in (0, 512, 1024, 1536, 2_621_440, 5 * 1024**3)] == \
        ["0B", "512B", "1KB", "1.5KB", "2.5MB", "5GB"]


def test_restore_plan_strips_identity_and_renames() -> None:
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "web", "namespace": "a", "uid": "u", "resourceVersion": "9",
                        "ownerReferences": [{"kind": "X"}]},
           "spec": {"clusterIP": "10.0.0.1", "clusterIPs": ["10.0.0.1"], "ports": [{"port": 80, "nodePort": 30080}]},
           "status": {"loadBalancer": {}}}
    entry = {"group": "", "plural": "services", "kind": "Service", "type": "service", "namespace": "a",
             "name": "web", "object": svc}
    [out] = prepare_restore([entry], "b", "web2")
    assert out["namespace"] == "b" and out["name"] == "web2"
    assert out["object"] == {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web2", "namespace": "b"},
                             "spec": {"ports": [{"port": 80}]}}
    assert svc["metadata"]["uid"] == "u"  # the input is untouched
    with pytest.raises(ValueError, match="restore_name"):
        prepare_restore([entry, entry], None, "x")
    [same] = prepare_restore([entry], None, None)
    assert same["namespace"] == "a" and same["object"]["metadata"] == {"name": "web", "namespace": "a"}
