// Loading states: <Loading /> (centred loader with an accessible label) or
// <LoadingRows rows={5} /> (skeleton lines for tables and cards).
import { Center, Loader, Skeleton, Stack, Text } from "@mantine/core";
import { useT } from "../i18n";
import { common } from "../i18n/common";

export function Loading({ label, py = "xl" }: { label?: string; py?: string | number }) {
  const t = useT(common);
  return (
    <Center py={py} role="status" aria-live="polite" data-testid="loading">
      <Stack align="center" gap="xs">
        <Loader size="md" aria-hidden />
        <Text size="sm" c="dimmed">
          {label ?? t("loading")}
        </Text>
      </Stack>
    </Center>
  );
}

export function LoadingRows({ rows = 5, height = 28 }: { rows?: number; height?: number }) {
  const t = useT(common);
  return (
    <Stack gap="xs" role="status" aria-label={t("loading")} data-testid="loading">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} height={height} radius="sm" />
      ))}
    </Stack>
  );
}
