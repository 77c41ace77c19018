import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The shim serves dist/ at /ui/: hashed files under /ui/assets/ (immutable cache),
// index.html for every other /ui/... path. Dev: `npm run dev` proxies /api to the dev shim.
const shim = process.env.CLOUDOPS_SHIM_URL || "http://127.0.0.1:8080";
// The shim's Content-Security-Policy (api_shim/console.py), applied by `npm run preview` so a CSP breach shows locally.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; " +
  "form-action 'self'; frame-ancestors 'none'";

export default defineConfig({
  base: "/ui/",
  plugins: [react()],
  server: {
    host: "127.0.0.1",
    port: Number(process.env.VITE_PORT || 5173),
    strictPort: false,
    proxy: {
      "/api": { target: shim, ws: true, changeOrigin: false },
    },
  },
  preview: {
    host: "127.0.0.1",
    headers: { "Content-Security-Policy": CSP },
    proxy: {
      "/api": { target: shim, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    // Never inline JS/CSS assets imported with ?url (swagger-ui): no data: scripts under the CSP.
    assetsInlineLimit: (file) => (/\.(js|css)$/.test(file) ? false : undefined),
    rollupOptions: {
      output: {
        entryFileNames: "assets/[name]-[hash].js",
        chunkFileNames: "assets/[name]-[hash].js",
        assetFileNames: "assets/[name]-[hash][extname]",
      },
    },
  },
});
