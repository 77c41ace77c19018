"""容器运维 API: a container's logs, commands, terminals and files, through the member's pod subresources."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_ID = ("`{id}` is `<cluster id or name>:<namespace>:<pod>[:<container>]`; the container may be left out when the "
       "pod has one.")
_PATHS = ("Paths are absolute; NUL, `..`, protected system paths and credential files (`/proc`, `/sys`, `/dev`, "
          "`/etc/shadow`, `.ssh`, service account tokens, ...) are refused with 400, also through symlinks.")

_LOGS: Docs = {
    "GET /api/k8s/containers/{id}/logs": Doc(
        "Get a container's log",
        "The last `tail` (default 100) lines of the container's log that match the filters: `since`/`until` "
        "(RFC3339, nanosecond-exact on the kubelet's timestamps), `level` (detected from JSON, logfmt, `[INFO]` "
        "tags or bare level words), `search` (case-insensitive substring, or a regex with `regex=true`), "
        "`previous` (the last terminated instance). Filtered one line at a time, so memory stays bounded; "
        f"`total` and `has_more` say what else matched. {_ID}",
        "nothing."),
    "GET /api/k8s/containers/{id}/logs/stream": Doc(
        "Stream a container's log",
        "Server-Sent Events: the last `tail` matching lines, then (with `follow`) new ones as they come, one "
        "`event: log` per line with id `<timestamp>#<n>`; `: keep-alive` comments in silence; `event: end` when "
        "the log ends or the stream reaches `CLOUDOPS_LOG_STREAM_MAX_SECONDS`; `event: error` for a member error "
        f"mid-stream. `Last-Event-ID` resumes exactly after that line. {_ID}",
        "nothing."),
    "GET /api/k8s/containers/{id}/logs/search": Doc(
        "Search a container's log",
        "The lines of the log that match `query` (substring, or a regex with `regex=true`; an invalid regex is "
        f"400) between `start_time` and `end_time`, with their 1-based line numbers, paged. {_ID}",
        "nothing."),
    "POST /api/k8s/containers/{id}/logs/export": Doc(
        "Export a container's log",
        "Streams the log, filtered like the log read, as an attachment `<pod>_<container>_<time>.<ext>` in "
        f"`format` json, csv or txt, of any size. {_ID}",
        "an ActivityRecord of stream `log-export` in the hub (id, time, format, size, line count, user), shown "
        "by the export history.",
        body="`format` (json, csv, txt), `start_time`, `end_time`, `filters` (`level`, `search`, `regex`), "
             "`previous`, `container`."),
    "GET /api/k8s/containers/{id}/logs/history": Doc(
        "List a container's log exports",
        "The log exports of the container, newest first: id, time, format, file size, line count and who "
        f"exported, paged. {_ID}",
        "nothing."),
}

_EXEC: Docs = {
    "POST /api/k8s/containers/{id}/exec": Doc(
        "Run a command in a container",
        "Runs `command` (an argv array, never joined into a shell string), optionally in `working_dir`, and "
        "answers its stdout, stderr (each capped at `CLOUDOPS_EXEC_OUTPUT_MAX_BYTES`, `truncated` says so), exit "
        "code and duration. On `timeout` the stream is closed and the answer is 504/1004 with the output so "
        f"far. {_ID}",
        "whatever the command does in the container; an ActivityRecord of stream `exec` in the hub (the "
        "command with credentials scrubbed, user, exit code, duration).",
        body="`command` (argv array), `timeout` (seconds, at most `CLOUDOPS_EXEC_TIMEOUT_MAX`), `working_dir`."),
    "GET /api/k8s/containers/{id}/exec/history": Doc(
        "List a container's command history",
        "The commands and terminal sessions run in the container, newest first: command (credentials "
        f"scrubbed), time, user, exit code, duration, session id; filtered by `user_id`, paged. {_ID}",
        "nothing."),
    "POST /api/k8s/containers/{id}/exec/terminal": Doc(
        "Open a terminal session",
        "Issues a terminal session for the container: `session_id` and the `websocket_url` to connect to "
        "within `expires_in` seconds. The session id is a single-use ticket bound to the caller, the container "
        f"and the command. {_ID}",
        "a ticket Secret (type `cloudops.io/terminal-ticket`) in the hub, deleted when redeemed or expired.",
        body="`command` (default `sh`), `tty`, `stdin`, `working_dir`."),
    "GET /api/k8s/containers/{id}/exec/ws": Doc(
        "Connect a terminal (WebSocket)",
        "The WebSocket of a session opened by `exec/terminal`, authenticated by its single-use `session` "
        "ticket (browsers send no headers on a WebSocket); a plain GET is 400, an unknown, used or expired "
        "session 401. Frames are JSON text: `stdin`, `resize`, `ping` in; `stdout`, `stderr`, `pong`, `error`, "
        f"then `exit` out. {_ID}",
        "whatever is typed into the container; an ActivityRecord of stream `exec` for the session.",
        authz="`exec` is checked again when the socket connects, for the ticket's user."),
}

_FILES: Docs = {
    "GET /api/k8s/containers/{id}/files": Doc(
        "List files in a container",
        "The entries under `path` (default `/`; `recursive` for the tree), with type, size, permissions and "
        f"modification time, bounded by `CLOUDOPS_FILE_LIST_MAX` entries (`truncated` says so). {_PATHS} {_ID}",
        "nothing."),
    "GET /api/k8s/containers/{id}/files/download": Doc(
        "Download a file from a container",
        f"Streams the file at `path` as an attachment, up to `CLOUDOPS_FILE_DOWNLOAD_MAX_BYTES`. {_PATHS} {_ID}",
        "nothing."),
    "POST /api/k8s/containers/{id}/files/upload": Doc(
        "Upload a file into a container",
        "Writes the uploaded `file` to `path` through a temporary file beside it, verified by size and SHA-256 "
        "before it is moved into place, so a failed write leaves nothing under the target name. An existing "
        f"target without `overwrite` is 409; over `CLOUDOPS_FILE_UPLOAD_MAX_BYTES` is 413. {_PATHS} {_ID}",
        "the file in the container (audited with path and size, never contents).",
        body="multipart/form-data: `file`, `path`, `overwrite`."),
    "PUT /api/k8s/containers/{id}/files/edit": Doc(
        "Edit a file in a container",
        "Replaces the file's content, like the upload (temporary file, verified, moved into place); `backup` "
        "keeps a copy as `<path>.bak-<UTC>`, and `expected_sha256` makes the write conditional (409 when the "
        f"file changed). {_PATHS} {_ID}",
        "the file (and its backup copy) in the container; audited with path and size, never contents.",
        body="`path`, `content`, `backup`, `expected_sha256`."),
    "DELETE /api/k8s/containers/{id}/files/delete": Doc(
        "Delete a file in a container",
        f"Deletes the file or directory at `path`; a directory needs `recursive` (else 409). {_PATHS} {_ID}",
        "removes the path in the container; audited with the path.",
        body="`path` and `recursive`."),
}

_SYSTEM: Docs = {
    "GET /healthz": Doc(
        "Liveness", "Answers `ok` while the process serves requests; it checks nothing else.", "nothing."),
    "GET /readyz": Doc(
        "Readiness",
        "Answers 200 with the hub's version once the hub API server answers (within 3 s) and the cluster cache "
        "has synced; 503 otherwise, so a load balancer sends traffic only to a ready replica.",
        "nothing."),
    "GET /metrics": Doc(
        "Prometheus metrics",
        "The shim's metrics in the Prometheus text format: requests, latency histogram, errors and in-flight "
        "requests by route.",
        "nothing."),
    "GET /api/k8s/openapi.json": Doc(
        "This OpenAPI document",
        "The OpenAPI 3.1 document of this API, generated from the same declarations that validate requests, "
        "with the recorded examples.",
        "nothing."),
}

DOCS: Docs = {**_LOGS, **_EXEC, **_FILES, **_SYSTEM}
