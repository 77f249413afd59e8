#!/usr/bin/env bash
# bench/run.sh [CONCADVISE]: the performance benchmark.  For each corpus with a compile database
# (CPython 3.11 Modules/, Pillow; fetched and prepared by bench/corpus.sh) it measures, in one run
# and over the same files with the same flags:
#   clang -fsyntax-only, serial (the reference every ratio starts from);
#   clang-tidy with one cheap check, serial;
#   ca_floor -j1 and -j2: parse + walk every cursor with concadvise's parse options, nothing else
#     (bench/floor.c; the floor for any libclang analyzer);
#   concadvise cold -j1 and -j2 (--no-cache); cold -j2 filling an empty cache; warm -j2 on it;
#   one file re-analysed as an editor does (--stdin-filename, after the warm run);
#   peak RSS of concadvise cold -j2.
# Each is run REPS times, round robin (a busy neighbour then slows every tool alike); it prints
# medians with min-max, ratios to clang -fsyntax-only and to the floor at the same -j, a PASS/MISS
# line per target, and writes the same to BENCH_WORK/latest.tsv and latest.json with the machine
# they came from (docs/perf.md is filled from those).  The targets are set for CPython on 2 cores.
# Environment: REPS   runs of each tool (default 3: about 6-10 minutes in all on 2 cores)
#              LIMIT  use only the first N files of each database (default 0: all), for quick runs
#              CORPORA         default "python3.11 pillow"
#              BENCH_WORK      work directory (default /tmp/concadvise-bench)
#              FLOOR           ca_floor binary (default: next to CONCADVISE)
#              CORPUS_DIR      where sources are unpacked (see bench/corpus.sh)
# Needs: clang, clang-tidy, python3, /usr/bin/time (Debian: clang clang-tidy python3 time).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "run: $*" >&2; exit 2; }
arg=${1:-$here/build/concadvise}
bin=$(realpath -e "$arg" 2>/dev/null) || die "build concadvise first ($arg)"
floor=${FLOOR:-$(dirname "$bin")/ca_floor}
reps=${REPS:-3}
limit=${LIMIT:-0}
work=${BENCH_WORK:-/tmp/concadvise-bench}
read -r -a corpora <<<"${CORPORA:-python3.11 pillow}"
# The file an editor re-analyses: near the corpus' median size (CPython: 24 KB; _heapqmodule.c
# is 22 KB) and ordinary extension code.  Under LIMIT, when it is not among the files, the file
# nearest the median size of those that are.
declare -A edit_pick=([python3.11]=Modules/_heapqmodule.c [pillow]=src/decode.c)
# bugprone-suspicious-semicolon: one matcher on if/for/while statements with an empty body, which
# matches almost nothing, so clang-tidy's time is its parse plus the one traversal of the whole
# AST that its match finder makes for any check (misc-redundant-expression, the other candidate,
# compares the operands of every binary operator: real work of its own).
tidy_check=bugprone-suspicious-semicolon
# shellcheck source=bench/corpus.sh
. "$here/bench/corpus.sh"

for t in clang clang-tidy python3; do
  command -v "$t" >/dev/null || die "$t not found (Debian: apt-get install clang clang-tidy python3 time)"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"
[ -x "$floor" ] || die "build ca_floor first (cmake --build BUILD --target ca_floor; looked for $floor)"
[[ $reps =~ ^[1-9][0-9]*$ ]] || die "REPS must be a positive number"
[[ $limit =~ ^[0-9]+$ ]] || die "LIMIT must be a number (0: every file)"
help=$("$bin" --help) || die "$bin --help failed"
cache=false
if grep -qE -- '--cache[ =]' <<<"$help" && grep -q -- '--no-cache' <<<"$help"; then cache=true; fi
mkdir -p "$work"

# ---- the machine
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  printf 'ram\t%s\n' "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  printf 'load\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'os\t%s\n' "$(sed -n 's/^PRETTY_NAME="*\([^"]*\)"*/\1/p' /etc/os-release 2>/dev/null)"
  printf 'concadvise\t%s\n' "$("$bin" --version | head -n 1)"
  printf 'libclang\t%s\n' "$("$bin" --version | sed -n 's/.*(\(.*\)).*/\1/p' | head -n 1)"
  printf 'clang\t%s\n' "$(clang --version | head -n 1)"
  printf 'clang-tidy\t%s\n' "$(clang-tidy --version | sed -n 's/^ *\(.*LLVM version.*\)/\1/p' | head -n 1)"
  printf 'cache\t%s\n' "$($cache && echo yes || echo 'no (this concadvise has no cache)')"
  printf 'reps\t%s\n' "$reps"
  printf 'limit\t%s\n' "$limit"
} >"$work/machine.tsv"
echo "== machine"
sed 's/\t/: /' "$work/machine.tsv" | sed 's/^/   /'

