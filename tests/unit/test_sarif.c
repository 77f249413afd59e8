/* test_sarif.c: the SARIF writer, on hand-built results and a small rule catalog written by the
 * test (so that the golden file does not change when rules/ gains a rule).
 *
 * tests/golden/report.sarif is compared byte for byte; after an intended change regenerate it
 * with
 *     CA_UPDATE_GOLDEN=1 ./build/tests/test_sarif
 * and review the diff.  tests/sarif_validate.sh checks the same file against the SARIF 2.1.0
 * JSON schema. */
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
#include "results.h"
#include "rules.h"
#include "report_fixture.h"
#include "testutil.h"

#define GOLDEN(name) CA_SOURCE_DIR "/tests/golden/" name
#define N(a) (uint32_t)(sizeof(a) / sizeof(a)[0])

/* ---- the fixture: every input state, failed inputs with and without messages, a loop nest
 * (a diagnostic in the inner loop), diagnostics outside every loop, an absolute path with a
 * space and non-ASCII letters, a "./" path with characters that need percent-encoding, a rule
 * id without metadata, and a message with every kind of character that needs escaping. */

static const struct ca_input_error broken_errors[] = {
    {"samples/broken.c", 12, 18, "expected ';' after expression"},
    {"samples/broken.h", 3, 1, "unknown type name 'PyObjekt'"},
    {"samples/broken.c", 0, 0, "too many errors emitted, stopping now"},
};

#define INPUT(file_, state_, python_, nloops_, errors_, nerrors_) \
    {.file = file_, .state = state_, .python = python_, .nloops = nloops_, .errors = errors_, .nerrors = nerrors_}

static const struct ca_input_result fixture_inputs[] = {
    INPUT("samples/mixed_wait.c", CA_INPUT_OK, true, 2, NULL, 0),
    INPUT("samples/broken.c", CA_INPUT_ERROR, true, 0, (struct ca_input_error *)broken_errors, N(broken_errors)),
    INPUT("samples/missing.c", CA_INPUT_MISSING, false, 0, NULL, 0),
    INPUT("samples/io_held_recv.c", CA_INPUT_OK, true, 3, NULL, 0),
    INPUT("/abs/src dir/\xC3\xBCn\xC3\xAF.c", CA_INPUT_OK, false, 1, NULL, 0),
    INPUT("./odd/a b%[1]:x.c", CA_INPUT_OK, false, 0, NULL, 0),
    INPUT("samples/parse_fail.c", CA_INPUT_ERROR, false, 0, NULL, 0),
};

static const char *recv_reasons[] = {
    "every iteration blocks in recv() (network I/O, may wait without limit)",
    "the GIL is held around the call, so all other Python threads stall while it waits",
};
static const struct ca_evidence recv_evidence[] = {
    {"samples/io_held_recv.c", 23, 13, "io-call", "recv", NULL},
    {"samples/io_held_recv.c", 21, 12, "bound", "received < want", NULL},
};
static const char *outer_reasons[] = {"reads header lines until an empty one"};
static const struct ca_evidence outer_evidence[] = {
    {"samples/io_held_recv.c", 39, 9, "io-call", "fgets", NULL},
};
static const char *headers_reasons[] = {"hdr->parse() is called through a function pointer: its cost is unknown"};
static const struct ca_evidence headers_evidence[] = {
    {"samples/io_held_recv.c", 41, 13, "indirect-call", "hdr->parse", NULL},
};
static const char *worker_reasons[] = {"reads from a pipe with the GIL released, then appends to a list with it held"};
static const struct ca_evidence worker_evidence[] = {
    {"samples/mixed_wait.c", 16, 9, "gil-release", "Py_BEGIN_ALLOW_THREADS", NULL},
    {"samples/mixed_wait.c", 17, 13, "io-call", "read", NULL},
};
static const char *compute_reasons[] = {"CPU work with the GIL released: threads run in parallel"};
static const struct ca_evidence compute_evidence[] = {
    {"samples/mixed_wait.c", 42, 13, "cpu-call", "deflate", NULL},
};
static const char *abs_reasons[] = {"sums an array: CPU-bound, no Python objects"};
static const struct ca_evidence abs_evidence[] = {
    {NULL, 3, 5, "bound", "i < n", NULL},
};

