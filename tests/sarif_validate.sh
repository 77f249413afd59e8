#!/usr/bin/env bash
# sarif_validate.sh: validate SARIF logs against the SARIF 2.1.0 JSON schema, plus the rules
# GitHub code scanning adds (unique rule ids, ruleIndex matching ruleId, relative URIs with a
# uriBaseId, startLine >= 1, partial fingerprints).
#
#   tests/sarif_validate.sh [FILE.sarif ...]
#
# Always checks tests/golden/report.sarif (written by test_sarif), then every FILE given, and
# checks that the validator rejects a broken copy of the golden file (so that a validator that
# accepts everything cannot pass).  Fails, never skips, when it cannot run.
#
# The schema comes from a package, not from the web: @microsoft/sarif-multitool-linux on npm
# (MIT; Microsoft's SARIF SDK) ships sarif-2.1.0.json, the SARIF 2.1.0 schema.  `npm pack`
# fetches the pinned version once into ${XDG_CACHE_HOME:-~/.cache}/concadvise-test/, the file
# is checked against its known SHA-256, and only that file is kept.  The validator is
# python3-jsonschema (Debian; scripts/deps.sh installs it).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cache=${XDG_CACHE_HOME:-$HOME/.cache}/concadvise-test
pkg=@microsoft/sarif-multitool-linux@5.7.0
schema=$cache/sarif-multitool-linux-5.7.0/sarif-2.1.0.json
schema_sha256=1c49a0f2b60444c71bb14878e21e0d882198eff4c539861b133093ad89ed798c

die() { echo "sarif_validate: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

fetch_schema() {
    local tmp
    command -v npm >/dev/null || die "npm not found (scripts/deps.sh installs Node.js and npm)"
    tmp=$(mktemp -d) || die "mktemp failed"
    echo "sarif_validate: fetching the SARIF 2.1.0 schema from npm package $pkg" >&2
    if ! (cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>"$tmp/err"); then
        cat "$tmp/err" >&2
        rm -rf "$tmp"
        die "npm pack $pkg failed"
    fi
    tar -xzf "$tmp"/*.tgz -C "$tmp" package/sarif-2.1.0.json || { rm -rf "$tmp"; die "no sarif-2.1.0.json in $pkg"; }
    mkdir -p "$(dirname "$schema")"
    mv "$tmp/package/sarif-2.1.0.json" "$schema.part" && mv "$schema.part" "$schema"
    rm -rf "$tmp"
}

[ -s "$schema" ] || fetch_schema
got=$(sha256sum "$schema" | cut -d' ' -f1)
[ "$got" = "$schema_sha256" ] || { rm -f "$schema"; die "schema checksum mismatch ($got); removed, run again"; }

# A python3 that has jsonschema: the one on PATH, else Debian's.
py=
for cand in python3 /usr/bin/python3; do
    if "$cand" -c 'import jsonschema' 2>/dev/null; then py=$cand; break; fi
done
[ -n "$py" ] || die "no python3 with the jsonschema module (install python3-jsonschema: scripts/deps.sh)"

exec "$py" - "$schema" "$root/tests/golden/report.sarif" "$@" <<'EOF'
import copy, json, re, sys
import jsonschema

schema_path, golden, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER if hasattr(cls, "FORMAT_CHECKER") else jsonschema.FormatChecker())

# RFC 3986 URI reference: only unreserved, reserved and percent-encoded characters.
URI_REF = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")


def problems(log):
    """Schema errors, then the checks GitHub code scanning adds."""
    out = ["schema: %s at /%s" % (e.message, "/".join(map(str, e.absolute_path)))
           for e in sorted(validator.iter_errors(log), key=lambda e: list(map(str, e.absolute_path)))]
    if out:
        return out
    if len(log["runs"]) != 1:
        out.append("expected exactly one run")
    for run in log["runs"]:
        rules = run["tool"]["driver"].get("rules", [])
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)):
            out.append("duplicate rule ids")
        bases = set(run.get("originalUriBaseIds", {}))
        locs = []
        for i, res in enumerate(run.get("results", [])):
            where = "results[%d]" % i
            if "ruleId" not in res or "ruleIndex" not in res:
                out.append(where + ": no ruleId/ruleIndex")
            elif not (0 <= res["ruleIndex"] < len(rules)) or rules[res["ruleIndex"]]["id"] != res["ruleId"]:
                out.append(where + ": ruleIndex does not point at ruleId")
            if not res.get("message", {}).get("text"):
                out.append(where + ": empty message")
            if not res.get("partialFingerprints"):
                out.append(where + ": no partialFingerprints")
            if not res.get("locations"):
                out.append(where + ": no location")
            locs += [(where, l) for l in res.get("locations", [])]
        for inv in run.get("invocations", []):
            for i, n in enumerate(inv.get("toolExecutionNotifications", [])):
                locs += [("notification[%d]" % i, l) for l in n.get("locations", [])]
        for where, l in locs:
            phys = l.get("physicalLocation", {})
            art = phys.get("artifactLocation", {})
            uri = art.get("uri", "")
            if not uri or not URI_REF.match(uri):
                out.append("%s: not a URI reference: %r" % (where, uri))
            absolute = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri) is not None
            if not absolute and art.get("uriBaseId") not in bases:
                out.append("%s: relative URI %r without a declared uriBaseId" % (where, uri))
            if "region" in phys and phys["region"].get("startLine", 1) < 1:
                out.append(where + ": startLine < 1")
    return out


passed = failed = 0
for path in [golden] + extra:
    try:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        found = problems(log)
    except (OSError, ValueError) as e:
        found = [str(e)]
        log = None
    if found:
        failed += 1
        print("FAIL %s" % path)
        for p in found[:20]:
            print("  " + p)
    else:
        passed += 1
        print("ok   %s" % path)
    if path == golden and log is not None:
        # The validator must reject what is wrong: an unknown level, a ruleIndex off by one.
        for name, broken in (("level", "fatal"), ("ruleIndex", None)):
            bad = copy.deepcopy(log)
            res = bad["runs"][0]["results"][0]
            res[name] = broken if broken is not None else res[name] + 1
            if problems(bad):
                passed += 1
                print("ok   a broken %s is rejected" % name)
            else:
                failed += 1
                print("FAIL a broken %s was accepted" % name)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
