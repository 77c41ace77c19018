"""The file operations' scripts and argv on this machine's own tools, GNU coreutils and busybox alike: a local
runner stands in for exec (no cluster), with PATH holding only the chosen toolset, inside tmp_path."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest

from cloudops.containers.files import FileOpError, Files
from cloudops.containers.paths import PathError
from cloudops.members.exec import ExecResult

BUSYBOX = shutil.which("busybox")
APPLETS = ["sh", "find", "stat", "head", "wc", "tr", "cut", "sha256sum", "cat", "cp", "mv", "rm", "dirname",
           "pwd", "printf", "test", "["]


def toolset(kind: str, tmp: Path) -> str:
    """A PATH with only the toolset `kind`: busybox applets, or the system's GNU tools."""
    if kind == "gnu":
        return "/usr/bin:/bin"
    if BUSYBOX is None:
        pytest.skip("busybox is not installed")
    bindir = tmp / "bb"
    bindir.mkdir()
    for applet in APPLETS:
        (bindir / applet).symlink_to(BUSYBOX)
    return str(bindir)


def runner(path_env: str) -> Callable[..., Awaitable[ExecResult]]:
    async def run(argv: Sequence[str], *, stdin: bytes | None = None, cap: int | None = None,
                  on_stdout: Callable[[bytes], Awaitable[None]] | None = None) -> ExecResult:
        start = time.monotonic()
        exe = shutil.which(argv[0], path=path_env)
        if exe is None:
            raise AssertionError(f"{argv[0]} not in the toolset")
        proc = await asyncio.create_subprocess_exec(exe, *argv[1:], env={"PATH": path_env},
                                                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate(stdin)
        if on_stdout is not None and out:
            await on_stdout(out)
        return ExecResult(stdout=out[:cap] if cap else out, stderr=err, exit_code=proc.returncode,
                          seconds=time.monotonic() - start)
    return run


@pytest.mark.parametrize("kind", ["gnu", "busybox"])
async def test_files_on_gnu_and_busybox(kind: str, tmp_path: Path) -> None:
    files = Files(runner(toolset(kind, tmp_path)), list_depth=3, list_limit=100)
    root = tmp_path / "root"
    (root / "sub" / "deep").mkdir(parents=True)
    nasty = "$(touch pwned) `id`; a'b\"c\nü.txt"
    data = os.urandom(5000)

    done = await files.write(str(root / nasty), data, overwrite=False)
    assert (root / nasty).read_bytes() == data and done["sha256"] == hashlib.sha256(data).hexdigest()
    assert not list(tmp_path.rglob("pwned")) and sorted(p.name for p in root.iterdir()) == [nasty, "sub"]
    with pytest.raises(FileOpError) as exists:
        await files.write(str(root / nasty), b"x", overwrite=False)
    assert exists.value.status == 409
    (root / "sub" / "deep" / "f").write_text("hi")
    (root / "link").symlink_to(root / "sub")

    top, truncated = await files.list(str(root), recursive=False)
    assert not truncated and {e.name: e.type for e in top} == {nasty: "file", "sub": "directory", "link": "symlink"}
    everything, _ = await files.list(str(root), recursive=True)
    assert str(root / "sub" / "deep" / "f") in {e.path for e in everything}
    assert next(e for e in everything if e.name == nasty).size == 5000

    got = bytearray()

    async def sink(chunk: bytes) -> None:
        got.extend(chunk)

    assert await files.download_size(str(root / nasty), 10_000) == 5000
    await files.download(str(root / nasty), 10_000, sink)
    assert bytes(got) == data

    edited = await files.write(str(root / nasty), b"new", overwrite=True, backup=True,
                               expected_sha256=hashlib.sha256(data).hexdigest(), must_exist=True)
    assert (root / nasty).read_bytes() == b"new" and Path(edited["backup_path"]).read_bytes() == data
    with pytest.raises(PathError, match="symbolic link"):
        await files.write(str(root / "link" / "x"), b"x", overwrite=False)
    with pytest.raises(FileOpError) as is_dir:
        await files.delete(str(root / "sub"), recursive=False)
    assert is_dir.value.status == 409
    assert await files.delete(str(root / "sub"), recursive=True) == "directory"
    assert not (root / "sub").exists() and (root / nasty).exists()


async def test_a_write_cut_short_leaves_nothing_under_the_target_name(tmp_path: Path) -> None:
    run = runner("/usr/bin:/bin")

    async def lossy(argv: Sequence[str], *, stdin: bytes | None = None, cap: int | None = None,
                    on_stdout: Callable[[bytes], Awaitable[None]] | None = None) -> ExecResult:
        return await run(argv, stdin=stdin[: len(stdin) // 2] if stdin else stdin, cap=cap, on_stdout=on_stdout)

    (tmp_path / "keep.txt").write_text("original")
    files = Files(lossy, list_depth=1, list_limit=10)
    with pytest.raises(FileOpError) as failed:
        await files.write(str(tmp_path / "keep.txt"), b"x" * 1000, overwrite=True)
    assert failed.value.status == 502 and "nothing was replaced" in failed.value.detail
    assert (tmp_path / "keep.txt").read_text() == "original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]  # the temporary file is gone too


@pytest.mark.parametrize("kind", ["gnu", "busybox"])
async def test_reads_of_proc_and_credentials_are_refused_even_through_a_symlink(kind: str, tmp_path: Path) -> None:
    files = Files(runner(toolset(kind, tmp_path)), list_depth=2, list_limit=100)
    (tmp_path / "proc").symlink_to("/proc/self")  # the container's own environment, often its secrets
    (tmp_path / "ok").write_text("fine")
    got = bytearray()

    async def sink(chunk: bytes) -> None:
        got.extend(chunk)

    for path in ("/proc/self/environ", "/etc/shadow", "/var/run/secrets/kubernetes.io/serviceaccount/token"):
        with pytest.raises(PathError, match="never read"):
            await files.download_size(path, 10_000)
        with pytest.raises(PathError, match="never read"):
            await files.download(path, 10_000, sink)
    assert not got
    with pytest.raises(PathError, match=r"goes through a symbolic link: '/proc/[0-9]+/environ' lies under /proc"):
        await files.download_size(str(tmp_path / "proc" / "environ"), 10_000)
    for listed in ("/proc/self", "/proc", str(tmp_path / "proc" / "fd")):
        with pytest.raises(PathError, match="never read"):
            await files.list(listed, recursive=False)
    assert await files.download_size(str(tmp_path / "ok"), 10_000) == 4
    assert {e.name for e in (await files.list(str(tmp_path), recursive=False))[0]} >= {"proc", "ok"}

    # A write to a credential path is a write (the files capability), but its backup would be a readable copy.
    keys = tmp_path / ".ssh"
    keys.mkdir()
    (keys / "id_ed25519").write_text("private")
    with pytest.raises(PathError, match="never backed up"):
        await files.write(str(keys / "id_ed25519"), b"new", overwrite=True, backup=True)
    assert (keys / "id_ed25519").read_text() == "private" and sorted(p.name for p in keys.iterdir()) == ["id_ed25519"]
