// Empty state: <EmptyState title="No clusters" description="Add one..." action={<Button/>} />
import { Center, Stack, Text, ThemeIcon } from "@mantine/core";
import { IconInbox } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { useT } from "../i18n";
import { common } from "../i18n/common";

export function EmptyState({
  title,
  description,
  action,
  icon,
}: {
  title?: ReactNode;
  description?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  const t = useT(common);
  return (
    <Center py="xl" data-testid="empty-state">
      <Stack align="center" gap="xs" maw={480}>
        <ThemeIcon variant="light" size={48} radius="xl" color="gray" aria-hidden>
          {icon ?? <IconInbox size={28} />}
        </ThemeIcon>
        <Text fw={600}>{title ?? t("empty")}</Text>
        {description && (
          <Text c="dimmed" size="sm" ta="center">
            {description}
          </Text>
        )}
        {action}
      </Stack>
    </Center>
  );
}
