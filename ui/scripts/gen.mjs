// Generates src/api/schema.d.ts from the shim's OpenAPI document.
// Input: first argument, else $OPENAPI_JSON, else ./openapi.json (ui/openapi.json, written by build.sh).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const input = resolve(process.argv[2] || process.env.OPENAPI_JSON || resolve(ui, "openapi.json"));
if (!existsSync(input)) {
  console.error(`gen: no OpenAPI document at ${input} (run build.sh, or: curl -s http://127.0.0.1:8080/api/k8s/openapi.json -o ui/openapi.json)`);
  process.exit(1);
}
const bin = resolve(ui, "node_modules/.bin/openapi-typescript");
execFileSync(bin, [input, "-o", resolve(ui, "src/api/schema.d.ts")], { stdio: "inherit" });
