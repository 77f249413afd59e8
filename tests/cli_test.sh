#!/usr/bin/env bash
# cli_test.sh CONCADVISE: the command-line contract: help/version, misuse, exit codes, broken
# configuration, unparsable and missing inputs, determinism across -j, golden output on samples.
# Prints one line per check and "N passed, M failed".
set -u
bin=${1:?usage: cli_test.sh CONCADVISE}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); echo "ok   $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
run() { # run ARGS... -> $out $err $rc
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
  out=$(cat "$tmp/out"); err=$(cat "$tmp/err")
}

run --help
check "help goes to stdout with exit 0" test "$rc" -eq 0 -a -n "$out" -a -z "$err"
check "help lists every option" bash -c 'for o in format output all top jobs compile-commands python-include extra-arg fail-on rules list-rules explain dump-facts color quiet version; do grep -q -- "--$o" "$0" || exit 1; done' "$tmp/out"
run --version
check "version goes to stdout with exit 0" bash -c '[ "$0" -eq 0 ] && grep -q "^concadvise [0-9]" "$1"' "$rc" "$tmp/out"
run --no-such-option samples
check "unknown option: exit 2 with a hint on stderr" bash -c '[ "$0" -eq 2 ] && grep -q "Try .concadvise --help" "$1" && [ ! -s "$2" ]' "$rc" "$tmp/err" "$tmp/out"
run
check "no input: exit 2" test "$rc" -eq 2
run --format yaml samples
check "bad format value: exit 2" test "$rc" -eq 2
run --jobs 0 samples
check "bad jobs value: exit 2" test "$rc" -eq 2

# Inputs that cannot be analysed: reported, the rest goes on, exit 3.
printf 'int f(void) { for (int i = 0; i < n; i++) { } return 0 }\n' >"$tmp/broken.c"
run --format json "$tmp/broken.c" samples/plain_io_copy.c samples/does-not-exist.c
check "unparsable and missing inputs: exit 3" test "$rc" -eq 3
check "unparsable input reported with clang's message" grep -q "use of undeclared identifier 'n'" "$tmp/out"
check "missing input reported as missing" grep -q '"status": "missing"' "$tmp/out"
check "the other input is still analysed" grep -q '"file": "samples/plain_io_copy.c"' "$tmp/out"

# A broken rules directory names file, line and column; exit 2.
cp -r rules "$tmp/rules"
printf '{\n  "catalog": "io",\n  "version": 1,\n  "entries": [ { "name": "read", }\n' >"$tmp/rules/io.json"
run --rules "$tmp/rules" samples/plain_io_copy.c
check "broken rules file: exit 2 naming file:line:col" bash -c '[ "$0" -eq 2 ] && grep -Eq "io.json:[0-9]+:[0-9]+: error" "$1"' "$rc" "$tmp/err"

# Exit status follows --fail-on.
run --fail-on never samples
check "--fail-on never: exit 0 on samples" test "$rc" -eq 0
run samples
check "default --fail-on error: exit 1 on samples (they contain error-level findings)" test "$rc" -eq 1
run --fail-on note samples/plain_cpu_private.c
check "clean file: exit 0" test "$rc" -eq 0

# Rules metadata.
run --list-rules
check "--list-rules lists every rule" bash -c '[ "$0" -eq 0 ] && [ "$(wc -l <"$1")" -eq "$(ls rules/checks/*.json | wc -l)" ]' "$rc" "$tmp/out"
run --explain gil-blocking-io-held
check "--explain prints the rule" bash -c '[ "$0" -eq 0 ] && grep -q "gil-blocking-io-held" "$1"' "$rc" "$tmp/out"
run --explain no-such-rule
check "--explain unknown rule: exit 2" test "$rc" -eq 2

# Determinism: byte-identical JSON whatever -j, and twice in a row.
"$bin" --format json -j1 samples >"$tmp/j1.json" 2>/dev/null
"$bin" --format json -j2 samples >"$tmp/j2.json" 2>/dev/null
"$bin" --format json -j2 samples >"$tmp/j2b.json" 2>/dev/null
check "JSON identical for -j1 and -j2" cmp -s "$tmp/j1.json" "$tmp/j2.json"
check "JSON identical on a second run" cmp -s "$tmp/j2.json" "$tmp/j2b.json"

# Golden output over samples/ (tool.clang normalised: it is the machine's libclang).
sed -E 's/("clang": )"[^"]*"/\1"CLANG"/' "$tmp/j1.json" >"$tmp/samples.json"
"$bin" --color never samples >"$tmp/samples.txt" 2>/dev/null
if [ -n "${CA_UPDATE_GOLDEN:-}" ]; then
  cp "$tmp/samples.json" tests/golden/samples.json; cp "$tmp/samples.txt" tests/golden/samples.txt
fi
golden() { diff -u "$1" "$2" >"$tmp/diff" && return 0; head -60 "$tmp/diff"; return 1; }
check "samples JSON matches tests/golden/samples.json" golden tests/golden/samples.json "$tmp/samples.json"
check "samples text matches tests/golden/samples.txt" golden tests/golden/samples.txt "$tmp/samples.txt"

# Output file, and a failed write is an error.
run --format json -o "$tmp/report.json" samples/plain_io_copy.c
check "-o writes the report to a file" bash -c '[ "$0" -eq 0 ] && grep -q schema_version "$1"' "$rc" "$tmp/report.json"
run -o /nonexistent-dir/report.json samples/plain_io_copy.c
check "a report that cannot be written is an error" bash -c '[ "$0" -ne 0 ] && grep -q "cannot write" "$1"' "$rc" "$tmp/err"

# JSON validates against the documented schema.
if python3 -c 'import jsonschema' 2>/dev/null; then
  check "samples JSON validates against docs/json-output.schema.json" python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$tmp/j1.json" docs/json-output.schema.json
else
  check "python3-jsonschema is installed (scripts/deps.sh)" false
fi

# NO_COLOR and --color.
NO_COLOR=1 "$bin" --color auto samples >"$tmp/nc.txt" 2>/dev/null
check "no escape codes with NO_COLOR" bash -c '! grep -q $'"'"'\033'"'"' "$0"' "$tmp/nc.txt"
"$bin" --color always samples >"$tmp/c.txt" 2>/dev/null
check "escape codes with --color always" grep -q $'\033\[' "$tmp/c.txt"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
