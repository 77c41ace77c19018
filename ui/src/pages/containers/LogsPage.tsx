// /ui/containers/:id/logs — the container's log: live (SSE, resumed with Last-Event-ID), or a time range.
// Level filter and "only matching lines" are applied by the API; search matches are highlighted with <mark>.
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Chip,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import {
  IconArrowDown,
  IconDownload,
  IconPlayerPause,
  IconPlayerPlay,
  IconRefresh,
  IconSearch,
  IconTrash,
} from "@tabler/icons-react";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { ApiError, apiFetch, callJson, downloadResponse, streamSse } from "../../api/client";
import { useApi } from "../../api/useApi";
import type { Schemas } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { useT } from "../../i18n";
import { ContainerHeader } from "./ContainerHeader";
import { Highlighted, searchPattern } from "./highlight";
import { dict } from "./i18n";
import { containerApi, type ContainerRef } from "./ids";
import classes from "./containers.module.css";

const LEVELS = ["error", "warn", "info", "debug"] as const;
const MAX_LINES = 2000;
const FIRST_TAIL = 200;

type Line = { key: number; timestamp: string | null; level: string; message: string; lineNumber?: number };
type StreamStatus = "connecting" | "live" | "paused" | "reconnecting" | "ended" | "failed";

/** `2030-01-01T00:00:05.123456789Z` -> `2030-01-01 00:00:05.123Z` */
function shortTime(ts: string | null): string {
  if (!ts) return "";
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d{1,3})?\d*(.*)$/.exec(ts);
  return m ? `${m[1]} ${m[2]}${m[3] ?? ""}${m[4]}` : ts;
}

/** datetime-local value (local time) -> RFC3339 (UTC) */
function toRfc3339(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const h = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(h);
      resolve();
    });
  });
}

let lineKeys = 0;