/* Designated initialisers throughout: the results model may grow fields. */
#define LOOP(file_, line_, col_, end_, fn_, kind_, depth_, cls_, gil_, api_, rec_, conf_, hotness_, hot_, rs, ev) \
    {.file = file_, .line = line_, .col = col_, .end_line = end_, .function = fn_, .kind = kind_,                 \
     .depth = depth_, .cls = cls_, .gil = gil_, .python_api = api_, .rec = rec_, .conf = conf_,                 \
     .hotness = hotness_, .hot = hot_, .reasons = rs, .nreasons = N(rs),                                        \
     .evidence = (struct ca_evidence *)ev, .nevidence = N(ev)}

static const struct ca_loop_result fixture_loops[] = {
    LOOP("samples/mixed_wait.c", 40, 5, 44, "compute", "for", 0, CA_CLASS_CPU, CA_GIL_RELEASED, false,
         CA_REC_THREADING, CA_CONF_LOW, 55, true, compute_reasons, compute_evidence),
    LOOP("samples/io_held_recv.c", 21, 5, 30, "recv_all", "while", 0, CA_CLASS_IO, CA_GIL_HELD, true,
         CA_REC_RELEASE_GIL, CA_CONF_HIGH, 71, true, recv_reasons, recv_evidence),
    LOOP("samples/io_held_recv.c", 38, 5, 45, "parse_headers", "while", 0, CA_CLASS_IO, CA_GIL_HELD, false,
         CA_REC_RELEASE_GIL, CA_CONF_MEDIUM, 40, false, outer_reasons, outer_evidence),
    LOOP("samples/io_held_recv.c", 40, 9, 42, "parse_headers", "for", 1, CA_CLASS_UNKNOWN, CA_GIL_UNKNOWN,
         false, CA_REC_UNKNOWN, CA_CONF_LOW, 12, false, headers_reasons, headers_evidence),
    LOOP("samples/mixed_wait.c", 15, 5, 24, "worker_main", "while", 0, CA_CLASS_MIXED, CA_GIL_MIXED, true,
         CA_REC_THREADING, CA_CONF_MEDIUM, 71, true, worker_reasons, worker_evidence),
    LOOP("/abs/src dir/\xC3\xBCn\xC3\xAF.c", 3, 5, 6, "sum", "for", 0, CA_CLASS_CPU, CA_GIL_NONE, false,
         CA_REC_MULTIPROCESSING, CA_CONF_HIGH, 80, true, abs_reasons, abs_evidence),
};

#define ESCAPES_MSG "quote \" backslash \\ tab\t newline\n bell\x07 \xFF bad byte, caf\xC3\xA9, a [link](0) and buf[i]"

#define DIAG(rule_, sev_, file_, line_, col_, message_, function_)                                   \
    {.rule = rule_, .severity = sev_, .file = file_, .line = line_, .col = col_, .message = message_, \
     .function = function_}

