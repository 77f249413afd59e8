#!/usr/bin/env bash
# html_browser_test.sh: open the HTML report in headless Chromium and use it (html_browser_test.js).
#
#   tests/html_browser_test.sh [REPORT.html]
#
# REPORT defaults to tests/golden/report.html, which test_html writes and pins.  Needs Debian's
# chromium (/usr/bin/chromium, or $CHROMIUM) and Node.js with npm: scripts/deps.sh installs
# them.  playwright-core (pinned; no browser download of its own) is installed with npm into
# ${XDG_CACHE_HOME:-~/.cache}/concadvise-test on first use.  Screenshots go to
# $CA_SCREENSHOT_DIR (default ${TMPDIR:-/tmp}); their paths are printed.  Fails, never skips,
# when something it needs is missing.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
report=${1:-$root/tests/golden/report.html}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/concadvise-test
pw_version=1.65.1
shots=${CA_SCREENSHOT_DIR:-${TMPDIR:-/tmp}}

die() { echo "html_browser_test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

[ -f "$report" ] || die "no report at $report (run test_html first)"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || die "$chromium not found (scripts/deps.sh installs Debian's chromium)"
command -v node >/dev/null || die "node not found (scripts/deps.sh installs Node.js)"

pw=$cache/node_modules/playwright-core
have=$(node -p "try { require('$pw/package.json').version } catch (e) { '' }" 2>/dev/null)
if [ "$have" != "$pw_version" ]; then
    command -v npm >/dev/null || die "npm not found (scripts/deps.sh installs it)"
    mkdir -p "$cache" || die "cannot create $cache"
    echo "html_browser_test: installing playwright-core@$pw_version into $cache" >&2
    # playwright-core downloads no browser; we drive Debian's chromium.
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund --no-save --prefix "$cache" \
        "playwright-core@$pw_version" >&2 || die "npm install playwright-core failed"
fi
mkdir -p "$shots" || die "cannot create $shots"

CHROMIUM=$chromium timeout 240 node "$here/html_browser_test.js" "$pw" "$report" "$shots"
