// /ui/containers/:id/files?path=/dir — browse a container's files; download; and, with `files` update:
// upload (multipart), edit small text files (with the API's backup copy), delete with confirmation.
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Checkbox,
  FileButton,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Tooltip,
  UnstyledButton,
} from "@mantine/core";
import {
  IconArrowUp,
  IconDownload,
  IconEdit,
  IconFile,
  IconFolder,
  IconLink,
  IconRefresh,
  IconTrash,
  IconUpload,
} from "@tabler/icons-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { apiFetch, callJson, callResponse, downloadResponse, ensureOk, type Schemas } from "../../api/client";
import { useApi } from "../../api/useApi";
import { canDo, useAuth } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { ConfirmModal } from "../../components/ConfirmModal";
import { EmptyState } from "../../components/EmptyState";
import { Loading, LoadingRows } from "../../components/Loading";
import { useFormatDate, useT } from "../../i18n";
import { ContainerHeader } from "./ContainerHeader";
import { dict } from "./i18n";
import { notifyDone } from "../../lib/notify";
import { containerApi, formatBytes, parentPath, type ContainerRef } from "./ids";
import classes from "./containers.module.css";

type FileItem = Schemas["FileItem"];
/** Files up to this size open in the editor. */
const EDIT_MAX_BYTES = 512 * 1024;

