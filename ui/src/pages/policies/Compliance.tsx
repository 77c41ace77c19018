// /ui/policies/compliance: run a compliance check (POST /api/k8s/compliance/check) on a cluster with
// scope options, show the score (or "no score" and why), the findings, and download the report
// (GET /api/k8s/compliance/report?format=json|csv|pdf) as a file.
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  MultiSelect,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconDownload, IconPlayerPlay, IconSearch } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import { ApiError, api, apiFetch, call, callJson, callResponse, downloadResponse, saveBlob, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { ConfirmModal } from "../../components/ConfirmModal";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { compliance as dict, shared } from "./i18n";
import { Pager } from "../../components/Pager";
import { ClusterSelect, defaultCluster, useClusters } from "../../components/ClusterSelect";
import { ScoreDisplay, Sparkline, useParam } from "./shared";

type CheckRun = Schemas["CheckRun"];
type ReportView = Schemas["ReportView"];
type ResultView = Schemas["ResultView"];
type CheckBody = Schemas["CheckBody"];

const POLICIES = ["security-context", "resource-limits", "network-policy", "image", "probes", "reliability"] as const;
const WORKLOADS = ["deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs", "pods"] as const;
const RANGES = ["1h", "24h", "7d", "30d"] as const;
type Range = (typeof RANGES)[number];
const PAGE = 50;

/** What the page shows: a run just made, or the last report in the range. */
type Shown = {
  checkName: string;
  reportName: string;
  clusterName: string;
  runAt?: string;
  status: "completed" | "nothing_checked";
  summary: { total: number; passed: number; failed: number; fixed?: number; compliance_score: number | null; score_reason: string | null };
  results: ResultView[];
  notes: string[];
  fixes: Schemas["FixView"][];
  truncated: boolean;
};

type Finding = {
  key: string;
  severity: "danger" | "warning";
  check: string;
  policy: string;
  object: string;
  namespace: string;
  message: string;
  field: string;
};

function fromRun(r: CheckRun): Shown {
  return {
    checkName: r.check_name,
    reportName: r.report_name,
    clusterName: r.cluster_name,
    status: r.status,
    summary: r.summary,
    results: r.results,
    notes: r.notes,
    fixes: r.fixes,
    truncated: r.truncated,
  };
}

function fromReport(r: ReportView): Shown {
  return {
    checkName: r.check_name,
    reportName: r.report_name,
    clusterName: r.cluster_name,
    runAt: r.run_at,
    status: r.summary.total ? "completed" : "nothing_checked",
    summary: r.summary,
    results: r.results,
    notes: [...r.notes, ...(r.truncation_note ? [r.truncation_note] : [])],
    fixes: r.fixes as unknown as Schemas["FixView"][],
    truncated: r.results_truncated,
  };
}

function findingsOf(results: ResultView[]): Finding[] {
  const out: Finding[] = [];
  results.forEach((r, i) => {
    if (r.status !== "failed") return;
    r.violations.forEach((v, j) =>
      out.push({
        key: `${i}:${j}`,
        severity: v.severity,
        check: v.check_id,
        policy: r.policy,
        object: `${r.kind} ${r.namespace}/${r.name}`,
        namespace: r.namespace,
        message: v.message,
        field: v.field,
      }),
    );
  });
  out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "danger" ? -1 : 1));
  return out;
}

