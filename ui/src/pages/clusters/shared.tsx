import { Badge, Group, List, Popover, Progress, Stack, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import { useState } from "react";
import type { Schemas } from "../../api/client";
import { useT, type TFunc } from "../../i18n";
import { dict, type ClusterKey } from "./i18n";

export type ClusterSummary = Schemas["ClusterSummary"];
export type ClusterDetail = Schemas["ClusterDetail"];
export type ClusterHealth = Schemas["ClusterHealth"];
export type Issue = Schemas["Issue"];
/** A reason for a health score: the list's (HealthReason) or the health endpoint's (Issue). */
export type Reason = { type?: string | null; message: string; severity?: string | null };

/** What the list shows per row: the list item as is (score, reasons, nodes, CPU and memory from the last sync). */
export type Row = ClusterSummary;

export const STATUS_COLOR: Record<string, string> = {
  connected: "green",
  pending: "blue",
  disconnected: "orange",
  error: "red",
};
export const HEALTH_COLOR: Record<string, string> = {
  healthy: "green",
  warning: "yellow",
  error: "red",
  unknown: "gray",
};

export function statusLabel(t: TFunc<ClusterKey>, s: string): string {
  const k = `status_${s}` as ClusterKey;
  return k in dict.en ? t(k) : s;
}
export function healthLabel(t: TFunc<ClusterKey>, s: string): string {
  const k = `health_${s}` as ClusterKey;
  return k in dict.en ? t(k) : s;
}

export function StatusBadge({ status }: { status: string }) {
  const t = useT(dict);
  return (
    <Badge color={STATUS_COLOR[status] ?? "gray"} variant="light" tt="none" data-testid="cluster-status" data-status={status}>
      {statusLabel(t, status)}
    </Badge>
  );
}

export function scoreColor(score: number | null | undefined, health?: string): string {
  if (score === null || score === undefined) return HEALTH_COLOR[health ?? "unknown"] ?? "gray";
  if (score >= 80) return "green";
  if (score >= 50) return "yellow";
  return "red";
}

export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  return `${v.toFixed(v >= 10 || v === 0 ? 0 : 1)} %`;
}

export function UsageBar({ value, label }: { value: number | null | undefined; label: string }) {
  if (value === null || value === undefined) return <Text size="sm" c="dimmed">—</Text>;
  const color = value >= 90 ? "red" : value >= 75 ? "yellow" : "blue";
  return (
    <Stack gap={2}>
      <Text size="xs">{fmtPct(value)}</Text>
      <Progress value={Math.min(100, Math.max(0, value))} color={color} size="sm" aria-label={`${label} ${fmtPct(value)}`} />
    </Stack>
  );
}

/** Health score with its status; the reasons in a popover (keyboard: Enter/Space on the button). */
export function HealthCell({ row }: { row: Row }) {
  const t = useT(dict);
  const score = row.health_score;
  const issues = row.issues ?? [];
  const scoreText = score === null || score === undefined ? "—" : String(Math.round(score));
  const [mounted, setMounted] = useState(false);
  const [opened, setOpened] = useState(false);
  const target = (
    <UnstyledButton
      data-testid="cluster-health"
      data-health={row.health_status}
      data-score={score ?? ""}
      aria-haspopup="dialog"
      onClick={() => {
        setMounted(true);
        setOpened((o) => !o);
      }}
    >
      <VisuallyHidden>{t("healthFor", { name: row.name })}</VisuallyHidden>
      <Group gap={6} wrap="nowrap">
        <Badge color={scoreColor(score, row.health_status)} variant="filled" miw={38}>
          {scoreText}
        </Badge>
        <Text size="xs" c={issues.length ? undefined : "dimmed"} lineClamp={1} title={issues.length ? issues.map((i) => i.message).join("\n") : undefined}>
          {issues.length ? issues[0].message : healthLabel(t, row.health_status)}
        </Text>
      </Group>
    </UnstyledButton>
  );
  // mounted on first use only: a closed Popover per row costs on every scroll of a 1,000-row table
  if (!mounted) return target;
  return (
    <Popover width={320} position="bottom-start" withArrow shadow="md" opened={opened} onChange={setOpened}>
      <Popover.Target>{target}</Popover.Target>
      <Popover.Dropdown>
        <IssueList issues={issues} health={row.health_status} score={score} />
      </Popover.Dropdown>
    </Popover>
  );
}

export function IssueList({ issues, health, score, hideStatus }: { issues: Reason[]; health: string; score?: number | null; hideStatus?: boolean }) {
  const t = useT(dict);
  return (
    <Stack gap="xs" data-testid="health-reasons">
      {!hideStatus && <Group gap="xs">
        <Badge color={HEALTH_COLOR[health] ?? "gray"} variant="light" tt="none">
          {healthLabel(t, health)}
        </Badge>
        {score !== null && score !== undefined && (
          <Text size="sm">
            {t("healthScore")}: <b>{Math.round(score)}</b>
          </Text>
        )}
      </Group>}
      {issues.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t("noReasons")}
        </Text>
      ) : (
        <List size="sm" spacing={4}>
          {issues.map((i, n) => (
            <List.Item key={n}>
              <Text size="sm" span fw={500}>
                {i.type}
                {i.severity ? ` (${i.severity})` : ""}:
              </Text>{" "}
              <Text size="sm" span>
                {i.message}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

/** Relative time ("3 min ago") with the absolute time as title. */
export function ago(iso: string | null | undefined, lang: string): string {
  if (!iso) return "—";
  const d = new Date(iso).getTime();
  if (Number.isNaN(d)) return iso;
  const s = Math.round((Date.now() - d) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang === "zh" ? "zh-CN" : "en", { numeric: "auto", style: "narrow" });
  if (Math.abs(s) < 60) return rtf.format(-s, "second");
  if (Math.abs(s) < 3600) return rtf.format(-Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return rtf.format(-Math.round(s / 3600), "hour");
  return rtf.format(-Math.round(s / 86400), "day");
}

/** Reads a text file chosen in an <input type=file>. */
export function readFileText(f: File): Promise<string> {
  return f.text();
}

/** Base64 of a UTF-8 string (the API takes the kubeconfig base64-encoded). */
export function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Text already base64 (one token, base64 alphabet, decodes to a kubeconfig-looking text)? */
export function looksBase64(text: string): boolean {
  const s = text.trim();
  if (!s || /\s/.test(s) || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return false;
  try {
    return /apiVersion|clusters|kind/.test(atob(s));
  } catch {
    return false;
  }
}
