#!/usr/bin/env bash
# cli_test.sh CONCADVISE: the command-line contract: help/version, misuse, exit codes, broken
# configuration, unparsable and missing inputs, determinism across -j, golden output on samples,
# .concadvise.json, suppressions, baselines, editor mode, formats, terminals, installation.
# Prints one line per check and "N passed, M failed".
set -u
bin=${1:?usage: cli_test.sh CONCADVISE}
case $bin in */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac # tests change directory
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
# Every option of cli/options.h, the one option table, is in --help, docs/cli.md and the man page.
options=$(sed -n 's/^CA_OPT([A-Z_]*, [^,]*, "\([a-z-]*\)".*/\1/p' cli/options.h)
check "options.h lists the options" test "$(echo "$options" | wc -l)" -ge 20
check "help lists every option" bash -c 'for o in $1; do grep -q -- "--$o" "$0" || { echo "missing --$o"; exit 1; }; done' "$tmp/out" "$options"
documented() { # documented FILE FORMAT SED: every option of options.h (edited by SED) is in FILE, spelt as FORMAT
  local o spelt
  for o in $options; do
    spelt=$(printf "$2" "$(printf '%s' "$o" | sed "$3")")
    grep -qF -- "$spelt" "$1" || { echo "  $1 lacks $spelt"; return 1; }
  done
}
check "docs/cli.md documents every option" documented docs/cli.md '`--%s' 's/^//'
check "the man page documents every option" documented docs/concadvise.1 '\\fB\\-\\-%s\\fR' 's/-/\\-/g' 
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

