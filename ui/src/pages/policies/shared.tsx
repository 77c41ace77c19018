// Pieces shared by the policies sub-pages: the cluster list and picker, key=value parsing,
// a small SVG sparkline, the score display and the colour of a usage percentage.
import { Badge, Group, Pagination, RingProgress, Select, Stack, Text, Tooltip, type SelectProps } from "@mantine/core";
import { useCallback, useMemo, type ReactNode } from "react";
import { notifications } from "@mantine/notifications";
import { useSearchParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useT } from "../../i18n";
import { shared } from "./i18n";

export type ClusterSummary = Schemas["ClusterSummary"];

/** Every registered cluster (up to 1,000), for pickers. */
export function useClusters() {
  return useApi(
    (signal) => call(api.GET("/api/k8s/clusters/list", { params: { query: { limit: 1000 } }, signal })),
    [],
  );
}

/** A search parameter as state (bookmarkable): `[value, set]`; empty string removes it. */
export function useParam(name: string, fallback = ""): [string, (v: string) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get(name) ?? fallback;
  const set = (v: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v) n.set(name, v);
        else n.delete(name);
        return n;
      },
      { replace: true },
    );
  return [value, set];
}

/**
 * Cluster picker (by name). `allowAll` adds an "All clusters" choice (value "").
 * Shows a loader while the list loads; the list's error is left to the page.
 */
export function ClusterSelect({
  value,
  onChange,
  allowAll,
  clusters,
  label,
  required,
  ...rest
}: {
  value: string;
  onChange: (v: string) => void;
  allowAll?: boolean;
  clusters: ClusterSummary[] | undefined;
  label?: string;
  required?: boolean;
} & Omit<SelectProps, "value" | "onChange" | "data" | "label">) {
  const t = useT(shared);
  const data = useMemo(() => {
    const items = (clusters ?? []).map((c) => ({
      value: c.name,
      label: c.status === "connected" ? c.name : `${c.name} (${c.status})`,
    }));
    return allowAll ? [{ value: "", label: t("allClusters") }, ...items] : items;
  }, [clusters, allowAll, t]);
  return (
    <Select
      label={label ?? t("cluster")}
      data={data}
      value={value}
      onChange={(v) => onChange(v ?? "")}
      allowDeselect={false}
      searchable
      nothingFoundMessage={t("noClusters")}
      required={required}
      w={220}
      {...rest}
    />
  );
}

/** The first connected cluster's name (else the first), for defaults. */
export function defaultCluster(clusters: ClusterSummary[] | undefined): string {
  if (!clusters?.length) return "";
  return (clusters.find((c) => c.status === "connected") ?? clusters[0]).name;
}

