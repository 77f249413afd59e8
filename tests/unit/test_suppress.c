/* test_suppress.c: suppression comments are found where a C lexer finds comments, cover their
 * own lines and the next, silence only the rules they name, and unused, reasonless, unknown and
 * malformed ones become diagnostics; allocation failures never leak (run under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suppress.h"
#include "testutil.h"

static struct ca_rules *R;

static int setup(void **state)
{
    struct ca_rules_error err;
    (void)state;
    return ca_rules_load(tu_rules_dir(), &R, &err) == CA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ca_rules_free(R);
    return 0;
}

static void scan(struct ca_suppressions *s, const char *file, const char *text)
{
    assert_int_equal(ca_suppress_scan(s, file, text, strlen(text), true), CA_OK);
}

static void add_diag(struct ca_results *r, const char *rule, const char *file, uint32_t line)
{
    struct ca_diagnostic d;
    memset(&d, 0, sizeof d);
    d.rule = rule;
    d.severity = CA_SEV_WARNING;
    d.file = file;
    d.line = line;
    d.col = 5;
    d.message = "m";
    d.function = "f";
    assert_int_equal(ca_results_add_diag(r, &d), CA_OK);
}

/* ---- scanning */

static void test_line_and_block_comments_with_rules_and_reasons_are_found(void **state)
{
    struct ca_suppressions s;
    (void)state;
    ca_suppressions_init(&s);
    scan(&s, "a.c",
         "int x;\n"
         "    /* concadvise: ignore[gil-blocking-io-held] the fd is non-blocking */\n"
         "n = recv(fd, b, 1, 0); // concadvise: ignore[gil-api-without-gil, mt-thread-unsafe-call] -- held by caller\n"
         "/*\n"
         " * concadvise: ignore[gil-nested-release]\n"
         " */\n"
         "/* concadvise: ignore[gil-unbalanced-release] a reason\n"
         " * that goes on\n"
         " */\n");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.v[0].file, "a.c");
    assert_int_equal(s.v[0].line, 2);
    assert_int_equal(s.v[0].col, 8);
    assert_int_equal(s.v[0].end_line, 2);
    assert_int_equal(s.v[0].nrules, 1);
    assert_string_equal(s.v[0].rules[0], "gil-blocking-io-held");
    assert_string_equal(s.v[0].reason, "the fd is non-blocking");
    assert_int_equal(s.v[1].line, 3);
    assert_int_equal(s.v[1].col, 27);
    assert_int_equal(s.v[1].nrules, 2);
    assert_string_equal(s.v[1].rules[1], "mt-thread-unsafe-call");
    assert_string_equal(s.v[1].reason, "held by caller");
    /* the comment of lines 4-6 does not start with the tag: ordinary prose */
    assert_int_equal(s.v[2].line, 7);
    assert_int_equal(s.v[2].end_line, 9);
    assert_string_equal(s.v[2].reason, "a reason that goes on");
    ca_suppressions_fini(&s);
}

static void test_the_tag_inside_strings_and_char_literals_is_not_a_comment(void **state)
{
    struct ca_suppressions s;
    (void)state;
    ca_suppressions_init(&s);
    scan(&s, "a.c",
         "const char *a = \"// concadvise: ignore[gil-blocking-io-held] x\";\n"
         "const char *b = \"/* concadvise: ignore[gil-blocking-io-held] x */\";\n"
         "char q = '\"'; const char *c = \"\\\" /* concadvise: ignore[x-y] z */\";\n"
         "const char *d = \"split \\\n"
         "line\"; // concadvise: ignore[gil-nested-release] real\n");
    assert_int_equal(s.n, 1);
    assert_int_equal(s.v[0].line, 5);
    assert_string_equal(s.v[0].rules[0], "gil-nested-release");
    ca_suppressions_fini(&s);
}

static void test_missing_reason_is_recorded_as_null(void **state)
{
    struct ca_suppressions s;
    (void)state;
    ca_suppressions_init(&s);
    scan(&s, "a.c", "// concadvise: ignore[gil-blocking-io-held]\n/* concadvise: ignore[gil-blocking-io-held]   */\n");
    assert_int_equal(s.n, 2);
    assert_null(s.v[0].reason);
    assert_null(s.v[1].reason);
    assert_null(s.v[0].malformed);
    ca_suppressions_fini(&s);
}

