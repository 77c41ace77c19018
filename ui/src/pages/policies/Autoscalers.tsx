// /ui/policies/autoscalers: HorizontalPodAutoscalers (GET /api/k8s/autoscaling/hpa) with current and
// desired replicas, metrics and conditions; create (POST …/hpa/create) and update (PUT …/hpa/{id}).
import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { IconEdit, IconPlus, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { api, call, callJson, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useT } from "../../i18n";
import { hpa as dict, shared } from "./i18n";
import { Pager } from "../../components/Pager";
import { ClusterSelect, defaultCluster, useClusters } from "../../components/ClusterSelect";
import { useParam, useNotify } from "./shared";

type HpaView = Schemas["HpaView"];
type MetricSpec = Schemas["MetricSpec"];
const PAGE = 50;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === "object" ? (v as Raw) : {});

/** "cpu 50% utilization", "memory 500Mi average", "requests_per_second 10 (Pods)" for a metric spec. */
function metricText(m: Raw): string {
  const type = String(m.type ?? "");
  const src = obj(m.resource ?? m.container_resource ?? m.pods ?? m.object ?? m.external);
  const name = String(src.name ?? obj(src.metric).name ?? "");
  const tg = obj(src.target);
  const v =
    tg.average_utilization != null
      ? `${tg.average_utilization}%`
      : tg.average_value != null
        ? `${tg.average_value} avg`
        : tg.value != null
          ? String(tg.value)
          : "";
  const container = src.container ? ` [${src.container}]` : "";
  return `${name}${container} ${v}${type && type !== "Resource" ? ` (${type})` : ""}`.trim();
}

function currentText(c: Schemas["CurrentMetric"]): string {
  const cur = c.current ?? {};
  const v =
    cur.average_utilization != null
      ? `${cur.average_utilization}%`
      : cur.average_value != null
        ? `${cur.average_value}`
        : cur.value != null
          ? String(cur.value)
          : "?";
  return `${c.name ?? c.type} ${v}`;
}

export default function AutoscalersPage() {
  const t = useT(dict);
  const ts = useT(shared);
  const notify = useNotify();
  const clusters = useClusters();
  const [cluster, setCluster] = useParam("cluster");
  const [namespace, setNamespace] = useParam("namespace");
  const [nsDraft, setNsDraft] = useState(namespace);
  const [nsError, setNsError] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const canCreate = useCan("resources", "create");
  const canUpdate = useCan("resources", "update");
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<HpaView | null>(null);

  const hpas = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/autoscaling/hpa", {
          params: { query: { limit: PAGE, offset: (page - 1) * PAGE, cluster_id: cluster || null, namespace: namespace || null } },
          signal,
        }),
      ),
    [cluster, namespace, page],
    { intervalMs: 30_000 },
  );

  return (
    <Stack gap="md">
      <Paper withBorder p="sm">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const v = nsDraft.trim();
            if (v && !DNS_LABEL.test(v)) {
              setNsError(t("badNamespace"));
              return;
            }
            setNsError(null);
            setPage(1);
            setNamespace(v);
          }}
        >
          <Group align="flex-end" gap="sm" wrap="wrap">
            <ClusterSelect
              value={cluster}
              onChange={(v) => {
                setPage(1);
                setCluster(v);
              }}
              clusters={clusters.data?.clusters}
              allowAll
            />
            <TextInput
              label={ts("namespace")}
              placeholder={ts("allNamespacesShort")}
              value={nsDraft}
              onChange={(e) => setNsDraft(e.currentTarget.value)}
              error={nsError}
              w={220}
            />
            <Button type="submit" variant="default">
              {t("filter")}
            </Button>
            <Tooltip label={ts("refresh")}>
              <ActionIcon variant="default" size="lg" aria-label={ts("refresh")} onClick={hpas.reload}>
                <IconRefresh size={16} aria-hidden />
              </ActionIcon>
            </Tooltip>
            {canCreate && (
              <Button ml="auto" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)} data-testid="hpa-create">
                {t("createHpa")}
              </Button>
            )}
          </Group>
        </form>
        <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} title={ts("clustersError")} mt="sm" />
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="hpa-title">
        <Title order={2} size="h4" id="hpa-title" mb="sm">
          {t("title")}
          {hpas.data ? ` (${hpas.data.total})` : ""}
        </Title>
        <ApiErrorAlert error={hpas.error} onRetry={hpas.reload} title={t("loadError")} mb="sm" />
        {hpas.loading && !hpas.data ? (
          <LoadingRows rows={4} />
        ) : hpas.data && hpas.data.hpas.length === 0 ? (
          <EmptyState title={t("empty")} description={t("emptyHint")} />
        ) : hpas.data ? (
          <>
            <HpaTable hpas={hpas.data.hpas} onEdit={canUpdate ? setEditing : undefined} />
            {hpas.data.total > PAGE && (
              <Group justify="flex-end" mt="sm">
                <Pager total={Math.ceil(hpas.data.total / PAGE)} value={page} onChange={setPage} />
              </Group>
            )}
          </>
        ) : null}
      </Paper>

      {canCreate && (
        <HpaModal
          key={creating ? "create-open" : "create-closed"}
          opened={creating}
          onClose={() => setCreating(false)}
          clusters={clusters.data?.clusters}
          initialCluster={cluster || defaultCluster(clusters.data?.clusters)}
          initialNamespace={namespace || "default"}
          onSaved={(h) => {
            setCreating(false);
            notify(ts("created", { name: h.name }));
            hpas.reload();
          }}
        />
      )}
      {canUpdate && editing && (
        <HpaModal
          key={editing.id}
          opened
          hpa={editing}
          onClose={() => setEditing(null)}
          clusters={clusters.data?.clusters}
          initialCluster={editing.cluster_name}
          initialNamespace={editing.namespace}
          onSaved={(h) => {
            setEditing(null);
            notify(ts("updated", { name: h.name }));
            hpas.reload();
          }}
        />
      )}
    </Stack>
  );
}

