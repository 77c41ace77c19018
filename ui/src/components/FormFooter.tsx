// The footer of a modal form: Cancel (disabled while busy) and the submit button (loading while busy).
import { Button, Group } from "@mantine/core";
import type { ReactNode } from "react";
import { useT } from "../i18n";
import { common } from "../i18n/common";

export function FormFooter({
  onCancel,
  busy,
  submitLabel,
  submitTestId,
}: {
  onCancel: () => void;
  busy: boolean;
  submitLabel: ReactNode;
  submitTestId?: string;
}) {
  const tc = useT(common);
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel} disabled={busy}>
        {tc("cancel")}
      </Button>
      <Button type="submit" loading={busy} data-testid={submitTestId}>
        {submitLabel}
      </Button>
    </Group>
  );
}
