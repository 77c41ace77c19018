// The one way the console talks to the shim: same origin, `/api/k8s/...`, header `X-API-Key` when
// signed in with a key, else the shim's HttpOnly session cookie (single sign-on), which the browser
// sends by itself. Every request also carries `X-Requested-By: cloudops-console` (see below).
//
//   import { api, call, ApiError } from "../../api/client";
//   const list = await call(api.GET("/api/k8s/clusters/list", { params: { query: { limit: 100 } } }));
//   // -> the envelope's `data`, typed from the OpenAPI document; throws ApiError on any non-2xx.
//
// For what openapi-fetch does not fit (downloads, multipart, streaming) use `apiFetch` (adds the key,
// reports 401) and `callResponse` (unwraps a Response's envelope) or `streamSse` for text/event-stream.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths, components } from "./schema";

export type { paths, components };
export type Schemas = components["schemas"];

const KEY_STORAGE = "cloudops.apiKey";

/**
 * CSRF guard: the shim refuses cookie-authenticated requests without this header. A cross-site form
 * or link cannot set a custom header (and a cross-site fetch setting one needs a CORS preflight the
 * shim does not grant), so its presence proves the request came from the console's own scripts.
 * Sent always, also with a key, so no request depends on which way the user signed in.
 */
export const REQUESTED_BY_HEADER = "X-Requested-By";
export const REQUESTED_BY = "cloudops-console";

export function getKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setKey(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function clearKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** An API error as the envelope describes it: `message`, and `field` (named by the API's `error`) if any. */
export class ApiError extends Error {
  status: number;
  code: number;
  /** the field the API names in `error` (e.g. "query.limit", "name"), if it names one */
  field?: string;
  /** the API's `error` text as sent (field and why) */
  detail?: string;
  constructor(status: number, code: number, message: string, detail?: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.field = field;
  }
  /** message and detail joined, for display */
  get text(): string {
    if (this.detail && this.detail !== this.message) return `${this.message}: ${this.detail}`;
    return this.message;
  }
}

// ---- 401 handling: the AuthProvider subscribes and sends the user to the login page.
type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();
export function onUnauthorized(cb: Listener): () => void {
  unauthorizedListeners.add(cb);
  return () => unauthorizedListeners.delete(cb);
}
function reportUnauthorized() {
  for (const cb of unauthorizedListeners) cb();
}

/** Parses an error envelope `{code, message, error}` (or anything else) into an ApiError. */
export function toApiError(status: number, body: unknown, statusText = ""): ApiError {
  if (body && typeof body === "object") {
    const b = body as { code?: unknown; message?: unknown; error?: unknown; detail?: unknown };
    const code = typeof b.code === "number" ? b.code : status;
    const detail =
      typeof b.error === "string" ? b.error : b.error != null ? JSON.stringify(b.error) : undefined;
    const message =
      typeof b.message === "string" && b.message ? b.message : detail || statusText || `HTTP ${status}`;
    let field: string | undefined;
    const m = detail ? /^([A-Za-z0-9_.\[\]\-/]+): /.exec(detail) : null;
    if (m) field = m[1];
    return new ApiError(status, code, message, detail, field);
  }
  const text = typeof body === "string" && body ? body.slice(0, 500) : statusText || `HTTP ${status}`;
  return new ApiError(status, status, text);
}

const authMiddleware: Middleware = {
  onRequest({ request }) {
    const key = getKey();
    if (key && !request.headers.has("X-API-Key")) request.headers.set("X-API-Key", key);
    request.headers.set(REQUESTED_BY_HEADER, REQUESTED_BY);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) reportUnauthorized();
    return response;
  },
};

/** openapi-fetch client typed by the generated `paths`. Wrap calls in `call(...)`. */
export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "",
});
api.use(authMiddleware);

type Envelope<T> = { code?: number; message?: string; data: T; timestamp?: string };
type Unwrap<D> = D extends Envelope<infer T> ? T : D;

/**
 * Unwraps an openapi-fetch result: returns the envelope's `data`, throws ApiError for any
 * non-2xx answer (or a network failure: status 0).
 */
