// Success toasts of this page, accessible as they are: the close button named, the text at full contrast
// (Mantine's default dims the message under a title below 4.5:1, and leaves the close button unnamed).
import { notifications } from "@mantine/notifications";

export function notifyDone(title: string, message: string, closeLabel: string): void {
  notifications.show({
    color: "green",
    title,
    message,
    closeButtonProps: { "aria-label": closeLabel },
    styles: { description: { color: "var(--mantine-color-text)" } },
  });
}
