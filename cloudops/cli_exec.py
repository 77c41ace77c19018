"""kubectl for the CLI API: what may run (a pure check), and running it without a shell, bounded.

The command is split with shell rules but never given to a shell; only `kubectl` runs, only allow-listed
subcommands, never with flags that change who it is or where it points, never what opens streams or
touches the local machine. Each run gets its own private directory (0700) holding a minimal kubeconfig
(0600) for the one member, removed afterwards; the process group is killed at the timeout and output is
capped. Nothing here logs the command's kubeconfig or its credentials.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from cloudops.clusters.kubeconfig import KubeconfigError, named, parse_kubeconfig
from cloudops.errors import BadRequest, CloudOpsError
from cloudops.kube.client import ApiClient
from cloudops.kube.cluster_secrets import read_secret
from cloudops.kube.types import JsonObject
from cloudops.resources.managed_cluster import ManagedCluster

__all__ = ["READ_SUBCOMMANDS", "REFUSED_FLAGS", "REFUSED_SUBCOMMANDS", "WRITE_SUBCOMMANDS", "CliRefused",
           "KubectlMissing", "Plan", "RunResult", "cluster_kubeconfig", "kubectl_path", "kubectl_version",
           "member_kubeconfig", "plan", "run_kubectl"]

READ_SUBCOMMANDS = frozenset({"get", "describe", "logs", "top", "explain", "api-resources", "api-versions",
                              "version", "events", "auth can-i"})
WRITE_SUBCOMMANDS = frozenset({"apply", "create", "replace", "delete", "scale", "autoscale", "rollout", "label",
                               "annotate", "patch", "set", "cordon", "uncordon", "drain", "taint", "expose"})
# Subcommands that open streams to containers or the network, or read and write the local machine.
REFUSED_SUBCOMMANDS = {
    "exec": "opens a stream into a container", "attach": "opens a stream into a container",
    "port-forward": "opens a network tunnel", "proxy": "opens a network proxy",
    "cp": "copies files to or from the local machine", "plugin": "runs local programs",
    "edit": "opens a local editor", "debug": "starts interactive debugging containers",
    "config": "reads and writes the local kubeconfig", "run": "starts pods and may attach to them",
    "kustomize": "reads the local file system", "completion": "is for local shells",
}
# Flags that change identity or target, read or write local files, or stream; each with why.
REFUSED_FLAGS = {
    **dict.fromkeys(("--kubeconfig", "--server", "-s", "--token", "--as", "--as-group", "--as-uid", "--context",
                     "--cluster", "--user", "--insecure-skip-tls-verify", "--username", "--password",
                     "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name"),
                    "changes the identity or the target of the command"),
    **dict.fromkeys(("-f", "--filename", "-k", "--kustomize", "--cache-dir", "--log-file", "--log-dir",
                     "--profile", "--profile-output", "--log-file-max-size", "--from-file", "--from-env-file",
                     "--patch-file", "--env-file", "--edit"),
                    "reads or writes the local machine (or, for logs -f, streams)"),
    **dict.fromkeys(("--follow", "-w", "--watch", "--watch-only"), "opens a stream"),
    **dict.fromkeys(("-v", "--v", "--vmodule", "--alsologtostderr", "--logtostderr", "--one-output",
                     "--stderrthreshold"), "changes kubectl's own logging, which can print request details"),
    "--raw": "reaches any API path, Secrets and proxies included",
}
# Short flags whose value may follow without a space (-nkube-system, -owide); other combined short
# flags (-fn) are refused rather than guessed at.
_VALUE_SHORTS = frozenset("nlocLp")
_GLOBAL_VALUE_FLAGS = frozenset({"-n", "--namespace", "--request-timeout"})
_SHELL = re.compile(r"(;|&&|&|\|\||\||`|\$\(|\$\{|\$|>|<|\n|\r|\x00)")
_SHELL_NAMES = {";": "';'", "&&": "'&&'", "&": "'&'", "||": "'||'", "|": "'|'", "`": "backticks", "$(": "'$('",
                "${": "'${'", "$": "'$'", ">": "'>' (redirection)", "<": "'<' (redirection)", "\n": "a newline",
                "\r": "a carriage return", "\x00": "a NUL byte"}
_SECRET = re.compile(r"(^|[,/])secrets?($|[,/.])", re.IGNORECASE)
_FILE_OUTPUT = re.compile(r"^[a-z-]*-file(=|$)")
MAX_COMMAND = 4096


class CliRefused(BadRequest, ValueError):
    """Why a command may not run (400, `command: ...`); the text names the refused part (never more than 80
    characters of it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="command")


class KubectlMissing(CloudOpsError):
    """The server has no kubectl to run (503)."""

    status = 503