# sample KEY CMD...: run CMD once; append "SECONDS PEAK_RSS_KB" to $cw/t/KEY.  Standard output
# goes to $cw/t/KEY.out, standard error to $cw/t/KEY.err.  Wall time from the clock around
# /usr/bin/time (which adds about a millisecond).  concadvise runs with --fail-on never, so it
# exits 0, or 3 when some file did not parse; clang-tidy exits 1 on any compile error, which is
# not ours to judge.  Any other failure stops the run.
sample() {
  local key=$1 t0 t1 rc=0
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f %M -o "$cw/t/rss.tmp" "$@" >"$cw/t/$key.out" 2>"$cw/t/$key.err" || rc=$?
  t1=$(date +%s%N)
  if [ "$rc" != 0 ] && [ "$rc" != 3 ] && [ "$key" != tidy ]; then
    echo "run: $key exited $rc: $*" >&2
    tail -n 5 "$cw/t/$key.err" >&2
    exit 1
  fi
  echo "$t0 $t1 $(tail -n 1 "$cw/t/rss.tmp")" | awk '{ printf "%.4f %d\n", ($2 - $1) / 1e9, $3 }' >>"$cw/t/$key"
}

done_corpora=()
for c in "${corpora[@]}"; do
  cw=$work/$c
  rm -rf "$cw"
  mkdir -p "$cw/db" "$cw/t"
  echo "== $c: preparing the compile database" >&2
  corpus_compdb "$c" "$cw/full" || { echo "run: cannot prepare $c (see $cw/full/compdb.log)" >&2; continue; }
  # The database the run uses: the first LIMIT entries (all when 0); one file name a line in
  # $cw/files; the editor's file in $cw/edit (and below its entry's directory in $cw/edit.rel).
  python3 - "$cw" "$limit" "${edit_pick[$c]:-}" <<'PY'
