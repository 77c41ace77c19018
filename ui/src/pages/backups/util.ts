// Small helpers of the Backups page: object ids, cluster options, status colours.
import type { Schemas } from "../../api/client";

export type Backup = Schemas["BackupView"];
export type ScheduleView = Schemas["ScheduleView"];
/** One schedule of GET /yaml/backup/schedule/list (`resource_id` "" when it selects more than one object). */
export type ScheduleItem = Schemas["ScheduleItem"];
export type ClusterSummary = Schemas["ClusterSummary"];

/** `<cluster>:<type>:<namespace>:<name>` (namespace empty for cluster-scoped objects), or null. */
export function parseObjectId(id: string): { cluster: string; type: string; namespace: string; name: string } | null {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9]+):([a-z0-9]([-a-z0-9]*[a-z0-9])?)?:(.+)$/.exec(id.trim());
  if (!m) return null;
  return { cluster: m[1], type: m[3], namespace: m[4] ?? "", name: m[6] };
}

export function clusterOptions(clusters: ClusterSummary[] | undefined): { value: string; label: string }[] {
  return (clusters ?? []).map((c) => ({ value: String(c.id ?? c.name), label: `${c.name}${c.id != null ? ` (${c.id})` : ""}` }));
}

export const STATUS_COLOR: Record<string, string> = {
  completed: "green",
  in_progress: "blue",
  failed: "red",
};

/** A 5-field cron or an @macro (the server checks it fully; 400 names the field). */
export function looksLikeCron(s: string): boolean {
  const v = s.trim();
  if (!v) return false;
  if (v.startsWith("@")) return /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/i.test(v);
  return v.split(/\s+/).length === 5;
}

/** The browser's IANA time zones (for the schedule's time zone field). */
export function timeZones(): string[] {
  try {
    const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    const zones = f ? f("timeZone") : [];
    return zones.includes("UTC") ? zones : ["UTC", ...zones];
  } catch {
    return ["UTC"];
  }
}

/** Monospace text in an input (ids, cron), label and description in the normal font. */
export const MONO_INPUT = { input: { fontFamily: "var(--mantine-font-family-monospace)" } };
