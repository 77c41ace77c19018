"""Files in containers, done through exec the way `kubectl cp` does it.

Every path travels as one argv element. The few shell scripts here are constants that read their data from
positional parameters (`"$1"`), so no user text is ever parsed by a shell. Uploads write a temporary file
with `head -c N` (kwok never delivers stdin end-of-file, and a size bound is safer anyway), verify its size
and SHA-256 (where the container has sha256sum), then rename it into place: a failed upload leaves nothing
half-written under the target name.
"""

from __future__ import annotations

import hashlib
import posixpath
import secrets
import stat
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypedDict

from cloudops.containers.paths import PathError, check_readable, check_writable, normalize, parent_of
from cloudops.errors import BusinessCode, CloudOpsError
from cloudops.members.exec import ExecResult

__all__ = ["FileEntry", "FileOpError", "Files", "Written", "parse_fields", "parse_listing", "workdir_argv"]

LIST_SCRIPT = r"""command -v find >/dev/null 2>&1 || { echo 'missing:find' >&2; exit 127; }
command -v stat >/dev/null 2>&1 || { echo 'missing:stat' >&2; exit 127; }
[ -e "$1" ] || [ -L "$1" ] || exit 2
if [ -d "$1" ] && [ ! -L "$1" ]; then
  printf 'resolved:%s\0' "$(cd -P -- "$1" && pwd -P)"
  exec find "$1" -mindepth 1 -maxdepth "$2" -exec stat -c '%f %s %Y' {} \; -print0
fi
exec find "$1" -maxdepth 0 -exec stat -c '%f %s %Y' {} \; -print0"""
# What a write needs to know first: the parent as the container resolves it, what the target is now, its
# digest when asked, and whether sha256sum exists. NUL-terminated `key:value` fields.
PROBE_SCRIPT = r"""if [ -d "$1" ]; then printf 'parent:%s\0' "$(cd -P -- "$1" && pwd -P)"; else printf 'parent:\0'; fi
if [ -L "$2" ]; then t=symlink; elif [ -d "$2" ]; then t=directory; elif [ -f "$2" ]; then t=file
elif [ -e "$2" ]; then t=other; else t=none; fi
printf 'type:%s\0' "$t"
if command -v sha256sum >/dev/null 2>&1; then
  printf 'hasha:1\0'
  if [ "$3" = sha ] && [ "$t" = file ]; then printf 'sha:%s\0' "$(sha256sum < "$2" | cut -d' ' -f1)"; fi
fi
if [ "$t" = file ]; then printf 'size:%s\0' "$(wc -c < "$2" | tr -d ' ')"; fi"""
# A refused file still reads all of stdin before exit 3: a command that exits while its input is being sent can
# break the exec stream (seen with kwok: no exit status at all, a 502 instead of the 422 it is).
WRITE_SCRIPT = r"""head -c "$2" > "$1" || { head -c "$2" > /dev/null; exit 3; }
printf 'size:%s\0' "$(wc -c < "$1" | tr -d ' ')"
if command -v sha256sum >/dev/null 2>&1; then printf 'sha:%s\0' "$(sha256sum < "$1" | cut -d' ' -f1)"; fi"""
WORKDIR_SCRIPT = 'cd "$1" && shift && exec "$@"'


class Runner(Protocol):
    async def __call__(self, argv: Sequence[str], *, stdin: bytes | None = None, cap: int | None = None,
                       on_stdout: Callable[[bytes], Awaitable[None]] | None = None) -> ExecResult: ...


_CODES = {404: BusinessCode.RESOURCE_NOT_FOUND, 409: BusinessCode.VERSION_CONFLICT,
          502: BusinessCode.CLUSTER_CONNECTION_FAILED}


