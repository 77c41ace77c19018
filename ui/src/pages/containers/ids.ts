// Container ids `<cluster>:<namespace>:<pod>:<container>` and the API paths built on them.
export type ContainerRef = { id: string; cluster: string; namespace: string; pod: string; container?: string };

export function parseContainerId(id: string): ContainerRef | null {
  const parts = id.split(":");
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => !p)) return null;
  const [cluster, namespace, pod, container] = parts;
  return { id, cluster, namespace, pod, container };
}

export function makeContainerId(cluster: string | number, namespace: string, pod: string, container: string): string {
  return `${cluster}:${namespace}:${pod}:${container}`;
}

/** The id as a path segment: encoded, but the colons kept readable (they are valid in a path). */
export function idSegment(id: string): string {
  return encodeURIComponent(id).replace(/%3A/gi, ":");
}

/** `/api/k8s/containers/{id}/<rest>` with `query` (undefined/empty values left out, arrays repeated). */
export function containerApi(
  id: string,
  rest: string,
  query?: Record<string, string | number | boolean | null | undefined | string[]>,
): string {
  const base = `/api/k8s/containers/${idSegment(id)}/${rest}`;
  if (!query) return base;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) {
      if (v.length) q.set(k, v.join(","));
    } else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

/** The console route of a container tab. */
export function containerRoute(id: string, tab: "logs" | "terminal" | "files"): string {
  return `/containers/${idSegment(id)}/${tab}`;
}

/** `1536` -> `1.5 KiB` */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "—";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Joins a directory and a name into an absolute path. */
export function joinPath(dir: string, name: string): string {
  return (dir.endsWith("/") ? dir : dir + "/") + name;
}

/** The parent directory of an absolute path (`/` for `/`). */
export function parentPath(path: string): string {
  const p = path.replace(/\/+$/, "");
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}
