// /ui/policies/quotas: ResourceQuotas (GET /api/k8s/resourcequota/list) with a usage bar per resource
// (used / hard), their usage trends (GET /api/k8s/resourcequota/{id}/usage, on demand, a lazy chunk),
// create and delete; and the LimitRanges (GET /api/k8s/limitrange/list).
import {
  ActionIcon,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconChartLine, IconPlus, IconRefresh, IconTrash } from "@tabler/icons-react";
import { lazy, Suspense, useState } from "react";
import { api, call, callJson, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { ConfirmModal } from "../../components/ConfirmModal";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useT } from "../../i18n";
import { quotas as dict, shared } from "./i18n";
import { Pager } from "../../components/Pager";
import { ClusterSelect, defaultCluster, useClusters } from "../../components/ClusterSelect";
import { lines, pairsText, parsePairs, usageColor, useParam, useNotify } from "./shared";

const QuotaTrends = lazy(() => import("./QuotaTrends"));

type QuotaItem = Schemas["QuotaItem"];
type LimitRangeView = Schemas["LimitRangeView"];
const PAGE = 50;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export default function QuotasPage() {
  const t = useT(dict);
  const ts = useT(shared);
  const notify = useNotify();
  const clusters = useClusters();
  const [cluster, setCluster] = useParam("cluster");
  const [namespace, setNamespace] = useParam("namespace");
  const [nsDraft, setNsDraft] = useState(namespace);
  const [nsError, setNsError] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [lrPage, setLrPage] = useState(1);
  const canCreate = useCan("quotas", "create");
  const canDelete = useCan("quotas", "delete");
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<QuotaItem | null>(null);

  const quotas = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/resourcequota/list", {
          params: { query: { limit: PAGE, offset: (page - 1) * PAGE, cluster_id: cluster || null, namespace: namespace || null } },
          signal,
        }),
      ),
    [cluster, namespace, page],
  );
  const limitranges = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/limitrange/list", {
          params: { query: { limit: PAGE, offset: (lrPage - 1) * PAGE, cluster_id: cluster || null, namespace: namespace || null } },
          signal,
        }),
      ),
    [cluster, namespace, lrPage],
  );

  const applyNs = () => {
    const v = nsDraft.trim();
    if (v && !DNS_LABEL.test(v)) {
      setNsError(t("badNamespace"));
      return;
    }
    setNsError(null);
    setPage(1);
    setLrPage(1);
    setNamespace(v);
  };

  const reload = () => {
    quotas.reload();
    limitranges.reload();
  };

  return (
    <Stack gap="md">
      <Paper withBorder p="sm">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            applyNs();
          }}
        >
          <Group align="flex-end" gap="sm" wrap="wrap">
            <ClusterSelect
              value={cluster}
              onChange={(v) => {
                setPage(1);
                setLrPage(1);
                setCluster(v);
              }}
              clusters={clusters.data?.clusters}
              allowAll
              data-testid="quota-cluster"
            />
            <TextInput
              label={ts("namespace")}
              placeholder={ts("allNamespacesShort")}
              value={nsDraft}
              onChange={(e) => setNsDraft(e.currentTarget.value)}
              error={nsError}
              w={220}
              data-testid="quota-namespace"
            />
            <Button type="submit" variant="default">
              {t("filter")}
            </Button>
            <Tooltip label={ts("refresh")}>
              <ActionIcon variant="default" size="lg" aria-label={ts("refresh")} onClick={reload}>
                <IconRefresh size={16} aria-hidden />
              </ActionIcon>
            </Tooltip>
            {canCreate && (
              <Button ml="auto" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)} data-testid="quota-create">
                {t("createQuota")}
              </Button>
            )}
          </Group>
        </form>
        <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} title={ts("clustersError")} mt="sm" />
      </Paper>

      <section aria-labelledby="quotas-title">
        <Title order={2} size="h4" id="quotas-title" mb="sm">
          {t("quotasTitle")}
          {quotas.data ? ` (${quotas.data.total})` : ""}
        </Title>
        <ApiErrorAlert error={quotas.error} onRetry={quotas.reload} title={t("quotasError")} mb="sm" />
        {quotas.loading && !quotas.data ? (
          <LoadingRows rows={4} height={60} />
        ) : quotas.data && quotas.data.resourcequotas.length === 0 ? (
          <EmptyState title={t("noQuotas")} description={t("noQuotasHint")} />
        ) : quotas.data ? (
          <>
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              {quotas.data.resourcequotas.map((q) => (
                <QuotaCard key={q.id} quota={q} onDelete={canDelete ? () => setDeleting(q) : undefined} />
              ))}
            </SimpleGrid>
            {quotas.data.total > PAGE && (
              <Group justify="flex-end" mt="sm">
                <Pager total={Math.ceil(quotas.data.total / PAGE)} value={page} onChange={setPage} />
              </Group>
            )}
          </>
        ) : null}
      </section>

      <Paper withBorder p="md" component="section" aria-labelledby="limitranges-title">
        <Title order={2} size="h4" id="limitranges-title" mb="sm">
          {t("limitRangesTitle")}
          {limitranges.data ? ` (${limitranges.data.total})` : ""}
        </Title>
        <ApiErrorAlert error={limitranges.error} onRetry={limitranges.reload} title={t("limitRangesError")} mb="sm" />
        {limitranges.loading && !limitranges.data ? (
          <LoadingRows rows={3} />
        ) : limitranges.data && limitranges.data.limitranges.length === 0 ? (
          <EmptyState title={t("noLimitRanges")} />
        ) : limitranges.data ? (
          <>
            <LimitRangeTable items={limitranges.data.limitranges} />
            {limitranges.data.total > PAGE && (
              <Group justify="flex-end" mt="sm">
                <Pager total={Math.ceil(limitranges.data.total / PAGE)} value={lrPage} onChange={setLrPage} />
              </Group>
            )}
          </>
        ) : null}
      </Paper>

      {canCreate && (
        <CreateQuotaModal
          opened={creating}
          onClose={() => setCreating(false)}
          clusters={clusters.data?.clusters}
          initialCluster={cluster || defaultCluster(clusters.data?.clusters)}
          initialNamespace={namespace}
          onCreated={(q) => {
            setCreating(false);
            notify(ts("created", { name: q.name }));
            quotas.reload();
          }}
        />
      )}
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={t("deleteTitle", { name: deleting?.name ?? "" })}
        confirmLabel={t("delete")}
        danger
        onConfirm={async () => {
          if (!deleting) return;
          await call(api.DELETE("/api/k8s/resourcequota/{id}", { params: { path: { id: deleting.id } } }));
          notify(ts("deleted", { name: deleting.name }));
          quotas.reload();
        }}
      >
        {t("deleteText", { name: deleting?.name ?? "", namespace: deleting?.namespace ?? "", cluster: deleting?.cluster_name ?? "" })}
      </ConfirmModal>
    </Stack>
  );
}

