// "Back up an object": object id (type taken from it), optional name, description, encryption.
import { Checkbox, Modal, Stack, TextInput, Textarea } from "@mantine/core";
import { useEffect, useState, type FormEvent } from "react";
import { api, ApiError, call } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { FormFooter } from "../../components/FormFooter";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { dict } from "./i18n";
import { notifyDone } from "../../lib/notify";
import { MONO_INPUT, parseObjectId, type Backup } from "./util";

export function fieldError(error: unknown, name: string): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  const f = error.field.replace(/^body\./, "");
  if (f !== name) return undefined;
  return error.detail ? error.detail.slice(error.field.length + 2) || error.message : error.message;
}

export function CreateBackupModal({
  opened,
  onClose,
  onCreated,
  initialResourceId,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (b: Backup) => void;
  initialResourceId?: string;
}) {
  const t = useT(dict);
  const tc = useT(common);
  const [resourceId, setResourceId] = useState("");
  const [resourceType, setResourceType] = useState("");
  const [typeTouched, setTypeTouched] = useState(false);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [encrypt, setEncrypt] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<{ id?: boolean; type?: boolean }>({});

  useEffect(() => {
    if (!opened) return;
    setResourceId(initialResourceId ?? "");
    const p = initialResourceId ? parseObjectId(initialResourceId) : null;
    setResourceType(p?.type ?? "");
    setTypeTouched(false);
    setName("");
    setDescription("");
    setEncrypt(false);
    setError(null);
    setMissing({});
  }, [opened, initialResourceId]);

  const changeId = (v: string) => {
    setResourceId(v);
    if (!typeTouched) setResourceType(parseObjectId(v)?.type ?? "");
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const id = resourceId.trim();
    const type = resourceType.trim();
    if (!id || !type) {
      setMissing({ id: !id, type: !type });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const b = await call(
        api.POST("/api/k8s/yaml/backup/create", {
          body: {
            resource_id: id,
            resource_type: type,
            backup_name: name.trim() || null,
            description: description.trim(),
            encrypt,
            cluster_id: null,
            namespace: null,
          },
        }),
      );
      notifyDone(tc("success"), t("created", { name: b.backup_name, size: b.file_size }), tc("close"));
      onCreated(b);
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={() => !busy && onClose()} title={t("createTitle")} size="lg" centered>
      <form onSubmit={submit} noValidate data-testid="create-backup-form">
        <Stack>
          <TextInput
            label={t("resourceId")}
            description={t("resourceIdHint")}
            value={resourceId}
            onChange={(e) => changeId(e.currentTarget.value)}
            error={missing.id ? t("resourceIdRequired") : fieldError(error, "resource_id")}
            required
            data-autofocus
            spellCheck={false}
            autoComplete="off"
            styles={MONO_INPUT}
          />
          <TextInput
            label={t("resourceType")}
            description={t("resourceTypeHint")}
            value={resourceType}
            onChange={(e) => {
              setTypeTouched(true);
              setResourceType(e.currentTarget.value);
            }}
            error={missing.type ? t("resourceTypeRequired") : fieldError(error, "resource_type")}
            required
            spellCheck={false}
            autoComplete="off"
          />
          <TextInput
            label={t("backupName")}
            description={t("backupNameHint")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(error, "backup_name")}
            maxLength={63}
            spellCheck={false}
            autoComplete="off"
          />
          <Textarea
            label={t("backupDescription")}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            maxLength={1024}
            autosize
            minRows={2}
          />
          <Checkbox
            label={t("encrypt")}
            description={t("encryptHint")}
            checked={encrypt}
            onChange={(e) => setEncrypt(e.currentTarget.checked)}
          />
          <ApiErrorAlert error={error} />
          <FormFooter onCancel={onClose} busy={busy} submitLabel={tc("create")} submitTestId="create-backup-submit" />
        </Stack>
      </form>
    </Modal>
  );
}
