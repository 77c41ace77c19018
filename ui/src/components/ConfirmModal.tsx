// A confirmation dialog for destructive actions; shows the API error if the action fails.
//   <ConfirmModal opened={open} onClose={close} title="Delete cluster member-2?"
//     confirmLabel="Delete" danger onConfirm={async () => { await call(...); }}>
//     This removes the cluster from the hub.
//   </ConfirmModal>
// onConfirm may return a promise: the button shows a loader, the dialog closes on success.
import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useState, type ReactNode } from "react";
import { ApiErrorAlert } from "./ApiErrorAlert";
import { useT } from "../i18n";
import { common } from "../i18n/common";

export function ConfirmModal({
  opened,
  onClose,
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
}: {
  opened: boolean;
  onClose: () => void;
  title: ReactNode;
  children?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  onConfirm: () => unknown | Promise<unknown>;
}) {
  const t = useT(common);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const close = () => {
    if (busy) return;
    setError(null);
    onClose();
  };
  const go = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setBusy(false);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      <Stack>
        {typeof children === "string" ? <Text size="sm">{children}</Text> : children}
        <ApiErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={busy}>
            {t("cancel")}
          </Button>
          <Button color={danger ? "red" : undefined} onClick={go} loading={busy} data-testid="confirm-button">
            {confirmLabel ?? t("confirm")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
