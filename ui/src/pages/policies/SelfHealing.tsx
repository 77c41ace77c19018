// /ui/policies/self-healing: self-healing rules (GET /api/k8s/self-healing/rules; create with
// POST /api/k8s/self-healing/rules/create) and what they did (GET /api/k8s/self-healing/history).
import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Textarea,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconPlus, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { api, call, callJson, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { healing as dict, shared } from "./i18n";
import { Pager } from "../../components/Pager";
import { ClusterSelect, useClusters } from "../../components/ClusterSelect";
import { pairsText, parsePairs, useParam, useNotify } from "./shared";

type RuleView = Schemas["self_healing.RuleView"];
type HistoryView = Schemas["HistoryView"];
type CreateRule = Schemas["CreateRule"];

const RULES_PAGE = 100;
const HISTORY_PAGE = 20;

const CONDITIONS = {
  pod_status: {
    operators: ["equals"],
    values: ["CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "OOMKilled", "Error", "Pending", "CreateContainerConfigError", "Failed", "Unknown"],
  },
  restart_count: { operators: ["greater_than", "greater_than_or_equal", "equals"], values: null },
  node_status: { operators: ["equals"], values: ["NotReady", "Unknown"] },
  deployment_unavailable_replicas: { operators: ["greater_than", "greater_than_or_equal", "equals"], values: null },
} as const;
type CondType = keyof typeof CONDITIONS;
const ACTIONS = ["restart_pod", "rollback_deployment", "scale", "cordon_node", "annotate", "event"] as const;
type ActionType = (typeof ACTIONS)[number];

type CondDraft = { type: CondType; operator: string; value: string; duration: string };
type ActionDraft = { type: ActionType; replicas: string; key: string; value: string; reason: string; message: string; to_revision: string; delay: string };
const newCond = (): CondDraft => ({ type: "pod_status", operator: "equals", value: "CrashLoopBackOff", duration: "" });
const newAction = (): ActionDraft => ({ type: "restart_pod", replicas: "", key: "", value: "", reason: "", message: "", to_revision: "", delay: "" });

export default function SelfHealingPage() {
  const t = useT(dict);
  const ts = useT(shared);
  const notify = useNotify();
  const fmt = useFormatDate();
  const clusters = useClusters();
  const canCreate = useCan("policies", "create");
  const [creating, setCreating] = useState(false);
  const [rulesPage, setRulesPage] = useState(1);

  const rules = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/self-healing/rules", {
          params: { query: { limit: RULES_PAGE, offset: (rulesPage - 1) * RULES_PAGE } },
          signal,
        }),
      ),
    [rulesPage],
    { intervalMs: 15_000 },
  );

  const [histRule, setHistRule] = useParam("rule");
  const [histCluster, setHistCluster] = useParam("cluster");
  const [histNs, setHistNs] = useState("");
  const [histNsApplied, setHistNsApplied] = useState("");
  const [histPage, setHistPage] = useState(1);
  const history = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/self-healing/history", {
          params: {
            query: {
              limit: HISTORY_PAGE,
              offset: (histPage - 1) * HISTORY_PAGE,
              rule: histRule || null,
              cluster_ids: histCluster || null,
              namespace: histNsApplied || null,
            },
          },
          signal,
        }),
      ),
    [histRule, histCluster, histNsApplied, histPage],
    { intervalMs: 15_000 },
  );

  const ruleNames = (rules.data?.rules ?? []).map((r) => r.name);

  return (
    <Stack gap="md">
      <Paper withBorder p="md" component="section" aria-labelledby="sh-rules-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="sh-rules-title">
            {t("rulesTitle")}
            {rules.data ? ` (${rules.data.total})` : ""}
          </Title>
          <Group gap="xs">
            <Tooltip label={ts("refresh")}>
              <ActionIcon variant="default" size="lg" aria-label={t("refreshRules")} onClick={rules.reload}>
                <IconRefresh size={16} aria-hidden />
              </ActionIcon>
            </Tooltip>
            {canCreate && (
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)} data-testid="sh-create">
                {t("createRule")}
              </Button>
            )}
          </Group>
        </Group>
        <ApiErrorAlert error={rules.error} onRetry={rules.reload} title={t("rulesError")} mb="sm" />
        {rules.loading && !rules.data ? (
          <LoadingRows rows={3} />
        ) : rules.data && rules.data.rules.length === 0 ? (
          <EmptyState title={t("noRules")} description={canCreate ? t("noRulesHint") : undefined} />
        ) : rules.data ? (
          <>
            <RulesTable rules={rules.data.rules} fmt={fmt} />
            {rules.data.total > RULES_PAGE && (
              <Group justify="flex-end" mt="xs">
                <Pager total={Math.ceil(rules.data.total / RULES_PAGE)} value={rulesPage} onChange={setRulesPage} />
              </Group>
            )}
          </>
        ) : null}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="sh-history-title">
        <Group justify="space-between" mb="sm" align="flex-end" wrap="wrap">
          <Title order={2} size="h4" id="sh-history-title">
            {t("historyTitle")}
            {history.data ? ` (${history.data.total})` : ""}
          </Title>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setHistPage(1);
              setHistNsApplied(histNs.trim());
            }}
          >
            <Group gap="xs" align="flex-end" wrap="wrap">
              <Select
                label={t("rule")}
                data={[{ value: "", label: t("allRules") }, ...ruleNames.map((n) => ({ value: n, label: n }))]}
                value={histRule}
                onChange={(v) => {
                  setHistPage(1);
                  setHistRule(v ?? "");
                }}
                allowDeselect={false}
                searchable
                w={200}
                size="xs"
              />
              <ClusterSelect
                value={histCluster}
                onChange={(v) => {
                  setHistPage(1);
                  setHistCluster(v);
                }}
                clusters={clusters.data?.clusters}
                allowAll
                size="xs"
                w={180}
              />
              <TextInput
                label={ts("namespace")}
                placeholder={ts("allNamespacesShort")}
                value={histNs}
                onChange={(e) => setHistNs(e.currentTarget.value)}
                size="xs"
                w={180}
              />
              <Button type="submit" size="xs" variant="default">
                {t("applyFilter")}
              </Button>
              <Tooltip label={ts("refresh")}>
                <ActionIcon variant="default" size="md" aria-label={t("refreshHistory")} onClick={history.reload}>
                  <IconRefresh size={16} aria-hidden />
                </ActionIcon>
              </Tooltip>
            </Group>
          </form>
        </Group>
        <ApiErrorAlert error={history.error} onRetry={history.reload} title={t("historyError")} mb="sm" />
        {history.loading && !history.data ? (
          <LoadingRows rows={4} />
        ) : history.data && history.data.history.length === 0 ? (
          <EmptyState title={t("noHistory")} description={t("noHistoryHint")} />
        ) : history.data ? (
          <>
            <HistoryTable rows={history.data.history} fmt={fmt} />
            {history.data.total > HISTORY_PAGE && (
              <Group justify="space-between" mt="xs">
                <Text size="sm" c="dimmed">
                  {ts("showingOf", { shown: history.data.history.length, total: history.data.total })}
                </Text>
                <Pager total={Math.ceil(history.data.total / HISTORY_PAGE)} value={histPage} onChange={setHistPage} />
              </Group>
            )}
          </>
        ) : null}
      </Paper>

      {canCreate && (
        <CreateRuleModal
          opened={creating}
          onClose={() => setCreating(false)}
          clusters={clusters.data?.clusters}
          onCreated={(r) => {
            setCreating(false);
            notify(ts("created", { name: r.name }));
            rules.reload();
          }}
        />
      )}
    </Stack>
  );
}

