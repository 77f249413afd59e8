/* test_reports.c: the text and JSON writers, on hand-built results.
 *
 * Golden files live in tests/golden/ and are compared byte for byte.  After an intended change
 * of the output, regenerate them with
 *     CA_UPDATE_GOLDEN=1 ./build/tests/test_reports
 * (which also refreshes the example in docs/json-output.md) and review the diff.  The JSON key table below is the single list of documented keys: the
 * tests check it against the writer's output, against the table in docs/json-output.md and
 * against docs/json-output.schema.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <cmocka.h>

#include "report.h"
#include "report_fixture.h"
#include "results.h"

#define GOLDEN(name) CA_SOURCE_DIR "/tests/golden/" name

/* ---- the fixture: every enum value, every evidence kind, every loop kind, an input with parse
 * errors, one that failed without messages, a missing one, evidence with and without `via`,
 * diagnostics with and without a function, two at the same place, a hotness tie. */

#define N(a) (uint32_t)(sizeof(a) / sizeof(a)[0])

static const struct ca_input_error broken_errors[] = {
    {"samples/broken.c", 12, 18, "expected ';' after expression"},
    {"samples/broken.h", 3, 1, "unknown type name 'PyObjekt'"},
};

static const struct ca_input_result fixture_inputs[] = {
    {"samples/mixed_wait.c", CA_INPUT_OK, true, 2, NULL, 0, CA_FT_DECLARED},
    {"samples/broken.c", CA_INPUT_ERROR, true, 0, (struct ca_input_error *)broken_errors, N(broken_errors),
     CA_FT_NOT_DECLARED},
    {"samples/missing.c", CA_INPUT_MISSING, false, 0, NULL, 0, CA_FT_NA},
    {"samples/io_held_recv.c", CA_INPUT_OK, true, 2, NULL, 0, CA_FT_NOT_DECLARED},
    {"samples/cpu_nogil.c", CA_INPUT_OK, false, 2, NULL, 0, CA_FT_NA},
    {"samples/parse_fail.c", CA_INPUT_ERROR, false, 0, NULL, 0, CA_FT_NA},
    {"samples/fragment.c", CA_INPUT_INCLUDED, true, 0, NULL, 0, CA_FT_NOT_DECLARED},
};

static const char *recv_reasons[] = {
    "every iteration blocks in recv() (network I/O, may wait without limit)",
    "the GIL is held around the call, so all other Python threads stall while it waits",
    "PyBytes_FromStringAndSize() needs the GIL: release it around recv() only",
};
static const struct ca_evidence recv_evidence[] = {
    {"samples/io_held_recv.c", 23, 13, "io-call", "recv", NULL},
    {"samples/io_held_recv.c", 27, 17, "python-api", "PyBytes_FromStringAndSize", NULL},
    {"samples/io_held_recv.c", 21, 12, "bound", "received < want", NULL},
};
static const char *headers_reasons[] = {
    "hdr->parse() is called through a function pointer: its cost is unknown",
};
static const struct ca_evidence headers_evidence[] = {
    {"samples/io_held_recv.c", 41, 13, "indirect-call", "hdr->parse", NULL},
    {"samples/io_held_recv.c", 41, 30, "unknown-call", "lookup_table", NULL},
    {"samples/io_held_recv.c", 42, 13, "pointer-call", "hdr->emit", "one of 3 functions of its type"},
};
static const char *checksum_reasons[] = {
    "the body hashes each block with sha256_block() (CPU-heavy)",
    "no Python code runs here: split the input across processes",
};
static const struct ca_evidence checksum_evidence[] = {
    {"samples/hash.h", 30, 5, "cpu-call", "sha256_block", "hash_chunk -> sha256_block"},
    {"samples/cpu_nogil.c", 12, 9, "nested-loop", "for", NULL},
    {"samples/cpu_nogil.c", 10, 17, "bound", "i < n", NULL},
};
static const char *pad_reasons[] = {"trivial loop: at most 4 iterations"};
static const struct ca_evidence pad_evidence[] = {
    {"samples/cpu_nogil.c", 27, 14, "bound", "k < 4", NULL},
};
static const char *worker_reasons[] = {
    "reads from a pipe with the GIL released, then appends to a list with it held",
    "the waiting part already lets other Python threads run",
};
static const struct ca_evidence worker_evidence[] = {
    {"samples/mixed_wait.c", 16, 9, "gil-release", "Py_BEGIN_ALLOW_THREADS", NULL},
    {"samples/mixed_wait.c", 17, 13, "io-call", "read", NULL},
    {"samples/mixed_wait.c", 18, 9, "gil-acquire", "Py_END_ALLOW_THREADS", NULL},
    {"samples/mixed_wait.c", 19, 9, "python-api", "PyList_Append", NULL},
    {"samples/mixed_wait.c", 52, 12, "thread-unsafe", "strtok", "split_fields -> strtok"},
    {"samples/mixed_wait.c", 21, 9, "global-write", "g_count", NULL},
};
static const char *compute_reasons[] = {"CPU work with the GIL released: threads run in parallel"};
static const struct ca_evidence compute_evidence[] = {
    {"samples/mixed_wait.c", 42, 13, "cpu-call", "deflate", NULL},
};

#define LOOP(file, line, col, end, fn, kind, depth, cls, gil, api, rec, conf, hotness, hot, rs, ev) \
    {file, line, col, end, fn, kind, depth, cls, gil, api, rec, conf, hotness, hot,                 \
     rs, N(rs), (struct ca_evidence *)ev, N(ev), false, 0, 0, NULL, NULL}