static const struct ca_diagnostic fixture_diags[] = {
    DIAG("mt-thread-unsafe-call", CA_SEV_WARNING, "samples/mixed_wait.c", 52, 12,
         "strtok() is not thread-safe; use strtok_r()", "split_fields"),
    DIAG("gil-blocking-io-held", CA_SEV_WARNING, "samples/io_held_recv.c", 23, 13,
         "recv() may block while the GIL is held", "recv_all"),
    DIAG("ft-static-pyobject-state", CA_SEV_NOTE, "samples/mixed_wait.c", 5, 1,
         "module state in a static PyObject * is shared between interpreters", NULL),
    DIAG("advise-release-gil", CA_SEV_NOTE, "samples/io_held_recv.c", 23, 13,
         "release the GIL around recv() with Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS", "recv_all"),
    DIAG("gil-api-without-gil", CA_SEV_ERROR, "samples/mixed_wait.c", 30, 9,
         "PyErr_SetString() called while the GIL is released", "worker_main"),
    DIAG("mt-thread-unsafe-call", CA_SEV_WARNING, "samples/io_held_recv.c", 41, 20,
         "strtok() is not thread-safe; use strtok_r()", "parse_headers"),
    DIAG("gil-blocking-io-held", CA_SEV_WARNING, "/abs/src dir/\xC3\xBCn\xC3\xAF.c", 4, 9,
         "fread() may block while the GIL is held", "sum"),
    DIAG("advise-release-gil", CA_SEV_NOTE, "./odd/a b%[1]:x.c", 7, 0, ESCAPES_MSG, NULL),
};

static const struct ca_region fixture_regions[] = {
    {.file = "samples/mixed_wait.c", .line = 16, .col = 9, .end_line = 18, .function = "worker_main",
     .by = "Py_BEGIN_ALLOW_THREADS"},
    {.file = "samples/mixed_wait.c", .line = 38, .col = 5, .end_line = 46, .function = "compute",
     .by = "ImagingSectionEnter"},
};

static const struct ca_report_meta fixture_meta = {.tool_version = "0.1.0",
                                                   .clang_version = "clang version 14.0.6",
                                                   .suppressed = 2};

static void build_fixture(struct ca_results *r, bool reversed)
{
    const struct fixture_set set = {fixture_inputs, N(fixture_inputs), fixture_loops,  N(fixture_loops),
                                    fixture_diags,  N(fixture_diags),  fixture_regions, N(fixture_regions)};
    fixture_build(r, &set, reversed);
}

/* ---- helpers */

static char *render(const struct ca_results *r, const struct ca_rules *rules, const struct ca_report_meta *m)
{
    struct ca_buf b;
    char *s;
    ca_buf_init(&b);
    assert_int_equal(ca_report_sarif(r, rules, m, &b), CA_OK);
    s = ca_buf_take(&b);
    assert_non_null(s);
    return s;
}

static cJSON *parse(const char *text)
{
    cJSON *doc = cJSON_Parse(text);
    if (!doc) fail_msg("the SARIF output is not valid JSON near: %.60s", cJSON_GetErrorPtr());
    return doc;
}

static cJSON *get(const cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) fail_msg("missing key \"%s\"", key);
    return v;
}

static cJSON *the_run(const cJSON *doc) { return cJSON_GetArrayItem(get(doc, "runs"), 0); }