function condition(h: HpaView, type: string) {
  return h.conditions.find((c) => c.type === type);
}

function StatusBadge({ h, type, value, invert }: { h: HpaView; type: string; value: boolean | null; invert?: boolean }) {
  const c = condition(h, type);
  const good = value === null ? null : invert ? !value : value;
  const color = good === null ? "gray" : good ? "teal" : invert ? "yellow" : "red";
  const label = `${type}: ${value === null ? "?" : value ? "True" : "False"}`;
  const badge = (
    <Badge color={color} variant="light" tt="none" size="sm" tabIndex={c ? 0 : undefined}>
      {label}
    </Badge>
  );
  if (!c) return badge;
  return (
    <Tooltip label={`${c.reason ?? ""}${c.message ? `: ${c.message}` : ""}`} multiline maw={380}>
      {badge}
    </Tooltip>
  );
}

function HpaTable({ hpas, onEdit }: { hpas: HpaView[]; onEdit?: (h: HpaView) => void }) {
  const t = useT(dict);
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped withTableBorder highlightOnHover aria-labelledby="hpa-title" data-testid="hpa-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("name")}</Table.Th>
            <Table.Th>{t("target")}</Table.Th>
            <Table.Th>{t("replicas")}</Table.Th>
            <Table.Th>{t("metrics")}</Table.Th>
            <Table.Th>{t("current")}</Table.Th>
            <Table.Th>{t("status")}</Table.Th>
            {onEdit && (
              <Table.Th>
                <VisuallyHidden>{t("actions")}</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {hpas.map((h) => {
            const target = obj(h.target);
            return (
              <Table.Tr key={h.id} data-testid="hpa-row">
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {h.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {h.namespace} · {h.cluster_name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {String(target.kind ?? "")}/{String(target.name ?? "")}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{t("replicasNow", { current: h.current_replicas ?? "—", desired: h.desired_replicas ?? "—" })}</Text>
                  <Text size="xs" c="dimmed">
                    {t("minMax", { min: h.min_replicas ?? 1, max: h.max_replicas })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {h.metrics.length === 0 ? (
                    <Text size="xs" c="dimmed">
                      {t("defaultMetric")}
                    </Text>
                  ) : (
                    h.metrics.map((m, i) => (
                      <Text size="xs" ff="monospace" key={i}>
                        {metricText(m)}
                      </Text>
                    ))
                  )}
                </Table.Td>
                <Table.Td>
                  {h.current_metrics.length === 0 ? (
                    <Text size="xs" c="dimmed">
                      —
                    </Text>
                  ) : (
                    h.current_metrics.map((c, i) => (
                      <Text size="xs" ff="monospace" key={i}>
                        {currentText(c)}
                      </Text>
                    ))
                  )}
                </Table.Td>
                <Table.Td>
                  <Stack gap={4} align="flex-start">
                    <StatusBadge h={h} type="AbleToScale" value={h.able_to_scale} />
                    <StatusBadge h={h} type="ScalingActive" value={h.scaling_active} />
                    <StatusBadge h={h} type="ScalingLimited" value={h.scaling_limited} invert />
                  </Stack>
                </Table.Td>
                {onEdit && (
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      leftSection={<IconEdit size={14} aria-hidden />}
                      onClick={() => onEdit(h)}
                      aria-label={t("editHpa", { name: h.name })}
                      data-testid="hpa-edit"
                    >
                      {t("edit")}
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

type MetricDraft = { name: string; kind: "Utilization" | "AverageValue"; value: string };

function draftsOf(h: HpaView | undefined): [MetricDraft[], boolean] {
  if (!h) return [[{ name: "cpu", kind: "Utilization", value: "70" }], true];
  const drafts: MetricDraft[] = [];
  for (const m of h.metrics) {
    if (m.type !== "Resource") return [[], false];
    const src = obj(m.resource);
    const tg = obj(src.target);
    if (tg.type === "Utilization") drafts.push({ name: String(src.name), kind: "Utilization", value: String(tg.average_utilization ?? "") });
    else if (tg.type === "AverageValue") drafts.push({ name: String(src.name), kind: "AverageValue", value: String(tg.average_value ?? "") });
    else return [[], false];
  }
  return [drafts, true];
}

function HpaModal({
  opened,
  onClose,
  onSaved,
  clusters,
  initialCluster,
  initialNamespace,
  hpa,
}: {
  opened: boolean;
  onClose: () => void;
  onSaved: (h: HpaView) => void;
  clusters: Schemas["ClusterSummary"][] | undefined;
  initialCluster: string;
  initialNamespace: string;
  hpa?: HpaView;
}) {
  const t = useT(dict);
  const ts = useT(shared);
  const target = obj(hpa?.target);
  const [initialDrafts, editable] = draftsOf(hpa);
  const [cluster, setCluster] = useState(initialCluster);
  const [namespace, setNamespace] = useState(initialNamespace);
  const [name, setName] = useState(hpa?.name ?? "");
  const [kind, setKind] = useState(String(target.kind ?? "Deployment"));
  const [targetName, setTargetName] = useState(String(target.name ?? ""));
  const [minR, setMinR] = useState<number | string>(hpa?.min_replicas ?? 1);
  const [maxR, setMaxR] = useState<number | string>(hpa?.max_replicas ?? 5);
  const [metrics, setMetrics] = useState<MetricDraft[]>(initialDrafts);
  const [metricsTouched, setMetricsTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const setMetric = (i: number, p: Partial<MetricDraft>) => {
    setMetricsTouched(true);
    setMetrics((ms) => ms.map((m, j) => (j === i ? { ...m, ...p } : m)));
  };

  const specs = (): MetricSpec[] =>
    metrics.map((m) => ({
      type: "Resource",
      resource: {
        name: m.name,
        target:
          m.kind === "Utilization"
            ? { type: "Utilization", average_utilization: Number(m.value), average_value: null, value: null }
            : { type: "AverageValue", average_value: m.value.trim(), average_utilization: null, value: null },
      },
      container_resource: null,
      pods: null,
      object: null,
      external: null,
    }));

  const submit = async () => {
    setError(null);
    setBusy(true);
    try {
      let saved: HpaView;
      if (hpa) {
        const body: Partial<Schemas["UpdateHpa"]> = {
          cluster_id: cluster,
          namespace,
          min_replicas: Number(minR),
          max_replicas: Number(maxR),
        };
        if (editable && metricsTouched) body.metrics = specs();
        if (kind !== target.kind || targetName !== target.name) {
          body.target = { kind, name: targetName.trim(), api_version: String(target.api_version ?? "apps/v1") };
        }
        saved = await callJson<HpaView>(`/api/k8s/autoscaling/hpa/${encodeURIComponent(hpa.id)}`, { method: "PUT", json: body });
      } else {
        const body: Partial<Schemas["CreateHpa"]> = {
          cluster_id: cluster || null,
          namespace: namespace.trim(),
          name: name.trim(),
          target: { kind, name: targetName.trim(), api_version: "apps/v1" },
          min_replicas: Number(minR),
          max_replicas: Number(maxR),
          metrics: specs(),
        };
        saved = await callJson<HpaView>("/api/k8s/autoscaling/hpa/create", { method: "POST", json: body });
      }
      onSaved(saved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={hpa ? t("editTitle", { name: hpa.name }) : t("createHpa")} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <ClusterSelect value={cluster} onChange={setCluster} clusters={clusters} required w="auto" disabled={!!hpa} />
            <TextInput label={ts("namespace")} required value={namespace} onChange={(e) => setNamespace(e.currentTarget.value)} disabled={!!hpa} />
            <TextInput label={t("name")} required value={name} onChange={(e) => setName(e.currentTarget.value)} disabled={!!hpa} data-autofocus />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Select
              label={t("targetKind")}
              data={["Deployment", "StatefulSet", "ReplicaSet"]}
              value={kind}
              onChange={(v) => v && setKind(v)}
              allowDeselect={false}
            />
            <TextInput label={t("targetName")} required value={targetName} onChange={(e) => setTargetName(e.currentTarget.value)} />
            <NumberInput label={t("minReplicas")} min={0} value={minR} onChange={setMinR} required />
            <NumberInput label={t("maxReplicas")} min={1} value={maxR} onChange={setMaxR} required />
          </SimpleGrid>
          <Title order={3} size="h5">
            {t("metrics")}
          </Title>
          {!editable ? (
            <Text size="sm" c="dimmed">
              {t("metricsKept")}
            </Text>
          ) : (
            <>
              {metrics.map((m, i) => (
                <Paper key={i} withBorder p="sm" role="group" aria-label={t("metricN", { n: i + 1 })}>
                  <Group align="flex-end" gap="sm" wrap="wrap">
                    <Select
                      label={t("resource")}
                      data={["cpu", "memory"]}
                      value={m.name}
                      onChange={(v) => v && setMetric(i, { name: v })}
                      allowDeselect={false}
                      w={120}
                    />
                    <Select
                      label={t("targetType")}
                      data={[
                        { value: "Utilization", label: t("utilization") },
                        { value: "AverageValue", label: t("averageValue") },
                      ]}
                      value={m.kind}
                      onChange={(v) => v && setMetric(i, { kind: v as MetricDraft["kind"], value: v === "Utilization" ? "70" : m.name === "cpu" ? "500m" : "512Mi" })}
                      allowDeselect={false}
                      w={190}
                    />
                    <TextInput
                      label={m.kind === "Utilization" ? t("percent") : t("quantity")}
                      value={m.value}
                      onChange={(e) => setMetric(i, { value: e.currentTarget.value })}
                      required
                      w={130}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      size="lg"
                      aria-label={t("removeMetricN", { n: i + 1 })}
                      onClick={() => {
                        setMetricsTouched(true);
                        setMetrics((ms) => ms.filter((_, j) => j !== i));
                      }}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Group>
                </Paper>
              ))}
              <Group>
                <Button
                  variant="default"
                  size="xs"
                  leftSection={<IconPlus size={14} aria-hidden />}
                  onClick={() => {
                    setMetricsTouched(true);
                    setMetrics((ms) => [...ms, { name: "memory", kind: "Utilization", value: "80" }]);
                  }}
                  disabled={metrics.length >= 16}
                >
                  {t("addMetric")}
                </Button>
              </Group>
            </>
          )}
          <ApiErrorAlert error={error} title={hpa ? t("updateError") : t("createError")} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} disabled={busy}>
              {t("cancel")}
            </Button>
            <Button type="submit" loading={busy} disabled={!name.trim() || !targetName.trim() || !cluster} data-testid="hpa-submit">
              {hpa ? t("save") : t("create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
