"""The pure parts of the pods' own filesystems (issue 20): the pod root's layout (devcluster/podroot.py), how a
command that cannot start in a pod is told apart (cloudops/containers/exitcodes.py), how an existing cluster gets
the jail (devcluster/kwok.py), and podexec's own unit tests (controlplane/podexec, `go test`)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from cloudops.containers.exitcodes import missing_executable, unrunnable
from devcluster.kwok import Kwok
from devcluster.podroot import APP_UID, applet_names, group_text, make_root, passwd_text, place, pod_parts
from devcluster.processes import alive
from tests.helpers import REPO


def test_passwd_and_group_hold_root_and_the_pods_non_root_user() -> None:
    users = {line.split(":")[0]: line.split(":") for line in passwd_text().splitlines()}
    assert users["app"][2:4] == [str(APP_UID)] * 2 and users["app"][5] == "/app" and APP_UID != 0
    assert users["root"][2] == "0"
    assert f"app:x:{APP_UID}:" in group_text().splitlines()


def test_applet_names_are_file_names_without_busybox_itself() -> None:
    assert applet_names("[\n[[\nbusybox\nls\n\n sh \n.\n..\nusr/bin/env\n") == ["[", "[[", "ls", "sh"]


def test_pod_paths_are_absolute_and_never_climb() -> None:
    assert pod_parts("/app//x/./y") == ["app", "x", "y"]
    for bad in ("app/x", "/app/../etc", "/", ""):
        with pytest.raises(ValueError):
            pod_parts(bad)


def _fake_busybox(tmp_path: Path) -> Path:
    """A stand-in for busybox: a script answering --list with three applets."""
    box = tmp_path / "busybox"
    box.write_text("#!/bin/sh\nprintf 'busybox\\nls\\nsh\\n[\\n'\n")
    box.chmod(0o755)
    return box


def test_make_root_lays_out_a_pod_root_and_keeps_what_the_pod_wrote(tmp_path: Path) -> None:
    box = _fake_busybox(tmp_path)
    root = make_root(tmp_path / "root", busybox=box)
    assert (root / "bin" / "busybox").read_bytes() == box.read_bytes()
    assert {p.name for p in (root / "bin").iterdir()} == {"busybox", "ls", "sh", "["}
    assert os.readlink(root / "bin" / "ls") == "busybox" and os.readlink(root / "usr" / "bin") == "../bin"
    assert (root / "etc" / "passwd").read_text() == passwd_text()
    assert (root / "tmp").stat().st_mode & 0o7777 == 0o1777
    assert sorted(p.name for p in (root / "dev").iterdir()) == ["full", "null", "random", "tty", "urandom", "zero"]
    if os.geteuid() == 0:
        assert (root / "app").stat().st_uid == APP_UID and (root / "bin").stat().st_uid == 0
    place(root, "/app/kept.txt", b"mine")
    (root / "etc" / "passwd").write_text("tampered")
    (root / "bin" / "ls").unlink()
    assert make_root(root, busybox=box) == root
    assert (root / "app" / "kept.txt").read_bytes() == b"mine"
    assert (root / "etc" / "passwd").read_text() == passwd_text()
    assert os.readlink(root / "bin" / "ls") == "busybox"


def test_place_never_follows_a_link_the_pod_left(tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", busybox=_fake_busybox(tmp_path))
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "app" / "evil").symlink_to(outside)
    (root / "app" / "file").symlink_to(outside / "target")
    with pytest.raises(OSError):
        place(root, "/app/evil/x", b"no")
    with pytest.raises(OSError):
        place(root, "/app/file", b"no", overwrite=True)
    assert list(outside.iterdir()) == []
    assert place(root, "/app/a/b/c.txt", b"yes") == root / "app" / "a" / "b" / "c.txt"
    with pytest.raises(FileExistsError):
        place(root, "/app/a/b/c.txt", b"again")
    assert place(root, "/app/a/b", None).is_dir()


def test_a_command_the_pod_may_not_execute_is_the_callers_error() -> None:
    def status(message: str) -> dict[str, object]:
        return {"status": "Failure", "reason": "InternalError", "message": message}

    denied = status("error executing command in container: cmd start: /work/x: fork/exec /work/x: permission denied")
    directory = status("cmd start: /tmp: fork/exec /tmp: is a directory")
    empty = status("error executing command in container: cmd start:  : exec: no command")
    exited = status("cmd wait: sh -c cat /root/x: Permission denied\nexit status 1")
    assert unrunnable(denied) and unrunnable(directory) and not missing_executable(denied)
    assert missing_executable(empty) and not unrunnable(empty)
    assert not unrunnable(exited) and not missing_executable(exited)  # it ran, and exited 1


@pytest.mark.skipif(shutil.which("go") is None, reason="go builds podexec; without it there is nothing to test")
def test_podexec_go_unit_tests() -> None:
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly -buildvcs=false"}
    res = subprocess.run(["go", "test", "./..."], cwd=REPO / "controlplane" / "podexec", env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr


def test_relink_gives_a_cluster_from_before_the_jail_its_jail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kwokctl links a cluster's binaries into the cache: an unjailed kwok-controller link is repointed at kwok-jail
    and the kwok it started is stopped (so `devcluster up` starts it again, jailed); dangling links follow the
    cache; the rest stay."""
    monkeypatch.setenv("CLOUDOPS_CLUSTERS_DIR", str(tmp_path / "clusters"))
    old, new = tmp_path / "old-cache", tmp_path / "new-cache"
    for cache in (old, new):
        cache.mkdir()
        for name in ("kwok", "kwok-jail", "etcd"):
            (cache / name).write_text("")
    kwok = Kwok(new)
    cluster = kwok.cluster_dir("member-1")
    (cluster / "bin").mkdir(parents=True)
    (cluster / "pids").mkdir()
    (cluster / "bin" / "kwok-controller").symlink_to(new / "kwok")
    (cluster / "bin" / "etcd").symlink_to(tmp_path / "gone" / "etcd")
    (cluster / "bin" / "kube-apiserver").symlink_to(old / "kwok")  # a link that resolves is left alone
    # Not this process's child, as kwok is not devcluster's (kwokctl started it and exited): nobody here reaps it.
    pid = int(subprocess.run(["sh", "-c", "sleep 60 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True,
                             check=True).stdout)
    (cluster / "pids" / "kwok-controller.pid").write_text(str(pid))
    try:
        kwok.relink_binaries("member-1")
        assert not alive(pid), "the unjailed kwok was stopped (exited; a zombie until its parent reaps it)"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert os.readlink(cluster / "bin" / "kwok-controller") == str(new / "kwok-jail")
    assert os.readlink(cluster / "bin" / "etcd") == str(new / "etcd")
    assert os.readlink(cluster / "bin" / "kube-apiserver") == str(old / "kwok")
