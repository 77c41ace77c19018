// The cluster list for pickers (`useClusters`), the cluster picker by name (`ClusterSelect`) and the
// default choice (`defaultCluster`: the first connected cluster).
import { Select, type SelectProps } from "@mantine/core";
import { useMemo } from "react";
import { api, call, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useT } from "../i18n";

const dict = {
  en: { cluster: "Cluster", allClusters: "All clusters", noClusters: "No clusters registered" },
  zh: { cluster: "集群", allClusters: "全部集群", noClusters: "尚未注册集群" },
};

export type ClusterSummary = Schemas["ClusterSummary"];

/** Every registered cluster (up to 1,000), for pickers. */
export function useClusters() {
  return useApi(
    (signal) => call(api.GET("/api/k8s/clusters/list", { params: { query: { limit: 1000 } }, signal })),
    [],
  );
}

/**
 * Cluster picker (by name). `allowAll` adds an "All clusters" choice (value "").
 * Shows a loader while the list loads; the list's error is left to the page.
 */
export function ClusterSelect({
  value,
  onChange,
  allowAll,
  clusters,
  label,
  required,
  ...rest
}: {
  value: string;
  onChange: (v: string) => void;
  allowAll?: boolean;
  clusters: ClusterSummary[] | undefined;
  label?: string;
  required?: boolean;
} & Omit<SelectProps, "value" | "onChange" | "data" | "label">) {
  const t = useT(dict);
  const data = useMemo(() => {
    const items = (clusters ?? []).map((c) => ({
      value: c.name,
      label: c.status === "connected" ? c.name : `${c.name} (${c.status})`,
    }));
    return allowAll ? [{ value: "", label: t("allClusters") }, ...items] : items;
  }, [clusters, allowAll, t]);
  return (
    <Select
      label={label ?? t("cluster")}
      data={data}
      value={value}
      onChange={(v) => onChange(v ?? "")}
      allowDeselect={false}
      searchable
      nothingFoundMessage={t("noClusters")}
      required={required}
      w={220}
      {...rest}
    />
  );
}

/** The first connected cluster's name (else the first), for defaults. */
export function defaultCluster(clusters: ClusterSummary[] | undefined): string {
  if (!clusters?.length) return "";
  return (clusters.find((c) => c.status === "connected") ?? clusters[0]).name;
}