export default function CompliancePage() {
  const t = useT(dict);
  const ts = useT(shared);
  const fmt = useFormatDate();
  const clusters = useClusters();
  const [clusterParam, setCluster] = useParam("cluster");
  const cluster = clusterParam || defaultCluster(clusters.data?.clusters);
  const canFix = useCan("policies", "update");

  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [policies, setPolicies] = useState<string[]>([]);
  const [resources, setResources] = useState<string[]>([]);
  const [autoFix, setAutoFix] = useState(false);
  const [confirmFix, setConfirmFix] = useState(false);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<unknown>(null);
  const [run, setRun] = useState<CheckRun | null>(null);
  const [range, setRange] = useState<Range>("7d");

  // A run belongs to its cluster: switching clusters shows that cluster's last report.
  useEffect(() => {
    setRun((r) => (r && r.cluster_name !== cluster ? null : r));
  }, [cluster]);

  const checkName = run?.check_name;
  const report = useApi<ReportView | null>(
    async (signal) => {
      try {
        const d = await call(
          api.GET("/api/k8s/compliance/report", {
            params: { query: { cluster_id: cluster, time_range: range, format: "json", check_name: checkName ?? null } },
            signal,
          }),
        );
        return d as ReportView;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return null; // no run in the range yet
        throw e;
      }
    },
    [cluster, range, checkName],
    { enabled: !!cluster },
  );

  const shown: Shown | null = run ? fromRun(run) : report.data ? fromReport(report.data) : null;

  const doRun = async () => {
    setRunning(true);
    setRunError(null);
    const body: Partial<CheckBody> = { cluster_id: cluster, auto_fix: autoFix && canFix };
    if (namespaces.length) body.namespaces = namespaces;
    if (excluded.length) body.excluded_namespaces = excluded;
    if (policies.length) body.policies = policies as CheckBody["policies"];
    if (resources.length) body.resources = resources as CheckBody["resources"];
    try {
      const r = await callJson<CheckRun>("/api/k8s/compliance/check", { method: "POST", json: body });
      setRun(r);
    } catch (e) {
      setRunError(e);
    } finally {
      setRunning(false);
    }
  };

  const onRun = () => {
    if (autoFix && canFix) setConfirmFix(true);
    else void doRun();
  };

  return (
    <Stack gap="md">
      <Paper withBorder p="md" component="section" aria-labelledby="compliance-run-title">
        <Title order={2} size="h4" id="compliance-run-title" mb="sm">
          {t("runTitle")}
        </Title>
        <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} title={ts("clustersError")} mb="sm" />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            onRun();
          }}
        >
          <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
            <ClusterSelect
              value={cluster}
              onChange={setCluster}
              clusters={clusters.data?.clusters}
              required
              w="auto"
              data-testid="compliance-cluster"
              disabled={clusters.loading && !clusters.data}
            />
            <TagsInput
              label={t("namespaces")}
              placeholder={t("allNamespaces")}
              value={namespaces}
              onChange={setNamespaces}
              clearable
              data-testid="compliance-namespaces"
            />
            <TagsInput
              label={t("excluded")}
              placeholder={t("excludedDefault")}
              value={excluded}
              onChange={setExcluded}
              clearable
            />
            <MultiSelect
              label={t("policies")}
              placeholder={policies.length ? undefined : t("allPolicies")}
              data={POLICIES.map((p) => ({ value: p, label: p }))}
              value={policies}
              onChange={setPolicies}
              clearable
            />
            <MultiSelect
              label={t("workloads")}
              placeholder={resources.length ? undefined : t("allWorkloads")}
              data={WORKLOADS.map((p) => ({ value: p, label: p }))}
              value={resources}
              onChange={setResources}
              clearable
            />
            <Stack gap={6} justify="flex-end">
              {canFix && (
                <Switch
                  label={t("autoFix")}
                  description={t("autoFixHint")}
                  checked={autoFix}
                  onChange={(e) => setAutoFix(e.currentTarget.checked)}
                  data-testid="compliance-autofix"
                />
              )}
            </Stack>
          </SimpleGrid>
          <Group mt="md">
            <Button
              type="submit"
              leftSection={<IconPlayerPlay size={16} aria-hidden />}
              loading={running}
              disabled={!cluster}
              data-testid="compliance-run"
            >
              {t("run")}
            </Button>
            {running && (
              <Text size="sm" c="dimmed" role="status">
                {t("running", { cluster })}
              </Text>
            )}
          </Group>
        </form>
        <ApiErrorAlert error={runError} title={t("runError")} mt="sm" />
      </Paper>

      <ConfirmModal
        opened={confirmFix}
        onClose={() => setConfirmFix(false)}
        title={t("autoFixConfirmTitle")}
        confirmLabel={t("run")}
        danger
        onConfirm={doRun}
      >
        {t("autoFixConfirm", { cluster })}
      </ConfirmModal>

      <Paper withBorder p="md" component="section" aria-labelledby="compliance-result-title">
        <Group justify="space-between" mb="sm" wrap="wrap" gap="sm">
          <Title order={2} size="h4" id="compliance-result-title">
            {run ? t("resultTitle") : t("lastReportTitle")}
          </Title>
          <Select
            label={t("timeRange")}
            data={RANGES.map((r) => ({ value: r, label: t(`range_${r}`) }))}
            value={range}
            onChange={(v) => v && setRange(v as Range)}
            allowDeselect={false}
            w={160}
            size="xs"
          />
        </Group>
        {!cluster ? (
          clusters.loading ? (
            <LoadingRows rows={3} />
          ) : (
            <EmptyState title={ts("noClusters")} />
          )
        ) : report.loading && !shown ? (
          <LoadingRows rows={4} />
        ) : !shown ? (
          report.error ? (
            <ApiErrorAlert error={report.error} onRetry={report.reload} title={t("reportError")} />
          ) : (
            <EmptyState title={t("noReport")} description={t("noReportHint", { cluster, range: t(`range_${range}`) })} />
          )
        ) : (
          <RunResult shown={shown} history={report.data?.history ?? []} range={range} fmt={fmt} cluster={cluster} />
        )}
        {shown && report.error ? <ApiErrorAlert error={report.error} onRetry={report.reload} title={t("reportError")} mt="sm" /> : null}
      </Paper>
    </Stack>
  );
}