class FileOpError(CloudOpsError):
    """A file operation refused or failed: `status` is what the API answers (400, 404, 409, 413, 422, 502),
    with the business code that goes with it; the message is safe to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, status=status, code=_CODES.get(status))


@dataclass(frozen=True)
class FileEntry:
    name: str
    path: str
    size: int
    type: str
    permissions: str
    modified_time: str


class Written(TypedDict):
    """A file written: its size, its sha256 (None when the container could not verify it), what `verified`
    it (sha256 or size) and the backup made first, if any."""

    path: str
    size: int
    sha256: str | None
    verified: str
    backup_path: str | None


def workdir_argv(directory: str, command: Sequence[str]) -> list[str]:
    """`command` run in `directory`: the one documented shell form, with both as positional parameters."""
    return ["sh", "-c", WORKDIR_SCRIPT, "sh", directory, *command]


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def parse_listing(data: bytes, limit: int) -> tuple[list[FileEntry], bool]:
    """`find -exec stat -c '%f %s %Y' {} \\; -print0` output: a stat line, then the NUL-ended path, per entry.
    The stat line holds no newline and the path no NUL, so names with newlines parse. (entries, truncated)."""
    out: list[FileEntry] = []
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        end = data.find(b"\0", nl + 1) if nl >= 0 else -1
        if nl < 0 or end < 0:
            return out, True  # cut off by the output cap
        fields = data[pos:nl].split()
        path = data[nl + 1:end].decode("utf-8", "surrogateescape").encode("utf-8", "replace").decode("utf-8",
                                                                                                       "replace")
        pos = end + 1
        if len(fields) != 3:
            continue
        try:
            mode, size, mtime = int(fields[0], 16), int(fields[1]), int(fields[2])
        except ValueError:
            continue
        if len(out) >= limit:
            return out, True
        out.append(FileEntry(posixpath.basename(path) or path, path, size, _kind(mode),
                             format(stat.S_IMODE(mode), "o"),
                             datetime.fromtimestamp(mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return out, False


def parse_fields(data: bytes) -> dict[str, str]:
    """NUL-terminated `key:value` fields (values may hold anything but NUL)."""
    out: dict[str, str] = {}
    for part in data.split(b"\0"):
        key, sep, value = part.partition(b":")
        if sep:
            out[key.decode("ascii", "replace")] = value.decode("utf-8", "surrogateescape")
    return out


def _check_resolved(path: str, resolved: str) -> None:
    """check_readable on the path as the container resolves it (symlinks followed); the refusal names both."""
    if resolved != path:
        try:
            check_readable(resolved)
        except PathError as e:
            raise PathError(f"{path[:80]!r} goes through a symbolic link: {e}") from None


def _stderr(result: ExecResult) -> str:
    return result.stderr.decode("utf-8", "replace").strip()[:300]


@dataclass
class Probe:
    parent: str
    type: str
    has_sha: bool
    sha: str | None
    size: int | None


class Files:
    """File operations on one container through `run` (a Runner bound to the container)."""

    def __init__(self, run: Runner, list_depth: int, list_limit: int) -> None:
        self.run, self.list_depth, self.list_limit = run, list_depth, list_limit

    async def _sh(self, script: str, *args: str, stdin: bytes | None = None, cap: int | None = None) -> ExecResult:
        return await self.run(["sh", "-c", script, "sh", *args], stdin=stdin, cap=cap)

    async def list(self, path: str, recursive: bool) -> tuple[list[FileEntry], bool]:
        path = normalize(path)
        check_readable(path)
        depth = self.list_depth if recursive else 1
        result = await self._sh(LIST_SCRIPT, path, str(depth), cap=max(self.list_limit, 1) * 4600 + 4200)
        if result.exit_code == 127:
            missing = _stderr(result).removeprefix("missing:") or "find"
            raise FileOpError(422, f"the container has no {missing} (needed to list files)")
        if result.exit_code == 2:
            raise FileOpError(404, f"path {path[:80]!r}: no such file or directory")
        out = result.stdout
        if out.startswith(b"resolved:"):  # a directory, as the container resolves it: a link may lead to /proc
            first, _, out = out.partition(b"\0")
            if resolved := first.removeprefix(b"resolved:").decode("utf-8", "surrogateescape"):
                _check_resolved(path, resolved)
        entries, truncated = parse_listing(out, self.list_limit)
        return sorted(entries, key=lambda e: e.path), truncated or result.truncated

    async def probe(self, path: str, want_sha: bool = False) -> Probe:
        result = await self._sh(PROBE_SCRIPT, parent_of(path), path, "sha" if want_sha else "")
        f = parse_fields(result.stdout)
        size = f.get("size", "")
        return Probe(f.get("parent", ""), f.get("type", "none"), f.get("hasha") == "1", f.get("sha") or None,
                     int(size) if size.isdigit() else None)

    async def _writable(self, path: str, want_sha: bool = False) -> Probe:
        """The probe of a path about to be written: parent exists, no symlink on the way, nothing protected."""
        check_writable(path)
        found = await self.probe(path, want_sha)
        parent = parent_of(path)
        if not found.parent:
            raise FileOpError(404, f"directory {parent[:80]!r} does not exist")
        if found.parent != parent:
            raise PathError(f"{parent[:80]!r} goes through a symbolic link (to {found.parent[:80]!r})")
        if found.type == "symlink":
            raise PathError(f"{path[:80]!r} is a symbolic link; write its target's own path")
        return found

    async def download_size(self, path: str, cap: int) -> int:
        """The size of the file to download; PathError when it may not be read, as given or as resolved."""
        path = normalize(path)
        check_readable(path)
        found = await self.probe(path)
        if found.parent:
            _check_resolved(path, posixpath.join(found.parent, posixpath.basename(path)))
        if found.type == "none":
            raise FileOpError(404, f"path {path[:80]!r}: no such file")
        if found.type == "directory":
            raise FileOpError(409, f"path {path[:80]!r} is a directory")
        if found.type == "symlink":
            raise PathError(f"{path[:80]!r} is a symbolic link; download its target's own path")
        if found.size is None:
            raise FileOpError(422, f"path {path[:80]!r} is not a regular file")
        if found.size > cap:
            raise FileOpError(422, f"path {path[:80]!r} is {found.size} bytes, above the download cap of {cap}")
        return found.size

    async def download(self, path: str, cap: int, sink: Callable[[bytes], Awaitable[None]]) -> ExecResult:
        """Streams the file to `sink`; call download_size first (it checks the resolved path)."""
        path = normalize(path)
        check_readable(path)
        return await self.run(["cat", "--", path], cap=cap, on_stdout=sink)

    async def write(self, path: str, data: bytes, *, overwrite: bool, expected_sha256: str | None = None,
                    backup: bool = False, must_exist: bool = False) -> Written:
        """Writes `data` to `path` atomically."""
        path = normalize(path)
        found = await self._writable(path, want_sha=expected_sha256 is not None)
        if found.type == "directory":
            raise FileOpError(409, f"path {path[:80]!r} is a directory")
        if found.type == "other":
            raise FileOpError(409, f"path {path[:80]!r} is not a regular file")
        if found.type == "file" and not overwrite:
            raise FileOpError(409, f"path {path[:80]!r} exists; set overwrite to replace it")
        if found.type == "none" and must_exist:
            raise FileOpError(404, f"path {path[:80]!r}: no such file")
        if expected_sha256 is not None:
            if not found.has_sha:
                raise FileOpError(422, "expected_sha256: the container has no sha256sum to check it with")
            if found.sha != expected_sha256.lower():
                raise FileOpError(409, f"path {path[:80]!r} changed: its sha256 is no longer expected_sha256")
        backup_path = None
        if backup and found.type == "file":
            try:  # `path` is as resolved here (_writable refused links): a copy must not make a secret readable
                check_readable(path)
            except PathError:
                raise PathError(f"{path[:80]!r} is never read, so it is never backed up; unset backup") from None
            backup_path = f"{path}.bak-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
            done = await self.run(["cp", "-p", "--", path, backup_path])
            if done.exit_code != 0:
                raise FileOpError(422, f"backup to {backup_path[:80]!r} failed: {_stderr(done)}")
        tmp = posixpath.join(parent_of(path), f".cloudops-upload-{secrets.token_hex(8)}")
        digest = hashlib.sha256(data).hexdigest()
        result = await self._sh(WRITE_SCRIPT, tmp, str(len(data)), stdin=data)
        fields = parse_fields(result.stdout)
        size = fields.get("size", "")
        verified = fields.get("sha")
        if result.exit_code != 0 or size != str(len(data)) or (verified is not None and verified != digest):
            await self.run(["rm", "-f", "--", tmp])
            why = (_stderr(result) or f"exit code {result.exit_code}") if result.exit_code != 0 else \
                "size or sha256 differs from what was sent"
            # Exit 3: the container refused the file (no permission in that folder, read-only, full): 422.
            raise FileOpError(422 if result.exit_code == 3 else 502,
                              f"writing {path[:80]!r} failed ({why}); nothing was replaced")
        moved = await self.run(["mv", "-f", "--", tmp, path])
        if moved.exit_code != 0:
            await self.run(["rm", "-f", "--", tmp])
            raise FileOpError(422, f"renaming into {path[:80]!r} failed: {_stderr(moved)}")
        return Written(path=path, size=len(data), sha256=digest if verified else None,
                       verified="sha256" if verified else "size", backup_path=backup_path)

    async def delete(self, path: str, recursive: bool) -> str:
        """Removes `path`; its type ("file", "directory", ...) back."""
        path = normalize(path)
        found = await self._writable_for_delete(path)
        if found.type == "none":
            raise FileOpError(404, f"path {path[:80]!r}: no such file or directory")
        if found.type == "directory" and not recursive:
            raise FileOpError(409, f"path {path[:80]!r} is a directory; set recursive to delete it")
        argv = ["rm", "-rf", "--", path] if found.type == "directory" else ["rm", "-f", "--", path]
        done = await self.run(argv)
        if done.exit_code != 0:
            raise FileOpError(422, f"deleting {path[:80]!r} failed: {_stderr(done)}")
        return found.type

    async def _writable_for_delete(self, path: str) -> Probe:
        check_writable(path)
        found = await self.probe(path)
        parent = parent_of(path)
        if found.parent and found.parent != parent:
            raise PathError(f"{parent[:80]!r} goes through a symbolic link (to {found.parent[:80]!r})")
        return found
