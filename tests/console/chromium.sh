#!/usr/bin/env bash
# Debian's chromium for the console's browser tests, and a CJK font so the 中文 pages render in screenshots;
# installed from Debian's packages where missing (a test tool's own browser download is not possible here:
# Playwright drives this build through executable_path).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
echo "installing ${need[*]} from Debian's packages for the console's browser tests" >&2
if ! $SUDO apt-get install -y -q "${need[@]}" >/dev/null 2>&1; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q "${need[@]}" >/dev/null
fi
command -v chromium >/dev/null
