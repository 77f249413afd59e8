#!/usr/bin/env bash
# deps.sh: install what concadvise needs to build, test and analyse extensions (Debian/Ubuntu).
# Idempotent: installs only what is missing.  Uses sudo when not root.
set -euo pipefail
pkgs=(cmake make gcc clang libclang-dev llvm-dev libcjson-dev libcmocka-dev python3 python3-dev
      python3-jsonschema pkg-config groff-base man-db bsdutils
      chromium) # tests/html_browser_test.sh drives Debian's Chromium headless
# Node.js and npm fetch the test helpers (playwright-core; the SARIF schema package) into
# ~/.cache/concadvise-test.  A machine's own Node.js may come from elsewhere than Debian: only
# when the command is missing is Debian's package installed.
command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
echo "deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
