// /ui/resources/compare: same-named objects across two or more clusters (GET /unified/compare).
// The query (cluster_ids, resource_type, namespace, name, label_selector, include_metadata) is the URL's.
import {
  Alert,
  Anchor,
  Autocomplete,
  Badge,
  Breadcrumbs,
  Button,
  Checkbox,
  Code,
  Group,
  List,
  MultiSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconArrowsDiff } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { dict } from "./i18n";
import { COMMON_TYPES, objectPath, useClusterOptions } from "./lib";
import classes from "./resources.module.css";

type Query = {
  cluster_ids: string[];
  resource_type: string;
  namespace: string;
  name: string;
  label_selector: string;
  include_metadata: boolean;
};

function read(sp: URLSearchParams): Query {
  return {
    cluster_ids: (sp.get("cluster_ids") || "").split(",").filter(Boolean),
    resource_type: sp.get("resource_type") || "deployments",
    namespace: sp.get("namespace") || "",
    name: sp.get("name") || "",
    label_selector: sp.get("label_selector") || "",
    include_metadata: sp.get("include_metadata") !== "false",
  };
}

function write(q: Query): URLSearchParams {
  const p = new URLSearchParams();
  if (q.cluster_ids.length) p.set("cluster_ids", q.cluster_ids.join(","));
  if (q.resource_type) p.set("resource_type", q.resource_type);
  if (q.namespace) p.set("namespace", q.namespace);
  if (q.name) p.set("name", q.name);
  if (q.label_selector) p.set("label_selector", q.label_selector);
  if (!q.include_metadata) p.set("include_metadata", "false");
  return p;
}