/** Parses `key=value` lines (or tags); returns [map, bad entries]. */
export function parsePairs(items: string[]): [Record<string, string>, string[]] {
  const out: Record<string, string> = {};
  const bad: string[] = [];
  for (const raw of items) {
    const s = raw.trim();
    if (!s) continue;
    const i = s.indexOf("=");
    if (i <= 0) {
      bad.push(s);
      continue;
    }
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return [out, bad];
}

/** Lines of a textarea, trimmed, without blanks. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Mantine colour for a usage percentage: red at the critical threshold, yellow at the warning one. */
export function usageColor(pct: number): string {
  if (pct >= 95) return "red";
  if (pct >= 80) return "yellow";
  return "blue";
}

/** Colour for a compliance or label score. */
export function scoreColor(score: number): string {
  if (score >= 90) return "teal";
  if (score >= 60) return "yellow";
  return "red";
}

/**
 * A score ring, or "No score" with the reason when nothing was checked (never 100 over nothing).
 */
export function ScoreDisplay({
  score,
  reason,
  label,
  testId = "score",
}: {
  score: number | null | undefined;
  reason?: string | null;
  label: string;
  testId?: string;
}) {
  const t = useT(shared);
  if (score === null || score === undefined) {
    return (
      <Stack gap={4} data-testid={testId} data-score="none" maw={360}>
        <Text size="sm" c="dimmed">
          {label}
        </Text>
        <Text fw={700} size="xl" data-testid={`${testId}-value`}>
          {t("noScore")}
        </Text>
        {reason && (
          <Text size="sm" data-testid={`${testId}-reason`}>
            {reason}
          </Text>
        )}
      </Stack>
    );
  }
  return (
    <Group gap="sm" data-testid={testId} data-score={score} wrap="nowrap">
      <RingProgress
        size={96}
        thickness={10}
        roundCaps
        sections={[{ value: Math.max(0, Math.min(100, score)), color: scoreColor(score) }]}
        label={
          <Text ta="center" fw={700} size="lg" data-testid={`${testId}-value`}>
            {score}
          </Text>
        }
        aria-label={`${label}: ${score} / 100`}
        role="img"
      />
      <Text size="sm" c="dimmed">
        {label}
      </Text>
    </Group>
  );
}

/**
 * A small line chart (inline SVG, no library): points in order; `label` names it for screen readers.
 */
export function Sparkline({
  values,
  width = 140,
  height = 32,
  color = "var(--mantine-color-blue-6)",
  label,
  max,
}: {
  values: number[];
  width?: number;
  height?: number;
  color?: string;
  label: string;
  max?: number;
}) {
  if (values.length === 0) return null;
  const hi = Math.max(max ?? 0, ...values);
  const lo = Math.min(0, ...values);
  const span = hi - lo || 1;
  const step = values.length > 1 ? (width - 4) / (values.length - 1) : 0;
  const pts = values.map((v, i) => {
    const x = 2 + (values.length > 1 ? i * step : (width - 4) / 2);
    const y = height - 2 - ((v - lo) / span) * (height - 4);
    return [x, y] as const;
  });
  const d = pts.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  const last = pts[pts.length - 1];
  return (
    <svg width={width} height={height} role="img" aria-label={label} style={{ display: "block" }}>
      <title>{label}</title>
      <path d={d} fill="none" stroke={color} strokeWidth={1.5} />
      <circle cx={last[0]} cy={last[1]} r={2.5} fill={color} />
    </svg>
  );
}

/** A yes/no/unknown badge. */
export function BoolBadge({ value, yes, no, title }: { value: boolean | null | undefined; yes: string; no: string; title?: ReactNode }) {
  const t = useT(shared);
  const b =
    value === null || value === undefined ? (
      <Badge color="gray" variant="light">
        {t("unknown")}
      </Badge>
    ) : value ? (
      <Badge color="teal" variant="light">
        {yes}
      </Badge>
    ) : (
      <Badge color="red" variant="light">
        {no}
      </Badge>
    );
  return title ? (
    <Tooltip label={title} multiline maw={360} withinPortal>
      <span tabIndex={0}>{b}</span>
    </Tooltip>
  ) : (
    b
  );
}

/** "a=b, c=d" for a map. */
export function pairsText(m: Record<string, unknown> | null | undefined): string {
  if (!m) return "";
  return Object.entries(m)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}

/** Saves a Blob as a file through a temporary link. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Pagination with labelled previous/next controls. */
export function Pager({ total, value, onChange }: { total: number; value: number; onChange: (p: number) => void }) {
  const t = useT(shared);
  return (
    <Pagination
      total={total}
      value={value}
      onChange={onChange}
      size="sm"
      aria-label={t("pagination")}
      getControlProps={(c) => ({
        "aria-label": c === "previous" ? t("prevPage") : c === "next" ? t("nextPage") : c === "first" ? t("firstPage") : t("lastPage"),
      })}
      getItemProps={(p) => ({ "aria-label": t("page", { n: p }) })}
    />
  );
}

/** A success notice (its close button labelled for screen readers). */
export function useNotify(): (message: string) => void {
  const t = useT(shared);
  return useCallback(
    (message: string) =>
      notifications.show({ color: "teal", message, closeButtonProps: { "aria-label": t("closeNotice") } }),
    [t],
  );
}
