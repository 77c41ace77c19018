// Success notices, accessible as they are: the close button named, the message at full contrast
// (Mantine's notification description uses the dimmed colour, under 4.5:1 on white, and leaves the close
// button unnamed).
import { notifications } from "@mantine/notifications";

/** A success notice; `title` may be left out (a one-line notice). */
export function notifyDone(title: string | undefined, message: string, closeLabel: string): void {
  notifications.show({
    color: "green",
    title,
    message,
    closeButtonProps: { "aria-label": closeLabel },
    styles: { description: { color: "var(--mantine-color-text)" } },
  });
}
