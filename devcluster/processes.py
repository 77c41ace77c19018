"""Processes devcluster started and keeps pid files of: whether one still runs, and stopping one."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

__all__ = ["alive", "terminate"]


def alive(pid: int) -> bool:
    """Whether the process exists and has not exited: a zombie (exited, not yet reaped) is dead, a stopped
    (SIGSTOP) process is alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs: signal 0 is all there is to know
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def terminate(pid: int, timeout: float = 15) -> None:
    """SIGTERM, and SIGKILL if it is still there after `timeout` seconds; returns once it is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.2)  # poll
