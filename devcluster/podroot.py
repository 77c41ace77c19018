"""Pod roots: the filesystem a pod on a local member sees in its exec, terminal and files.

A kwok Exec object's `workDir` names a pod root made here; kwok-controller runs in podexec's jail
(controlplane/podexec), which enters that root for every command: a chroot in a mount namespace of its own, as
the user `app` (1000), never root, with only the pod's busybox to run. What the pod user may write (/app, /tmp)
is owned by that user, the rest by root, so a pod can break only its own files.

Files placed from the host go through `place`, which never follows a symbolic link the pod may have left: the
host (root) must not be tricked into writing outside the root.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["APP_GID", "APP_UID", "UNJAILED", "applet_names", "group_text", "make_root", "passwd_text", "place",
           "pod_parts"]

APP_UID = APP_GID = 1000
# What a check that a pod's exec is the pod's (`id -u` is APP_UID) says when it is not.
UNJAILED = "kwok runs exec outside podexec's jail (a cluster made before it: `devcluster up` gives it the jail)"
# name -> (mode, owned by the pod user); /proc and /sys stay empty (nothing of the host is shown there).
DIRS = {"bin": (0o755, False), "dev": (0o755, False), "etc": (0o755, False), "home": (0o755, False),
        "proc": (0o555, False), "root": (0o700, False), "sys": (0o555, False), "usr": (0o755, False),
        "usr/local": (0o755, False), "usr/local/bin": (0o755, False), "var": (0o755, False),
        "tmp": (0o1777, False), "app": (0o755, True)}
# The other usual command folders are the same folder, as on a merged-/usr system.
LINKS = {"sbin": "bin", "usr/bin": "../bin", "usr/sbin": "../bin"}
# Empty files the pod's exec binds the host's device nodes onto (podexec's `devices`).
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")


def passwd_text() -> str:
    return ("root:x:0:0:root:/root:/bin/sh\n"
            f"app:x:{APP_UID}:{APP_GID}:app:/app:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")


def group_text() -> str:
    return f"root:x:0:\napp:x:{APP_GID}:\nnogroup:x:65534:\n"


def applet_names(listing: str) -> list[str]:
    """The names `busybox --list` prints that become links in bin/ (not busybox itself, never a path)."""
    return [n for n in (line.strip() for line in listing.splitlines())
            if n and n not in (".", "..", "busybox") and "/" not in n]


@functools.cache
def _applets(busybox: Path) -> tuple[str, ...]:
    out = subprocess.run([str(busybox), "--list"], check=True, capture_output=True, text=True).stdout
    return tuple(applet_names(out))


def _default_busybox() -> Path:
    from devcluster.kwok import bin_dir  # builds the control plane (and fetches busybox) on first use

    return bin_dir() / "busybox"


def _write_if_changed(path: Path, text: str, mode: int = 0o644) -> None:
    if path.is_symlink() or not path.is_file() or path.read_text() != text:
        tmp = path.with_name(f".{path.name}.new")
        tmp.write_text(text)
        tmp.chmod(mode)
        os.replace(tmp, path)


def _link(path: Path, target: str) -> None:
    if path.is_symlink() and os.readlink(path) == target:
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def _own(path: Path, app: bool) -> None:
    if os.geteuid() == 0:  # as another user nothing can be chowned; kwok's exec needs root anyway
        uid = APP_UID if app else 0
        os.chown(path, uid, APP_GID if app else 0, follow_symlinks=False)


def make_root(path: Path, busybox: Path | None = None) -> Path:
    """Lays out (idempotently) a pod root at `path`: busybox and its applet links in /bin, /etc/passwd and
    /etc/group with root and app, /app (app's home, owned by app), /tmp (1777), /dev placeholders. Keeps what
    the pod wrote in /app and /tmp. Returns `path`."""
    busybox = busybox or _default_busybox()
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)
    _own(path, app=False)
    for name, (mode, app) in DIRS.items():
        d = path / name
        if d.is_symlink() or (d.exists() and not d.is_dir()):
            d.unlink()
        d.mkdir(exist_ok=True)
        d.chmod(mode)
        _own(d, app)
    for name, target in LINKS.items():
        _link(path / name, target)
    box = path / "bin" / "busybox"
    if box.is_symlink() or not box.is_file() or box.read_bytes() != busybox.read_bytes():
        tmp = box.with_name(".busybox.new")
        shutil.copyfile(busybox, tmp)
        tmp.chmod(0o755)
        os.replace(tmp, box)
    for name in _applets(busybox.resolve()):
        _link(path / "bin" / name, "busybox")
    _write_if_changed(path / "etc" / "passwd", passwd_text())
    _write_if_changed(path / "etc" / "group", group_text())
    _write_if_changed(path / "etc" / "hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost\n")
    for name in DEVICES:
        _write_if_changed(path / "dev" / name, "")
    return path


def pod_parts(pod_path: str) -> list[str]:
    """The components of an absolute pod path; ValueError for a relative one or one that climbs with `..`."""
    if not pod_path.startswith("/"):
        raise ValueError(f"{pod_path!r} is not an absolute path in the pod")
    parts = [p for p in pod_path.split("/") if p not in ("", ".")]
    if ".." in parts or not parts:
        raise ValueError(f"{pod_path!r} climbs with '..' or names the root")
    return parts


def place(root: Path, pod_path: str, data: bytes | None, *, owner: int = APP_UID,
          overwrite: bool = False) -> Path:
    """Creates the file `pod_path` in the pod root `root` (with data None: the directory, like mkdir -p), its
    missing parents too, all owned by `owner`; never through a symbolic link (OSError). FileExistsError when the
    file exists and not `overwrite`. Returns its host path."""
    *parents, last = pod_parts(pod_path)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in [*parents, *([last] if data is None else [])]:
            try:
                os.mkdir(part, 0o755, dir_fd=fd)
                if os.geteuid() == 0:
                    os.chown(part, owner, owner, dir_fd=fd, follow_symlinks=False)
            except FileExistsError:
                pass  # an existing directory is used as it is; anything else fails to open below
            child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = child
        if data is not None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if overwrite else os.O_EXCL)
            with os.fdopen(os.open(last, flags, 0o644, dir_fd=fd), "wb") as out:
                out.write(data)
                if os.geteuid() == 0:
                    os.fchown(out.fileno(), owner, owner)
    finally:
        os.close(fd)
    return root.joinpath(*parents, last)
