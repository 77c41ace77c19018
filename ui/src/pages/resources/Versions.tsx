// The Versions tab: every recorded version (number, time, author/source, change, tags), any two picked
// (From / To, also the live object) and their side-by-side diff, rollback with confirmation, tags.
// The choice of the two is in the URL (?tab=versions&from=v1&to=v2), so a diff can be shared.
import {
  Badge,
  Button,
  Group,
  Modal,
  Paper,
  Radio,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowBackUp, IconRefresh, IconTag } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { stringify } from "yaml";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { FormFooter } from "../../components/FormFooter";
import { ConfirmModal } from "../../components/ConfirmModal";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { common } from "../../i18n/common";
import { DiffView } from "./DiffView";
import { dict } from "./i18n";
import { TAG_RE, diffDocuments, type VersionItem } from "./lib";
import { OffsetPager } from "../../components/Pager";
import classes from "./resources.module.css";

const CURRENT = "current";

function DiffPanel({ id, from, to, tick }: { id: string; from: string; to: string; tick: number }) {
  const t = useT(dict);
  const diff = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/yaml/versions/{resource_id}/diff", {
          params: { path: { resource_id: id }, query: { version1: from, version2: to, include_objects: true } },
          signal,
        }),
      ),
    [id, from, to, tick],
  );
  const name = (v: string) => (v === CURRENT ? t("liveObject") : v);
  // Both versions whole (the API normalizes them: no status, no server-set metadata), so the diff shows each
  // change in its context; only the changed fields where the API does not send the objects.
  const docs = useMemo(() => {
    const d = diff.data;
    if (!d) return null;
    if (d.object1 && d.object2) return { left: stringify(d.object1), right: stringify(d.object2) };
    return diffDocuments(d.diff);
  }, [diff.data]);
  const a = name(from);
  const b = name(to);
  return (
    <Paper withBorder p="md" data-testid="diff-panel">
      <Title order={2} size="h4" mb={4}>
        {t("diffTitle", { a, b })}
      </Title>
      {diff.loading && !diff.data ? (
        <LoadingRows rows={4} />
      ) : diff.error ? (
        <ApiErrorAlert error={diff.error} onRetry={diff.reload} />
      ) : diff.data && docs ? (
        diff.data.diff.length === 0 ? (
          <Text size="sm" data-testid="diff-none">{t("diffNone", { a, b })}</Text>
        ) : (
          <Stack gap="sm">
            <Group gap="xs">
              <Text size="sm" data-testid="diff-summary">
                {t("diffSummary", diff.data.summary)}
              </Text>
              <Text size="sm" c="dimmed">{t("diffNote")}</Text>
            </Group>
            <DiffView
              left={docs.left}
              right={docs.right}
              leftTitle={a}
              rightTitle={b}
              caption={t("diffTable", { a, b })}
              removedLabel={t("diffRemoved")}
              addedLabel={t("diffAdded")}
            />
            <div>
              <Text size="sm" fw={600} mb={4}>{t("changedFields")}</Text>
              <Group gap={6} data-testid="changed-fields">
                {diff.data.diff.map((e) => (
                  <Badge
                    key={`${e.type}-${e.path}`}
                    variant="light"
                    tt="none"
                    color={e.type === "added" ? "green" : e.type === "deleted" ? "red" : "blue"}
                  >
                    {e.type === "added" ? "+ " : e.type === "deleted" ? "− " : "~ "}
                    {e.path} ({t(e.type === "added" ? "changeAdded" : e.type === "deleted" ? "changeDeleted" : "changeModified")})
                  </Badge>
                ))}
              </Group>
            </div>
          </Stack>
        )
      ) : null}
    </Paper>
  );
}

