// /ui/policies/labels: label policies. Create one (POST /api/k8s/labels/policies/create), check a cluster
// against one (POST /api/k8s/labels/compliance/check) and see the violating objects.
// The API has no list of label policies: the policies created from this browser are remembered locally,
// and any policy can be checked by its id or name.
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
import { IconChecklist, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { callJson, type Schemas } from "../../api/client";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { useFormatDate, useT, type TFunc } from "../../i18n";
import { labels as dict, shared } from "./i18n";
import { ClusterSelect, ScoreDisplay, defaultCluster, lines, parsePairs, useClusters, useParam, useNotify } from "./shared";

type PolicyView = Schemas["labels.PolicyView"];
type PolicyBody = Schemas["PolicyBody"];
type ComplianceResult = Schemas["ComplianceResult"];
type Remembered = { id: number | null; name: string; cluster: string | null; created: string | null };

const STORE = "cloudops.labelPolicies";
const TYPES = ["*", "deployments", "statefulsets", "daemonsets", "services", "pods", "configmaps", "jobs", "cronjobs", "ingresses"];

function loadRemembered(): Remembered[] {
  try {
    const v = JSON.parse(localStorage.getItem(STORE) || "[]");
    return Array.isArray(v) ? (v as Remembered[]).filter((x) => x && typeof x.name === "string").slice(0, 50) : [];
  } catch {
    return [];
  }
}

function remember(p: PolicyView): Remembered[] {
  const list = [
    { id: p.id, name: p.name, cluster: p.cluster_name, created: p.created_at },
    ...loadRemembered().filter((x) => x.name !== p.name),
  ].slice(0, 50);
  try {
    localStorage.setItem(STORE, JSON.stringify(list));
  } catch {
    /* storage unavailable */
  }
  return list;
}

export default function LabelsPage() {
  const t = useT(dict);
  const ts = useT(shared);
  const notify = useNotify();
  const clusters = useClusters();
  const canCreate = useCan("labels", "create");
  const [remembered, setRemembered] = useState<Remembered[]>(loadRemembered);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<PolicyView | null>(null);

  const [policy, setPolicy] = useParam("policy");
  const [clusterParam, setCluster] = useParam("cluster");
  const cluster = clusterParam || defaultCluster(clusters.data?.clusters);
  const [namespace, setNamespace] = useState("");
  const [types, setTypes] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [result, setResult] = useState<ComplianceResult | null>(null);

  const check = async (policyRef = policy) => {
    if (!policyRef.trim()) return;
    setChecking(true);
    setCheckError(null);
    const ref = /^\d+$/.test(policyRef.trim()) ? Number(policyRef.trim()) : policyRef.trim();
    const body: Partial<Schemas["ComplianceBody"]> = { policy_id: ref, cluster_id: cluster || null };
    if (namespace.trim()) body.namespace = namespace.trim();
    if (types.length) body.resource_types = types;
    try {
      setResult(await callJson<ComplianceResult>("/api/k8s/labels/compliance/check", { method: "POST", json: body }));
    } catch (e) {
      setResult(null);
      setCheckError(e);
    } finally {
      setChecking(false);
    }
  };

  const onCreated = (p: PolicyView) => {
    setRemembered(remember(p));
    setCreated(p);
    setCreating(false);
    setPolicy(p.name);
    if (p.cluster_name) setCluster(p.cluster_name);
    notify(ts("created", { name: p.name }));
  };

  return (
    <Stack gap="md">
      <Paper withBorder p="md" component="section" aria-labelledby="labels-check-title">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="labels-check-title">
            {t("checkTitle")}
          </Title>
          {canCreate && (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)} data-testid="label-policy-create">
              {t("createPolicy")}
            </Button>
          )}
        </Group>
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
              data={remembered.map((r) => r.name)}
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

      {created && <CreatedPolicy policy={created} />}

      <Paper withBorder p="md" component="section" aria-labelledby="labels-known-title">
        <Title order={2} size="h4" id="labels-known-title">
          {t("knownTitle")}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t("knownHint")}
        </Text>
        {remembered.length === 0 ? (
          <EmptyState title={t("noKnown")} />
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table striped withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("id")}</Table.Th>
                  <Table.Th>{t("name")}</Table.Th>
                  <Table.Th>{ts("cluster")}</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>{t("actions")}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {remembered.map((r) => (
                  <Table.Tr key={r.name}>
                    <Table.Td>{r.id ?? "—"}</Table.Td>
                    <Table.Td>{r.name}</Table.Td>
                    <Table.Td>{r.cluster ?? t("everyCluster")}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        onClick={() => {
                          setPolicy(r.name);
                          if (r.cluster) setCluster(r.cluster);
                          void check(r.name);
                        }}
                        aria-label={t("checkPolicy", { name: r.name })}
                      >
                        {t("check")}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
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

function CreatedPolicy({ policy }: { policy: PolicyView }) {
  const t = useT(dict);
  const fmt = useFormatDate();
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="labels-created-title" data-testid="label-policy-created">
      <Title order={2} size="h4" id="labels-created-title" mb="xs">
        {t("createdTitle", { name: policy.name })}
      </Title>
      <Group gap="xs" mb="xs">
        <Badge variant="light">#{policy.id ?? "—"}</Badge>
        <Badge variant="light" color="grape">
          {policy.enforcement}
        </Badge>
        <Badge variant="light" color={policy.enabled ? "teal" : "gray"}>
          {policy.enabled ? t("enabled") : t("disabled")}
        </Badge>
        <Text size="sm">
          {policy.cluster_name ?? t("everyCluster")} · {t("every", { n: policy.check_interval_seconds })} · {fmt(policy.created_at)}
        </Text>
      </Group>
      <List size="sm">
        {policy.rules.map((r, i) => (
          <List.Item key={i}>
            <Code>{r.resource_type}</Code> {ruleText(r, t)}
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}

function ruleText(r: Schemas["PolicyRuleView"], t: TFunc<keyof typeof dict.en>): string {
  const parts: string[] = [];
  if (r.required_labels?.length) parts.push(`${t("required")}: ${r.required_labels.join(", ")}`);
  if (r.forbidden_labels?.length) parts.push(`${t("forbidden")}: ${r.forbidden_labels.join(", ")}`);
  const pats = Object.entries(r.label_patterns ?? {});
  if (pats.length) parts.push(`${t("patterns")}: ${pats.map(([k, v]) => `${k}~${v}`).join(", ")}`);
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
