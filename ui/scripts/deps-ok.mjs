// Exit 0 when node_modules already holds exactly what package-lock.json pins (npm's hidden lockfile
// node_modules/.package-lock.json agrees on every package's version and integrity), else 1.
import { existsSync, readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const hidden = resolve(ui, "node_modules/.package-lock.json");
if (!existsSync(hidden)) process.exit(1);
const want = JSON.parse(readFileSync(resolve(ui, "package-lock.json"), "utf8")).packages || {};
const have = JSON.parse(readFileSync(hidden, "utf8")).packages || {};
for (const [path, p] of Object.entries(want)) {
  if (path === "") continue;
  const h = have[path];
  if (!h) {
    if (p.optional) continue; // optional packages for other platforms are not installed
    process.exit(1);
  }
  if (h.version !== p.version || (p.integrity && h.integrity !== p.integrity)) process.exit(1);
}
process.exit(0);
