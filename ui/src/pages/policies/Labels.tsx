// /ui/policies/labels: label policies. Every LabelPolicy in the hub, those created here and those applied with
// kubectl (GET /api/k8s/labels/policies/list, paged, with what the operator last found); create one
// (POST /api/k8s/labels/policies/create); check a cluster against one (POST /api/k8s/labels/compliance/check)
// from the form or from a policy's row (which fills the form in) and see the violating objects.
import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Code,
  Group,
  List,
  Modal,
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
  VisuallyHidden,
} from "@mantine/core";
import { IconChecklist, IconPlus, IconRefresh, IconTrash } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { api, call, callJson, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useFormatDate, useT, type TFunc } from "../../i18n";
import { labels as dict, shared } from "./i18n";
import { Pager } from "../../components/Pager";
import { ClusterSelect, defaultCluster, useClusters } from "../../components/ClusterSelect";
import { ScoreDisplay, lines, parsePairs, useParam, useNotify } from "./shared";

type PolicyView = Schemas["labels.PolicyView"];
type PolicyStatus = Schemas["PolicyStatusView"];
type PolicyBody = Schemas["PolicyBody"];
type ComplianceResult = Schemas["ComplianceResult"];
type T = TFunc<keyof typeof dict.en>;

const PAGE = 20;
/** Table badges keep their whole word (a narrow cell would otherwise cut it to "ENABL…"). */
const WHOLE = { label: { overflow: "visible" } } as const;
const SHOWN_RULES = 3;
const TYPES = ["*", "deployments", "statefulsets", "daemonsets", "services", "pods", "configmaps", "jobs", "cronjobs", "ingresses"];

/** The operator's last check of a policy, as the list shows it. */
type LastCheck = {
  /** the Compliant condition: True, False, Unknown; null before the first check */
  compliant: "True" | "False" | "Unknown" | null;
  /** its reason: NoViolations, Violations, NothingChecked (or why the check failed) */
  reason: string | null;
  checked: number | null;
  violations: number | null;
  /** the Ready condition's reason when the last check failed (not when the policy is merely disabled) */
  failed: string | null;
  time: string | null;
};

/**
 * The list's status carries the operator's counts (compliant + violations = checked) and its Ready condition;
 * the Compliant condition follows from them as the operator sets it: False with violations, True without,
 * Unknown/NothingChecked when nothing was checked (never "compliant" over nothing; a failed check over nothing
 * is Unknown with the failure's reason).
 */
function lastCheck(s: PolicyStatus): LastCheck {
  const failed = s.ready === false && s.reason !== "Disabled" ? (s.reason ?? "NotReady") : null;
  if (!s.last_check_time && s.compliant_count === null && s.violation_count === null) {
    return { compliant: null, reason: null, checked: null, violations: null, failed, time: null };
  }
  const violations = s.violation_count ?? 0;
  const checked = (s.compliant_count ?? 0) + violations;
  const [compliant, reason]: [LastCheck["compliant"], string] =
    violations > 0 ? ["False", "Violations"] : checked === 0 ? ["Unknown", failed ?? "NothingChecked"] : ["True", "NoViolations"];
  return { compliant, reason, checked, violations, failed, time: s.last_check_time };
}