function QuotaCard({ quota, onDelete }: { quota: QuotaItem; onDelete?: () => void }) {
  const t = useT(dict);
  const [trends, setTrends] = useState(false);
  const resources = Object.keys(quota.hard).sort();
  const titleId = `quota-${quota.id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return (
    <Card withBorder padding="md" component="article" aria-labelledby={titleId} data-testid="quota-card" data-quota={quota.name}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb="xs">
        <div style={{ minWidth: 0 }}>
          <Text fw={700} id={titleId} style={{ wordBreak: "break-all" }} lineClamp={2} title={quota.name}>
            {quota.name}
          </Text>
          <Text size="xs" c="dimmed">
            {quota.namespace} · {quota.cluster_name}
            {quota.scopes.length ? ` · ${quota.scopes.join(", ")}` : ""}
          </Text>
        </div>
        <Group gap={6} wrap="nowrap" style={{ flexShrink: 0 }}>
          <Badge color={quota.status === "exceeded" ? "red" : "teal"} variant="light">
            {t(quota.status === "exceeded" ? "exceeded" : "active")}
          </Badge>
          {onDelete && (
            <Tooltip label={t("delete")}>
              <ActionIcon variant="subtle" color="red" aria-label={t("deleteQuota", { name: quota.name })} onClick={onDelete}>
                <IconTrash size={16} aria-hidden />
              </ActionIcon>
            </Tooltip>
          )}
        </Group>
      </Group>
      {quota.description && (
        <Text size="sm" mb="xs" lineClamp={3} style={{ overflowWrap: "anywhere" }} title={quota.description}>
          {quota.description}
        </Text>
      )}
      <Stack gap={8}>
        {resources.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("noLimits")}
          </Text>
        )}
        {resources.map((r) => {
          const pct = quota.usage_percentage[r] ?? 0;
          const used = quota.used[r] ?? "0";
          const hard = quota.hard[r];
          const text = t("usedOf", { used, hard, pct: Math.round(pct * 10) / 10 });
          return (
            <div key={r} data-testid="quota-usage" data-resource={r}>
              <Group justify="space-between" gap="xs" wrap="nowrap">
                <Text size="sm" ff="monospace">
                  {r}
                </Text>
                <Text size="sm" data-testid="quota-usage-text">
                  {text}
                </Text>
              </Group>
              <Progress.Root size="md">
                <Progress.Section value={Math.min(100, pct)} color={usageColor(pct)} aria-label={`${r}: ${text}`} />
              </Progress.Root>
            </div>
          );
        })}
      </Stack>
      <Group mt="sm">
        <Button
          variant="default"
          size="xs"
          leftSection={<IconChartLine size={14} aria-hidden />}
          onClick={() => setTrends((x) => !x)}
          aria-expanded={trends}
          data-testid="quota-trends-toggle"
        >
          {trends ? t("hideTrends") : t("showTrends")}
        </Button>
      </Group>
      {trends && (
        <Suspense fallback={<LoadingRows rows={2} />}>
          <QuotaTrends quota={quota} />
        </Suspense>
      )}
    </Card>
  );
}

function limitText(item: Schemas["LimitItem"]): string {
  const parts: string[] = [];
  for (const k of ["min", "max", "default", "defaultRequest", "maxLimitRequestRatio"] as const) {
    const v = item[k];
    if (v && Object.keys(v).length) parts.push(`${k} ${pairsText(v)}`);
  }
  return parts.join(" · ");
}

function LimitRangeTable({ items }: { items: LimitRangeView[] }) {
  const t = useT(dict);
  return (
    <Table.ScrollContainer minWidth={800}>
      <Table striped withTableBorder aria-labelledby="limitranges-title" data-testid="limitranges">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("name")}</Table.Th>
            <Table.Th>{t("where")}</Table.Th>
            <Table.Th>{t("limits")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((lr) => {
            const limits = ((lr.spec as { limits?: Schemas["LimitItem"][] }).limits ?? []) as Schemas["LimitItem"][];
            return (
              <Table.Tr key={lr.id}>
                <Table.Td>
                  <Text size="sm" fw={600} style={{ wordBreak: "break-all" }}>
                    {lr.name}
                  </Text>
                  {lr.description && (
                    <Text size="xs" c="dimmed" lineClamp={2} style={{ wordBreak: "break-all" }}>
                      {lr.description}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{lr.namespace}</Text>
                  <Text size="xs" c="dimmed">
                    {lr.cluster_name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {limits.map((l, i) => (
                    <Text size="xs" key={i}>
                      <Badge size="xs" variant="light" mr={6} tt="none">
                        {l.type}
                      </Badge>
                      <Text span size="xs" ff="monospace">
                        {limitText(l)}
                      </Text>
                    </Text>
                  ))}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

const SCOPES = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort"];

function CreateQuotaModal({
  opened,
  onClose,
  onCreated,
  clusters,
  initialCluster,
  initialNamespace,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (q: Schemas["QuotaDetail"]) => void;
  clusters: Schemas["ClusterSummary"][] | undefined;
  initialCluster: string;
  initialNamespace: string;
}) {
  const t = useT(dict);
  const ts = useT(shared);
  const [cluster, setCluster] = useState(initialCluster);
  const [namespace, setNamespace] = useState(initialNamespace || "default");
  const [name, setName] = useState("");
  const [hard, setHard] = useState("requests.cpu=2\nrequests.memory=4Gi\npods=20");
  const [scopes, setScopes] = useState<string[]>([]);
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<string | null>(null);

  const submit = async () => {
    setError(null);
    setLocal(null);
    const [h, bad] = parsePairs(lines(hard));
    if (bad.length) {
      setLocal(ts("badPairs", { items: bad.join(", ") }));
      return;
    }
    const body: Partial<Schemas["CreateQuota"]> = {
      cluster_id: cluster || null,
      namespace: namespace.trim(),
      name: name.trim(),
      spec: { hard: h, scopes: scopes.length ? scopes : null, scopeSelector: null },
    };
    if (description.trim()) body.description = description.trim();
    setBusy(true);
    try {
      onCreated(await callJson<Schemas["QuotaDetail"]>("/api/k8s/resourcequota/create", { method: "POST", json: body }));
      setName("");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={t("createQuota")} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <ClusterSelect value={cluster} onChange={setCluster} clusters={clusters} required w="auto" />
            <TextInput label={ts("namespace")} required value={namespace} onChange={(e) => setNamespace(e.currentTarget.value)} />
            <TextInput label={t("name")} required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          </SimpleGrid>
          <Textarea
            label={t("hard")}
            description={t("hardHint")}
            autosize
            minRows={3}
            value={hard}
            onChange={(e) => setHard(e.currentTarget.value)}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
            required
          />
          <MultiSelect label={t("scopes")} data={SCOPES} value={scopes} onChange={setScopes} clearable />
          <TextInput label={t("description")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          {local && (
            <Text c="red.8" size="sm" role="alert">
              {local}
            </Text>
          )}
          <ApiErrorAlert error={error} title={t("createError")} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>
              {t("cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={!name.trim() || !cluster}>
              {t("create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
