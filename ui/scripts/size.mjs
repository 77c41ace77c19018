// Prints the initial JS size (entry chunk + its static imports, transitively) gzipped,
// from dist/.vite/manifest.json; exits 1 above the budget (KB, default 350).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = resolve(ui, "dist");
const budgetKb = Number(process.argv[2] || 350);
const manifest = JSON.parse(readFileSync(resolve(dist, ".vite/manifest.json"), "utf8"));
const entries = Object.entries(manifest).filter(([, c]) => c.isEntry);
const seen = new Set();
const visit = (key) => {
  if (seen.has(key)) return;
  seen.add(key);
  for (const imp of manifest[key].imports || []) visit(imp);
};
for (const [k] of entries) visit(k);
let raw = 0, gz = 0, cssGz = 0;
const files = [];
for (const k of seen) {
  const c = manifest[k];
  const buf = readFileSync(resolve(dist, c.file));
  const g = gzipSync(buf, { level: 9 }).length;
  raw += buf.length;
  gz += g;
  files.push(`${c.file} ${(g / 1024).toFixed(1)} KB`);
  for (const css of c.css || []) cssGz += gzipSync(readFileSync(resolve(dist, css)), { level: 9 }).length;
}
const kb = gz / 1024;
console.log(`ui: initial JS ${kb.toFixed(1)} KB gzipped (${(raw / 1024).toFixed(1)} KB raw, ${seen.size} files: ${files.join(", ")}); initial CSS ${(cssGz / 1024).toFixed(1)} KB gzipped; budget ${budgetKb} KB`);
if (kb > budgetKb) {
  console.error(`ui: initial JS ${kb.toFixed(1)} KB gzipped exceeds the budget of ${budgetKb} KB`);
  process.exit(1);
}
