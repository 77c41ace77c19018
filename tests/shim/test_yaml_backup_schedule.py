"""2.5 and the YamlBackupSchedule reconciler, for real: an every-minute schedule run by the operator."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers import Kubectl, eventually
from tests.processes import OperatorProcess
from tests.shim.conftest import Client, KeyMaker
from tests.shim.test_unified import apply, call, deployment, fleet  # noqa: F401  (fleet is a fixture)

Json = dict[str, Any]
SCHEDULE = "web-every-minute"


def _fake_backup(hub: Kubectl, namespace: str, name: str, phase: str) -> None:
    """A backup of the schedule as a crashed or failed run leaves it (no content)."""
    hub("-n", namespace, "create", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "YamlBackup",
        "metadata": {"name": name, "labels": {"cloudops.io/schedule": SCHEDULE, "cloudops.io/cluster": "m1"}},
        "spec": {"clusterRef": {"name": "m1"}, "resourceType": "deployment", "resourceId": "x"}}))
    hub("-n", namespace, "patch", "yamlbackup", name, "--subresource=status", "--type=merge", "-p",
        json.dumps({"status": {"phase": phase, "parts": 0}}))


def _backups(hub: Kubectl, namespace: str) -> dict[str, Json]:
    items = hub.json("-n", namespace, "get", "yamlbackups", "-l", f"cloudops.io/schedule={SCHEDULE}")["items"]
    return {b["metadata"]["name"]: b for b in items}


async def test_every_minute_schedule_runs_expires_and_pauses(
        fleet: Any, shim: Client, hub: Kubectl, namespace: str, operator: OperatorProcess,  # noqa: F811
        make_key: KeyMaker) -> None:
    clusters, members, ns = fleet
    await apply(members[0], deployment("web", "nginx:1.19"))
    rid = f"{clusters[0]['id']}:deployment:{ns}:web"
    base = {"resource_id": rid, "resource_type": "deployment", "schedule_name": SCHEDULE}

    # Validation names the field; viewers cannot schedule.
    err = await call(shim, "POST", "/api/k8s/yaml/backup/schedule", 400, json={**base, "schedule": "0 25 * * *"})
    assert "schedule: hour" in err["error"]
    err = await call(shim, "POST", "/api/k8s/yaml/backup/schedule", 400,
                     json={**base, "schedule": "* * * * *", "time_zone": "Mars/Base"})
    assert "time_zone" in err["error"]
    viewer = {"X-API-Key": await make_key("vic", ["cloudops:viewers"])}
    assert (await call(shim, "POST", "/api/k8s/yaml/backup/schedule", 403, headers=viewer,
                       json={**base, "schedule": "* * * * *"}))["code"] == 1003

    # Left behind by an operator that stopped mid-backup, and an old failed run.
    await asyncio.to_thread(_fake_backup, hub, namespace, f"{SCHEDULE}-crashed", "InProgress")
    await asyncio.to_thread(_fake_backup, hub, namespace, f"{SCHEDULE}-old-failed", "Failed")

    made = (await call(shim, "POST", "/api/k8s/yaml/backup/schedule",
                       json={**base, "schedule": "* * * * *", "retention_days": 1, "encrypt": True,
                             "time_zone": "Asia/Shanghai"}))["data"]
    assert made["created"] is True and made["name"] == SCHEDULE and made["resource_id"] == rid
    assert made["enabled"] is True and made["schedule"] == "* * * * *"

    crashed = await eventually(lambda: asyncio.to_thread(
        lambda: (b := _backups(hub, namespace).get(f"{SCHEDULE}-crashed")) is not None
        and b["status"]["phase"] == "Failed" and b), 30, "interrupted backup marked Failed")
    assert "interrupted" in crashed["status"]["error"]
    again = (await call(shim, "POST", "/api/k8s/yaml/backup/schedule",
                        json={**base, "schedule": "* * * * *", "retention_days": 1, "retention_count": 1,
                              "time_zone": "Asia/Shanghai"}))["data"]
    assert again["created"] is False and again["retention_count"] == 1 and again["time_zone"] == "Asia/Shanghai"

    def first_run() -> Json | None:
        s = hub.json("-n", namespace, "get", "yamlbackupschedule", SCHEDULE)
        return s if (s.get("status") or {}).get("lastSuccessfulBackup") and s["status"]["backupCount"] == 1 \
            else None
    sched = await eventually(lambda: asyncio.to_thread(first_run), 150, "the first scheduled backup")
    status = sched["status"]
    run1 = status["lastSuccessfulBackup"]
    assert status["lastResult"] == "completed" and status.get("lastError") is None
    assert run1 == status["lastBackupName"] and run1.startswith(f"{SCHEDULE}-") and len(run1) == len(SCHEDULE) + 15
    assert datetime.strptime(run1[-14:], "%Y%m%d%H%M%S").replace(tzinfo=UTC) <= datetime.now(UTC)
    nxt = datetime.fromisoformat(status["nextBackupTime"].replace("Z", "+00:00"))
    assert nxt.second == 0 and nxt > datetime.now(UTC) - timedelta(seconds=5)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True" and ready["reason"] == "Scheduled"
    assert status["observedGeneration"] == sched["metadata"]["generation"]
    # Retention (count 1) removed both older failures; the run is owned by its schedule and encrypted.
    backups = await asyncio.to_thread(_backups, hub, namespace)
    assert list(backups) == [run1]
    b = backups[run1]
    assert b["status"]["phase"] == "Completed" and b["status"]["encrypted"] is True
    assert b["metadata"]["ownerReferences"][0]["name"] == SCHEDULE
    listed = (await call(shim, "GET", f"/api/k8s/yaml/backup/list?resource_id={rid}"))["data"]["backups"]
    assert [(x["backup_name"], x["schedule"], x["status"]) for x in listed] == [(run1, SCHEDULE, "completed")]

    # The schedules list (beyond the reference, for the console): this one with its last run, and one applied
    # with kubectl that selects a whole namespace's deployments (no single object id).
    hub("-n", namespace, "apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "cloudops.io/v1alpha1", "kind": "YamlBackupSchedule", "metadata": {"name": "all-deployments"},
        "spec": {"clusterRef": {"name": clusters[0]["name"]}, "schedule": "0 3 * * *", "enabled": False,
                 "resourceTypes": ["deployments.apps"], "namespaces": [ns]}}))
    scheds = (await call(shim, "GET", f"/api/k8s/yaml/backup/schedule/list?cluster_id={clusters[0]['id']}",
                         headers=viewer))["data"]
    assert [x["name"] for x in scheds["schedules"]] == ["all-deployments", SCHEDULE] and scheds["total"] == 2
    mine = scheds["schedules"][1]
    assert mine["resource_id"] == f"{clusters[0]['id']}:deployments:{ns}:web" and mine["schedule"] == "* * * * *"
    assert mine["last_result"] == "completed" and mine["last_backup_name"] == run1 and mine["time_zone"]
    assert scheds["schedules"][0]["resource_id"] == "" and scheds["schedules"][0]["enabled"] is False
    hub("-n", namespace, "delete", "yamlbackupschedule", "all-deployments")

    # Paused: the status says so, nothing runs, and retention never removes the last good backup,
    # even when a newer failed one exists and only one backup may be kept.
    paused = (await call(shim, "POST", "/api/k8s/yaml/backup/schedule",
                         json={**base, "schedule": "* * * * *", "retention_count": 1, "paused": True}))["data"]
    assert paused["created"] is False and paused["enabled"] is False

    def reason() -> str:
        s = hub.json("-n", namespace, "get", "yamlbackupschedule", SCHEDULE)
        st = s.get("status") or {}
        if st.get("observedGeneration") != s["metadata"]["generation"]:
            return ""
        return next(c["reason"] for c in st["conditions"] if c["type"] == "Ready")
    await eventually(lambda: asyncio.to_thread(lambda: reason() == "Paused"), 30, "paused")
    before = hub.json("-n", namespace, "get", "yamlbackupschedule", SCHEDULE)["status"]
    assert before.get("nextBackupTime") is None
    # Creation times have one-second resolution: the failed backup must be strictly newer than the good one.
    newer = datetime.fromisoformat(b["metadata"]["creationTimestamp"].replace("Z", "+00:00")) + timedelta(seconds=1)
    await eventually(lambda: asyncio.sleep(0.2, datetime.now(UTC) > newer), 10, "a newer second")
    await asyncio.to_thread(_fake_backup, hub, namespace, f"{SCHEDULE}-zz-newer-failed", "Failed")
    await call(shim, "POST", "/api/k8s/yaml/backup/schedule",
               json={**base, "schedule": "* * * * *", "retention_count": 1, "paused": True,
                     "description": "wake up"})
    boundary = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=5)
    await eventually(lambda: asyncio.to_thread(lambda: reason() == "Paused"), 30, "reconciled while paused")
    await eventually(lambda: asyncio.sleep(0.5, datetime.now(UTC) > boundary), 90, "a minute slot passes")
    after = hub.json("-n", namespace, "get", "yamlbackupschedule", SCHEDULE)["status"]
    assert after["lastBackupTime"] == before["lastBackupTime"]
    assert sorted(await asyncio.to_thread(_backups, hub, namespace)) == [run1, f"{SCHEDULE}-zz-newer-failed"]
    assert after["backupCount"] == 2
    assert "cloudops-backup-keys" not in operator.text() and "password" not in operator.text()