export default function LabelsPage() {
  const t = useT(dict);
  const ts = useT(shared);
  const notify = useNotify();
  const clusters = useClusters();
  const canCreate = useCan("labels", "create");
  const [creating, setCreating] = useState(false);
  const [page, setPage] = useState(1);

  const list = useApi(
    (signal) =>
      call(api.GET("/api/k8s/labels/policies/list", { params: { query: { limit: PAGE, offset: (page - 1) * PAGE } }, signal })),
    [page],
    { intervalMs: 30_000 },
  );
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  useEffect(() => {
    if (list.data && page > pages) setPage(pages); // policies deleted meanwhile
  }, [list.data, page, pages]);

  const [policy, setPolicy] = useParam("policy");
  const [clusterParam, setCluster] = useParam("cluster");
  const [, setSearch] = useSearchParams();
  /** The form's policy and (when given) cluster, in one URL change (two would each start from the same URL). */
  const choose = (name: string, clusterName: string | null) =>
    setSearch(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set("policy", name);
        if (clusterName) next.set("cluster", clusterName);
        return next;
      },
      { replace: true },
    );
  const cluster = clusterParam || defaultCluster(clusters.data?.clusters);
  const [namespace, setNamespace] = useState("");
  const [types, setTypes] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [result, setResult] = useState<ComplianceResult | null>(null);
  const checkTitle = useRef<HTMLHeadingElement>(null);
  const latest = useRef(0);

  const check = async (over: { policy?: string; cluster?: string; namespace?: string; types?: string[] } = {}) => {
    const ref = (over.policy ?? policy).trim();
    if (!ref) return;
    const ns = (over.namespace ?? namespace).trim();
    const ty = over.types ?? types;
    const body: Partial<Schemas["ComplianceBody"]> = {
      policy_id: /^\d+$/.test(ref) ? Number(ref) : ref,
      cluster_id: (over.cluster ?? cluster) || null,
    };
    if (ns) body.namespace = ns;
    if (ty.length) body.resource_types = ty;
    const mine = ++latest.current; // only the last check's answer is shown
    setChecking(true);
    setCheckError(null);
    try {
      const r = await callJson<ComplianceResult>("/api/k8s/labels/compliance/check", { method: "POST", json: body });
      if (mine === latest.current) setResult(r);
    } catch (e) {
      if (mine === latest.current) {
        setResult(null);
        setCheckError(e);
      }
    } finally {
      if (mine === latest.current) setChecking(false);
    }
  };

  /** A row's "Check": the form filled in with the policy (its cluster, if it names one) and run. */
  const checkPolicy = (p: PolicyView) => {
    const cl = p.cluster_name || cluster;
    choose(p.name, p.cluster_name);
    setNamespace("");
    setTypes([]);
    checkTitle.current?.scrollIntoView({ block: "start" });
    checkTitle.current?.focus({ preventScroll: true });
    void check({ policy: p.name, cluster: cl, namespace: "", types: [] });
  };

  const onCreated = (p: PolicyView) => {
    setCreating(false);
    choose(p.name, p.cluster_name);
    notify(ts("created", { name: p.name }));
    list.reload();
  };

  return (
    <Stack gap="md">
      <Paper withBorder p="md" component="section" aria-labelledby="labels-list-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="labels-list-title">
            {t("listTitle")}
            {list.data ? ` (${total})` : ""}
          </Title>
          <Group gap="xs">
            <Tooltip label={ts("refresh")}>
              <ActionIcon variant="default" size="lg" aria-label={t("refreshList")} onClick={list.reload} data-testid="label-policies-refresh">
                <IconRefresh size={16} aria-hidden />
              </ActionIcon>
            </Tooltip>
            {canCreate && (
              <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)} data-testid="label-policy-create">
                {t("createPolicy")}
              </Button>
            )}
          </Group>
        </Group>
        <ApiErrorAlert error={list.error} onRetry={list.reload} title={t("listError")} mb="sm" />
        {list.loading && !list.data ? (
          <LoadingRows rows={3} />
        ) : list.data && list.data.policies.length === 0 && total === 0 ? (
          <EmptyState title={t("noPolicies")} description={t("noPoliciesHint")} />
        ) : list.data ? (
          <>
            <PolicyTable policies={list.data.policies} onCheck={checkPolicy} />
            {total > PAGE && (
              <Group justify="space-between" mt="xs">
                <Text size="sm" c="dimmed">
                  {ts("showingOf", { shown: list.data.policies.length, total })}
                </Text>
                <Pager total={pages} value={page} onChange={setPage} />
              </Group>
            )}
          </>
        ) : null}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="labels-check-title">
        <Title order={2} size="h4" id="labels-check-title" mb="sm" ref={checkTitle} tabIndex={-1}>
          {t("checkTitle")}
        </Title>
        <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} title={ts("clustersError")} mb="sm" />
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void check();
          }}
        >
          <SimpleGrid cols={{ base: 1, md: 4 }} spacing="sm">
            <Autocomplete
              label={t("policy")}
              description={t("policyHint")}
              placeholder={t("policyPlaceholder")}
              data={(list.data?.policies ?? []).map((p) => p.name)}
              value={policy}
              onChange={setPolicy}
              required
              data-testid="label-check-policy"
            />
            <ClusterSelect value={cluster} onChange={setCluster} clusters={clusters.data?.clusters} w="auto" description={t("clusterHint")} />
            <TextInput
              label={ts("namespace")}
              description={t("namespaceHint")}
              placeholder={ts("allNamespacesShort")}
              value={namespace}
              onChange={(e) => setNamespace(e.currentTarget.value)}
            />
            <TagsInput
              label={t("resourceTypes")}
              description={t("resourceTypesHint")}
              data={TYPES.filter((x) => x !== "*")}
              value={types}
              onChange={setTypes}
              clearable
            />
          </SimpleGrid>
          <Group mt="md">
            <Button
              type="submit"
              leftSection={<IconChecklist size={16} aria-hidden />}
              loading={checking}
              disabled={!policy.trim()}
              data-testid="label-check-run"
            >
              {t("check")}
            </Button>
          </Group>
        </form>
        <ApiErrorAlert error={checkError} title={t("checkError")} mt="sm" />
        {result && <CheckResult result={result} />}
      </Paper>

      {canCreate && (
        <CreatePolicyModal
          opened={creating}
          onClose={() => setCreating(false)}
          onCreated={onCreated}
          clusters={clusters.data?.clusters}
        />
      )}
    </Stack>
  );
}

