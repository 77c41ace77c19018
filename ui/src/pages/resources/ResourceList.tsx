// /ui/resources: objects of one type across clusters. Every filter lives in the URL query
// (cluster_ids, resource_type, namespace, label_selector, offset, limit; new=1 opens the editor),
// so a view can be bookmarked and shared.
import {
  Alert,
  Anchor,
  Autocomplete,
  Badge,
  Button,
  Group,
  List,
  MultiSelect,
  Paper,
  Table,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { IconArrowsDiff, IconFilter, IconPlus } from "@tabler/icons-react";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useFormatDate, useT } from "../../i18n";
import { dict } from "./i18n";
import { COMMON_TYPES, objectPath, useClusterOptions, type MemberObject } from "./lib";
import { NewObjectModal } from "./NewObject";
import { OffsetPager } from "../../components/Pager";

const DEFAULT_TYPE = "pods";

export type ListFilters = {
  cluster_ids: string[];
  resource_type: string;
  namespace: string;
  label_selector: string;
};

export function readFilters(sp: URLSearchParams): ListFilters {
  return {
    cluster_ids: (sp.get("cluster_ids") || "").split(",").filter(Boolean),
    resource_type: sp.get("resource_type") || DEFAULT_TYPE,
    namespace: sp.get("namespace") || "",
    label_selector: sp.get("label_selector") || "",
  };
}

export function filtersQuery(f: Partial<ListFilters>): URLSearchParams {
  const q = new URLSearchParams();
  if (f.cluster_ids?.length) q.set("cluster_ids", f.cluster_ids.join(","));
  if (f.resource_type) q.set("resource_type", f.resource_type);
  if (f.namespace) q.set("namespace", f.namespace);
  if (f.label_selector) q.set("label_selector", f.label_selector);
  return q;
}

function statusColor(status: string): string {
  const s = status.toLowerCase();
  if (["running", "active", "ready", "bound", "available", "succeeded", "completed", "healthy"].includes(s)) return "green";
  if (["pending", "progressing", "terminating", "updating", "unknown"].includes(s)) return "yellow";
  if (["failed", "error", "crashloopbackoff", "notready", "lost"].includes(s)) return "red";
  return "gray";
}

