// Helpers of the Resources area: object ids and their URLs, YAML in and out, and the documents the
// side-by-side version diff is drawn from.
import { parseAllDocuments, stringify } from "yaml";
import { api, call, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";

export type MemberObject = Schemas["MemberObject"];
export type MemberObjectDetail = Schemas["MemberObjectDetail"];
export type VersionItem = Schemas["VersionItem"];
export type DiffEntry = Schemas["DiffEntry"];
export type KubeObject = Record<string, unknown> & { metadata?: Record<string, unknown> };

/** The console path (under /ui) of an object's detail page. */
export function objectPath(id: string, tab?: "yaml" | "versions"): string {
  return `/resources/object/${encodeURIComponent(id)}${tab && tab !== "yaml" ? `?tab=${tab}` : ""}`;
}

/** `<cluster>:<type>:<namespace>:<name>`: only the first three ":" count (names may hold ":"). */
export function parseObjectId(id: string): { cluster: string; type: string; namespace: string; name: string } | null {
  const parts = id.split(":");
  if (parts.length < 4) return null;
  const [cluster, type, namespace, ...rest] = parts;
  const name = rest.join(":");
  if (!cluster || !type || !name) return null;
  return { cluster, type, namespace, name };
}

/** The object as the editor shows it: without managedFields (server bookkeeping nobody edits). */
export function editable(resource: Record<string, unknown> | undefined): KubeObject {
  const obj = structuredClone(resource ?? {}) as KubeObject;
  if (obj.metadata && typeof obj.metadata === "object") delete obj.metadata.managedFields;
  return obj;
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

export type ParsedYaml = { ok: true; object: KubeObject } | { ok: false; reason: "invalid" | "notObject" | "manyDocs"; detail?: string; docs?: number };

/** One Kubernetes object from YAML text (or why not). */
export function parseObjectYaml(text: string): ParsedYaml {
  let docs;
  try {
    docs = parseAllDocuments(text);
  } catch (e) {
    return { ok: false, reason: "invalid", detail: e instanceof Error ? e.message : String(e) };
  }
  if (!Array.isArray(docs)) return { ok: false, reason: "invalid" };
  const real = docs.filter((d) => d.contents !== null);
  for (const d of real) {
    if (d.errors.length) return { ok: false, reason: "invalid", detail: d.errors[0].message };
  }
  if (real.length > 1) return { ok: false, reason: "manyDocs", docs: real.length };
  if (real.length === 0) return { ok: false, reason: "notObject" };
  let value: unknown;
  try {
    value = real[0].toJS({ maxAliasCount: 0 });
  } catch (e) {
    return { ok: false, reason: "invalid", detail: e instanceof Error ? e.message : String(e) };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return { ok: false, reason: "notObject" };
  const obj = value as KubeObject;
  const meta = obj.metadata;
  if (!meta || typeof meta !== "object" || typeof meta.name !== "string" || !meta.name) {
    return { ok: false, reason: "notObject" };
  }
  return { ok: true, object: obj };
}

// ---- The version diff, side by side.
//
// The API's diff (`GET /yaml/versions/{id}/diff`) answers field changes: `path`
// (`data.color`, `spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`)
// with `old_value` and `new_value`. Both sides are drawn as YAML holding the changed fields under
// their full path, so jsdiff's diffLines lines them up: shared path lines stay, values differ.

export type PathSeg = string | number;

/** Parses the diff engine's path form back into segments. */
export function parseDiffPath(path: string): PathSeg[] {
  const segs: PathSeg[] = [];
  let i = 0;
  while (i < path.length) {
    const c = path[i];
    if (c === ".") {
      i++;
      continue;
    }
    if (c === "[") {
      if (path[i + 1] === '"') {
        // a JSON string up to its closing quote
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === "\\" ? 2 : 1;
        const raw = path.slice(i + 1, j + 1);
        try {
          segs.push(JSON.parse(raw) as string);
        } catch {
          segs.push(raw);
        }
        i = j + 2; // past `"]`
      } else {
        const j = path.indexOf("]", i);
        const n = path.slice(i + 1, j < 0 ? undefined : j);
        segs.push(/^\d+$/.test(n) ? Number(n) : n);
        i = j < 0 ? path.length : j + 1;
      }
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== "." && path[j] !== "[") j++;
    segs.push(path.slice(i, j));
    i = j;
  }
  return segs;
}

type Node = { children: Map<string, Node>; has: boolean; value?: unknown };

function newNode(): Node {
  return { children: new Map(), has: false };
}

function keyText(seg: PathSeg): string {
  if (typeof seg === "number") return `[${seg}]`;
  return /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(seg) ? seg : JSON.stringify(seg);
}

function render(node: Node, indent: number, out: string[]) {
  const pad = " ".repeat(indent);
  for (const [key, child] of node.children) {
    if (child.has) {
      const v = child.value;
      const text = stringify(v, { lineWidth: 0 }).replace(/\n$/, "");
      const lines = text.split("\n");
      const structured =
        v !== null && typeof v === "object" && (Array.isArray(v) ? v.length > 0 : Object.keys(v as object).length > 0);
      if (structured) {
        out.push(`${pad}${key}:`);
        for (const l of lines) out.push(`${pad}  ${l}`);
      } else {
        // scalars, block scalars (`|-` then their lines), [] and {}
        out.push(`${pad}${key}: ${lines[0]}`);
        for (const l of lines.slice(1)) out.push(`${pad}  ${l}`);
      }
    } else {
      out.push(`${pad}${key}:`);
    }
    if (child.children.size) render(child, indent + 2, out);
  }
}

/**
 * The two texts of the side-by-side view: each holds the path of every change (so both line up),
 * the left with the old values (modified, deleted), the right with the new (modified, added).
 */
export function diffDocuments(entries: DiffEntry[]): { left: string; right: string } {
  const left = newNode();
  const right = newNode();
  for (const e of entries) {
    const segs = parseDiffPath(e.path || "");
    const place = (root: Node, present: boolean, value: unknown) => {
      let n = root;
      for (const s of segs) {
        const k = keyText(s);
        let c = n.children.get(k);
        if (!c) {
          c = newNode();
          n.children.set(k, c);
        }
        n = c;
      }
      if (present) {
        n.has = true;
        n.value = value;
      }
    };
    place(left, e.type !== "added", e.old_value);
    place(right, e.type !== "deleted", e.new_value);
  }
  const l: string[] = [];
  const r: string[] = [];
  render(left, 0, l);
  render(right, 0, r);
  return { left: l.length ? l.join("\n") + "\n" : "", right: r.length ? r.join("\n") + "\n" : "" };
}

// ---- Clusters, for the filters and the create form.

export type ClusterOption = { value: string; label: string };

export function useClusterOptions() {
  return useApi(
    async (signal) => {
      const d = await call(api.GET("/api/k8s/clusters/list", { params: { query: { limit: 1000 } }, signal }));
      return (d.clusters ?? []).map((c) => ({ value: String(c.id), label: c.name })) as ClusterOption[];
    },
    [],
  );
}

/** Common types offered in the type filter; any name the members resolve works. */
export const COMMON_TYPES = [
  "pods",
  "deployments",
  "statefulsets",
  "daemonsets",
  "replicasets",
  "jobs",
  "cronjobs",
  "services",
  "ingresses",
  "configmaps",
  "secrets",
  "persistentvolumeclaims",
  "horizontalpodautoscalers",
  "networkpolicies",
  "serviceaccounts",
  "namespaces",
  "nodes",
  "events",
];

export const RESOURCE_TYPE_RE = /^[A-Za-z0-9]+(\.[A-Za-z0-9-]+)*$/;
export const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const TAG_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
