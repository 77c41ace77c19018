// Pieces shared by the policies sub-pages: key=value parsing,
// a small SVG sparkline, the score display and the colour of a usage percentage.
import { Badge, Group, RingProgress, Stack, Text, Tooltip } from "@mantine/core";
import { useCallback, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { useT } from "../../i18n";
import { notifyDone } from "../../lib/notify";
import { shared } from "./i18n";

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

/** A success notice (its close button labelled for screen readers). */
export function useNotify(): (message: string) => void {
  const t = useT(shared);
  return useCallback((message: string) => notifyDone(undefined, message, t("closeNotice")), [t]);
}