@dataclass(frozen=True)
class Plan:
    args: list[str]  # after `kubectl`, as the user wrote them
    subcommand: str
    writes: bool
    reads_secrets: bool
    has_namespace: bool


def _subcommand(args: list[str]) -> tuple[str, int]:
    """The first positional argument (skipping global flags and their values) and its index."""
    i = 0
    while i < len(args):
        a = args[i]
        if not a.startswith("-"):
            return a, i
        i += 2 if a in _GLOBAL_VALUE_FLAGS else 1
    raise CliRefused("no kubectl subcommand given")


def _check_flag(token: str) -> None:
    name = token.split("=", 1)[0]
    if name in REFUSED_FLAGS:
        raise CliRefused(f"flag {name} is refused: it {REFUSED_FLAGS[name]}")
    if not token.startswith("--") and len(token) > 2:
        short = token[:2]
        if short in REFUSED_FLAGS:
            raise CliRefused(f"flag {short} is refused: it {REFUSED_FLAGS[short]}")
        if token[1] not in _VALUE_SHORTS and token[2] != "=":
            raise CliRefused(f"combined short flags {token[:20]!r} are refused; give each flag alone")


def plan(command: str) -> Plan:
    """Check a `kubectl ...` command line; CliRefused (a 400) names the part refused."""
    if len(command) > MAX_COMMAND:
        raise CliRefused(f"longer than {MAX_COMMAND} characters")
    if m := _SHELL.search(command):
        raise CliRefused(f"{_SHELL_NAMES[m.group(1)]} is refused: the command runs without a shell, so "
                         "command separators, pipes, substitutions, redirections and newlines cannot work")
    try:
        argv = shlex.split(command)
    except ValueError as e:  # shlex's own words are "No closing quotation" or "No escaped character"
        why = "a quote is never closed" if "quotation" in str(e) else "it ends in a lone backslash"
        raise CliRefused(f"cannot be split with shell rules ({why})") from None
    if not argv:
        raise CliRefused("empty")
    if argv[0] != "kubectl":
        raise CliRefused(f"only kubectl may run, not {argv[0][:80]!r}")
    args = argv[1:]
    for a in args:
        if a.startswith("-") and a != "--":
            _check_flag(a)
    sub, at = _subcommand(args)
    if sub == "auth":
        nxt = args[at + 1] if at + 1 < len(args) else ""
        sub = f"auth {nxt}".strip()
    if sub in REFUSED_SUBCOMMANDS:
        raise CliRefused(f"subcommand {sub!r} is refused: it {REFUSED_SUBCOMMANDS[sub]}")
    if sub not in READ_SUBCOMMANDS and sub not in WRITE_SUBCOMMANDS:
        allowed = ", ".join(sorted(READ_SUBCOMMANDS | WRITE_SUBCOMMANDS))
        raise CliRefused(f"subcommand {sub[:80]!r} is not allowed (allowed: {allowed})")
    for i, a in enumerate(args):
        fmt = None
        if a in ("-o", "--output"):
            fmt = args[i + 1] if i + 1 < len(args) else ""
        elif a.startswith("--output="):
            fmt = a.removeprefix("--output=")
        elif a.startswith("-o") and not a.startswith("--"):
            fmt = a[2:].removeprefix("=")
        if fmt is not None and _FILE_OUTPUT.match(fmt):
            raise CliRefused(f"output format {fmt.split('=', 1)[0]!r} is refused: it reads a local file")
    positional = [a for a in args if not a.startswith("-")]
    # `create token` hands out a ServiceAccount's credential: as sensitive as reading a Secret.
    mints_token = sub == "create" and "token" in positional
    return Plan(args=args, subcommand=sub, writes=sub in WRITE_SUBCOMMANDS,
                reads_secrets=mints_token or any(_SECRET.search(p) for p in positional),
                has_namespace=any(a.split("=", 1)[0] in ("-n", "--namespace", "-A", "--all-namespaces")
                                  or (a.startswith("-n") and not a.startswith("--")) for a in args))


def member_kubeconfig(raw: str, context: str | None, name: str) -> str:
    """A kubeconfig holding only the member's one context (renamed `name`), its cluster and user.

    Users that run programs (exec, auth-provider) or read local files are refused: the CLI must not run
    anything but kubectl, nor read the shim's disk.
    """
    cfg = parse_kubeconfig(raw, context)
    ctx = named(cfg, "contexts", "context")[str(context or cfg["current-context"])]
    cluster = named(cfg, "clusters", "cluster")[str(ctx["cluster"])]
    user_ref = ctx.get("user")
    user = named(cfg, "users", "user").get(user_ref, {}) if isinstance(user_ref, str) else {}
    for key in ("exec", "auth-provider", "client-certificate", "client-key", "tokenFile"):
        if key in user:
            raise KubeconfigError(f"kubeconfig: its user uses {key!r}, which the CLI does not run")
    if "certificate-authority" in cluster:
        raise KubeconfigError("kubeconfig: its cluster names a local certificate-authority file")
    out: JsonObject = {"apiVersion": "v1", "kind": "Config", "current-context": name,
                       "clusters": [{"name": name, "cluster": cluster}], "users": [{"name": name, "user": user}],
                       "contexts": [{"name": name, "context": {"cluster": name, "user": name}}]}
    return yaml.safe_dump(out)


