// /ui/containers: pick a cluster, a namespace and a pod's container; links to its logs, terminal and files.
import { Alert, Anchor, Badge, Group, Paper, Select, Table, Text, TextInput } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { ClusterSelect, defaultCluster, useClusters } from "../../components/ClusterSelect";
import { EmptyState } from "../../components/EmptyState";
import { LoadingRows } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { dict } from "./i18n";
import { containerRoute, makeContainerId } from "./ids";

type PodRow = {
  key: string;
  cluster: string;
  namespace: string;
  name: string;
  status: string;
  containers: string[];
};

function podContainers(spec: unknown): string[] {
  const s = spec as { containers?: { name?: unknown }[] } | null | undefined;
  return (s?.containers ?? []).map((c) => c?.name).filter((n): n is string => typeof n === "string");
}

function statusColor(status: string): string {
  const s = status.toLowerCase();
  if (s === "running" || s === "succeeded") return "green";
  if (s === "pending") return "yellow";
  if (s === "failed" || s === "error") return "red";
  return "gray";
}

export default function Picker() {
  const t = useT(dict);
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const namespace = params.get("namespace") ?? "";

  const clusters = useClusters();
  const cluster = params.get("cluster") ?? defaultCluster(clusters.data?.clusters);

  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === "cluster") next.delete("namespace");
    setParams(next, { replace: true });
  };

  const namespaces = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/unified/resources", {
          params: { query: { resource_type: "namespaces", cluster_ids: cluster, limit: 1000 } },
          signal,
        }),
      ),
    [cluster],
    { enabled: !!cluster },
  );
  const nsOptions = useMemo(
    () => [
      { value: "", label: t("allNamespaces") },
      ...(namespaces.data?.resources ?? []).map((r) => ({ value: r.name, label: r.name })),
    ],
    [namespaces.data, t],
  );

  const pods = useApi(
    (signal) =>
      call(
        api.GET("/api/k8s/unified/resources", {
          params: {
            query: { resource_type: "pods", cluster_ids: cluster, namespace: namespace || undefined, limit: 1000 },
          },
          signal,
        }),
      ),
    [cluster, namespace],
    { enabled: !!cluster },
  );

  const rows: PodRow[] = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (pods.data?.resources ?? [])
      .map((r) => ({
        key: r.id,
        cluster,
        namespace: r.namespace ?? "",
        name: r.name,
        status: String(r.status ?? ""),
        containers: podContainers(r.spec),
      }))
      .filter((r) => !needle || r.name.toLowerCase().includes(needle) || r.namespace.toLowerCase().includes(needle))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }, [pods.data, q, cluster]);

  const canExec = useCan("exec", "create", cluster || undefined);
  const canFiles = useCan("files", "get", cluster || undefined);
  const memberErrors = pods.data?.errors ?? [];

  return (
    <>
      <PageHeader title={t("title")} description={t("pickerDescription")} />
      <Paper withBorder p="md" mb="md">
        <Group align="flex-end" gap="md" wrap="wrap">
          <ClusterSelect
            label={t("clusterLabel")}
            clusters={clusters.data?.clusters}
            value={cluster}
            onChange={(v) => set("cluster", v)}
            placeholder={clusters.loading ? t("loadingShort") : t("chooseCluster")}
            w={240}
            data-testid="pick-cluster"
          />
          <Select
            label={t("namespaceLabel")}
            data={nsOptions}
            value={namespace}
            onChange={(v) => set("namespace", v)}
            searchable
            allowDeselect={false}
            disabled={!cluster}
            w={240}
            data-testid="pick-namespace"
          />
          <TextInput
            label={t("filterPods")}
            value={q}
            onChange={(e) => set("q", e.currentTarget.value)}
            leftSection={<IconSearch size={16} aria-hidden />}
            placeholder={t("filterPodsPlaceholder")}
            w={280}
            data-testid="pick-search"
          />
        </Group>
      </Paper>
      <ApiErrorAlert error={clusters.error} onRetry={clusters.reload} mb="md" />
      <ApiErrorAlert error={pods.error} onRetry={pods.reload} mb="md" />
      {memberErrors.length > 0 && (
        <Alert color="orange" variant="light" mb="md" title={t("memberErrors")} data-testid="member-errors">
          {memberErrors.map((e) => (
            <Text size="sm" key={`${e.cluster_name}-${e.code}`}>
              {e.cluster_name}: {e.error}
            </Text>
          ))}
        </Alert>
      )}
      {clusters.data && clusters.data.clusters.length === 0 ? (
        <EmptyState title={t("noClusters")} description={t("noClustersText")} />
      ) : pods.loading || clusters.loading ? (
        <LoadingRows rows={6} />
      ) : !pods.error && rows.length === 0 ? (
        <EmptyState title={t("noPods")} description={t("noPodsText")} />
      ) : rows.length > 0 ? (
        <Paper withBorder>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="pods-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("pod")}</Table.Th>
                <Table.Th>{t("namespaceLabel")}</Table.Th>
                <Table.Th>{t("status")}</Table.Th>
                <Table.Th>{t("containers")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.key} data-testid="pod-row" data-pod={`${r.namespace}/${r.name}`}>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {r.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>{r.namespace}</Table.Td>
                  <Table.Td>
                    <Badge color={statusColor(r.status)} variant="light">
                      {r.status || "—"}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {r.containers.map((c) => {
                      const id = makeContainerId(r.cluster, r.namespace, r.name, c);
                      return (
                        <Group key={c} gap="sm" wrap="nowrap" data-testid="container-links" data-container-id={id}>
                          <Text size="sm" fw={600} miw={80}>
                            {c}
                          </Text>
                          <Anchor component={Link} to={containerRoute(id, "logs")} size="sm"
                            aria-label={t("openLogsOf", { name: `${r.name}/${c}` })}>
                            {t("tabLogs")}
                          </Anchor>
                          {canExec && (
                            <Anchor component={Link} to={containerRoute(id, "terminal")} size="sm"
                              aria-label={t("openTerminalOf", { name: `${r.name}/${c}` })}>
                              {t("tabTerminal")}
                            </Anchor>
                          )}
                          {canFiles && (
                            <Anchor component={Link} to={containerRoute(id, "files")} size="sm"
                              aria-label={t("openFilesOf", { name: `${r.name}/${c}` })}>
                              {t("tabFiles")}
                            </Anchor>
                          )}
                        </Group>
                      );
                    })}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      ) : null}
    </>
  );
}