static const struct ca_loop_result fixture_loops[] = {
    LOOP("samples/mixed_wait.c", 40, 5, 44, "compute", "for", 0, CA_CLASS_CPU, CA_GIL_RELEASED, false,
         CA_REC_THREADING, CA_CONF_LOW, 55, true, compute_reasons, compute_evidence),
    LOOP("samples/io_held_recv.c", 21, 5, 30, "recv_all", "while", 0, CA_CLASS_IO, CA_GIL_HELD, true,
         CA_REC_RELEASE_GIL, CA_CONF_HIGH, 71, true, recv_reasons, recv_evidence),
    LOOP("samples/cpu_nogil.c", 25, 5, 27, "pad", "do", 0, CA_CLASS_CPU, CA_GIL_NONE, false, CA_REC_NONE,
         CA_CONF_HIGH, 3, false, pad_reasons, pad_evidence),
    LOOP("samples/io_held_recv.c", 40, 9, 42, "parse_headers", "for", 1, CA_CLASS_UNKNOWN, CA_GIL_UNKNOWN,
         false, CA_REC_UNKNOWN, CA_CONF_LOW, 12, false, headers_reasons, headers_evidence),
    LOOP("samples/mixed_wait.c", 15, 5, 24, "worker_main", "while", 0, CA_CLASS_MIXED, CA_GIL_MIXED, true,
         CA_REC_THREADING, CA_CONF_MEDIUM, 71, true, worker_reasons, worker_evidence),
    LOOP("samples/cpu_nogil.c", 10, 5, 18, "checksum", "for", 0, CA_CLASS_CPU, CA_GIL_NONE, false,
         CA_REC_MULTIPROCESSING, CA_CONF_MEDIUM, 80, true, checksum_reasons, checksum_evidence),
};

static const struct ca_diagnostic fixture_diags[] = {
    {"mt-thread-unsafe-call", CA_SEV_WARNING, "samples/mixed_wait.c", 52, 12,
     "strtok() is not thread-safe; use strtok_r()", "split_fields", NULL},
    {"gil-blocking-io-held", CA_SEV_WARNING, "samples/io_held_recv.c", 23, 13,
     "recv() may block while the GIL is held", "recv_all", NULL},
    {"ft-static-pyobject-state", CA_SEV_NOTE, "samples/mixed_wait.c", 5, 1,
     "module state in a static PyObject * is shared between interpreters", NULL, NULL},
    {"advise-release-gil", CA_SEV_NOTE, "samples/io_held_recv.c", 23, 13,
     "release the GIL around recv() with Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS", "recv_all", NULL},
    {"gil-api-without-gil", CA_SEV_ERROR, "samples/mixed_wait.c", 30, 9,
     "PyErr_SetString() called while the GIL is released", "worker_main", NULL},
};

static const struct ca_report_meta fixture_meta = {
    .tool_version = "0.1.0", .clang_version = "clang version 14.0.6", .suppressed = 2, .baselined = 1};

/* Add the fixture in the given direction (the two orders must print the same) and sort. */
static void build_fixture(struct ca_results *r, bool reversed)
{
    uint32_t i, k;
    ca_results_init(r);
    for (i = 0; i < N(fixture_inputs); i++) {
        k = reversed ? N(fixture_inputs) - 1 - i : i;
        assert_int_equal(ca_results_add_input(r, &fixture_inputs[k]), CA_OK);
    }
    for (i = 0; i < N(fixture_loops); i++) {
        k = reversed ? N(fixture_loops) - 1 - i : i;
        assert_int_equal(ca_results_add_loop(r, &fixture_loops[k]), CA_OK);
    }
    for (i = 0; i < N(fixture_diags); i++) {
        k = reversed ? N(fixture_diags) - 1 - i : i;
        assert_int_equal(ca_results_add_diag(r, &fixture_diags[k]), CA_OK);
    }
    {
        struct ca_region g = {"samples/mixed_wait.c", 16, 9, 18, "worker_main", "Py_BEGIN_ALLOW_THREADS"};
        struct ca_unprofiled u = {"PyEval_EvalFrameDefault", 640};
        assert_int_equal(ca_results_add_region(r, &g), CA_OK);
        assert_int_equal(ca_results_add_unprofiled(r, &u), CA_OK);
        r->profile_total = 1000;
    }
    for (i = 0; i < r->nloops; i++) /* profile weights: deterministic, whatever the order of adds */
        if (strcmp(r->loops[i].function, "compute") == 0) {
            r->loops[i].profiled = true;
            r->loops[i].profile_samples = 350;
            r->loops[i].profile_permille = 350;
        }
    ca_results_sort(r);
    assert_int_equal(ca_results_fingerprint(r), CA_OK);
}

/* ---- helpers */

static char *render_json(const struct ca_results *r, const struct ca_report_meta *m)
{
    struct ca_buf b;
    char *s;
    ca_buf_init(&b);
    assert_int_equal(ca_report_json(r, m, &b), CA_OK);
    s = ca_buf_take(&b);
    assert_non_null(s);
    return s;
}

static char *render_text(const struct ca_results *r, const struct ca_text_options *o)
{
    struct ca_buf b;
    char *s;
    ca_buf_init(&b);
    assert_int_equal(ca_report_text(r, o, &b), CA_OK);
    s = ca_buf_take(&b);
    assert_non_null(s);
    return s;
}

/* Not inlined: GCC 12 at -O3 then mistakes the address of `text` handed to ca_file_read for
 * pointers that outlive it (-Wdangling-pointer false positives in the callers). */
__attribute__((noinline)) static char *read_source_file(const char *rel)
{
    char path[512];
    char *text = NULL;
    size_t len;
    snprintf(path, sizeof path, "%s/%s", CA_SOURCE_DIR, rel);
    if (ca_file_read(path, &text, &len) != CA_OK) fail_msg("cannot read %s", path);
    return text;
}

/* ---- golden files */

static void test_json_report_matches_its_golden_file(void **state)
{
    struct ca_results r;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render_json(&r, &fixture_meta);
    check_golden(GOLDEN("report.json"), out);
    ca_free(out);
    ca_results_fini(&r);
}

