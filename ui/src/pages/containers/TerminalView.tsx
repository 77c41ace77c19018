// The web terminal (lazy chunk: xterm.js and its CSS load only here).
// POST .../exec/terminal issues a single-use ticket; the WebSocket .../exec/ws?session=... then carries JSON frames:
//   browser -> shim  {"type":"stdin","data":"..."}  {"type":"resize","cols":N,"rows":N}
//   shim -> browser  {"type":"stdout"|"stderr","data":"..."}  {"type":"error","message":"..."}  {"type":"pong"}
//                    {"type":"exit","code":N|null,"reason":"exited"|"client closed"|"idle timeout"}, then close.
import { Alert, Badge, Button, Group, Text, Title } from "@mantine/core";
import { IconPlugConnected, IconRefresh } from "@tabler/icons-react";
import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { useCallback, useEffect, useRef, useState } from "react";
import { callJson, type Schemas } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { useT } from "../../i18n";
import { dict } from "./i18n";
import { containerApi, type ContainerRef } from "./ids";
import classes from "./containers.module.css";

type State = "connecting" | "connected" | "exited" | "closed" | "failed";
type Exit = { code: number | null; reason: string };

/** The socket's address on the origin the page came from (the API's websocket_url names the same path). */
function socketUrl(websocketUrl: string): string {
  const u = new URL(websocketUrl, window.location.href);
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${u.pathname}${u.search}`;
}

export default function TerminalView({ container }: { container: ContainerRef }) {
  const t = useT(dict);
  const id = container.id;
  const host = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const wsRef = useRef<WebSocket | null>(null);
  const [state, setState] = useState<State>("connecting");
  const [exit, setExit] = useState<Exit | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [frameError, setFrameError] = useState<string | null>(null);
  const [closeCode, setCloseCode] = useState<number | null>(null);
  const [size, setSize] = useState({ cols: 0, rows: 0 });
  const [sentSize, setSentSize] = useState({ cols: 0, rows: 0 });
  const [attempt, setAttempt] = useState(0);

  const send = useCallback((frame: object) => {
    const ws = wsRef.current;
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }, []);

  const sendResize = useCallback(() => {
    const term = termRef.current;
    if (!term) return;
    if (send({ type: "resize", cols: term.cols, rows: term.rows })) setSentSize({ cols: term.cols, rows: term.rows });
  }, [send]);

  // The terminal itself: created once, fitted to its frame whenever the frame (or the window) changes size.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const term = new Terminal({
      cursorBlink: true,
      fontSize: 13,
      fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
      scrollback: 5000,
      theme: { background: "#1e1e1e", foreground: "#e6e6e6" },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    termRef.current = term;
    fitRef.current = fit;
    const doFit = () => {
      try {
        fit.fit();
      } catch {
        /* not laid out yet */
      }
      setSize({ cols: term.cols, rows: term.rows });
    };
    doFit();
    // Escape then Tab leaves the terminal (it keeps Tab for the shell otherwise).
    let escaped = false;
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== "keydown") return true;
      if (e.key === "Tab" && escaped) {
        escaped = false;
        return false;
      }
      escaped = e.key === "Escape";
      return true;
    });
    const data = term.onData((d) => send({ type: "stdin", data: d }));
    const resized = term.onResize(({ cols, rows }) => {
      setSize({ cols, rows });
      if (send({ type: "resize", cols, rows })) setSentSize({ cols, rows });
    });
    const ro = new ResizeObserver(() => doFit());
    ro.observe(el);
    window.addEventListener("resize", doFit);
    return () => {
      ro.disconnect();
      window.removeEventListener("resize", doFit);
      data.dispose();
      resized.dispose();
      term.dispose();
      termRef.current = null;
      fitRef.current = null;
    };
  }, [send]);

  // One session per attempt: a fresh ticket, then the socket.
  useEffect(() => {
    let cancelled = false;
    let ws: WebSocket | null = null;
    setState("connecting");
    setExit(null);
    setError(null);
    setFrameError(null);
    setCloseCode(null);
    termRef.current?.reset();
    void (async () => {
      try {
        const d = await callJson<Schemas["TerminalData"]>(containerApi(id, "exec/terminal"), {
          method: "POST",
          json: { tty: true, stdin: true },
        });
        if (cancelled) return;
        ws = new WebSocket(socketUrl(d.websocket_url));
        wsRef.current = ws;
        let exited = false;
        ws.onopen = () => {
          if (cancelled) return;
          setState("connected");
          try {
            fitRef.current?.fit();
          } catch {
            /* not laid out */
          }
          sendResize();
          termRef.current?.focus();
        };
        ws.onmessage = (m) => {
          if (cancelled) return;
          const term = termRef.current;
          if (typeof m.data !== "string") {
            if (m.data instanceof Blob) void m.data.arrayBuffer().then((b) => term?.write(new Uint8Array(b)));
            return;
          }
          let f: { type?: string; data?: string; message?: string; code?: number | null; reason?: string };
          try {
            f = JSON.parse(m.data);
          } catch {
            term?.write(m.data);
            return;
          }
          if ((f.type === "stdout" || f.type === "stderr") && typeof f.data === "string") term?.write(f.data);
          else if (f.type === "error") setFrameError(f.message ?? "error");
          else if (f.type === "exit") {
            exited = true;
            setExit({ code: typeof f.code === "number" ? f.code : null, reason: f.reason ?? "exited" });
            setState("exited");
          }
        };
        ws.onclose = (ev) => {
          if (cancelled) return;
          if (wsRef.current === ws) wsRef.current = null;
          if (!exited) {
            setCloseCode(ev.code);
            setState("closed");
          }
        };
      } catch (e) {
        if (cancelled) return;
        setError(e);
        setState("failed");
      }
    })();
    return () => {
      cancelled = true;
      if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, "page left");
      if (wsRef.current === ws) wsRef.current = null;
    };
  }, [id, attempt, sendResize]);

  const reconnect = () => setAttempt((a) => a + 1);
  const ended = state === "exited" || state === "closed" || state === "failed";
  const stateBadge: Record<State, { color: string; label: string }> = {
    connecting: { color: "gray", label: t("termConnecting") },
    connected: { color: "green", label: t("termConnected") },
    exited: { color: "gray", label: t("termExited") },
    closed: { color: "orange", label: t("termClosed") },
    failed: { color: "red", label: t("termFailed") },
  };

  return (
    <>
      <Group justify="space-between" mb="xs" gap="sm">
        <Group gap="sm">
          <Badge color={stateBadge[state].color} variant="light" size="lg" role="status" data-testid="terminal-state"
            data-state={state}>
            {stateBadge[state].label}
          </Badge>
          <Text size="sm" data-testid="terminal-size">
            {t("termSize", { cols: size.cols, rows: size.rows })}
          </Text>
          <Text size="sm">{t("termLeaveHint")}</Text>
        </Group>
        <Button
          size="xs"
          variant={ended ? "filled" : "default"}
          leftSection={<IconRefresh size={16} aria-hidden />}
          onClick={reconnect}
          data-testid="terminal-reconnect"
        >
          {t("reconnect")}
        </Button>
      </Group>
      {exit && (
        <Alert
          color={exit.code === 0 ? "green" : "red"}
          variant="light"
          mb="sm"
          icon={<IconPlugConnected aria-hidden />}
          role="alert"
          data-testid="terminal-exit"
          data-exit-code={exit.code ?? ""}
        >
          <Title order={2} size="h3">
            {exit.code === null ? t("exitedNoCode") : t("exitedWithCode", { code: exit.code })}
          </Title>
          <Text size="sm" mt={4}>
            {t("exitReason", { reason: exit.reason })}
          </Text>
        </Alert>
      )}
      {state === "closed" && (
        <Alert color="orange" variant="light" mb="sm" role="alert" data-testid="terminal-closed">
          {t("termClosedText", { code: closeCode ?? "?" })}
        </Alert>
      )}
      <ApiErrorAlert error={error} title={t("termOpenFailed")} onRetry={reconnect} mb="sm" />
      {frameError && (
        <Alert color="yellow" variant="light" mb="sm" withCloseButton closeButtonLabel={t("dismiss")}
          onClose={() => setFrameError(null)}>
          {frameError}
        </Alert>
      )}
      <div
        className={classes.terminalFrame}
        data-testid="terminal"
        data-cols={size.cols}
        data-rows={size.rows}
        data-sent-cols={sentSize.cols}
        data-sent-rows={sentSize.rows}
      >
        <div ref={host} style={{ width: "100%", height: "100%" }} />
      </div>
    </>
  );
}
