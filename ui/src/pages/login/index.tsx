// /ui/login: sign in with an API key; single sign-on buttons when the shim lists providers.
import { Alert, Anchor, Button, Center, Divider, Group, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { IconKey, IconLogin } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useAuth } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { LanguageSwitch, ThemeSwitch } from "../../shell/Shell";

type Provider = { id?: string; name?: string; display_name?: string; login_url?: string; url?: string; authorize_url?: string };

const dict = {
  en: {
    expired: "Your session ended: the key was refused. Sign in again.",
    keyRequired: "Enter an API key",
  },
  zh: {
    expired: "会话已结束：密钥被拒绝。请重新登录。",
    keyRequired: "请输入 API 密钥",
  },
};

function safeNext(n: string | null): string {
  if (!n || !n.startsWith("/") || n.startsWith("//") || n.startsWith("/login")) return "/clusters";
  return n;
}

function useProviders(): Provider[] {
  const [providers, setProviders] = useState<Provider[]>([]);
  useEffect(() => {
    let alive = true;
    fetch("/api/k8s/auth/providers", { headers: { Accept: "application/json" } })
      .then(async (r) => {
        if (!r.ok) return;
        const body = await r.json();
        const d = body?.data ?? body;
        const list = Array.isArray(d) ? d : Array.isArray(d?.providers) ? d.providers : [];
        if (alive) setProviders(list.filter((p: Provider) => p && (p.login_url || p.url || p.authorize_url)));
      })
      .catch(() => {});
    return () => {
      alive = false;
    };
  }, []);
  return providers;
}

export default function LoginPage() {
  const t = useT(common);
  const tl = useT(dict);
  const { key, signIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const providers = useProviders();
  const next = safeNext(params.get("next"));


  if (key && !busy) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const k = value.trim();
    if (!k) {
      setMissing(true);
      return;
    }
    setMissing(false);
    setBusy(true);
    setError(null);
    try {
      await signIn(k);
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={420} component="main" data-testid="login-page">
        <Stack>
          <Group justify="space-between">
            <Title order={1} size="h3">
              {t("loginTitle")}
            </Title>
          </Group>
          <Group gap="xs" justify="flex-end">
            <LanguageSwitch />
            <ThemeSwitch />
          </Group>
          {params.get("expired") && !error && (
            <Alert color="yellow" variant="light" role="status">
              {tl("expired")}
            </Alert>
          )}
          <form onSubmit={submit} noValidate>
            <Stack>
              <PasswordInput
                label={t("apiKey")}
                description={t("apiKeyHint")}
                leftSection={<IconKey size={16} aria-hidden />}
                value={value}
                onChange={(e) => setValue(e.currentTarget.value)}
                autoComplete="current-password"
                autoFocus
                error={missing ? tl("keyRequired") : undefined}
                data-testid="api-key-input"
              />
              <ApiErrorAlert error={error} />
              <Button type="submit" loading={busy} leftSection={<IconLogin size={16} aria-hidden />} data-testid="sign-in">
                {t("signIn")}
              </Button>
            </Stack>
          </form>
          {providers.length > 0 && (
            <Stack gap="xs" data-testid="sso">
              <Divider label={t("or")} labelPosition="center" />
              <Text size="sm" fw={500}>
                {t("sso")}
              </Text>
              {providers.map((p, i) => (
                <Button
                  key={p.id ?? i}
                  component="a"
                  href={p.login_url || p.authorize_url || p.url}
                  variant="default"
                >
                  {t("ssoWith", { name: p.display_name || p.name || p.id || "SSO" })}
                </Button>
              ))}
            </Stack>
          )}
          <Text size="xs" c="dimmed">
            <Anchor href="/api/k8s/openapi.json" size="xs">
              OpenAPI
            </Anchor>
          </Text>
        </Stack>
      </Paper>
    </Center>
  );
}