async function sha256Hex(bytes: ArrayBuffer): Promise<string | null> {
  // crypto.subtle exists only in secure contexts (https, localhost); without it the edit is unconditional.
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function FileIcon({ type }: { type: string }) {
  if (type === "directory") return <IconFolder size={18} aria-hidden />;
  if (type === "symlink") return <IconLink size={18} aria-hidden />;
  return <IconFile size={18} aria-hidden />;
}

export default function FilesPage({ container }: { container: ContainerRef }) {
  const t = useT(dict);
  const { whoamiFor } = useAuth();
  const who = whoamiFor(container.cluster);
  return (
    <>
      <ContainerHeader container={container} tab="files" />
      {!who ? (
        <Loading />
      ) : !canDo(who, "files", "get") ? (
        <EmptyState title={t("noFiles")} description={t("noFilesText")} />
      ) : (
        <FileBrowser container={container} canWrite={canDo(who, "files", "update")} />
      )}
    </>
  );
}

function FileBrowser({ container, canWrite }: { container: ContainerRef; canWrite: boolean }) {
  const t = useT(dict);
  const formatDate = useFormatDate();
  const id = container.id;
  const [params, setParams] = useSearchParams();
  const path = params.get("path") || "/";
  const [pathInput, setPathInput] = useState(path);
  useEffect(() => setPathInput(path), [path]);

  const go = (p: string) => {
    const next = new URLSearchParams(params);
    next.set("path", p || "/");
    setParams(next);
  };

  const list = useApi(
    (signal) => callJson<Schemas["FilesData"]>(containerApi(id, "files", { path }), { signal }),
    [id, path],
  );
  const files = useMemo(
    () =>
      [...(list.data?.files ?? [])].sort(
        (a, b) => Number(b.type === "directory") - Number(a.type === "directory") || a.name.localeCompare(b.name),
      ),
    [list.data],
  );

  // ---- download
  const [actionError, setActionError] = useState<unknown>(null);
  const [downloading, setDownloading] = useState<string | null>(null);
  const download = async (f: FileItem) => {
    setActionError(null);
    setDownloading(f.path);
    try {
      const res = await apiFetch(containerApi(id, "files/download", { path: f.path }));
      await downloadResponse(res, f.name);
    } catch (e) {
      setActionError(e);
    } finally {
      setDownloading(null);
    }
  };

  // ---- upload
  const [overwrite, setOverwrite] = useState(false);
  const [uploading, setUploading] = useState(false);
  const resetUpload = useRef<() => void>(null);
  const upload = async (file: File | null) => {
    if (!file) return;
    setActionError(null);
    setUploading(true);
    try {
      const form = new FormData();
      form.append("path", path.endsWith("/") ? path : `${path}/`);
      form.append("overwrite", overwrite ? "true" : "false");
      form.append("file", file, file.name);
      const res = await apiFetch(containerApi(id, "files/upload"), { method: "POST", body: form });
      const d = await callResponse<Schemas["WriteData"]>(res);
      notifyDone(t("uploaded"), `${d.path} (${formatBytes(d.size)})`, t("dismiss"));
      list.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setUploading(false);
      resetUpload.current?.(); // the same file may be chosen again
    }
  };

  // ---- delete
  const [toDelete, setToDelete] = useState<FileItem | null>(null);
  const doDelete = async () => {
    if (!toDelete) return;
    const recursive = toDelete.type === "directory";
    await callJson<Schemas["DeleteData"]>(
      containerApi(id, "files/delete", { path: toDelete.path, recursive: recursive || undefined }),
      { method: "DELETE" },
    );
    notifyDone(t("deleted"), toDelete.path, t("dismiss"));
    list.reload();
  };

  // ---- edit
  const [editing, setEditing] = useState<FileItem | null>(null);

  const crumbs = useMemo(() => {
    const parts = path.split("/").filter(Boolean);
    return [{ label: "/", path: "/" }, ...parts.map((p, i) => ({ label: p, path: "/" + parts.slice(0, i + 1).join("/") }))];
  }, [path]);

  return (
    <>
      <Paper withBorder p="sm" mb="sm">
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap" gap="sm" align="flex-end">
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const p = pathInput.trim();
                go(p.startsWith("/") ? p : `/${p}`);
              }}
            >
              <Group gap="xs" align="flex-end">
                <TextInput
                  label={t("path")}
                  value={pathInput}
                  onChange={(e) => setPathInput(e.currentTarget.value)}
                  w={360}
                  ff="monospace"
                  data-testid="files-path"
                />
                <Button type="submit" variant="default">
                  {t("open")}
                </Button>
              </Group>
            </form>
            <Group gap="xs" align="flex-end">
              <Button
                variant="default"
                leftSection={<IconArrowUp size={16} aria-hidden />}
                onClick={() => go(parentPath(path))}
                disabled={path === "/"}
              >
                {t("up")}
              </Button>
              <Button
                variant="default"
                leftSection={<IconRefresh size={16} aria-hidden />}
                onClick={list.reload}
                loading={list.loading && !!list.data}
              >
                {t("refresh")}
              </Button>
              {canWrite && (
                <>
                  <Checkbox
                    label={t("overwrite")}
                    checked={overwrite}
                    onChange={(e) => setOverwrite(e.currentTarget.checked)}
                    mb={8}
                    data-testid="upload-overwrite"
                  />
                  <FileButton onChange={upload} resetRef={resetUpload} inputProps={{ "aria-label": t("uploadFile") }}>
                    {(props) => (
                      <Button {...props} leftSection={<IconUpload size={16} aria-hidden />} loading={uploading}
                        data-testid="upload-button">
                        {t("uploadFile")}
                      </Button>
                    )}
                  </FileButton>
                </>
              )}
            </Group>
          </Group>
          <Breadcrumbs separator="›" aria-label={t("path")}>
            {crumbs.map((c, i) =>
              i === crumbs.length - 1 ? (
                <Text key={c.path} size="sm" ff="monospace" fw={600} aria-current="location">
                  {c.label}
                </Text>
              ) : (
                <Anchor key={c.path} component="button" type="button" size="sm" ff="monospace" onClick={() => go(c.path)}>
                  {c.label}
                </Anchor>
              ),
            )}
          </Breadcrumbs>
        </Stack>
      </Paper>
      <ApiErrorAlert error={actionError} mb="sm" />
      <ApiErrorAlert error={list.error} onRetry={list.reload} mb="sm" />
      {list.data?.truncated && (
        <Alert color="yellow" variant="light" mb="sm">
          {t("listTruncated")}
        </Alert>
      )}
      {list.loading && !list.data ? (
        <LoadingRows rows={6} />
      ) : list.data && files.length === 0 ? (
        <EmptyState title={t("emptyDir")} description={canWrite ? t("emptyDirWrite") : undefined} />
      ) : files.length > 0 ? (
        <Paper withBorder>
          <Table striped highlightOnHover verticalSpacing={6} data-testid="files-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("name")}</Table.Th>
                <Table.Th ta="right">{t("size")}</Table.Th>
                <Table.Th>{t("permissions")}</Table.Th>
                <Table.Th>{t("modified")}</Table.Th>
                <Table.Th ta="right">{t("actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {files.map((f) => {
                const isDir = f.type === "directory";
                return (
                  <Table.Tr key={f.path} data-testid="file-row" data-name={f.name} data-type={f.type}>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <FileIcon type={f.type} />
                        {isDir ? (
                          <UnstyledButton onClick={() => go(f.path)} data-testid="open-dir">
                            <Text span size="sm" ff="monospace" c="blue.8" td="underline">
                              {f.name}/
                            </Text>
                          </UnstyledButton>
                        ) : (
                          <Text span size="sm" ff="monospace">
                            {f.name}
                          </Text>
                        )}
                        {f.type === "symlink" && (
                          <Badge size="xs" variant="outline" color="gray">
                            {t("symlink")}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">{isDir ? "—" : formatBytes(f.size)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {f.permissions}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDate(f.modified_time)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        {!isDir && (
                          <Tooltip label={t("download")}>
                            <ActionIcon
                              variant="subtle"
                              aria-label={t("downloadName", { name: f.name })}
                              onClick={() => download(f)}
                              loading={downloading === f.path}
                              data-testid="download-file"
                            >
                              <IconDownload size={18} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                        )}
                        {canWrite && f.type === "file" && f.size <= EDIT_MAX_BYTES && (
                          <Tooltip label={t("edit")}>
                            <ActionIcon
                              variant="subtle"
                              aria-label={t("editName", { name: f.name })}
                              onClick={() => setEditing(f)}
                              data-testid="edit-file"
                            >
                              <IconEdit size={18} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                        )}
                        {canWrite && (
                          <Tooltip label={t("delete")}>
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              aria-label={t("deleteName", { name: f.name })}
                              onClick={() => setToDelete(f)}
                              data-testid="delete-file"
                            >
                              <IconTrash size={18} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Paper>
      ) : null}
      <ConfirmModal
        opened={!!toDelete}
        onClose={() => setToDelete(null)}
        title={t("deleteTitle", { name: toDelete?.name ?? "" })}
        confirmLabel={t("delete")}
        danger
        onConfirm={doDelete}
      >
        {toDelete?.type === "directory" ? t("deleteDirText", { path: toDelete.path }) : t("deleteFileText", { path: toDelete?.path ?? "" })}
      </ConfirmModal>
      {editing && (
        <EditModal
          containerId={id}
          file={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            list.reload();
          }}
        />
      )}
    </>
  );
}

function EditModal({
  containerId,
  file,
  onClose,
  onSaved,
}: {
  containerId: string;
  file: FileItem;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT(dict);
  const [content, setContent] = useState<string | null>(null);
  const [original, setOriginal] = useState<string>("");
  const [sha, setSha] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notText, setNotText] = useState(false);
  const [backup, setBackup] = useState(true);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      try {
        const res = await ensureOk(
          await apiFetch(containerApi(containerId, "files/download", { path: file.path }), { signal: ctl.signal }),
        );
        const bytes = await res.arrayBuffer();
        let text: string;
        try {
          text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        } catch {
          setNotText(true);
          return;
        }
        if (text.includes("\u0000")) {
          setNotText(true);
          return;
        }
        setSha(await sha256Hex(bytes));
        setOriginal(text);
        setContent(text);
      } catch (e) {
        if (!ctl.signal.aborted) setLoadError(e);
      }
    })();
    return () => ctl.abort();
  }, [containerId, file.path]);

  const save = async () => {
    if (content === null) return;
    setSaving(true);
    setSaveError(null);
    try {
      const d = await callJson<Schemas["WriteData"]>(containerApi(containerId, "files/edit"), {
        method: "PUT",
        json: { path: file.path, content, backup, expected_sha256: sha ?? undefined },
      });
      notifyDone(t("saved"), d.backup_path ? t("savedWithBackup", { path: d.backup_path }) : d.path, t("dismiss"));
      onSaved();
    } catch (e) {
      setSaveError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal opened onClose={saving ? () => {} : onClose} title={t("editTitle", { path: file.path })} size="xl">
      <Stack>
        <ApiErrorAlert error={loadError} />
        {notText && (
          <Alert color="yellow" variant="light">
            {t("notText")}
          </Alert>
        )}
        {content === null && !loadError && !notText ? (
          <LoadingRows rows={6} height={18} />
        ) : content !== null ? (
          <>
            <Textarea
              label={t("content")}
              value={content}
              onChange={(e) => setContent(e.currentTarget.value)}
              autosize
              minRows={10}
              maxRows={22}
              classNames={{ input: classes.editor }}
              spellCheck={false}
              data-testid="edit-content"
            />
            <Checkbox
              label={t("keepBackup")}
              description={t("keepBackupHint")}
              checked={backup}
              onChange={(e) => setBackup(e.currentTarget.checked)}
              data-testid="edit-backup"
            />
          </>
        ) : null}
        <ApiErrorAlert error={saveError} title={t("saveFailed")} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={saving}>
            {t("cancel")}
          </Button>
          <Button onClick={save} loading={saving} disabled={content === null || content === original}
            data-testid="edit-save">
            {t("save")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
