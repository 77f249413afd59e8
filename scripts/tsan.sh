#!/usr/bin/env bash
# tsan.sh: the suite (without the timing test) under ThreadSanitizer, and a -j2 run over CPython's
# Modules/ when its compile database is at $CA_TSAN_COMPDB (bench/corpus.sh makes one), cold and
# then from the cache.  Not part of CI (scripts/test.sh): about 4 minutes more on 2 cores.
# Exit status: 0 clean, 1 a test failed or TSan reported a race.
set -euo pipefail
cd "$(dirname "$0")/.."
export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=0 exitcode=66 ${TSAN_OPTIONS:-}"
jobs=$(nproc 2>/dev/null || echo 2)
echo "== build (ThreadSanitizer)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DCA_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs"
echo "== tests under ThreadSanitizer"
ctest --test-dir build-tsan --output-on-failure -j"$jobs" -E '^microbench$'
if [ -n "${CA_TSAN_COMPDB:-}" ]; then
  cache=$(mktemp -d)
  trap 'rm -rf "$cache"' EXIT
  # cold: parse, build PCHs, fill the cache; warm: every file's facts from the cache by the
  # workers at once (--top 1 changes the run, so the whole-run report is not replayed)
  for pass in cold warm; do
    echo "== -j$jobs over $CA_TSAN_COMPDB ($pass)"
    rc=0
    extra=()
    [ "$pass" = cold ] || extra=(--top 1)
    ./build-tsan/concadvise -j"$jobs" -p "$CA_TSAN_COMPDB" --cache "$cache" "${extra[@]}" --format json -o /dev/null 2>"$cache/err" || rc=$?
    grep -A20 'WARNING: ThreadSanitizer' "$cache/err" || true
    [ "$rc" -ne 66 ] || { echo "tsan: races reported ($pass)"; exit 1; }
  done
fi
echo "tsan: clean"
