#!/usr/bin/env bash
# test.sh: the whole test suite, as CI runs it: dependencies, a -Werror build with every unit,
# sample and CLI test, then the same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bash scripts/deps.sh
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs" -E '^microbench$' | tee -a "$log"

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCA_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^microbench$' | tee -a "$log"

# Last, on a machine the builds no longer load: threads against processes, measured (the timing
# test is meaningless under the sanitizers; their unit tests ran above).
echo "== micro-benchmark verdicts against the static advice"
# -V: its lines show also when it passes or skips (a skip says why: busy machine, capacity)
ctest --test-dir build -V -R '^microbench$' | tee -a "$log"

# One closing line over the three runs (ctest's own lines say "N tests failed out of M").
awk '/tests failed out of/ { failed += $(NF-4); total += $NF }
     END { printf "%d passed, %d failed\n", total - failed, failed }' "$log"
