// The "New object" editor of the list page: one object as YAML, created with POST /unified/resources
// (the member dry-runs it first: an invalid object is a 422 naming the field, and nothing is written).
import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { dict } from "./i18n";
import { NAMESPACE_RE, objectPath, parseObjectYaml, type ClusterOption } from "./lib";
import { YamlEditor } from "./YamlEditor";
import classes from "./resources.module.css";

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: example
data:
  key: value
`;

export function NewObjectModal({
  opened,
  onClose,
  clusters,
  defaultCluster,
  defaultNamespace,
}: {
  opened: boolean;
  onClose: () => void;
  clusters: ClusterOption[];
  defaultCluster?: string;
  defaultNamespace?: string;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const navigate = useNavigate();
  const [text, setText] = useState(TEMPLATE);
  const [cluster, setCluster] = useState<string | null>(defaultCluster ?? null);
  const [namespace, setNamespace] = useState(defaultNamespace ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [parseError, setParseError] = useState<string | null>(null);

  useEffect(() => {
    if (!cluster && (defaultCluster || clusters.length === 1)) setCluster(defaultCluster ?? clusters[0].value);
  }, [cluster, clusters, defaultCluster]);

  const nsInvalid = namespace !== "" && !NAMESPACE_RE.test(namespace);

  const create = async () => {
    setError(null);
    setParseError(null);
    const parsed = parseObjectYaml(text);
    if (!parsed.ok) {
      setParseError(
        parsed.reason === "manyDocs"
          ? t("yamlOneDoc", { n: parsed.docs ?? 0 })
          : parsed.reason === "notObject"
            ? t("yamlNotObject")
            : `${t("yamlInvalid")}${parsed.detail ? `: ${parsed.detail}` : ""}`,
      );
      return;
    }
    if (!cluster || nsInvalid) return;
    setBusy(true);
    try {
      const created = await call(
        api.POST("/api/k8s/unified/resources", {
          body: {
            cluster_id: /^\d+$/.test(cluster) ? Number(cluster) : cluster,
            namespace: namespace || null,
            resource_type: null,
            resource: parsed.object as Schemas["ObjectManifest"] & { kind: string },
          },
        }),
      );
      notifications.show({ color: "green", message: t("created_ok", { name: created.name }) });
      setText(TEMPLATE);
      navigate(objectPath(created.id));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={() => !busy && onClose()}
      title={t("newTitle")}
      size="xl"
      closeButtonProps={{ "aria-label": tc("close") }}
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("newIntro")}
        </Text>
        <Group grow align="flex-start">
          <Select
            label={t("targetCluster")}
            data={clusters}
            value={cluster}
            onChange={setCluster}
            required
            searchable
            allowDeselect={false}
            data-testid="new-cluster"
          />
          <TextInput
            label={t("defaultNamespace")}
            value={namespace}
            onChange={(e) => setNamespace(e.currentTarget.value)}
            error={nsInvalid ? t("namespaceInvalid") : undefined}
            classNames={{ error: classes.fieldError }}
            placeholder="default"
            data-testid="new-namespace"
          />
        </Group>
        <div>
          <Text component="span" size="sm" fw={500} id="new-yaml-label">
            {t("yamlLabel")}
          </Text>
          <YamlEditor value={text} onChange={setText} readOnly={false} label={t("yamlLabel")} minHeight={280} maxHeight={440} loadingLabel={t("loadingEditor")} />
        </div>
        {parseError && (
          <Alert color="red" variant="light" role="alert" title={t("yamlInvalid")} data-testid="yaml-error">
            {parseError}
          </Alert>
        )}
        <ApiErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>
            {tc("cancel")}
          </Button>
          <Button onClick={create} loading={busy} disabled={!cluster} data-testid="create-object">
            {t("createObject")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