function show(v: unknown): string {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function Row({
  row,
  clusters,
  type,
  namespace,
}: {
  row: Schemas["ComparisonRow"];
  clusters: Schemas["ComparedCluster"][];
  type: string;
  namespace?: string;
}) {
  const t = useT(dict);
  const missing = row.missing_in.map(String);
  const missingNames = clusters
    .filter((c) => missing.includes(String(c.cluster_id)) || missing.includes(c.cluster_name))
    .map((c) => c.cluster_name);
  const ns = typeof row.namespace === "string" ? row.namespace : "";
  return (
    <Paper withBorder p="sm" data-testid="compare-row">
      <Group justify="space-between" mb={row.differences.length ? "xs" : 0}>
        <Group gap="xs">
          <Title order={3} size="h5">
            {ns ? `${ns}/` : ""}
            {row.resource_name}
          </Title>
          <Badge color={row.identical ? "green" : "orange"} variant="light" tt="none">
            {row.identical ? t("identical") : t("different")}
          </Badge>
          {missingNames.length > 0 && (
            <Badge color="red" variant="outline" tt="none">
              {t("missingIn", { clusters: missingNames.join(", ") })}
            </Badge>
          )}
        </Group>
        {/^[A-Za-z0-9]+$/.test(type) && (
          <Group gap="xs">
            {clusters.map((c) => {
              const where = row[c.key] as { present?: boolean } | undefined;
              if (!where?.present) return null;
              const id = `${c.cluster_id ?? c.cluster_name}:${type.toLowerCase()}:${ns || (namespace ?? "")}:${row.resource_name}`;
              return (
                <Anchor key={c.key} component={Link} to={objectPath(id)} size="sm">
                  {c.cluster_name}
                </Anchor>
              );
            })}
          </Group>
        )}
      </Group>
      {row.differences.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table withTableBorder withColumnBorders verticalSpacing={4} aria-label={`${row.resource_name}: ${t("different")}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("field")}</Table.Th>
                {clusters.map((c) => (
                  <Table.Th key={c.key}>{c.cluster_name}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {row.differences.map((d) => (
                <Table.Tr key={d.field}>
                  <Table.Td>
                    <Code>{d.field}</Code>
                  </Table.Td>
                  {clusters.map((c) => {
                    const v = (d as Record<string, unknown>)[`${c.key}_value`];
                    return (
                      <Table.Td key={c.key} style={{ wordBreak: "break-all" }}>
                        {v === null || v === undefined ? (
                          <Text size="sm" c="dimmed">{t("absent")}</Text>
                        ) : (
                          <Text size="sm" ff="monospace">{show(v)}</Text>
                        )}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

export default function ComparePage() {
  const t = useT(dict);
  const [sp, setSp] = useSearchParams();
  const key = sp.toString();
  const q = read(sp);
  const [draft, setDraft] = useState<Query>(q);
  useEffect(() => setDraft(read(new URLSearchParams(key))), [key]);
  const clusters = useClusterOptions();
  const ready = q.cluster_ids.length >= 2 && !!q.resource_type;

  const result = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/unified/compare", {
          params: {
            query: {
              cluster_ids: q.cluster_ids.join(","),
              resource_type: q.resource_type,
              namespace: q.namespace || undefined,
              name: q.name || undefined,
              label_selector: q.label_selector || undefined,
              include_metadata: q.include_metadata,
            },
          },
          signal,
        }),
      ),
    [key],
    { enabled: ready },
  );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSp(write(draft));
  };
  const data = result.data;

  return (
    <>
      <Breadcrumbs mb="xs" aria-label={t("breadcrumbs")} separator="›">
        <Anchor component={Link} to="/resources" size="sm">
          {t("title")}
        </Anchor>
        <Text size="sm" c="dimmed" aria-current="page">
          {t("compareTitle")}
        </Text>
      </Breadcrumbs>
      <PageHeader title={t("compareTitle")} description={t("compareIntro")} />
      <Paper withBorder p="sm" mb="md" component="form" onSubmit={submit} aria-label={t("compareTitle")}>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <MultiSelect
            label={t("compareClusters")}
            data={clusters.data ?? []}
            value={draft.cluster_ids}
            onChange={(v) => setDraft((d) => ({ ...d, cluster_ids: v }))}
            searchable
            clearable
            w={280}
            error={draft.cluster_ids.length === 1 ? t("compareNeedTwo") : undefined}
            classNames={{ error: classes.fieldError }}
            data-testid="compare-clusters"
          />
          <Autocomplete
            label={t("resourceType")}
            data={COMMON_TYPES}
            value={draft.resource_type}
            onChange={(v) => setDraft((d) => ({ ...d, resource_type: v }))}
            w={200}
            required
          />
          <TextInput
            label={t("namespace")}
            placeholder={t("namespacePlaceholder")}
            value={draft.namespace}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setDraft((d) => ({ ...d, namespace: v }));
            }}
            w={180}
          />
          <TextInput
            label={t("objectName")}
            placeholder={t("objectNamePlaceholder")}
            value={draft.name}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setDraft((d) => ({ ...d, name: v }));
            }}
            w={180}
          />
          <TextInput
            label={t("labelSelector")}
            placeholder={t("labelSelectorPlaceholder")}
            value={draft.label_selector}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setDraft((d) => ({ ...d, label_selector: v }));
            }}
            w={220}
          />
          <Checkbox
            label={t("includeMetadata")}
            checked={draft.include_metadata}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              setDraft((d) => ({ ...d, include_metadata: v }));
            }}
            mb={8}
          />
          <Button type="submit" leftSection={<IconArrowsDiff size={16} aria-hidden />} disabled={draft.cluster_ids.length < 2}>
            {t("runCompare")}
          </Button>
        </Group>
      </Paper>

      {!ready ? (
        <EmptyState title={t("compareTitle")} description={q.cluster_ids.length === 1 ? t("compareNeedTwo") : t("compareStart")} />
      ) : result.loading && !data ? (
        <LoadingRows rows={5} />
      ) : result.error ? (
        <ApiErrorAlert error={result.error} onRetry={result.reload} />
      ) : data ? (
        <Stack gap="sm">
          {data.errors.length > 0 && (
            <Alert color="orange" variant="light" title={t("clusterErrors")}>
              <List size="sm">
                {data.errors.map((e) => (
                  <List.Item key={`${e.cluster_name}-${e.code}`}>
                    <Text span fw={600} size="sm">{e.cluster_name}</Text>: {e.error} (HTTP {e.status})
                  </List.Item>
                ))}
              </List>
            </Alert>
          )}
          <Group gap="xs" data-testid="compare-summary">
            <Badge variant="light" color="gray" tt="none">{t("summaryResources", { n: data.summary.resources })}</Badge>
            <Badge variant="light" color="green" tt="none">{t("summaryIdentical", { n: data.summary.identical })}</Badge>
            <Badge variant="light" color="orange" tt="none">{t("summaryDifferent", { n: data.summary.different })}</Badge>
          </Group>
          {data.comparison.length === 0 ? (
            <EmptyState title={t("noneCompared")} />
          ) : (
            data.comparison.map((row) => (
              <Row
                key={`${String(row.namespace ?? "")}/${row.resource_name}`}
                row={row}
                clusters={data.clusters}
                type={q.resource_type}
                namespace={q.namespace}
              />
            ))
          )}
        </Stack>
      ) : null}
    </>
  );
}
