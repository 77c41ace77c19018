"""Restarts local cluster components that exit, as a kubelet restarts a static pod's containers.

kube-controller-manager and kube-scheduler exit for good when they lose their leader lease (an apiserver that
hung for longer than their renew deadline), metrics-server when the apiserver was not ready while it started;
nothing else brings them back. While the clusters are up, one detached process per state dir
(`python -m devcluster supervise`, started by `devcluster up`) watches every pid file kwokctl keeps
(`kwok/clusters/cloudops-<name>/pids/*.pid`) once a second with signal 0 and, when a component exited, runs
`kwokctl start cluster` for its cluster after a backoff: kwokctl starts exactly the components whose pid file
names no live process and rewrites their pid files, so those stay true. A stopped (SIGSTOP) process is alive;
a cluster stopped on purpose has no pid files and is left alone. Each restart is one line in
`<state dir>/logs/supervisor.log`. The supervisor exits by itself once no cluster runs or the state dir is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from devcluster import prometheus
from devcluster.kwok import PREFIX, Kwok
from devcluster.processes import alive
from devcluster.topology import REPO, state_dir

__all__ = ["BASE_DELAY", "MAX_DELAY", "RESET_AFTER", "ensure", "exclusive", "log_file", "restart_delay", "running",
           "stop", "supervise"]

BASE_DELAY, MAX_DELAY = 1.0, 30.0  # seconds before a restart: 1 s, doubling per restart of a cluster up to 30 s
RESET_AFTER = 60.0  # a cluster whose components all ran this long since its last restart starts again at 1 s
TICK = 1.0  # how often pid files are checked
IDLE_EXIT = 10.0  # nothing to supervise this long (every cluster stopped or deleted): the supervisor exits
KWOKCTL_TIMEOUT = 180.0  # a `kwokctl start cluster` still running after this is stopped and counted as failed

Pids = dict[str, int | None]  # component -> the pid its pid file names (None: unreadable, e.g. being written)


def restart_delay(previous: float | None, healthy_for: float | None) -> float:
    """Seconds to wait before restarting a cluster's exited components: `previous` is the delay used for its
    last restart (None if never), `healthy_for` how long its components all ran since that restart finished.
    Crash loops back off exponentially; a cluster that stayed healthy a minute starts over."""
    if previous is None or healthy_for is None or healthy_for >= RESET_AFTER:
        return BASE_DELAY
    return min(previous * 2, MAX_DELAY)


def _pid_file() -> Path:
    return state_dir() / "supervisor.pid"


def log_file() -> Path:
    return state_dir() / "logs" / "supervisor.log"


def _lock_path(name: str) -> Path:
    path = state_dir() / "locks" / f"{name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children (PEP 446)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextmanager
def exclusive(name: str, timeout: float = KWOKCTL_TIMEOUT + 30) -> Iterator[None]:
    """Held by whoever starts (or stops) a cluster's components, the supervisor included, so that two
    `kwokctl start cluster` never race to start the same component twice."""
    deadline = time.monotonic() + timeout
    while (fd := _try_lock(_lock_path(name))) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}: another process kept starting its components for {timeout:.0f}s")
        time.sleep(0.2)  # poll: the supervisor's restart in flight
    try:
        yield
    finally:
        os.close(fd)


def running() -> int | None:
    """The pid of this state dir's supervisor, or None."""
    try:
        pid = int(_pid_file().read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid
    return pid if b"supervise" in cmdline else None  # not a recycled pid


def ensure(bins: Path, timeout: float = 15) -> int | None:
    """Starts the supervisor unless one runs for this state dir. Returns its pid, or None (and says so) when it
    did not come up: the clusters work without it, only exited components then wait for the next `up`."""
    if (pid := running()) is not None:
        try:
            current = f"\0{bins}\0".encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            current = True
        if current:
            return pid
        stop()  # it drives the binaries of a former build (a pin changed): start over with these
    subprocess.run([sys.executable, "-m", "devcluster", "supervise", "--detach", "--bin-dir", str(bins)],
                   cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=60)
    deadline = time.monotonic() + timeout
    while (pid := running()) is None and time.monotonic() < deadline:
        time.sleep(0.1)  # poll: the detached process writes its pid file once it holds its lock
    if pid is None:
        print(f"[devcluster] the component supervisor did not start; see {log_file()}", file=sys.stderr)
    return pid


def stop(timeout: float = 15) -> None:
    """Stops this state dir's supervisor (SIGTERM; SIGKILL after `timeout`)."""
    pid = running()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.1)  # poll
    _pid_file().unlink(missing_ok=True)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _log(line: str) -> None:
    if not state_dir().is_dir():
        return  # `down` removed it: never create it again
    path = log_file()
    path.parent.mkdir(exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{_now()} {line}\n")


@dataclass
class _Restart:
    """One `kwokctl start cluster` in flight, and the components it must bring back."""

    proc: subprocess.Popen[bytes]
    output: IO[bytes]
    lock: int
    started: float
    delay: float
    pending: dict[str, tuple[int, str]]  # component -> (exited pid, when its exit was noticed)


@dataclass
class _Cluster:
    delay: float | None = None  # backoff used for the last restart
    healthy_since: float | None = None  # when the last restart finished
    due: float | None = None  # when the pending restart runs
    noticed: dict[str, tuple[int, str]] = field(default_factory=dict)
    restart: _Restart | None = None


def scan(clusters: Path) -> dict[str, Pids]:
    """The clusters that have pid files (a stopped or deleted cluster has none), by name."""
    found: dict[str, Pids] = {}
    for cluster in sorted(clusters.glob(f"{PREFIX}*")):
        pids: Pids = {}
        for f in (cluster / "pids").glob("*.pid"):
            try:
                pids[f.stem] = int(f.read_text().strip())
            except (OSError, ValueError):
                pids[f.stem] = None
        if pids:
            found[cluster.name[len(PREFIX):]] = pids
    return found


def exited(pids: Pids) -> dict[str, int]:
    return {c: pid for c, pid in pids.items() if pid is not None and not alive(pid)}


def _drop_zombies(pid_dir: Path, dead: dict[str, int]) -> None:
    """A zombie still answers signal 0, so kwokctl would think it runs: its pid file goes first (it exited)."""
    for comp, pid in dead.items():
        f = pid_dir / f"{comp}.pid"
        try:
            if Path(f"/proc/{pid}").exists() and f.read_text().strip() == str(pid):
                f.unlink()
        except OSError:
            pass


class Supervisor:
    def __init__(self, kwok: Kwok) -> None:
        self.kwok = kwok
        self.clusters: dict[str, _Cluster] = {}
        self.stopping = False
        self.prometheus = _Cluster()  # the local Prometheus (devcluster/prometheus.py), with its own backoff

    def run(self) -> int:
        root, idle_since = state_dir(), time.monotonic()
        _log(f"supervisor started (pid {os.getpid()})")
        while not self.stopping and root.is_dir():
            found = scan(self.kwok.workdir / "clusters")
            now = time.monotonic()
            for name in set(self.clusters) - set(found):
                self._abandon(name)
            if found:
                idle_since = now
            elif now - idle_since > IDLE_EXIT:
                _log("no cluster is running: supervisor exits")
                break
            self._prometheus(now)
            for name, pids in found.items():
                st = self.clusters.setdefault(name, _Cluster())
                try:
                    self._step(name, st, pids, now)
                except Exception as e:  # one cluster's trouble must not end the supervision of the others
                    _log(f"supervising {name} failed: {e.__class__.__name__}: {e}")
                    self._finish(st)
                    st.healthy_since, st.due = now, None
            time.sleep(TICK)  # poll: negligible CPU, and an exit is noticed within a second
        for name in list(self.clusters):
            self._abandon(name)
        if root.is_dir():
            _log(f"supervisor stopped (pid {os.getpid()})")
        return 0

    def _step(self, name: str, st: _Cluster, pids: Pids, now: float) -> None:
        if st.restart is not None:
            self._follow(name, st, pids, now)
            return
        dead = exited(pids)
        if not dead:
            st.due, st.noticed = None, {}
            return
        for comp, pid in dead.items():
            if st.noticed.get(comp, (0, ""))[0] != pid:
                st.noticed[comp] = (pid, _now())
        if st.due is None:
            healthy_for = None if st.healthy_since is None else now - st.healthy_since
            st.delay = restart_delay(st.delay, healthy_for)
            st.due = now + st.delay
        elif now >= st.due:
            self._start(name, st, dead, now)

    def _start(self, name: str, st: _Cluster, dead: dict[str, int], now: float) -> None:
        lock = _try_lock(_lock_path(name))
        if lock is None:
            return  # `devcluster up/start/stop` is at work on this cluster: look again next tick
        try:
            _drop_zombies(self.kwok.cluster_dir(name) / "pids", dead)
            output = tempfile.TemporaryFile()
            proc = subprocess.Popen(
                [str(self.kwok.bins / "kwokctl"), "start", "cluster", "--name", f"{PREFIX}{name}"],
                env=self.kwok.env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        except BaseException:
            os.close(lock)
            raise
        st.restart = _Restart(proc, output, lock, now, st.delay or BASE_DELAY,
                              {c: st.noticed.get(c, (pid, _now())) for c, pid in dead.items()})
        st.due, st.noticed = None, {}

    def _follow(self, name: str, st: _Cluster, pids: Pids, now: float) -> None:
        """Logs each component as its new process appears; done when all are back, or one exited again at
        once, or kwokctl gave up."""
        r = st.restart
        assert r is not None
        failed: list[str] = []
        for comp, (old, noticed) in list(r.pending.items()):
            new = pids.get(comp)
            if new is None or new == old:
                continue
            if alive(new):
                _log(f"restarted {comp} of {name}: pid {old} exited (noticed {noticed}), new pid {new}, "
                     f"after {r.delay:g}s backoff")
            else:
                failed.append(f"{comp} (new pid {new} exited at once)")
            del r.pending[comp]
        code = r.proc.poll()
        if r.pending and code is None and now - r.started < KWOKCTL_TIMEOUT:
            return
        if r.pending:
            r.output.seek(0)
            tail = r.output.read()[-2000:].decode(errors="replace").strip().replace("\n", " | ")
            failed.append(f"{', '.join(sorted(r.pending))} (kwokctl exit {code}: {tail})")
        if failed:
            _log(f"restart of {name} failed: {'; '.join(failed)}")
        self._finish(st)
        st.healthy_since = now

    def _finish(self, st: _Cluster) -> None:
        """Ends the restart in flight. kwokctl waits up to 2 minutes for the apiserver to serve after it started
        the components (which run in their own sessions): once they are back, that wait is not needed."""
        r = st.restart
        if r is None:
            return
        if r.proc.poll() is None:
            r.proc.terminate()
            try:
                r.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                r.proc.kill()
                r.proc.wait()
        r.output.close()
        os.close(r.lock)
        st.restart = None

    def _prometheus(self, now: float) -> None:
        """Restarts the local Prometheus when it exited (`prometheus.stop` removes its pid file: left alone)."""
        st, gone = self.prometheus, prometheus.exited()
        if gone is None:
            if st.due is not None or st.healthy_since is None:
                st.healthy_since = now
            st.due = None
            return
        if st.due is None:
            healthy_for = None if st.healthy_since is None else now - st.healthy_since
            st.delay = restart_delay(st.delay, healthy_for)
            st.due = now + st.delay
            st.noticed = {"prometheus": (gone, _now())}
        elif now >= st.due:
            with contextlib.suppress(OSError):
                os.waitpid(gone, os.WNOHANG)  # our own child from an earlier restart: reap it
            pid = prometheus.launch(self.kwok.bins / "prometheus")
            noticed = st.noticed.get("prometheus", (gone, _now()))[1]
            _log(f"restarted prometheus (pid {gone} exited, noticed {noticed}): new pid {pid}, "
                 f"after a backoff of {st.delay:.0f}s")
            st.due, st.healthy_since = None, now

    def _abandon(self, name: str) -> None:
        st = self.clusters.pop(name, None)
        if st is not None:
            self._finish(st)


def _detach() -> None:
    """Double fork: the caller returns at once, the supervisor is nobody's child and holds no caller's pipe."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    if os.fork() > 0:
        os._exit(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    log_file().parent.mkdir(parents=True, exist_ok=True)
    out = os.open(log_file(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(devnull, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)


def supervise(bins: Path, detach: bool = False) -> int:
    """Runs the supervisor of this state dir until the clusters are gone or SIGTERM; returns at once (0) when
    one already runs."""
    if not state_dir().is_dir():
        return 0
    if detach:
        _detach()
    lock = _try_lock(state_dir() / "supervisor.lock")
    if lock is None:
        return 0
    sup = Supervisor(Kwok(bins))

    def _stop(*_: object) -> None:
        sup.stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    _pid_file().write_text(f"{os.getpid()}\n")
    try:
        return sup.run()
    finally:
        if _pid_file().exists() and _pid_file().read_text().strip() == str(os.getpid()):
            _pid_file().unlink()
        os.close(lock)