function condText(c: Schemas["ConditionView"], t: (k: "for", v?: Record<string, string | number>) => string): string {
  const op = { equals: "=", greater_than: ">", greater_than_or_equal: "≥" }[c.operator] ?? c.operator;
  return `${c.type} ${op} ${c.value}${c.duration_seconds ? ` ${t("for", { s: c.duration_seconds })}` : ""}`;
}

function RulesTable({ rules, fmt }: { rules: RuleView[]; fmt: (s: string | null | undefined) => string }) {
  const t = useT(dict);
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped withTableBorder highlightOnHover aria-labelledby="sh-rules-title" data-testid="sh-rules">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("name")}</Table.Th>
            <Table.Th>{t("status")}</Table.Th>
            <Table.Th>{t("scope")}</Table.Th>
            <Table.Th>{t("conditions")}</Table.Th>
            <Table.Th>{t("actions")}</Table.Th>
            <Table.Th>{t("guards")}</Table.Th>
            <Table.Th>{t("triggers")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rules.map((r) => (
            <Table.Tr key={r.name} data-testid="sh-rule-row">
              <Table.Td>
                <Text size="sm" fw={600}>
                  {r.name}
                </Text>
                {r.description && (
                  <Text size="xs" c="dimmed">
                    {r.description}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Stack gap={4} align="flex-start">
                  <Tooltip label={r.status.message || r.status.reason} multiline maw={360} disabled={!r.status.message && !r.status.reason}>
                    <Badge
                      tabIndex={0}
                      color={r.status.ready === true ? "teal" : r.status.ready === false ? "red" : "gray"}
                      variant="light"
                      tt="none"
                    >
                      {r.status.reason || (r.status.ready ? t("ready") : t("unknown"))}
                    </Badge>
                  </Tooltip>
                  {!r.enabled && (
                    <Badge color="gray" variant="outline">
                      {t("disabled")}
                    </Badge>
                  )}
                  {r.dry_run && (
                    <Badge color="grape" variant="outline">
                      {t("dryRun")}
                    </Badge>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{r.clusters.map((c) => c.cluster_name).join(", ") || "—"}</Text>
                <Text size="xs" c="dimmed">
                  {r.namespaces.length ? r.namespaces.join(", ") : t("allNamespaces")}
                </Text>
                {Object.keys(r.label_selector ?? {}).length > 0 && (
                  <Text size="xs" ff="monospace">
                    {pairsText(r.label_selector)}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                {r.conditions.map((c, i) => (
                  <Text size="xs" ff="monospace" key={i}>
                    {condText(c, t)}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>
                {r.actions.map((a, i) => (
                  <Text size="xs" ff="monospace" key={i}>
                    {a.type}
                    {Object.keys(a.parameters ?? {}).length ? ` (${pairsText(a.parameters)})` : ""}
                  </Text>
                ))}
              </Table.Td>
              <Table.Td>
                <Text size="xs">{t("cooldown", { s: r.cooldown_seconds })}</Text>
                {r.delay_seconds > 0 && <Text size="xs">{t("delay", { s: r.delay_seconds })}</Text>}
                <Text size="xs">{t("maxPerHour", { n: r.max_actions_per_hour, done: r.status.actions_last_hour })}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{r.status.triggers}</Text>
                {r.status.last_triggered && (
                  <Text size="xs" c="dimmed">
                    {fmt(r.status.last_triggered)}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function resultColor(r: string): string {
  if (r === "succeeded") return "teal";
  if (r === "failed") return "red";
  if (r === "dry_run") return "grape";
  return "gray";
}

function HistoryTable({ rows, fmt }: { rows: HistoryView[]; fmt: (s: string | null | undefined) => string }) {
  const t = useT(dict);
  return (
    <Table.ScrollContainer minWidth={1000}>
      <Table striped withTableBorder aria-labelledby="sh-history-title" data-testid="sh-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("time")}</Table.Th>
            <Table.Th>{t("rule")}</Table.Th>
            <Table.Th>{t("resource")}</Table.Th>
            <Table.Th>{t("condition")}</Table.Th>
            <Table.Th>{t("action")}</Table.Th>
            <Table.Th>{t("result")}</Table.Th>
            <Table.Th>{t("message")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td>
                <Text size="xs">{fmt(h.started_at)}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{h.rule}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">
                  {h.resource.kind} {h.resource.namespace ? `${h.resource.namespace}/` : ""}
                  {h.resource.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {h.cluster_name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" ff="monospace">
                  {h.condition}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{h.action}</Text>
              </Table.Td>
              <Table.Td>
                <Badge color={resultColor(h.result)} variant="light" tt="none">
                  {h.dry_run && h.result !== "dry_run" ? `${h.result} (${t("dryRun")})` : h.result}
                </Badge>
              </Table.Td>
              <Table.Td>
                <Text size="xs">{h.message}</Text>
                {h.error && (
                  <Text size="xs" c="red.8">
                    {h.error}
                  </Text>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function CreateRuleModal({
  opened,
  onClose,
  onCreated,
  clusters,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (r: RuleView) => void;
  clusters: Schemas["ClusterSummary"][] | undefined;
}) {
  const t = useT(dict);
  const ts = useT(shared);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [clusterIds, setClusterIds] = useState<string[]>([]);
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [selector, setSelector] = useState<string[]>([]);
  const [conds, setConds] = useState<CondDraft[]>([newCond()]);
  const [actions, setActions] = useState<ActionDraft[]>([newAction()]);
  const [enabled, setEnabled] = useState(true);
  const [dryRun, setDryRun] = useState(false);
  const [cooldown, setCooldown] = useState("5m");
  const [delay, setDelay] = useState("");
  const [maxPerHour, setMaxPerHour] = useState<number | string>(10);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<string | null>(null);

  const setCond = (i: number, p: Partial<CondDraft>) => setConds((cs) => cs.map((c, j) => (j === i ? { ...c, ...p } : c)));
  const setAction = (i: number, p: Partial<ActionDraft>) => setActions((as) => as.map((a, j) => (j === i ? { ...a, ...p } : a)));

  const submit = async () => {
    setError(null);
    setLocal(null);
    const [labels, bad] = parsePairs(selector);
    if (bad.length) {
      setLocal(ts("badPairs", { items: bad.join(", ") }));
      return;
    }
    const num = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim());
    const body: Record<string, unknown> = {
      name: name.trim(),
      enabled,
      dry_run: dryRun,
      cooldown: num(cooldown || "300"),
      max_actions_per_hour: Number(maxPerHour) || 10,
      conditions: conds.map((c) => {
        const o: Record<string, unknown> = {
          type: c.type,
          operator: c.operator,
          value: CONDITIONS[c.type].values ? c.value : num(c.value),
        };
        if (c.duration.trim()) o.duration = num(c.duration);
        return o;
      }),
      actions: actions.map((a) => {
        const p: Record<string, unknown> = {};
        if (a.type === "scale") p.replicas = num(a.replicas);
        if (a.type === "annotate") {
          p.key = a.key.trim();
          p.value = a.value;
        }
        if (a.type === "event") {
          if (a.reason.trim()) p.reason = a.reason.trim();
          if (a.message.trim()) p.message = a.message.trim();
        }
        if (a.type === "rollback_deployment" && a.to_revision.trim()) p.to_revision = num(a.to_revision);
        if (a.delay.trim()) p.delay = num(a.delay);
        return Object.keys(p).length ? { type: a.type, parameters: p } : { type: a.type };
      }),
    };
    if (description.trim()) body.description = description.trim();
    if (clusterIds.length) body.cluster_ids = clusterIds;
    if (namespaces.length) body.namespaces = namespaces;
    if (Object.keys(labels).length) body.label_selector = labels;
    if (delay.trim()) body.delay = num(delay);
    setBusy(true);
    try {
      const r = await callJson<RuleView>("/api/k8s/self-healing/rules/create", { method: "POST", json: body as Partial<CreateRule> });
      onCreated(r);
      setName("");
      setDescription("");
      setConds([newCond()]);
      setActions([newAction()]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={t("createRule")} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput label={t("name")} required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus data-testid="sh-name" />
            <MultiSelect
              label={ts("clusters")}
              description={t("clustersHint")}
              data={(clusters ?? []).map((c) => c.name)}
              value={clusterIds}
              onChange={setClusterIds}
              searchable
              clearable
            />
            <TagsInput label={t("namespaces")} placeholder={t("allNamespaces")} value={namespaces} onChange={setNamespaces} clearable />
            <TagsInput label={t("labelSelector")} description={t("labelSelectorHint")} value={selector} onChange={setSelector} clearable />
          </SimpleGrid>
          <Textarea label={t("description")} autosize minRows={1} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />

          <Title order={3} size="h5">
            {t("conditions")}
          </Title>
          <Text size="xs" c="dimmed">
            {t("conditionsHint")}
          </Text>
          {conds.map((c, i) => {
            const spec = CONDITIONS[c.type];
            return (
              <Paper key={i} withBorder p="sm" role="group" aria-label={t("conditionN", { n: i + 1 })}>
                <Group align="flex-end" gap="sm" wrap="wrap">
                  <Select
                    label={t("conditionType")}
                    data={Object.keys(CONDITIONS).map((k) => ({ value: k, label: t(`cond_${k as CondType}`) }))}
                    value={c.type}
                    onChange={(v) => {
                      const type = (v ?? "pod_status") as CondType;
                      const s = CONDITIONS[type];
                      setCond(i, { type, operator: s.operators[0], value: s.values ? s.values[0] : "1" });
                    }}
                    allowDeselect={false}
                    w={210}
                  />
                  <Select
                    label={t("operator")}
                    data={spec.operators.map((o) => ({ value: o, label: t(`op_${o}`) }))}
                    value={c.operator}
                    onChange={(v) => v && setCond(i, { operator: v })}
                    allowDeselect={false}
                    w={130}
                  />
                  {spec.values ? (
                    <Select
                      label={t("value")}
                      data={[...spec.values]}
                      value={c.value}
                      onChange={(v) => v && setCond(i, { value: v })}
                      allowDeselect={false}
                      w={200}
                    />
                  ) : (
                    <NumberInput label={t("value")} min={0} value={c.value} onChange={(v) => setCond(i, { value: String(v) })} w={120} required />
                  )}
                  <TextInput
                    label={t("duration")}
                    placeholder="5m"
                    value={c.duration}
                    onChange={(e) => setCond(i, { duration: e.currentTarget.value })}
                    w={100}
                  />
                  {conds.length > 1 && (
                    <ActionIcon variant="subtle" color="red" size="lg" aria-label={t("removeConditionN", { n: i + 1 })} onClick={() => setConds((cs) => cs.filter((_, j) => j !== i))}>
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  )}
                </Group>
              </Paper>
            );
          })}
          <Group>
            <Button variant="default" size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setConds((cs) => [...cs, newCond()])} disabled={conds.length >= 16}>
              {t("addCondition")}
            </Button>
          </Group>

          <Title order={3} size="h5">
            {t("actions")}
          </Title>
          <Text size="xs" c="dimmed">
            {t("actionsHint")}
          </Text>
          {actions.map((a, i) => (
            <Paper key={i} withBorder p="sm" role="group" aria-label={t("actionN", { n: i + 1 })}>
              <Group align="flex-end" gap="sm" wrap="wrap">
                <Select
                  label={t("actionType")}
                  data={ACTIONS.map((k) => ({ value: k, label: t(`act_${k}`) }))}
                  value={a.type}
                  onChange={(v) => v && setAction(i, { type: v as ActionType })}
                  allowDeselect={false}
                  w={220}
                />
                {a.type === "scale" && (
                  <NumberInput label={t("replicas")} min={0} required value={a.replicas} onChange={(v) => setAction(i, { replicas: String(v) })} w={110} />
                )}
                {a.type === "rollback_deployment" && (
                  <NumberInput label={t("toRevision")} min={1} value={a.to_revision} onChange={(v) => setAction(i, { to_revision: String(v) })} w={130} />
                )}
                {a.type === "annotate" && (
                  <>
                    <TextInput label={t("annotationKey")} required value={a.key} onChange={(e) => setAction(i, { key: e.currentTarget.value })} w={200} />
                    <TextInput label={t("annotationValue")} value={a.value} onChange={(e) => setAction(i, { value: e.currentTarget.value })} w={160} />
                  </>
                )}
                {a.type === "event" && (
                  <>
                    <TextInput label={t("eventReason")} value={a.reason} onChange={(e) => setAction(i, { reason: e.currentTarget.value })} w={160} />
                    <TextInput label={t("eventMessage")} value={a.message} onChange={(e) => setAction(i, { message: e.currentTarget.value })} w={220} />
                  </>
                )}
                <TextInput label={t("actionDelay")} placeholder="30s" value={a.delay} onChange={(e) => setAction(i, { delay: e.currentTarget.value })} w={100} />
                {actions.length > 1 && (
                  <ActionIcon variant="subtle" color="red" size="lg" aria-label={t("removeActionN", { n: i + 1 })} onClick={() => setActions((as) => as.filter((_, j) => j !== i))}>
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                )}
              </Group>
            </Paper>
          ))}
          <Group>
            <Button variant="default" size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setActions((as) => [...as, newAction()])} disabled={actions.length >= 8}>
              {t("addAction")}
            </Button>
          </Group>

          <Title order={3} size="h5">
            {t("guards")}
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <TextInput label={t("cooldownLabel")} description={t("cooldownHint")} value={cooldown} onChange={(e) => setCooldown(e.currentTarget.value)} />
            <TextInput label={t("delayLabel")} description={t("delayHint")} placeholder="0" value={delay} onChange={(e) => setDelay(e.currentTarget.value)} />
            <NumberInput label={t("maxPerHourLabel")} min={1} value={maxPerHour} onChange={setMaxPerHour} />
          </SimpleGrid>
          <Group>
            <Switch label={t("enabled")} checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
            <Switch label={t("dryRunLabel")} checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
          </Group>
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
            <Button type="submit" loading={busy} disabled={!name.trim()} data-testid="sh-submit">
              {t("create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
