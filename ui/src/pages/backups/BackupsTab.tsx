// The backup list: filters (cluster, status, object id), pages of 20, restore and delete per row.
import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconLock, IconRestore, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { Pager } from "../../components/Pager";
import { ConfirmModal } from "../../components/ConfirmModal";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { common } from "../../i18n/common";
import { dict } from "./i18n";
import { notifyDone } from "../../lib/notify";
import { RestoreModal } from "./RestoreModal";
import { MONO_INPUT, clusterOptions, STATUS_COLOR, type Backup, type ClusterSummary } from "./util";

const PAGE = 20;
type Status = "completed" | "in_progress" | "failed";

export function BackupsTab({
  clusters,
  reloadKey,
  initialResourceId,
  onCreate,
}: {
  clusters: ClusterSummary[] | undefined;
  reloadKey: number;
  initialResourceId: string;
  onCreate?: () => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const fmt = useFormatDate();
  const canRestore = useCan("backups", "create");
  const canDelete = useCan("backups", "delete");
  const [cluster, setCluster] = useState<string | null>(null);
  const [status, setStatus] = useState<Status | null>(null);
  const [resource, setResource] = useState(initialResourceId);
  const [resourceQ] = useDebouncedValue(resource.trim(), 300);
  const [page, setPage] = useState(1);
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const [deleting, setDeleting] = useState<Backup | null>(null);

  const list = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/yaml/backup/list", {
          params: {
            query: {
              limit: PAGE,
              offset: (page - 1) * PAGE,
              cluster_id: cluster,
              status,
              resource_id: resourceQ || null,
            },
          },
          signal,
        }),
      ),
    [page, cluster, status, resourceQ, reloadKey],
    { intervalMs: 15_000 },
  );

  const filtered = !!(cluster || status || resourceQ);
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;
  const writes = canRestore || canDelete;

  const remove = async (b: Backup) => {
    await call(api.DELETE("/api/k8s/yaml/backup/delete/{backup_id}", { params: { path: { backup_id: String(b.id) } } }));
    notifyDone(tc("success"), t("deleted", { name: b.backup_name }), tc("close"));
    list.reload();
  };

  return (
    <Stack>
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
        />
        <Select
          label={t("filterStatus")}
          placeholder={t("anyStatus")}
          data={[
            { value: "completed", label: t("statusCompleted") },
            { value: "in_progress", label: t("statusInProgress") },
            { value: "failed", label: t("statusFailed") },
          ]}
          value={status}
          onChange={(v) => {
            setStatus(v as Status | null);
            setPage(1);
          }}
          clearable
          w={170}
        />
        <TextInput
          label={t("filterResource")}
          placeholder="1:configmap:demo:settings"
          value={resource}
          onChange={(e) => {
            setResource(e.currentTarget.value);
            setPage(1);
          }}
          w={300}
          spellCheck={false}
          autoComplete="off"
          styles={MONO_INPUT}
          aria-description={t("filterResourceHint")}
        />
        {data && (
          <Text size="sm" c="dimmed" ml="auto" data-testid="backup-total">
            {t("total", { total: data.total })}
          </Text>
        )}
      </Group>

      <ApiErrorAlert error={list.error} onRetry={list.reload} />
      {list.loading && !data ? (
        <LoadingRows rows={6} />
      ) : data && data.backups.length === 0 ? (
        filtered ? (
          <EmptyState title={t("noMatches")} />
        ) : (
          <EmptyState
            title={t("noBackups")}
            description={t("noBackupsHint")}
            action={onCreate && <Button onClick={onCreate}>{t("createBackup")}</Button>}
          />
        )
      ) : data ? (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover verticalSpacing="xs" data-testid="backups-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("colBackup")}</Table.Th>
                  <Table.Th>{t("colObject")}</Table.Th>
                  <Table.Th>{t("colCluster")}</Table.Th>
                  <Table.Th>{t("colCreated")}</Table.Th>
                  <Table.Th>{t("colSize")}</Table.Th>
                  <Table.Th>{t("colStatus")}</Table.Th>
                  {writes && <Table.Th>{tc("actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.backups.map((b) => (
                  <Table.Tr key={b.id} data-testid={`backup-row-${b.backup_name}`}>
                    <Table.Td>
                      <Text size="sm" fw={500} ff="monospace">
                        {b.backup_name}
                      </Text>
                      {b.description && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {b.description}
                        </Text>
                      )}
                      {b.schedule && (
                        <Badge size="xs" variant="outline" color="gray" tt="none" mt={2}>
                          {t("colSchedule")}: {b.schedule}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">
                        {b.resource_type} {b.namespace ? `${b.namespace}/` : ""}
                        {b.name}
                      </Text>
                      {b.resource_type === "namespace" ? (
                        <Text size="xs" c="dimmed" ff="monospace">
                          {b.resource_id}
                        </Text>
                      ) : (
                        <Anchor
                          component={Link}
                          to={`/resources/object/${encodeURIComponent(b.resource_id)}`}
                          size="xs"
                          ff="monospace"
                        >
                          {b.resource_id}
                        </Anchor>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                        {b.cluster_name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{fmt(b.created_at)}</Text>
                      {b.created_by && (
                        <Text size="xs" c="dimmed">
                          {t("byUser", { user: b.created_by })}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{b.file_size}</Text>
                      <Text size="xs" c="dimmed">
                        {t("colObjects")}: {b.object_count}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Badge color={STATUS_COLOR[b.status] ?? "gray"} variant="light">
                          {b.status === "completed"
                            ? t("statusCompleted")
                            : b.status === "failed"
                              ? t("statusFailed")
                              : t("statusInProgress")}
                        </Badge>
                        {b.encrypted && (
                          <Tooltip label={t("encryptedYes")}>
                            <span role="img" aria-label={t("encryptedYes")} tabIndex={0} style={{ display: "inline-flex" }}>
                              <IconLock size={16} aria-hidden />
                            </span>
                          </Tooltip>
                        )}
                      </Group>
                      {b.error && (
                        <Text size="xs" c="red.8" mt={2} maw={260} data-testid="backup-error">
                          {b.error}
                        </Text>
                      )}
                      {b.sha256 && (
                        <Text size="xs" c="dimmed" ff="monospace" title={b.sha256}>
                          {t("checksum", { sum: b.sha256.slice(0, 12) + "…" })}
                        </Text>
                      )}
                    </Table.Td>
                    {writes && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap" role="group" aria-label={t("rowActions", { name: b.backup_name })}>
                          {canRestore && b.status === "completed" && (
                            <Button
                              size="xs"
                              variant="light"
                              leftSection={<IconRestore size={14} aria-hidden />}
                              onClick={() => setRestoring(b)}
                              aria-label={t("restoreOf", { name: b.backup_name })}
                              data-testid="restore-button"
                            >
                              {t("restore")}
                            </Button>
                          )}
                          {canDelete && (
                            <Tooltip label={tc("delete")}>
                              <ActionIcon
                                variant="subtle"
                                color="red"
                                onClick={() => setDeleting(b)}
                                aria-label={t("deleteOf", { name: b.backup_name })}
                                data-testid="delete-button"
                              >
                                <IconTrash size={16} aria-hidden />
                              </ActionIcon>
                            </Tooltip>
                          )}
                        </Group>
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

      <RestoreModal backup={restoring} clusters={clusters} onClose={() => setRestoring(null)} />
      <ConfirmModal
        opened={!!deleting}
        onClose={() => setDeleting(null)}
        title={deleting ? t("deleteOf", { name: deleting.backup_name }) : ""}
        confirmLabel={tc("delete")}
        danger
        onConfirm={() => deleting && remove(deleting)}
      >
        {t("deleteText")}
      </ConfirmModal>
    </Stack>
  );
}
