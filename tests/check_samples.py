#!/usr/bin/env python3
"""check_samples.py: run concadvise over samples/ and compare its JSON output with the
expectations written in the samples' comments (see samples/README.md for the syntax).

    python3 tests/check_samples.py CONCADVISE SAMPLES_DIR
    python3 tests/check_samples.py --self-test

Fails on a missing result *and* on an unexpected one: every loop the tool reports in a
sample must carry an expectation, and every diagnostic must be expected.  It also checks the
"positive"/"negative" sample lists of rules/checks/*.json (repo root = parent of SAMPLES_DIR).
Prints one line per sample and a final "N passed, M failed"; exits 0 only when all pass.
Python standard library only.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

TOOL_TIMEOUT = 600  # seconds for the whole run over samples/

# Allowed keys and values of `expect: loop`.  ORDER CLASS, GIL, REC (analyzer/results.h)
LOOP_KEYS = {
    "classification": ("io", "cpu", "mixed", "unknown"),
    "gil": ("held", "released", "mixed", "none", "unknown"),
    "recommendation": ("threading", "multiprocessing", "release-gil", "none", "unknown"),
    "python_api": ("true", "false"),
}
REQUIRED_LOOP_KEYS = ("classification", "gil", "recommendation")

EXPECT_RE = re.compile(r"/\*\s*expect(-diag)?:(.*?)\*/")
RULE_ID_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")


# ---------------------------------------------------------------------------------------
# Parsing the samples

class Sample:
    """Expectations of one sample file."""

    def __init__(self, path, display):
        self.path = path          # path on disk
        self.display = display    # how it is printed: "samples/x.c"
        self.name = os.path.basename(path)
        self.loops = []           # (line, {key: value}, comment line)
        self.diags = []           # (line, rule, comment line)
        self.problems = []        # problems found in the sample text itself


def parse_sample(path, display):
    """Read the expectations of one sample.  An expectation comment must stand alone on its
    line; it applies to the first following line that is not itself an expect comment."""
    s = Sample(path, display)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")

    first = next((ln.strip() for ln in lines if ln.strip()), "")
    if not first.startswith("/*") or EXPECT_RE.match(first):
        s.problems.append("no header comment: the file must start with a /* ... */ block "
                          "saying what it shows and why the expectations are right")

    pending = []  # (kind, payload, comment line) waiting for their target line
    for no, text in enumerate(lines, 1):
        found = list(EXPECT_RE.finditer(text))
        if found:
            rest = EXPECT_RE.sub("", text).strip()
            if rest:
                s.problems.append("line %d: an expect comment must be alone on its line" % no)
                continue
            for m in found:
                if m.group(1):  # expect-diag
                    rule = m.group(2).strip()
                    if not RULE_ID_RE.match(rule):
                        s.problems.append("line %d: bad rule id %r in expect-diag" % (no, rule))
                    else:
                        pending.append(("diag", rule, no))
                else:
                    fields = parse_loop_fields(m.group(2), no, s.problems)
                    if fields is not None:
                        pending.append(("loop", fields, no))
            continue
        if "expect:" in text or "expect-diag:" in text:
            s.problems.append("line %d: malformed expect comment (want /* expect: ... */)" % no)
        if not pending:
            continue
        if not text.strip():
            s.problems.append("line %d: expectation from line %d targets a blank line"
                              % (no, pending[0][2]))
        for kind, payload, cno in pending:
            if kind == "diag":
                s.diags.append((no, payload, cno))
            else:
                s.loops.append((no, payload, cno))
        pending = []
    for _, _, cno in pending:
        s.problems.append("line %d: expectation at the end of the file has no target line" % cno)
    if not s.loops and not s.diags and not s.problems:
        s.problems.append("no expectation: every sample needs at least one expect comment")
    return s


def parse_loop_fields(body, no, problems):
    """Parse " loop classification=io gil=held ..." into a dict; None (with a problem noted)
    when malformed."""
    words = body.split()
    if not words or words[0] != "loop":
        problems.append("line %d: expect: must start with the word 'loop'" % no)
        return None
    fields = {}
    ok = True
    for w in words[1:]:
        key, eq, value = w.partition("=")
        if not eq or key not in LOOP_KEYS:
            problems.append("line %d: unknown expectation %r (keys: %s)"
                            % (no, w, ", ".join(LOOP_KEYS)))
            ok = False
        elif value not in LOOP_KEYS[key]:
            problems.append("line %d: %s=%s is not one of %s"
                            % (no, key, value, "|".join(LOOP_KEYS[key])))
            ok = False
        elif key in fields:
            problems.append("line %d: %s given twice" % (no, key))
            ok = False
        else:
            fields[key] = value
    for key in REQUIRED_LOOP_KEYS:
        if key not in fields:
            problems.append("line %d: expect: loop needs %s=" % (no, key))
            ok = False
    return fields if ok else None


# ---------------------------------------------------------------------------------------
# Running the tool

def run_tool(tool, samples_arg, cwd):
    """Run `tool --format json --all samples_arg` in cwd.  Returns (report, None) or
    (None, error text)."""
    cmd = [tool, "--format", "json", "--all", samples_arg]
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=TOOL_TIMEOUT)
    except OSError as e:
        return None, "cannot run %s: %s" % (tool, e)
    except subprocess.TimeoutExpired:
        return None, "%s did not finish within %d s" % (" ".join(cmd), TOOL_TIMEOUT)
    err = proc.stderr.decode("utf-8", "replace").rstrip()
    shown = ("\n--- stderr ---\n" + err) if err else " (stderr empty)"
    if proc.returncode < 0:
        return None, "%s was killed by signal %d%s" % (" ".join(cmd), -proc.returncode, shown)
    if proc.returncode not in (0, 1):
        return None, "%s exited with status %d%s" % (" ".join(cmd), proc.returncode, shown)
    try:
        report = json.loads(proc.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return None, "%s printed invalid JSON: %s%s" % (" ".join(cmd), e, shown)
    if not isinstance(report, dict):
        return None, "the JSON output is not an object"
    for key in ("loops", "diagnostics", "inputs"):
        if not isinstance(report.get(key), list):
            return None, "the JSON output has no %r array" % key
    return report, None


# ---------------------------------------------------------------------------------------
# Comparing

def fmt_loop(lp):
    return "%s:%s:%s %s in %s: classification=%s gil=%s recommendation=%s python_api=%s" % (
        os.path.basename(str(lp.get("file"))), lp.get("line"), lp.get("column"),
        lp.get("kind", "loop"), lp.get("function", "?"), lp.get("classification"),
        lp.get("gil"), lp.get("recommendation"), json_bool(lp.get("python_api")))


def json_bool(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    return repr(v)


def fmt_reasons(lp):
    reasons = lp.get("reasons") or []
    if not reasons:
        return "\n        reasons: (none given)"
    return "".join("\n        reason: %s" % r for r in reasons)


def load_rule_lists(repo_root):
    """Read rules/checks/*.json.  Returns (rules, problems, found_any): rules is a list of
    (rule id, positive sample basenames, negative sample basenames)."""
    rules, problems = [], []
    paths = sorted(glob.glob(os.path.join(repo_root, "rules", "checks", "*.json")))
    for p in paths:
        try:
            with open(p, encoding="utf-8") as f:
                meta = json.load(f)
        except (OSError, ValueError) as e:
            problems.append("%s: cannot read rule metadata: %s" % (p, e))
            continue
        if not isinstance(meta, dict):
            problems.append("%s: not a JSON object" % p)
            continue
        rid = meta.get("id") or os.path.splitext(os.path.basename(p))[0]
        lists = meta.get("samples") if isinstance(meta.get("samples"), dict) else meta
        pos, neg = lists.get("positive", []), lists.get("negative", [])
        if not isinstance(pos, list) or not isinstance(neg, list):
            problems.append("%s: positive/negative must be arrays of sample paths" % p)
            continue
        rules.append((rid, [os.path.basename(str(x)) for x in pos],
                      [os.path.basename(str(x)) for x in neg]))
    return rules, problems, bool(paths)


def compare(report, samples, rules):
    """Compare the tool's report with the samples' expectations and the rules' sample lists.
    Returns (per-sample problem lists keyed by basename, problems not tied to a sample).
    Each problem is (kind, text); kinds: sample, missing-loop, mismatch, unexpected-loop,
    missing-diag, unexpected-diag, input, rule-positive, rule-negative."""
    by_name = {s.name: s for s in samples}
    out = {s.name: [("sample", p) for p in s.problems] for s in samples}
    general = []

    # Inputs: each sample analysed, status ok.
    seen_inputs = set()
    for inp in report["inputs"]:
        name = os.path.basename(str(inp.get("file")))
        seen_inputs.add(name)
        if inp.get("status") != "ok":
            errs = inp.get("errors") or []
            detail = "".join("\n        %s" % (e.get("message", e) if isinstance(e, dict) else e)
                             for e in errs)
            (out[name] if name in out else general).append(
                ("input", "input %s has status %r%s" % (inp.get("file"), inp.get("status"), detail)))
    for s in samples:
        if s.name not in seen_inputs:
            out[s.name].append(("input", "not among the tool's inputs (not analysed)"))

    # Loops, grouped per file and line; several loops on one line pair up in column order.
    actual = {}
    for lp in report["loops"]:
        name = os.path.basename(str(lp.get("file")))
        actual.setdefault((name, lp.get("line")), []).append(lp)
    for lst in actual.values():
        lst.sort(key=lambda lp: lp.get("column") or 0)
    for s in samples:
        expected = {}
        for line, fields, cno in s.loops:
            expected.setdefault(line, []).append((fields, cno))
        for line, exps in sorted(expected.items()):
            got = actual.pop((s.name, line), [])
            for i, (fields, cno) in enumerate(exps):
                if i >= len(got):
                    out[s.name].append(("missing-loop", "line %d: expected loop (comment on line"
                                        " %d: %s) not reported" % (line, cno, fmt_fields(fields))))
                    continue
                lp = got[i]
                bad = []
                for key, want in fields.items():
                    have = json_bool(lp.get(key)) if key == "python_api" else lp.get(key)
                    if have != want:
                        bad.append("%s: expected %s, got %s" % (key, want, have))
                if bad:
                    out[s.name].append(("mismatch", "line %d: loop %s%s" % (
                        line, "; ".join(bad), fmt_reasons(lp))))
            for lp in got[len(exps):]:
                out[s.name].append(("unexpected-loop", "line %d: more loops than expectations: %s"
                                    % (line, fmt_loop(lp))))
    for (name, line), lst in sorted(actual.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        for lp in lst:
            msg = "line %s: loop with no expectation: %s%s" % (line, fmt_loop(lp), fmt_reasons(lp))
            (out[name] if name in out else general).append(("unexpected-loop", msg))

    # Diagnostics: compared as multisets of (line, rule) per file.
    actual_d = {}
    for d in report["diagnostics"]:
        name = os.path.basename(str(d.get("file")))
        actual_d.setdefault((name, d.get("line"), d.get("rule")), []).append(d)
    for s in samples:
        want = {}
        for line, rule, cno in s.diags:
            want.setdefault((line, rule), []).append(cno)
        for (line, rule), cnos in sorted(want.items()):
            got = actual_d.pop((s.name, line, rule), [])
            if len(got) < len(cnos):
                out[s.name].append(("missing-diag", "line %d: expected %d %s diagnostic(s), got %d"
                                    % (line, len(cnos), rule, len(got))))
            for d in got[len(cnos):]:
                out[s.name].append(("unexpected-diag", "line %d: one %s diagnostic more than "
                                    "expected: %s" % (line, rule, d.get("message"))))
    for (name, line, rule), lst in sorted(actual_d.items(),
                                          key=lambda kv: (str(kv[0][0]), kv[0][1] or 0, str(kv[0][2]))):
        for d in lst:
            msg = "line %s:%s: unexpected diagnostic %s (%s): %s" % (
                line, d.get("column"), rule, d.get("severity"), d.get("message"))
            (out[name] if name in out else general).append(("unexpected-diag", msg))

    # Rule metadata: positive samples trigger the rule, negative ones do not.
    fired = {}
    for d in report["diagnostics"]:
        fired.setdefault(d.get("rule"), set()).add(os.path.basename(str(d.get("file"))))
    for rid, pos, neg in rules:
        for name in pos:
            if name not in by_name:
                general.append(("rule-positive", "rule %s lists positive sample %s, which is not "
                                "in the samples directory" % (rid, name)))
            elif name not in fired.get(rid, set()):
                out[name].append(("rule-positive", "positive sample of rule %s, but no %s "
                                  "diagnostic was reported" % (rid, rid)))
        for name in neg:
            if name not in by_name:
                general.append(("rule-negative", "rule %s lists negative sample %s, which is not "
                                "in the samples directory" % (rid, name)))
            elif name in fired.get(rid, set()):
                out[name].append(("rule-negative", "negative sample of rule %s, but a %s "
                                  "diagnostic was reported" % (rid, rid)))
    return out, general


def fmt_fields(fields):
    return " ".join("%s=%s" % kv for kv in fields.items())


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


# ---------------------------------------------------------------------------------------
# Driver

def check(tool, samples_dir, out=sys.stdout):
    """Run the whole check; print the report to `out`; return the exit status."""
    samples_abs = os.path.abspath(samples_dir)
    repo_root = os.path.dirname(samples_abs)
    # The tool runs in the repo root; a relative samples dir is re-expressed from there.
    samples_arg = samples_dir if os.path.isabs(samples_dir) else os.path.relpath(samples_abs, repo_root)
    if os.sep in tool and not os.path.isabs(tool):
        tool = os.path.abspath(tool)

    paths = sorted(glob.glob(os.path.join(samples_abs, "*.c")))
    if not paths:
        print("FAIL no samples/*.c in %s" % samples_dir, file=out)
        print("0 passed, 0 failed", file=out)
        return 1
    samples = [parse_sample(p, os.path.join(samples_arg, os.path.basename(p))) for p in paths]
    rules, rule_problems, found_rules = load_rule_lists(repo_root)
    if not found_rules:
        print("note: no rules/checks/*.json under %s: rule sample lists not checked" % repo_root,
              file=out)

    report, err = run_tool(tool, samples_arg, repo_root)
    if report is None:
        print("FAIL %s" % err, file=out)
        print("0 passed, %d failed" % len(samples), file=out)
        return 1

    per_sample, general = compare(report, samples, rules)
    general = [("rule", p) for p in rule_problems] + general
    passed = failed = 0
    for s in samples:
        problems = per_sample[s.name]
        if problems:
            failed += 1
            print("FAIL %s: %s" % (s.display, plural(len(problems), "problem")), file=out)
            for _, text in problems:
                print("    " + text, file=out)
        else:
            passed += 1
            print("ok   %s (%s, %s)" % (s.display, plural(len(s.loops), "loop"),
                                        plural(len(s.diags), "diagnostic")), file=out)
    for _, text in general:
        print("FAIL (not tied to a sample) %s" % text, file=out)
    print("%d passed, %d failed" % (passed, failed), file=out)
    return 0 if failed == 0 and not general else 1


# ---------------------------------------------------------------------------------------
# Self-test: a checker that cannot fail is a defect.

SELF_SAMPLE_A = """\
/* a.c: header. */
int g;
void fa(int n)
{
    int i, j;
    /* expect: loop classification=cpu gil=none recommendation=threading */
    for (i = 0; i < n; i++) {
        /* expect: loop classification=cpu gil=none recommendation=threading python_api=false */
        for (j = 0; j < n; j++)
            g++;
    }
    /* expect: loop classification=io gil=none recommendation=threading */
    while (n--)
        /* expect-diag: mt-thread-unsafe-call */
        /* expect-diag: mt-thread-unsafe-call */
        g = rand() + rand();
}
"""
SELF_SAMPLE_OK = """\
/* ok.c: header. */
void fok(int n)
{
    /* expect-diag: gil-cpu-loop-holds-gil */
    /* expect: loop classification=cpu gil=held recommendation=release-gil */
    while (n--)
        ;
}
"""
SELF_SAMPLE_BAD = """\
void fbad(void)
{
    /* expect: loop classification=fast */
    for (;;)
        ;
}
"""


def _loop(name, line, cls, gil, rec, api=False, col=5):
    return {"file": "samples/" + name, "line": line, "column": col, "classification": cls,
            "gil": gil, "recommendation": rec, "python_api": api,
            "reasons": ["because the self-test says so"], "evidence": []}


def _diag(name, line, rule):
    return {"rule": rule, "severity": "warning", "file": "samples/" + name, "line": line,
            "column": 9, "message": "self-test diagnostic"}


def self_test():
    report = {
        "inputs": [{"file": "samples/a.c", "status": "ok"},
                   {"file": "samples/ok.c", "status": "ok"},
                   {"file": "samples/bad.c", "status": "error"}],
        "loops": [
            _loop("a.c", 7, "cpu", "none", "threading"),
            # line 9 (inner loop) missing
            _loop("a.c", 13, "io", "none", "multiprocessing"),        # mismatch
            _loop("a.c", 2, "cpu", "none", "threading"),              # unexpected loop
            _loop("ok.c", 6, "cpu", "held", "release-gil"),
            _loop("bad.c", 4, "cpu", "none", "none"),
        ],
        "diagnostics": [
            _diag("a.c", 16, "mt-thread-unsafe-call"),                # one of two: missing
            _diag("a.c", 7, "gil-cpu-loop-holds-gil"),                # unexpected
            _diag("ok.c", 6, "gil-cpu-loop-holds-gil"),
        ],
    }
    with tempfile.TemporaryDirectory() as tmp:
        sdir = os.path.join(tmp, "samples")
        os.makedirs(sdir)
        os.makedirs(os.path.join(tmp, "rules", "checks"))
        for name, text in (("a.c", SELF_SAMPLE_A), ("ok.c", SELF_SAMPLE_OK), ("bad.c", SELF_SAMPLE_BAD)):
            with open(os.path.join(sdir, name), "w") as f:
                f.write(text)
        with open(os.path.join(tmp, "rules", "checks", "gil-cpu-loop-holds-gil.json"), "w") as f:
            json.dump({"id": "gil-cpu-loop-holds-gil", "positive": ["samples/ok.c"],
                       "negative": ["samples/a.c"]}, f)
        with open(os.path.join(tmp, "rules", "checks", "mt-thread-unsafe-call.json"), "w") as f:
            json.dump({"id": "mt-thread-unsafe-call", "positive": ["samples/ok.c"],
                       "negative": []}, f)

        samples = [parse_sample(os.path.join(sdir, n), "samples/" + n) for n in ("a.c", "ok.c", "bad.c")]
        assert [(l, f["classification"]) for l, f, _ in samples[0].loops] == \
            [(7, "cpu"), (9, "cpu"), (13, "io")], samples[0].loops
        assert [(l, r) for l, r, _ in samples[0].diags] == \
            [(16, "mt-thread-unsafe-call")] * 2, samples[0].diags
        rules, rprob, found = load_rule_lists(tmp)
        assert found and not rprob, rprob
        per, general = compare(report, samples, rules)
        kinds_a = [k for k, _ in per["a.c"]]
        texts_a = "\n".join(t for _, t in per["a.c"])
        for kind in ("missing-loop", "mismatch", "unexpected-loop", "missing-diag",
                     "unexpected-diag", "rule-negative"):
            assert kind in kinds_a, "a.c: no %s reported in:\n%s" % (kind, texts_a)
        assert "recommendation: expected threading, got multiprocessing" in texts_a, texts_a
        assert "because the self-test says so" in texts_a, "reasons not shown:\n" + texts_a
        assert [k for k, _ in per["ok.c"]] == ["rule-positive"], per["ok.c"]
        kinds_bad = [k for k, _ in per["bad.c"]]
        assert kinds_bad.count("sample") >= 2, per["bad.c"]    # no header, bad value
        assert "input" in kinds_bad, per["bad.c"]
        assert "unexpected-loop" in kinds_bad, per["bad.c"]
        assert not general, general

        # A clean report passes.
        good = {"inputs": [{"file": "samples/ok.c", "status": "ok"}],
                "loops": [_loop("ok.c", 6, "cpu", "held", "release-gil")],
                "diagnostics": [_diag("ok.c", 6, "gil-cpu-loop-holds-gil")]}
        per, general = compare(good, [samples[1]], [("gil-cpu-loop-holds-gil", ["ok.c"], [])])
        assert per == {"ok.c": []} and not general, (per, general)

        # The whole driver with a fake tool: exit statuses, invalid JSON, summary line.
        os.remove(os.path.join(sdir, "a.c"))
        os.remove(os.path.join(sdir, "bad.c"))
        os.remove(os.path.join(tmp, "rules", "checks", "mt-thread-unsafe-call.json"))
        with open(os.path.join(tmp, "rules", "checks", "gil-cpu-loop-holds-gil.json"), "w") as f:
            json.dump({"id": "gil-cpu-loop-holds-gil", "positive": ["samples/ok.c"]}, f)
        fake = os.path.join(tmp, "fake-concadvise")
        payload = os.path.join(tmp, "payload")
        with open(fake, "w") as f:
            f.write("#!%s\nimport sys\nassert sys.argv[1:4] == ['--format', 'json', '--all']\n"
                    "text, status = open(%r).read().split('\\0')\nsys.stdout.write(text)\n"
                    "sys.stderr.write('fake stderr')\nsys.exit(int(status))\n"
                    % (sys.executable, payload))
        os.chmod(fake, 0o755)

        def drive(text, status):
            with open(payload, "w") as f:
                f.write(text + "\0" + str(status))
            buf = _Capture()
            rc = check(fake, sdir, out=buf)
            return rc, "".join(buf.parts)

        rc, text = drive(json.dumps(good), 1)
        assert rc == 0 and "ok   " in text and text.endswith("1 passed, 0 failed\n"), text
        rc, text = drive(json.dumps(good), 2)
        assert rc == 1 and "status 2" in text and "fake stderr" in text, text
        rc, text = drive("{not json", 0)
        assert rc == 1 and "invalid JSON" in text, text
        bad = dict(good, loops=[])
        rc, text = drive(json.dumps(bad), 0)
        assert rc == 1 and "FAIL " in text and text.endswith("0 passed, 1 failed\n"), text
    print("self-test passed")
    return 0


class _Capture:
    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 3 or argv[1].startswith("-"):
        sys.stderr.write("usage: %s CONCADVISE SAMPLES_DIR | --self-test\n" % argv[0])
        return 2
    return check(argv[1], argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
