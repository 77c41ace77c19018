"""How a backup's objects become stored bytes and back: gzip, optional AES-256-GCM, checksum, parts.

Pure and I/O-free, so integrity rules are unit-tested: a blob is verified (sha256 over the stored
bytes, then the GCM tag) before anything is decoded, and a blob too large for the allowed parts is
refused, never truncated.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cloudops.errors import BusinessCode, Unprocessable

__all__ = ["MAGIC", "IntegrityError", "TooLarge", "checksum", "decode_objects", "encode_objects", "join_parts",
           "key_id_of", "open_blob", "seal", "split_parts"]

MAGIC = b"CBK1"
PLAIN, ENCRYPTED = 0, 1
NONCE_BYTES = 12
KEY_BYTES = 32


class IntegrityError(Unprocessable, ValueError):
    """The stored bytes are not what was written, or cannot be decrypted (422/1008, about the backup the request
    names); the message names no secret."""

    code = BusinessCode.RESTORE_FAILED

    def __init__(self, message: str, *, field: str = "backup_id") -> None:
        super().__init__(message, field=field)


class TooLarge(Unprocessable, ValueError):
    """The content does not fit in the allowed parts (422/1007, about the object the request names)."""

    code = BusinessCode.BACKUP_FAILED

    def __init__(self, message: str, *, field: str = "resource_id") -> None:
        super().__init__(message, field=field)


def encode_objects(objects: Sequence[object]) -> bytes:
    """Objects as gzip-compressed JSON (mtime 0: the same objects give the same bytes)."""
    raw = json.dumps({"format": 1, "objects": objects}, sort_keys=True, separators=(",", ":")).encode()
    return gzip.compress(raw, mtime=0)


def decode_objects(data: bytes) -> list[object]:
    try:
        doc = json.loads(gzip.decompress(data))
    except (OSError, EOFError, ValueError) as e:
        raise IntegrityError(f"content is not a readable backup ({e.__class__.__name__})") from None
    objects = doc.get("objects") if isinstance(doc, dict) else None
    if doc.get("format") != 1 or not isinstance(objects, list):
        raise IntegrityError("content is not a backup of a known format")
    return objects


def _header(key_id: str, nonce: bytes) -> bytes:
    kid = key_id.encode()
    if not 0 < len(kid) < 256:
        raise ValueError("key id must be 1..255 bytes")
    return MAGIC + bytes([ENCRYPTED, len(kid)]) + kid + nonce


def seal(payload: bytes, context: bytes, key: bytes | None = None, key_id: str = "") -> bytes:
    """The stored form: plain (`MAGIC 0 payload`) or `MAGIC 1 len(kid) kid nonce AESGCM(payload)`.

    The header and `context` (the backup's identity) are authenticated data, so a blob moved to
    another backup or with a changed key id fails its tag.
    """
    if key is None:
        return MAGIC + bytes([PLAIN]) + payload
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256 needs a 32-byte key")
    header = _header(key_id, os.urandom(NONCE_BYTES))
    return header + AESGCM(key).encrypt(header[-NONCE_BYTES:], payload, header + context)


def key_id_of(blob: bytes) -> str | None:
    """The key id an encrypted blob names, or None for a plain one."""
    if len(blob) < len(MAGIC) + 1 or not blob.startswith(MAGIC):
        raise IntegrityError("content does not start with a backup header")
    if blob[len(MAGIC)] == PLAIN:
        return None
    if blob[len(MAGIC)] != ENCRYPTED or len(blob) < len(MAGIC) + 2:
        raise IntegrityError("content has an unknown header")
    size = blob[len(MAGIC) + 1]
    start = len(MAGIC) + 2
    try:
        return blob[start:start + size].decode()
    except UnicodeDecodeError:
        raise IntegrityError("content has an unreadable key id") from None


def open_blob(blob: bytes, context: bytes, keys: Mapping[str, bytes], encrypted: bool | None = None) -> bytes:
    """The payload of a sealed blob; IntegrityError when the tag fails, the key is unknown, or the blob is
    not `encrypted` as recorded (a flipped flag byte must not turn a sealed blob into a plain one)."""
    kid = key_id_of(blob)
    if encrypted is not None and encrypted != (kid is not None):
        raise IntegrityError("content is " + ("not " if encrypted else "") + "encrypted, unlike when it was written")
    if kid is None:
        return blob[len(MAGIC) + 1:]
    key = keys.get(kid)
    if key is None:
        raise IntegrityError(f"encryption key {kid!r} is not in the key store")
    header_len = len(MAGIC) + 2 + len(kid.encode()) + NONCE_BYTES
    if len(blob) < header_len + 16:
        raise IntegrityError("encrypted content is shorter than its header and tag")
    header = blob[:header_len]
    try:
        return AESGCM(key).decrypt(header[-NONCE_BYTES:], blob[header_len:], header + context)
    except InvalidTag:
        raise IntegrityError("encrypted content failed authentication (tampered, or the wrong key)") from None


def checksum(blob: bytes) -> str:
    return hashlib.sha256(blob).hexdigest()


def split_parts(blob: bytes, part_bytes: int, max_parts: int) -> list[bytes]:
    """`blob` in parts of at most `part_bytes`; TooLarge (saying the sizes) beyond `max_parts`."""
    count = max(1, -(-len(blob) // part_bytes))
    if count > max_parts:
        raise TooLarge(f"the backup is {len(blob)} bytes after compression; at most {part_bytes * max_parts} "
                       f"bytes ({max_parts} parts of {part_bytes}) can be stored")
    return [blob[i * part_bytes:(i + 1) * part_bytes] for i in range(count)]


def join_parts(parts: list[bytes], expected_sha256: str, expected_size: int) -> bytes:
    """Concatenated parts, verified against the recorded size and checksum before anyone reads them."""
    blob = b"".join(parts)
    if len(blob) != expected_size:
        raise IntegrityError(f"content is {len(blob)} bytes; {expected_size} were written")
    if checksum(blob) != expected_sha256:
        raise IntegrityError("content checksum does not match the one recorded at backup time")
    return blob
