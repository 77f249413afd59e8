/* test_baseline.c: a written baseline reads back; findings in it are left out by fingerprint
 * (so a finding whose line moved stays baselined and a new one does not); malformed baselines
 * are rejected naming file:line:col; allocation failures never leak (run under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "testutil.h"

static void add(struct ca_results *r, const char *rule, const char *file, uint32_t line, const char *function,
                const char *message)
{
    struct ca_diagnostic d;
    memset(&d, 0, sizeof d);
    d.rule = rule;
    d.severity = CA_SEV_WARNING;
    d.file = file;
    d.line = line;
    d.col = 9;
    d.function = function;
    d.message = message;
    assert_int_equal(ca_results_add_diag(r, &d), CA_OK);
}

/* Two findings of one kind in one function, one elsewhere; `shift` moves every line. */
static void build(struct ca_results *r, uint32_t shift)
{
    ca_results_init(r);
    add(r, "gil-blocking-io-held", "src/net.c", 40 + shift, "recv_all", "recv() blocks while the GIL is held");
    add(r, "gil-blocking-io-held", "src/net.c", 52 + shift, "recv_all", "recv() blocks while the GIL is held");
    add(r, "mt-thread-unsafe-call", "src/util.c", 7, NULL, "strtok() is not \"thread-safe\"");
    ca_results_sort(r);
    assert_int_equal(ca_results_fingerprint(r), CA_OK);
}

static char *write_baseline(const struct ca_results *r)
{
    struct ca_buf b;
    char *s;
    ca_buf_init(&b);
    assert_int_equal(ca_baseline_write(r, "0.1.0", &b), CA_OK);
    s = ca_buf_take(&b);
    assert_non_null(s);
    return s;
}

static void parse_ok(const char *text, struct ca_baseline *b)
{
    struct ca_baseline_error err;
    ca_baseline_init(b);
    if (ca_baseline_parse("b.json", text, strlen(text), b, &err) != CA_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.message);
}

static void test_a_written_baseline_reads_back_with_every_fingerprint(void **state)
{
    struct ca_results r;
    struct ca_baseline b;
    char *text;
    (void)state;
    build(&r, 0);
    text = write_baseline(&r);
    assert_non_null(strstr(text, "{\n  \"version\": 1,\n  \"tool_version\": \"0.1.0\",\n  \"entries\": [\n    {\"fingerprint\": \""));
    assert_non_null(strstr(text, "\"rule\": \"mt-thread-unsafe-call\", \"file\": \"src/util.c\", \"function\": null, "
                                 "\"message\": \"strtok() is not \\\"thread-safe\\\"\"}\n  ]\n}\n"));
    parse_ok(text, &b);
    assert_int_equal(b.n, 3);
    for (uint32_t i = 0; i < r.ndiags; i++) assert_true(ca_baseline_has(&b, r.diags[i].fingerprint));
    assert_false(ca_baseline_has(&b, "00000000000000000000000000000000"));
    assert_false(ca_baseline_has(&b, NULL));
    ca_baseline_fini(&b);
    ca_free(text);
    ca_results_fini(&r);
}

static void test_the_written_file_does_not_change_when_lines_move(void **state)
{
    struct ca_results r1, r2;
    char *a, *b;
    (void)state;
    build(&r1, 0);
    build(&r2, 25);
    a = write_baseline(&r1);
    b = write_baseline(&r2);
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    ca_results_fini(&r1);
    ca_results_fini(&r2);
}

static void test_findings_that_moved_stay_baselined_and_new_ones_are_kept(void **state)
{
    struct ca_results before, after;
    struct ca_baseline b;
    uint32_t removed = 0;
    char *text;
    (void)state;
    build(&before, 0);
    text = write_baseline(&before);
    parse_ok(text, &b);
    /* an edit above moved everything in net.c down, and added a new finding */
    build(&after, 12);
    add(&after, "gil-api-without-gil", "src/net.c", 30, "recv_all", "PyErr_SetString() called without the GIL");
    ca_results_sort(&after);
    assert_int_equal(ca_results_fingerprint(&after), CA_OK);
    ca_baseline_apply(&b, &after, &removed);
    assert_int_equal(removed, 3);
    assert_int_equal(after.ndiags, 1);
    assert_string_equal(after.diags[0].rule, "gil-api-without-gil");
    ca_baseline_fini(&b);
    ca_free(text);
    ca_results_fini(&before);
    ca_results_fini(&after);
}

static void test_an_empty_baseline_keeps_everything(void **state)
{
    struct ca_results r, none;
    struct ca_baseline b;
    uint32_t removed = 9;
    char *text;
    (void)state;
    ca_results_init(&none);
    text = write_baseline(&none);
    assert_string_equal(text, "{\n  \"version\": 1,\n  \"tool_version\": \"0.1.0\",\n  \"entries\": []\n}\n");
    parse_ok(text, &b);
    build(&r, 0);
    ca_baseline_apply(&b, &r, &removed);
    assert_int_equal(removed, 0);
    assert_int_equal(r.ndiags, 3);
    ca_baseline_fini(&b);
    ca_free(text);
    ca_results_fini(&r);
    ca_results_fini(&none);
}