export default function LogsPage({ container }: { container: ContainerRef }) {
  const t = useT(dict);
  const id = container.id;
  const [params, setParams] = useSearchParams();
  const mode = params.get("mode") === "range" ? "range" : "follow";
  const levels = useMemo(
    () => (params.get("level") ?? "").split(",").filter((l) => (LEVELS as readonly string[]).includes(l)),
    [params],
  );
  const since = params.get("since") ?? "";
  const until = params.get("until") ?? "";
  const onlyMatching = params.get("only") === "1";
  const regex = params.get("regex") === "1";
  const [search, setSearch] = useState(params.get("q") ?? "");
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [tail, setTail] = useState<number>(500);
  const [debouncedTail] = useDebouncedValue(tail, 400);

  const setParam = useCallback(
    (key: string, value: string | null) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set(key, value);
          else next.delete(key);
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  useEffect(() => {
    setParam("q", debouncedSearch || null);
  }, [debouncedSearch, setParam]);

  const pattern = useMemo(() => searchPattern(search, regex), [search, regex]);
  const serverSearch = onlyMatching && debouncedSearch ? debouncedSearch : "";

  // ---- live view (SSE)
  const [lines, setLines] = useState<Line[]>([]);
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const [streamError, setStreamError] = useState<unknown>(null);
  const [restart, setRestart] = useState(0);
  const lastIdRef = useRef<string | undefined>(undefined);
  const pending = useRef<Line[]>([]);
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const filterKey = JSON.stringify([id, levels, serverSearch, regex, mode, restart]);
  useEffect(() => {
    // New filters: start over (the stream's history comes again with them).
    lastIdRef.current = undefined;
    pending.current = [];
    setLines([]);
  }, [filterKey]);

  useEffect(() => {
    if (mode !== "follow") return;
    if (paused) {
      setStatus("paused");
      return;
    }
    const ctl = new AbortController();
    let stopped = false;
    const flush = () => {
      flushTimer.current = null;
      if (stopped || !pending.current.length) return;
      const add = pending.current;
      pending.current = [];
      setLines((prev) => {
        const next = prev.concat(add);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    const push = (line: Line) => {
      pending.current.push(line);
      if (!flushTimer.current) flushTimer.current = setTimeout(flush, 60);
    };
    void (async () => {
      let failures = 0;
      while (!stopped) {
        setStatus(lastIdRef.current ? "reconnecting" : "connecting");
        let endReason: string | undefined;
        try {
          const url = containerApi(id, "logs/stream", {
            follow: true,
            tail: FIRST_TAIL,
            level: levels,
            search: serverSearch || undefined,
            regex: serverSearch && regex ? true : undefined,
          });
          await streamSse(url, {
            signal: ctl.signal,
            lastEventId: lastIdRef.current,
            onOpen: () => {
              if (stopped) return;
              setStatus("live");
              setStreamError(null);
              failures = 0;
            },
            onEvent: (ev) => {
              if (stopped) return;
              if (ev.event === "log") {
                try {
                  const e = JSON.parse(ev.data) as Schemas["LogEntry"];
                  push({ key: ++lineKeys, timestamp: e.timestamp, level: e.level, message: e.message });
                } catch {
                  /* a malformed event: skip it */
                }
                if (ev.id) lastIdRef.current = ev.id;
              } else if (ev.event === "end") {
                try {
                  endReason = (JSON.parse(ev.data) as { reason?: string }).reason ?? "eof";
                } catch {
                  endReason = "eof";
                }
              } else if (ev.event === "error") {
                try {
                  const e = JSON.parse(ev.data) as { code?: number; message?: string };
                  setStreamError(new ApiError(e.code ?? 502, e.code ?? 502, e.message ?? ev.data));
                } catch {
                  setStreamError(new Error(ev.data));
                }
              }
            },
          });
        } catch (e) {
          if (stopped) return;
          setStreamError(e);
          // The request itself was refused (bad filter, no permission, no such container): retrying will not help.
          if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 408 && e.status !== 429) {
            setStatus("failed");
            return;
          }
        }
        if (stopped) return;
        flush();
        if (endReason === "max_duration") {
          continue; // the shim's limit on one stream: resume at once after the last line
        }
        if (endReason === "eof") setStatus("ended");
        else setStatus("reconnecting");
        failures++;
        await wait(endReason === "eof" ? 5000 : Math.min(30000, 1000 * 2 ** Math.min(failures, 5)), ctl.signal);
      }
    })();
    return () => {
      stopped = true;
      ctl.abort();
      if (flushTimer.current) clearTimeout(flushTimer.current);
      flushTimer.current = null;
      // Lines read but not shown yet are kept for the resume (pause) or dropped with the filter change.
      setLines((prev) => {
        const add = pending.current;
        pending.current = [];
        return add.length ? prev.concat(add).slice(-MAX_LINES) : prev;
      });
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey, paused]);

  // ---- time range view (/logs or /logs/search)
  const useSearchEndpoint = mode === "range" && !!serverSearch && levels.length === 0;
  const range = useApi<{ lines: Line[]; total: number; hasMore: boolean } | null>(
    async (signal) => {
      if (mode !== "range") return null;
      const start = toRfc3339(since);
      const end = toRfc3339(until);
      const n = Math.max(1, Math.min(debouncedTail || 500, 10000));
      if (useSearchEndpoint) {
        const d = await callJson<Schemas["SearchData"]>(
          containerApi(id, "logs/search", {
            query: serverSearch,
            regex: regex || undefined,
            start_time: start,
            end_time: end,
            limit: Math.min(n, 1000),
          }),
          { signal },
        );
        return {
          lines: d.matches.map((m) => ({
            key: ++lineKeys,
            timestamp: m.timestamp,
            level: m.level,
            message: m.message,
            lineNumber: m.line_number,
          })),
          total: d.total,
          hasMore: d.total > d.offset + d.matches.length,
        };
      }
      const d = await callJson<Schemas["LogsData"]>(
        containerApi(id, "logs", {
          tail: n,
          since: start,
          until: end,
          level: levels,
          search: serverSearch || undefined,
          regex: serverSearch && regex ? true : undefined,
        }),
        { signal },
      );
      return {
        lines: d.logs.map((e) => ({ key: ++lineKeys, timestamp: e.timestamp, level: e.level, message: e.message })),
        total: d.total,
        hasMore: d.has_more,
      };
    },
    [mode, id, levels.join(","), serverSearch, regex, since, until, debouncedTail, useSearchEndpoint],
  );

  const shown: Line[] = mode === "follow" ? lines : (range.data?.lines ?? []);
  const matchCount = useMemo(() => {
    if (!pattern) return 0;
    let n = 0;
    for (const l of shown) {
      pattern.lastIndex = 0;
      if (pattern.test(l.message)) n++;
    }
    return n;
  }, [shown, pattern]);

  // ---- auto-scroll: follows the newest line until the user scrolls up; back on at the bottom.
  const viewer = useRef<HTMLDivElement>(null);
  const [autoScroll, setAutoScroll] = useState(true);
  useLayoutEffect(() => {
    const el = viewer.current;
    if (!el || !autoScroll) return;
    el.scrollTop = el.scrollHeight;
  }, [shown, autoScroll]);
  const onScroll = () => {
    const el = viewer.current;
    if (!el) return;
    // Scrolled to the bottom (by the page or the user): follow; anywhere above it: the user is reading, stay.
    setAutoScroll(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };
  const jumpToLatest = () => {
    setAutoScroll(true);
    const el = viewer.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // ---- export
  const [format, setFormat] = useState<string>("txt");
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const doExport = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const body: Partial<Schemas["ExportBody"]> = {
        format: format as "json" | "csv" | "txt",
        start_time: mode === "range" ? (toRfc3339(since) ?? null) : null,
        end_time: mode === "range" ? (toRfc3339(until) ?? null) : null,
        filters:
          levels.length || serverSearch
            ? { level: levels.length ? levels : null, search: serverSearch || null, regex: !!serverSearch && regex }
            : null,
      };
      const res = await apiFetch(containerApi(id, "logs/export"), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      await downloadResponse(res, `${container.pod}_${container.container ?? "log"}.${format}`);
    } catch (e) {
      setExportError(e);
    } finally {
      setExporting(false);
    }
  };

  const statusBadge = () => {
    if (mode !== "follow") return null;
    const map: Record<StreamStatus, { color: string; label: string }> = {
      connecting: { color: "gray", label: t("statusConnecting") },
      live: { color: "green", label: t("statusLive") },
      paused: { color: "yellow", label: t("statusPaused") },
      reconnecting: { color: "orange", label: t("statusReconnecting") },
      ended: { color: "gray", label: t("statusEnded") },
      failed: { color: "red", label: t("statusFailed") },
    };
    const s = map[status];
    return (
      <Badge color={s.color} variant="light" size="lg" role="status" data-testid="stream-status" data-status={status}>
        {s.label}
      </Badge>
    );
  };

  const regexError = search && regex && !pattern;

  return (
    <>
      <ContainerHeader container={container} tab="logs" />
      <Paper withBorder p="sm" mb="sm">
        <Stack gap="sm">
          <Group gap="md" align="flex-end" wrap="wrap">
            <SegmentedControl
              aria-label={t("viewMode")}
              value={mode}
              onChange={(v) => setParam("mode", v === "range" ? "range" : null)}
              data={[
                { value: "follow", label: t("modeFollow") },
                { value: "range", label: t("modeRange") },
              ]}
              data-testid="log-mode"
            />
            <div role="group" aria-label={t("levelFilter")} data-testid="level-filter">
              <Text size="sm" fw={500} mb={4} aria-hidden>
                {t("levelFilter")}
              </Text>
              <Chip.Group
                multiple
                value={levels}
                onChange={(v) => setParam("level", v.length ? LEVELS.filter((l) => v.includes(l)).join(",") : null)}
              >
                <Group gap={6}>
                  {LEVELS.map((l) => (
                    <Chip key={l} value={l} size="sm" data-testid={`level-${l}`}>
                      {t(`level_${l}` as "level_error")}
                    </Chip>
                  ))}
                </Group>
              </Chip.Group>
            </div>
            <TextInput
              label={t("search")}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              leftSection={<IconSearch size={16} aria-hidden />}
              placeholder={t("searchPlaceholder")}
              w={260}
              error={regexError ? t("badRegex") : undefined}
              data-testid="log-search"
            />
            <Stack gap={4}>
              <Checkbox
                label={t("regex")}
                checked={regex}
                onChange={(e) => setParam("regex", e.currentTarget.checked ? "1" : null)}
                size="xs"
              />
              <Checkbox
                label={t("onlyMatching")}
                checked={onlyMatching}
                onChange={(e) => setParam("only", e.currentTarget.checked ? "1" : null)}
                size="xs"
                data-testid="only-matching"
              />
            </Stack>
          </Group>
          <Group gap="md" align="flex-end" wrap="wrap" justify="space-between">
            {mode === "follow" ? (
              <Group gap="sm" align="center">
                {statusBadge()}
                <Button
                  variant="default"
                  size="xs"
                  leftSection={paused ? <IconPlayerPlay size={16} aria-hidden /> : <IconPlayerPause size={16} aria-hidden />}
                  onClick={() => setPaused((p) => !p)}
                  data-testid="pause-button"
                  aria-pressed={paused}
                >
                  {paused ? t("resume") : t("pause")}
                </Button>
                <Switch
                  label={t("autoScroll")}
                  checked={autoScroll}
                  onChange={(e) => (e.currentTarget.checked ? jumpToLatest() : setAutoScroll(false))}
                  data-testid="auto-scroll"
                />
                <Button
                  variant="subtle"
                  size="xs"
                  leftSection={<IconTrash size={16} aria-hidden />}
                  onClick={() => setLines([])}
                >
                  {t("clear")}
                </Button>
                {status === "failed" && (
                  <Button size="xs" variant="light" leftSection={<IconRefresh size={16} aria-hidden />}
                    onClick={() => setRestart((x) => x + 1)}>
                    {t("reconnect")}
                  </Button>
                )}
              </Group>
            ) : (
              <Group gap="sm" align="flex-end">
                <TextInput
                  type="datetime-local"
                  step={1}
                  label={t("since")}
                  value={since}
                  onChange={(e) => setParam("since", e.currentTarget.value || null)}
                  data-testid="range-since"
                />
                <TextInput
                  type="datetime-local"
                  step={1}
                  label={t("until")}
                  value={until}
                  onChange={(e) => setParam("until", e.currentTarget.value || null)}
                  data-testid="range-until"
                />
                <NumberInput
                  label={t("maxLines")}
                  value={tail}
                  onChange={(v) => setTail(typeof v === "number" ? v : Number(v) || 500)}
                  min={1}
                  max={useSearchEndpoint ? 1000 : 10000}
                  w={120}
                />
                <Button variant="default" size="sm" leftSection={<IconRefresh size={16} aria-hidden />}
                  onClick={range.reload} loading={range.loading}>
                  {t("load")}
                </Button>
              </Group>
            )}
            <Group gap="xs" align="flex-end">
              <Select
                label={t("exportFormat")}
                data={[
                  { value: "txt", label: "TXT" },
                  { value: "json", label: "JSON" },
                  { value: "csv", label: "CSV" },
                ]}
                value={format}
                onChange={(v) => setFormat(v ?? "txt")}
                allowDeselect={false}
                w={100}
                size="sm"
              />
              <Tooltip label={t("exportHint")}>
                <Button
                  size="sm"
                  leftSection={<IconDownload size={16} aria-hidden />}
                  onClick={doExport}
                  loading={exporting}
                  data-testid="export-button"
                >
                  {t("export")}
                </Button>
              </Tooltip>
            </Group>
          </Group>
        </Stack>
      </Paper>
      <ApiErrorAlert error={exportError} title={t("exportFailed")} mb="sm" />
      {mode === "follow" && <ApiErrorAlert error={streamError} title={t("streamError")} mb="sm" />}
      {mode === "range" && <ApiErrorAlert error={range.error} onRetry={range.reload} mb="sm" />}
      <Group justify="space-between" mb={4} gap="xs">
        <Text size="sm" data-testid="log-count" aria-live="polite">
          {mode === "follow"
            ? t("linesShown", { count: shown.length })
            : range.data
              ? t("linesOfTotal", { count: shown.length, total: range.data.total }) +
                (range.data.hasMore ? ` · ${t("hasMore")}` : "")
              : ""}
          {pattern ? ` · ${t("matches", { count: matchCount })}` : ""}
        </Text>
        {!autoScroll && mode === "follow" && (
          <Button size="compact-xs" variant="light" leftSection={<IconArrowDown size={14} aria-hidden />}
            onClick={jumpToLatest} data-testid="jump-latest">
            {t("jumpToLatest")}
          </Button>
        )}
      </Group>
      {mode === "range" && range.loading && !range.data ? (
        <LoadingRows rows={8} height={20} />
      ) : (
        <div
          ref={viewer}
          className={classes.viewer}
          onScroll={onScroll}
          tabIndex={0}
          role="log"
          aria-live="off"
          aria-label={t("logLines")}
          data-testid="log-viewer"
        >
          {shown.length === 0 ? (
            mode === "follow" && (status === "connecting" || status === "reconnecting") ? (
              <LoadingRows rows={4} height={16} />
            ) : (
              <EmptyState
                title={mode === "follow" ? t("noLinesYet") : t("noLinesInRange")}
                description={levels.length || serverSearch ? t("noLinesFiltered") : undefined}
              />
            )
          ) : (
            shown.map((l) => (
              <div key={l.key} className={classes.line} data-testid="log-line" data-level={l.level}>
                {l.lineNumber !== undefined && (
                  <span className={classes.ln} data-testid="log-line-number">
                    {l.lineNumber}
                  </span>
                )}
                <span className={classes.ts}>{shortTime(l.timestamp)}</span>
                <span className={`${classes.lvl} ${classes[l.level] ?? ""}`}>{l.level}</span>
                <span className={classes.msg} data-testid="log-message">
                  <Highlighted text={l.message} pattern={pattern} />
                </span>
              </div>
            ))
          )}
        </div>
      )}
      {mode === "follow" && status === "ended" && (
        <Alert color="gray" variant="light" mt="sm">
          {t("streamEnded")}
        </Alert>
      )}
    </>
  );
}