function RunResult({
  shown,
  history,
  range,
  fmt,
  cluster,
}: {
  shown: Shown;
  history: Schemas["HistoryPoint"][];
  range: Range;
  fmt: (iso: string | null | undefined) => string;
  cluster: string;
}) {
  const t = useT(dict);
  const s = shown.summary;
  const scores = history.map((h) => h.score).filter((x): x is number => typeof x === "number");
  return (
    <Stack gap="md" data-testid="compliance-result">
      <Group align="flex-start" gap="xl" wrap="wrap">
        <ScoreDisplay score={s.compliance_score} reason={s.score_reason} label={t("score")} testId="compliance-score" />
        <Stack gap={6}>
          <Group gap="xs">
            <Badge color={shown.status === "completed" ? "blue" : "gray"} variant="light" data-testid="compliance-status">
              {t(shown.status === "completed" ? "statusCompleted" : "statusNothing")}
            </Badge>
            <Badge variant="outline" color="gray">
              {t("total", { n: s.total })}
            </Badge>
            <Badge variant="light" color="teal">
              {t("passed", { n: s.passed })}
            </Badge>
            <Badge variant="light" color="red">
              {t("failed", { n: s.failed })}
            </Badge>
            {s.fixed ? (
              <Badge variant="light" color="grape">
                {t("fixed", { n: s.fixed })}
              </Badge>
            ) : null}
          </Group>
          <Text size="sm">
            {t("checkName")}: <Text span ff="monospace" size="sm">{shown.checkName}</Text>
          </Text>
          {shown.runAt && (
            <Text size="sm">
              {t("runAt")}: {fmt(shown.runAt)}
            </Text>
          )}
          {history.length > 0 && (
            <Group gap="xs" wrap="nowrap">
              <Text size="sm">{t("history", { n: history.length, range: t(`range_${range}`) })}</Text>
              {scores.length > 1 && (
                <Sparkline values={scores} max={100} label={t("historyChart", { values: scores.join(", ") })} />
              )}
            </Group>
          )}
        </Stack>
        <Downloads cluster={cluster} checkName={shown.checkName} range={range} />
      </Group>
      {shown.notes.length > 0 && (
        <Alert color="gray" variant="light" title={t("notes")}>
          <List size="sm">
            {shown.notes.map((n, i) => (
              <List.Item key={i}>{n}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      {shown.fixes.length > 0 && <Fixes fixes={shown.fixes} />}
      <Findings results={shown.results} truncated={shown.truncated} />
    </Stack>
  );
}

function Downloads({ cluster, checkName, range }: { cluster: string; checkName: string; range: Range }) {
  const t = useT(dict);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const download = async (format: "json" | "csv" | "pdf") => {
    setBusy(format);
    setError(null);
    const q = new URLSearchParams({ cluster_id: cluster, time_range: range, format, check_name: checkName });
    const stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15);
    try {
      const res = await apiFetch(`/api/k8s/compliance/report?${q.toString()}`);
      if (format === "json") {
        const data = await callResponse(res);
        saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), `compliance-${cluster}-${stamp}.json`);
      } else {
        await downloadResponse(res, `compliance-${cluster}-${stamp}.${format}`);
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <Stack gap={6} ml="auto">
      <Text size="sm" fw={500} id="compliance-downloads">
        {t("downloads")}
      </Text>
      <Group gap="xs" role="group" aria-labelledby="compliance-downloads">
        {(["json", "csv", "pdf"] as const).map((f) => (
          <Button
            key={f}
            variant="default"
            size="xs"
            leftSection={<IconDownload size={14} aria-hidden />}
            loading={busy === f}
            disabled={busy !== null && busy !== f}
            onClick={() => void download(f)}
            aria-label={t("downloadAs", { format: f.toUpperCase() })}
            data-testid={`download-${f}`}
          >
            {f.toUpperCase()}
          </Button>
        ))}
      </Group>
      <ApiErrorAlert error={error} title={t("downloadError")} />
    </Stack>
  );
}

function Fixes({ fixes }: { fixes: Schemas["FixView"][] }) {
  const t = useT(dict);
  return (
    <Stack gap={4}>
      <Title order={3} size="h5">
        {t("fixesTitle")}
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table striped withTableBorder data-testid="compliance-fixes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("object")}</Table.Th>
              <Table.Th>{t("checks")}</Table.Th>
              <Table.Th>{t("fixStatus")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {fixes.map((f, i) => (
              <Table.Tr key={i}>
                <Table.Td>
                  {f.resource} {f.namespace}/{f.name}
                </Table.Td>
                <Table.Td>{(f.checks ?? []).join(", ")}</Table.Td>
                <Table.Td>
                  <Badge color={f.status === "applied" ? "teal" : "red"} variant="light">
                    {f.status}
                  </Badge>
                  {f.error && (
                    <Text size="xs" c="red.8">
                      {f.error}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function Findings({ results, truncated }: { results: ResultView[]; truncated: boolean }) {
  const t = useT(dict);
  const all = useMemo(() => findingsOf(results), [results]);
  const [severity, setSeverity] = useState<"all" | "danger" | "warning">("all");
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const filtered = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return all.filter(
      (f) =>
        (severity === "all" || f.severity === severity) &&
        (!needle || `${f.check} ${f.policy} ${f.object} ${f.message}`.toLowerCase().includes(needle)),
    );
  }, [all, severity, q]);
  useEffect(() => setPage(1), [severity, q, results]);
  const pages = Math.max(1, Math.ceil(filtered.length / PAGE));
  const rows = filtered.slice((page - 1) * PAGE, page * PAGE);
  const passedCount = results.filter((r) => r.status === "passed").length;

  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={3} size="h5" id="compliance-findings-title">
          {t("findingsTitle", { n: all.length })}
        </Title>
        <Group gap="sm" wrap="wrap">
          <SegmentedControl
            size="xs"
            role="radiogroup"
            aria-label={t("severity")}
            value={severity}
            onChange={(v) => setSeverity(v as typeof severity)}
            data={[
              { value: "all", label: t("sevAll") },
              { value: "danger", label: t("sev_danger") },
              { value: "warning", label: t("sev_warning") },
            ]}
          />
          <TextInput
            size="xs"
            aria-label={t("searchFindings")}
            placeholder={t("searchFindings")}
            leftSection={<IconSearch size={14} aria-hidden />}
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
          />
        </Group>
      </Group>
      {truncated && (
        <Text size="sm" c="dimmed">
          {t("truncated")}
        </Text>
      )}
      {all.length === 0 ? (
        <EmptyState title={t("noFindings")} description={results.length ? t("allPassed", { n: passedCount }) : undefined} />
      ) : filtered.length === 0 ? (
        <EmptyState title={t("noMatch")} />
      ) : (
        <>
          <Table.ScrollContainer minWidth={800}>
            <Table striped highlightOnHover withTableBorder aria-labelledby="compliance-findings-title" data-testid="compliance-findings">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th style={{ whiteSpace: "nowrap" }}>{t("severity")}</Table.Th>
                  <Table.Th>{t("rule")}</Table.Th>
                  <Table.Th>{t("object")}</Table.Th>
                  <Table.Th>{t("message")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((f) => (
                  <Table.Tr key={f.key} data-testid="finding-row">
                    <Table.Td>
                      <Badge color={f.severity === "danger" ? "red" : "yellow"} variant="light">
                        {t(`sev_${f.severity}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {f.check}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {f.policy}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{f.object}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{f.message}</Text>
                      <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
                        {f.field}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {pages > 1 && (
            <Group justify="space-between">
              <Text size="sm" c="dimmed">
                {t("showing", { from: (page - 1) * PAGE + 1, to: Math.min(page * PAGE, filtered.length), total: filtered.length })}
              </Text>
              <Pager total={pages} value={page} onChange={setPage} />
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}