static void text_golden(const char *path, const struct ca_text_options *o)
{
    struct ca_results r;
    char *out;
    build_fixture(&r, false);
    out = render_text(&r, o);
    check_golden(path, out);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_text_report_of_hot_loops_matches_its_golden_file(void **state)
{
    (void)state;
    text_golden(GOLDEN("report.txt"), NULL);
}

static void test_text_report_of_all_loops_matches_its_golden_file(void **state)
{
    struct ca_text_options o = {.all_loops = true};
    (void)state;
    text_golden(GOLDEN("report-all-loops.txt"), &o);
}

static void test_text_report_cut_by_top_matches_its_golden_file(void **state)
{
    struct ca_text_options o = {.top = 2};
    (void)state;
    text_golden(GOLDEN("report-top2.txt"), &o);
}

static void test_text_report_in_colour_matches_its_golden_file(void **state)
{
    struct ca_text_options o = {.color = true};
    (void)state;
    text_golden(GOLDEN("report-color.txt"), &o);
}

/* ---- determinism */

static void test_two_calls_give_identical_output(void **state)
{
    struct ca_text_options o = {.all_loops = true, .color = true, .top = 3};
    struct ca_results r;
    char *a, *b;
    (void)state;
    build_fixture(&r, false);
    a = render_json(&r, &fixture_meta);
    b = render_json(&r, &fixture_meta);
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    a = render_text(&r, &o);
    b = render_text(&r, &o);
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    ca_results_fini(&r);
}

static void test_output_does_not_depend_on_the_order_results_were_added(void **state)
{
    struct ca_text_options o = {.all_loops = true};
    struct ca_results r1, r2;
    char *a, *b;
    (void)state;
    build_fixture(&r1, false);
    build_fixture(&r2, true);
    a = render_json(&r1, &fixture_meta);
    b = render_json(&r2, &fixture_meta);
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    a = render_text(&r1, &o);
    b = render_text(&r2, &o);
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    ca_results_fini(&r1);
    ca_results_fini(&r2);
}

/* ---- the documented JSON keys.  ORDER JSONKEYS: the rows of the table in docs/json-output.md,
 * in output order.  `values` lists the allowed values of an enumeration, space-separated. */
struct json_key {
    const char *path;
    const char *type; /* string, integer, boolean, array, object, "string or null" */
    const char *values;
};

static const struct json_key json_keys[] = {
    {"schema_version", "string", "1.2"},
    {"tool", "object", ""},
    {"tool.name", "string", "concadvise"},
    {"tool.version", "string", ""},
    {"tool.clang", "string", ""},
    {"inputs", "array", ""},
    {"inputs[].file", "string", ""},
    {"inputs[].status", "string", "ok error missing included"},
    {"inputs[].python", "boolean", ""},
    {"inputs[].loops", "integer", ""},
    {"inputs[].free_threading", "string", "n/a declared not-declared"},
    {"inputs[].errors", "array", ""},
    {"inputs[].errors[].file", "string", ""},
    {"inputs[].errors[].line", "integer", ""},
    {"inputs[].errors[].column", "integer", ""},
    {"inputs[].errors[].message", "string", ""},
    {"loops", "array", ""},
    {"loops[].file", "string", ""},
    {"loops[].line", "integer", ""},
    {"loops[].column", "integer", ""},
    {"loops[].end_line", "integer", ""},
    {"loops[].function", "string", ""},
    {"loops[].kind", "string", "for while do"},
    {"loops[].depth", "integer", ""},
    {"loops[].classification", "string", "io cpu mixed unknown"},
    {"loops[].gil", "string", "held released mixed none unknown"},
    {"loops[].python_api", "boolean", ""},
    {"loops[].recommendation", "string", "threading multiprocessing release-gil none unknown"},
    {"loops[].confidence", "string", "low medium high"},
    {"loops[].hotness", "integer", ""},
    {"loops[].hot", "boolean", ""},
    {"loops[].profiled", "boolean", ""},
    {"loops[].profile_samples", "integer", ""},
    {"loops[].profile_permille", "integer", ""},
    {"loops[].benchmark", "object or null", ""},
    {"loops[].reasons", "array", ""},
    {"loops[].reasons[]", "string", ""},
    {"loops[].evidence", "array", ""},
    {"loops[].evidence[].file", "string", ""},
    {"loops[].evidence[].line", "integer", ""},
    {"loops[].evidence[].column", "integer", ""},
    {"loops[].evidence[].kind", "string",
     "io-call cpu-call python-api gil-release gil-acquire unknown-call indirect-call pointer-call thread-unsafe "
     "global-write nested-loop bound"},
    {"loops[].evidence[].name", "string", ""},
    {"loops[].evidence[].via", "string or null", ""},
    {"diagnostics", "array", ""},
    {"diagnostics[].rule", "string", ""},
    {"diagnostics[].severity", "string", "error warning note"},
    {"diagnostics[].file", "string", ""},
    {"diagnostics[].line", "integer", ""},
    {"diagnostics[].column", "integer", ""},
    {"diagnostics[].function", "string or null", ""},
    {"diagnostics[].message", "string", ""},
    {"diagnostics[].fingerprint", "string", ""},
    {"regions", "array", ""},
    {"regions[].file", "string", ""},
    {"regions[].line", "integer", ""},
    {"regions[].column", "integer", ""},
    {"regions[].end_line", "integer", ""},
    {"regions[].function", "string", ""},
    {"regions[].by", "string", ""},
    {"profile", "object", ""},
    {"profile.total_samples", "integer", ""},
    {"profile.unmatched", "array", ""},
    {"profile.unmatched[].frame", "string", ""},
    {"profile.unmatched[].samples", "integer", ""},
    {"summary", "object", ""},
    {"summary.files", "integer", ""},
    {"summary.files_ok", "integer", ""},
    {"summary.files_failed", "integer", ""},
    {"summary.files_included", "integer", ""},
    {"summary.loops", "integer", ""},
    {"summary.hot_loops", "integer", ""},
    {"summary.by_classification", "object", ""},
    {"summary.by_classification.io", "integer", ""},
    {"summary.by_classification.cpu", "integer", ""},
    {"summary.by_classification.mixed", "integer", ""},
    {"summary.by_classification.unknown", "integer", ""},
    {"summary.by_gil", "object", ""},
    {"summary.by_gil.held", "integer", ""},
    {"summary.by_gil.released", "integer", ""},
    {"summary.by_gil.mixed", "integer", ""},
    {"summary.by_gil.none", "integer", ""},
    {"summary.by_gil.unknown", "integer", ""},
    {"summary.by_recommendation", "object", ""},
    {"summary.by_recommendation.threading", "integer", ""},
    {"summary.by_recommendation.multiprocessing", "integer", ""},
    {"summary.by_recommendation.release-gil", "integer", ""},
    {"summary.by_recommendation.none", "integer", ""},
    {"summary.by_recommendation.unknown", "integer", ""},
    {"summary.diagnostics", "object", ""},
    {"summary.diagnostics.error", "integer", ""},
    {"summary.diagnostics.warning", "integer", ""},
    {"summary.diagnostics.note", "integer", ""},
    {"summary.suppressed", "integer", ""},
    {"summary.baselined", "integer", ""},
};
#define NKEYS N(json_keys)

static int find_key(const char *path)
{
    uint32_t i;
    for (i = 0; i < NKEYS; i++)
        if (strcmp(json_keys[i].path, path) == 0) return (int)i;
    return -1;
}

/* Is `v` one of the space-separated words of `list`? */
static bool in_list(const char *list, const char *v)
{
    size_t n = strlen(v);
    const char *p = list;
    while (*p) {
        size_t w = strcspn(p, " ");
        if (w == n && strncmp(p, v, n) == 0) return true;
        p += w;
        if (*p == ' ') p++;
    }
    return false;
}

/* How often each key was seen, and (for "string or null") whether each form was. */
struct key_seen {
    uint32_t count, nulls, strings;
};

static void check_value(const cJSON *v, const struct json_key *k, struct key_seen *seen)
{
    const char *t = k->type;
    seen->count++;
    if (strcmp(t, "string") == 0) {
        if (!cJSON_IsString(v)) fail_msg("%s: expected a string", k->path);
        if (*k->values && !in_list(k->values, v->valuestring))
            fail_msg("%s: \"%s\" is not a documented value", k->path, v->valuestring);
    } else if (strcmp(t, "string or null") == 0) {
        if (cJSON_IsNull(v)) seen->nulls++;
        else if (cJSON_IsString(v)) seen->strings++;
        else fail_msg("%s: expected a string or null", k->path);
    } else if (strcmp(t, "object or null") == 0) { /* its members are documented in docs/bench.md */
        if (!cJSON_IsNull(v) && !cJSON_IsObject(v)) fail_msg("%s: expected an object or null", k->path);
    } else if (strcmp(t, "integer") == 0) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble != (double)(long long)v->valuedouble)
            fail_msg("%s: expected a non-negative integer", k->path);
    } else if (strcmp(t, "boolean") == 0) {
        if (!cJSON_IsBool(v)) fail_msg("%s: expected a boolean", k->path);
    } else if (strcmp(t, "array") == 0) {
        if (!cJSON_IsArray(v)) fail_msg("%s: expected an array", k->path);
    } else if (strcmp(t, "object") == 0) {
        if (!cJSON_IsObject(v)) fail_msg("%s: expected an object", k->path);
    } else {
        fail_msg("%s: unknown type %s in the key table", k->path, t);
    }
}

