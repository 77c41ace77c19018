// Restore a backup: under a new name (nothing written if it exists), or over the original after a confirmation.
import { Alert, Anchor, Badge, Button, Group, List, Modal, Radio, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { ConfirmModal } from "../../components/ConfirmModal";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { fieldError } from "./CreateBackupModal";
import { dict } from "./i18n";
import { notifyDone } from "../../lib/notify";
import { clusterOptions, type Backup, type ClusterSummary } from "./util";

type Result = Schemas["RestoreResult"];

export function RestoreModal({
  backup,
  clusters,
  onClose,
}: {
  backup: Backup | null;
  clusters: ClusterSummary[] | undefined;
  onClose: () => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const [mode, setMode] = useState<"new" | "overwrite">("new");
  const [restoreName, setRestoreName] = useState("");
  const [cluster, setCluster] = useState<string | null>(null);
  const [namespace, setNamespace] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<Result | null>(null);

  const isNamespace = backup?.resource_type === "namespace";
  useEffect(() => {
    if (!backup) return;
    setMode("new");
    setRestoreName("");
    setCluster(null);
    setNamespace("");
    setError(null);
    setMissing(false);
    setConfirming(false);
    setResult(null);
  }, [backup]);

  if (!backup) return null;
  const object = isNamespace ? `namespace/${backup.name}` : `${backup.namespace ? backup.namespace + "/" : ""}${backup.name}`;
  const targetClusterName = cluster
    ? clusters?.find((c) => String(c.id ?? c.name) === cluster)?.name ?? cluster
    : backup.cluster_name;

  const restore = async () => {
    const r = await call(
      api.POST("/api/k8s/yaml/backup/restore", {
        body: {
          backup_id: backup.id,
          overwrite: mode === "overwrite",
          restore_name: mode === "new" ? restoreName.trim() : null,
          cluster_id: cluster,
          namespace: namespace.trim() || null,
        },
      }),
    );
    setResult(r);
    notifyDone(tc("success"), t("restored", { count: r.restored.length, name: r.backup_name }), tc("close"));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mode === "new" && !restoreName.trim()) {
      setMissing(true);
      return;
    }
    if (mode === "overwrite") {
      setConfirming(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await restore();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Modal
        opened={!!backup && !confirming}
        onClose={() => !busy && onClose()}
        title={t("restoreOf", { name: backup.backup_name })}
        size="lg"
        centered
      >
        {result ? (
          <Stack data-testid="restore-result">
            <Alert color="green" variant="light" title={t("restoredTitle")}>
              <List size="sm" spacing={4}>
                {result.restored.map((it) => (
                  <List.Item key={it.id}>
                    <Group gap={6} wrap="nowrap">
                      <Badge size="sm" variant="light" color={it.action === "created" ? "green" : "orange"}>
                        {it.action === "created" ? t("actionCreated") : t("actionReplaced")}
                      </Badge>
                      <Anchor
                        component={Link}
                        to={`/resources/object/${encodeURIComponent(it.id)}`}
                        size="sm"
                        ff="monospace"
                        aria-label={t("openObject", { id: it.id })}
                      >
                        {it.id}
                      </Anchor>
                    </Group>
                  </List.Item>
                ))}
              </List>
            </Alert>
            <Group justify="flex-end">
              <Button onClick={onClose}>{tc("close")}</Button>
            </Group>
          </Stack>
        ) : (
          <form onSubmit={submit} noValidate data-testid="restore-form">
            <Stack>
              <Text size="sm">
                <Text span c="dimmed">{t("colObject")}: </Text>
                <Text span ff="monospace">{backup.resource_id}</Text>
              </Text>
              <Radio.Group label={t("restoreMode")} value={mode} onChange={(v) => setMode(v as "new" | "overwrite")}>
                <Stack gap={6} mt={6}>
                  <Radio value="new" label={t("modeNew")} data-testid="restore-mode-new" />
                  <Radio value="overwrite" label={t("modeOverwrite")} data-testid="restore-mode-overwrite" />
                </Stack>
              </Radio.Group>
              {mode === "new" && (
                <TextInput
                  label={isNamespace ? t("restoreNameNs") : t("restoreName")}
                  description={isNamespace ? t("restoreNameNsHint") : t("restoreNameHint")}
                  value={restoreName}
                  onChange={(e) => {
                    setRestoreName(e.currentTarget.value);
                    setMissing(false);
                  }}
                  error={missing ? t("restoreNameRequired") : fieldError(error, "restore_name")}
                  required
                  data-autofocus
                  spellCheck={false}
                  autoComplete="off"
                  maxLength={253}
                />
              )}
              <Group grow align="flex-start">
                <Select
                  label={t("targetCluster")}
                  description={t("targetClusterHint")}
                  placeholder={t("sourceCluster")}
                  data={clusterOptions(clusters)}
                  value={cluster}
                  onChange={setCluster}
                  clearable
                  searchable
                  error={fieldError(error, "cluster_id")}
                />
                {!isNamespace && (
                  <TextInput
                    label={t("targetNamespace")}
                    description={t("targetNamespaceHint")}
                    placeholder={backup.namespace || undefined}
                    value={namespace}
                    onChange={(e) => setNamespace(e.currentTarget.value)}
                    error={fieldError(error, "namespace")}
                    spellCheck={false}
                    autoComplete="off"
                  />
                )}
              </Group>
              {mode === "overwrite" && (
                <Alert color="orange" variant="light" icon={<IconAlertTriangle aria-hidden />}>
                  {t("overwriteWarning", { object, cluster: targetClusterName })}
                </Alert>
              )}
              <ApiErrorAlert error={error} />
              <Group justify="flex-end">
                <Button variant="default" onClick={onClose} disabled={busy}>
                  {tc("cancel")}
                </Button>
                <Button
                  type="submit"
                  loading={busy}
                  color={mode === "overwrite" ? "red" : undefined}
                  data-testid="restore-submit"
                >
                  {t("restoreNow")}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
      <ConfirmModal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={t("confirmOverwriteTitle", { object })}
        confirmLabel={t("confirmOverwrite")}
        danger
        onConfirm={restore}
      >
        {t("overwriteWarning", { object, cluster: targetClusterName })}
      </ConfirmModal>
    </>
  );
}
