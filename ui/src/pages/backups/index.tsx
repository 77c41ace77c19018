// /ui/backups: the backup list (create, restore under a new name or over the original, delete) and the
// backup schedules (create and edit cron, retention; last run and its result).
//   /ui/backups                      the list
//   /ui/backups?tab=schedules        the schedules
//   /ui/backups?resource_id=<id>     the list filtered to one object (and "Back up" prefilled with it)
import { Button, Tabs } from "@mantine/core";
import { IconCalendarPlus, IconDatabasePlus } from "@tabler/icons-react";
import { useState } from "react";
import { Navigate, Route, Routes, useSearchParams } from "react-router";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { BackupsTab } from "./BackupsTab";
import { CreateBackupModal } from "./CreateBackupModal";
import { dict } from "./i18n";
import { SchedulesTab } from "./SchedulesTab";
import { useClusters } from "../../components/ClusterSelect";

function BackupsPage() {
  const t = useT(dict);
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") === "schedules" ? "schedules" : "backups";
  const resourceId = params.get("resource_id") ?? "";
  const canCreate = useCan("backups", "create");
  const clusters = useClusters();
  const [creatingBackup, setCreatingBackup] = useState(false);
  const [creatingSchedule, setCreatingSchedule] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);

  const setTab = (v: string | null) => {
    const next = new URLSearchParams(params);
    if (v === "schedules") next.set("tab", "schedules");
    else next.delete("tab");
    setParams(next, { replace: true });
  };

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          canCreate && (
            <>
              <Button
                leftSection={<IconDatabasePlus size={16} aria-hidden />}
                onClick={() => setCreatingBackup(true)}
                data-testid="create-backup"
              >
                {t("createBackup")}
              </Button>
              <Button
                variant="default"
                leftSection={<IconCalendarPlus size={16} aria-hidden />}
                onClick={() => {
                  setTab("schedules");
                  setCreatingSchedule(true);
                }}
                data-testid="new-schedule"
              >
                {t("newSchedule")}
              </Button>
            </>
          )
        }
      />
      <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} mb="sm" />
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="backups" data-testid="tab-backups">
            {t("tabBackups")}
          </Tabs.Tab>
          <Tabs.Tab value="schedules" data-testid="tab-schedules">
            {t("tabSchedules")}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="backups">
          <BackupsTab
            clusters={clusters.data?.clusters}
            reloadKey={reloadKey}
            initialResourceId={resourceId}
            onCreate={canCreate ? () => setCreatingBackup(true) : undefined}
          />
        </Tabs.Panel>
        <Tabs.Panel value="schedules">
          <SchedulesTab
            clusters={clusters.data?.clusters}
            reloadKey={reloadKey}
            creating={creatingSchedule}
            onNew={() => setCreatingSchedule(true)}
            onCreatingDone={() => setCreatingSchedule(false)}
          />
        </Tabs.Panel>
      </Tabs>
      <CreateBackupModal
        opened={creatingBackup}
        onClose={() => setCreatingBackup(false)}
        onCreated={() => {
          setReloadKey((k) => k + 1);
          setTab("backups");
        }}
        initialResourceId={resourceId}
      />
    </>
  );
}

export default function BackupsArea() {
  return (
    <Routes>
      <Route index element={<BackupsPage />} />
      <Route path="*" element={<Navigate to="/backups" replace />} />
    </Routes>
  );
}