/* Follow `rest` (e.g. "evidence[].via") from `node`: every array element on the way. */
static void check_path(const cJSON *node, const char *rest, const struct json_key *k, struct key_seen *seen)
{
    char name[64];
    size_t n = strcspn(rest, ".[");
    const cJSON *child, *e;
    assert_true(n < sizeof name);
    memcpy(name, rest, n);
    name[n] = '\0';
    child = cJSON_GetObjectItemCaseSensitive(node, name);
    if (!child) fail_msg("%s: key \"%s\" is missing", k->path, name);
    rest += n;
    if (*rest == '\0') {
        check_value(child, k, seen);
        return;
    }
    if (strncmp(rest, "[]", 2) == 0) {
        if (!cJSON_IsArray(child)) fail_msg("%s: \"%s\" is not an array", k->path, name);
        rest += 2;
        cJSON_ArrayForEach(e, child)
        {
            if (*rest == '\0') check_value(e, k, seen);
            else check_path(e, rest + 1, k, seen);
        }
        return;
    }
    check_path(child, rest + 1, k, seen);
}

/* Every key in the output is in the table; record the order in which paths first appear. */
static void collect_paths(const cJSON *node, const char *prefix, int *order, uint32_t *norder)
{
    const cJSON *c;
    char path[256];
    int i;
    cJSON_ArrayForEach(c, node)
    {
        if (cJSON_IsArray(node)) snprintf(path, sizeof path, "%s[]", prefix);
        else snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", c->string);
        if ((cJSON_IsObject(node) || (!cJSON_IsObject(c) && !cJSON_IsArray(c)))) {
            uint32_t j;
            bool known = false;
            i = find_key(path);
            if (i < 0) fail_msg("undocumented key %s in the output", path);
            for (j = 0; j < *norder; j++) known |= order[j] == i;
            if (!known) order[(*norder)++] = i;
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) collect_paths(c, path, order, norder);
    }
}

