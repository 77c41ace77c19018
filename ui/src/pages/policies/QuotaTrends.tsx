// Usage trends of one ResourceQuota (GET /api/k8s/resourcequota/{id}/usage): a sparkline per resource
// over the chosen range, with the API's trend and growth rate. Loaded on demand (its own chunk).
import { Badge, SegmentedControl, Stack, Table, Text } from "@mantine/core";
import { useState } from "react";
import { api, call, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { quotas as dict } from "./i18n";
import { Sparkline } from "./shared";

const RANGES = ["1h", "24h", "7d", "30d"] as const;
type Range = (typeof RANGES)[number];

const SUFFIX: Record<string, number> = {
  m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "8Gi", "1e3") as a number; NaN when not one. */
export function quantity(q: string | number | undefined): number {
  if (typeof q === "number") return q;
  if (!q) return NaN;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  if (!m[2]) return n;
  const f = SUFFIX[m[2]];
  return f === undefined ? NaN : n * f;
}

export default function QuotaTrends({ quota }: { quota: Schemas["QuotaItem"] }) {
  const t = useT(dict);
  const fmt = useFormatDate();
  const [range, setRange] = useState<Range>("24h");
  const usage = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/resourcequota/{id}/usage", {
          params: { path: { id: quota.id }, query: { time_range: range } },
          signal,
        }),
      ),
    [quota.id, range],
  );
  const resources = Object.keys(quota.hard).sort();
  const rows = usage.data?.usage_history ?? [];
  return (
    <Stack gap="xs" mt="xs" data-testid="quota-trends">
      <SegmentedControl
        size="xs"
        role="radiogroup"
        aria-label={t("trendRange")}
        value={range}
        onChange={(v) => setRange(v as Range)}
        data={RANGES.map((r) => ({ value: r, label: r }))}
      />
      <ApiErrorAlert error={usage.error} onRetry={usage.reload} title={t("trendsError")} />
      {usage.loading && !usage.data ? (
        <LoadingRows rows={2} />
      ) : usage.data && rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("noSamples")}
        </Text>
      ) : usage.data ? (
        <>
          <Text size="xs" c="dimmed">
            {t("samples", { n: rows.length, from: fmt(rows[0]?.timestamp), to: fmt(rows[rows.length - 1]?.timestamp) })}
          </Text>
          <Table withRowBorders={false} verticalSpacing={4} aria-label={t("trendsOf", { name: quota.name })}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("resource")}</Table.Th>
                <Table.Th>{t("trendChart")}</Table.Th>
                <Table.Th>{t("trend")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {resources.map((r) => {
                const values = rows.map((row) => row.values?.[r]).filter((v): v is number => typeof v === "number");
                const tr = usage.data!.trends[r];
                const hard = quantity(quota.hard[r]);
                return (
                  <Table.Tr key={r}>
                    <Table.Td>
                      <Text size="xs" ff="monospace">
                        {r}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {values.length ? (
                        <Sparkline
                          values={values}
                          max={Number.isFinite(hard) ? hard : undefined}
                          label={t("sparkLabel", { resource: r, n: values.length, range })}
                        />
                      ) : (
                        <Text size="xs" c="dimmed">
                          —
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {tr ? (
                        <Badge
                          variant="light"
                          tt="none"
                          color={tr.trend === "increasing" ? "orange" : tr.trend === "decreasing" ? "blue" : "gray"}
                        >
                          {t(`trend_${tr.trend}`)}
                          {tr.trend !== "stable" ? ` ${tr.growth_rate > 0 ? "+" : ""}${tr.growth_rate}%` : ""}
                        </Badge>
                      ) : (
                        "—"
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </>
      ) : null}
    </Stack>
  );
}