static void test_malformed_suppressions_are_recorded_and_prose_is_left_alone(void **state)
{
    struct ca_suppressions s;
    (void)state;
    ca_suppressions_init(&s);
    scan(&s, "a.c",
         "// concadvise: ignore gil-blocking-io-held because\n"
         "// concadvise: ignore[gil-blocking-io-held because\n"
         "// concadvise: ignore[] nothing\n"
         "// concadvise: ignore[Gil_Blocking] caps\n"
         "// concadvise: ingore[gil-blocking-io-held] typo\n"
         "// concadvise: this file is analysed nightly\n"
         "// see concadvise: ignore[gil-blocking-io-held] not at the start\n");
    assert_int_equal(s.n, 5);
    assert_non_null(strstr(s.v[0].malformed, "expected '['"));
    assert_non_null(strstr(s.v[1].malformed, "missing ']'"));
    assert_non_null(strstr(s.v[2].malformed, "no rule id"));
    assert_non_null(strstr(s.v[3].malformed, "unexpected 'G'"));
    assert_non_null(strstr(s.v[4].malformed, "unknown directive \"ingore\""));
    ca_suppressions_fini(&s);
}

/* ---- applying */

static void test_a_suppression_covers_its_line_and_the_next_for_the_rules_it_names(void **state)
{
    struct ca_suppressions s;
    struct ca_results r;
    uint32_t removed = 0;
    (void)state;
    ca_suppressions_init(&s);
    ca_results_init(&r);
    scan(&s, "a.c",
         "\n"
         "// concadvise: ignore[gil-blocking-io-held] reason\n" /* line 2: covers 2 and 3 */
         "x;\n"
         "y;\n");
    add_diag(&r, "gil-blocking-io-held", "a.c", 1); /* before: kept */
    add_diag(&r, "gil-blocking-io-held", "a.c", 2); /* same line: silenced */
    add_diag(&r, "gil-blocking-io-held", "a.c", 3); /* next line: silenced */
    add_diag(&r, "gil-blocking-io-held", "a.c", 4); /* two lines below: kept */
    add_diag(&r, "gil-api-without-gil", "a.c", 3);  /* other rule: kept */
    add_diag(&r, "gil-blocking-io-held", "b.c", 3); /* other file: kept */
    ca_suppress_apply(&s, &r, &removed);
    assert_int_equal(removed, 2);
    assert_int_equal(r.ndiags, 4);
    assert_int_equal(r.diags[0].line, 1);
    assert_int_equal(r.diags[1].line, 4);
    assert_string_equal(r.diags[2].rule, "gil-api-without-gil");
    assert_string_equal(r.diags[3].file, "b.c");
    assert_int_equal(s.v[0].used[0], 2);
    ca_results_fini(&r);
    ca_suppressions_fini(&s);
}

static void test_a_block_comment_covers_every_line_it_spans_and_the_next(void **state)
{
    struct ca_suppressions s;
    struct ca_results r;
    uint32_t removed = 0;
    (void)state;
    ca_suppressions_init(&s);
    ca_results_init(&r);
    scan(&s, "a.c", "/* concadvise: ignore[mt-thread-unsafe-call] single-threaded\n * tool\n */\nrand();\nrand();\n");
    add_diag(&r, "mt-thread-unsafe-call", "a.c", 4);
    add_diag(&r, "mt-thread-unsafe-call", "a.c", 5);
    ca_suppress_apply(&s, &r, &removed);
    assert_int_equal(removed, 1);
    assert_int_equal(r.diags[0].line, 5);
    ca_results_fini(&r);
    ca_suppressions_fini(&s);
}

/* ---- reporting */

