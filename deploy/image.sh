#!/usr/bin/env bash
# `make image`: builds the image with whichever container engine runs here (docker, podman, buildah).
# usage: deploy/image.sh IMAGE VERSION
set -euo pipefail
image=$1 version=$2
cd "$(dirname "$0")/.."
[ -n "$version" ] || { echo "no version found in pyproject.toml" >&2; exit 1; }
[ -f ui/dist/index.html ] || { echo "the console is not built: run make ui first" >&2; exit 1; }
args=(--build-arg "VERSION=$version" -t "$image:$version" .)
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
  docker build "${args[@]}"
elif command -v podman >/dev/null && podman info >/dev/null 2>&1; then
  podman build "${args[@]}"
elif command -v buildah >/dev/null; then
  buildah bud "${args[@]}"
else
  echo "no container engine runs here (docker, podman or buildah): $image:$version was not built." >&2
  echo "Build it where one runs: docker build --build-arg VERSION=$version -t $image:$version ." >&2
  exit 1
fi
echo "built $image:$version"
