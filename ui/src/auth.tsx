// Who is signed in and what they may do.
//
//   const canAdd = useCan("clusters", "create");            // hub-wide
//   const canExec = useCan("exec", "create", "member-1");    // for one cluster (whoami?cluster_id=)
//   {canAdd && <Button>Add cluster</Button>}                 // write buttons are hidden, never just disabled
//   const { whoami, signOut } = useAuth();
//
// whoami comes from GET /api/k8s/auth/whoami; while that endpoint does not exist (404) the console
// assumes everything is allowed and lets the API's 403 speak. A 401 anywhere clears the key and goes
// to /ui/login?next=<where you were>.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { ApiError, callJson, clearKey, getKey, onUnauthorized, setKey } from "./api/client";
import { Loading } from "./components/Loading";
import { ApiErrorAlert } from "./components/ApiErrorAlert";

export type Verb = "get" | "list" | "create" | "update" | "delete";
export type Capability =
  | "clusters" | "test" | "sync" | "health" | "metrics" | "resources" | "crds" | "secrets" | "logs"
  | "exec" | "files" | "versions" | "backups" | "quotas" | "labels" | "scheduling" | "network"
  | "policies" | "cost" | "mcp" | "cli";

export type Whoami = {
  user: string;
  groups: string[];
  method?: string;
  /** capability -> allowed verbs; "*" when the endpoint is missing (everything allowed) */
  can: Record<string, string[]> | "*";
};

type AuthState = {
  key: string | null;
  whoami: Whoami | null;
  loading: boolean;
  error: unknown;
  /** checks `key` against whoami and stores it; throws ApiError on a bad key */
  signIn: (key: string) => Promise<void>;
  signOut: () => void;
  refresh: () => void;
  /** whoami for one cluster (cached); undefined while loading */
  whoamiFor: (clusterId: string) => Whoami | undefined;
};

const AuthContext = createContext<AuthState | null>(null);

const WHOAMI = "/api/k8s/auth/whoami";

async function fetchWhoami(clusterId?: string): Promise<Whoami> {
  const url = clusterId ? `${WHOAMI}?cluster_id=${encodeURIComponent(clusterId)}` : WHOAMI;
  try {
    const d = await callJson<Partial<Whoami>>(url);
    return {
      user: d.user ?? "?",
      groups: d.groups ?? [],
      method: d.method,
      can: d.can ?? {},
    };
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && /no route/i.test(e.detail || e.message)) {
      // The endpoint does not exist yet: check the key with a cheap authenticated call instead.
      await callJson("/api/k8s/clusters/list?limit=1");
      return { user: "api-key", groups: [], can: "*" };
    }
    throw e;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [key, setKeyState] = useState<string | null>(getKey);
  const [whoami, setWhoami] = useState<Whoami | null>(null);
  const [loading, setLoading] = useState<boolean>(!!getKey());
  const [error, setError] = useState<unknown>(null);
  const [perCluster, setPerCluster] = useState<Record<string, Whoami>>({});
  const pending = useRef<Set<string>>(new Set());
  const navigate = useNavigate();
  const location = useLocation();
  const locRef = useRef(location);
  locRef.current = location;

  const load = useCallback(async () => {
    if (!getKey()) {
      setWhoami(null);
      setLoading(false);
      return;
    }
    setLoading(true);
    setError(null);
    try {
      setWhoami(await fetchWhoami());
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const signOut = useCallback(() => {
    clearKey();
    setKeyState(null);
    setWhoami(null);
    setPerCluster({});
    navigate("/login", { replace: true });
  }, [navigate]);

  useEffect(
    () =>
      onUnauthorized(() => {
        if (!getKey()) return;
        clearKey();
        setKeyState(null);
        setWhoami(null);
        setPerCluster({});
        const l = locRef.current;
        if (l.pathname !== "/login") {
          const next = l.pathname + l.search;
          navigate(`/login?next=${encodeURIComponent(next)}&expired=1`, { replace: true });
        }
      }),
    [navigate],
  );

  const signIn = useCallback(async (k: string) => {
    const previous = getKey();
    setKey(k);
    try {
      const w = await fetchWhoami();
      setKeyState(k);
      setWhoami(w);
      setPerCluster({});
      setError(null);
      setLoading(false);
    } catch (e) {
      if (previous) setKey(previous);
      else clearKey();
      throw e;
    }
  }, []);

  const whoamiFor = useCallback(
    (clusterId: string) => {
      if (whoami?.can === "*") return whoami;
      const got = perCluster[clusterId];
      if (got) return got;
      if (whoami && !pending.current.has(clusterId)) {
        pending.current.add(clusterId);
        fetchWhoami(clusterId)
          .then((w) => setPerCluster((p) => ({ ...p, [clusterId]: w })))
          .catch(() => setPerCluster((p) => ({ ...p, [clusterId]: { ...whoami } })))
          .finally(() => pending.current.delete(clusterId));
      }
      return undefined;
    },
    [perCluster, whoami],
  );

  const value = useMemo<AuthState>(
    () => ({ key, whoami, loading, error, signIn, signOut, refresh: load, whoamiFor }),
    [key, whoami, loading, error, signIn, signOut, load, whoamiFor],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const a = useContext(AuthContext);
  if (!a) throw new Error("useAuth outside AuthProvider");
  return a;
}

export function canDo(w: Whoami | null | undefined, capability: Capability | string, verb: Verb): boolean {
  if (!w) return false;
  if (w.can === "*") return true;
  const verbs = w.can[capability] ?? w.can["*"];
  if (!verbs) return false;
  return verbs.includes(verb) || verbs.includes("*");
}

/**
 * May the signed-in user do `verb` on `capability` (optionally in one cluster)?
 * False while not known yet, so write buttons appear only once allowed.
 */
export function useCan(capability: Capability | string, verb: Verb, clusterId?: string | number | null): boolean {
  const { whoami, whoamiFor } = useAuth();
  if (clusterId !== undefined && clusterId !== null && clusterId !== "") {
    return canDo(whoamiFor(String(clusterId)), capability, verb);
  }
  return canDo(whoami, capability, verb);
}

/** Layout route: signed in, or off to /ui/login?next=... */
export function RequireAuth() {
  const { key, whoami, loading, error, refresh } = useAuth();
  const location = useLocation();
  if (!key) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (loading && !whoami) return <Loading />;
  if (error && !whoami) return <ApiErrorAlert error={error} onRetry={refresh} m="md" />;
  return <Outlet />;
}
