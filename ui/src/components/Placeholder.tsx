// Temporary page body for areas still being built.
import { Paper, Text } from "@mantine/core";
import { PageHeader } from "./PageHeader";
import { useT } from "../i18n";
import { common } from "../i18n/common";

export function Placeholder({ title, detail }: { title: string; detail?: string }) {
  const t = useT(common);
  return (
    <>
      <PageHeader title={title} />
      <Paper withBorder p="lg">
        <Text c="dimmed">{t("comingSoon")}</Text>
        {detail && <Text size="sm" mt="xs">{detail}</Text>}
      </Paper>
    </>
  );
}