import json, os, sys
cw, limit, pick = sys.argv[1], int(sys.argv[2]), sys.argv[3]
db = json.load(open(f"{cw}/full/compile_commands.json"))
db = db[:limit] if limit else db
json.dump(db, open(f"{cw}/db/compile_commands.json", "w"), indent=1)
files = [e['file'] for e in db]
open(f"{cw}/files", "w").write("".join(f + "\n" for f in files))
hit = [e for e in db if pick and e['file'].endswith("/" + pick)]
if not hit:
    by_size = sorted(db, key=lambda e: os.path.getsize(e['file']))
    hit = [by_size[len(by_size) // 2]]
open(f"{cw}/edit", "w").write(hit[0]['file'])
open(f"{cw}/edit.rel", "w").write(os.path.relpath(hit[0]['file'], hit[0]['directory']))
PY
  db=$cw/db
  mapfile -t files <"$cw/files"
  ef=$(cat "$cw/edit")
  ca=("$bin" --no-config --fail-on never --format json --quiet -p "$db")
  nc=()
  $cache && nc=(--no-cache)
  # Untimed: read every header once, so that the first timed tool does not pay for the disk.
  "$floor" -p "$db" -j2 >/dev/null
  for ((r = 1; r <= reps; r++)); do
    echo "== $c: ${#files[@]} files, run $r of $reps" >&2
    echo "$(corpus_clang_time "$db/compile_commands.json") 0" >>"$cw/t/clang"
    sample tidy clang-tidy -p "$db" --quiet "--config={Checks: '-*,$tidy_check'}" "${files[@]}"
    sample floor1 "$floor" -p "$db" -j1
    sample floor2 "$floor" -p "$db" -j2
    sample cold1 "${ca[@]}" "${nc[@]}" -j1 -o "$cw/cold1.json"
    sample cold2 "${ca[@]}" "${nc[@]}" -j2 -o "$cw/cold2.json"
    $cache && sample nopch2 "${ca[@]}" "${nc[@]}" --no-pch -j2 -o "$cw/nopch2.json"
    # The editor's buffer is the file with an edit (a comment appended): it must be parsed again,
    # as after a keystroke; the other files and the precompiled preamble come from the cache.
    { cat "$ef"; printf '\n/* an edit */\n'; } >"$cw/edited.c"
    if $cache; then
      rm -rf "$cw/cache"
      sample fill "${ca[@]}" --cache "$cw/cache" -j2 -o "$cw/fill.json"
      sample warm "${ca[@]}" --cache "$cw/cache" -j2 -o "$cw/warm.json"
      # --top 1 changes the run's key (not the JSON): the facts come from the cache and the
      # whole-program analysis and the report run again, as after a change that touches no file
      sample warmfacts "${ca[@]}" --cache "$cw/cache" -j2 --top 1 -o "$cw/warmfacts.json"
      sample edit "${ca[@]}" --cache "$cw/cache" --stats --stdin-filename "$ef" <"$cw/edited.c"
      sed -n 's/.*total \([0-9.]*\) s$/\1/p' "$cw/t/edit.err" >>"$cw/t/editin"
      # the same edit through one long-running `concadvise serve`: libclang is loaded once
      python3 "$here/bench/serve_latency.py" "$bin" "$ef" 5 --no-config --fail-on never --cache "$cw/cache" \
        -p "$db" >>"$cw/t/serve"
    else
      sample edit "${ca[@]}" --stdin-filename "$ef" <"$cw/edited.c"
    fi
    sample version "$bin" --version
  done
  done_corpora+=("$c")
done
[ ${#done_corpora[@]} -gt 0 ] || die "no corpus could be prepared"

# ---- the report: printed, and written to latest.tsv / latest.json
python3 - "$work" "$tidy_check" "${done_corpora[@]}" <<'PY'
import json, statistics, sys
work, tidy, corpora = sys.argv[1], sys.argv[2], sys.argv[3:]
machine = dict(l.rstrip("\n").split("\t", 1) for l in open(f"{work}/machine.tsv"))
limit, NOCACHE = int(machine["limit"]), "n/a (this concadvise has no cache)"
ROWS = [  # key, label, -j, the floor it is compared with
    ("clang", "clang -fsyntax-only, serial", 1, "floor1"),
    ("tidy", f"clang-tidy {tidy}", 1, "floor1"),
    ("floor1", "ca_floor -j1 (parse + walk)", 1, "floor1"),
    ("floor2", "ca_floor -j2", 2, "floor2"),
    ("cold1", "concadvise cold -j1", 1, "floor1"),
    ("cold2", "concadvise cold -j2", 2, "floor2"),
    ("nopch2", "concadvise cold -j2 --no-pch", 2, "floor2"),
    ("fill", "concadvise -j2 filling the cache", 2, "floor2"),
    ("warm", "concadvise warm -j2 (report replayed)", 2, None),
    ("warmfacts", "concadvise warm -j2, analysis again", 2, None),
]

def stats(cw, key, col=0, scale=1.0):
    try:
        xs = [float(l.split()[col]) * scale for l in open(f"{cw}/t/{key}") if l.strip()]
    except FileNotFoundError:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}

def ratio(a, b):
    return a["median"] / b["median"] if a and b and b["median"] > 0 else None

def report_part(cw, name):  # what must not change between a cold and a warm run
    try:
        d = json.load(open(f"{cw}/{name}.json"))
        return d["summary"], d["diagnostics"]
    except (OSError, KeyError, ValueError):
        return None

x = lambda v: "" if v is None else f"{v:.2f}x"
num = lambda v: "" if v is None else f"{v:.4f}"
out = {"machine": machine, "corpora": {}}
tsv = ["# " + "\t".join(kv) for kv in machine.items()]
tsv.append("# target rows: corpus, target, what, value, limit, PASS|MISS|n/a")
tsv.append("corpus\tkey\tlabel\tjobs\tn\tmedian\tmin\tmax\tunit\tx_clang\tx_floor\tx_cold")
for c in corpora:
    cw = f"{work}/{c}"
    t = {k: stats(cw, k) for k in [r[0] for r in ROWS] + ["edit", "editin", "version", "serve"]}
    rss = stats(cw, "cold2", 1, 1 / 1024)
    fl = dict(kv.split("=") for kv in open(f"{cw}/t/floor1.out").read().split())
    cold, edit_rel = report_part(cw, "cold2"), open(f"{cw}/edit.rel").read()
    parsed = f"{cold[0]['files_failed']} not parsed by concadvise" if cold else "concadvise's report unreadable"
    print(f"\n== {c}: {fl['files']} files ({parsed}, {fl['failed']} by ca_floor; "
          f"{int(fl['cursors']) / 1e6:.1f} M cursors); {t['clang']['n']} runs of each")
    if limit:
        print(f"   LIMIT={limit}: the first {limit} files only; the targets are for whole corpora")
    print(f"   {'':44} {'median':>9} {'min-max':>15} {'x clang':>8} {'x floor':>8}")
    rows = []
    for key, label, jobs, floor in ROWS:
        s = t[key]
        if s is None:
            print(f"   {label:44} {NOCACHE}")
            continue
        xc, xf = ratio(s, t["clang"]), ratio(s, t[floor]) if floor else None
        xcold = ratio(s, t["cold2"]) if key in ("warm", "warmfacts") else None
        note = "" if xcold is None else f"  {100 * xcold:.1f}% of cold -j2"
        if key in ("warm", "warmfacts"):
            note += ", same report" if report_part(cw, key) == cold else ", REPORT DIFFERS from cold -j2"
        mm = f"{s['min']:.2f}-{s['max']:.2f} s"
        print(f"   {label:44} {s['median']:7.2f} s {mm:>15} {x(xc):>8} {x(xf):>8}{note}")
        rows.append(dict(key=key, label=label, jobs=jobs, unit="s", x_clang=xc, x_floor=xf, x_cold=xcold, **s))
    e = t["edit"]
    mm = f"{1000 * e['min']:.0f}-{1000 * e['max']:.0f} ms"
    label = f"editor: {edit_rel}" + ("" if machine["cache"] == "yes" else " (no cache)")
    print(f"   {label:44} {1000 * e['median']:6.0f} ms {mm:>15}")
    rows.append(dict(key="edit", label=f"editor: {edit_rel}", jobs=0, unit="s",
                     x_clang=None, x_floor=None, x_cold=None, **e))
    for key, lab in (("editin", "  of which inside concadvise (--stats total)"),
                     ("version", "  concadvise --version (loading libclang)"),
                     ("serve", "  the same edit, answered by concadvise serve")):
        v = t[key]
        if v:
            mm = f"{1000 * v['min']:.0f}-{1000 * v['max']:.0f} ms"
            print(f"   {lab:44} {1000 * v['median']:6.0f} ms {mm:>15}")
            rows.append(dict(key=key, label=lab.strip(), jobs=0, unit="s", x_clang=None, x_floor=None, x_cold=None, **v))
    mm = f"{rss['min']:.0f}-{rss['max']:.0f} MB"
    print(f"   {'peak RSS, concadvise cold -j2':44} {rss['median']:6.0f} MB {mm:>15}")
    rows.append(dict(key="rss", label="peak RSS, concadvise cold -j2", jobs=2, unit="MB",
                     x_clang=None, x_floor=None, x_cold=None, **rss))
    # The issue's targets, set for CPython 3.11 Modules/ on 2 cores: what, value, limit, format.
    warm = ratio(t["warm"], t["cold2"])
    targets = [
        ("cold -j2 <= 0.3x serial clang -fsyntax-only", ratio(t["cold2"], t["clang"]), 0.3, "{:.2f}x"),
        ("cold -j1 <= 1.2x ca_floor -j1", ratio(t["cold1"], t["floor1"]), 1.2, "{:.2f}x"),
        ("cold -j2 <= 1.2x ca_floor -j2", ratio(t["cold2"], t["floor2"]), 1.2, "{:.2f}x"),
        ("warm -j2 <= 3% of cold -j2", None if warm is None else 100 * warm, 3.0, "{:.1f}%"),
        ("warm -j2, analysis again, <= 3% of cold -j2", None if not t["warmfacts"] else 100 * ratio(t["warmfacts"], t["cold2"]),
         3.0, "{:.1f}%"),
        ("editor re-analysis <= 50 ms (wall, process included)", 1000 * e["median"], 50.0, "{:.0f} ms"),
        ("editor re-analysis <= 50 ms (inside concadvise)", None if not t["editin"] else 1000 * t["editin"]["median"],
         50.0, "{:.0f} ms"),
        ("editor re-analysis <= 50 ms (concadvise serve, wall)", None if not t["serve"] else 1000 * t["serve"]["median"],
         50.0, "{:.0f} ms"),
        ("peak RSS <= 300 MB", rss["median"], 300.0, "{:.0f} MB"),
    ]
    print("   targets" + (" (LIMIT run: indicative only)" if limit else "") + ":")
    tg = []
    for what, v, lim, f in targets:
        verdict = "n/a" if v is None else ("PASS" if v <= lim else "MISS")
        print(f"   {verdict:4}  {what}: {NOCACHE if v is None else f.format(v)}")
        tg.append(dict(target=what, value=v, limit=lim, verdict=verdict))
    out["corpora"][c] = dict(files=int(fl["files"]), floor=fl, editor_file=edit_rel, rows=rows, targets=tg)
    for r in rows:
        tsv.append("\t".join([c, r["key"], r["label"], str(r["jobs"]), str(r["n"]), num(r["median"]),
                              num(r["min"]), num(r["max"]), r["unit"], num(r["x_clang"]), num(r["x_floor"]),
                              num(r["x_cold"])]))
    for g in tg:
        tsv.append("\t".join([c, "target", g["target"], num(g["value"]), num(g["limit"]), g["verdict"]]))
json.dump(out, open(f"{work}/latest.json", "w"), indent=1)
open(f"{work}/latest.tsv", "w").write("\n".join(tsv) + "\n")
print(f"\nwritten: {work}/latest.tsv, {work}/latest.json")
PY
