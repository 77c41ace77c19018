// Shows an API error with its message and the field the API names.
//   <ApiErrorAlert error={err} />            renders nothing when error is null/undefined
//   <ApiErrorAlert error={err} onRetry={reload} title="Could not load clusters" />
import { Alert, Button, Group, Text, type AlertProps } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useEffect, useRef } from "react";
import { ApiError } from "../api/client";
import { useT } from "../i18n";
import { common } from "../i18n/common";

type Props = Omit<AlertProps, "title" | "children"> & {
  error: unknown;
  title?: string;
  onRetry?: () => void;
};

export function ApiErrorAlert({ error, title, onRetry, ...rest }: Props) {
  const t = useT(common);
  const ref = useRef<HTMLDivElement>(null);
  // bring a new error into view (e.g. at the bottom of a long dialog)
  useEffect(() => {
    if (error) ref.current?.scrollIntoView?.({ block: "nearest" });
  }, [error]);
  if (error === null || error === undefined || error === false) return null;
  const api = error instanceof ApiError ? error : null;
  const message = api ? api.message : error instanceof Error ? error.message : String(error);
  const status = api ? (api.status ? `HTTP ${api.status}` : "") + (api.code && api.code !== api.status ? ` · code ${api.code}` : "") : "";
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle aria-hidden />}
      title={title ?? t("error")}
      role="alert"
      data-testid="api-error"
      ref={ref}
      {...rest}
    >
      <Text size="sm" data-testid="api-error-message">{message}</Text>
      {api?.detail && api.detail !== message && (
        <Text size="sm" mt={4} data-testid="api-error-detail">
          {api.field ? <><Text span fw={600}>{api.field}</Text>{": "}{api.detail.slice(api.field.length + 2)}</> : api.detail}
        </Text>
      )}
      {(status || onRetry) && (
        <Group gap="sm" mt="xs">
          {status && <Text size="xs" c="dimmed">{status}</Text>}
          {onRetry && (
            <Button size="xs" variant="default" onClick={onRetry}>
              {t("retry")}
            </Button>
          )}
        </Group>
      )}
    </Alert>
  );
}