static void test_unused_reasonless_unknown_and_malformed_suppressions_are_reported(void **state)
{
    struct ca_suppressions s;
    struct ca_results r;
    (void)state;
    ca_suppressions_init(&s);
    ca_results_init(&r);
    scan(&s, "a.c",
         "// concadvise: ignore[gil-blocking-io-held] used\n"           /* 1 */
         "recv();\n"                                                    /* 2 */
         "// concadvise: ignore[gil-api-without-gil] nothing here\n"    /* 3: unused */
         "x;\n"                                                         /* 4 */
         "// concadvise: ignore[gil-nested-release]\n"                  /* 5: no reason (used) */
         "Py_BEGIN_ALLOW_THREADS\n"                                     /* 6 */
         "// concadvise: ignore[gil-blockng-io-held, gil-unbalanced-release] r\n" /* 7: unknown + unused */
         "// concadvise: ignore[oops\n");                               /* 8: malformed */
    assert_int_equal(ca_suppress_scan(&s, "h.h", "// concadvise: ignore[gil-api-without-gil] header\n", 50, false), CA_OK);
    add_diag(&r, "gil-blocking-io-held", "a.c", 2);
    add_diag(&r, "gil-nested-release", "a.c", 6);
    ca_suppress_apply(&s, &r, NULL);
    assert_int_equal(r.ndiags, 0);
    assert_int_equal(ca_suppress_report(&s, R, &r), CA_OK);
    ca_results_sort(&r);
    assert_int_equal(r.ndiags, 5);
    assert_string_equal(r.diags[0].rule, CA_SUPPRESS_UNUSED_RULE);
    assert_int_equal(r.diags[0].line, 3);
    assert_int_equal(r.diags[0].severity, CA_SEV_NOTE);
    assert_null(r.diags[0].function);
    assert_string_equal(r.diags[0].message,
                        "unused suppression: no gil-api-without-gil finding on this line or the next; remove it or move "
                        "it to the line before the finding");
    assert_string_equal(r.diags[1].rule, CA_SUPPRESS_INVALID_RULE);
    assert_int_equal(r.diags[1].line, 5);
    assert_int_equal(r.diags[1].severity, CA_SEV_WARNING);
    assert_non_null(strstr(r.diags[1].message, "without a reason"));
    /* line 7: sorted by rule then message */
    assert_string_equal(r.diags[2].rule, CA_SUPPRESS_INVALID_RULE);
    assert_string_equal(r.diags[2].message, "suppression names an unknown rule: gil-blockng-io-held (see concadvise --list-rules)");
    assert_string_equal(r.diags[3].rule, CA_SUPPRESS_UNUSED_RULE);
    assert_non_null(strstr(r.diags[3].message, "no gil-unbalanced-release finding"));
    assert_int_equal(r.diags[4].line, 8);
    assert_non_null(strstr(r.diags[4].message, "malformed suppression comment: missing ']'"));
    /* the header's unused suppression is not reported: it was not analysed on its own */
    ca_results_fini(&r);
    ca_suppressions_fini(&s);
}

static void test_the_tools_own_findings_are_never_suppressed(void **state)
{
    struct ca_suppressions s;
    struct ca_results r;
    (void)state;
    ca_suppressions_init(&s);
    ca_results_init(&r);
    scan(&s, "a.c", "// concadvise: ignore[concadvise-unused-suppression] no\n");
    add_diag(&r, CA_SUPPRESS_UNUSED_RULE, "a.c", 1);
    ca_suppress_apply(&s, &r, NULL);
    assert_int_equal(r.ndiags, 1);
    ca_results_fini(&r);
    ca_suppressions_fini(&s);
}

static void test_allocation_failures_never_leak(void **state)
{
    static const char text[] = "// concadvise: ignore[gil-blocking-io-held] used\nrecv();\n"
                               "/* concadvise: ignore[a-b, c-d]\n */\n// concadvise: ignore[\n";
    long n;
    (void)state;
    for (n = 1; n < 10000; n++) {
        struct ca_suppressions s;
        struct ca_results r;
        enum ca_status st;
        ca_suppressions_init(&s);
        ca_results_init(&r);
        ca_alloc_fail_after(n);
        st = ca_suppress_scan(&s, "a.c", text, strlen(text), true);
        if (st == CA_OK) {
            struct ca_diagnostic d = {"gil-blocking-io-held", CA_SEV_WARNING, "a.c", 2, 1, "m", NULL, NULL};
            st = ca_results_add_diag(&r, &d);
            if (st == CA_OK) ca_suppress_apply(&s, &r, NULL);
            if (st == CA_OK) st = ca_suppress_report(&s, R, &r);
        }
        ca_alloc_fail_after(0);
        if (st == CA_OK) assert_int_equal(r.ndiags, 3);
        else assert_int_equal(st, CA_ERR_NOMEM);
        ca_results_fini(&r);
        ca_suppressions_fini(&s);
        if (st == CA_OK) break;
    }
    assert_true(n > 3 && n < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_and_block_comments_with_rules_and_reasons_are_found),
        cmocka_unit_test(test_the_tag_inside_strings_and_char_literals_is_not_a_comment),
        cmocka_unit_test(test_missing_reason_is_recorded_as_null),
        cmocka_unit_test(test_malformed_suppressions_are_recorded_and_prose_is_left_alone),
        cmocka_unit_test(test_a_suppression_covers_its_line_and_the_next_for_the_rules_it_names),
        cmocka_unit_test(test_a_block_comment_covers_every_line_it_spans_and_the_next),
        cmocka_unit_test(test_unused_reasonless_unknown_and_malformed_suppressions_are_reported),
        cmocka_unit_test(test_the_tools_own_findings_are_never_suppressed),
        cmocka_unit_test(test_allocation_failures_never_leak),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
