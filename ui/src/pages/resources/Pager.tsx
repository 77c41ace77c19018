// Offset paging as the API pages: "1–20 of 57", previous / next, rows per page.
import { ActionIcon, Group, NativeSelect, Text } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import { useT } from "../../i18n";
import { dict } from "./i18n";

export const PAGE_SIZES = [20, 50, 100, 500];

export function Pager({
  offset,
  limit,
  count,
  total,
  onChange,
}: {
  offset: number;
  limit: number;
  /** items on this page */
  count: number;
  /** null when the API cannot say */
  total: number | null | undefined;
  onChange: (offset: number, limit: number) => void;
}) {
  const t = useT(dict);
  const from = count ? offset + 1 : 0;
  const to = offset + count;
  const hasNext = total != null ? to < total : count >= limit;
  return (
    <Group justify="space-between" mt="sm" data-testid="pager">
      <Text size="sm" c="dimmed" aria-live="polite">
        {total != null ? t("rangeOf", { from, to, total }) : t("range", { from, to })}
      </Text>
      <Group gap="xs">
        <NativeSelect
          size="xs"
          aria-label={t("pageSize")}
          value={String(limit)}
          data={PAGE_SIZES.map(String)}
          onChange={(e) => onChange(0, Number(e.currentTarget.value))}
        />
        <ActionIcon
          variant="default"
          aria-label={t("previousPage")}
          disabled={offset <= 0}
          onClick={() => onChange(Math.max(0, offset - limit), limit)}
        >
          <IconChevronLeft size={16} aria-hidden />
        </ActionIcon>
        <ActionIcon
          variant="default"
          aria-label={t("nextPage")}
          disabled={!hasNext}
          onClick={() => onChange(offset + limit, limit)}
        >
          <IconChevronRight size={16} aria-hidden />
        </ActionIcon>
      </Group>
    </Group>
  );
}
