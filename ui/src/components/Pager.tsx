// Paging controls for API lists:
// - `Pager`: numbered pages (1-based), previous/next/first/last labelled for screen readers;
// - `OffsetPager`: offset paging as the API pages: "1–20 of 57", previous / next, rows per page.
import { ActionIcon, Group, NativeSelect, Pagination, Text } from "@mantine/core";
import { IconChevronLeft, IconChevronRight } from "@tabler/icons-react";
import { useT } from "../i18n";

const dict = {
  en: {
    pagination: "Pages",
    prevPage: "Previous page",
    nextPage: "Next page",
    firstPage: "First page",
    lastPage: "Last page",
    page: "Page {n}",
    rangeOf: "{from}–{to} of {total}",
    range: "{from}–{to}",
    pageSize: "Rows per page",
  },
  zh: {
    pagination: "分页",
    prevPage: "上一页",
    nextPage: "下一页",
    firstPage: "第一页",
    lastPage: "最后一页",
    page: "第 {n} 页",
    rangeOf: "第 {from}–{to} 条，共 {total} 条",
    range: "第 {from}–{to} 条",
    pageSize: "每页行数",
  },
};

/** Pagination with labelled previous/next controls. */
export function Pager({ total, value, onChange }: { total: number; value: number; onChange: (p: number) => void }) {
  const t = useT(dict);
  return (
    <Pagination
      total={total}
      value={value}
      onChange={onChange}
      size="sm"
      aria-label={t("pagination")}
      getControlProps={(c) => ({
        "aria-label": c === "previous" ? t("prevPage") : c === "next" ? t("nextPage") : c === "first" ? t("firstPage") : t("lastPage"),
      })}
      getItemProps={(p) => ({ "aria-label": t("page", { n: p }) })}
    />
  );
}

export const PAGE_SIZES = [20, 50, 100, 500];

export function OffsetPager({
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
          aria-label={t("prevPage")}
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
