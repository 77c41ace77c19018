// Helpers of the Cost page: money and hours formatting, "—" with its reason for a missing number.
import { Text, Tooltip } from "@mantine/core";
import { useCallback } from "react";
import type { Schemas } from "../../api/client";
import { useLang } from "../../i18n";

export type CostReport = Schemas["CostReport"];
export type Optimization = Schemas["Optimization"];
export type Suggestion = Schemas["cost.Suggestion"];
export type Line = Schemas["Line"];
export type Pricing = Schemas["PricingSource"];

/** Money in the report's currency: small amounts keep 4 decimals (costs of minutes are fractions of a cent). */
export function useMoney(): (v: number | null | undefined, currency?: string) => string {
  const { lang } = useLang();
  return useCallback(
    (v, currency = "USD") => {
      if (v === null || v === undefined || Number.isNaN(v)) return "—";
      const abs = Math.abs(v);
      const digits = abs !== 0 && abs < 1 ? 4 : 2;
      try {
        return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", {
          style: "currency",
          currency,
          minimumFractionDigits: 2,
          maximumFractionDigits: digits,
        }).format(v);
      } catch {
        return `${v.toFixed(digits)} ${currency}`;
      }
    },
    [lang],
  );
}

export function useNumber(): (v: number | null | undefined, digits?: number) => string {
  const { lang } = useLang();
  return useCallback(
    (v, digits = 2) => {
      if (v === null || v === undefined || Number.isNaN(v)) return "—";
      return new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", { maximumFractionDigits: digits }).format(v);
    },
    [lang],
  );
}

/** "—" for a number the API did not give, with the reason visible to sighted and screen-reader users. */
export function Missing({ reason, inline }: { reason: string; inline?: boolean }) {
  if (inline) {
    return (
      <Text span c="dimmed" size="sm" data-testid="missing-number">
        — <Text span size="xs">({reason})</Text>
      </Text>
    );
  }
  return (
    <Tooltip label={reason} multiline w={280}>
      <Text span c="dimmed" tabIndex={0} aria-label={`— (${reason})`} data-testid="missing-number">
        —
      </Text>
    </Tooltip>
  );
}
