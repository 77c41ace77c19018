// Add, edit, test, sync and delete a cluster: the modals and the actions, shared by the list and the detail page.
import {
  Button,
  Group,
  Input,
  Loader,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
  Textarea,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconPlugConnected, IconPlugConnectedX } from "@tabler/icons-react";
import { useCallback, useId, useMemo, useState, type ChangeEvent, type FormEvent, type ReactNode } from "react";
import { api, call, errorText, type Schemas } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { FormFooter } from "../../components/FormFooter";
import { ConfirmModal } from "../../components/ConfirmModal";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { dict, PROVIDER_LABEL, PROVIDERS } from "./i18n";
import { healthLabel, looksBase64, statusLabel, toBase64, type ClusterSummary } from "./shared";

type Provider = (typeof PROVIDERS)[number];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function providerOptions() {
  return PROVIDERS.map((p) => ({ value: p, label: PROVIDER_LABEL[p] }));
}

export function AddClusterModal({
  opened,
  onClose,
  onAdded,
}: {
  opened: boolean;
  onClose: () => void;
  onAdded: (c: Schemas["ClusterDetail"] | unknown) => void;
}) {
  const t = useT(dict);
  const fileId = useId();
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [provider, setProvider] = useState<Provider>("other");
  const [region, setRegion] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState<string[]>([]);
  const [context, setContext] = useState("");
  const [kubeconfig, setKubeconfig] = useState("");
  const [fileError, setFileError] = useState("");
  const [errors, setErrors] = useState<{ name?: string; kubeconfig?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const reset = () => {
    setName("");
    setDisplayName("");
    setProvider("other");
    setRegion("");
    setDescription("");
    setTags([]);
    setContext("");
    setKubeconfig("");
    setFileError("");
    setErrors({});
    setError(null);
  };

  const close = () => {
    if (busy) return;
    reset();
    onClose();
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.currentTarget.files?.[0];
    setFileError("");
    if (!f) return;
    try {
      const text = await f.text();
      setKubeconfig(text);
      setErrors((x) => ({ ...x, kubeconfig: undefined }));
    } catch {
      setFileError(t("fileReadError"));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: typeof errors = {};
    if (!name.trim()) errs.name = t("nameRequired");
    else if (!DNS_LABEL.test(name.trim())) errs.name = t("nameInvalid");
    if (!kubeconfig.trim()) errs.kubeconfig = t("kubeconfigRequired");
    setErrors(errs);
    if (errs.name || errs.kubeconfig) return;
    setBusy(true);
    setError(null);
    try {
      const body: Schemas["clusters.AddBody"] = {
        name: name.trim(),
        kubeconfig: looksBase64(kubeconfig) ? kubeconfig.trim() : toBase64(kubeconfig),
        provider,
        region: region.trim(),
        description: description.trim(),
        display_name: displayName.trim(),
        tags,
        context: context.trim() || null,
      };
      const created = await call(api.POST("/api/k8s/clusters/add", { body }));
      notifications.show({ color: "green", icon: <IconCheck size={16} />, message: t("added", { name: body.name }) });
      reset();
      onAdded(created);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={t("addTitle")} size="lg" centered>
      <form onSubmit={submit} noValidate data-testid="add-cluster-form">
        <Stack gap="sm">
          <SimpleGrid cols={2} spacing="sm">
            <TextInput
              label={t("name")}
              description={t("nameHint")}
              required
              withAsterisk={false}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              data-autofocus
              autoComplete="off"
            />
            <TextInput label={t("displayName")} value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} />
            <Select
              label={t("provider")}
              data={providerOptions()}
              value={provider}
              onChange={(v) => setProvider((v as Provider) || "other")}
              allowDeselect={false}
            />
            <TextInput label={t("region")} value={region} onChange={(e) => setRegion(e.currentTarget.value)} />
          </SimpleGrid>
          <Textarea label={t("descriptionField")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={1} maxRows={3} />
          <TagsInput label={t("tags")} description={t("tagsHint")} value={tags} onChange={setTags} clearable />
          <Textarea
            label={t("kubeconfig")}
            description={t("kubeconfigHint")}
            required
            withAsterisk={false}
            value={kubeconfig}
            onChange={(e) => {
              setKubeconfig(e.currentTarget.value);
                      }}
            error={errors.kubeconfig}
            autosize
            minRows={3}
            maxRows={8}
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
            spellCheck={false}
            data-testid="kubeconfig-text"
          />
          <Input.Wrapper label={t("kubeconfigFile")} description={t("kubeconfigFileHint")} id={fileId} error={fileError || undefined}>
            <Group gap="xs" mt={4}>
              <input id={fileId} type="file" accept=".yaml,.yml,.conf,.config,.kubeconfig,text/*,application/x-yaml" onChange={onFile} data-testid="kubeconfig-file" />
            </Group>
          </Input.Wrapper>
          <TextInput label={t("context")} description={t("contextHint")} value={context} onChange={(e) => setContext(e.currentTarget.value)} />
          <Text size="xs" c="dimmed">
            {t("checkedOnAdd")}
          </Text>
          <ApiErrorAlert error={error} />
          <FormFooter onCancel={close} busy={busy} submitLabel={t("addCluster")} submitTestId="add-cluster-submit" />
          {busy && (
            <Group gap="xs" role="status">
              <Loader size="xs" aria-hidden />
              <Text size="sm" c="dimmed">
                {t("adding")}
              </Text>
            </Group>
          )}
        </Stack>
      </form>
    </Modal>
  );
}

export function EditClusterModal({
  cluster,
  onClose,
  onSaved,
}: {
  cluster: { name: string; display_name?: string; description?: string; tags?: string[] } | null;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const [displayName, setDisplayName] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [loadedFor, setLoadedFor] = useState<string | null>(null);

  if (cluster && loadedFor !== cluster.name) {
    setLoadedFor(cluster.name);
    setDisplayName(cluster.display_name ?? "");
    setDescription(cluster.description ?? "");
    setTags(cluster.tags ?? []);
    setError(null);
    // the list has no description: fetch it
    if (cluster.description === undefined) {
      call(api.GET("/api/k8s/clusters/{id}", { params: { path: { id: cluster.name } } }))
        .then((d) => setDescription(d.description ?? ""))
        .catch(() => {});
    }
  }
  if (!cluster && loadedFor !== null) setLoadedFor(null);

  const close = () => {
    if (busy) return;
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!cluster) return;
    setBusy(true);
    setError(null);
    try {
      await call(
        api.PUT("/api/k8s/clusters/{id}", {
          params: { path: { id: cluster.name } },
          body: { display_name: displayName, description, tags },
        }),
      );
      notifications.show({ color: "green", icon: <IconCheck size={16} />, message: t("saved", { name: cluster.name }) });
      onSaved();
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened={!!cluster} onClose={close} title={t("editTitle", { name: cluster?.name ?? "" })} centered>
      <form onSubmit={submit} noValidate data-testid="edit-cluster-form">
        <Stack gap="sm">
          <TextInput label={t("displayName")} value={displayName} onChange={(e) => setDisplayName(e.currentTarget.value)} data-autofocus />
          <Textarea label={t("descriptionField")} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} maxRows={5} />
          <TagsInput label={t("tags")} description={t("tagsHint")} value={tags} onChange={setTags} clearable />
          <ApiErrorAlert error={error} />
          <FormFooter onCancel={close} busy={busy} submitLabel={tc("save")} submitTestId="edit-cluster-submit" />
        </Stack>
      </form>
    </Modal>
  );
}

type TestState = { name: string; result?: Schemas["ConnectionTest"]; error?: unknown };

function TestResultModal({ state, onClose }: { state: TestState | null; onClose: () => void }) {
  const t = useT(dict);
  const tc = useT(common);
  const r = state?.result;
  const row = (label: string, value: ReactNode) => (
    <Group justify="space-between" wrap="nowrap" gap="md">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text size="sm" ta="right" style={{ wordBreak: "break-all" }}>
        {value}
      </Text>
    </Group>
  );
  return (
    <Modal opened={!!state} onClose={onClose} title={t("testTitle", { name: state?.name ?? "" })} centered>
      <Stack gap="sm" data-testid="test-result">
        {!r && !state?.error && (
          <Group gap="xs" role="status">
            <Loader size="sm" aria-hidden />
            <Text size="sm">{t("testing")}</Text>
          </Group>
        )}
        <ApiErrorAlert error={state?.error} />
        {r && (
          <>
            <Group gap="xs">
              {r.connected ? <IconPlugConnected color="var(--mantine-color-green-7)" aria-hidden /> : <IconPlugConnectedX color="var(--mantine-color-red-7)" aria-hidden />}
              <Text fw={600} data-testid="test-connected" data-connected={String(r.connected)}>
                {r.connected ? t("connected") : t("notConnected")}
              </Text>
            </Group>
            {r.version && row(t("version"), r.version)}
            {r.api_server && row(t("apiServer"), r.api_server)}
            {row(t("responseTime"), `${(r.response_time * 1000).toFixed(0)} ms`)}
            {row(t("nodesCount"), r.nodes_count)}
            {r.error && row(t("errorField"), r.error)}
            {r.reason && row(t("reason"), r.reason)}
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {tc("close")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/**
 * Actions on one cluster (test, sync, edit, delete) with their modals. Render `modals` once;
 * call the functions with a cluster. `onChanged` runs after a change (reload your data).
 */
export function useClusterActions(onChanged: (what: "sync" | "edit" | "delete", name: string) => void) {
  const t = useT(dict);
  const tc = useT(common);
  const [testState, setTestState] = useState<TestState | null>(null);
  const [editing, setEditing] = useState<(Partial<ClusterSummary> & { name: string; description?: string }) | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [syncing, setSyncing] = useState<Record<string, boolean>>({});

  const test = useCallback((name: string) => {
    setTestState({ name });
    call(api.POST("/api/k8s/clusters/{id}/test", { params: { path: { id: name } } }))
      .then((result) => setTestState((s) => (s && s.name === name ? { name, result } : s)))
      .catch((error) => setTestState((s) => (s && s.name === name ? { name, error } : s)));
  }, []);

  const sync = useCallback(
    async (name: string) => {
      setSyncing((s) => ({ ...s, [name]: true }));
      const id = notifications.show({ loading: true, message: t("syncing", { name }), autoClose: false });
      try {
        const r = await call(api.POST("/api/k8s/clusters/{id}/sync", { params: { path: { id: name } } }));
        notifications.update({
          id,
          loading: false,
          color: "green",
          icon: <IconCheck size={16} />,
          message: t("synced", { name, status: statusLabel(t, r.status), health: healthLabel(t, r.health_status) }),
          autoClose: 4000,
        });
        onChanged("sync", name);
      } catch (e) {
        notifications.update({ id, loading: false, color: "red", title: tc("error"), message: errorText(e), autoClose: 8000 });
      } finally {
        setSyncing((s) => ({ ...s, [name]: false }));
      }
    },
    [onChanged, t, tc],
  );

  const modals = useMemo(
    () => (
      <>
        <TestResultModal state={testState} onClose={() => setTestState(null)} />
        <EditClusterModal cluster={editing} onClose={() => setEditing(null)} onSaved={() => editing && onChanged("edit", editing.name)} />
        <ConfirmModal
          opened={!!deleting}
          onClose={() => setDeleting(null)}
          title={t("deleteTitle", { name: deleting ?? "" })}
          confirmLabel={t("delete")}
          danger
          onConfirm={async () => {
            if (!deleting) return;
            const name = deleting;
            await call(api.DELETE("/api/k8s/clusters/{id}", { params: { path: { id: name } } }));
            notifications.show({ color: "green", icon: <IconCheck size={16} />, message: t("deleted", { name }) });
            onChanged("delete", name);
          }}
        >
          {t("deleteText")}
        </ConfirmModal>
      </>
    ),
    [testState, editing, deleting, onChanged, t],
  );

  return { test, sync, syncing, edit: setEditing, remove: setDeleting, modals };
}