static const char *str_of(const cJSON *o, const char *key)
{
    cJSON *v = get(o, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

/* The result of the diagnostic at file:line with this rule, or fail. */
static const cJSON *find_result(const cJSON *doc, const char *uri, int line, const char *rule)
{
    const cJSON *res;
    cJSON_ArrayForEach(res, get(the_run(doc), "results"))
    {
        const cJSON *phys = get(cJSON_GetArrayItem(get(res, "locations"), 0), "physicalLocation");
        const cJSON *region = cJSON_GetObjectItemCaseSensitive(phys, "region");
        if (strcmp(str_of(get(phys, "artifactLocation"), "uri"), uri) == 0 && strcmp(str_of(res, "ruleId"), rule) == 0 &&
            region && get(region, "startLine")->valueint == line)
            return res;
    }
    fail_msg("no result %s at %s:%d", rule, uri, line);
    return NULL;
}

/* ---- tests */

static void test_sarif_report_matches_its_golden_file(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, rules, &fixture_meta);
    check_golden(GOLDEN("report.sarif"), out);
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

static void test_log_has_the_version_schema_and_one_run_of_concadvise(void **state)
{
    struct ca_results r;
    cJSON *doc, *driver;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, &fixture_meta);
    doc = parse(out);
    assert_string_equal(str_of(doc, "version"), "2.1.0");
    assert_non_null(strstr(str_of(doc, "$schema"), "sarif-schema-2.1.0.json"));
    assert_int_equal(cJSON_GetArraySize(get(doc, "runs")), 1);
    driver = get(get(the_run(doc), "tool"), "driver");
    assert_string_equal(str_of(driver, "name"), "concadvise");
    assert_string_equal(str_of(driver, "version"), "0.1.0");
    assert_null(cJSON_GetObjectItemCaseSensitive(driver, "informationUri"));
    assert_true(cJSON_IsTrue(get(cJSON_GetArrayItem(get(the_run(doc), "invocations"), 0), "executionSuccessful")));
    assert_int_equal(out[strlen(out) - 1], '\n');
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

/* The real catalog in rules/: every rule, in metadata order, with its texts and level. */
static void test_rules_list_every_rule_of_the_metadata_with_its_level(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(tu_rules_dir());
    cJSON *doc, *list;
    uint32_t i, n = ca_rules_nmeta(rules);
    char *out;
    (void)state;
    assert_true(n > 0);
    build_fixture(&r, false);
    out = render(&r, rules, NULL);
    doc = parse(out);
    list = get(get(get(the_run(doc), "tool"), "driver"), "rules");
    assert_true((uint32_t)cJSON_GetArraySize(list) >= n);
    for (i = 0; i < n; i++) {
        const struct ca_rule_meta *m = ca_rules_meta(rules, i);
        cJSON *rule = cJSON_GetArrayItem(list, (int)i), *tags;
        char family[32];
        assert_string_equal(str_of(rule, "id"), m->id);
        assert_string_equal(str_of(rule, "name"), m->name);
        assert_string_equal(str_of(get(rule, "shortDescription"), "text"), m->summary);
        assert_string_equal(str_of(get(rule, "fullDescription"), "text"), m->description);
        assert_string_equal(str_of(get(rule, "help"), "text"), m->help);
        assert_non_null(strstr(str_of(get(rule, "help"), "markdown"), m->doc));
        assert_string_equal(str_of(get(rule, "defaultConfiguration"), "level"), m->severity);
        assert_null(cJSON_GetObjectItemCaseSensitive(rule, "helpUri"));
        tags = get(get(rule, "properties"), "tags");
        snprintf(family, sizeof family, "%.*s", (int)(strchr(m->id, '-') - m->id), m->id);
        assert_int_equal(cJSON_GetArraySize(tags), 2);
        assert_string_equal(cJSON_GetArrayItem(tags, 0)->valuestring, "concurrency");
        assert_string_equal(cJSON_GetArrayItem(tags, 1)->valuestring, family);
        assert_string_equal(str_of(get(rule, "properties"), "doc"), m->doc);
    }
    cJSON_Delete(doc);
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

static void test_levels_follow_the_severities(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    const cJSON *rule;
    cJSON *doc;
    char *out;
    int seen = 0;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, rules, NULL);
    doc = parse(out);
    cJSON_ArrayForEach(rule, get(get(get(the_run(doc), "tool"), "driver"), "rules"))
    {
        const char *id = str_of(rule, "id");
        const cJSON *conf = cJSON_GetObjectItemCaseSensitive(rule, "defaultConfiguration");
        if (strcmp(id, "gil-api-without-gil") == 0) assert_string_equal(str_of(conf, "level"), "error"), seen++;
        if (strcmp(id, "gil-blocking-io-held") == 0) assert_string_equal(str_of(conf, "level"), "warning"), seen++;
        if (strcmp(id, "advise-release-gil") == 0) assert_string_equal(str_of(conf, "level"), "note"), seen++;
    }
    assert_int_equal(seen, 3);
    assert_string_equal(str_of(find_result(doc, "samples/mixed_wait.c", 30, "gil-api-without-gil"), "level"), "error");
    assert_string_equal(str_of(find_result(doc, "samples/io_held_recv.c", 23, "gil-blocking-io-held"), "level"), "warning");
    assert_string_equal(str_of(find_result(doc, "samples/io_held_recv.c", 23, "advise-release-gil"), "level"), "note");
    cJSON_Delete(doc);
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

/* ruleIndex points at the rule with the result's ruleId, with and without metadata; a rule id
 * unknown to the metadata is listed once, after the known ones. */
static void check_rule_indices(const struct ca_rules *rules)
{
    struct ca_results r;
    const cJSON *res;
    cJSON *doc, *list;
    char *out;
    int extra = 0, i;
    build_fixture(&r, false);
    out = render(&r, rules, NULL);
    doc = parse(out);
    list = get(get(get(the_run(doc), "tool"), "driver"), "rules");
    assert_int_equal(cJSON_GetArraySize(get(the_run(doc), "results")), (int)N(fixture_diags));
    cJSON_ArrayForEach(res, get(the_run(doc), "results"))
    {
        int idx = get(res, "ruleIndex")->valueint;
        assert_true(idx >= 0 && idx < cJSON_GetArraySize(list));
        assert_string_equal(str_of(cJSON_GetArrayItem(list, idx), "id"), str_of(res, "ruleId"));
    }
    for (i = 0; i < cJSON_GetArraySize(list); i++) {
        const cJSON *rule = cJSON_GetArrayItem(list, i);
        if (i > 0) assert_true(strcmp(str_of(cJSON_GetArrayItem(list, i - 1), "id"), str_of(rule, "id")) != 0);
        if (strcmp(str_of(rule, "id"), "ft-static-pyobject-state") == 0) {
            extra++;
            if (rules) assert_int_equal(i, cJSON_GetArraySize(list) - 1); /* after the known rules */
            assert_null(cJSON_GetObjectItemCaseSensitive(rule, "defaultConfiguration"));
        }
    }
    assert_int_equal(extra, 1);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_rule_index_matches_the_rule_id(void **state)
{
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    (void)state;
    check_rule_indices(rules);
    check_rule_indices(NULL);
    ca_rules_free(rules);
}

static void test_relative_paths_are_srcroot_uris_and_absolute_paths_file_uris(void **state)
{
    struct ca_results r;
    const cJSON *loc;
    cJSON *doc;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    loc = get(get(cJSON_GetArrayItem(get(find_result(doc, "samples/io_held_recv.c", 23, "gil-blocking-io-held"),
                                          "locations"), 0), "physicalLocation"), "artifactLocation");
    assert_string_equal(str_of(loc, "uriBaseId"), "%SRCROOT%");
    /* absolute: a file URI, the space and each byte of the UTF-8 letters percent-encoded */
    loc = get(get(cJSON_GetArrayItem(get(find_result(doc, "file:///abs/src%20dir/%C3%BCn%C3%AF.c", 4,
                                                     "gil-blocking-io-held"), "locations"), 0),
                  "physicalLocation"), "artifactLocation");
    assert_null(cJSON_GetObjectItemCaseSensitive(loc, "uriBaseId"));
    /* "./" dropped; space, '%', brackets and ':' encoded (a ':' would read as a scheme) */
    loc = get(get(cJSON_GetArrayItem(get(find_result(doc, "odd/a%20b%25%5B1%5D%3Ax.c", 7, "advise-release-gil"),
                                          "locations"), 0), "physicalLocation"), "artifactLocation");
    assert_string_equal(str_of(loc, "uriBaseId"), "%SRCROOT%");
    assert_non_null(get(get(the_run(doc), "originalUriBaseIds"), "%SRCROOT%"));
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_region_and_function_are_given_when_known(void **state)
{
    struct ca_results r;
    const cJSON *res, *loc;
    cJSON *doc;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    res = find_result(doc, "samples/io_held_recv.c", 23, "gil-blocking-io-held");
    loc = cJSON_GetArrayItem(get(res, "locations"), 0);
    assert_int_equal(get(get(get(loc, "physicalLocation"), "region"), "startColumn")->valueint, 13);
    assert_string_equal(str_of(cJSON_GetArrayItem(get(loc, "logicalLocations"), 0), "name"), "recv_all");
    assert_string_equal(str_of(cJSON_GetArrayItem(get(loc, "logicalLocations"), 0), "kind"), "function");
    /* column 0 = unknown: no startColumn; no function: no logical location */
    res = find_result(doc, "odd/a%20b%25%5B1%5D%3Ax.c", 7, "advise-release-gil");
    loc = cJSON_GetArrayItem(get(res, "locations"), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(get(get(loc, "physicalLocation"), "region"), "startColumn"));
    assert_null(cJSON_GetObjectItemCaseSensitive(loc, "logicalLocations"));
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_every_result_carries_its_fingerprint(void **state)
{
    struct ca_results r;
    const cJSON *res;
    cJSON *doc;
    char *out;
    uint32_t i = 0;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    cJSON_ArrayForEach(res, get(the_run(doc), "results"))
    {
        const char *fp = str_of(get(res, "partialFingerprints"), "concadvise/v1");
        assert_int_equal(strlen(fp), 32);
        assert_int_equal(strspn(fp, "0123456789abcdef"), 32);
        assert_string_equal(fp, r.diags[i].fingerprint);
        i++;
    }
    assert_int_equal(i, r.ndiags);
    cJSON_Delete(doc);
    ca_free(out);
    /* without fingerprints (ca_results_fingerprint not called): the key is left out */
    for (i = 0; i < r.ndiags; i++) r.diags[i].fingerprint = NULL;
    out = render(&r, NULL, NULL);
    assert_null(strstr(out, "partialFingerprints"));
    ca_free(out);
    ca_results_fini(&r);
}

static void test_loop_properties_are_attached_inside_a_loop_and_absent_outside(void **state)
{
    struct ca_results r;
    const cJSON *props;
    cJSON *doc;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    props = get(find_result(doc, "samples/io_held_recv.c", 23, "gil-blocking-io-held"), "properties");
    assert_string_equal(str_of(props, "classification"), "io");
    assert_string_equal(str_of(props, "gil"), "held");
    assert_string_equal(str_of(props, "recommendation"), "release-gil");
    assert_string_equal(str_of(props, "confidence"), "high");
    assert_int_equal(get(props, "hotness")->valueint, 71);
    assert_int_equal(get(props, "loop_line")->valueint, 21);
    assert_int_equal(get(props, "loop_end_line")->valueint, 30);
    /* inside a nest: the inner loop (40-42), not the outer one (38-45) */
    props = get(find_result(doc, "samples/io_held_recv.c", 41, "mt-thread-unsafe-call"), "properties");
    assert_int_equal(get(props, "loop_line")->valueint, 40);
    assert_string_equal(str_of(props, "classification"), "unknown");
    assert_int_equal(get(props, "hotness")->valueint, 12);
    /* outside every loop: no properties at all */
    assert_null(cJSON_GetObjectItemCaseSensitive(find_result(doc, "samples/mixed_wait.c", 5, "ft-static-pyobject-state"),
                                                 "properties"));
    assert_null(cJSON_GetObjectItemCaseSensitive(find_result(doc, "samples/mixed_wait.c", 52, "mt-thread-unsafe-call"),
                                                 "properties"));
    /* the loop's last line still counts, and the absolute file's loop is found too */
    props = get(find_result(doc, "file:///abs/src%20dir/%C3%BCn%C3%AF.c", 4, "gil-blocking-io-held"), "properties");
    assert_string_equal(str_of(props, "recommendation"), "multiprocessing");
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_failed_inputs_become_error_notifications(void **state)
{
    struct ca_results r;
    const cJSON *n;
    cJSON *doc, *list;
    char *out;
    int count = 0;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    list = get(cJSON_GetArrayItem(get(the_run(doc), "invocations"), 0), "toolExecutionNotifications");
    /* broken.c: its three clang errors; missing.c and parse_fail.c: one each; ok inputs: none */
    assert_int_equal(cJSON_GetArraySize(list), 5);
    cJSON_ArrayForEach(n, list)
    {
        const cJSON *loc = get(get(cJSON_GetArrayItem(get(n, "locations"), 0), "physicalLocation"), "artifactLocation");
        const char *input = str_of(get(n, "properties"), "input");
        assert_string_equal(str_of(n, "level"), "error");
        assert_true(strlen(str_of(get(n, "message"), "text")) > 0);
        assert_true(strcmp(input, "samples/broken.c") == 0 || strcmp(input, "samples/missing.c") == 0 ||
                    strcmp(input, "samples/parse_fail.c") == 0);
        if (strcmp(str_of(get(n, "message"), "text"), "unknown type name 'PyObjekt'") == 0) {
            const cJSON *region = get(get(cJSON_GetArrayItem(get(n, "locations"), 0), "physicalLocation"), "region");
            assert_string_equal(str_of(loc, "uri"), "samples/broken.h"); /* the error's own file */
            assert_int_equal(get(region, "startLine")->valueint, 3);
            count++;
        }
        if (strcmp(input, "samples/missing.c") == 0) {
            assert_string_equal(str_of(get(n, "properties"), "status"), "missing");
            assert_non_null(strstr(str_of(get(n, "message"), "text"), "does not exist"));
            count++;
        }
    }
    assert_int_equal(count, 2);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);

    /* nothing failed: no notifications key */
    ca_results_init(&r);
    assert_int_equal(ca_results_add_input(&r, &fixture_inputs[0]), CA_OK);
    out = render(&r, NULL, NULL);
    assert_null(strstr(out, "toolExecutionNotifications"));
    ca_free(out);
    ca_results_fini(&r);
}

static void test_strings_are_escaped_and_stay_valid_utf8(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    const cJSON *res, *rule;
    cJSON *doc;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, rules, NULL);
    doc = parse(out);
    res = find_result(doc, "odd/a%20b%25%5B1%5D%3Ax.c", 7, "advise-release-gil");
    /* JSON escapes decode back; the invalid byte became U+FFFD; the "[link](0)" bracket got
     * SARIF's backslash so that viewers do not make a link of it; "buf[i]" stays as it is */
    assert_string_equal(str_of(get(res, "message"), "text"),
                        "quote \" backslash \\ tab\t newline\n bell\x07 \xEF\xBF\xBD bad byte, caf\xC3\xA9, "
                        "a \\[link](0) and buf[i]");
    assert_non_null(strstr(out, "bell\\u0007 \\ufffd bad"));
    rule = cJSON_GetArrayItem(get(get(get(the_run(doc), "tool"), "driver"), "rules"), 0);
    assert_string_equal(str_of(rule, "id"), "advise-release-gil");
    assert_string_equal(str_of(get(rule, "shortDescription"), "text"), "A loop waits with the GIL held: \"release\" it.");
    assert_string_equal(str_of(get(rule, "fullDescription"), "text"),
                        "Long text with a back\\slash, `code`, _under_ and [brackets].");
    /* Markdown: the punctuation of plain text is escaped, the title is bold */
    assert_string_equal(str_of(get(rule, "help"), "markdown"),
                        "**Release the GIL \\<here\\> & \\*now\\***\n\n"
                        "Wrap the call in Py\\_BEGIN\\_ALLOW\\_THREADS / Py\\_END\\_ALLOW\\_THREADS.\n"
                        "Second line \\# not a heading.\n\n"
                        "Documentation: `docs/rules/advise-release-gil.md` in the concadvise sources.");
    cJSON_Delete(doc);
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

static void test_output_is_deterministic(void **state)
{
    struct ca_results r1, r2;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    char *a, *b;
    (void)state;
    build_fixture(&r1, false);
    build_fixture(&r2, true);
    a = render(&r1, rules, &fixture_meta);
    b = render(&r1, rules, &fixture_meta);
    assert_string_equal(a, b);
    ca_free(b);
    b = render(&r2, rules, &fixture_meta);
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    ca_rules_free(rules);
    ca_results_fini(&r1);
    ca_results_fini(&r2);
}

static void test_empty_results_give_a_valid_log(void **state)
{
    struct ca_results r;
    cJSON *doc;
    char *out;
    (void)state;
    ca_results_init(&r);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    assert_int_equal(cJSON_GetArraySize(get(the_run(doc), "results")), 0);
    assert_int_equal(cJSON_GetArraySize(get(get(get(the_run(doc), "tool"), "driver"), "rules")), 0);
    assert_null(cJSON_GetObjectItemCaseSensitive(get(get(the_run(doc), "tool"), "driver"), "version"));
    assert_int_equal(get(get(get(the_run(doc), "properties"), "summary"), "loops")->valueint, 0);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_summary_counts_are_in_the_run_properties(void **state)
{
    struct ca_results r;
    const cJSON *s;
    cJSON *doc;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL, NULL);
    doc = parse(out);
    s = get(get(the_run(doc), "properties"), "summary");
    assert_int_equal(get(s, "files")->valueint, (int)N(fixture_inputs));
    assert_int_equal(get(s, "files_failed")->valueint, 3);
    assert_int_equal(get(s, "loops")->valueint, (int)N(fixture_loops));
    assert_int_equal(get(get(s, "by_recommendation"), "release-gil")->valueint, 2);
    assert_int_equal(get(get(s, "diagnostics"), "warning")->valueint, 4);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

/* Every failing allocation gives CA_ERR_NOMEM and a failed buffer, nothing leaks (ASan), and
 * once nothing fails the output is complete. */
static void test_sarif_writer_reports_nomem_without_leaking(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    struct ca_buf ref, b;
    enum ca_status st = CA_ERR_NOMEM;
    long n;
    (void)state;
    build_fixture(&r, false);
    ca_buf_init(&ref);
    assert_int_equal(ca_report_sarif(&r, rules, &fixture_meta, &ref), CA_OK);
    for (n = 1; n < 400 && st != CA_OK; n++) {
        ca_buf_init(&b);
        ca_alloc_fail_after(n);
        st = ca_report_sarif(&r, rules, &fixture_meta, &b);
        ca_alloc_fail_after(0);
        if (st == CA_OK) assert_string_equal(b.data, ref.data);
        else {
            assert_int_equal(st, CA_ERR_NOMEM);
            assert_true(b.failed);
        }
        ca_buf_fini(&b);
    }
    assert_int_equal(st, CA_OK);
    assert_true(n > 2);
    ca_buf_init(&b);
    b.failed = 1;
    assert_int_equal(ca_report_sarif(&r, rules, &fixture_meta, &b), CA_ERR_NOMEM);
    ca_buf_fini(&b);
    ca_buf_fini(&ref);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sarif_report_matches_its_golden_file),
        cmocka_unit_test(test_log_has_the_version_schema_and_one_run_of_concadvise),
        cmocka_unit_test(test_rules_list_every_rule_of_the_metadata_with_its_level),
        cmocka_unit_test(test_levels_follow_the_severities),
        cmocka_unit_test(test_rule_index_matches_the_rule_id),
        cmocka_unit_test(test_relative_paths_are_srcroot_uris_and_absolute_paths_file_uris),
        cmocka_unit_test(test_region_and_function_are_given_when_known),
        cmocka_unit_test(test_every_result_carries_its_fingerprint),
        cmocka_unit_test(test_loop_properties_are_attached_inside_a_loop_and_absent_outside),
        cmocka_unit_test(test_failed_inputs_become_error_notifications),
        cmocka_unit_test(test_strings_are_escaped_and_stay_valid_utf8),
        cmocka_unit_test(test_output_is_deterministic),
        cmocka_unit_test(test_empty_results_give_a_valid_log),
        cmocka_unit_test(test_summary_counts_are_in_the_run_properties),
        cmocka_unit_test(test_sarif_writer_reports_nomem_without_leaking),
    };
    return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