async def cluster_kubeconfig(hub: ApiClient, namespace: str, cluster: ManagedCluster) -> str:
    """The member's kubeconfig for the CLI (see member_kubeconfig), read from its Secret in the hub."""
    ref = cluster.spec.kubeconfig_secret_ref
    name, key = ref.name, ref.key or "kubeconfig"
    secret = await read_secret(hub, namespace, name)
    if secret is None:
        raise KubeconfigError(f"kubeconfig Secret {name!r} not found")
    if key not in secret.data:
        raise KubeconfigError(f"kubeconfig Secret {name!r} has no key {key!r}")
    try:
        raw = secret.data[key].decode("utf-8")
    except UnicodeDecodeError:
        raise KubeconfigError("kubeconfig: not valid UTF-8") from None
    return member_kubeconfig(raw, cluster.spec.context or None, cluster.metadata.name or "member")


def kubectl_path(kubectl: str) -> str:
    """Where `kubectl` (a name or a path) is; KubectlMissing (503) when the server has none."""
    found = shutil.which(kubectl)
    if found is None:
        raise KubectlMissing(f"kubectl ({kubectl!r}) is not installed on the server")
    return found


@dataclass(frozen=True)
class RunResult:
    stdout: str
    stderr: str
    exit_code: int
    duration: float
    timed_out: bool
    truncated: bool


async def _drain(stream: asyncio.StreamReader | None, cap: int) -> tuple[bytes, bool]:
    """Up to `cap` bytes kept; the rest read and dropped so the process never blocks on a full pipe."""
    if stream is None:
        return b"", False
    kept = bytearray()
    dropped = False
    while chunk := await stream.read(65536):
        room = cap - len(kept)
        if room > 0:
            kept += chunk[:room]
        if len(chunk) > max(room, 0):
            dropped = True
    return bytes(kept), dropped


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_kubectl(kubectl: str, args: list[str], kubeconfig: str, namespace: str | None, seconds: float,
                      max_output: int) -> RunResult:
    """Run kubectl against `kubeconfig` in a private directory, its own process group, bounded in time and
    output. FileNotFoundError when `kubectl` is not there."""
    workdir = await asyncio.to_thread(tempfile.mkdtemp, prefix="cloudops-cli-")
    try:
        path = Path(workdir) / "kubeconfig"
        await asyncio.to_thread(_write_private, path, kubeconfig)
        pre = [f"--kubeconfig={path}", f"--cache-dir={Path(workdir) / 'cache'}"]
        if namespace:
            pre.append(f"--namespace={namespace}")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": workdir, "KUBECONFIG": str(path),
               "LANG": "C.UTF-8"}
        start = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            kubectl, *pre, *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=env, cwd=workdir, start_new_session=True)
        outputs = asyncio.gather(_drain(proc.stdout, max_output), _drain(proc.stderr, max_output))
        timed_out = False
        try:
            (out, cut_out), (err, cut_err) = await asyncio.wait_for(asyncio.shield(outputs), seconds)
            await asyncio.wait_for(proc.wait(), max(0.1, seconds - (time.monotonic() - start)))
        except TimeoutError:
            timed_out = True
            _kill_group(proc.pid)
            (out, cut_out), (err, cut_err) = await outputs
            await proc.wait()
        except BaseException:
            _kill_group(proc.pid)
            raise
        finally:
            _kill_group(proc.pid)  # whatever it left behind in its group
        duration = round(time.monotonic() - start, 3)
        return RunResult(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                         proc.returncode if proc.returncode is not None else -1, duration, timed_out,
                         cut_out or cut_err)
    finally:
        await asyncio.to_thread(shutil.rmtree, workdir, True)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


async def kubectl_version(kubectl: str) -> str | None:
    """kubectl's client version as it reports it (`v1.32.4`), or None when it is not installed."""
    exe = shutil.which(kubectl)
    if exe is None:
        return None
    proc = await asyncio.create_subprocess_exec(exe, "version", "--client", "-o", "json",
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
                                                start_new_session=True)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 10)
    except TimeoutError:
        _kill_group(proc.pid)
        await proc.wait()
        return None
    try:
        return str(yaml.safe_load(out)["clientVersion"]["gitVersion"])
    except (yaml.YAMLError, KeyError, TypeError):
        return None
