"""The component supervisor without a cluster: its backoff as a pure function, and its loop on `sleep` processes
standing in for components, started by a stand-in `kwokctl start cluster` that behaves like kwokctl's binary
runtime (it starts each component whose pid file names no live process)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devcluster import supervisor
from devcluster.supervisor import BASE_DELAY, MAX_DELAY, RESET_AFTER, restart_delay
from tests.helpers import wait_until


def test_first_restart_waits_the_base_delay() -> None:
    assert restart_delay(None, None) == BASE_DELAY == 1.0


def test_restarts_soon_after_the_last_double_up_to_the_cap() -> None:
    delays, previous = [], None
    for _ in range(8):
        previous = restart_delay(previous, 5.0 if previous is not None else None)
        delays.append(previous)
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    assert MAX_DELAY == 30.0


def test_a_minute_of_health_resets_the_backoff() -> None:
    assert restart_delay(16.0, RESET_AFTER) == BASE_DELAY
    assert restart_delay(16.0, RESET_AFTER - 1) == 30.0
    assert restart_delay(30.0, 3600.0) == BASE_DELAY
    assert RESET_AFTER == 60.0


FAKE_KWOKCTL = """#!/bin/bash
# `kwokctl start cluster --name N` as the binary runtime does it: start what has no live process, write its pid.
[ "$1 $2 $3" = "start cluster --name" ] || exit 2
dir="$KWOK_WORKDIR/clusters/$4"
for comp in a b c; do
  f="$dir/pids/$comp.pid"
  if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then continue; fi
  setsid sleep 600 </dev/null >/dev/null 2>&1 &
  echo -n $! > "$f"
done
"""


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "clusters"
    monkeypatch.setenv("CLOUDOPS_CLUSTERS_DIR", str(root))
    (root / "kwok" / "clusters" / "cloudops-x" / "pids").mkdir(parents=True)
    yield root
    supervisor.stop()


def _pids(root: Path) -> dict[str, int]:
    """Component -> pid (0 while its file is being rewritten)."""
    return {f.stem: int(f.read_text() or 0) for f in (root / "kwok" / "clusters" / "cloudops-x" / "pids").glob("*.pid")}


def _renewed(now: dict[str, int], before: dict[str, int], *names: str) -> bool:
    """Each of `names` has a new pid (a pid file is briefly absent or empty while it is rewritten)."""
    return all(now.get(n, 0) not in (0, before[n]) for n in names)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_restarts_what_exited_leaves_a_stopped_process_and_ends_with_the_clusters(state: Path, tmp_path: Path) -> None:
    bins = tmp_path / "bin"
    bins.mkdir()
    (bins / "kwokctl").write_text(FAKE_KWOKCTL)
    (bins / "kwokctl").chmod(0o755)
    # c is this test's child: killed and not reaped, it is a zombie, which still answers signal 0.
    zombie = subprocess.Popen(["sleep", "600"])
    (state / "kwok" / "clusters" / "cloudops-x" / "pids" / "c.pid").write_text(str(zombie.pid))
    subprocess.run([str(bins / "kwokctl"), "start", "cluster", "--name", "cloudops-x"], check=True,
                   env={**os.environ, "KWOK_WORKDIR": str(state / "kwok")})
    started = {**_pids(state)}
    seen = set(started.values())
    try:
        since, pid = time.monotonic(), supervisor.ensure(bins)
        assert pid is not None and supervisor.running() == pid
        assert supervisor.ensure(bins) == pid, "one supervisor per state dir"

        os.kill(started["b"], signal.SIGSTOP)  # frozen, not exited
        os.kill(started["a"], signal.SIGKILL)
        zombie.kill()
        restarted = wait_until(lambda: _renewed(p := _pids(state), started, "a", "c") and p, 15, "a and c restarted")
        seen |= set(restarted.values())
        assert restarted["b"] == started["b"], "a stopped process is alive: never restarted"
        log = wait_until(lambda: (t := supervisor.log_file().read_text()).count("restarted") == 2 and t, 5, "logged")
        assert f"restarted a of x: pid {started['a']} exited" in log and f"new pid {restarted['a']}" in log
        assert f"restarted c of x: pid {zombie.pid} exited" in log and "after 1s backoff" in log

        os.kill(restarted["a"], signal.SIGKILL)  # again within a minute: the backoff doubles
        again = wait_until(lambda: _renewed(p := _pids(state), restarted, "a") and p, 15, "a restarted again")
        seen |= set(again.values())
        log = wait_until(lambda: (t := supervisor.log_file().read_text()).count("restarted") == 3 and t, 5, "logged")
        assert f"restarted a of x: pid {restarted['a']} exited" in log and "after 2s backoff" in log

        # Polling once a second costs next to nothing: a spinning loop would have used about all of this time.
        elapsed, cpu = time.monotonic() - since, _cpu_seconds(pid)
        assert elapsed > 4 and cpu < 1.0, f"{cpu:.2f}s of CPU in {elapsed:.1f}s"

        shutil.rmtree(state)  # the clusters are gone: the supervisor ends by itself
        wait_until(lambda: not supervisor.alive(pid), 5, "supervisor exited")
    finally:
        for p in seen:
            try:
                os.kill(p, signal.SIGCONT)
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        zombie.wait()


def test_restarts_the_local_prometheus_unless_it_was_stopped(state: Path, tmp_path: Path) -> None:
    from devcluster import prometheus

    bins = tmp_path / "bin"
    bins.mkdir()
    (bins / "kwokctl").write_text(FAKE_KWOKCTL)
    (bins / "prometheus").write_text("#!/bin/sh\nexec sleep 600\n")  # stands in for the server: only its pid counts
    for b in ("kwokctl", "prometheus"):
        (bins / b).chmod(0o755)
    subprocess.run([str(bins / "kwokctl"), "start", "cluster", "--name", "cloudops-x"], check=True,
                   env={**os.environ, "KWOK_WORKDIR": str(state / "kwok")})
    components = set(_pids(state).values())
    first = prometheus.launch(bins / "prometheus")
    started = [first]
    try:
        assert prometheus.exited() is None
        assert supervisor.ensure(bins) is not None
        os.kill(first, signal.SIGKILL)
        os.waitpid(first, 0)
        second = wait_until(lambda: (p := int((state / "prometheus" / "prometheus.pid").read_text())) != first and p,
                            15, "prometheus restarted")
        started.append(second)
        assert prometheus.running() and prometheus.exited() is None
        log = wait_until(lambda: "restarted prometheus" in (t := supervisor.log_file().read_text()) and t, 5, "logged")
        assert f"restarted prometheus (pid {first} exited" in log and f"new pid {second}" in log
        prometheus.stop()  # on purpose: no pid file, so nothing for the supervisor to restart
        assert not (state / "prometheus" / "prometheus.pid").exists() and prometheus.exited() is None
    finally:
        for p in [*started, *components]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