export function Versions({
  id,
  cluster,
  clusterName,
  refreshKey,
  onChanged,
}: {
  id: string;
  cluster?: string;
  clusterName: string;
  refreshKey: number;
  onChanged: () => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const fmt = useFormatDate();
  const [sp, setSp] = useSearchParams();
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(50);
  const canRollback = useCan("versions", "update", cluster);
  const canTag = useCan("versions", "create", cluster);
  const [tick, setTick] = useState(0);

  const list = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/yaml/versions/{resource_id}", {
          params: { path: { resource_id: id }, query: { limit, offset } },
          signal,
        }),
      ),
    [id, limit, offset, refreshKey],
  );
  const versions: VersionItem[] = list.data?.versions ?? [];

  // Defaults: the two newest (or the only one against the live object).
  const fallbackFrom = versions.length >= 2 ? versions[1].version : versions[0]?.version;
  const fallbackTo = versions.length >= 2 ? versions[0].version : versions.length === 1 ? CURRENT : undefined;
  const from = sp.get("from") || fallbackFrom;
  const to = sp.get("to") || fallbackTo;
  const pick = (which: "from" | "to", v: string) => {
    const q = new URLSearchParams(sp);
    q.set("tab", "versions");
    q.set("from", which === "from" ? v : from ?? v);
    q.set("to", which === "to" ? v : to ?? v);
    setSp(q, { replace: true });
  };

  const [rollbackTo, setRollbackTo] = useState<VersionItem | null>(null);
  const [reason, setReason] = useState("");
  const [tagFor, setTagFor] = useState<VersionItem | null>(null);

  useEffect(() => setReason(""), [rollbackTo]);

  const rows = [
    { key: CURRENT, item: null as VersionItem | null },
    ...versions.map((v) => ({ key: v.version, item: v as VersionItem | null })),
  ];

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text size="sm" c="dimmed">{t("versionsIntro")}</Text>
        <Button
          size="compact-sm"
          variant="default"
          leftSection={<IconRefresh size={14} aria-hidden />}
          onClick={() => {
            setTick((n) => n + 1);
            list.reload();
          }}
          data-testid="versions-refresh"
          style={{ flexShrink: 0 }}
        >
          {tc("refresh")}
        </Button>
      </Group>
      <ApiErrorAlert error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? (
        <LoadingRows rows={4} />
      ) : list.data && list.data.total === 0 ? (
        <EmptyState title={t("noVersions")} description={t("noVersionsHint")} />
      ) : list.data ? (
        <>
          <Table.ScrollContainer minWidth={960}>
            <Table verticalSpacing={6} highlightOnHover aria-label={t("versionsTable")} data-testid="versions-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={56}>{t("diffFrom")}</Table.Th>
                  <Table.Th w={56}>{t("diffTo")}</Table.Th>
                  <Table.Th>{t("versionCol")}</Table.Th>
                  <Table.Th>{t("timeCol")}</Table.Th>
                  <Table.Th>{t("authorCol")}</Table.Th>
                  <Table.Th>{t("changeCol")}</Table.Th>
                  <Table.Th>{t("tagsCol")}</Table.Th>
                  {(canRollback || canTag) && <Table.Th>{tc("actions")}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map(({ key, item }) => {
                  const label = item ? item.version : t("liveObject");
                  return (
                    <Table.Tr key={key} data-testid={`version-row-${key}`}>
                      <Table.Td>
                        <Radio
                          name="diff-from"
                          value={key}
                          checked={from === key}
                          onChange={() => pick("from", key)}
                          aria-label={t("diffFromLabel", { v: label })}
                          data-testid={`from-${key}`}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Radio
                          name="diff-to"
                          value={key}
                          checked={to === key}
                          onChange={() => pick("to", key)}
                          aria-label={t("diffToLabel", { v: label })}
                          data-testid={`to-${key}`}
                        />
                      </Table.Td>
                      {item ? (
                        <>
                          <Table.Td>
                            <Group gap={6} wrap="nowrap">
                              <Text fw={600} size="sm">{item.version}</Text>
                              {item.is_current && (
                                <Tooltip label={t("isCurrent")}>
                                  <Badge size="sm" color="green" variant="light" tabIndex={0} tt="none">
                                    {t("current")}
                                  </Badge>
                                </Tooltip>
                              )}
                              {item.branch && item.branch !== "main" && (
                                <Badge size="sm" variant="outline" color="gray" tt="none">{item.branch}</Badge>
                              )}
                            </Group>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" style={{ whiteSpace: "nowrap" }}>{fmt(item.created_at)}</Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" style={{ wordBreak: "break-word" }}>{item.created_by || "—"}</Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" style={{ wordBreak: "break-word" }}>{item.change_log || "—"}</Text>
                          </Table.Td>
                          <Table.Td>
                            <Group gap={4}>
                              {item.tags.length ? (
                                item.tags.map((tag) => (
                                  <Badge key={tag} size="sm" variant="outline" tt="none" leftSection={<IconTag size={12} aria-hidden />}>
                                    {tag}
                                  </Badge>
                                ))
                              ) : (
                                <Text size="xs" c="dimmed">—</Text>
                              )}
                            </Group>
                          </Table.Td>
                          {(canRollback || canTag) && (
                            <Table.Td>
                              <Group gap={4} wrap="nowrap">
                                {canRollback && (
                                  <Button
                                    size="compact-sm"
                                    variant="light"
                                    color="orange"
                                    leftSection={<IconArrowBackUp size={14} aria-hidden />}
                                    aria-label={t("rollbackLabel", { v: item.version })}
                                    onClick={() => setRollbackTo(item)}
                                    data-testid={`rollback-${item.version}`}
                                  >
                                    {t("rollback")}
                                  </Button>
                                )}
                                {canTag && (
                                  <Button
                                    size="compact-sm"
                                    variant="subtle"
                                    leftSection={<IconTag size={14} aria-hidden />}
                                    aria-label={t("addTagLabel", { v: item.version })}
                                    onClick={() => setTagFor(item)}
                                    data-testid={`tag-${item.version}`}
                                  >
                                    {t("addTag")}
                                  </Button>
                                )}
                              </Group>
                            </Table.Td>
                          )}
                        </>
                      ) : (
                        <>
                          <Table.Td colSpan={4}>
                            <Text size="sm" fw={600} span>{t("liveObject")}</Text>{" "}
                            <Text size="sm" c="dimmed" span>({t("liveObjectHint")})</Text>
                          </Table.Td>
                          <Table.Td />
                          {(canRollback || canTag) && <Table.Td />}
                        </>
                      )}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {list.data.total > limit && (
            <OffsetPager
              offset={offset}
              limit={limit}
              count={versions.length}
              total={list.data.total}
              onChange={(o, l) => {
                setOffset(o);
                setLimit(l);
              }}
            />
          )}
          {from && to && from !== to ? (
            <DiffPanel id={id} from={from} to={to} tick={tick + refreshKey} />
          ) : (
            <Text size="sm" c="dimmed">{t("diffPick")}</Text>
          )}
        </>
      ) : null}

      <ConfirmModal
        opened={rollbackTo !== null}
        onClose={() => setRollbackTo(null)}
        title={t("rollbackTitle", { v: rollbackTo?.version ?? "" })}
        confirmLabel={t("rollback")}
        danger
        onConfirm={async () => {
          if (!rollbackTo) return;
          const res = await call(
            api.POST("/api/k8s/yaml/versions/{resource_id}/rollback", {
              params: { path: { resource_id: id } },
              body: {
                version_id: rollbackTo.id,
                reason,
                cluster_id: null,
                namespace: null,
                resource_type: null,
              },
            }),
          );
          notifications.show({
            color: "green",
            message: res.new_version
              ? t("rolledBack", { v: res.rolled_back_to.version })
              : t("rolledBackSame", { v: res.rolled_back_to.version }),
          });
          list.reload();
          setTick((n) => n + 1);
          onChanged();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">{t("rollbackText", { v: rollbackTo?.version ?? "", cluster: clusterName })}</Text>
          <TextInput
            label={t("rollbackReason")}
            value={reason}
            maxLength={1024}
            onChange={(e) => setReason(e.currentTarget.value)}
            data-testid="rollback-reason"
          />
        </Stack>
      </ConfirmModal>

      <TagModal
        id={id}
        version={tagFor}
        onClose={() => setTagFor(null)}
        onDone={() => {
          setTagFor(null);
          list.reload();
        }}
      />
    </Stack>
  );
}

function TagModal({
  id,
  version,
  onClose,
  onDone,
}: {
  id: string;
  version: VersionItem | null;
  onClose: () => void;
  onDone: () => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const [tag, setTag] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    setTag("");
    setDescription("");
    setError(null);
    setTouched(false);
  }, [version]);
  const invalid = !TAG_RE.test(tag) || tag.length > 128;
  const save = async () => {
    setTouched(true);
    if (!version || invalid) return;
    setBusy(true);
    setError(null);
    try {
      await call(
        api.POST("/api/k8s/yaml/versions/{resource_id}/tag", {
          params: { path: { resource_id: id } },
          body: { version_id: version.id, tag, description, cluster_id: null, namespace: null, resource_type: null },
        }),
      );
      notifications.show({ color: "green", message: t("tagged", { v: version.version, tag }) });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      opened={version !== null}
      onClose={() => !busy && onClose()}
      title={t("tagTitle", { v: version?.version ?? "" })}
      centered
      closeButtonProps={{ "aria-label": tc("close") }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack gap="sm">
          <TextInput
            label={t("tagName")}
            description={t("tagHint")}
            value={tag}
            onChange={(e) => setTag(e.currentTarget.value)}
            error={touched && invalid ? t("tagInvalid") : undefined}
            classNames={{ error: classes.fieldError }}
            required
            data-autofocus
            data-testid="tag-name"
          />
          <TextInput
            label={t("tagDescription")}
            value={description}
            maxLength={1024}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <ApiErrorAlert error={error} />
          <FormFooter onCancel={onClose} busy={busy} submitLabel={tc("save")} submitTestId="tag-save" />
        </Stack>
      </form>
    </Modal>
  );
}
