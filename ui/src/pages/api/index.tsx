// /ui/api: the shim's OpenAPI document, browsable with Swagger UI from the swagger-ui-dist package, served by
// the shim itself (hashed files under /ui/assets/, loaded at run time with a <script src>: no inline script,
// no eval, no CDN, so it runs under `script-src 'self'`). "Try it out" sends the session's X-API-Key.
import { Alert, Anchor, Group, Paper, Text, useComputedColorScheme } from "@mantine/core";
import { IconInfoCircle } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { Navigate, Route, Routes } from "react-router";
import { getKey, REQUESTED_BY, REQUESTED_BY_HEADER } from "../../api/client";
import { ApiErrorAlert } from "../../components/ApiErrorAlert";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useT } from "../../i18n";
import { patchSwaggerA11y } from "./a11y";
import { loadSwaggerUi } from "./loadSwagger";
import { dict } from "./i18n";
import "./swagger-overrides.css";

const SPEC = "/api/k8s/openapi.json";

type SwaggerRequest = { url: string; headers: Record<string, string> };

function ApiPage() {
  const t = useT(dict);
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "ready" | "error">("loading");
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const scheme = useComputedColorScheme("light");

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let alive = true;
    const unpatch = patchSwaggerA11y(el);
    setState("loading");
    setError(null);
    loadSwaggerUi()
      .then((SwaggerUIBundle) => {
        if (!alive) return;
        // from here Swagger UI shows its own progress and any failure to load the document
        setState("ready");
        SwaggerUIBundle({
          domNode: el,
          url: SPEC,
          presets: [SwaggerUIBundle.presets.apis],
          layout: "BaseLayout",
          // deep links render each operation's path as a link inside its toggle button (nested interactive)
          deepLinking: false,
          docExpansion: "list",
          defaultModelsExpandDepth: -1,
          displayRequestDuration: true,
          // plain white-on-dark code: the highlight themes colour some tokens below 4.5:1 (and are slow on
          // large answers)
          syntaxHighlight: { activated: false },
          filter: true,
          tryItOutEnabled: false,
          // never the public validator (an outside host): everything comes from the shim
          validatorUrl: null,
          // requests from "Try it out" (and the document's own fetch) carry the session's key
          requestInterceptor: (req: SwaggerRequest) => {
            const key = getKey();
            const sameOrigin = req.url.startsWith("/") || req.url.startsWith(window.location.origin + "/");
            if (key && sameOrigin) req.headers["X-API-Key"] = key;
            // single sign-on sessions: the shim refuses cookie-authenticated calls without it (CSRF guard)
            if (sameOrigin) req.headers[REQUESTED_BY_HEADER] = REQUESTED_BY;
            return req;
          },
          // the curl and URL shown are the request before the key was added: the key never shows on screen
          showMutatedRequest: false,
          onComplete: () => {
            if (alive) el.dataset.loaded = "true";
          },
        });
      })
      .catch((e) => {
        if (!alive) return;
        setError(e);
        setState("error");
      });
    return () => {
      alive = false;
      unpatch();
      el.replaceChildren();
    };
  }, [attempt]);

  return (
    <>
      <PageHeader
        title={t("title")}
        description={
          <>
            {t("description")}{" "}
            <Anchor href={SPEC} target="_blank" rel="noopener" size="sm" underline="always">
              {SPEC}
            </Anchor>
          </>
        }
      />
      <Alert variant="light" color="blue" icon={<IconInfoCircle aria-hidden />} mb="md">
        <Group gap={4}>
          <Text size="sm">{t("tryItOut")}</Text>
        </Group>
      </Alert>
      <ApiErrorAlert error={error} onRetry={() => setAttempt((a) => a + 1)} title={t("loadError")} mb="md" />
      {state === "loading" && <Loading label={t("loading")} />}
      <Paper
        withBorder
        p={0}
        className="cloudops-swagger"
        data-scheme={scheme}
        data-testid="swagger"
        aria-busy={state === "loading"}
      >
        <div ref={ref} />
      </Paper>
    </>
  );
}

export default function ApiArea() {
  return (
    <Routes>
      <Route index element={<ApiPage />} />
      <Route path="*" element={<Navigate to="/api" replace />} />
    </Routes>
  );
}