static void test_json_has_every_documented_key_with_its_type(void **state)
{
    struct ca_results r;
    struct key_seen seen[NKEYS];
    int order[NKEYS];
    uint32_t i, norder = 0;
    cJSON *doc;
    char *out;
    (void)state;

    build_fixture(&r, false);
    out = render_json(&r, &fixture_meta);
    doc = cJSON_Parse(out);
    assert_non_null(doc);
    memset(seen, 0, sizeof seen);
    for (i = 0; i < NKEYS; i++) {
        check_path(doc, json_keys[i].path, &json_keys[i], &seen[i]);
        /* the fixture exercises every key, and both forms of the nullable ones */
        if (seen[i].count == 0) fail_msg("the fixture never produces %s", json_keys[i].path);
        if (strcmp(json_keys[i].type, "string or null") == 0 && (!seen[i].nulls || !seen[i].strings))
            fail_msg("the fixture does not produce both a string and null for %s", json_keys[i].path);
    }
    /* no undocumented key, and the table is in output order */
    collect_paths(doc, "", order, &norder);
    assert_int_equal(norder, NKEYS);
    for (i = 0; i < NKEYS; i++)
        if (order[i] != (int)i) fail_msg("key %s is out of order in the table", json_keys[i].path);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

/* Every enumeration value the fixture is supposed to cover appears in the output. */
static void test_fixture_covers_every_documented_value(void **state)
{
    struct ca_results r;
    cJSON *doc;
    char *out;
    uint32_t i;
    (void)state;

    build_fixture(&r, false);
    out = render_json(&r, &fixture_meta);
    doc = cJSON_Parse(out);
    assert_non_null(doc);
    for (i = 0; i < NKEYS; i++) {
        const char *p = json_keys[i].values;
        char word[64], needle[128];
        if (!*p) continue;
        while (*p) {
            size_t w = strcspn(p, " ");
            assert_true(w < sizeof word);
            memcpy(word, p, w);
            word[w] = '\0';
            snprintf(needle, sizeof needle, ": \"%s\"", word);
            if (!strstr(out, needle)) fail_msg("the fixture never produces %s = %s", json_keys[i].path, word);
            p += w;
            if (*p == ' ') p++;
        }
    }
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

/* The documented values of the enumerations are exactly the names the code prints. */
static void check_enum_names(const char *path, int n, const char *(*name)(int))
{
    int i, k = find_key(path), words = 0;
    const char *p;
    assert_true(k >= 0);
    for (i = 0; i < n; i++)
        if (!in_list(json_keys[k].values, name(i))) fail_msg("%s: %s is not documented", path, name(i));
    for (p = json_keys[k].values; *p; p++) words += *p == ' ';
    assert_int_equal(words + 1, n);
}

static const char *class_name(int v) { return ca_class_str((enum ca_class)v); }
static const char *gil_name(int v) { return ca_gil_str((enum ca_gil)v); }
static const char *rec_name(int v) { return ca_rec_str((enum ca_rec)v); }
static const char *conf_name(int v) { return ca_conf_str((enum ca_conf)v); }
static const char *sev_name(int v) { return ca_severity_str((enum ca_severity)v); }
static const char *input_name(int v) { return ca_input_state_str((enum ca_input_state)v); }
static const char *ft_name(int v) { return ca_ft_decl_str((enum ca_ft_decl)v); }

static void test_documented_values_are_the_enum_names_of_the_code(void **state)
{
    (void)state;
    check_enum_names("loops[].classification", 4, class_name);
    check_enum_names("loops[].gil", 5, gil_name);
    check_enum_names("loops[].recommendation", 5, rec_name);
    check_enum_names("loops[].confidence", 3, conf_name);
    check_enum_names("diagnostics[].severity", 3, sev_name);
    check_enum_names("inputs[].status", 4, input_name);
    check_enum_names("inputs[].free_threading", 3, ft_name);
    assert_string_equal(json_keys[0].values, CA_REPORT_JSON_SCHEMA_VERSION);
}

/* Trim spaces at both ends of [s, e) into out. */
static void cell_text(const char *s, const char *e, char *out, size_t cap)
{
    size_t n;
    while (s < e && *s == ' ') s++;
    while (e > s && e[-1] == ' ') e--;
    n = (size_t)(e - s);
    assert_true(n < cap);
    memcpy(out, s, n);
    out[n] = '\0';
}

/* The `backticked` words of a cell, space-separated. */
static void backticked_words(const char *cell, char *out, size_t cap)
{
    size_t len = 0;
    const char *p = cell, *q;
    out[0] = '\0';
    while ((p = strchr(p, '`')) != NULL && (q = strchr(p + 1, '`')) != NULL) {
        size_t n = (size_t)(q - p - 1);
        assert_true(len + n + 2 < cap);
        if (len) out[len++] = ' ';
        memcpy(out + len, p + 1, n);
        len += n;
        out[len] = '\0';
        p = q + 1;
    }
}

static void test_key_table_matches_the_table_in_the_documentation(void **state)
{
    char *doc = read_source_file("docs/json-output.md");
    const char *line = doc;
    uint32_t row = 0;
    (void)state;

    while (*line) {
        const char *end = strchr(line, '\n');
        if (!end) end = line + strlen(line);
        if (strncmp(line, "| `", 3) == 0) {
            const char *bar[5] = {NULL, NULL, NULL, NULL, NULL};
            char path[128], type[64], values[512], cell[1024];
            const char *p = line;
            int nbar = 0;
            /* | `path` | type | values | meaning |  (no '|' inside cells) */
            while (nbar < 5 && (p = memchr(p, '|', (size_t)(end - p))) != NULL) bar[nbar++] = p++;
            if (nbar < 5) fail_msg("malformed key table row: %.*s", (int)(end - line), line);
            cell_text(bar[0] + 1, bar[1], cell, sizeof cell);
            backticked_words(cell, path, sizeof path);
            cell_text(bar[1] + 1, bar[2], type, sizeof type);
            cell_text(bar[2] + 1, bar[3], cell, sizeof cell);
            backticked_words(cell, values, sizeof values);
            if (row >= NKEYS) fail_msg("docs/json-output.md documents extra key %s", path);
            if (strcmp(path, json_keys[row].path) != 0)
                fail_msg("docs row %u is %s, the key table says %s", row, path, json_keys[row].path);
            if (strcmp(type, json_keys[row].type) != 0)
                fail_msg("%s: docs say type %s, the key table %s", path, type, json_keys[row].type);
            if (strcmp(values, json_keys[row].values) != 0)
                fail_msg("%s: docs list values \"%s\", the key table \"%s\"", path, values, json_keys[row].values);
            row++;
        }
        line = *end ? end + 1 : end;
    }
    assert_int_equal(row, NKEYS);
    ca_free(doc);
}

/* Walk the schema's properties/items in order and compare each with the next table row. */
static void walk_schema(const cJSON *s, const char *prefix, uint32_t *row)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *p;
    char path[256];
    cJSON_ArrayForEach(p, props)
    {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
        const cJSON *en = cJSON_GetObjectItemCaseSensitive(p, "enum");
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(p, "items");
        const struct json_key *k;
        char tbuf[64], vbuf[512];
        const cJSON *v;

        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", p->string);
        if (*row >= NKEYS) fail_msg("the schema has extra key %s", path);
        k = &json_keys[*row];
        if (strcmp(path, k->path) != 0) fail_msg("schema key %s where the table has %s", path, k->path);
        (*row)++;
        if (cJSON_IsArray(type)) {
            assert_int_equal(cJSON_GetArraySize(type), 2);
            snprintf(tbuf, sizeof tbuf, "%s or %s", cJSON_GetArrayItem(type, 0)->valuestring,
                     cJSON_GetArrayItem(type, 1)->valuestring);
        } else {
            assert_true(cJSON_IsString(type));
            snprintf(tbuf, sizeof tbuf, "%s", type->valuestring);
        }
        if (strcmp(tbuf, k->type) != 0) fail_msg("%s: schema type %s, table %s", path, tbuf, k->type);
        vbuf[0] = '\0';
        cJSON_ArrayForEach(v, en)
        {
            if (vbuf[0]) strcat(vbuf, " ");
            strcat(vbuf, v->valuestring);
        }
        if (strcmp(vbuf, k->values) != 0) fail_msg("%s: schema enum \"%s\", table \"%s\"", path, vbuf, k->values);
        if (strcmp(tbuf, "object") == 0) {
            /* closed objects whose every property is required */
            const cJSON *req = cJSON_GetObjectItemCaseSensitive(p, "required");
            assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(p, "additionalProperties")));
            assert_int_equal(cJSON_GetArraySize(req),
                             cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "properties")));
            walk_schema(p, path, row);
        } else if (items) {
            const cJSON *it = cJSON_GetObjectItemCaseSensitive(items, "type");
            char ipath[300];
            snprintf(ipath, sizeof ipath, "%s[]", path);
            if (strcmp(it->valuestring, "object") == 0) {
                assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(items, "additionalProperties")));
                assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(items, "required")),
                                 cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(items, "properties")));
                walk_schema(items, ipath, row);
            } else {
                k = &json_keys[*row];
                if (strcmp(ipath, k->path) != 0 || strcmp(it->valuestring, k->type) != 0)
                    fail_msg("schema items %s (%s) where the table has %s", ipath, it->valuestring, k->path);
                (*row)++;
            }
        }
    }
}

