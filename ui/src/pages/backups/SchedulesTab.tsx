// Backup schedules (GET /yaml/backup/schedule/list: every YamlBackupSchedule of the clusters the caller may list
// backups of, kubectl-applied ones too): cron, time zone, retention, state, next run, last run and its result;
// filter by cluster, pages of 20, refresh; create and edit (POST /yaml/backup/schedule).
import { ActionIcon, Alert, Anchor, Badge, Button, Group, Select, Stack, Table, Text, Tooltip } from "@mantine/core";
import { IconEdit, IconInfoCircle, IconLock, IconRefresh } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { Pager } from "../../components/Pager";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { common } from "../../i18n/common";
import { dict } from "./i18n";
import { ScheduleModal } from "./ScheduleModal";
import { STATUS_COLOR, clusterOptions, type ClusterSummary, type ScheduleItem } from "./util";

const PAGE = 20;
// A badge's label is clipped with an ellipsis when its column is narrow; state words are short, show them whole.
const NO_CLIP = { label: { overflow: "visible" } };
// Before the list endpoint this page kept the schedules saved from the browser under these keys; drop them.
const OLD_STORAGE_PREFIX = "cloudops.backupSchedules:";

function dropOldStorage() {
  try {
    for (const k of Object.keys(localStorage)) if (k.startsWith(OLD_STORAGE_PREFIX)) localStorage.removeItem(k);
  } catch {
    /* storage unavailable */
  }
}

function Dash({ reason }: { reason: string }) {
  return (
    <Tooltip label={reason} multiline w={260}>
      <Text span size="sm" c="dimmed" tabIndex={0} aria-label={`— (${reason})`}>
        —
      </Text>
    </Tooltip>
  );
}

