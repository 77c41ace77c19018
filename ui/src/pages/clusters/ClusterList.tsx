// /ui/clusters: every cluster in one virtualized table (smooth with 1,000 rows).
// Every column comes from the list itself (paged through with limit/offset, 1,000 a page): status,
// health score and its reasons, nodes, CPU and memory as the operator measured them at its last sync.
// One list call per refresh, however many clusters there are.
import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  Paper,
  Select,
  Table,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import {
  IconArrowDown,
  IconArrowUp,
  IconArrowsSort,
  IconDots,
  IconEdit,
  IconPlugConnected,
  IconPlus,
  IconRefresh,
  IconSearch,
  IconTrash,
  IconX,
} from "@tabler/icons-react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useLang, useT, useFormatDate } from "../../i18n";
import { common } from "../../i18n/common";
import { AddClusterModal, providerOptions, useClusterActions } from "./forms";
import { dict, PROVIDER_LABEL, PROVIDER_SHORT, STATUSES } from "./i18n";
import { ago, HealthCell, StatusBadge, statusLabel, UsageBar, type Row } from "./shared";

const PAGE = 1000;
const ROW_HEIGHT = 52;

type SortKey = "name" | "status" | "health" | "version" | "nodes" | "cpu" | "memory" | "last_sync" | "provider" | "region";

const STATUS_ORDER: Record<string, number> = { error: 0, disconnected: 1, pending: 2, connected: 3 };

async function loadAllClusters(signal: AbortSignal): Promise<Row[]> {
  const out: Row[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await call(api.GET("/api/k8s/clusters/list", { params: { query: { limit: PAGE, offset } }, signal }));
    out.push(...page.clusters);
    if (page.clusters.length < PAGE || out.length >= page.total) break;
  }
  return out;
}

function versionKey(v: string): number[] {
  return (v.match(/\d+/g) ?? []).slice(0, 3).map(Number);
}

function cmp(a: unknown, b: unknown): number {
  const an = a === null || a === undefined || (typeof a === "number" && Number.isNaN(a));
  const bn = b === null || b === undefined || (typeof b === "number" && Number.isNaN(b));
  if (an && bn) return 0;
  if (an) return 1; // unknown values last, whatever the direction
  if (bn) return -1;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d) return d;
    }
    return 0;
  }
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