static void expect_error(const char *text, enum ca_status want, uint32_t line, uint32_t col, const char *needle)
{
    struct ca_baseline b;
    struct ca_baseline_error err;
    enum ca_status st;
    ca_baseline_init(&b);
    st = ca_baseline_parse("base.json", text, strlen(text), &b, &err);
    if (st != want) fail_msg("status %d, expected %d for:\n%s", st, want, text);
    assert_string_equal(err.file, "base.json");
    if (err.line != line || err.col != col)
        fail_msg("error at %u:%u, expected %u:%u (%s)", err.line, err.col, line, col, err.message);
    if (!strstr(err.message, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    assert_int_equal(b.n, 0);
    ca_baseline_error_fini(&err);
    ca_baseline_fini(&b);
}

static void test_malformed_baselines_are_rejected_naming_line_and_column(void **state)
{
    static const char fp[] = "0123456789abcdef0123456789abcdef";
    char text[512];
    (void)state;
    expect_error("{\n  \"version\": 1,\n  \"entries\": [\n    {\"fingerprint\": \"x\"},\n", CA_ERR_PARSE, 5, 1,
                 "unexpected end of file");
    expect_error("{\"version\": 2, \"entries\": []}", CA_ERR_CONFIG, 1, 13, "unsupported baseline version");
    expect_error("{\"entries\": []}", CA_ERR_CONFIG, 1, 1, "missing \"version\"");
    expect_error("{\"version\": 1}", CA_ERR_CONFIG, 1, 1, "missing \"entries\"");
    expect_error("{\"version\": 1, \"entries\": {}}", CA_ERR_CONFIG, 1, 27, "expected an array for \"entries\"");
    expect_error("{\"version\": 1, \"entries\": [], \"extra\": 0}", CA_ERR_CONFIG, 1, 31, "unknown key \"extra\"");
    expect_error("{\"version\": 1, \"entries\": [\n  {\"fingerprint\": \"ABC\"}]}", CA_ERR_CONFIG, 2, 19,
                 "invalid fingerprint \"ABC\"");
    expect_error("{\"version\": 1, \"entries\": [\n  {\"rule\": \"gil-x\"}]}", CA_ERR_CONFIG, 2, 3, "missing \"fingerprint\"");
    expect_error("{\"version\": 1, \"entries\": [3]}", CA_ERR_CONFIG, 1, 28, "expected an object in \"entries\"");
    snprintf(text, sizeof text, "{\"version\": 1, \"entries\": [{\"fingerprint\": \"%s\", \"line\": 3}]}", fp);
    expect_error(text, CA_ERR_CONFIG, 1, 80, "unknown key \"line\"");
    snprintf(text, sizeof text, "{\"version\": 1, \"entries\": [{\"fingerprint\": \"%s\", \"function\": 3}]}", fp);
    expect_error(text, CA_ERR_CONFIG, 1, 92, "expected a string or null for \"function\"");
    expect_error("[]", CA_ERR_CONFIG, 1, 1, "expected an object at the top level");
}

static void test_a_missing_file_is_an_io_error_naming_it(void **state)
{
    struct ca_baseline b;
    struct ca_baseline_error err;
    (void)state;
    ca_baseline_init(&b);
    assert_int_equal(ca_baseline_load("/nonexistent/baseline.json", &b, &err), CA_ERR_IO);
    assert_string_equal(err.file, "/nonexistent/baseline.json");
    assert_int_equal(err.line, 0);
    ca_baseline_error_fini(&err);
    ca_baseline_fini(&b);
}

static void test_allocation_failures_never_leak(void **state)
{
    struct ca_results r;
    char *text;
    long n;
    (void)state;
    build(&r, 0);
    text = write_baseline(&r);
    for (n = 1; n < 10000; n++) {
        struct ca_baseline b;
        struct ca_baseline_error err;
        struct ca_buf out;
        enum ca_status st;
        ca_baseline_init(&b);
        ca_buf_init(&out);
        ca_alloc_fail_after(n);
        st = ca_baseline_parse("b.json", text, strlen(text), &b, &err);
        if (st == CA_OK) st = ca_baseline_write(&r, "0.1.0", &out);
        ca_alloc_fail_after(0);
        ca_baseline_error_fini(&err);
        ca_buf_fini(&out);
        ca_baseline_fini(&b);
        if (st == CA_OK) break;
        assert_int_equal(st, CA_ERR_NOMEM);
    }
    assert_true(n > 3 && n < 10000);
    ca_free(text);
    ca_results_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_written_baseline_reads_back_with_every_fingerprint),
        cmocka_unit_test(test_the_written_file_does_not_change_when_lines_move),
        cmocka_unit_test(test_findings_that_moved_stay_baselined_and_new_ones_are_kept),
        cmocka_unit_test(test_an_empty_baseline_keeps_everything),
        cmocka_unit_test(test_malformed_baselines_are_rejected_naming_line_and_column),
        cmocka_unit_test(test_a_missing_file_is_an_io_error_naming_it),
        cmocka_unit_test(test_allocation_failures_never_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