static void test_key_table_matches_the_json_schema_file(void **state)
{
    char *text = read_source_file("docs/json-output.schema.json");
    cJSON *schema = cJSON_Parse(text);
    uint32_t row = 0;
    (void)state;
    assert_non_null(schema);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties")));
    walk_schema(schema, "", &row);
    assert_int_equal(row, NKEYS);
    cJSON_Delete(schema);
    ca_free(text);
}

/* The example in docs/json-output.md is real output: one input, one loop, one diagnostic. */
static void test_documentation_example_is_what_the_writer_prints(void **state)
{
    const char *reasons[1];
    static const struct ca_evidence ev[] = {{"samples/io_held_recv.c", 23, 13, "io-call", "recv", NULL}};
    struct ca_loop_result l = fixture_loops[1];
    struct ca_report_meta meta = {.tool_version = "0.1.0", .clang_version = "Debian clang version 14.0.6"};
    struct ca_results r;
    char *doc = read_source_file("docs/json-output.md");
    char *out, *start, *end;
    (void)state;

    reasons[0] = recv_reasons[0];
    l.reasons = reasons;
    l.nreasons = 1;
    l.evidence = (struct ca_evidence *)ev;
    l.nevidence = 1;
    ca_results_init(&r);
    assert_int_equal(ca_results_add_input(&r, &fixture_inputs[3]), CA_OK);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    assert_int_equal(ca_results_add_diag(&r, &fixture_diags[1]), CA_OK);
    r.inputs[0].nloops = 1;
    assert_int_equal(ca_results_fingerprint(&r), CA_OK);
    out = render_json(&r, &meta);
    start = strstr(doc, "```json\n");
    assert_non_null(start);
    start += strlen("```json\n");
    end = strstr(start, "```\n");
    assert_non_null(end);
    if (getenv("CA_UPDATE_GOLDEN")) {
        FILE *f = fopen(CA_SOURCE_DIR "/docs/json-output.md", "wb");
        assert_non_null(f);
        fwrite(doc, 1, (size_t)(start - doc), f);
        fputs(out, f);
        fputs(end, f);
        assert_int_equal(fclose(f), 0);
        *end = '\0';
        strcpy(start, out); /* the file now holds it */
    }
    *end = '\0';
    if (strcmp(start, out) != 0)
        fail_msg("the example in docs/json-output.md is not the writer's output (CA_UPDATE_GOLDEN=1 to regenerate)");
    ca_free(out);
    ca_free(doc);
    ca_results_fini(&r);
}

/* ---- escaping */

static const char nasty_file[] = "dir/\"q\"\\b.c";
static const char nasty_reason[] = "tab\there\nnewline\r\x01 caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\x8d "
                                   "\x1b[31mred\x7f";
