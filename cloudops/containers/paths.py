"""Paths inside containers: normalized, checked, and kept away from system locations.

A path reaches the container only as one argv element, never inside a shell string; this module decides
which paths may travel at all. Writes (upload, edit, delete) must also pass `check_writable` on the path the
container itself resolves (symlinks followed), so a link cannot smuggle a write into a protected place.
Reads (download, list) pass `check_readable` the same way: the kernel and device trees and the well-known
credential files are never read, since `files` is a weaker capability than `exec`.
"""

from __future__ import annotations

import posixpath

from cloudops.errors import BadRequest

__all__ = ["CREDENTIAL_FILES", "CREDENTIAL_TREES", "PROTECTED", "PROTECTED_TREES", "PathError", "check_readable",
           "check_writable", "normalize", "parent_of"]

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
# Never read (downloaded, listed, backed up): password hashes, sudo rules and their backups...
CREDENTIAL_FILES = frozenset({
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd"})
# ... everything beneath these: sudo rules, the Kubernetes service account token and the other secrets mounted
# where Kubernetes and Docker put them (projected tokens, workload identity tokens, Docker secrets) ...
CREDENTIAL_TREES = ("/etc/sudoers.d", "/run/secrets", "/var/run/secrets")
# ... any directory named .ssh (/root/.ssh, /home/*/.ssh: private keys) and the SSH host keys
# (/etc/ssh/ssh_host_*_key; their .pub halves stay readable).


class PathError(BadRequest, ValueError):
    """A path refused before anything ran (400); the message says why (never more than 80 characters of it)."""


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


def _under(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree + "/")


def check_readable(path: str) -> None:
    """PathError when `path` (normalized, resolved) may not be read: it lies in a kernel or device tree (the
    container's environment is /proc/self/environ), is a credential file, is or lies in a credential directory
    or a directory named .ssh, or is an SSH host private key."""
    for tree in PROTECTED_TREES:
        if _under(path, tree):
            raise PathError(f"{path[:80]!r} lies under {tree}, which is never read")
    name = posixpath.basename(path)
    host_key = posixpath.dirname(path) == "/etc/ssh" and name.startswith("ssh_host_") and name.endswith("_key")
    if path in CREDENTIAL_FILES or any(_under(path, t) for t in CREDENTIAL_TREES) or ".ssh" in path.split("/") \
            or host_key:
        raise PathError(f"{path[:80]!r} holds credentials (secrets, keys, password hashes), which are never read")