export default function ClusterList() {
  const t = useT(dict);
  const tc = useT(common);
  const { lang } = useLang();
  const fmt = useFormatDate();
  const canAdd = useCan("clusters", "create");
  const canEdit = useCan("clusters", "update");
  const canDelete = useCan("clusters", "delete");
  const canTest = useCan("test", "create");
  const canSync = useCan("sync", "create");

  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const status = params.get("status");
  const provider = params.get("provider");
  const sortKey = (params.get("sort") as SortKey) || "name";
  const sortDir = params.get("dir") === "desc" ? "desc" : "asc";
  const [search, setSearch] = useState(q);
  const [debounced] = useDebouncedValue(search, 150);

  const setParam = useCallback(
    (patch: Record<string, string | null>) => {
      setParams(
        (p) => {
          const n = new URLSearchParams(p);
          for (const [k, v] of Object.entries(patch)) {
            if (v === null || v === "") n.delete(k);
            else n.set(k, v);
          }
          return n;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  useEffect(() => {
    if (debounced !== q) setParam({ q: debounced || null });
  }, [debounced, q, setParam]);

  // ---- data
  const [clusters, setClusters] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((x) => x + 1), []);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    loadAllClusters(ctl.signal)
      .then((list) => {
        setClusters(list);
        setError(null);
      })
      .catch((e) => {
        if (!ctl.signal.aborted) setError(e);
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
  }, [tick]);

  // Poll: every 3 s while a cluster is pending (watch it connect), every 10 s while a connected cluster
  // has no health score yet (its first sync is on its way), else every 30 s.
  const anyPending = !!clusters?.some((c) => c.status === "pending");
  const anyUnmeasured = !!clusters?.some((c) => c.status === "connected" && c.health_score === null);
  const pollMs = anyPending ? 3000 : anyUnmeasured ? 10000 : 30000;
  useEffect(() => {
    const h = setInterval(reload, pollMs);
    return () => clearInterval(h);
  }, [pollMs, reload]);

  const onChanged = useCallback(() => reload(), [reload]);
  const actions = useClusterActions(onChanged);
  const [adding, setAdding] = useState(false);

  // ---- rows: merge, filter, sort
  const rows: Row[] = useMemo(() => {
    if (!clusters) return [];
    const needle = q.trim().toLowerCase();
    const filtered = clusters.filter((r) => {
      if (status && r.status !== status) return false;
      if (provider && r.provider !== provider) return false;
      if (!needle) return true;
      return [r.name, r.display_name, r.region, r.version, r.provider, ...r.tags].some((s) => s?.toLowerCase().includes(needle));
    });
    const val = (r: Row): unknown => {
      switch (sortKey) {
        case "status":
          return STATUS_ORDER[r.status] ?? 9;
        case "health":
          return r.health_score;
        case "version":
          return versionKey(r.version);
        case "nodes":
          return r.node_count;
        case "cpu":
          return r.cpu_usage;
        case "memory":
          return r.memory_usage;
        case "last_sync":
          return r.last_sync_time ? Date.parse(r.last_sync_time) : null;
        case "provider":
          return r.provider;
        case "region":
          return r.region || null;
        default:
          return r.name;
      }
    };
    const dir = sortDir === "desc" ? -1 : 1;
    const keyed = filtered.map((r) => ({ r, v: val(r) }));
    keyed.sort((a, b) => {
      const nullA = a.v === null || a.v === undefined;
      const nullB = b.v === null || b.v === undefined;
      const byName = a.r.name < b.r.name ? -1 : a.r.name > b.r.name ? 1 : 0;
      if (nullA || nullB) return cmp(a.v, b.v) || byName;
      return dir * cmp(a.v, b.v) || byName;
    });
    return keyed.map((k) => k.r);
  }, [clusters, q, status, provider, sortKey, sortDir]);

  // ---- virtualization
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  // ---- header cells (widths in px, sized at 1280×800 so no header, status or number is cut; Name and Tags take the rest)
  const sortButton = (key: SortKey, label: string) => {
    const active = sortKey === key;
    return (
      <UnstyledButton
        onClick={() => setParam({ sort: key === "name" && active && sortDir === "desc" ? null : key, dir: active && sortDir === "asc" ? "desc" : null })}
        aria-label={t("sortBy", { col: label })}
        data-testid={`sort-${key}`}
        style={{ display: "block" }}
      >
        <Group gap={2} wrap="nowrap" align="center">
          <Text fw={600} size="sm" lh={1.2}>
            {label}
          </Text>
          {active ? (
            sortDir === "asc" ? <IconArrowUp size={14} aria-hidden style={{ flexShrink: 0 }} /> : <IconArrowDown size={14} aria-hidden style={{ flexShrink: 0 }} />
          ) : (
            <IconArrowsSort size={14} aria-hidden opacity={0.4} style={{ flexShrink: 0 }} />
          )}
        </Group>
      </UnstyledButton>
    );
  };
  const ariaSort = (...keys: SortKey[]) => (keys.includes(sortKey) ? (sortDir === "asc" ? "ascending" : "descending") : "none");
  const sortHeader = (key: SortKey, label: string, width?: number) => (
    <Table.Th key={key} style={width ? { width } : undefined} aria-sort={ariaSort(key)}>
      {sortButton(key, label)}
    </Table.Th>
  );

  const anyAction = canTest || canSync || canEdit || canDelete;
  const can = useMemo(() => ({ test: canTest, sync: canSync, edit: canEdit, delete: canDelete, any: anyAction }), [canTest, canSync, canEdit, canDelete, anyAction]);
  const { test: aTest, sync: aSync, edit: aEdit, remove: aRemove } = actions;
  const rowActions = useMemo(() => ({ test: aTest, sync: aSync, edit: aEdit, remove: aRemove }), [aTest, aSync, aEdit, aRemove]);

  let body;
  if (error && !clusters) {
    body = <ApiErrorAlert error={error} title={t("loadError")} onRetry={reload} />;
  } else if (!clusters) {
    body = <LoadingRows rows={8} height={40} />;
  } else if (clusters.length === 0) {
    body = (
      <EmptyState
        title={t("noClusters")}
        description={t("noClustersText")}
        action={
          canAdd && (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setAdding(true)}>
              {t("addCluster")}
            </Button>
          )
        }
      />
    );
  } else {
    body = (
      <>
        {error != null && <ApiErrorAlert error={error} title={t("loadError")} onRetry={reload} mb="sm" />}
        <Paper withBorder>
          <div
            ref={scrollRef}
            style={{ height: "calc(100vh - 252px)", minHeight: 300, overflow: "auto" }}
            data-testid="cluster-table-scroll"
            tabIndex={-1}
          >
            <Table
              stickyHeader
              highlightOnHover
              verticalSpacing={4}
              horizontalSpacing={6}
              style={{ tableLayout: "fixed", minWidth: 1000 }}
              data-testid="cluster-table"
              aria-rowcount={rows.length + 1}
            >
              <Table.Thead>
                <Table.Tr>
                  {sortHeader("name", t("colName"))}
                  {sortHeader("status", t("colStatus"), 122)}
                  {sortHeader("health", t("colHealth"), 150)}
                  {sortHeader("version", t("colVersion"), 80)}
                  {sortHeader("nodes", t("colNodes"), 70)}
                  {sortHeader("cpu", t("colCpu"), 64)}
                  {sortHeader("memory", t("colMemory"), 84)}
                  {sortHeader("last_sync", t("colLastSync"), 80)}
                  {/* provider over region, one column: two sort buttons */}
                  <Table.Th style={{ width: 108 }} aria-sort={ariaSort("provider", "region")}>
                    {sortButton("provider", t("colProvider"))}
                    {sortButton("region", t("colRegion"))}
                  </Table.Th>
                  <Table.Th style={{ width: 104 }}>{t("colTags")}</Table.Th>
                  {anyAction && (
                    <Table.Th style={{ width: 40 }}>
                      <Text size="sm" fw={600} className="sr-only" style={{ position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)" }}>
                        {t("colActions")}
                      </Text>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={anyAction ? 11 : 10}>
                      <EmptyState
                        title={t("noMatch")}
                        description={t("noMatchText")}
                        action={
                          <Button
                            variant="light"
                            onClick={() => {
                              setSearch("");
                              setParam({ q: null, status: null, provider: null });
                            }}
                          >
                            {t("clearFilters")}
                          </Button>
                        }
                      />
                    </Table.Td>
                  </Table.Tr>
                )}
                {padTop > 0 && (
                  <tr aria-hidden style={{ height: padTop }}>
                    <td colSpan={anyAction ? 11 : 10} style={{ padding: 0, border: 0 }} />
                  </tr>
                )}
                {items.map((vi) => {
                  const r = rows[vi.index];
                  return (
                    <ClusterRow
                      key={r.name}
                      row={r}
                      index={vi.index}
                      lang={lang}
                      fmt={fmt}
                      can={can}
                      syncing={!!actions.syncing[r.name]}
                      actions={rowActions}
                    />
                  );
                })}
                {padBottom > 0 && (
                  <tr aria-hidden style={{ height: padBottom }}>
                    <td colSpan={anyAction ? 11 : 10} style={{ padding: 0, border: 0 }} />
                  </tr>
                )}
              </Table.Tbody>
            </Table>
          </div>
        </Paper>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={t("title")}
        description={t("description")}
        actions={
          <>
            <Tooltip label={tc("refresh")}>
              <ActionIcon variant="default" size="lg" onClick={reload} aria-label={tc("refresh")} loading={loading && !!clusters} data-testid="refresh">
                <IconRefresh size={18} aria-hidden />
              </ActionIcon>
            </Tooltip>
            {canAdd && (
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setAdding(true)} data-testid="add-cluster">
                {t("addCluster")}
              </Button>
            )}
          </>
        }
      />
      {clusters && clusters.length > 0 && (
        <Group gap="sm" mb="sm" align="flex-end" wrap="nowrap">
          <TextInput
            label={t("searchLabel")}
            placeholder={t("searchPlaceholder")}
            leftSection={<IconSearch size={16} aria-hidden />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            rightSection={
              search ? (
                <ActionIcon variant="subtle" color="gray" size="sm" onClick={() => setSearch("")} aria-label={tc("close")}>
                  <IconX size={14} aria-hidden />
                </ActionIcon>
              ) : null
            }
            w={280}
            data-testid="cluster-search"
          />
          <Select
            label={t("statusFilter")}
            placeholder={t("anyStatus")}
            data={STATUSES.map((s) => ({ value: s, label: statusLabel(t, s) }))}
            value={status}
            onChange={(v) => setParam({ status: v })}
            clearable
            w={170}
            data-testid="filter-status"
          />
          <Select
            label={t("providerFilter")}
            placeholder={t("anyProvider")}
            data={providerOptions()}
            value={provider}
            onChange={(v) => setParam({ provider: v })}
            clearable
            w={170}
            data-testid="filter-provider"
          />
          <Text size="sm" c="dimmed" ml="auto" pb={8} data-testid="clusters-count" aria-live="polite">
            {t("shown", { shown: rows.length, total: clusters.length })}
          </Text>
        </Group>
      )}
      {body}
      {canAdd && <AddClusterModal opened={adding} onClose={() => setAdding(false)} onAdded={() => reload()} />}
      {actions.modals}
    </>
  );
}

type RowFlags = { test: boolean; sync: boolean; edit: boolean; delete: boolean; any: boolean };
type RowActions = {
  test: (name: string) => void;
  sync: (name: string) => Promise<void>;
  edit: (c: Row) => void;
  remove: (name: string) => void;
};

const ClusterRow = memo(function ClusterRow({
  row: r,
  index,
  lang,
  fmt,
  can,
  syncing,
  actions,
}: {
  row: Row;
  index: number;
  lang: string;
  fmt: (iso: string | null | undefined) => string;
  can: RowFlags;
  syncing: boolean;
  actions: RowActions;
}) {
  const t = useT(dict);
  return (
    <Table.Tr style={{ height: ROW_HEIGHT }} data-testid="cluster-row" data-name={r.name} aria-rowindex={index + 2}>
      <Table.Td>
        <Anchor component={Link} to={`/clusters/${encodeURIComponent(r.name)}`} size="sm" fw={600} data-testid="cluster-link" style={{ display: "block" }} truncate="end" title={r.name}>
          {r.name}
        </Anchor>
        {r.display_name && r.display_name !== r.name && (
          <Text size="xs" c="dimmed" truncate="end" title={r.display_name}>
            {r.display_name}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadge status={r.status} />
      </Table.Td>
      <Table.Td>
        <HealthCell row={r} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" truncate="end" data-testid="cluster-version">
          {r.version || "—"}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" data-testid="cluster-nodes">
          {r.node_count ?? "—"}
        </Text>
      </Table.Td>
      <Table.Td>
        <UsageBar value={r.cpu_usage} label={t("colCpu")} />
      </Table.Td>
      <Table.Td>
        <UsageBar value={r.memory_usage} label={t("colMemory")} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" truncate="end" title={fmt(r.last_sync_time)} data-testid="cluster-last-sync">
          {ago(r.last_sync_time, lang)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" truncate="end" title={PROVIDER_LABEL[r.provider] ?? r.provider} data-testid="cluster-provider">
          {PROVIDER_SHORT[r.provider] ?? r.provider}
        </Text>
        <Text size="xs" c="dimmed" truncate="end" title={r.region || undefined} data-testid="cluster-region">
          {r.region || "—"}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap" style={{ overflow: "hidden" }} title={r.tags.join(", ")}>
          {/* two short tags fit the column; with more, one and "+n" (all of them in the title) */}
          {r.tags.slice(0, r.tags.length > 2 ? 1 : 2).map((tag) => (
            <Badge key={tag} size="xs" variant="outline" color="gray" tt="none" style={{ flexShrink: 1, minWidth: 0 }}>
              {tag}
            </Badge>
          ))}
          {r.tags.length > 2 && (
            <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
              +{r.tags.length - 1}
            </Text>
          )}
        </Group>
      </Table.Td>
      {can.any && (
        <Table.Td>
          <RowMenu row={r} can={can} syncing={syncing} actions={actions} />
        </Table.Td>
      )}
    </Table.Tr>
  );
});

/** The row's actions menu, mounted on first use only (a closed Mantine Menu per row costs on every scroll). */
function RowMenu({ row, can, syncing, actions }: { row: Row; can: RowFlags; syncing: boolean; actions: RowActions }) {
  const t = useT(dict);
  const [mounted, setMounted] = useState(false);
  const [opened, setOpened] = useState(false);
  const trigger = (
    <ActionIcon
      variant="subtle"
      color="gray"
      aria-label={t("actionsFor", { name: row.name })}
      aria-haspopup="menu"
      data-testid="cluster-actions"
      onClick={mounted ? undefined : () => {
        setMounted(true);
        setOpened(true);
      }}
    >
      <IconDots size={18} aria-hidden />
    </ActionIcon>
  );
  if (!mounted) return trigger;
  return (
    <Menu position="bottom-end" withinPortal opened={opened} onChange={setOpened}>
      <Menu.Target>{trigger}</Menu.Target>
      <Menu.Dropdown>
        {can.test && (
          <Menu.Item leftSection={<IconPlugConnected size={16} aria-hidden />} onClick={() => actions.test(row.name)} data-testid="action-test">
            {t("test")}
          </Menu.Item>
        )}
        {can.sync && (
          <Menu.Item leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => void actions.sync(row.name)} disabled={syncing} data-testid="action-sync">
            {t("sync")}
          </Menu.Item>
        )}
        {can.edit && (
          <Menu.Item leftSection={<IconEdit size={16} aria-hidden />} onClick={() => actions.edit(row)} data-testid="action-edit">
            {t("edit")}
          </Menu.Item>
        )}
        {can.delete && (
          <>
            <Menu.Divider />
            <Menu.Item color="red" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => actions.remove(row.name)} data-testid="action-delete">
              {t("delete")}
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
