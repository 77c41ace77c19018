// /ui/clusters/:id — summary, health reasons, components, nodes and metrics history (uPlot).
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { IconArrowLeft, IconEdit, IconPlugConnected, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useCallback, useMemo, type ReactNode } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { Loading, LoadingRows } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useFormatDate, useT } from "../../i18n";
import { useClusterActions } from "./forms";
import { dict, PROVIDER_LABEL } from "./i18n";
import { MetricsChart, type Series } from "./MetricsChart";
import { fmtPct, HEALTH_COLOR, healthLabel, IssueList, scoreColor, StatusBadge, UsageBar } from "./shared";

const RANGES = ["1h", "24h", "7d", "30d"] as const;
const RANGE_SECONDS: Record<(typeof RANGES)[number], number> = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };
const PCT_RANGE: [number, number] = [0, 100];
type Range = (typeof RANGES)[number];

function Field({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div" data-testid={testId} style={{ wordBreak: "break-word" }}>
        {children}
      </Text>
    </div>
  );
}

export default function ClusterDetailPage() {
  const t = useT(dict);
  const fmt = useFormatDate();
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const range = (RANGES as readonly string[]).includes(params.get("range") ?? "") ? (params.get("range") as Range) : "1h";

  const canTest = useCan("test", "create", id);
  const canSync = useCan("sync", "create", id);
  const canEdit = useCan("clusters", "update", id);
  const canDelete = useCan("clusters", "delete", id);

  const detail = useApi((signal) => call(api.GET("/api/k8s/clusters/{id}", { params: { path: { id } }, signal })), [id], { intervalMs: 30000 });
  const health = useApi((signal) => call(api.GET("/api/k8s/clusters/{id}/health", { params: { path: { id } }, signal })), [id], { intervalMs: 30000 });
  const metrics = useApi(
    (signal) => call(api.GET("/api/k8s/clusters/{id}/metrics", { params: { path: { id }, query: { time_range: range } }, signal })),
    [id, range],
    { intervalMs: 60000 },
  );

  const reloadAll = useCallback(() => {
    detail.reload();
    health.reload();
    metrics.reload();
  }, [detail, health, metrics]);
  const actions = useClusterActions(
    useCallback(
      (what: string) => {
        if (what === "delete") navigate("/clusters", { replace: true });
        else reloadAll();
      },
      [navigate, reloadAll],
    ),
  );

  const chart = useMemo(() => {
    // the x axis is the chosen range ending now; samples outside it are not drawn
    const span = RANGE_SECONDS[(metrics.data?.time_range ?? range) as Range] ?? RANGE_SECONDS[range];
    const now = Date.now() / 1000;
    const xRange: [number, number] = [now - span, now];
    const raw = (metrics.data?.history ?? []).filter((p) => {
      const x = Date.parse(p.timestamp) / 1000;
      return x >= xRange[0] && x <= xRange[1];
    });
    // break the lines where samples are missing (an interval over 3x the usual one), never draw across a gap
    const ts = raw.map((p) => Date.parse(p.timestamp) / 1000);
    const steps = ts.slice(1).map((x, i) => x - ts[i]).sort((a, b) => a - b);
    const usual = steps.length ? steps[Math.floor(steps.length / 2)] : 0;
    type P = (typeof raw)[number] | null;
    const h: P[] = [];
    const times: number[] = [];
    raw.forEach((p, i) => {
      if (i > 0 && usual > 0 && ts[i] - ts[i - 1] > 3 * usual) {
        h.push(null);
        times.push(ts[i - 1] + usual);
      }
      h.push(p);
      times.push(ts[i]);
    });
    const v = (f: (p: NonNullable<P>) => number | null | undefined) => h.map((p) => (p ? (f(p) ?? null) : null));
    const usage: Series[] = [
      { label: t("cpu"), values: v((p) => p.cpu_usage), color: "#228be6" },
      { label: t("memory"), values: v((p) => p.memory_usage), color: "#40c057" },
      { label: t("disk"), values: v((p) => p.disk_usage), color: "#fab005" },
    ];
    const hs: Series[] = [
      { label: t("healthScoreSeries"), values: v((p) => p.health_score), color: "#e64980" },
      { label: t("podsSeries"), values: v((p) => p.pod_count), color: "#7950f2", scale: "count" },
    ];
    return { times, usage, hs, xRange };
  }, [metrics.data, range, t]);

  const d = detail.data;
  if (detail.error && !d) {
    return (
      <>
        <Anchor component={Link} to="/clusters" size="sm">
          <Group gap={4}>
            <IconArrowLeft size={14} aria-hidden />
            {t("back")}
          </Group>
        </Anchor>
        <ApiErrorAlert mt="md" error={detail.error} title={t("notFoundCluster", { id })} onRetry={detail.reload} />
      </>
    );
  }
  if (!d) return <Loading />;

  const hd = health.data;
  const m = d.metrics;
  const score = hd?.health_score ?? d.health_score;

  return (
    <>
      <Anchor component={Link} to="/clusters" size="sm" mb="xs" style={{ display: "inline-block" }}>
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden />
          {t("back")}
        </Group>
      </Anchor>
      <PageHeader
        title={
          <Group gap="sm">
            <span>{d.name}</span>
            <StatusBadge status={d.status} />
          </Group>
        }
        description={[d.display_name !== d.name ? d.display_name : "", d.description].filter(Boolean).join(" · ") || undefined}
        actions={
          <>
            {canTest && (
              <Button variant="default" leftSection={<IconPlugConnected size={16} aria-hidden />} onClick={() => actions.test(d.name)} data-testid="detail-test">
                {t("test")}
              </Button>
            )}
            {canSync && (
              <Button variant="default" leftSection={<IconRefresh size={16} aria-hidden />} loading={actions.syncing[d.name]} onClick={() => void actions.sync(d.name)} data-testid="detail-sync">
                {t("sync")}
              </Button>
            )}
            {canEdit && (
              <Button variant="default" leftSection={<IconEdit size={16} aria-hidden />} onClick={() => actions.edit(d)} data-testid="detail-edit">
                {t("edit")}
              </Button>
            )}
            {canDelete && (
              <Button color="red" variant="light" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => actions.remove(d.name)} data-testid="detail-delete">
                {t("delete")}
              </Button>
            )}
          </>
        }
      />

      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="md" mb="md">
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            {t("summary")}
          </Title>
          <SimpleGrid cols={2} spacing="xs">
            <Field label={t("version")} testId="detail-version">{d.version || "—"}</Field>
            <Field label={t("provider")}>{PROVIDER_LABEL[d.provider] ?? d.provider}</Field>
            <Field label={t("region")}>{d.region || "—"}</Field>
            <Field label={t("lastSync")}>{fmt(d.last_sync_time)}</Field>
            <Field label={t("created")}>{fmt(d.created_at)}</Field>
            <Field label={t("apiServer")}>{d.api_server || "—"}</Field>
            <Field label={t("message")}>{d.message || "—"}</Field>
            <Field label={t("tags")}>
              {d.tags.length ? (
                <Group gap={4}>
                  {d.tags.map((tag) => (
                    <Badge key={tag} size="sm" variant="outline" color="gray" tt="none">
                      {tag}
                    </Badge>
                  ))}
                </Group>
              ) : (
                "—"
              )}
            </Field>
          </SimpleGrid>
        </Card>
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            {t("issues")}
          </Title>
          <Group gap="md" mb="sm" align="center">
            <Badge size="xl" variant="filled" color={scoreColor(score, d.health_status)} data-testid="detail-health-score">
              {score === null || score === undefined ? "—" : Math.round(score)}
            </Badge>
            <Badge variant="light" tt="none" color={HEALTH_COLOR[hd?.health_status ?? d.health_status] ?? "gray"}>
              {healthLabel(t, hd?.health_status ?? d.health_status)}
            </Badge>
          </Group>
          {health.error ? <ApiErrorAlert error={health.error} /> : hd ? <IssueList issues={hd.issues} health={hd.health_status} hideStatus /> : <LoadingRows rows={2} />}
        </Card>
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            {t("resources")}
          </Title>
          <SimpleGrid cols={2} spacing="xs">
            <Field label={t("nodes")} testId="detail-node-count">{m.node_count}</Field>
            <Field label={t("pods")}>{m.pod_count}</Field>
            <Field label={t("services")}>{m.service_count}</Field>
            <Field label={t("deployments")}>{m.deployment_count}</Field>
            <Field label={t("cpu")}>
              <UsageBar value={m.cpu_usage} label={t("cpu")} />
            </Field>
            <Field label={t("memory")}>
              <UsageBar value={m.memory_usage} label={t("memory")} />
            </Field>
            <Field label={t("disk")}>
              <UsageBar value={m.disk_usage} label={t("disk")} />
            </Field>
            <Field label={t("resources")}>
              <Anchor component={Link} to={`/resources?clusters=${encodeURIComponent(d.name)}`} size="sm">
                {d.resource_count} · {t("openResources")}
              </Anchor>
            </Field>
          </SimpleGrid>
        </Card>
      </SimpleGrid>

      <Card withBorder mb="md">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h5">
            {t("metricsHistory")}
          </Title>
          <SegmentedControl
            size="xs"
            role="radiogroup"
            aria-label={t("timeRange")}
            value={range}
            onChange={(v) => setParams((p) => { const n = new URLSearchParams(p); n.set("range", v); return n; }, { replace: true })}
            data={[
              { value: "1h", label: t("range1h") },
              { value: "24h", label: t("range24h") },
              { value: "7d", label: t("range7d") },
              { value: "30d", label: t("range30d") },
            ]}
            data-testid="metrics-range"
          />
        </Group>
        {metrics.error ? (
          <ApiErrorAlert error={metrics.error} onRetry={metrics.reload} />
        ) : !metrics.data || metrics.loading && metrics.data.time_range !== range ? (
          <LoadingRows rows={4} height={40} />
        ) : chart.times.length === 0 ? (
          <EmptyState title={t("noHistory")} />
        ) : (
          <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t("usageChart")}
              </Text>
              <MetricsChart times={chart.times} series={chart.usage} yRange={PCT_RANGE} xRange={chart.xRange} ariaLabel={t("usageChart")} testId="chart-usage" />
            </div>
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t("healthChart")}
              </Text>
              <MetricsChart times={chart.times} series={chart.hs} yRange={PCT_RANGE} xRange={chart.xRange} ariaLabel={t("healthChart")} testId="chart-health" />
            </div>
          </SimpleGrid>
        )}
        {metrics.data?.network_usage != null && (
          <Text size="xs" c="dimmed" mt="xs">
            {t("network")}: {(metrics.data.network_usage / 1024).toFixed(1)} KiB/s
          </Text>
        )}
      </Card>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            {t("components")}
          </Title>
          {!hd ? (
            health.error ? null : <LoadingRows rows={3} />
          ) : hd.components.length === 0 ? (
            <Text size="sm" c="dimmed">{t("noComponents")}</Text>
          ) : (
            <Table data-testid="components-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("component")}</Table.Th>
                  <Table.Th>{t("colStatus")}</Table.Th>
                  <Table.Th>{t("responseTimeCol")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {hd.components.map((c) => (
                  <Table.Tr key={c.name}>
                    <Table.Td>{c.name}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={HEALTH_COLOR[c.status] ?? (c.status === "Ready" ? "green" : "gray")}>
                        {healthLabel(t, c.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{c.response_time == null ? "—" : `${(c.response_time * 1000).toFixed(0)} ms`}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Card>
        <Card withBorder>
          <Title order={2} size="h5" mb="sm">
            {t("nodes")}
          </Title>
          {!hd ? (
            health.error ? null : <LoadingRows rows={3} />
          ) : hd.nodes.length === 0 ? (
            <Text size="sm" c="dimmed">{t("noNodes")}</Text>
          ) : (
            <Stack gap={0} style={{ maxHeight: 360, overflow: "auto" }}>
              <Table data-testid="nodes-table" stickyHeader>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("node")}</Table.Th>
                    <Table.Th>{t("colStatus")}</Table.Th>
                    <Table.Th>{t("cpu")}</Table.Th>
                    <Table.Th>{t("memory")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {hd.nodes.map((n) => (
                    <Table.Tr key={n.name}>
                      <Table.Td>{n.name}</Table.Td>
                      <Table.Td>
                        <Badge variant="light" color={n.status === "Ready" ? "green" : "red"} tt="none">
                          {n.status}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{fmtPct(n.cpu_usage)}</Table.Td>
                      <Table.Td>{fmtPct(n.memory_usage)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Stack>
          )}
        </Card>
      </SimpleGrid>
      {actions.modals}
    </>
  );
}
