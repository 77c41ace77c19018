// /ui/login: single sign-on buttons (one per provider the shim lists), then sign-in with an API key.
// Single sign-on is a full-page navigation to the shim's login_url with `next` (the full /ui/... path):
// the shim sends the browser to the identity provider and back to `next` with an HttpOnly session
// cookie, or back here with ?sso_error=<message>.
import { Alert, Anchor, Button, Center, Divider, Group, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { IconKey, IconLogin } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { callJson } from "../../api/client";
import { useAuth } from "../../auth";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { Loading } from "../../components/Loading";
import { useT } from "../../i18n";
import { common } from "../../i18n/common";
import { LanguageSwitch, ThemeSwitch } from "../../shell/Shell";

/** GET /api/k8s/auth/providers (no authentication): `providers` is empty without OIDC. */
type Provider = { name: string; display_name: string; login_url: string };
type ProvidersData = { providers: Provider[]; api_key: boolean };

const dict = {
  en: {
    // neutral: a refused key and an ended single sign-on session both land here
    expired: "Your session ended. Sign in again.",
    keyRequired: "Enter an API key",
    ssoFailed: "Single sign-on failed",
  },
  zh: {
    expired: "会话已结束，请重新登录。",
    keyRequired: "请输入 API 密钥",
    ssoFailed: "单点登录失败",
  },
};

function safeNext(n: string | null): string {
  if (!n || !n.startsWith("/") || n.startsWith("//") || n.startsWith("/login")) return "/clusters";
  return n;
}

/** The shim's sign-in options; no providers (and API keys on) until it answers or if it fails. */
function useProviders(): ProvidersData {
  const [data, setData] = useState<ProvidersData>({ providers: [], api_key: true });
  useEffect(() => {
    let alive = true;
    callJson<ProvidersData>("/api/k8s/auth/providers")
      .then((d) => {
        if (alive) setData({ providers: (d.providers ?? []).filter((p) => p.login_url), api_key: d.api_key !== false });
      })
      .catch(() => {}); // an older shim without the endpoint: API keys only
    return () => {
      alive = false;
    };
  }, []);
  return data;
}

/** The provider's login URL with `next`: the full path (router basename /ui included) to come back to. */
function ssoHref(p: Provider, next: string): string {
  return `${p.login_url}${p.login_url.includes("?") ? "&" : "?"}next=${encodeURIComponent("/ui" + next)}`;
}

export default function LoginPage() {
  const t = useT(common);
  const tl = useT(dict);
  const { mode, loading, signIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const { providers, api_key } = useProviders();
  const next = safeNext(params.get("next"));
  const ssoError = params.get("sso_error");
  // Hide the key form only if the shim says keys are off and there is another way in.
  const showKey = api_key || providers.length === 0;

  // Wait for the first whoami check: a signed-in user (key or session) never sees the form flash.
  if (loading && !busy) return <Loading />;
  if (mode && !busy) return <Navigate to={next} replace />;

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
          {ssoError && (
            <Alert color="red" variant="light" title={tl("ssoFailed")} data-testid="sso-error">
              {ssoError}
            </Alert>
          )}
          {params.get("expired") && !error && !ssoError && (
            <Alert color="yellow" variant="light" role="status">
              {tl("expired")}
            </Alert>
          )}
          {providers.length > 0 && (
            <Stack gap="xs" data-testid="sso">
              <Text size="sm" fw={500}>
                {t("sso")}
              </Text>
              {providers.map((p) => (
                <Button
                  key={p.name}
                  component="a"
                  href={ssoHref(p, next)}
                  variant="default"
                  leftSection={<IconLogin size={16} aria-hidden />}
                  data-testid={`sso-${p.name}`}
                >
                  {t("ssoWith", { name: p.display_name || p.name })}
                </Button>
              ))}
            </Stack>
          )}
          {providers.length > 0 && showKey && <Divider label={t("or")} labelPosition="center" />}
          {showKey && (
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

