// Loads data for a page, with loading/error state, reload and optional polling.
//   const { data, error, loading, reload } = useApi(
//     (signal) => call(api.GET("/api/k8s/clusters/{id}", { params: { path: { id } }, signal })), [id]);
// Stale answers (deps changed meanwhile) are dropped; the request is aborted on unmount.
import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export type ApiState<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T | undefined | ((prev: T | undefined) => T | undefined)) => void;
};

export function useApi<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
  opts: { enabled?: boolean; intervalMs?: number } = {},
): ApiState<T> {
  const { enabled = true, intervalMs } = opts;
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState<boolean>(enabled);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const hasData = useRef(false);

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return;
    }
    const ctl = new AbortController();
    let alive = true;
    if (!hasData.current) setLoading(true);
    fnRef
      .current(ctl.signal)
      .then((d) => {
        if (!alive) return;
        hasData.current = true;
        setData(d);
        setError(null);
      })
      .catch((e) => {
        if (!alive || ctl.signal.aborted) return;
        setError(e);
      })
      .finally(() => {
        if (alive) setLoading(false);
      });
    return () => {
      alive = false;
      ctl.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, enabled]);

  useEffect(() => {
    if (!intervalMs || !enabled) return;
    const h = setInterval(() => setTick((x) => x + 1), intervalMs);
    return () => clearInterval(h);
  }, [intervalMs, enabled]);

  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}
