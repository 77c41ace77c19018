// /ui/cost: cost report by cluster and namespace (or pod, node, controller, label) with a chart and a table,
// the clusters side by side, and optimization suggestions with their evidence (or why they are withheld).
//   /ui/cost?cluster=1&range=7d&group_by=namespace&namespace=demo     (every choice is in the URL)
import { Autocomplete, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useMemo, useState } from "react";
import { Navigate, Route, Routes, useSearchParams } from "react-router";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { ClustersCompare } from "./ClustersCompare";
import { dict } from "./i18n";
import { OptimizationSection } from "./Optimization";
import { Report, type TimeRange } from "./Report";
import { useClusters } from "../../components/ClusterSelect";

const RANGES: TimeRange[] = ["1h", "24h", "7d", "30d"];
const GROUPS = ["namespace", "pod", "node", "controller", "label"] as const;
type GroupKind = (typeof GROUPS)[number];
const LABEL_KEY = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function CostPage() {
  const t = useT(dict);
  const [params, setParams] = useSearchParams();
  const clusters = useClusters();
  const list = useMemo(
    () => (clusters.data?.clusters ?? []).map((c) => ({ id: String(c.id ?? c.name), name: c.name })),
    [clusters.data],
  );

  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  const clusterParam = params.get("cluster");
  const clusterId = clusterParam && list.some((c) => c.id === clusterParam) ? clusterParam : list[0]?.id ?? "";
  const range = (RANGES as string[]).includes(params.get("range") ?? "") ? (params.get("range") as TimeRange) : "24h";
  const groupParam = params.get("group_by") ?? "namespace";
  const groupKind: GroupKind = groupParam.startsWith("label:")
    ? "label"
    : (GROUPS as readonly string[]).includes(groupParam)
      ? (groupParam as GroupKind)
      : "namespace";
  const [labelKey, setLabelKey] = useState(groupParam.startsWith("label:") ? groupParam.slice(6) : "");
  const [labelKeyQ] = useDebouncedValue(labelKey.trim(), 400);
  const [namespace, setNamespace] = useState(params.get("namespace") ?? "");
  const [namespaceQ] = useDebouncedValue(namespace.trim(), 400);

  // keep the URL in step with the debounced free-text fields
  useEffect(() => {
    if ((params.get("namespace") ?? "") !== namespaceQ) set("namespace", namespaceQ || null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [namespaceQ]);
  useEffect(() => {
    if (groupKind === "label" && labelKeyQ && params.get("group_by") !== `label:${labelKeyQ}`) set("group_by", `label:${labelKeyQ}`);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labelKeyQ]);

  const labelOk = LABEL_KEY.test(labelKeyQ);
  const groupBy = groupKind === "label" ? (labelOk ? `label:${labelKeyQ}` : "") : groupKind;
  const nsOk = !namespaceQ || /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespaceQ);
  const groupLabels: Record<GroupKind, string> = {
    namespace: t("groupNamespace"),
    pod: t("groupPod"),
    node: t("groupNode"),
    controller: t("groupController"),
    label: t("groupLabel"),
  };
  const groupLabel = groupKind === "label" ? `${t("groupLabel")} ${labelKeyQ}` : groupLabels[groupKind];

  let content;
  if (clusters.error && !clusters.data) content = <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} />;
  else if (!clusters.data) content = <LoadingRows rows={8} />;
  else if (list.length === 0) content = <EmptyState title={t("noClusters")} description={t("noClustersHint")} />;
  else
    content = (
      <Stack gap="lg">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label={t("cluster")}
            data={list.map((c) => ({ value: c.id, label: c.name }))}
            value={clusterId}
            onChange={(v) => v && set("cluster", v)}
            allowDeselect={false}
            searchable
            w={200}
            data-testid="cost-cluster"
          />
          <div>
            <Text size="sm" fw={500} id="cost-range-label" mb={4}>
              {t("timeRange")}
            </Text>
            <SegmentedControl
              aria-labelledby="cost-range-label"
              value={range}
              onChange={(v) => set("range", v === "24h" ? null : v)}
              data={RANGES.map((r) => ({ value: r, label: t(`range${r}` as "range1h") }))}
              data-testid="cost-range"
            />
          </div>
          <Select
            label={t("groupBy")}
            data={GROUPS.map((g) => ({ value: g, label: groupLabels[g] }))}
            value={groupKind}
            onChange={(v) => {
              if (!v) return;
              set("group_by", v === "namespace" ? null : v === "label" ? (labelKey.trim() ? `label:${labelKey.trim()}` : "label:") : v);
            }}
            allowDeselect={false}
            w={170}
            data-testid="cost-group-by"
          />
          {groupKind === "label" && (
            <Autocomplete
              label={t("labelKey")}
              data={["app", "app.kubernetes.io/name", "team"]}
              value={labelKey}
              onChange={setLabelKey}
              w={220}
              error={labelKeyQ && !labelOk ? t("labelKeyHint") : undefined}
              placeholder="app"
            />
          )}
          <TextInput
            label={t("namespaceFilter")}
            value={namespace}
            onChange={(e) => setNamespace(e.currentTarget.value)}
            w={200}
            placeholder="demo"
            spellCheck={false}
            autoComplete="off"
            error={!nsOk ? "a-z, 0-9, -" : undefined}
          />
        </Group>
        {list.length > 1 && (
          <ClustersCompare clusters={list} timeRange={range} selected={clusterId} onSelect={(id) => set("cluster", id)} />
        )}
        <section aria-labelledby="cost-report-title">
          <Title order={2} size="h4" mb="sm" id="cost-report-title">
            {t("report")} · {list.find((c) => c.id === clusterId)?.name}
          </Title>
          {groupBy && nsOk ? (
            <Report clusterId={clusterId} timeRange={range} groupBy={groupBy} namespace={namespaceQ} groupLabel={groupLabel} />
          ) : (
            <Paper withBorder p="md">
              <Text size="sm" c="dimmed">
                {t("labelKeyHint")}
              </Text>
            </Paper>
          )}
        </section>
        <section aria-labelledby="cost-opt-title">
          <Title order={2} size="h4" mb="sm" id="cost-opt-title">
            {t("optimization")}
          </Title>
          {nsOk && <OptimizationSection clusterId={clusterId} namespace={namespaceQ} />}
        </section>
      </Stack>
    );

  return (
    <>
      <PageHeader title={t("title")} description={t("description")} />
      {content}
    </>
  );
}

export default function CostArea() {
  return (
    <Routes>
      <Route index element={<CostPage />} />
      <Route path="*" element={<Navigate to="/cost" replace />} />
    </Routes>
  );
}
