#!/usr/bin/env bash
# Builds the web console into ui/dist when its inputs changed.
# Usage: ui/build.sh ROOT PYTHON
#   ROOT    the repository root (contains ui/)
#   PYTHON  the project's Python (to dump the OpenAPI document offline: python -m api_shim.openapi_dump)
# Inputs hashed: ui/src (minus the generated schema), index.html, package.json, package-lock.json,
# vite/ts/postcss configs, scripts/, build.sh and the OpenAPI document. Stamp: ui/dist/.build-hash.
# npm ci runs only when node_modules is missing or the lockfile changed (stamp node_modules/.lock-hash).
# Prints the initial JS size gzipped; fails above UI_JS_BUDGET_KB (default 350).
set -euo pipefail
ROOT=$(cd "${1:?usage: build.sh ROOT PYTHON}" && pwd)
PYTHON=${2:?usage: build.sh ROOT PYTHON}
UI="$ROOT/ui"
cd "$UI"

exec 9>"${UI_BUILD_LOCK:-/tmp/cloudops-ui-build.lock}"
flock 9

# 1. The OpenAPI document, offline when the module exists, else from a running shim.
tmp_doc=$(mktemp)
trap 'rm -f "$tmp_doc"' EXIT
if (cd "$ROOT" && "$PYTHON" -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("api_shim.openapi_dump") else 1)') 2>/dev/null; then
  (cd "$ROOT" && "$PYTHON" -m api_shim.openapi_dump "$tmp_doc")
else
  shim=${CLOUDOPS_SHIM_URL:-http://127.0.0.1:8080}
  echo "ui: api_shim.openapi_dump not found; fetching the OpenAPI document from $shim" >&2
  curl -fsS --max-time 60 "$shim/api/k8s/openapi.json" -o "$tmp_doc"
fi
if ! cmp -s "$tmp_doc" openapi.json 2>/dev/null; then cp "$tmp_doc" openapi.json; fi

# 2. Hash of every input.
hash_inputs() {
  {
    find src -type f ! -path src/api/schema.d.ts -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    for f in index.html package.json package-lock.json vite.config.ts tsconfig.json postcss.config.cjs build.sh openapi.json; do
      if [ -f "$f" ]; then sha256sum "$f"; fi
    done
    # An empty folder is not in a clone: only the folders that exist (a missing one must not fail the build).
    for d in scripts public; do if [ -d "$d" ]; then find "$d" -type f -print0; fi; done \
      | LC_ALL=C sort -z | xargs -0 -r sha256sum
  } | sha256sum | cut -d' ' -f1
}
want=$(hash_inputs)
if [ -f dist/.build-hash ] && [ "$(cat dist/.build-hash)" = "$want" ] && [ -f dist/index.html ]; then
  echo "ui: dist up to date ($want)"
  exit 0
fi

# 3. Dependencies, only when node_modules is missing or the lockfile changed.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  # node_modules installed by hand (npm install) may already match the lockfile: then keep it.
  if [ -d node_modules ] && node scripts/deps-ok.mjs; then
    echo "ui: node_modules matches package-lock.json" >&2
  else
    echo "ui: npm ci" >&2
    flock /tmp/ui-npm.lock npm ci --no-audit --no-fund --loglevel=error
  fi
  echo "$lock_hash" > node_modules/.lock-hash
fi

# 4. Types from the OpenAPI document, type check, bundle.
npm run --silent gen -- "$UI/openapi.json"
npm run --silent build
node scripts/size.mjs "${UI_JS_BUDGET_KB:-350}"
echo "$want" > dist/.build-hash
echo "ui: built into $UI/dist ($want)"
