"""Paths inside containers: normalized, checked, and kept away from system locations.

A path reaches the container only as one argv element, never inside a shell string; this module decides
which paths may travel at all. Writes (upload, edit, delete) must also pass `check_writable` on the path the
container itself resolves (symlinks followed), so a link cannot smuggle a write into a protected place.
"""

from __future__ import annotations

import posixpath

__all__ = ["PROTECTED", "PROTECTED_TREES", "PathError", "check_writable", "normalize", "parent_of"]

MAX_PATH = 4096
# Never deleted or replaced themselves (their contents may be, except under PROTECTED_TREES).
PROTECTED = frozenset({
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt",
    "/opt", "/proc", "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/usr/bin", "/usr/lib",
    "/usr/lib64", "/usr/libexec", "/usr/local", "/usr/sbin", "/usr/share", "/var/lib", "/var/log", "/var/run",
    "/var/tmp", "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/sudoers", "/etc/hosts", "/etc/resolv.conf",
    "/etc/hostname"})
# Kernel and device trees: nothing beneath them is ever written.
PROTECTED_TREES = ("/proc", "/sys", "/dev")


class PathError(ValueError):
    """A path refused before anything ran; the message says why (never more than 80 characters of it)."""


def normalize(path: str) -> str:
    """An absolute path with `//`, `/./` and a trailing `/` removed; PathError for NUL, `..`, relative or
    over-long paths. `..` is refused rather than resolved: a caller that sends one means to climb."""
    if "\x00" in path:
        raise PathError("contains a NUL byte")
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH:
        raise PathError(f"longer than {MAX_PATH} bytes")
    if not path.startswith("/"):
        raise PathError(f"{path[:80]!r} is not absolute (start it with /)")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise PathError(f"{path[:80]!r} climbs with '..'")
    return "/" + "/".join(parts)


def parent_of(path: str) -> str:
    return posixpath.dirname(path) or "/"


def check_writable(path: str) -> None:
    """PathError when `path` (normalized, resolved) is a protected system path or lies in a kernel tree."""
    if path in PROTECTED:
        raise PathError(f"{path[:80]!r} is a protected system path")
    for tree in PROTECTED_TREES:
        if path == tree or path.startswith(tree + "/"):
            raise PathError(f"{path[:80]!r} lies under {tree}, which is never written")