# ---- configuration file: discovery, errors with file:line:col, severities, include/exclude
proj="$tmp/proj"
mkdir -p "$proj/src/sub" "$proj/vendor" "$proj/tools"
cp samples/io_held_recv.c "$proj/src/"
cp samples/plain_unsafe_globals.c "$proj/vendor/"
cp samples/cpu_held_noapi.c "$proj/src/sub/"
cfgrun() { # cfgrun CONFIG-TEXT ARGS...: write $proj/.concadvise.json, run from $proj
  printf '%s' "$1" >"$proj/.concadvise.json"; shift
  (cd "$proj" && "$bin" "$@" >"$tmp/out" 2>"$tmp/err"); rc=$?
}
cfgrun $'{\n  "exclude": ["vendor"],\n  "bogus": 1\n}\n' src
check "config: unknown key is exit 2 naming file:line:col and the key" bash -c '[ "$0" -eq 2 ] && grep -q "\.concadvise\.json:3:3: error: unknown key \"bogus\"" "$1"' "$rc" "$tmp/err"
cfgrun $'{\n  "include": "src"\n}\n' src/sub
check "config: found walking up from the first input; wrong type named at its value" bash -c '[ "$0" -eq 2 ] && grep -q "\.concadvise\.json:2:14: error: expected an array of strings for \"include\"" "$1"' "$rc" "$tmp/err"
cfgrun $'{"severity": {\n  "gil-blocking-io-hold": "off"}}' src
check "config: unknown rule id under severity is exit 2 at its key" bash -c '[ "$0" -eq 2 ] && grep -q "\.concadvise\.json:2:3: error: unknown rule \"gil-blocking-io-hold\"" "$1"' "$rc" "$tmp/err"
cfgrun $'{"include": [\n' src
check "config: malformed JSON is exit 2 with its position" bash -c '[ "$0" -eq 2 ] && grep -Eq "\.concadvise\.json:2:1: error: unexpected end of file" "$1"' "$rc" "$tmp/err"
cfgrun '{"bogus": 1}' --no-config --format json src
check "config: --no-config ignores it" test "$rc" -eq 0
printf '{"severity": {"gil-blocking-io-held": "note"}}' >"$tmp/other.json"
cfgrun '{"bogus": 1}' --config "$tmp/other.json" --format json src/io_held_recv.c
check "config: --config FILE is used instead of discovery" bash -c '[ "$0" -eq 0 ] && grep -q "\"severity\": \"note\"" "$1"' "$rc" "$tmp/out"
cfgrun '{"severity": {"gil-blocking-io-held": "error"}}' --color never src/io_held_recv.c
check "config: severity override (warning -> error) fails the run" bash -c '[ "$0" -eq 1 ] && grep -q "io_held_recv.c:31:13: error: recv() blocks.*\[gil-blocking-io-held\]" "$1"' "$rc" "$tmp/out"
cfgrun '{"severity": {"gil-blocking-io-held": "off", "gil-cpu-loop-holds-gil": "off"}}' --format json --fail-on note src
check "config: severity off removes the findings" bash -c '[ "$0" -eq 0 ] && jq -e ".diagnostics == [] and .summary.suppressed == 0" "$1" >/dev/null' "$rc" "$tmp/out"
cfgrun '{"fail-on": "warning"}' --format json src/io_held_recv.c
check "config: fail-on from the file" test "$rc" -eq 1
cfgrun '{"fail-on": "warning"}' --format json --fail-on error src/io_held_recv.c
check "config: --fail-on on the command line wins" test "$rc" -eq 0
cfgrun '{"exclude": ["vendor"]}' --format json .
check "config: exclude leaves a directory out" bash -c 'jq -e "[.inputs[].file] == [\"./src/io_held_recv.c\", \"./src/sub/cpu_held_noapi.c\"]" "$0" >/dev/null' "$tmp/out"
cfgrun '{"include": ["src/**"], "exclude": ["**/sub/*.c"]}' --format json . vendor
check "config: include selects, exclude wins" bash -c 'jq -e "[.inputs[].file] == [\"./src/io_held_recv.c\"]" "$0" >/dev/null' "$tmp/out"
(cd "$proj/src" && printf '{"exclude": ["src/sub"]}' >"$proj/.concadvise.json" && "$bin" --format json . >"$tmp/out" 2>/dev/null)
check "config: patterns also match paths relative to the config's directory" bash -c 'jq -e "[.inputs[].file] == [\"./io_held_recv.c\"]" "$0" >/dev/null' "$tmp/out"
printf '{"catalog": "io", "version": 1, "entries": [{"name": "projq_wait_job", "kind": "wait", "unbounded": true}]}' >"$proj/tools/blocking.json"
cat >"$proj/src/queue.c" <<'EOC'
#include <Python.h>
int projq_wait_job(int q);
static PyObject *projq_drain(PyObject *self, PyObject *arg)
{
    int q = 3, n = 0;
    while (projq_wait_job(q) > 0)
        n++;
    return PyLong_FromLong(n);
}
static PyMethodDef projq_methods[] = {{"drain", projq_drain, METH_O, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef projq_module = {PyModuleDef_HEAD_INIT, "projq", NULL, -1, projq_methods};
PyMODINIT_FUNC PyInit_projq(void) { return PyModule_Create(&projq_module); }
EOC
(cd "$proj/src" && printf '{"catalogs": ["tools/blocking.json"]}' >"$proj/.concadvise.json" && "$bin" --format json queue.c >"$tmp/out" 2>"$tmp/err")
check "config: user catalogs load, relative to the config file" bash -c 'jq -e "[.diagnostics[] | select(.rule == \"gil-blocking-io-held\")] | length == 1" "$0" >/dev/null' "$tmp/out"
printf '{"catalog": "io", "version": 1, "entries": [{"name": "x", "kind": "slow"}]}' >"$proj/tools/blocking.json"
(cd "$proj/src" && "$bin" queue.c >/dev/null 2>"$tmp/err"); rc=$?
check "config: a broken user catalog is exit 2 naming file:line:col" bash -c '[ "$0" -eq 2 ] && grep -q "tools/blocking.json:1:67: error: invalid value \"slow\"" "$1"' "$rc" "$tmp/err"
"$bin" --catalog "$proj/tools/blocking.json" --no-config samples/io_held_recv.c >/dev/null 2>"$tmp/err"; rc=$?
check "--catalog FILE loads a user catalog (errors as for the config's)" bash -c '[ "$0" -eq 2 ] && grep -q "blocking.json:1:67: error" "$1"' "$rc" "$tmp/err"
rm -f "$proj/.concadvise.json"

# ---- inline suppressions
run --format json samples/suppressions.c samples/suppression_reasons.c
check "suppressions: the used one silences its finding and is counted" bash -c 'jq -e "(.summary.suppressed == 2) and ([.diagnostics[] | select(.file == \"samples/suppressions.c\" and .rule == \"gil-blocking-io-held\")] == [])" "$0" >/dev/null' "$tmp/out"
check "suppressions: the unused one is a note" bash -c 'jq -e "[.diagnostics[] | select(.rule == \"concadvise-unused-suppression\") | [.file, .line, .severity]] == [[\"samples/suppressions.c\", 55, \"note\"]]" "$0" >/dev/null' "$tmp/out"
check "suppressions: no reason and unknown rule ids are warnings" bash -c 'jq -e "[.diagnostics[] | select(.rule == \"concadvise-invalid-suppression\") | .line] == [24, 32]" "$0" >/dev/null' "$tmp/out"
run --color never samples/suppressions.c
check "suppressions: the text summary counts them" grep -q "diagnostics: 1 note (1 suppressed)" "$tmp/out"

# ---- baselines: write, use, a finding that moved stays baselined, a new one is reported
mkdir -p "$tmp/bl"
cp samples/io_held_recv.c "$tmp/bl/mod.c"
(cd "$tmp/bl" && "$bin" --format json --fail-on warning --write-baseline base.json mod.c >out.json 2>err.txt); rc=$?
check "baseline: --write-baseline writes the findings and exits 0" bash -c '[ "$0" -eq 0 ] && jq -e ".version == 1 and (.entries | length) == 1 and .entries[0].rule == \"gil-blocking-io-held\" and (.entries[0].fingerprint | test(\"^[0-9a-f]{32}$\"))" "$1" >/dev/null' "$rc" "$tmp/bl/base.json"
fp=$(jq -r '.entries[0].fingerprint' "$tmp/bl/base.json")
check "baseline: its fingerprint is the one in the JSON report" bash -c 'jq -e --arg fp "$1" ".diagnostics[0].fingerprint == \$fp" "$0" >/dev/null' "$tmp/bl/out.json" "$fp"
(cd "$tmp/bl" && "$bin" --format json --fail-on warning --baseline base.json mod.c >out.json 2>err.txt); rc=$?
check "baseline: known findings are left out and counted" bash -c '[ "$0" -eq 0 ] && jq -e ".diagnostics == [] and .summary.baselined == 1" "$1" >/dev/null' "$rc" "$tmp/bl/out.json"
{ printf '/* an unrelated edit above */\n#include <stddef.h>\n\n'; cat samples/io_held_recv.c; } >"$tmp/bl/mod.c"
(cd "$tmp/bl" && "$bin" --format json --fail-on warning --baseline base.json mod.c >out.json 2>err.txt); rc=$?
check "baseline: a finding whose line moved is still baselined" bash -c '[ "$0" -eq 0 ] && jq -e ".diagnostics == [] and .summary.baselined == 1 and .loops[0].line == 32" "$1" >/dev/null' "$rc" "$tmp/bl/out.json"
sed 's/^    return result;$/    sleep(1);\n    return result;/' "$tmp/bl/mod.c" | sed 's/^#include <sys\/types.h>$/#include <sys\/types.h>\n#include <unistd.h>/' >"$tmp/bl/mod2.c" && mv "$tmp/bl/mod2.c" "$tmp/bl/mod.c"
(cd "$tmp/bl" && "$bin" --format json --fail-on warning --baseline base.json mod.c >out.json 2>err.txt); rc=$?
check "baseline: a new finding is reported and fails the run" bash -c '[ "$0" -eq 1 ] && jq -e "(.diagnostics | length) == 1 and (.diagnostics[0].message | test(\"sleep\")) and .summary.baselined == 1" "$1" >/dev/null' "$rc" "$tmp/bl/out.json"
printf '{\n  "version": 1,\n  "entries": [\n    {"fingerprint": "nothex"}\n  ]\n}\n' >"$tmp/bl/bad.json"
run --baseline "$tmp/bl/bad.json" samples/io_held_recv.c
check "baseline: a malformed one is exit 2 naming file:line:col" bash -c '[ "$0" -eq 2 ] && grep -q "bad.json:4:21: error: invalid fingerprint" "$1"' "$rc" "$tmp/err"
run --baseline "$tmp/bl/none.json" samples/io_held_recv.c
check "baseline: a missing one is exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "none.json: error: cannot read" "$1"' "$rc" "$tmp/err"

# ---- editor mode: the buffer on stdin, analysed as the path given
{ printf '\n\n'; cat samples/io_held_recv.c; } | "$bin" --format json --stdin-filename ./samples/io_held_recv.c >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--stdin-filename: JSON on stdout for the buffer, under the path as given" bash -c '[ "$0" -eq 0 ] && jq -e "[.inputs[].file] == [\"./samples/io_held_recv.c\"] and [.diagnostics[] | [.file, .line]] == [[\"./samples/io_held_recv.c\", 33]]" "$1" >/dev/null && [ ! -s "$2" ]' "$rc" "$tmp/out" "$tmp/err"
"$bin" --color never --stdin-filename samples/not-saved-yet.c <samples/io_held_recv.c >"$tmp/out" 2>&1; rc=$?
check "--stdin-filename: a file not on disk yet gets synthesised flags" bash -c '[ "$0" -eq 0 ] && grep -q "^samples/not-saved-yet.c:31:13: warning: recv() blocks" "$1"' "$rc" "$tmp/out"
printf 'int main(void) { return undeclared; }\n' | "$bin" --format json --stdin-filename samples/io_held_recv.c >"$tmp/out" 2>/dev/null; rc=$?
check "--stdin-filename: the buffer, not the file on disk, is parsed" bash -c '[ "$0" -eq 3 ] && grep -q "undeclared" "$1"' "$rc" "$tmp/out"

# ---- other formats
run --format sarif samples/io_held_recv.c
check "--format sarif: a SARIF 2.1.0 log" bash -c 'jq -e ".version == \"2.1.0\" and (.runs[0].results | length) >= 1" "$0" >/dev/null' "$tmp/out"
run --format html -o "$tmp/report.html" samples/io_held_recv.c samples/suppressions.c
check "--format html: one HTML page with the source" bash -c 'grep -qi "<html" "$0" && grep -q "recv" "$0"' "$tmp/report.html"

# ---- editor integration: the documented VS Code problem matcher reads the text report
"$bin" --color never samples >"$tmp/samples.txt" 2>/dev/null
check "docs/editors.md: the problem matcher's regexp matches every diagnostic line" python3 -c '
import json, re, sys
doc = open("docs/editors.md").read()
line = next(l for l in doc.splitlines() if l.strip().startswith("\"regexp\":"))
rx = re.compile(json.loads("{" + line.strip().rstrip(",") + "}")["regexp"])
n = 0
for text in open(sys.argv[1]).read().splitlines():
    if text.endswith("]") and ": " in text and not text.startswith(" "):
        m = rx.match(text)
        assert m, "no match: " + text
        assert m.group(4) in ("error", "warning", "note") and re.match(r"^[a-z]+(-[a-z0-9]+)+$", m.group(6)), text
        assert int(m.group(2)) > 0 and int(m.group(3)) > 0 and m.group(1).startswith("samples/"), text
        n += 1
assert n >= 10, n
assert rx.match("samples/a.c:3:5: note: while loop in f(): io-bound, GIL held -> release-gil (confidence high, hotness 59)")
' "$tmp/samples.txt"

# ---- people: progress and colours on a terminal only, --quiet, NO_COLOR
if command -v script >/dev/null; then
  script -qec "$bin --no-cache --color never samples" /dev/null >"$tmp/tty.txt" 2>&1
  check "progress on a terminal: [done/total] file" grep -q $'\033\\[K\\[[0-9]*/[0-9]*\\] samples/' "$tmp/tty.txt"
  script -qec "$bin --quiet --color never samples" /dev/null >"$tmp/tty.txt" 2>&1
  check "--quiet: no progress on a terminal" bash -c '! grep -q "\[[0-9]*/[0-9]*\]" "$0"' "$tmp/tty.txt"
  script -qec "$bin samples/io_held_recv.c" /dev/null >"$tmp/tty.txt" 2>&1
  check "colours by default on a terminal" grep -q $'\033\\[1;33mwarning' "$tmp/tty.txt"
  NO_COLOR=1 script -qec "$bin samples/io_held_recv.c" /dev/null >"$tmp/tty.txt" 2>&1
  check "NO_COLOR: no colours on a terminal" bash -c '! grep -q $'"'"'\033\\[1'"'"' "$0"' "$tmp/tty.txt"
  script -qec "$bin -o $tmp/o.txt samples/io_held_recv.c" /dev/null >"$tmp/tty.txt" 2>&1
  check "-o FILE on a terminal: a one-line summary on stderr" grep -q "concadvise: $tmp/o.txt: 1 file, 1 loop (1 hot), 0 errors, 1 warning, 0 notes" "$tmp/tty.txt"
else
  check "script(1) is installed (util-linux)" false
fi
run samples
check "no progress when stderr is not a terminal" test ! -s "$tmp/err"

# ---- installation: binary, rules and man page; the installed binary finds its own rules
build=$(dirname "$bin")
if [ -f "$build/cmake_install.cmake" ]; then
  cmake --install "$build" --prefix "$tmp/inst" >"$tmp/install.log" 2>&1 || cat "$tmp/install.log"
  check "install: everything goes under --prefix" bash -c 'grep -q "Installing: " "$0" && ! grep -E "(Installing|Up-to-date): " "$0" | grep -v "$1/"' "$tmp/install.log" "$tmp/inst"
  check "install: the man page is installed" test -f "$tmp/inst/share/man/man1/concadvise.1"
  rm "$tmp/inst/share/concadvise/rules/checks/concadvise-unused-suppression.json"
  (cd / && env -i "$tmp/inst/bin/concadvise" --list-rules >"$tmp/out" 2>"$tmp/err"); rc=$?
  check "install: the installed binary reads its installed rules (no env, another directory)" bash -c '[ "$0" -eq 0 ] && [ "$(wc -l <"$1")" -eq $(($(ls rules/checks/*.json | wc -l) - 1)) ] && ! grep -q concadvise-unused-suppression "$1"' "$rc" "$tmp/out"
else
  check "install: $build is a CMake build directory" false
fi
if command -v groff >/dev/null; then
  check "the man page renders without warnings" bash -c 'out=$(groff -man -Tutf8 -ww -z docs/concadvise.1 2>&1) && [ -z "$out" ] && out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l docs/concadvise.1 2>&1 >/dev/null) && [ -z "$out" ]'
else
  check "groff is installed" false
fi
check ".pre-commit-hooks.yaml declares the concadvise hook" bash -c 'grep -q "^- id: concadvise" .pre-commit-hooks.yaml && grep -q "language: system" .pre-commit-hooks.yaml && grep -q "entry: concadvise" .pre-commit-hooks.yaml'

# --profile: loops weighted by collapsed stacks; unknown frames listed once; a bad line is exit 2.
printf 'main;PyEval_EvalFrameDefault;blur_box_blur 75\nmain;PyEval_EvalFrameDefault;sumlist_fsum 25\n' >"$tmp/prof.folded"
run --format json --profile "$tmp/prof.folded" samples/cpu_released_blur.c samples/cpu_api_sum_list.c
check "--profile weights loops by their function's samples" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
w = {l["function"]: (l["profiled"], l["profile_permille"]) for l in d["loops"]}
assert w["blur_box_blur"] == (True, 750) and w["sumlist_fsum"] == (True, 250), w
assert d["profile"]["total_samples"] == 100
assert [u["frame"] for u in d["profile"]["unmatched"]] == ["PyEval_EvalFrameDefault", "main"], d["profile"]' "$tmp/out"
printf 'main;f 3\nmain;g three\n' >"$tmp/bad.folded"
run --profile "$tmp/bad.folded" samples/plain_io_copy.c
check "--profile with a bad line: exit 2 naming file and line" bash -c '[ "$0" -eq 2 ] && grep -q "bad.folded:2" "$1"' "$rc" "$tmp/err"

# --bench: the configuration's cases are measured and attached to their function's loops; without
# --bench nothing runs; without a "bench" array it is a usage error.
mkdir -p "$tmp/benchproj"
cp samples/plain_cpu_private.c "$tmp/benchproj/"
cat >"$tmp/benchproj/.concadvise.json" <<'JSON'
{"bench": [{"source": "plain_cpu_private.c", "function": "plaincpu_matmul",
            "setup": ["enum { N = 64 };", "double a[N * N], b[N * N], c[N * N];",
                      "ca_bench_keep(a); ca_bench_keep(b); ca_bench_keep(c);"],
            "call": "plaincpu_matmul(N, N, N, a, b, c)", "repeat": 3}]}
JSON
(cd "$tmp/benchproj" && "$bin" --bench --format json plain_cpu_private.c >"$tmp/bench.json" 2>"$tmp/bench.err"); rc=$?
check "--bench attaches a measured benchmark to the function's loops" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
b = [l["benchmark"] for l in d["loops"] if l["function"] == "plaincpu_matmul"]
assert b and all(x and x["verdict"] in ("threading", "multiprocessing", "tie", "inconclusive") for x in b), b
assert all(x["expected"] == "threading" for x in b), [x.get("expected") for x in b]' "$tmp/bench.json"
(cd "$tmp/benchproj" && "$bin" --format json plain_cpu_private.c >"$tmp/nobench.json" 2>/dev/null)
check "without --bench nothing is measured" python3 -c '
import json, sys
assert all(l["benchmark"] is None for l in json.load(open(sys.argv[1]))["loops"])' "$tmp/nobench.json"
run --bench --no-config samples/plain_cpu_private.c
check "--bench without a bench array: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "bench" "$1"' "$rc" "$tmp/err"

# concadvise bench is dispatched to the benchmark mode (docs/bench.md)
run bench --help
check "concadvise bench --help" bash -c '[ "$0" -eq 0 ] && grep -q -- "--call" "$1"' "$rc" "$tmp/out"

# ---- cache (docs/perf.md): unchanged files come from the cache, a changed file or header is
# parsed again, a corrupt entry is ignored and rewritten, and the report never changes.
proj=$tmp/cacheproj
mkdir -p "$proj/src"
cp samples/*.c "$proj/src/"
printf '#define SHARED_N 8\n' >"$proj/src/shared.h"
for f in a b; do
  printf '#include "shared.h"\nint sum_%s(const int *v) { int s = 0; for (int i = 0; i < SHARED_N; i++) s += v[i]; return s; }\n' "$f" >"$proj/src/use_$f.c"
done
nsrc=$(ls "$proj/src"/*.c | wc -l)
# "PARSED CACHED", or "replay" when the whole report came back from an identical earlier run
cachestat() {
  if grep -q "the report of an identical earlier run" "$tmp/err"; then echo replay; return; fi
  sed -n 's/^concadvise: stats: [0-9]* inputs\{0,1\}: \([0-9]*\) parsed, \([0-9]*\) from the cache.*/\1 \2/p' "$tmp/err"
}
(cd "$proj" && "$bin" --no-config --no-cache --format json src >"$tmp/nocache.json" 2>/dev/null)
check "--no-cache writes no cache directory" test ! -e "$proj/.concadvise-cache"
(cd "$proj" && "$bin" --no-config --stats --format json src >"$tmp/cold.json" 2>"$tmp/err")
check "cold run: every file parsed" test "$(cachestat)" = "$nsrc 0"
check "the default cache is .concadvise-cache, tagged and ignored by git" bash -c '
  grep -q "^Signature: 8a477f597d28d172789f06886806bc55" "$0/.concadvise-cache/CACHEDIR.TAG" &&
  grep -qx "\*" "$0/.concadvise-cache/.gitignore"' "$proj"
(cd "$proj" && "$bin" --no-config --stats --top 1 --format json src >"$tmp/warm.json" 2>"$tmp/err")
check "warm run with other report options: nothing parsed, the facts come from the cache" test "$(cachestat)" = "0 $nsrc"
(cd "$proj" && "$bin" --no-config --stats --format json src >"$tmp/replay.json" 2>"$tmp/err"); rc=$?
check "identical warm run: the report of the earlier run, replayed" test "$(cachestat)" = "replay"
check "warm, replayed and cold reports are identical to an uncached run" bash -c '
  cmp -s "$0" "$1" && cmp -s "$0" "$2" && cmp -s "$0" "$3"' "$tmp/nocache.json" "$tmp/cold.json" "$tmp/warm.json" "$tmp/replay.json"
check "a replayed run exits as the run it replays" test "$rc" -eq "$(cd "$proj" && "$bin" --no-config --no-cache --format json src >/dev/null 2>&1; echo $?)"
printf '{"severity": {"gil-blocking-io-held": "note"}}\n' >"$proj/.concadvise.json"
(cd "$proj" && "$bin" --stats --format json src >"$tmp/cfg.json" 2>"$tmp/err")
check "a new configuration file: not replayed, and it applies" bash -c '[ "$0" = "0 $1" ] && ! cmp -s "$2" "$3"' "$(cachestat)" "$nsrc" "$tmp/cfg.json" "$tmp/replay.json"
printf '{"severity": {"gil-blocking-io-held": "warning"}}\n' >"$proj/.concadvise.json"
(cd "$proj" && "$bin" --stats --format json src >"$tmp/cfg2.json" 2>"$tmp/err")
check "an edited configuration file: not replayed" bash -c '[ "$0" = "0 $1" ] && ! cmp -s "$2" "$3"' "$(cachestat)" "$nsrc" "$tmp/cfg.json" "$tmp/cfg2.json"
rm "$proj/.concadvise.json"
printf '/* edited */\n' >>"$proj/src/use_a.c"
(cd "$proj" && "$bin" --no-config --stats --format json src >/dev/null 2>"$tmp/err")
check "an edited file is parsed again, alone" test "$(cachestat)" = "1 $((nsrc - 1))"
touch "$proj/src/shared.h"
(cd "$proj" && "$bin" --no-config --stats --format json src >/dev/null 2>"$tmp/err")
check "a touched but unchanged header invalidates nothing" test "$(cachestat)" = "replay"
printf '#define SHARED_N 16\n' >"$proj/src/shared.h"
(cd "$proj" && "$bin" --no-config --stats --format json src >"$tmp/hdr.json" 2>"$tmp/err")
check "a changed header re-parses exactly the files that include it" test "$(cachestat)" = "2 $((nsrc - 2))"
check "and the report follows the header" grep -q "(16 iterations)" "$tmp/hdr.json"
rm -rf "$proj/.concadvise-cache" # so that every entry is in use: nsrc of them
(cd "$proj" && "$bin" --no-config --format json src >/dev/null 2>&1)
rm -rf "$proj/.concadvise-cache/runs" # no replay: the facts are read
for e in $(find "$proj/.concadvise-cache/facts" -type f | head -3); do head -c 100 "$e" >"$e.x" && mv "$e.x" "$e"; done
e=$(find "$proj/.concadvise-cache/facts" -type f | sed -n 4p); printf 'garbage' >"$e"
(cd "$proj" && "$bin" --no-config --stats --format json src >"$tmp/corrupt.json" 2>"$tmp/err"); rc=$?
check "corrupt entries are ignored and parsed again" bash -c '[ "$0" = "4 $(($1 - 4))" ] && [ "$2" -ne 2 ]' "$(cachestat)" "$nsrc" "$rc"
check "corrupt entries change nothing in the report" cmp -s "$tmp/hdr.json" "$tmp/corrupt.json"
(cd "$proj" && "$bin" --no-config --stats --top 2 --format json src >/dev/null 2>"$tmp/err")
check "and are rewritten" test "$(cachestat)" = "0 $nsrc"
mkdir -p "$tmp/gen/src" "$tmp/gen/inc"
printf '#include "generated.h"\nint g(void) { return GEN; }\n' >"$tmp/gen/src/g.c"
(cd "$tmp/gen" && "$bin" --no-config --stats --extra-arg=-Iinc src >/dev/null 2>"$tmp/err"; "$bin" --no-config --stats --extra-arg=-Iinc src >/dev/null 2>"$tmp/err2"); rc=$?
check "a file whose header is missing is cached while it stays missing" bash -c '[ "$0" -eq 3 ] && grep -q "identical earlier run" "$1"' "$rc" "$tmp/err2"
(cd "$tmp/gen" && "$bin" --no-config --stats --top 1 --extra-arg=-Iinc src >/dev/null 2>"$tmp/err2"); rc=$?
check "and its facts too" bash -c '[ "$0" -eq 3 ] && grep -q "0 parsed, 1 from the cache" "$1"' "$rc" "$tmp/err2"
printf '#define GEN 1\n' >"$tmp/gen/inc/generated.h"
(cd "$tmp/gen" && "$bin" --no-config --stats --extra-arg=-Iinc src >/dev/null 2>"$tmp/err"); rc=$?
check "and parsed again once the header appears in an include directory" bash -c '[ "$0" -eq 0 ] && grep -q "1 parsed, 0 from the cache" "$1"' "$rc" "$tmp/err"
run --no-config --stats --cache /proc/no/such/dir samples/io_released_read.c
check "an unusable --cache DIR is a warning, not a failure" bash -c '[ "$0" -eq 0 ] && grep -q "warning: no cache" "$1"' "$rc" "$tmp/err"
(cd "$proj" && "$bin" --no-config --stats --cache "$tmp/c2" --format json src >"$tmp/c2.json" 2>"$tmp/err")
check "--cache DIR is used instead of the default" bash -c '[ "$0" = "$1 0" ] && [ -d "$2/facts" ]' "$(cachestat)" "$nsrc" "$tmp/c2"

# Pruning: least recently used first, never what this run (or another lately) used.
c3=$tmp/c3
(cd "$proj" && "$bin" --no-config --cache "$c3" -q src >/dev/null 2>&1)
check "no pruning under the limit" bash -c '[ "$(find "$0/facts" -type f | wc -l)" -eq "$1" ]' "$c3" "$nsrc"
find "$c3/facts" "$c3/pch" -type f -exec touch -d '2 hours ago' {} +
(cd "$proj" && "$bin" --no-config --cache "$c3" --top 1 -q src >/dev/null 2>&1) # every file's facts from the cache
check "a cache hit marks its entry used" bash -c '[ -z "$(find "$0/facts" -type f -mmin +5)" ]' "$c3"
find "$c3/facts" "$c3/pch" -type f -exec touch -d '3 hours ago' {} +
npch=$(ls "$c3/pch"/*.meta | wc -l)
(cd "$proj" && "$bin" --no-config --cache "$c3" --cache-max-size 1K --stats --format json src/use_a.c src/use_b.c >/dev/null 2>"$tmp/err")
check "an over-full cache loses what was not used lately and keeps what the run used" bash -c '[ "$(find "$0/facts" -type f | wc -l)" -eq 2 ] && [ -z "$(ls "$0/pch")" ] && grep -q "limit 0.0 MB: $(($1 - 2 + $3)) removed" "$2"' "$c3" "$nsrc" "$tmp/err" "$npch"
(cd "$proj" && "$bin" --no-config --cache "$c3" --cache-max-size 0 --stats --format json src >/dev/null 2>"$tmp/err")
check "pruned entries are misses: parsed again" test "$(cachestat)" = "$((nsrc - 2)) 2"
run --cache-max-size 12X samples
check "--cache-max-size with a bad size: exit 2" test "$rc" -eq 2
run --no-config --cache "$tmp/c4" --cache-max-size 1K --stats --shard 1/2 -o "$tmp/s-pruned.facts" samples
check "a shard run keeps its cache under --cache-max-size too" bash -c '[ "$0" -eq 0 ] && grep -q "limit 0.0 MB: [0-9]* removed" "$1"' "$rc" "$tmp/err"

# ---- shard and merge (docs/scaling.md): four shards merged give the report of one run.
"$bin" --no-config --no-cache --format json samples >"$tmp/one.json" 2>/dev/null
"$bin" --no-config --no-cache samples >"$tmp/one.txt" 2>/dev/null
for k in 1 2 3 4; do "$bin" --no-config --no-cache --shard $k/4 -o "$tmp/s$k.facts" samples; done
run merge --no-config --format json "$tmp/s3.facts" "$tmp/s1.facts" "$tmp/s4.facts" "$tmp/s2.facts"
check "merge of 4 shards: the JSON of one run, byte for byte" bash -c 'cmp -s "$0" "$1"' "$tmp/out" "$tmp/one.json"
run merge --no-config "$tmp/s1.facts" "$tmp/s2.facts" "$tmp/s3.facts" "$tmp/s4.facts"
check "merge of 4 shards: the text report of one run" cmp -s "$tmp/out" "$tmp/one.txt"
check "merge exits like one run" bash -c '[ "$0" -eq "$1" ]' "$rc" "$("$bin" --no-config --no-cache samples >/dev/null 2>&1; echo $?)"
check "each shard holds its share only" bash -c '[ "$(ls samples/*.c | wc -l)" -gt 3 ] && [ -s "$0" ] && ! cmp -s "$0" "$1"' "$tmp/s1.facts" "$tmp/s2.facts"
run merge --no-config "$tmp/s1.facts" "$tmp/s2.facts" "$tmp/s4.facts"
check "merge with a shard missing: exit 2, names it" bash -c '[ "$0" -eq 2 ] && grep -q "missing shard 3/4" "$1"' "$rc" "$tmp/err"
run merge --no-config "$tmp/s1.facts" "$tmp/s1.facts" "$tmp/s2.facts" "$tmp/s3.facts" "$tmp/s4.facts"
check "merge with a shard twice: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "given twice" "$1"' "$rc" "$tmp/err"
"$bin" --no-config --no-cache --shard 1/2 -o "$tmp/h1.facts" samples
run merge --no-config "$tmp/h1.facts" "$tmp/s2.facts" "$tmp/s3.facts" "$tmp/s4.facts"
check "merge of shards of different runs: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "another run" "$1"' "$rc" "$tmp/err"
head -c 200 "$tmp/s2.facts" >"$tmp/cut.facts"
run merge --no-config "$tmp/s1.facts" "$tmp/cut.facts" "$tmp/s3.facts" "$tmp/s4.facts"
check "merge of a truncated shard: exit 2, names the file" bash -c '[ "$0" -eq 2 ] && grep -q "cut.facts: corrupt" "$1"' "$rc" "$tmp/err"
run merge --no-config samples/io_released_read.c
check "merge of a file that is no shard: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "not a concadvise shard file" "$1"' "$rc" "$tmp/err"
run --shard 1/4 samples
check "--shard without --output: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q -- "--output" "$1"' "$rc" "$tmp/err"
run --shard 5/4 -o "$tmp/x.facts" samples
check "--shard 5/4: exit 2" test "$rc" -eq 2
run merge -p build "$tmp/s1.facts"
check "merge with -p: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "does not apply to merge" "$1"' "$rc" "$tmp/err"

# A compile database with relative paths: the report lands where -o says, relative to the
# current directory (clang's -working-directory would have moved the whole process).
mkdir -p "$tmp/wd/build" "$tmp/wd/src/inc" "$tmp/wd/out"
printf '#define WD_N 4\n' >"$tmp/wd/src/inc/wd.h"
printf '#include "wd.h"\nint wd(int *v) { int s = 0; for (int i = 0; i < WD_N; i++) s += v[i]; return s; }\n' >"$tmp/wd/src/wd.c"
printf '[{"directory": "%s/build", "file": "../src/wd.c", "arguments": ["cc", "-I../src/inc", "-c", "../src/wd.c"]}]\n' "$tmp/wd" >"$tmp/wd/build/compile_commands.json"
(cd "$tmp/wd/out" && "$bin" --no-config --no-cache -j2 -p ../build --format json -o report.json) ; rc=$?
check "-p with relative paths: parsed, and -o relative to the current directory" bash -c '
  [ "$0" -eq 0 ] && [ -s "$1/out/report.json" ] && grep -q "(4 iterations)" "$1/out/report.json"' "$rc" "$tmp/wd"

# ---- serve (docs/editors.md): one process, many requests, each answered as the editor-mode run
# of the same text would be.
cp samples/io_held_recv.c "$tmp/serve_a.c"
python3 - "$bin" "$tmp" <<'PY' >"$tmp/serve.out" 2>"$tmp/serve.err"
import json, subprocess, sys
bin_, tmp = sys.argv[1], sys.argv[2]
a = f"{tmp}/serve_a.c"
edited = open(a).read() + "\n/* an edit */\n"
def direct(text):
    r = subprocess.run([bin_, "--no-config", "--format", "json", "--stdin-filename", a], input=text.encode(),
                       capture_output=True)
    return r.returncode, r.stdout
p = subprocess.Popen([bin_, "serve", "--no-config"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def ask(body):
    p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body); p.stdin.flush()
    h = {}
    while True:
        line = p.stdout.readline().decode().strip()
        if not line:
            if h: break
            continue
        k, v = line.split(":", 1); h[k.lower()] = v.strip()
    return int(h["concadvise-exit-status"]), p.stdout.read(int(h["content-length"]))
assert ask(json.dumps({"file": a}).encode()) == direct(open(a).read()), "file on disk"
assert ask(json.dumps({"file": a, "text": edited}).encode()) == direct(edited), "edited text"
st, body = ask(b'{"text": "int x;"}')
assert st == 2 and "error" in json.loads(body), body
st, body = ask(b'not json')
assert st == 2 and "error" in json.loads(body), body
assert ask(json.dumps({"file": a, "text": edited}).encode()) == direct(edited), "after errors"
p.stdin.close()
assert p.wait() == 0
print("ok")
PY
check "serve: answers as --stdin-filename runs, survives bad requests, ends at end of input" grep -qx ok "$tmp/serve.out"
run serve samples
check "serve with a PATH: exit 2" bash -c '[ "$0" -eq 2 ] && grep -q "does not apply to serve" "$1"' "$rc" "$tmp/err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