export async function call<D>(
  p: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<Unwrap<D>> {
  let r: { data?: D; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, 0, e instanceof Error ? e.message : String(e));
  }
  if (!r.response.ok) throw toApiError(r.response.status, r.error, r.response.statusText);
  const d = r.data as unknown;
  if (d && typeof d === "object" && "data" in (d as object)) return (d as Envelope<Unwrap<D>>).data;
  return d as Unwrap<D>;
}

/**
 * fetch() with the key (if any) and X-Requested-By added; reports 401 to the AuthProvider.
 * Does not throw on HTTP errors.
 */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = getKey();
  if (key && !headers.has("X-API-Key")) headers.set("X-API-Key", key);
  headers.set(REQUESTED_BY_HEADER, REQUESTED_BY);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, 0, e instanceof Error ? e.message : String(e));
  }
  if (res.status === 401) reportUnauthorized();
  return res;
}

/** Throws ApiError if `res` is not 2xx (reading its error envelope). */
export async function ensureOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  let body: unknown = undefined;
  const text = await res.text().catch(() => "");
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  throw toApiError(res.status, body, res.statusText);
}

/** Reads a JSON envelope from a Response: returns `data`, throws ApiError on non-2xx. */
export async function callResponse<T = unknown>(res: Response): Promise<T> {
  await ensureOk(res);
  const body = (await res.json()) as Envelope<T>;
  return body && typeof body === "object" && "data" in body ? body.data : (body as T);
}

/** apiFetch + callResponse; `json` is sent as the JSON body. */
export async function callJson<T = unknown>(
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<T> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("Content-Type", "application/json");
  const res = await apiFetch(path, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });
  return callResponse<T>(res);
}

/** Downloads a response as a file (uses the server's Content-Disposition filename when present). */
export async function downloadResponse(res: Response, fallbackName: string): Promise<void> {
  await ensureOk(res);
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") || "";
  const m = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(cd);
  const name = m ? decodeURIComponent(m[1] || m[2]) : fallbackName;
  saveBlob(blob, name);
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

export type SseEvent = { event: string; data: string; id?: string };

/**
 * Reads a text/event-stream with fetch (EventSource cannot send X-API-Key or X-Requested-By).
 * Resolves when the server ends the stream (or `signal` aborts: resolves quietly);
 * rejects with ApiError if the answer is not 2xx. Returns the last event id seen,
 * to resume with `lastEventId`.
 */
export async function streamSse(
  url: string,
  opts: {
    onEvent: (ev: SseEvent) => void;
    signal?: AbortSignal;
    lastEventId?: string;
    onOpen?: (res: Response) => void;
  },
): Promise<{ lastEventId?: string }> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (opts.lastEventId) headers["Last-Event-ID"] = opts.lastEventId;
  let lastId = opts.lastEventId;
  let res: Response;
  try {
    res = await apiFetch(url, { headers, signal: opts.signal, cache: "no-store" });
  } catch (e) {
    if (opts.signal?.aborted) return { lastEventId: lastId };
    throw e;
  }
  await ensureOk(res);
  opts.onOpen?.(res);
  if (!res.body) return { lastEventId: lastId };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let event = "message";
  let data: string[] = [];
  let id: string | undefined;
  const dispatch = () => {
    if (data.length) {
      if (id !== undefined) lastId = id;
      opts.onEvent({ event, data: data.join("\n"), id });
    }
    event = "message";
    data = [];
    id = undefined;
  };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf[nl] === "\r" && buf[nl + 1] === "\n" ? 2 : 1));
        if (line === "") {
          dispatch();
          continue;
        }
        if (line.startsWith(":")) continue; // comment / keep-alive
        const i = line.indexOf(":");
        const name = i < 0 ? line : line.slice(0, i);
        let val = i < 0 ? "" : line.slice(i + 1);
        if (val.startsWith(" ")) val = val.slice(1);
        if (name === "event") event = val;
        else if (name === "data") data.push(val);
        else if (name === "id") id = val;
      }
    }
  } catch (e) {
    if (opts.signal?.aborted) return { lastEventId: lastId };
    throw e;
  } finally {
    reader.releaseLock?.();
  }
  return { lastEventId: lastId };
}

/** The message to show for anything thrown (ApiError: message + field detail). */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.text;
  if (e instanceof Error) return e.message;
  return String(e);
}
