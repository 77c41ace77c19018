"""The exit code of a finished exec, from the Status a member sends on the error channel.

A real kubelet says `reason: NonZeroExitCode` with an `ExitCode` cause; kwok's local exec says
`reason: InternalError` with a message ending `exit status N`. Anything else without a code is a failure to
run the command at all (no such executable, one that may not be executed, container gone), which the caller words.
"""

from __future__ import annotations

import re

from cloudops.kube.types import JsonObject, JsonValue

__all__ = ["exit_code_of", "missing_executable", "status_message", "unrunnable"]

_EXIT_STATUS = re.compile(r"exit (?:status|code) (\d{1,3})\s*$")
_NOT_FOUND = re.compile(r'(?i)(executable file not found|no such file or directory|not found in \$PATH|'
                        r'exec format error|cannot run|exec: no command)')
# A path that exists but is no file the container may execute (a directory, no exec permission, a noexec mount).
_DENIED = re.compile(r"(?i)(permission denied|is a directory)")


def status_message(status: JsonObject) -> str:
    return str(status.get("message") or status.get("reason") or "")


def _causes(status: JsonObject) -> list[JsonValue]:
    details = status.get("details")
    causes = details.get("causes") if isinstance(details, dict) else None
    return causes if isinstance(causes, list) else []


def exit_code_of(status: JsonObject) -> int | None:
    """0 for Success, N for a non-zero exit in either form, None when the command did not run to an exit."""
    if status.get("status") == "Success":
        return 0
    for cause in _causes(status):
        if isinstance(cause, dict) and cause.get("reason") == "ExitCode":
            try:
                return int(str(cause.get("message", "")).strip())
            except ValueError:
                pass
    m = _EXIT_STATUS.search(status_message(status))
    if m is not None:
        return int(m.group(1))
    return None


def missing_executable(status: JsonObject) -> bool:
    """The command could not start because its executable is not in the container."""
    return exit_code_of(status) is None and _NOT_FOUND.search(status_message(status)) is not None


def unrunnable(status: JsonObject) -> bool:
    """The command could not start because what it names may not be executed (the caller's error, not a failure
    of the member)."""
    return exit_code_of(status) is None and not missing_executable(status) and \
        _DENIED.search(status_message(status)) is not None
