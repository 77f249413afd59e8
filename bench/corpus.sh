# shellcheck shell=bash
# bench/corpus.sh: sourced by bench/smoke.sh and bench/run.sh; defines functions, runs nothing.
# Fetches the corpora through ../shared/corpus (Debian source packages unpacked under CORPUS_DIR,
# default ~/.cache/concadvise-corpus, never committed), writes the compile databases of the two
# corpora that have one (python3.11: CPython's Modules/, 145 files; pillow: src/, 81 files), and
# times serial `clang -fsyntax-only` over a database.  Needs python3 and, for the timing, clang.
corpus_dir=${CORPUS_DIR:-$HOME/.cache/concadvise-corpus}
corpus_shared=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/corpus

# corpus_compdb NAME OUTDIR: write OUTDIR/compile_commands.json for NAME (python3.11 | pillow),
# fetching the source first when needed.  The first run over CPython runs its ./configure (~2-3
# min); later runs only instantiate the template (well under a second).  Log: OUTDIR/compdb.log.
corpus_compdb() {
  mkdir -p "$2"
  CORPUS_SRC=${CORPUS_SRC:-$corpus_dir} bash "$corpus_shared/make-compdb.sh" "$1" "$2" >"$2/compdb.log" 2>&1
}

# corpus_source PKG: fetch the Debian source package PKG (once) and print its directory.
corpus_source() {
  bash "$corpus_shared/get-source.sh" "$1" "$corpus_dir" 2>/dev/null
}

# corpus_clang_time COMPDB_JSON: serial `clang -fsyntax-only -w` over every entry, in the entry's
# directory, with the entry's arguments less the compiler, -c and -o X; prints the seconds.
corpus_clang_time() {
  python3 - "$1" <<'PY'
import json, subprocess, sys, time
db = json.load(open(sys.argv[1])); t = time.time()
for e in db:
    args = e.get('arguments') or e['command'].split()
    a = ['clang', '-fsyntax-only', '-w'] + [x for x in args[1:] if x not in ('-c',)]
    out = []
    skip = False
    for x in a:
        if skip: skip = False; continue
        if x == '-o': skip = True; continue
        out.append(x)
    subprocess.run(out, cwd=e['directory'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(f"{time.time() - t:.2f}")
PY
}
