// Swagger UI from the swagger-ui-dist package, served by the shim under /ui/assets/ (hashed names):
// the bundle is a file Vite copies into the build (imported with ?url, never inlined) and is loaded with a
// <script src> element created at run time, so it runs under `script-src 'self'` (no inline script, no eval,
// no CDN). The stylesheet is taken as text (?raw) and added as a <style> element (`style-src 'unsafe-inline'`).
// As text, the stylesheet never goes through the project's PostCSS plugins (meant for Mantine's CSS).
import bundleUrl from "swagger-ui-dist/swagger-ui-bundle.js?url";
import css from "swagger-ui-dist/swagger-ui.css?raw";

export type SwaggerUIBundleFn = ((opts: Record<string, unknown>) => unknown) & {
  presets: { apis: unknown };
  plugins: Record<string, unknown>;
};

let loading: Promise<SwaggerUIBundleFn> | null = null;

export function loadSwaggerUi(): Promise<SwaggerUIBundleFn> {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    if (!document.querySelector("style[data-swagger-ui]")) {
      const style = document.createElement("style");
      style.dataset.swaggerUi = "1";
      style.textContent = css;
      document.head.appendChild(style);
    }
    const w = window as unknown as { SwaggerUIBundle?: SwaggerUIBundleFn };
    if (w.SwaggerUIBundle) return resolve(w.SwaggerUIBundle);
    const s = document.createElement("script");
    s.src = bundleUrl;
    s.async = true;
    s.onload = () => (w.SwaggerUIBundle ? resolve(w.SwaggerUIBundle) : reject(new Error("Swagger UI did not load")));
    s.onerror = () => {
      loading = null;
      s.remove();
      reject(new Error(`Swagger UI could not be loaded from ${bundleUrl}`));
    };
    document.head.appendChild(s);
  });
  return loading;
}