function PolicyTable({ policies, onCheck }: { policies: PolicyView[]; onCheck: (p: PolicyView) => void }) {
  const t = useT(dict);
  const ts = useT(shared);
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped withTableBorder verticalSpacing="xs" aria-label={t("listTitle")} data-testid="label-policies">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("name")}</Table.Th>
            <Table.Th>{t("enforcement")}</Table.Th>
            <Table.Th>{t("scope")}</Table.Th>
            <Table.Th>{t("rules")}</Table.Th>
            <Table.Th>{t("enabledCol")}</Table.Th>
            <Table.Th>{t("lastCheck")}</Table.Th>
            <Table.Th>
              <VisuallyHidden>{t("actions")}</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {policies.map((p) => (
            <Table.Tr key={p.name} data-testid="label-policy-row" data-policy={p.name}>
              <Table.Td maw={220}>
                <Text size="sm" fw={600} style={{ overflowWrap: "anywhere" }}>
                  {p.name}
                </Text>
                {(p.id !== null || p.description) && (
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {[p.id !== null ? `#${p.id}` : "", p.description ?? ""].filter(Boolean).join(" · ")}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge styles={WHOLE} variant="light" color={p.enforcement === "audit" ? "gray" : p.enforcement === "warn" ? "yellow" : "grape"}>
                  {p.enforcement}
                </Badge>
              </Table.Td>
              <Table.Td data-testid="label-policy-scope">
                <Text size="sm">{p.cluster_name ?? t("everyCluster")}</Text>
                <Text size="xs" c="dimmed">
                  {p.namespaces.length ? p.namespaces.join(", ") : ts("allNamespacesShort")}
                  {p.excluded_namespaces.length ? ` · ${t("except", { ns: p.excluded_namespaces.join(", ") })}` : ""}
                </Text>
              </Table.Td>
              <Table.Td maw={360} data-testid="label-policy-rules">
                <Stack gap={2}>
                  {p.rules.slice(0, SHOWN_RULES).map((r, i) => (
                    <Text size="xs" key={i}>
                      <Code>{r.resource_type}</Code> {ruleText(r, t)}
                    </Text>
                  ))}
                  {p.rules.length > SHOWN_RULES && (
                    <Text size="xs" c="dimmed">
                      {t("moreRules", { n: p.rules.length - SHOWN_RULES })}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <Badge styles={WHOLE} variant="light" color={p.enabled ? "teal" : "gray"}>
                  {p.enabled ? t("enabled") : t("disabled")}
                </Badge>
                <Text size="xs" c="dimmed">
                  {t("every", { n: p.check_interval_seconds })}
                </Text>
              </Table.Td>
              <Table.Td>
                <LastCheckCell status={p.status} />
              </Table.Td>
              <Table.Td>
                <Button
                  size="xs"
                  variant="light"
                  leftSection={<IconChecklist size={14} aria-hidden />}
                  onClick={() => onCheck(p)}
                  aria-label={t("checkPolicy", { name: p.name })}
                  data-testid="label-policy-check"
                >
                  {t("check")}
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function LastCheckCell({ status }: { status: PolicyStatus }) {
  const t = useT(dict);
  const fmt = useFormatDate();
  const c = lastCheck(status);
  const badge =
    c.compliant === "True" ? (
      <Badge styles={WHOLE} color="teal" variant="light">
        {t("condTrue")}
      </Badge>
    ) : c.compliant === "False" ? (
      <Badge styles={WHOLE} color="red" variant="light">
        {t("condFalse")}
      </Badge>
    ) : c.compliant === "Unknown" ? (
      <Badge styles={WHOLE} color="gray" variant="light">
        {t("condUnknown")}
      </Badge>
    ) : (
      <Badge styles={WHOLE} color="gray" variant="outline">
        {t("notChecked")}
      </Badge>
    );
  return (
    <Stack gap={2} data-testid="label-policy-status" data-compliant={c.compliant ?? "none"} data-reason={c.reason ?? ""}>
      <Group gap={6}>
        {badge}
        {c.compliant === "Unknown" && c.reason && (
          <Text size="xs" ff="monospace" data-testid="label-policy-reason">
            {c.reason}
          </Text>
        )}
      </Group>
      {c.compliant === "Unknown" && c.reason === "NothingChecked" && (
        <Text size="xs" c="dimmed">
          {t("nothingChecked")}
        </Text>
      )}
      {c.checked !== null && (
        <Text size="xs" data-testid="label-policy-counts">
          {t("checkedViolations", { checked: c.checked, violations: c.violations })}
        </Text>
      )}
      {c.failed && (
        <Text size="xs" c="var(--mantine-color-error)">
          {t("checkFailed", { reason: c.failed })}
        </Text>
      )}
      {c.time && (
        <Text size="xs" c="dimmed">
          {fmt(c.time)}
        </Text>
      )}
    </Stack>
  );
}

function CheckResult({ result }: { result: ComplianceResult }) {
  const t = useT(dict);
  // Nothing checked: the API answers score and compliant null and says why in score_reason.
  const nothing = result.score === null;
  return (
    <Stack gap="sm" mt="md" data-testid="label-check-result">
      <Group align="flex-start" gap="xl" wrap="wrap">
        <ScoreDisplay score={result.score} reason={result.score_reason} label={t("score")} testId="label-score" />
        <Stack gap={6}>
          <Group gap="xs">
            <Badge color={result.compliant === null ? "gray" : result.compliant ? "teal" : "red"} variant="light">
              {result.compliant === null ? t("nothing") : result.compliant ? t("compliant") : t("notCompliant")}
            </Badge>
            <Badge variant="outline" color="gray">
              {t("checked", { n: result.checked })}
            </Badge>
            <Badge variant="light" color="teal">
              {t("compliantCount", { n: result.compliant_count })}
            </Badge>
            <Badge variant="light" color="red">
              {t("violationCount", { n: result.violation_count })}
            </Badge>
          </Group>
          <Text size="sm">
            {t("policy")}: {result.policy_name} {result.policy_id !== null ? `(#${result.policy_id})` : ""} · {result.cluster_name}
            {result.namespace ? ` · ${result.namespace}` : ""}
          </Text>
        </Stack>
      </Group>
      {result.notes.length > 0 && (
        <List size="sm">
          {result.notes.map((n, i) => (
            <List.Item key={i}>{n}</List.Item>
          ))}
        </List>
      )}
      {result.violations.length === 0 ? (
        !nothing && <EmptyState title={t("noViolations")} />
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table striped withTableBorder highlightOnHover data-testid="label-violations" aria-label={t("violationsTitle")}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("object")}</Table.Th>
                <Table.Th>{t("missing")}</Table.Th>
                <Table.Th>{t("forbidden")}</Table.Th>
                <Table.Th>{t("invalid")}</Table.Th>
                <Table.Th>{t("message")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.violations.map((v) => (
                <Table.Tr key={v.id}>
                  <Table.Td>
                    <Text size="sm">
                      {v.resource_type} {v.namespace ? `${v.namespace}/` : ""}
                      {v.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {v.missing_labels.map((l) => (
                        <Badge key={l} color="red" variant="light" tt="none">
                          {l}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {v.forbidden_labels.map((l) => (
                        <Badge key={l} color="orange" variant="light" tt="none">
                          {l}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {v.invalid_labels.map((m) => (
                      <Text size="xs" key={m.label} ff="monospace">
                        {m.label}={m.value} {m.pattern ? `!~ ${m.pattern}` : m.allowed ? `∉ {${m.allowed.join(", ")}}` : ""}
                      </Text>
                    ))}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{v.message}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function ruleText(r: Schemas["PolicyRuleView"], t: T): string {
  const parts: string[] = [];
  if (r.required_labels?.length) parts.push(`${t("required")}: ${r.required_labels.join(", ")}`);
  if (r.forbidden_labels?.length) parts.push(`${t("forbidden")}: ${r.forbidden_labels.join(", ")}`);
  const pats = Object.entries(r.label_patterns ?? {});
  if (pats.length) parts.push(`${t("patterns")}: ${pats.map(([k, v]) => `${k}~${v}`).join(", ")}`);
  const allowed = Object.entries(r.allowed_values ?? {});
  if (allowed.length) parts.push(`${t("allowed")}: ${allowed.map(([k, v]) => `${k}∈{${v.join(", ")}}`).join(", ")}`);
  return parts.join(" · ");
}

type RuleDraft = { resource_type: string; required: string[]; forbidden: string[]; patterns: string };
const emptyRule = (): RuleDraft => ({ resource_type: "deployments", required: [], forbidden: [], patterns: "" });

function CreatePolicyModal({
  opened,
  onClose,
  onCreated,
  clusters,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (p: PolicyView) => void;
  clusters: Schemas["ClusterSummary"][] | undefined;
}) {
  const t = useT(dict);
  const ts = useT(shared);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [cluster, setCluster] = useState("");
  const [enforcement, setEnforcement] = useState<PolicyBody["enforcement"]>("audit");
  const [namespaces, setNamespaces] = useState<string[]>([]);
  const [excluded, setExcluded] = useState<string[]>([]);
  const [interval, setCheckInterval] = useState<number | string>(300);
  const [rules, setRules] = useState<RuleDraft[]>([emptyRule()]);
  const [remediate, setRemediate] = useState(false);
  const [defaults, setDefaults] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<string | null>(null);

  const setRule = (i: number, patch: Partial<RuleDraft>) => setRules((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const submit = async () => {
    setError(null);
    setLocal(null);
    const body: Partial<PolicyBody> = {
      name: name.trim(),
      enforcement,
      check_interval_seconds: Number(interval) || 300,
      rules: [],
    };
    if (description.trim()) body.description = description.trim();
    if (cluster) body.cluster_id = cluster;
    if (namespaces.length) body.namespaces = namespaces;
    if (excluded.length) body.excluded_namespaces = excluded;
    for (const r of rules) {
      const [patterns, bad] = parsePairs(lines(r.patterns));
      if (bad.length) {
        setLocal(ts("badPairs", { items: bad.join(", ") }));
        return;
      }
      const rule: Schemas["PolicyRule"] = { resource_type: r.resource_type.trim() };
      if (r.required.length) rule.required_labels = r.required;
      if (r.forbidden.length) rule.forbidden_labels = r.forbidden;
      if (Object.keys(patterns).length) rule.label_patterns = patterns;
      body.rules!.push(rule);
    }
    if (remediate) {
      const [d, bad] = parsePairs(defaults);
      if (bad.length) {
        setLocal(ts("badPairs", { items: bad.join(", ") }));
        return;
      }
      body.remediation = { enabled: true, default_labels: d };
    }
    setBusy(true);
    try {
      const p = await callJson<PolicyView>("/api/k8s/labels/policies/create", { method: "POST", json: body });
      onCreated(p);
      setName("");
      setDescription("");
      setRules([emptyRule()]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={t("createPolicy")} size="xl">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput label={t("name")} required value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="label-policy-name" data-autofocus />
            <Select
              label={t("enforcement")}
              description={t("enforcementHint")}
              data={[
                { value: "audit", label: t("enf_audit") },
                { value: "warn", label: t("enf_warn") },
                { value: "enforce", label: t("enf_enforce") },
              ]}
              value={enforcement}
              onChange={(v) => v && setEnforcement(v as PolicyBody["enforcement"])}
              allowDeselect={false}
            />
            <ClusterSelect value={cluster} onChange={setCluster} clusters={clusters} allowAll w="auto" description={t("policyClusterHint")} />
            <NumberInput label={t("interval")} min={30} max={86400} value={interval} onChange={setCheckInterval} />
            <TagsInput label={t("namespaces")} placeholder={ts("allNamespacesShort")} value={namespaces} onChange={setNamespaces} clearable />
            <TagsInput label={t("excluded")} value={excluded} onChange={setExcluded} clearable />
          </SimpleGrid>
          <Textarea label={t("description")} autosize minRows={1} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
          <Title order={3} size="h5">
            {t("rules")}
          </Title>
          {rules.map((r, i) => (
            <Paper key={i} withBorder p="sm" role="group" aria-label={t("ruleN", { n: i + 1 })}>
              <Group justify="space-between" mb={4}>
                <Text size="sm" fw={600}>
                  {t("ruleN", { n: i + 1 })}
                </Text>
                {rules.length > 1 && (
                  <Tooltip label={t("removeRule")}>
                    <ActionIcon variant="subtle" color="red" aria-label={t("removeRuleN", { n: i + 1 })} onClick={() => setRules((rs) => rs.filter((_, j) => j !== i))}>
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Group>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <Autocomplete
                  label={t("resourceType")}
                  description={t("resourceTypeHint")}
                  data={TYPES}
                  value={r.resource_type}
                  onChange={(v) => setRule(i, { resource_type: v })}
                  required
                />
                <TagsInput
                  label={t("required")}
                  value={r.required}
                  onChange={(v) => setRule(i, { required: v })}
                  data-testid={`label-rule-required-${i}`}
                />
                <TagsInput label={t("forbidden")} value={r.forbidden} onChange={(v) => setRule(i, { forbidden: v })} />
                <Textarea
                  label={t("patterns")}
                  description={t("patternsHint")}
                  autosize
                  minRows={1}
                  value={r.patterns}
                  onChange={(e) => setRule(i, { patterns: e.currentTarget.value })}
                  styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
                />
              </SimpleGrid>
            </Paper>
          ))}
          <Group>
            <Button variant="default" size="xs" leftSection={<IconPlus size={14} aria-hidden />} onClick={() => setRules((rs) => [...rs, emptyRule()])} disabled={rules.length >= 32}>
              {t("addRule")}
            </Button>
          </Group>
          <Switch label={t("remediation")} description={t("remediationHint")} checked={remediate} onChange={(e) => setRemediate(e.currentTarget.checked)} />
          {remediate && (
            <TagsInput label={t("defaultLabels")} description={t("defaultLabelsHint")} value={defaults} onChange={setDefaults} />
          )}
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
            <Button type="submit" loading={busy} disabled={!name.trim()} data-testid="label-policy-submit">
              {t("create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