export function SchedulesTab({
  clusters,
  reloadKey,
  creating,
  onNew,
  onCreatingDone,
}: {
  clusters: ClusterSummary[] | undefined;
  reloadKey: number;
  /** the parent's "New schedule" button was pressed */
  creating: boolean;
  onNew: () => void;
  onCreatingDone: () => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const fmt = useFormatDate();
  const canWrite = useCan("backups", "create");
  // saving over an existing schedule is authorized as `update` as well
  const canEdit = useCan("backups", "update") && canWrite;
  const [cluster, setCluster] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<ScheduleItem | null>(null);
  useEffect(dropOldStorage, []);

  const list = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/yaml/backup/schedule/list", {
          params: { query: { limit: PAGE, offset: (page - 1) * PAGE, cluster_id: cluster } },
          signal,
        }),
      ),
    [page, cluster, reloadKey],
    { intervalMs: 30_000 },
  );
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  const modalOpen = creating || !!editing;

  const result = (r: ScheduleItem) => {
    if (!r.last_result) return <Dash reason={t("notRunYet")} />;
    const label =
      r.last_result === "completed" ? t("statusCompleted") : r.last_result === "failed" ? t("statusFailed") : t("statusInProgress");
    return (
      <Stack gap={2}>
        <Badge color={STATUS_COLOR[r.last_result] ?? "gray"} variant="light" styles={NO_CLIP}>
          {label}
        </Badge>
        {r.last_backup_name && (
          <Text size="xs" c="dimmed" ff="monospace">
            {r.last_backup_name}
          </Text>
        )}
        {r.last_error && (
          <Text size="xs" c="red.8" maw={240}>
            {t("lastError", { error: r.last_error })}
          </Text>
        )}
        {r.last_result !== "completed" && r.last_successful_backup && (
          <Text size="xs" c="dimmed">
            {t("lastSuccess", { time: fmt(r.last_successful_backup) })}
          </Text>
        )}
      </Stack>
    );
  };

  const object = (r: ScheduleItem) => {
    if (!r.resource_id)
      return (
        <Tooltip label={t("manyObjectsHint")} multiline w={280}>
          <Text span size="xs" c="dimmed" tabIndex={0} data-testid="schedule-selection">
            {t("manyObjects", { type: r.resource_type || "?" })}
          </Text>
        </Tooltip>
      );
    if (r.resource_type === "namespace")
      return (
        <Text span size="xs" c="dimmed" ff="monospace">
          {r.resource_id}
        </Text>
      );
    return (
      <Anchor component={Link} to={`/resources/object/${encodeURIComponent(r.resource_id)}`} size="xs" ff="monospace">
        {r.resource_id}
      </Anchor>
    );
  };

  return (
    <Stack>
      <Alert variant="light" color="gray" icon={<IconInfoCircle aria-hidden />}>
        <Text size="sm">{t("schedulesIntro")}</Text>
      </Alert>
      <Group align="flex-end" gap="sm">
        <Select
          label={t("filterCluster")}
          placeholder={t("allClusters")}
          data={clusterOptions(clusters)}
          value={cluster}
          onChange={(v) => {
            setCluster(v);
            setPage(1);
          }}
          clearable
          searchable
          w={220}
          data-testid="schedule-cluster-filter"
        />
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} aria-hidden />}
          onClick={list.reload}
          loading={list.loading && !!data}
          data-testid="schedules-refresh"
        >
          {tc("refresh")}
        </Button>
        {data && (
          <Text size="sm" c="dimmed" ml="auto" data-testid="schedule-total">
            {t("scheduleTotal", { total: data.total })}
          </Text>
        )}
      </Group>
      <ApiErrorAlert error={list.error} onRetry={list.reload} />
      {list.loading && !data ? (
        <LoadingRows rows={4} />
      ) : data && data.schedules.length === 0 ? (
        cluster ? (
          <EmptyState title={t("noScheduleMatches")} />
        ) : (
          <EmptyState
            title={t("noSchedules")}
            description={t("noSchedulesHint")}
            action={canWrite && <Button onClick={onNew}>{t("newSchedule")}</Button>}
          />
        )
      ) : data ? (
        <>
          <Table.ScrollContainer minWidth={1000}>
            <Table striped highlightOnHover verticalSpacing="xs" data-testid="schedules-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("colName")}</Table.Th>
                  <Table.Th>{t("colCron")}</Table.Th>
                  <Table.Th>{t("colRetention")}</Table.Th>
                  <Table.Th>{t("colState")}</Table.Th>
                  <Table.Th>{t("colNextRun")}</Table.Th>
                  <Table.Th>{t("colLastRun")}</Table.Th>
                  <Table.Th>{t("colLastResult")}</Table.Th>
                  <Table.Th>{t("colBackups")}</Table.Th>
                  {canEdit && <Table.Th>{tc("actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.schedules.map((r) => (
                  <Table.Tr key={r.name} data-testid={`schedule-row-${r.name}`}>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Text size="sm" fw={500} ff="monospace">
                          {r.name}
                        </Text>
                        {r.encrypt && (
                          <Tooltip label={t("encryptedYes")}>
                            <span role="img" aria-label={t("encryptedYes")} tabIndex={0} style={{ display: "inline-flex" }}>
                              <IconLock size={14} aria-hidden />
                            </span>
                          </Tooltip>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {r.cluster_name} · {object(r)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ whiteSpace: "nowrap" }} data-testid="schedule-cron">
                        {r.schedule}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {r.time_zone || "UTC"}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{t("retentionDays", { days: r.retention_days })}</Text>
                      {r.retention_count != null && (
                        <Text size="xs" c="dimmed">
                          {t("retentionCount", { count: r.retention_count })}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={r.enabled ? "green" : "gray"} styles={NO_CLIP}>
                        {r.enabled ? t("active") : t("paused")}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {r.next_run ? (
                        <Text size="sm">{fmt(r.next_run)}</Text>
                      ) : (
                        <Dash reason={r.enabled ? t("nextUnknown") : t("paused")} />
                      )}
                    </Table.Td>
                    <Table.Td>{r.last_backup ? <Text size="sm">{fmt(r.last_backup)}</Text> : <Dash reason={t("notRunYet")} />}</Table.Td>
                    <Table.Td>{result(r)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{r.backup_count}</Text>
                    </Table.Td>
                    {canEdit && (
                      <Table.Td>
                        {r.resource_id ? (
                          <Tooltip label={t("editSchedule", { name: r.name })}>
                            <ActionIcon
                              variant="subtle"
                              onClick={() => setEditing(r)}
                              aria-label={t("editSchedule", { name: r.name })}
                              data-testid="edit-schedule"
                            >
                              <IconEdit size={16} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                        ) : (
                          <Tooltip label={t("editNotOffered")} multiline w={280}>
                            <ActionIcon
                              variant="subtle"
                              data-disabled
                              aria-disabled="true"
                              onClick={(e) => e.preventDefault()}
                              aria-label={`${t("editSchedule", { name: r.name })}: ${t("editNotOffered")}`}
                              data-testid="edit-schedule-unavailable"
                            >
                              <IconEdit size={16} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {pages > 1 && (
            <Group justify="center">
              <Pager total={pages} value={page} onChange={setPage} />
            </Group>
          )}
        </>
      ) : null}
      <ScheduleModal
        opened={modalOpen}
        editing={editing}
        onClose={() => {
          setEditing(null);
          onCreatingDone();
        }}
        onSaved={() => list.reload()}
      />
    </Stack>
  );
}
