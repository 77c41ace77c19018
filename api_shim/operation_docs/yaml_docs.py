"""YAML 版本管理 API: versions of member objects (1.1–1.5) and their backups (2.1–2.5), kept in the hub."""

from __future__ import annotations

from api_shim.operation_docs.model import Doc, Docs

__all__ = ["DOCS"]

_RESOURCE = ("`{resource_id}` is an object id (`<cluster>:<type>:<namespace>:<name>`) or a bare name with "
             "`cluster_id`, `resource_type` and `namespace`.")
_WHERE = "`resource_type`, `cluster_id` and `namespace` only for a bare-name `{resource_id}`"
_AUTHZ_OBJECT = "Authorized on the cluster of the object (or of the backup), once it is resolved."

_VERSIONS: Docs = {
    "GET /api/k8s/yaml/versions/{resource_id}": Doc(
        "List an object's versions",
        "The versions the product recorded for the object (on every change of an object labelled "
        "`cloudops.io/versioned=true`, every write through this API, every rollback), newest first, optionally "
        "of one `branch`, paged: id, `v<N>`, change log, author, time, tags; `is_current` marks the version the "
        f"live object matches. {_RESOURCE}",
        "nothing.",
        authz=_AUTHZ_OBJECT),
    "GET /api/k8s/yaml/versions/{resource_id}/diff": Doc(
        "Diff two versions",
        "The field differences between `version1` and `version2` (each an id, `v<N>`, a tag or `current`, the "
        "live object; default `current`), after normalization (status, managedFields, resourceVersion, uid "
        f"and timestamps dropped): each added, modified or deleted field path with its old and new value, and "
        f"the counts. {_RESOURCE}",
        "nothing.",
        authz=_AUTHZ_OBJECT),
    "POST /api/k8s/yaml/versions/{resource_id}/compare": Doc(
        "Compare two versions",
        "As the diff, with the versions in the body and `include_metadata` to count label and annotation "
        f"changes or not. {_RESOURCE}",
        "nothing.",
        authz=_AUTHZ_OBJECT,
        body=f"`version1`, `version2` (default `current`), `include_metadata`; {_WHERE}."),
    "POST /api/k8s/yaml/versions/{resource_id}/rollback": Doc(
        "Roll back to a version",
        "Writes the chosen version back to the member: a server-side dry run first (422 with the member's "
        "message, nothing changed), then the replace. The result is recorded as a new version "
        f"`Rollback to vN: <reason>`. {_RESOURCE}",
        "the object in the member, a new YamlVersion in the hub, and a Kubernetes Event (reason `Rollback`) on "
        "the object naming `notify_users`.",
        authz=_AUTHZ_OBJECT,
        body=f"`version_id` (id, `v<N>` or a tag), `reason`, `notify_users`; {_WHERE}."),
    "POST /api/k8s/yaml/versions/{resource_id}/tag": Doc(
        "Tag a version",
        "Gives a version a tag, unique per object (409 when another version holds it); tagged versions outlive "
        f"retention (`CLOUDOPS_VERSION_LIMIT`). {_RESOURCE}",
        "the YamlVersion's tags in the hub.",
        authz=_AUTHZ_OBJECT,
        body=f"`version_id`, `tag`, `description`; {_WHERE}."),
}

_BACKUPS: Docs = {
    "POST /api/k8s/yaml/backup/create": Doc(
        "Back up an object or a namespace",
        "Backs up one object, or with `resource_type: namespace` the namespace's workloads, services, configmaps "
        "and secrets, as they are in the member now: gzip-compressed, and encrypted with AES-256-GCM when asked "
        "and always when it holds Secrets. A given `backup_name` that exists is 409/1006; content over 16 parts "
        "of 512 KiB is refused with 1007, never truncated.",
        "a YamlBackup in the hub (integer id, phase, size, sha256) and its content in hub Secrets "
        "`<backup>-part-<i>`; on first use the key Secret `cloudops-backup-keys`.",
        authz="Authorized as `create` on `backups` for the object's cluster.",
        body="`resource_id` (object id or name), `resource_type`, optional `backup_name`, `description`, "
             "`encrypt`, and `cluster_id`/`namespace` for a bare name."),
    "GET /api/k8s/yaml/backup/list": Doc(
        "List backups",
        "Backups of the clusters the caller may list backups of, newest first, filtered by `resource_id`, "
        "`resource_type`, `cluster_id` and `status`, paged.",
        "nothing.",
        authz="Only clusters on which the caller holds `list` on `backups` are shown."),
    "POST /api/k8s/yaml/backup/restore": Doc(
        "Restore a backup",
        "Verifies the backup's size, checksum and encryption tag before any write (a bad backup is 1008 and "
        "nothing changes), strips uid, resourceVersion, ownerReferences, status and Service IPs, and writes "
        "its objects under `restore_name`, into `cluster_id`/`namespace` when given. With `overwrite: false` "
        "a target that exists is 409 and nothing is written.",
        "the backed-up objects in the member (each recorded as a YamlVersion).",
        authz="`get` on `backups` for the backup's cluster, and `create` on `backups` for the target cluster.",
        body="`backup_id` (id or name), `restore_name`, `overwrite`, `cluster_id`, `namespace`."),
    "DELETE /api/k8s/yaml/backup/delete/{backup_id}": Doc(
        "Delete a backup",
        "Deletes a backup by its integer id or its name.",
        "deletes the YamlBackup and its part Secrets in the hub.",
        authz="Authorized as `delete` on `backups` for the backup's cluster."),
    "POST /api/k8s/yaml/backup/schedule": Doc(
        "Schedule backups of an object",
        "Creates, or updates, the object's backup schedule: a 5-field cron or `@daily`-style macro in an IANA "
        "`time_zone`, retention by days and count, encryption, paused. The operator runs it (one catch-up "
        "backup after downtime, never two at once) and reports its next run. A malformed cron is 400.",
        "a YamlBackupSchedule in the hub (the operator then writes YamlBackups owned by it).",
        authz="Authorized as `create` on `backups` for the object's cluster.",
        body="`resource_id`, `resource_type`, `schedule`, optional `schedule_name`, `time_zone`, "
             "`retention_days`, `retention_count`, `encrypt`, `enabled`, `paused`, `description`, and "
             "`cluster_id`/`namespace` for a bare name."),
}

DOCS: Docs = {**_VERSIONS, **_BACKUPS}
