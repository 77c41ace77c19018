// Who is signed in and what they may do.
//
//   const canAdd = useCan("clusters", "create");            // hub-wide
//   const canExec = useCan("exec", "create", "member-1");    // for one cluster (whoami?cluster_id=)
//   {canAdd && <Button>Add cluster</Button>}                 // write buttons are hidden, never just disabled
//   const { whoami, signOut } = useAuth();
//
// Two ways to be signed in (`mode`):
//   "key":     an API key in sessionStorage, sent as X-API-Key;
//   "session": single sign-on; the shim holds an HttpOnly cookie this code cannot see, so the only way
//              to know is to ask: at start, without a key, GET whoami once (200 = session, 401 = not
//              signed in: off to the login page, with no "expired" message).
// whoami comes from GET /api/k8s/auth/whoami; while that endpoint does not exist (404) the console
// assumes everything is allowed and lets the API's 403 speak. A 401 anywhere once signed in ends the
// sign-in and goes to /ui/login?next=<where you were>&expired=1.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { ApiError, apiFetch, callJson, clearKey, getKey, onUnauthorized, setKey } from "./api/client";
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
  /** how the caller authenticated, e.g. "api_key" or "oidc" */
  method?: string;
  /** OIDC sessions: the token's issuer */
  issuer?: string;
  /** OIDC sessions: when the session's token expires (ISO time; the shim refreshes it by itself) */
  expires_at?: string;
  /** capability -> allowed verbs; "*" when the endpoint is missing (everything allowed) */
  can: Record<string, string[]> | "*";
};

export type AuthMode = "key" | "session" | null;

type AuthState = {
  /** how the user is signed in; null = not signed in (or not known yet: see `loading`) */
  mode: AuthMode;
  /** the API key when mode is "key" */
  key: string | null;
  whoami: Whoami | null;
  /** true until the first whoami check has answered */
  loading: boolean;
  /** the sign-in was ended by a 401 (key refused or session over): the login page says so */
  ended: boolean;
  error: unknown;
  /** checks `key` against whoami and stores it; throws ApiError on a bad key */
  signIn: (key: string) => Promise<void>;
  /** ends the sign-in (session mode: also on the server) and goes to /login */
  signOut: () => Promise<void>;
  refresh: () => void;
  /** whoami for one cluster (cached); undefined while loading */
  whoamiFor: (clusterId: string) => Whoami | undefined;
};

const AuthContext = createContext<AuthState | null>(null);

const WHOAMI = "/api/k8s/auth/whoami";
const LOGOUT = "/api/k8s/auth/logout";

async function fetchWhoami(clusterId?: string): Promise<Whoami> {
  const url = clusterId ? `${WHOAMI}?cluster_id=${encodeURIComponent(clusterId)}` : WHOAMI;
  try {
    const d = await callJson<Partial<Whoami>>(url);
    return {
      user: d.user ?? "?",
      groups: d.groups ?? [],
      method: d.method,
      issuer: d.issuer,
      expires_at: d.expires_at,
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
  const [mode, setModeState] = useState<AuthMode>(() => (getKey() ? "key" : null));
  const [whoami, setWhoami] = useState<Whoami | null>(null);
  // Always a first check now: without a key there may still be a session cookie.
  const [loading, setLoading] = useState<boolean>(true);
  const [error, setError] = useState<unknown>(null);
  const [ended, setEnded] = useState(false);
  const [perCluster, setPerCluster] = useState<Record<string, Whoami>>({});
  const pending = useRef<Set<string>>(new Set());
  const navigate = useNavigate();
  // The 401 listener and signOut read the mode synchronously: several 401s may arrive at once, and
  // only the first may act (state updates are not visible to them until the next render).
  const modeRef = useRef<AuthMode>(mode);
  const setMode = useCallback((m: AuthMode) => {
    modeRef.current = m;
    setModeState(m);
  }, []);

  /** Forgets the sign-in locally (key, whoami, per-cluster cache). */
  const reset = useCallback((byUnauthorized: boolean) => {
    clearKey();
    setEnded(byUnauthorized);
    setMode(null);
    setWhoami(null);
    setPerCluster({});
    setError(null);
    setLoading(false);
  }, [setMode]);

  const load = useCallback(async () => {
    const hadKey = !!getKey();
    setLoading(true);
    setError(null);
    try {
      const w = await fetchWhoami();
      setWhoami(w);
      setMode(hadKey ? "key" : "session");
    } catch (e) {
      // 401: no key and no session (the user simply is not signed in yet), or a refused key (the
      // 401 listener has already sent the user to the login page). Anything else is worth showing.
      if (e instanceof ApiError && e.status === 401) {
        if (!hadKey) setMode(null);
      } else {
        setError(e);
      }
    } finally {
      setLoading(false);
    }
  }, [setMode]);

  useEffect(() => {
    void load();
  }, [load]);

  const signOut = useCallback(async () => {
    const was = modeRef.current;
    // Before the request: a 401 from logout (session already gone) must not count as "expired".
    modeRef.current = null;
    if (was === "session") {
      try {
        await apiFetch(LOGOUT, { method: "POST" });
      } catch {
        // the server forgets the session or it expires by itself; the user is leaving either way
      }
    }
    reset(false);
    navigate("/login", { replace: true });
  }, [navigate, reset]);

  // RequireAuth alone navigates to the login page (with expired=1 after this): navigating here as
  // well raced with its <Navigate> and lost the expired=1.
  useEffect(
    () =>
      onUnauthorized(() => {
        // Not signed in (e.g. the first check without a key, or a key being tried): nothing ended.
        if (!modeRef.current) return;
        reset(true);
      }),
    [reset],
  );

  const signIn = useCallback(
    async (k: string) => {
      const previous = getKey();
      setKey(k);
      try {
        const w = await fetchWhoami();
        setMode("key");
        setEnded(false);
        setWhoami(w);
        setPerCluster({});
        setError(null);
        setLoading(false);
      } catch (e) {
        if (previous) setKey(previous);
        else clearKey();
        throw e;
      }
    },
    [setMode],
  );

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

  const key = mode === "key" ? getKey() : null;
  const value = useMemo<AuthState>(
    () => ({ mode, key, whoami, loading, ended, error, signIn, signOut, refresh: load, whoamiFor }),
    [mode, key, whoami, loading, ended, error, signIn, signOut, load, whoamiFor],
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

/** Layout route: signed in, or off to /ui/login?next=... (after the first check has answered) */
export function RequireAuth() {
  const { mode, whoami, loading, ended, error, refresh } = useAuth();
  const location = useLocation();
  if (loading && !whoami) return <Loading />;
  if (!mode) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}${ended ? "&expired=1" : ""}`} replace />;
  }
  if (error && !whoami) return <ApiErrorAlert error={error} onRetry={refresh} m="md" />;
  return <Outlet />;
}