static const char nasty_name[] = "bad\xff\xc3(";

static void build_nasty(struct ca_results *r)
{
    const char *reasons[] = {nasty_reason};
    struct ca_evidence ev = {nasty_file, 1, 2, "io-call", nasty_name, "a \"->\" b"};
    struct ca_loop_result l = fixture_loops[1];
    struct ca_diagnostic d = fixture_diags[0];
    l.file = nasty_file;
    l.function = "f\x01";
    l.reasons = reasons;
    l.nreasons = 1;
    l.evidence = &ev;
    l.nevidence = 1;
    d.file = nasty_file;
    d.message = nasty_reason;
    ca_results_init(r);
    assert_int_equal(ca_results_add_loop(r, &l), CA_OK);
    assert_int_equal(ca_results_add_diag(r, &d), CA_OK);
}

static void test_json_escapes_quotes_backslashes_and_control_characters_and_keeps_utf8(void **state)
{
    struct ca_results r;
    cJSON *doc, *loop;
    char *out;
    (void)state;
    build_nasty(&r);
    out = render_json(&r, NULL);
    assert_non_null(strstr(out, "\"file\": \"dir/\\\"q\\\"\\\\b.c\""));
    assert_non_null(strstr(out, "\"function\": \"f\\u0001\""));
    assert_non_null(strstr(out, "\"tab\\there\\nnewline\\r\\u0001 caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
                                "\xf0\x9f\x90\x8d \\u001b[31mred\\u007f\""));
    /* invalid UTF-8 (a stray 0xff, a truncated sequence) becomes U+FFFD */
    assert_non_null(strstr(out, "\"name\": \"bad\\ufffd\\ufffd(\""));
    assert_non_null(strstr(out, "\"via\": \"a \\\"->\\\" b\""));
    assert_non_null(strstr(out, "\"version\": \"\""));
    assert_null(strchr(out, '\x1b'));

    doc = cJSON_Parse(out);
    assert_non_null(doc);
    loop = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "loops"), 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(loop, "file")->valuestring, nasty_file);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(loop, "reasons"), 0)->valuestring,
                        nasty_reason);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_text_shows_control_characters_escaped_and_keeps_utf8(void **state)
{
    struct ca_text_options o = {.all_loops = true};
    struct ca_results r;
    char *out;
    (void)state;
    build_nasty(&r);
    out = render_text(&r, &o);
    assert_non_null(strstr(out, "dir/\"q\"\\b.c:21:5: note: while loop in f\\x01(): "));
    assert_non_null(strstr(out, "    reason: tab\\there\\nnewline\\r\\x01 caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac "
                                "\xf0\x9f\x90\x8d \\x1b[31mred\\x7f\n"));
    assert_non_null(strstr(out, ": warning: tab\\there"));
    assert_null(strchr(out, '\x1b'));
    ca_free(out);
    ca_results_fini(&r);
}

/* ---- text options */

static void test_top_keeps_the_hottest_loops_and_says_how_many_were_left_out(void **state)
{
    struct ca_text_options o = {.top = 2};
    struct ca_results r;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render_text(&r, &o);
    /* hotness 80, then the first of the two at 71 by file name; 71 (mixed_wait) and 55 cut */
    assert_non_null(strstr(out, "samples/cpu_nogil.c:10:5: note: "));
    assert_non_null(strstr(out, "samples/io_held_recv.c:21:5: note: "));
    assert_null(strstr(out, "samples/mixed_wait.c:15:5: note: "));
    assert_null(strstr(out, "samples/mixed_wait.c:40:5: note: "));
    assert_non_null(strstr(out, "(2 more hot loops not shown: --top 2 lists the hottest only)\n"));
    /* listed in file order, like a compiler */
    assert_true(strstr(out, "samples/cpu_nogil.c:10:5") < strstr(out, "samples/io_held_recv.c:21:5"));
    ca_free(out);

    o.top = 4; /* exactly the number of hot loops: nothing is cut */
    out = render_text(&r, &o);
    assert_null(strstr(out, "not shown"));
    assert_non_null(strstr(out, "samples/mixed_wait.c:40:5: note: "));
    ca_free(out);

    o.top = 1;
    o.all_loops = true;
    out = render_text(&r, &o);
    assert_non_null(strstr(out, "(5 more loops not shown: --top 1 lists the hottest only)\n"));
    ca_free(out);
    ca_results_fini(&r);
}

static void test_text_without_colour_has_no_escape_codes(void **state)
{
    struct ca_text_options o = {.all_loops = true};
    struct ca_results r;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render_text(&r, &o);
    assert_null(strchr(out, '\x1b'));
    ca_free(out);
    ca_results_fini(&r);
}

