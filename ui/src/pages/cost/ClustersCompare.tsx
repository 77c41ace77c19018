// Total cost of each cluster over the same range (one report per cluster, at most 3 at a time).
import { Button, Group, Paper, Progress, Table, Text, Title } from "@mantine/core";
import { useEffect, useState } from "react";
import { api, call, errorText } from "../../api/client";
import { LoadingRows } from "../../components/Loading";
import { useT } from "../../i18n";
import { dict } from "./i18n";
import type { TimeRange } from "./Report";
import { Missing, useMoney, useNumber, type CostReport } from "./util";

const AUTO = 10;
const MAX = 50;

type Row = { id: string; name: string; report?: CostReport; error?: string };

export function ClustersCompare({
  clusters,
  timeRange,
  selected,
  onSelect,
}: {
  clusters: { id: string; name: string }[];
  timeRange: TimeRange;
  selected: string;
  onSelect: (id: string) => void;
}) {
  const t = useT(dict);
  const money = useMoney();
  const num = useNumber();
  const [enabled, setEnabled] = useState(clusters.length <= AUTO);
  const [rows, setRows] = useState<Row[] | null>(null);
  const key = clusters.map((c) => c.id).join(",");

  useEffect(() => {
    if (!enabled) return;
    const ctl = new AbortController();
    const list = clusters.slice(0, MAX);
    const out: Row[] = list.map((c) => ({ ...c }));
    setRows(null);
    let next = 0;
    const worker = async () => {
      while (next < list.length && !ctl.signal.aborted) {
        const i = next++;
        try {
          out[i] = {
            ...list[i],
            report: await call(
              api.GET("/api/k8s/cost/report", {
                params: { query: { cluster_id: list[i].id, time_range: timeRange, group_by: "namespace", namespace: null } },
                signal: ctl.signal,
              }),
            ),
          };
        } catch (e) {
          if (ctl.signal.aborted) return;
          out[i] = { ...list[i], error: errorText(e) };
        }
      }
    };
    void Promise.all([worker(), worker(), worker()]).then(() => {
      if (!ctl.signal.aborted) setRows([...out]);
    });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, key, timeRange]);

  const max = Math.max(0, ...(rows ?? []).map((r) => r.report?.total_cost ?? 0));
  return (
    <Paper withBorder p="sm" data-testid="cost-by-cluster">
      <Title order={3} size="h5">
        {t("byCluster")}
      </Title>
      <Text size="xs" c="dimmed" mb="xs">
        {t("byClusterHint")}
      </Text>
      {!enabled ? (
        <Button variant="light" size="xs" onClick={() => setEnabled(true)}>
          {t("loadAll", { count: Math.min(MAX, clusters.length) })}
        </Button>
      ) : !rows ? (
        <LoadingRows rows={Math.min(4, clusters.length)} height={20} />
      ) : (
        <Table verticalSpacing={4} highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("cluster")}</Table.Th>
              <Table.Th ta="right">{t("totalCost")}</Table.Th>
              <Table.Th w={140} />
              <Table.Th>{t("coverage")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  {r.id === selected ? (
                    <Text size="sm" fw={700}>
                      {r.name}
                    </Text>
                  ) : (
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      px={0}
                      onClick={() => onSelect(r.id)}
                      aria-label={t("selectCluster", { name: r.name })}
                    >
                      {r.name}
                    </Button>
                  )}
                </Table.Td>
                <Table.Td ta="right">
                  {r.report ? (
                    money(r.report.total_cost, r.report.currency)
                  ) : (
                    <Missing reason={t("notAvailable", { reason: r.error ?? "?" })} />
                  )}
                </Table.Td>
                <Table.Td>
                  {r.report && (
                    <Progress
                      value={max > 0 ? (r.report.total_cost / max) * 100 : 0}
                      size="sm"
                      aria-label={`${r.name} ${money(r.report.total_cost, r.report.currency)}`}
                    />
                  )}
                </Table.Td>
                <Table.Td>
                  {r.report ? (
                    <Text size="sm">
                      {t("coverageValue", {
                        covered: num(r.report.coverage.covered_hours, 2),
                        range: num(r.report.coverage.range_hours, 0),
                      })}
                    </Text>
                  ) : (
                    <Missing reason={t("notAvailable", { reason: r.error ?? "?" })} />
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {clusters.length > MAX && enabled && (
        <Group mt={4}>
          <Text size="xs" c="dimmed">
            {MAX} / {clusters.length}
          </Text>
        </Group>
      )}
    </Paper>
  );
}
