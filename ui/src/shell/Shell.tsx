// The frame around every signed-in page: header (user, groups, language, theme, sign out)
// and the navigation between areas.
import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  Text,
  Tooltip,
  useComputedColorScheme,
  useMantineColorScheme,
} from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import {
  IconApi,
  IconBox,
  IconCloudComputing,
  IconCoin,
  IconDatabaseExport,
  IconLogout,
  IconMoon,
  IconServer2,
  IconShieldCheck,
  IconSun,
} from "@tabler/icons-react";
import { Suspense } from "react";
import { Link, Outlet, useLocation } from "react-router";
import { useAuth } from "../auth";
import { useLang, useT, type Lang } from "../i18n";
import { common } from "../i18n/common";
import { Loading } from "../components/Loading";

const NAV = [
  { to: "/clusters", key: "navClusters", icon: IconCloudComputing },
  { to: "/resources", key: "navResources", icon: IconBox },
  { to: "/containers", key: "navContainers", icon: IconServer2 },
  { to: "/backups", key: "navBackups", icon: IconDatabaseExport },
  { to: "/policies", key: "navPolicies", icon: IconShieldCheck },
  { to: "/cost", key: "navCost", icon: IconCoin },
  { to: "/api", key: "navApi", icon: IconApi },
] as const;

export function LanguageSwitch() {
  const { lang, setLang } = useLang();
  const opts: { value: Lang; label: string }[] = [
    { value: "en", label: "EN" },
    { value: "zh", label: "中文" },
  ];
  return (
    <div role="group" aria-label="Language" data-testid="language-switch">
    <Button.Group>
      {opts.map((o) => (
        <Button
          key={o.value}
          size="xs"
          variant={lang === o.value ? "filled" : "default"}
          aria-pressed={lang === o.value}
          lang={o.value === "zh" ? "zh-CN" : "en"}
          onClick={() => setLang(o.value)}
          data-testid={`lang-${o.value}`}
        >
          {o.label}
        </Button>
      ))}
    </Button.Group>
    </div>
  );
}

export function ThemeSwitch() {
  const t = useT(common);
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme("light");
  const label = scheme === "dark" ? t("themeToLight") : t("themeToDark");
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant="default"
        size="lg"
        aria-label={label}
        data-testid="theme-switch"
        onClick={() => setColorScheme(scheme === "dark" ? "light" : "dark")}
      >
        {scheme === "dark" ? <IconSun size={18} aria-hidden /> : <IconMoon size={18} aria-hidden />}
      </ActionIcon>
    </Tooltip>
  );
}

export function Shell() {
  const t = useT(common);
  const { whoami, signOut } = useAuth();
  const [opened, { toggle }] = useDisclosure();
  const { pathname } = useLocation();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 190, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t("toggleNav")} />
            <Text component={Link} to="/clusters" fw={700} size="lg" style={{ textDecoration: "none", color: "inherit" }}>
              {t("appName")}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {whoami && (
              <Group gap={6} wrap="nowrap" data-testid="current-user">
                <Text size="sm" fw={500} aria-label={t("user")}>
                  {whoami.user}
                </Text>
                {whoami.groups.slice(0, 3).map((g) => (
                  <Badge key={g} size="sm" variant="light" color="gray" tt="none">
                    {g}
                  </Badge>
                ))}
                {whoami.groups.length > 3 && (
                  <Tooltip label={whoami.groups.join(", ")}>
                    <Badge size="sm" variant="light" color="gray" tabIndex={0}>
                      +{whoami.groups.length - 3}
                    </Badge>
                  </Tooltip>
                )}
              </Group>
            )}
            <LanguageSwitch />
            <ThemeSwitch />
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconLogout size={16} aria-hidden />}
              // session mode: signOut first tells the shim to drop the session cookie, then goes to /login
              onClick={() => void signOut()}
              data-testid="sign-out"
            >
              {t("signOut")}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t("mainNav")}>
        {NAV.map((n) => {
          const active = pathname === n.to || pathname.startsWith(n.to + "/");
          const Icon = n.icon;
          return (
            <NavLink
              key={n.to}
              component={Link}
              to={n.to}
              label={t(n.key)}
              leftSection={<Icon size={18} aria-hidden />}
              active={active}
              aria-current={active ? "page" : undefined}
              data-testid={`nav-${n.to.slice(1)}`}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
