// /ui/resources/object/:id — one object: highlighted YAML (read-only until Edit), apply with conflict
// detection (the resourceVersion read is sent; a 409 shows the API's message and offers a reload),
// delete with confirmation, and its versions (?tab=versions).
import { Alert, Anchor, Badge, Breadcrumbs, Button, Group, Paper, Stack, Tabs, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconHistory, IconPencil, IconRefresh, IconTrash, IconX, IconCode } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ApiError, api, call, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { useCan } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { ConfirmModal } from "../../components/ConfirmModal";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useFormatDate, useT } from "../../i18n";
import { dict } from "./i18n";
import { editable, parseObjectId, parseObjectYaml, toYaml } from "./lib";
import { filtersQuery } from "./ResourceList";
import { Versions } from "./Versions";
import { YamlEditor } from "./YamlEditor";

export default function ObjectDetail() {
  const t = useT(dict);
  const fmt = useFormatDate();
  const navigate = useNavigate();
  const { id = "" } = useParams();
  const [sp, setSp] = useSearchParams();
  const tab = sp.get("tab") === "versions" ? "versions" : "yaml";
  const where = parseObjectId(id);
  const cluster = where?.cluster;

  const detail = useApi(
    (signal) => call(api.GET("/api/k8s/unified/resources/{id}", { params: { path: { id } }, signal })),
    [id],
  );
  const obj = detail.data;
  const canUpdate = useCan("resources", "update", cluster);
  const canDelete = useCan("resources", "delete", cluster);

  const text = useMemo(() => (obj ? toYaml(editable(obj.resource)) : ""), [obj]);
  const rv = obj ? String((obj.resource?.metadata as Record<string, unknown> | undefined)?.resourceVersion ?? "") : "";

  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [readRv, setReadRv] = useState("");
  const [busy, setBusy] = useState(false);
  const [applyError, setApplyError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<ApiError | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [versionsKey, setVersionsKey] = useState(0);

  const clearErrors = () => {
    setApplyError(null);
    setConflict(null);
    setParseError(null);
  };

  const startEdit = () => {
    clearErrors();
    setDraft(text);
    setReadRv(rv);
    setEditing(true);
  };
  const cancelEdit = () => {
    clearErrors();
    setEditing(false);
  };
  const reloadLatest = () => {
    clearErrors();
    setEditing(false);
    detail.reload();
    setVersionsKey((k) => k + 1);
  };

  const apply = async () => {
    clearErrors();
    const parsed = parseObjectYaml(draft);
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
    const resource = parsed.object;
    // The write is conditional on what was read: a change made meanwhile is a 409, never overwritten.
    resource.metadata = { ...(resource.metadata ?? {}), resourceVersion: readRv || undefined };
    setBusy(true);
    try {
      const updated = await call(
        api.PUT("/api/k8s/unified/resources/{id}", {
          params: { path: { id } },
          body: {
            cluster_id: null,
            namespace: null,
            resource_type: null,
            resource: resource as Schemas["ObjectManifest"],
          },
        }),
      );
      detail.setData(updated);
      setEditing(false);
      setVersionsKey((k) => k + 1);
      notifications.show({ color: "green", message: t("applied_ok", { name: updated.name }) });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict(e);
      else setApplyError(e);
    } finally {
      setBusy(false);
    }
  };

  const listQuery = filtersQuery({
    resource_type: obj?.type ?? where?.type,
    namespace: obj?.namespace ?? where?.namespace,
    cluster_ids: cluster ? [String(obj?.cluster_id ?? cluster)] : [],
  });
  const name = obj?.name ?? where?.name ?? id;
  const kind = obj?.kind ?? where?.type ?? "";
  const notFound = detail.error instanceof ApiError && detail.error.status === 404;

  return (
    <>
      <Breadcrumbs mb="xs" aria-label={t("breadcrumbs")} separator="›">
        <Anchor component={Link} to="/resources" size="sm">
          {t("title")}
        </Anchor>
        <Anchor component={Link} to={`/resources?${listQuery.toString()}`} size="sm">
          {kind}
        </Anchor>
        <Text size="sm" c="dimmed" aria-current="page">
          {name}
        </Text>
      </Breadcrumbs>
      <PageHeader
        title={name}
        description={
          obj ? (
            <Group gap="xs" component="span">
              <Badge variant="light" tt="none">{obj.kind}</Badge>
              <Text span size="sm">{t("cluster")}: {obj.cluster_name}</Text>
              {obj.namespace && <Text span size="sm">· {t("namespace")}: {obj.namespace}</Text>}
              <Text span size="sm">· {t("status")}: {obj.status}</Text>
              <Text span size="sm">· {t("created")}: {fmt(obj.creation_time)}</Text>
              {rv && <Text span size="sm" data-testid="resource-version">· {t("resourceVersion")}: {rv}</Text>}
            </Group>
          ) : undefined
        }
        actions={
          obj && !editing ? (
            <>
              {canUpdate && tab === "yaml" && (
                <Button leftSection={<IconPencil size={16} aria-hidden />} onClick={startEdit} data-testid="edit-yaml">
                  {t("edit")}
                </Button>
              )}
              {canDelete && (
                <Button color="red" variant="light" leftSection={<IconTrash size={16} aria-hidden />} onClick={() => setDeleting(true)} data-testid="delete-object">
                  {t("deleteObject")}
                </Button>
              )}
            </>
          ) : undefined
        }
      />

      {notFound ? (
        <Stack>
          <ApiErrorAlert error={detail.error} title={t("objectNotFound")} />
          <Anchor component={Link} to={`/resources?${listQuery.toString()}`}>
            {t("backToList")}
          </Anchor>
        </Stack>
      ) : detail.error && !obj ? (
        <ApiErrorAlert error={detail.error} onRetry={detail.reload} />
      ) : !obj ? (
        <Loading />
      ) : (
        <Tabs
          value={tab}
          onChange={(v) => {
            const q = new URLSearchParams(sp);
            if (v === "versions") q.set("tab", "versions");
            else {
              q.delete("tab");
              q.delete("from");
              q.delete("to");
            }
            setSp(q);
          }}
          keepMounted={false}
        >
          <Tabs.List aria-label={t("tabs")} mb="md">
            <Tabs.Tab value="yaml" leftSection={<IconCode size={16} aria-hidden />}>
              {t("tabYaml")}
            </Tabs.Tab>
            <Tabs.Tab value="versions" leftSection={<IconHistory size={16} aria-hidden />} data-testid="tab-versions">
              {t("tabVersions")}
            </Tabs.Tab>
          </Tabs.List>

          <Tabs.Panel value="yaml">
            <Stack gap="sm">
              <ApiErrorAlert error={detail.error} onRetry={detail.reload} />
              {editing && (
                <Text size="sm" c="dimmed" data-testid="editing-hint">
                  {t("editingHint", { rv: readRv || "—" })}
                </Text>
              )}
              {!canUpdate && !canDelete && (
                <Text size="sm" c="dimmed">{t("readOnlyNote")}</Text>
              )}
              <YamlEditor
                value={editing ? draft : text}
                onChange={editing ? setDraft : undefined}
                readOnly={!editing}
                autoFocus={editing}
                label={editing ? t("editorEdit", { name }) : t("editorView", { name })}
                minHeight={320}
                maxHeight={620}
                loadingLabel={t("loadingEditor")}
              />
              {parseError && (
                <Alert color="red" variant="light" role="alert" title={t("yamlInvalid")} data-testid="yaml-error">
                  {parseError}
                </Alert>
              )}
              {conflict && (
                <Paper withBorder p="sm" data-testid="conflict">
                  <ApiErrorAlert error={conflict} title={t("conflictTitle")} />
                  <Group justify="space-between" mt="sm">
                    <Text size="sm">{t("conflictHint")}</Text>
                    <Button variant="light" leftSection={<IconRefresh size={16} aria-hidden />} onClick={reloadLatest} data-testid="conflict-reload">
                      {t("reloadLatest")}
                    </Button>
                  </Group>
                </Paper>
              )}
              <ApiErrorAlert error={applyError} title={t("applyFailed")} />
              {editing && (
                <Group justify="flex-end">
                  <Button variant="default" leftSection={<IconX size={16} aria-hidden />} onClick={cancelEdit} disabled={busy}>
                    {t("cancelEdit")}
                  </Button>
                  <Button leftSection={<IconCheck size={16} aria-hidden />} onClick={apply} loading={busy} data-testid="apply-yaml">
                    {t("applyChanges")}
                  </Button>
                </Group>
              )}
            </Stack>
          </Tabs.Panel>

          <Tabs.Panel value="versions">
            <Versions
              id={id}
              cluster={cluster}
              clusterName={obj.cluster_name}
              refreshKey={versionsKey}
              onChanged={() => {
                setEditing(false);
                detail.reload();
              }}
            />
          </Tabs.Panel>
        </Tabs>
      )}

      <ConfirmModal
        opened={deleting}
        onClose={() => setDeleting(false)}
        title={t("deleteTitle", { name })}
        confirmLabel={t("deleteObject")}
        danger
        onConfirm={async () => {
          await call(api.DELETE("/api/k8s/unified/resources/{id}", { params: { path: { id } } }));
          notifications.show({ color: "green", message: t("deleted_ok", { name }) });
          navigate(`/resources?${listQuery.toString()}`);
        }}
      >
        {t("deleteText", {
          kind,
          name,
          cluster: obj?.cluster_name ?? cluster ?? "",
          ns: obj?.namespace ? ` (${t("namespace")} ${obj.namespace})` : "",
        })}
      </ConfirmModal>
    </>
  );
}