function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels || {});
  if (!entries.length) return <Text size="xs" c="dimmed">—</Text>;
  const shown = entries.slice(0, 3);
  return (
    <Group gap={4} wrap="wrap">
      {shown.map(([k, v]) => (
        <Badge key={k} variant="outline" color="gray" size="sm" radius="sm" tt="none" maw={260} style={{ overflow: "hidden" }}>
          {k}={v}
        </Badge>
      ))}
      {entries.length > shown.length && (
        <Tooltip label={entries.slice(3).map(([k, v]) => `${k}=${v}`).join(", ")} multiline maw={400}>
          <Badge variant="light" color="gray" size="sm" radius="sm" tabIndex={0}>
            +{entries.length - shown.length}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

export default function ResourceList() {
  const t = useT(dict);
  const fmt = useFormatDate();
  const [sp, setSp] = useSearchParams();
  const filters = useMemo(() => readFilters(sp), [sp]);
  const offset = Math.max(0, Number(sp.get("offset")) || 0);
  const limitRaw = Number(sp.get("limit")) || 20;
  const limit = Math.min(1000, Math.max(1, limitRaw));
  const canCreate = useCan("resources", "create");
  const clusters = useClusterOptions();

  // The form's own state: text fields commit on Enter, blur or "Apply filters"; choices commit at once.
  const [draft, setDraft] = useState<ListFilters>(filters);
  const key = sp.toString();
  useEffect(() => setDraft(readFilters(new URLSearchParams(key))), [key]);

  const commit = (next: Partial<ListFilters>) => {
    const f = { ...draft, ...next };
    setDraft(f);
    const q = filtersQuery(f);
    if (limit !== 20) q.set("limit", String(limit));
    if (q.toString() !== sp.toString()) setSp(q);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    commit({});
  };

  const list = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/unified/resources", {
          params: {
            query: {
              resource_type: filters.resource_type,
              cluster_ids: filters.cluster_ids.length ? filters.cluster_ids.join(",") : undefined,
              namespace: filters.namespace || undefined,
              label_selector: filters.label_selector || undefined,
              limit,
              offset,
            },
          },
          signal,
        }),
      ),
    [key],
  );

  const namespaces = useApi(
    async (signal) => {
      const d = await call(
        api.GET("/api/k8s/unified/resources", {
          params: {
            query: {
              resource_type: "namespaces",
              cluster_ids: filters.cluster_ids.length ? filters.cluster_ids.join(",") : undefined,
              limit: 1000,
            },
          },
          signal,
        }),
      );
      return [...new Set(d.resources.map((r) => r.name))].sort();
    },
    [filters.cluster_ids.join(",")],
  );

  const setPage = (o: number, l: number) => {
    const q = new URLSearchParams(sp);
    if (o) q.set("offset", String(o));
    else q.delete("offset");
    if (l !== 20) q.set("limit", String(l));
    else q.delete("limit");
    setSp(q);
  };

  const setNew = (open: boolean) => {
    const q = new URLSearchParams(sp);
    if (open) q.set("new", "1");
    else q.delete("new");
    setSp(q);
  };

  const compareQuery = filtersQuery({ ...filters, cluster_ids: filters.cluster_ids.length >= 2 ? filters.cluster_ids : [] });
  const data = list.data;
  const rows: MemberObject[] = data?.resources ?? [];

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <>
            <Button
              component={Link}
              to={`/resources/compare?${compareQuery.toString()}`}
              variant="default"
              leftSection={<IconArrowsDiff size={16} aria-hidden />}
            >
              {t("compare")}
            </Button>
            {canCreate && (
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setNew(true)} data-testid="new-object">
                {t("newObject")}
              </Button>
            )}
          </>
        }
      />

      <Paper withBorder p="sm" mb="md" component="form" onSubmit={submit} aria-label={t("applyFilters")}>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <MultiSelect
            label={t("clusters")}
            placeholder={draft.cluster_ids.length ? undefined : t("clustersPlaceholder")}
            data={clusters.data ?? []}
            value={draft.cluster_ids}
            onChange={(v) => commit({ cluster_ids: v })}
            searchable
            clearable
            w={240}
            nothingFoundMessage="—"
          />
          <Autocomplete
            label={t("resourceType")}
            placeholder={t("resourceTypeHint")}
            data={COMMON_TYPES}
            value={draft.resource_type}
            onChange={(v) => setDraft((d) => ({ ...d, resource_type: v }))}
            onOptionSubmit={(v) => commit({ resource_type: v })}
            onBlur={() => draft.resource_type !== filters.resource_type && commit({})}
            w={220}
            required
            data-testid="filter-type"
          />
          <Autocomplete
            label={t("namespace")}
            placeholder={t("namespacePlaceholder")}
            data={namespaces.data ?? []}
            value={draft.namespace}
            onChange={(v) => setDraft((d) => ({ ...d, namespace: v }))}
            onOptionSubmit={(v) => commit({ namespace: v })}
            onBlur={() => draft.namespace !== filters.namespace && commit({})}
            w={200}
            data-testid="filter-namespace"
          />
          <TextInput
            label={t("labelSelector")}
            placeholder={t("labelSelectorPlaceholder")}
            value={draft.label_selector}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setDraft((d) => ({ ...d, label_selector: v }));
            }}
            onBlur={() => draft.label_selector !== filters.label_selector && commit({})}
            w={240}
            data-testid="filter-labels"
          />
          <Button type="submit" variant="light" leftSection={<IconFilter size={16} aria-hidden />}>
            {t("applyFilters")}
          </Button>
          <Button
            variant="subtle"
            onClick={() => {
              setDraft(readFilters(new URLSearchParams()));
              setSp(new URLSearchParams());
            }}
          >
            {t("resetFilters")}
          </Button>
        </Group>
      </Paper>

      <ApiErrorAlert error={list.error} onRetry={list.reload} mb="md" />

      {data && data.errors.length > 0 && (
        <Alert color="orange" variant="light" title={t("clusterErrors")} mb="md" data-testid="cluster-errors">
          <List size="sm">
            {data.errors.map((e) => (
              <List.Item key={`${e.cluster_name}-${e.code}`}>
                <Text span fw={600} size="sm">{e.cluster_name}</Text>: {e.error} (HTTP {e.status})
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {data && data.notes.length > 0 && (
        <Alert color="gray" variant="light" title={t("notes")} mb="md">
          {data.notes.map((n) => (
            <Text size="sm" key={n}>{n}</Text>
          ))}
        </Alert>
      )}

      {list.loading && !data ? (
        <LoadingRows rows={8} />
      ) : data && rows.length === 0 ? (
        <EmptyState title={t("noObjects")} description={t("noObjectsHint", { type: filters.resource_type })} />
      ) : data ? (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover verticalSpacing="xs" aria-label={t("resultsTable")} data-testid="resources-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("name")}</Table.Th>
                  <Table.Th>{t("namespace")}</Table.Th>
                  <Table.Th>{t("cluster")}</Table.Th>
                  <Table.Th>{t("kind")}</Table.Th>
                  <Table.Th>{t("status")}</Table.Th>
                  <Table.Th>{t("labels")}</Table.Th>
                  <Table.Th>{t("created")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id} data-testid="resource-row">
                    <Table.Td>
                      <Anchor component={Link} to={objectPath(r.id)} fw={500} style={{ wordBreak: "break-all" }}>
                        {r.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{r.namespace || "—"}</Table.Td>
                    <Table.Td>{r.cluster_name}</Table.Td>
                    <Table.Td>{r.kind}</Table.Td>
                    <Table.Td>
                      <Badge color={statusColor(r.status)} variant="light" tt="none" styles={{ label: { overflow: "visible" } }}>
                        {r.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Labels labels={r.labels} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ whiteSpace: "nowrap" }}>{fmt(r.creation_time)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <OffsetPager offset={offset} limit={limit} count={rows.length} total={data.total} onChange={setPage} />
        </>
      ) : null}

      {canCreate && (
        <NewObjectModal
          opened={sp.get("new") === "1"}
          onClose={() => setNew(false)}
          clusters={clusters.data ?? []}
          defaultCluster={filters.cluster_ids[0]}
          defaultNamespace={filters.namespace}
        />
      )}
    </>
  );
}
