// The cost report of one cluster: totals, coverage, a stacked chart per group and the table of every line.
import { Alert, Badge, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title, Tooltip } from "@mantine/core";
import { IconInfoCircle } from "@tabler/icons-react";
import { lazy, Suspense, useCallback, useMemo } from "react";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useT } from "../../i18n";
import type { ChartGroup } from "./CostChart";
import { PART_COLORS } from "./colors";
import { dict } from "./i18n";
import { useMoney, useNumber, type Line, type Pricing } from "./util";

const CostChart = lazy(() => import("./CostChart"));
const CHART_GROUPS = 12;

export type TimeRange = "1h" | "24h" | "7d" | "30d";

function Stat({ label, value, hint, testId }: { label: string; value: React.ReactNode; hint?: string; testId?: string }) {
  return (
    <Paper withBorder p="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={700} mt={2}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}

export function PricingNote({ pricing }: { pricing: Pricing }) {
  const t = useT(dict);
  const money = useMoney();
  const p = (v: number) => money(v, pricing.currency).replace(/(\.\d*?)0+(?=\D*$)/, "$1");
  return (
    <Text size="xs" c="dimmed" data-testid="pricing-source">
      {t("pricing")}:{" "}
      {pricing.source === "costpricing" && pricing.objects.length > 0
        ? t("pricingObjects", { objects: pricing.objects.join(", ") }) + " · "
        : ""}
      {pricing.source === "opencost-defaults" ? t("pricingDefaults") + " · " : ""}
      {t("pricingLine", {
        cpu: p(pricing.cpu_per_core_hour),
        mem: p(pricing.memory_per_gib_hour),
        sto: p(pricing.storage_per_gib_hour),
        gpu: p(pricing.gpu_per_hour),
      })}
    </Text>
  );
}

function GroupName({ line }: { line: Line }) {
  const t = useT(dict);
  const special: Record<string, [string, string]> = {
    __idle__: [t("kindIdle"), t("kindIdleHint")],
    __unattributed__: [t("kindUnattributed"), t("kindUnattributedHint")],
    __unallocated__: [t("kindUnallocated"), t("kindUnallocatedHint")],
  };
  const s = special[line.name];
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" ff={s ? "monospace" : undefined} fw={500}>
        {line.name}
      </Text>
      {s && (
        <Tooltip label={s[1]} multiline w={260}>
          <Badge size="xs" variant="light" color="gray" tabIndex={0} aria-label={`${s[0]}: ${s[1]}`}>
            {s[0]}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

export function Report({
  clusterId,
  timeRange,
  groupBy,
  namespace,
  groupLabel,
}: {
  clusterId: string;
  timeRange: TimeRange;
  groupBy: string;
  namespace: string;
  groupLabel: string;
}) {
  const t = useT(dict);
  const money = useMoney();
  const num = useNumber();
  const report = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/cost/report", {
          params: { query: { cluster_id: clusterId, time_range: timeRange, group_by: groupBy, namespace: namespace || null } },
          signal,
        }),
      ),
    [clusterId, timeRange, groupBy, namespace],
  );
  const r = report.data;
  const currency = r?.currency ?? "USD";
  const fmt = useCallback((v: number) => money(v, currency), [money, currency]);
  const partNames = useMemo<[string, string, string, string]>(
    () => [t("colCpu"), t("colMemory"), t("colStorage"), t("colGpu")],
    [t],
  );
  const lines = useMemo(() => [...(r?.breakdown ?? [])].sort((a, b) => b.cost - a.cost), [r]);
  const chartGroups = useMemo<ChartGroup[]>(
    () =>
      lines.slice(0, CHART_GROUPS).map((l) => ({
        label: l.name,
        parts: [l.resources.cpu, l.resources.memory, l.resources.storage, l.resources.gpu],
      })),
    [lines],
  );

  if (report.error && !r) return <ApiErrorAlert error={report.error} onRetry={report.reload} />;
  if (!r) return <LoadingRows rows={6} />;
  const cov = r.coverage;

  return (
    <Stack data-testid="cost-report">
      <ApiErrorAlert error={report.error} onRetry={report.reload} />
      <Text size="sm" c="dimmed">
        {t("period", { period: r.period })}
      </Text>
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Stat label={t("totalCost")} value={money(r.total_cost, currency)} testId="total-cost" />
        <Stat label={t("dailyAverage")} value={money(r.trend.daily_average, currency)} hint={t("dailyAverageHint")} />
        <Stat
          label={t("growthRate")}
          value={t("growthRateValue", { rate: num(r.trend.growth_rate, 2) })}
          hint={t("growthRateHint")}
        />
        <Stat
          label={t("coverage")}
          value={t("coverageValue", { covered: num(cov.covered_hours, 2), range: num(cov.range_hours, 0) })}
          hint={t("coverageHint")}
          testId="coverage"
        />
      </SimpleGrid>
      {cov.covered_hours === 0 ? (
        <Alert variant="light" color="yellow" icon={<IconInfoCircle aria-hidden />}>
          {t("noCoverage")}
        </Alert>
      ) : cov.ratio < 0.999 ? (
        <Text size="sm" c="dimmed">
          {t("partialCoverage", {
            ratio: num(cov.ratio * 100, 1),
            covered: num(cov.covered_hours, 2),
            range: num(cov.range_hours, 0),
          })}
        </Text>
      ) : null}

      {lines.length > 0 && (
        <Paper withBorder p="sm">
          <Title order={3} size="h5" mb="xs">
            {t("chartTitle", { group: groupLabel, count: chartGroups.length })}
          </Title>
          <Group gap="md" mb={4} aria-hidden>
            {partNames.map((n, i) => (
              <Group key={n} gap={4}>
                <span style={{ width: 12, height: 12, borderRadius: 2, background: PART_COLORS[i], display: "inline-block" }} />
                <Text size="xs">{n}</Text>
              </Group>
            ))}
          </Group>
          <div
            role="img"
            aria-label={t("chartLabel", { group: groupLabel, count: chartGroups.length })}
            data-testid="cost-chart"
          >
            <Suspense fallback={<LoadingRows rows={1} height={260} />}>
              <CostChart groups={chartGroups} partNames={partNames} format={fmt} />
            </Suspense>
          </div>
        </Paper>
      )}
      <Table.ScrollContainer minWidth={760}>
        <Table striped highlightOnHover verticalSpacing={6} data-testid="cost-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{groupLabel}</Table.Th>
              {groupBy !== "namespace" && <Table.Th>{t("colNamespace")}</Table.Th>}
              <Table.Th ta="right">{t("colCpu")}</Table.Th>
              <Table.Th ta="right">{t("colMemory")}</Table.Th>
              <Table.Th ta="right">{t("colStorage")}</Table.Th>
              <Table.Th ta="right">{t("colGpu")}</Table.Th>
              <Table.Th ta="right">{t("colTotal")}</Table.Th>
              <Table.Th w={160}>{t("colShare")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={groupBy !== "namespace" ? 8 : 7}>
                  <EmptyState title={t("noLines")} description={t("noLinesHint")} />
                </Table.Td>
              </Table.Tr>
            )}
            {lines.map((l) => (
              <Table.Tr key={`${l.kind}:${l.namespace ?? ""}:${l.name}`} data-testid="cost-line">
                <Table.Td>
                  <GroupName line={l} />
                </Table.Td>
                {groupBy !== "namespace" && (
                  <Table.Td>
                    <Text size="sm">{l.namespace ?? "—"}</Text>
                  </Table.Td>
                )}
                <Table.Td ta="right">{money(l.resources.cpu, currency)}</Table.Td>
                <Table.Td ta="right">{money(l.resources.memory, currency)}</Table.Td>
                <Table.Td ta="right">{money(l.resources.storage, currency)}</Table.Td>
                <Table.Td ta="right">{money(l.resources.gpu, currency)}</Table.Td>
                <Table.Td ta="right" fw={600}>
                  {money(l.cost, currency)}
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Progress
                      value={Math.min(100, Math.max(0, l.percentage))}
                      w={80}
                      size="sm"
                      color={l.kind === "idle" ? "gray" : "blue"}
                      aria-label={`${l.name} ${num(l.percentage, 2)} %`}
                    />
                    <Text size="xs">{num(l.percentage, 2)} %</Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th>{t("colTotal")}</Table.Th>
              {groupBy !== "namespace" && <Table.Th />}
              <Table.Th ta="right">{money(r.resources.cpu, currency)}</Table.Th>
              <Table.Th ta="right">{money(r.resources.memory, currency)}</Table.Th>
              <Table.Th ta="right">{money(r.resources.storage, currency)}</Table.Th>
              <Table.Th ta="right">{money(r.resources.gpu, currency)}</Table.Th>
              <Table.Th ta="right">{money(r.total_cost, currency)}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </Table.ScrollContainer>
      <PricingNote pricing={r.pricing_source} />
    </Stack>
  );
}
