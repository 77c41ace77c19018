// Title of a container's pages (pod / container, cluster and namespace) and the links between its tabs.
import { Anchor, Breadcrumbs, Button, Group, Text } from "@mantine/core";
import { IconFolder, IconFileText, IconTerminal2 } from "@tabler/icons-react";
import { Link } from "react-router";
import { useCan } from "../../auth";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { dict } from "./i18n";
import { containerRoute, type ContainerRef } from "./ids";

export type Tab = "logs" | "terminal" | "files";

export function ContainerHeader({ container, tab }: { container: ContainerRef; tab: Tab }) {
  const t = useT(dict);
  const canExec = useCan("exec", "create", container.cluster);
  const canFiles = useCan("files", "get", container.cluster);
  const tabs: { tab: Tab; label: string; icon: typeof IconFileText; show: boolean }[] = [
    { tab: "logs", label: t("tabLogs"), icon: IconFileText, show: true },
    { tab: "terminal", label: t("tabTerminal"), icon: IconTerminal2, show: canExec || tab === "terminal" },
    { tab: "files", label: t("tabFiles"), icon: IconFolder, show: canFiles || tab === "files" },
  ];
  const title = container.container ? `${container.pod} / ${container.container}` : container.pod;
  return (
    <PageHeader
      title={
        <>
          {title}
          <Text span c="dimmed" fw={400} size="lg">
            {" · "}
            {tabs.find((x) => x.tab === tab)?.label}
          </Text>
        </>
      }
    >
      <Breadcrumbs separator="/">
          <Anchor component={Link} to="/containers" size="sm">
            {t("title")}
          </Anchor>
          <Text span size="sm">
            {t("clusterLabel")}: {container.cluster}
          </Text>
          <Text span size="sm">
            {t("namespaceLabel")}: {container.namespace}
          </Text>
          <Text span size="sm" ff="monospace" data-testid="container-id">
            {container.id}
          </Text>
      </Breadcrumbs>
      <nav aria-label={t("tabsNav")}>
      <Group gap="xs" mt="xs">
        {tabs
          .filter((x) => x.show)
          .map((x) => (
            <Button
              key={x.tab}
              component={Link}
              to={containerRoute(container.id, x.tab)}
              variant={x.tab === tab ? "filled" : "default"}
              size="xs"
              leftSection={<x.icon size={16} aria-hidden />}
              aria-current={x.tab === tab ? "page" : undefined}
              data-testid={`tab-${x.tab}`}
            >
              {x.label}
            </Button>
          ))}
      </Group>
      </nav>
    </PageHeader>
  );
}
