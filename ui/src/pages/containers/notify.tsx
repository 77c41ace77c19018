// Success notices of this area: named close button, and message text at full contrast
// (Mantine's notification description uses the dimmed colour, under 4.5:1 on white).
import { Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";

export function notifyDone(title: string, message: string, closeLabel: string): void {
  notifications.show({
    color: "green",
    title,
    message: (
      <Text size="sm" c="var(--mantine-color-text)" component="span">
        {message}
      </Text>
    ),
    closeButtonProps: { "aria-label": closeLabel },
  });
}