/* Replace every occurrence of `from` by `to` (test helper; heap result). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), n = 0;
    const char *p;
    char *out, *o;
    for (p = s; (p = strstr(p, from)) != NULL; p += nf) n++;
    out = malloc(strlen(s) + n * nt + 1);
    assert_non_null(out);
    for (o = out; (p = strstr(s, from)) != NULL; s = p + nf) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, nt);
        o += nt;
    }
    strcpy(o, s);
    return out;
}

static void test_colour_wraps_the_severity_words_and_nothing_else(void **state)
{
    struct ca_text_options plain = {.all_loops = true}, color = {.all_loops = true, .color = true};
    struct ca_results r;
    char *a, *b, *t1, *t2, *t3;
    (void)state;
    build_fixture(&r, false);
    a = render_text(&r, &plain);
    b = render_text(&r, &color);
    t1 = replace_all(b, "\033[1;31merror\033[0m", "error");
    t2 = replace_all(t1, "\033[1;33mwarning\033[0m", "warning");
    t3 = replace_all(t2, "\033[1;36mnote\033[0m", "note");
    assert_string_not_equal(a, b);
    assert_string_equal(a, t3);
    free(t1);
    free(t2);
    free(t3);
    ca_free(a);
    ca_free(b);
    ca_results_fini(&r);
}

static void test_empty_results_give_valid_json_and_a_short_summary(void **state)
{
    struct ca_results r;
    cJSON *doc;
    char *out;
    (void)state;
    ca_results_init(&r);
    out = render_json(&r, &fixture_meta);
    doc = cJSON_Parse(out);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "loops")), 0);
    assert_non_null(strstr(out, "\"loops\": [],\n"));
    assert_int_equal(out[strlen(out) - 1], '\n');
    cJSON_Delete(doc);
    ca_free(out);
    out = render_text(&r, NULL);
    assert_string_equal(out, "summary: 0 files analysed (0 ok, 0 failed), 0 loops (0 hot)\n"
                             "  diagnostics: none\n");
    ca_free(out);
    ca_results_fini(&r);
}

static void test_summaries_count_suppressed_and_baselined_findings(void **state)
{
    struct ca_results r;
    struct ca_text_options o = {.suppressed = 2, .baselined = 1};
    char *out;
    (void)state;
    ca_results_init(&r);
    out = render_text(&r, &o);
    assert_string_equal(out, "summary: 0 files analysed (0 ok, 0 failed), 0 loops (0 hot)\n"
                             "  diagnostics: none (2 suppressed, 1 in the baseline)\n");
    ca_free(out);
    o.suppressed = 0;
    out = render_text(&r, &o);
    assert_non_null(strstr(out, "  diagnostics: none (1 in the baseline)\n"));
    ca_free(out);
    out = render_json(&r, &fixture_meta);
    assert_non_null(strstr(out, "    \"suppressed\": 2,\n    \"baselined\": 1\n  }\n}\n"));
    ca_free(out);
    ca_results_fini(&r);
}

/* ---- allocation failures: every failing allocation gives CA_ERR_NOMEM, nothing leaks (ASan),
 * and once nothing fails the output is complete. */

typedef enum ca_status (*writer_fn)(const struct ca_results *r, struct ca_buf *out);

static enum ca_status write_json(const struct ca_results *r, struct ca_buf *out)
{
    return ca_report_json(r, &fixture_meta, out);
}

static enum ca_status write_text(const struct ca_results *r, struct ca_buf *out)
{
    static const struct ca_text_options o = {.all_loops = false, .color = true, .top = 2};
    return ca_report_text(r, &o, out);
}

static void check_nomem(writer_fn fn)
{
    struct ca_results r;
    struct ca_buf ref, b;
    enum ca_status st = CA_ERR_NOMEM;
    long n;

    build_fixture(&r, false);
    ca_buf_init(&ref);
    assert_int_equal(fn(&r, &ref), CA_OK);
    for (n = 1; n < 200 && st != CA_OK; n++) {
        ca_buf_init(&b);
        ca_alloc_fail_after(n);
        st = fn(&r, &b);
        ca_alloc_fail_after(0);
        if (st == CA_OK) assert_string_equal(b.data, ref.data);
        else assert_int_equal(st, CA_ERR_NOMEM);
        ca_buf_fini(&b);
    }
    assert_int_equal(st, CA_OK);
    assert_true(n > 2); /* at least one allocation was made to fail */
    ca_buf_fini(&ref);
    ca_results_fini(&r);
}

static void test_json_writer_reports_nomem_without_leaking(void **state)
{
    (void)state;
    check_nomem(write_json);
}

static void test_text_writer_reports_nomem_without_leaking(void **state)
{
    (void)state;
    check_nomem(write_text);
}

static void test_writers_refuse_a_buffer_that_already_failed(void **state)
{
    struct ca_results r;
    struct ca_buf b;
    (void)state;
    ca_results_init(&r);
    ca_buf_init(&b);
    b.failed = 1;
    assert_int_equal(ca_report_json(&r, NULL, &b), CA_ERR_NOMEM);
    assert_int_equal(ca_report_text(&r, NULL, &b), CA_ERR_NOMEM);
    ca_buf_fini(&b);
    ca_results_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_report_matches_its_golden_file),
        cmocka_unit_test(test_text_report_of_hot_loops_matches_its_golden_file),
        cmocka_unit_test(test_text_report_of_all_loops_matches_its_golden_file),
        cmocka_unit_test(test_text_report_cut_by_top_matches_its_golden_file),
        cmocka_unit_test(test_text_report_in_colour_matches_its_golden_file),
        cmocka_unit_test(test_two_calls_give_identical_output),
        cmocka_unit_test(test_output_does_not_depend_on_the_order_results_were_added),
        cmocka_unit_test(test_json_has_every_documented_key_with_its_type),
        cmocka_unit_test(test_fixture_covers_every_documented_value),
        cmocka_unit_test(test_documented_values_are_the_enum_names_of_the_code),
        cmocka_unit_test(test_key_table_matches_the_table_in_the_documentation),
        cmocka_unit_test(test_key_table_matches_the_json_schema_file),
        cmocka_unit_test(test_documentation_example_is_what_the_writer_prints),
        cmocka_unit_test(test_json_escapes_quotes_backslashes_and_control_characters_and_keeps_utf8),
        cmocka_unit_test(test_text_shows_control_characters_escaped_and_keeps_utf8),
        cmocka_unit_test(test_top_keeps_the_hottest_loops_and_says_how_many_were_left_out),
        cmocka_unit_test(test_text_without_colour_has_no_escape_codes),
        cmocka_unit_test(test_colour_wraps_the_severity_words_and_nothing_else),
        cmocka_unit_test(test_empty_results_give_valid_json_and_a_short_summary),
        cmocka_unit_test(test_summaries_count_suppressed_and_baselined_findings),
        cmocka_unit_test(test_json_writer_reports_nomem_without_leaking),
        cmocka_unit_test(test_text_writer_reports_nomem_without_leaking),
        cmocka_unit_test(test_writers_refuse_a_buffer_that_already_failed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
