import { Button } from "@mantine/core";
import { Link } from "react-router";
import { EmptyState } from "../components/EmptyState";
import { useT } from "../i18n";
import { common } from "../i18n/common";

export function NotFound() {
  const t = useT(common);
  return (
    <EmptyState
      title={t("notFound")}
      description={t("notFoundText")}
      action={
        <Button component={Link} to="/clusters">
          {t("goHome")}
        </Button>
      }
    />
  );
}
