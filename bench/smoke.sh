#!/usr/bin/env bash
# bench/smoke.sh [CONCADVISE]: run concadvise over real extension code and report counts and time.
# Corpora (Debian source packages, fetched through ../shared/corpus by bench/corpus.sh, never committed):
#   python3.11 (CPython's Modules/, with a compile database), pillow (with a compile database),
#   and python-mysqldb, python-cffi, pygobject, brotli (flags synthesised; their -dev dependencies are listed
#   below).  For each corpus it prints files, parse failures, loops, counts by classification,
#   GIL state and recommendation, diagnostics by rule, wall time and peak RSS of concadvise -j2,
#   and, measured in the same run, serial `clang -fsyntax-only` over the same files.
# Needs: clang, python3, /usr/bin/time; optional headers: libssl-dev libsqlite3-dev zlib1g-dev
#   libbz2-dev liblzma-dev libffi-dev libncurses-dev libreadline-dev tk-dev uuid-dev libgdbm-dev
#   libexpat1-dev libjpeg-dev libfreetype-dev liblcms2-dev libtiff-dev libwebp-dev libopenjp2-7-dev
#   libimagequant-dev libraqm-dev libxcb1-dev libmariadb-dev libffi-dev libgirepository1.0-dev libglib2.0-dev libcairo2-dev python3-cairo-dev
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/concadvise}
work=${SMOKE_WORK:-/tmp/concadvise-smoke}
# shellcheck source=bench/corpus.sh
. "$here/bench/corpus.sh"
mkdir -p "$work"
[ -x "$bin" ] || { echo "smoke: build concadvise first ($bin)" >&2; exit 2; }

summarise() { # summarise NAME JSON SECONDS RSS_KB CLANG_SECONDS
  python3 - "$@" <<'PY'
import json, sys, collections
name, path, secs, rss, clang = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
d = json.load(open(path)); s = d['summary']
rules = collections.Counter(x['rule'] for x in d['diagnostics'])
print(f"== {name}: {s['files']} files ({s['files_failed']} not parsed), {s['loops']} loops ({s['hot_loops']} hot)")
print("   classification:", ", ".join(f"{k} {v}" for k, v in s['by_classification'].items()))
print("   gil:           ", ", ".join(f"{k} {v}" for k, v in s['by_gil'].items()))
print("   recommendation:", ", ".join(f"{k} {v}" for k, v in s['by_recommendation'].items()))
print("   diagnostics:   ", ", ".join(f"{k} {v}" for k, v in sorted(rules.items())) or "none")
ratio = f", {secs/float(clang):.2f}x serial clang -fsyntax-only ({float(clang):.1f} s)" if clang != "-" else ""
print(f"   time: {secs:.1f} s wall with -j2, peak RSS {rss/1024:.0f} MB{ratio}")
for i in d['inputs']:
    if i['status'] != 'ok':
        e = i['errors'][0]['message'] if i['errors'] else i['status']
        print(f"   not parsed: {i['file'].split('/')[-1]}: {e}")
PY
}

run() { # run NAME ARGS...
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$bin" --format json -o "$work/$name.json" -j2 -q "$@" || true
  read -r secs rss < <(tail -n 1 "$work/$name.time")
  echo "$secs $rss"
}

for c in python3.11 pillow; do
  corpus_compdb "$c" "$work/$c" || { echo "smoke: cannot prepare $c" >&2; continue; }
  ct=$(corpus_clang_time "$work/$c/compile_commands.json")
  read -r secs rss < <(run "$c" -p "$work/$c")
  summarise "$c" "$work/$c.json" "$secs" "$rss" "$ct"
done
# Library include flags a build would get from pkg-config, passed the way a user would.
pkgflags() { pkg-config --cflags "$@" 2>/dev/null | tr ' ' '\n' | grep -v '^$' | sed 's/^/--extra-arg=/' | tr '\n' ' '; }
declare -A extra=(
  [python-mysqldb]="$(pkgflags libmariadb)"
  [python-cffi]="$(pkgflags libffi)"
  [pygobject]="$(pkgflags gobject-introspection-1.0 glib-2.0 cairo py3cairo)"
  [brotli]=""
)
for p in python-mysqldb python-cffi pygobject brotli; do
  src=$(corpus_source "$p") || { echo "smoke: cannot fetch $p" >&2; continue; }
  # shellcheck disable=SC2086
  read -r secs rss < <(run "$p" --no-compile-commands ${extra[$p]} "$src")
  summarise "$p" "$work/$p.json" "$secs" "$rss" "-"
done
