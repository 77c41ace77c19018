// Optimization suggestions of one cluster, each with its evidence; or why they are withheld (never a fake number).
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  Collapse,
  Group,
  NumberInput,
  Paper,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useDebouncedValue, useDisclosure } from "@mantine/hooks";
import { IconHourglass } from "@tabler/icons-react";
import { useState, type ReactNode } from "react";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useT } from "../../i18n";
import { dict } from "./i18n";
import { PricingNote } from "./Report";
import { Missing, useMoney, useNumber, type Suggestion } from "./util";

type OptType = "resource" | "instance" | "storage";

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** A value of `details`/`current`: lists as lists, maps as "key → value" lines, scalars as text. */
function Value({ v }: { v: unknown }) {
  if (Array.isArray(v)) {
    if (v.length === 0) return <Text size="sm" c="dimmed">—</Text>;
    return (
      <Stack gap={0}>
        {v.map((x, i) => (
          <Text key={i} size="sm" ff="monospace">
            {scalar(x)}
          </Text>
        ))}
      </Stack>
    );
  }
  if (isRecord(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return <Text size="sm" c="dimmed">—</Text>;
    return (
      <Stack gap={0}>
        {entries.map(([k, x]) => (
          <Text key={k} size="sm" ff="monospace">
            {k} → {scalar(x)}
          </Text>
        ))}
      </Stack>
    );
  }
  return (
    <Text size="sm" ff="monospace">
      {scalar(v)}
    </Text>
  );
}

function KeyValues({ data }: { data: Record<string, unknown> }) {
  const t = useT(dict);
  const label: Record<string, string> = {
    pods_to_move: t("podsToMove"),
    placement: t("placement"),
    removed_together: t("removedTogether"),
    remaining_nodes: t("remainingNodes"),
  };
  return (
    <Table withRowBorders={false} verticalSpacing={2} horizontalSpacing="xs">
      <Table.Tbody>
        {Object.entries(data).map(([k, v]) => (
          <Table.Tr key={k}>
            <Table.Th w={200} fw={500} style={{ verticalAlign: "top" }}>
              <Text size="sm" c="dimmed">
                {label[k] ?? k}
              </Text>
            </Table.Th>
            <Table.Td>
              <Value v={v} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** current vs recommended: per container (right-sizing) as a table, anything else as key/value pairs. */
function CurrentVsRecommended({ s }: { s: Suggestion }) {
  const t = useT(dict);
  const cur = s.current as Record<string, unknown>;
  const rec = s.recommended as Record<string, unknown>;
  const containers = [...new Set([...Object.keys(cur), ...Object.keys(rec)])];
  const perContainer = containers.length > 0 && containers.every((c) => isRecord(cur[c] ?? {}) && isRecord(rec[c] ?? {}));
  if (perContainer) {
    const fields = [
      ...new Set(containers.flatMap((c) => [...Object.keys((cur[c] as object) ?? {}), ...Object.keys((rec[c] as object) ?? {})])),
    ];
    return (
      <Table withTableBorder verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t("container")}</Table.Th>
            {fields.map((f) => (
              <Table.Th key={f}>
                {f}: {t("current")} → {t("recommended")}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {containers.map((c) => (
            <Table.Tr key={c}>
              <Table.Td ff="monospace">{c}</Table.Td>
              {fields.map((f) => (
                <Table.Td key={f} ff="monospace">
                  {scalar((cur[c] as Record<string, unknown> | undefined)?.[f])} →{" "}
                  <Text span fw={700} ff="monospace" size="sm">
                    {scalar((rec[c] as Record<string, unknown> | undefined)?.[f])}
                  </Text>
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    );
  }
  return (
    <SimpleGrid cols={2}>
      <div>
        <Text size="xs" fw={600} c="dimmed" tt="uppercase">
          {t("current")}
        </Text>
        <KeyValues data={cur} />
      </div>
      <div>
        <Text size="xs" fw={600} c="dimmed" tt="uppercase">
          {t("recommended")}
        </Text>
        <KeyValues data={rec} />
      </div>
    </SimpleGrid>
  );
}

function SuggestionCard({ s, currency }: { s: Suggestion; currency: string }) {
  const t = useT(dict);
  const money = useMoney();
  const [patchOpen, patch] = useDisclosure(false);
  const typeLabel: Record<string, string> = { resource: t("typeResource"), instance: t("typeInstance"), storage: t("typeStorage") };
  const actionLabel: Record<string, string> = {
    patch: t("actionPatch"),
    "cordon-and-drain": t("actionDrain"),
    delete: t("actionDelete"),
  };
  const target = `${s.target.kind} ${s.target.namespace ? s.target.namespace + "/" : ""}${s.target.name}`;
  const saving = s.estimated_monthly_saving;
  const details = s.details as Record<string, unknown>;
  return (
    <Paper withBorder p="md" data-testid="suggestion">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <div>
            <Group gap={6}>
              <Badge variant="light">{typeLabel[s.type] ?? s.type}</Badge>
              <Badge variant="outline" color="gray">
                {actionLabel[s.action] ?? s.action}
              </Badge>
            </Group>
            <Title order={4} size="h5" mt={6}>
              <Anchor component={Link} to={`/resources/object/${encodeURIComponent(s.id)}`} aria-label={t("openTarget", { id: s.id })}>
                {target}
              </Anchor>
            </Title>
          </div>
          <div style={{ textAlign: "right" }}>
            <Text fw={700} c={saving >= 0 ? "green.8" : "red.8"}>
              {saving >= 0 ? t("saving", { amount: money(saving, currency) }) : t("raise", { amount: money(-saving, currency) })}
            </Text>
            <Text size="xs" c="dimmed">
              {t("savingHint")}
            </Text>
          </div>
        </Group>
        <div>
          <Text size="xs" fw={600} c="dimmed" tt="uppercase">
            {t("evidence")}
          </Text>
          <Text size="sm" data-testid="suggestion-reason">
            {s.reason}
          </Text>
        </div>
        <CurrentVsRecommended s={s} />
        {Object.keys(details).length > 0 && <KeyValues data={details} />}
        {s.patch && (
          <div>
            <Button variant="subtle" size="xs" onClick={patch.toggle} aria-expanded={patchOpen} px={4}>
              {patchOpen ? t("hidePatch") : t("showPatch")}
            </Button>
            <Collapse in={patchOpen}>
              <Text size="xs" c="dimmed" mb={4}>
                {t("patch", { type: s.patch_type ?? "merge" })}
              </Text>
              <Code block>{JSON.stringify(s.patch, null, 2)}</Code>
            </Collapse>
          </div>
        )}
      </Stack>
    </Paper>
  );
}

export function OptimizationSection({ clusterId, namespace }: { clusterId: string; namespace: string }) {
  const t = useT(dict);
  const money = useMoney();
  const num = useNumber();
  const [type, setType] = useState<"all" | OptType>("all");
  const [minNodes, setMinNodes] = useState<number | string>(1);
  const [minNodesQ] = useDebouncedValue(minNodes, 400);
  const opt = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/cost/optimization", {
          params: {
            query: {
              cluster_id: clusterId,
              optimization_type: type === "all" ? null : type,
              namespace: namespace || null,
              min_nodes: typeof minNodesQ === "number" && minNodesQ >= 1 ? minNodesQ : 1,
            },
          },
          signal,
        }),
      ),
    [clusterId, type, namespace, minNodesQ],
  );
  const o = opt.data;

  let body: ReactNode;
  if (opt.error && !o) body = <ApiErrorAlert error={opt.error} onRetry={opt.reload} />;
  else if (!o) body = <LoadingRows rows={4} />;
  else {
    const currency = o.currency;
    const ratio = o.required_hours > 0 ? Math.min(100, (o.recorded_hours / o.required_hours) * 100) : 100;
    body = (
      <Stack>
        <ApiErrorAlert error={opt.error} onRetry={opt.reload} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Paper withBorder p="sm" data-testid="recorded-hours">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {t("recordedHours")}
            </Text>
            <Text size="lg" fw={700}>
              {t("recordedValue", { recorded: num(o.recorded_hours, 2), required: num(o.required_hours, 2) })}
            </Text>
            <Progress
              value={ratio}
              mt={6}
              size="sm"
              color={ratio >= 100 ? "green" : "yellow"}
              aria-label={t("recordedValue", { recorded: num(o.recorded_hours, 2), required: num(o.required_hours, 2) })}
            />
          </Paper>
          <Paper withBorder p="sm" data-testid="total-saving">
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {t("totalSaving")}
            </Text>
            <Text size="lg" fw={700}>
              {o.total_estimated_monthly_saving === null ? (
                <Missing reason={o.withheld_reason ?? t("withheldSaving")} inline />
              ) : (
                money(o.total_estimated_monthly_saving, currency)
              )}
            </Text>
          </Paper>
        </SimpleGrid>
        {o.withheld_reason ? (
          <Alert
            color="yellow"
            variant="light"
            icon={<IconHourglass aria-hidden />}
            title={t("withheld")}
            data-testid="withheld-reason"
          >
            {o.withheld_reason}
          </Alert>
        ) : o.suggestions.length === 0 ? (
          <EmptyState title={t("noSuggestions")} description={t("noSuggestionsHint")} />
        ) : (
          <Stack data-testid="suggestions">
            {o.suggestions.map((s) => (
              <SuggestionCard key={`${s.type}:${s.id}`} s={s} currency={currency} />
            ))}
          </Stack>
        )}
        {o.skipped.length > 0 && (
          <div>
            <Title order={4} size="h5">
              {t("skipped", { count: o.skipped.length })}
            </Title>
            <Text size="xs" c="dimmed" mb={4}>
              {t("skippedHint")}
            </Text>
            <Table.ScrollContainer minWidth={600}>
              <Table striped verticalSpacing={4} data-testid="skipped-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("colKind")}</Table.Th>
                    <Table.Th>{t("colName")}</Table.Th>
                    <Table.Th>{t("colReason")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {o.skipped.map((s) => (
                    <Table.Tr key={`${s.kind}:${s.namespace}:${s.name}`}>
                      <Table.Td>{s.kind}</Table.Td>
                      <Table.Td ff="monospace">
                        {s.namespace ? `${s.namespace}/` : ""}
                        {s.name}
                      </Table.Td>
                      <Table.Td>{s.reason}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </div>
        )}
        <PricingNote pricing={o.pricing_source} />
      </Stack>
    );
  }

  return (
    <Stack data-testid="cost-optimization">
      <Group align="flex-end" gap="sm">
        <div>
          <Text size="sm" fw={500} id="opt-type-label" mb={4}>
            {t("optimizationType")}
          </Text>
          <SegmentedControl
            aria-labelledby="opt-type-label"
            value={type}
            onChange={(v) => setType(v as "all" | OptType)}
            data={[
              { value: "all", label: t("typeAll") },
              { value: "resource", label: t("typeResource") },
              { value: "instance", label: t("typeInstance") },
              { value: "storage", label: t("typeStorage") },
            ]}
          />
        </div>
        {(type === "all" || type === "instance") && (
          <NumberInput
            label={t("minNodes")}
            description={t("minNodesHint")}
            value={minNodes}
            onChange={setMinNodes}
            min={1}
            max={10000}
            allowDecimal={false}
            w={240}
          />
        )}
      </Group>
      {body}
    </Stack>
  );
}
