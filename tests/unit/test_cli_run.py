"""run_kubectl without a cluster: a stand-in program shows the timeout kills the whole group and output is capped."""

from __future__ import annotations

import os
from pathlib import Path

from cloudops.cli_exec import run_kubectl
from tests.helpers import eventually


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-kubectl"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


async def test_timeout_kills_the_process_group_and_removes_the_kubeconfig(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    exe = _script(tmp_path, f'echo "$KUBECONFIG" > {tmp_path}/kc; stat -c %a "$KUBECONFIG" > {tmp_path}/mode\n'
                            f'sleep 60 & echo $! > {pids}\necho started\nsleep 60\n')
    result = await run_kubectl(exe, ["get", "pods"], "kind: Config\n", None, 1.0, 1000)
    assert result.timed_out and result.stdout == "started\n" and 0.9 < result.duration < 10
    assert (tmp_path / "mode").read_text().strip() == "600"
    assert not Path((tmp_path / "kc").read_text().strip()).exists()
    child = int(pids.read_text())

    async def gone() -> bool:  # SIGKILL was sent to the group; its delivery to the child is not instant
        try:
            os.kill(child, 0)
            return Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"
        except (ProcessLookupError, FileNotFoundError):
            return True

    await eventually(gone, 5, "the background child killed with its group")


async def test_output_is_capped_and_exit_code_kept(tmp_path: Path) -> None:
    exe = _script(tmp_path, 'head -c 200000 /dev/zero | tr "\\0" a\necho oops >&2\nexit 3\n')
    result = await run_kubectl(exe, ["get", "pods"], "kind: Config\n", "default", 10.0, 1000)
    assert result.exit_code == 3 and len(result.stdout) == 1000 and result.truncated and result.stderr == "oops\n"
    assert not result.timed_out
