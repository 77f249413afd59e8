/* test_results.c: the results model: deep copies, sort order, summary counts, enum names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "results.h"

/* A heap copy the test can scribble over and free after the add. */
static char *dup(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

static void scribble_free(char *s)
{
    memset(s, 'X', strlen(s));
    free(s);
}

static struct ca_loop_result loop_at(const char *file, uint32_t line, uint32_t col)
{
    struct ca_loop_result l;
    memset(&l, 0, sizeof l);
    l.file = file;
    l.line = line;
    l.col = col;
    l.end_line = line + 1;
    l.function = "f";
    l.kind = "for";
    return l;
}

static struct ca_diagnostic diag_at(const char *file, uint32_t line, uint32_t col, const char *rule)
{
    struct ca_diagnostic d;
    memset(&d, 0, sizeof d);
    d.rule = rule;
    d.severity = CA_SEV_WARNING;
    d.file = file;
    d.line = line;
    d.col = col;
    d.message = "m";
    return d;
}

static void test_added_loop_survives_freeing_every_source_string(void **state)
{
    struct ca_results r;
    struct ca_loop_result l;
    struct ca_evidence ev[2];
    const char *reasons[2];
    char *s[12];
    int i;
    (void)state;

    s[0] = dup("a.c");
    s[1] = dup("recv_all");
    s[2] = dup("while");
    s[3] = dup("blocks in recv()");
    s[4] = dup("the GIL is held");
    s[5] = dup("a.c");
    s[6] = dup("io-call");
    s[7] = dup("recv");
    s[8] = dup("helper.h");
    s[9] = dup("python-api");
    s[10] = dup("PyList_Append");
    s[11] = dup("wrap -> append");
    memset(ev, 0, sizeof ev);
    ev[0] = (struct ca_evidence){s[5], 3, 4, s[6], s[7], NULL};
    ev[1] = (struct ca_evidence){s[8], 9, 1, s[9], s[10], s[11]};
    reasons[0] = s[3];
    reasons[1] = s[4];
    l = loop_at(s[0], 2, 5);
    l.function = s[1];
    l.kind = s[2];
    l.cls = CA_CLASS_IO;
    l.gil = CA_GIL_HELD;
    l.rec = CA_REC_RELEASE_GIL;
    l.conf = CA_CONF_HIGH;
    l.hotness = 62;
    l.hot = true;
    l.python_api = true;
    l.reasons = reasons;
    l.nreasons = 2;
    l.evidence = ev;
    l.nevidence = 2;

    ca_results_init(&r);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    for (i = 0; i < 12; i++) scribble_free(s[i]);
    memset(ev, 0, sizeof ev);
    memset(reasons, 0, sizeof reasons);

    assert_int_equal(r.nloops, 1);
    assert_string_equal(r.loops[0].file, "a.c");
    assert_string_equal(r.loops[0].function, "recv_all");
    assert_string_equal(r.loops[0].kind, "while");
    assert_int_equal(r.loops[0].line, 2);
    assert_int_equal(r.loops[0].col, 5);
    assert_int_equal(r.loops[0].cls, CA_CLASS_IO);
    assert_int_equal(r.loops[0].hotness, 62);
    assert_true(r.loops[0].hot);
    assert_true(r.loops[0].python_api);
    assert_int_equal(r.loops[0].nreasons, 2);
    assert_string_equal(r.loops[0].reasons[0], "blocks in recv()");
    assert_string_equal(r.loops[0].reasons[1], "the GIL is held");
    assert_int_equal(r.loops[0].nevidence, 2);
    assert_string_equal(r.loops[0].evidence[0].file, "a.c");
    assert_string_equal(r.loops[0].evidence[0].kind, "io-call");
    assert_string_equal(r.loops[0].evidence[0].name, "recv");
    assert_null(r.loops[0].evidence[0].via);
    assert_string_equal(r.loops[0].evidence[1].file, "helper.h");
    assert_int_equal(r.loops[0].evidence[1].line, 9);
    assert_string_equal(r.loops[0].evidence[1].via, "wrap -> append");
    ca_results_fini(&r);
}

static void test_added_input_and_diagnostic_survive_freeing_their_sources(void **state)
{
    struct ca_results r;
    struct ca_input_result in;
    struct ca_input_error err[1];
    struct ca_diagnostic d;
    char *s[7];
    int i;
    (void)state;

    s[0] = dup("b.c");
    s[1] = dup("b.c");
    s[2] = dup("expected ';'");
    s[3] = dup("gil-blocking-io-held");
    s[4] = dup("c.c");
    s[5] = dup("recv() blocks with the GIL held");
    s[6] = dup("recv_all");
    err[0] = (struct ca_input_error){s[1], 7, 3, s[2]};
    memset(&in, 0, sizeof in);
    in.file = s[0];
    in.state = CA_INPUT_ERROR;
    in.python = true;
    in.errors = err;
    in.nerrors = 1;
    d = diag_at(s[4], 4, 2, s[3]);
    d.message = s[5];
    d.function = s[6];
    d.severity = CA_SEV_ERROR;

    ca_results_init(&r);
    assert_int_equal(ca_results_add_input(&r, &in), CA_OK);
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    for (i = 0; i < 7; i++) scribble_free(s[i]);
    memset(err, 0, sizeof err);

    assert_int_equal(r.ninputs, 1);
    assert_string_equal(r.inputs[0].file, "b.c");
    assert_int_equal(r.inputs[0].state, CA_INPUT_ERROR);
    assert_true(r.inputs[0].python);
    assert_int_equal(r.inputs[0].nerrors, 1);
    assert_string_equal(r.inputs[0].errors[0].file, "b.c");
    assert_int_equal(r.inputs[0].errors[0].line, 7);
    assert_string_equal(r.inputs[0].errors[0].message, "expected ';'");
    assert_int_equal(r.ndiags, 1);
    assert_string_equal(r.diags[0].rule, "gil-blocking-io-held");
    assert_string_equal(r.diags[0].file, "c.c");
    assert_string_equal(r.diags[0].message, "recv() blocks with the GIL held");
    assert_string_equal(r.diags[0].function, "recv_all");
    assert_int_equal(r.diags[0].severity, CA_SEV_ERROR);
    ca_results_fini(&r);
}

static void test_null_strings_and_empty_arrays_stay_null(void **state)
{
    struct ca_results r;
    struct ca_loop_result l = loop_at("a.c", 1, 1);
    struct ca_diagnostic d = diag_at("a.c", 1, 1, "x");
    struct ca_input_result in;
    (void)state;

    l.function = NULL;
    d.function = NULL;
    memset(&in, 0, sizeof in);
    in.file = "a.c";
    ca_results_init(&r);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    assert_int_equal(ca_results_add_input(&r, &in), CA_OK);
    assert_null(r.loops[0].function);
    assert_null(r.loops[0].reasons);
    assert_null(r.loops[0].evidence);
    assert_null(r.diags[0].function);
    assert_null(r.inputs[0].errors);
    ca_results_fini(&r);
}

static void test_add_rejects_a_count_without_its_array(void **state)
{
    struct ca_results r;
    struct ca_loop_result l = loop_at("a.c", 1, 1);
    struct ca_input_result in;
    (void)state;

    l.nreasons = 1;
    memset(&in, 0, sizeof in);
    in.nerrors = 2;
    ca_results_init(&r);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_ERR_USAGE);
    assert_int_equal(ca_results_add_input(&r, &in), CA_ERR_USAGE);
    assert_int_equal(r.nloops, 0);
    assert_int_equal(r.ninputs, 0);
    ca_results_fini(&r);
}

static void test_sort_orders_inputs_by_file(void **state)
{
    static const char *files[] = {"src/z.c", "a.c", "src/b.c", "B.c"};
    struct ca_results r;
    struct ca_input_result in;
    int i;
    (void)state;

    ca_results_init(&r);
    for (i = 0; i < 4; i++) {
        memset(&in, 0, sizeof in);
        in.file = files[i];
        assert_int_equal(ca_results_add_input(&r, &in), CA_OK);
    }
    ca_results_sort(&r);
    /* bytewise, not by locale: upper case before lower case */
    assert_string_equal(r.inputs[0].file, "B.c");
    assert_string_equal(r.inputs[1].file, "a.c");
    assert_string_equal(r.inputs[2].file, "src/b.c");
    assert_string_equal(r.inputs[3].file, "src/z.c");
    ca_results_fini(&r);
}

static void test_sort_orders_loops_by_file_then_line_then_column(void **state)
{
    struct ca_results r;
    struct ca_loop_result l;
    (void)state;

    ca_results_init(&r);
    l = loop_at("b.c", 1, 1);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    l = loop_at("a.c", 20, 3);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    l = loop_at("a.c", 20, 1);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    l = loop_at("a.c", 3, 9);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    ca_results_sort(&r);
    assert_string_equal(r.loops[0].file, "a.c");
    assert_int_equal(r.loops[0].line, 3);
    assert_int_equal(r.loops[1].line, 20);
    assert_int_equal(r.loops[1].col, 1);
    assert_int_equal(r.loops[2].line, 20);
    assert_int_equal(r.loops[2].col, 3);
    assert_string_equal(r.loops[3].file, "b.c");
    ca_results_fini(&r);
}

static void test_sort_orders_diagnostics_by_rule_within_the_same_location(void **state)
{
    struct ca_results r;
    struct ca_diagnostic d;
    (void)state;

    ca_results_init(&r);
    d = diag_at("a.c", 5, 2, "mt-thread-unsafe-call");
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    d = diag_at("a.c", 5, 2, "gil-blocking-io-held");
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    d = diag_at("a.c", 5, 2, "advise-release-gil");
    d.message = "z";
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    d = diag_at("a.c", 5, 2, "advise-release-gil");
    d.message = "a";
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    d = diag_at("a.c", 4, 80, "zz-last-rule");
    assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    ca_results_sort(&r);
    assert_string_equal(r.diags[0].rule, "zz-last-rule");
    assert_string_equal(r.diags[1].rule, "advise-release-gil");
    assert_string_equal(r.diags[1].message, "a");
    assert_string_equal(r.diags[2].rule, "advise-release-gil");
    assert_string_equal(r.diags[2].message, "z");
    assert_string_equal(r.diags[3].rule, "gil-blocking-io-held");
    assert_string_equal(r.diags[4].rule, "mt-thread-unsafe-call");
    ca_results_fini(&r);
}

/* Two loops at one place (a header seen from two translation units, or a macro expanded twice)
 * that differ only in their evidence must still come out in one order. */
static void add_twins(struct ca_results *r, bool reversed)
{
    struct ca_evidence e1 = {"h.h", 2, 3, "io-call", "read", NULL};
    struct ca_evidence e2 = {"h.h", 2, 3, "io-call", "write", NULL};
    struct ca_loop_result a = loop_at("h.h", 1, 1), b = loop_at("h.h", 1, 1);
    struct ca_diagnostic d1 = diag_at("h.h", 1, 1, "r"), d2 = diag_at("h.h", 1, 1, "r");
    a.evidence = &e1;
    a.nevidence = 1;
    b.evidence = &e2;
    b.nevidence = 1;
    d1.function = NULL;
    d2.function = "g";
    assert_int_equal(ca_results_add_loop(r, reversed ? &b : &a), CA_OK);
    assert_int_equal(ca_results_add_loop(r, reversed ? &a : &b), CA_OK);
    assert_int_equal(ca_results_add_diag(r, reversed ? &d2 : &d1), CA_OK);
    assert_int_equal(ca_results_add_diag(r, reversed ? &d1 : &d2), CA_OK);
    ca_results_sort(r);
}

static void test_sort_breaks_every_tie_so_insertion_order_does_not_matter(void **state)
{
    struct ca_results r1, r2;
    (void)state;
    ca_results_init(&r1);
    ca_results_init(&r2);
    add_twins(&r1, false);
    add_twins(&r2, true);
    assert_string_equal(r1.loops[0].evidence[0].name, "read");
    assert_string_equal(r2.loops[0].evidence[0].name, "read");
    assert_null(r1.diags[0].function);
    assert_null(r2.diags[0].function);
    ca_results_fini(&r1);
    ca_results_fini(&r2);
}

static void test_summarize_counts_inputs_loops_and_diagnostics(void **state)
{
    struct ca_results r;
    struct ca_results_summary s;
    struct ca_input_result in;
    struct ca_loop_result l;
    struct ca_diagnostic d;
    int i;
    (void)state;

    ca_results_init(&r);
    for (i = 0; i < 3; i++) {
        memset(&in, 0, sizeof in);
        in.file = "x.c";
        in.state = (enum ca_input_state)i;
        assert_int_equal(ca_results_add_input(&r, &in), CA_OK);
    }
    for (i = 0; i < 5; i++) {
        l = loop_at("x.c", (uint32_t)i + 1, 1);
        l.cls = (enum ca_class)(i % 4);
        l.gil = (enum ca_gil)i;
        l.rec = (enum ca_rec)(4 - i);
        l.hot = i % 2 == 0;
        assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    }
    for (i = 0; i < 4; i++) {
        d = diag_at("x.c", 1, 1, "r");
        d.severity = i == 3 ? CA_SEV_ERROR : CA_SEV_WARNING;
        assert_int_equal(ca_results_add_diag(&r, &d), CA_OK);
    }
    ca_results_summarize(&r, &s);
    assert_int_equal(s.files, 3);
    assert_int_equal(s.files_ok, 1);
    assert_int_equal(s.files_failed, 2);
    assert_int_equal(s.loops, 5);
    assert_int_equal(s.hot_loops, 3);
    assert_int_equal(s.by_class[CA_CLASS_UNKNOWN], 2); /* i = 0 and 4 */
    assert_int_equal(s.by_class[CA_CLASS_IO], 1);
    assert_int_equal(s.by_class[CA_CLASS_CPU], 1);
    assert_int_equal(s.by_class[CA_CLASS_MIXED], 1);
    for (i = 0; i < 5; i++) assert_int_equal(s.by_gil[i], 1);
    for (i = 0; i < 5; i++) assert_int_equal(s.by_rec[i], 1);
    assert_int_equal(s.by_severity[CA_SEV_NOTE], 0);
    assert_int_equal(s.by_severity[CA_SEV_WARNING], 3);
    assert_int_equal(s.by_severity[CA_SEV_ERROR], 1);
    ca_results_fini(&r);
}

static void test_summarize_of_empty_results_is_all_zero(void **state)
{
    struct ca_results r;
    struct ca_results_summary s, zero;
    (void)state;
    ca_results_init(&r);
    memset(&s, 0xff, sizeof s);
    memset(&zero, 0, sizeof zero);
    ca_results_summarize(&r, &s);
    assert_memory_equal(&s, &zero, sizeof s);
    ca_results_fini(&r);
}

/* Every name is the documented one and no two values of one enum share a name. */
static void check_names(const char *const *want, int n, const char *(*name)(int))
{
    int i, j;
    for (i = 0; i < n; i++) {
        assert_string_equal(name(i), want[i]);
        for (j = 0; j < i; j++) assert_string_not_equal(name(i), name(j));
    }
    assert_string_equal(name(n), "invalid");
}

static const char *class_name(int v) { return ca_class_str((enum ca_class)v); }
static const char *gil_name(int v) { return ca_gil_str((enum ca_gil)v); }
static const char *rec_name(int v) { return ca_rec_str((enum ca_rec)v); }
static const char *conf_name(int v) { return ca_conf_str((enum ca_conf)v); }
static const char *sev_name(int v) { return ca_severity_str((enum ca_severity)v); }
static const char *input_name(int v) { return ca_input_state_str((enum ca_input_state)v); }

static void test_enum_names_are_the_documented_ones(void **state)
{
    static const char *cls[] = {"unknown", "io", "cpu", "mixed"};
    static const char *gil[] = {"unknown", "held", "released", "mixed", "none"};
    static const char *rec[] = {"unknown", "none", "threading", "multiprocessing", "release-gil"};
    static const char *conf[] = {"low", "medium", "high"};
    static const char *sev[] = {"note", "warning", "error"};
    static const char *input[] = {"ok", "error", "missing", "included"};
    (void)state;
    check_names(cls, 4, class_name);
    check_names(gil, 5, gil_name);
    check_names(rec, 5, rec_name);
    check_names(conf, 3, conf_name);
    check_names(sev, 3, sev_name);
    check_names(input, 4, input_name);
}

static void test_severity_names_round_trip_through_parse(void **state)
{
    enum ca_severity s, back;
    (void)state;
    for (s = CA_SEV_NOTE; s <= CA_SEV_ERROR; s++) {
        back = (enum ca_severity)99;
        assert_true(ca_severity_parse(ca_severity_str(s), &back));
        assert_int_equal(back, s);
    }
}

static void test_severity_parse_rejects_anything_else(void **state)
{
    static const char *bad[] = {"", "Error", "warn", "notes", "error ", "fatal", "info"};
    enum ca_severity out = CA_SEV_WARNING;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_false(ca_severity_parse(bad[i], &out));
    assert_false(ca_severity_parse(NULL, &out));
    assert_int_equal(out, CA_SEV_WARNING); /* untouched on failure */
}

/* Fill a results with one of each, failing the Nth allocation; true once nothing failed. */
static bool build_with_failure(long n)
{
    struct ca_evidence ev = {"a.c", 1, 2, "io-call", "recv", "h -> recv"};
    const char *reasons[] = {"one", "two"};
    struct ca_input_error err = {"a.c", 1, 1, "boom"};
    struct ca_input_result in;
    struct ca_loop_result l = loop_at("a.c", 1, 1);
    struct ca_diagnostic d = diag_at("a.c", 1, 1, "r");
    struct ca_results r;
    enum ca_status st;
    bool all_ok = true;
    int i;

    memset(&in, 0, sizeof in);
    in.file = "a.c";
    in.errors = &err;
    in.nerrors = 1;
    l.reasons = reasons;
    l.nreasons = 2;
    l.evidence = &ev;
    l.nevidence = 1;
    ca_results_init(&r);
    ca_alloc_fail_after(n);
    /* enough adds to grow each array past its first capacity (8) */
    for (i = 0; i < 10; i++) {
        uint32_t before = r.ninputs;
        st = ca_results_add_input(&r, &in);
        assert_true(st == CA_OK || st == CA_ERR_NOMEM);
        assert_int_equal(r.ninputs, before + (st == CA_OK)); /* a failed add appends nothing */
        all_ok &= st == CA_OK;
        before = r.nloops;
        st = ca_results_add_loop(&r, &l);
        assert_true(st == CA_OK || st == CA_ERR_NOMEM);
        assert_int_equal(r.nloops, before + (st == CA_OK));
        all_ok &= st == CA_OK;
        before = r.ndiags;
        st = ca_results_add_diag(&r, &d);
        assert_true(st == CA_OK || st == CA_ERR_NOMEM);
        assert_int_equal(r.ndiags, before + (st == CA_OK));
        all_ok &= st == CA_OK;
    }
    ca_alloc_fail_after(0);
    ca_results_fini(&r);
    return all_ok;
}

static void test_add_reports_nomem_and_leaks_nothing_when_any_allocation_fails(void **state)
{
    long n;
    (void)state;
    for (n = 1; n < 1000; n++)
        if (build_with_failure(n)) break;
    assert_true(n > 1);
    assert_true(n < 1000);
}

static void test_fini_leaves_results_ready_for_init_and_reuse(void **state)
{
    struct ca_results r;
    struct ca_loop_result l = loop_at("a.c", 1, 1);
    (void)state;
    ca_results_init(&r);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    ca_results_fini(&r);
    assert_int_equal(r.nloops, 0);
    assert_null(r.loops);
    ca_results_fini(&r); /* twice is harmless */
    ca_results_fini(NULL);
    ca_results_init(&r);
    assert_int_equal(ca_results_add_loop(&r, &l), CA_OK);
    ca_results_fini(&r);
}

static void test_dedupe_keeps_one_loop_and_one_diagnostic_per_place(void **state)
{
    struct ca_results r;
    struct ca_loop_result l1 = loop_at("x.h", 5, 3), l2 = loop_at("x.h", 5, 3), l3 = loop_at("x.h", 9, 3);
    struct ca_diagnostic d1 = diag_at("x.h", 6, 1, "r"), d2 = diag_at("x.h", 6, 1, "r");
    (void)state;
    ca_results_init(&r);
    l2.gil = CA_GIL_RELEASED; /* the same header loop seen from another translation unit */
    assert_int_equal(ca_results_add_loop(&r, &l1), CA_OK);
    assert_int_equal(ca_results_add_loop(&r, &l2), CA_OK);
    assert_int_equal(ca_results_add_loop(&r, &l3), CA_OK);
    assert_int_equal(ca_results_add_diag(&r, &d1), CA_OK);
    assert_int_equal(ca_results_add_diag(&r, &d2), CA_OK);
    ca_results_sort(&r);
    ca_results_dedupe(&r);
    assert_int_equal(r.nloops, 2);
    assert_int_equal(r.ndiags, 1);
    ca_results_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dedupe_keeps_one_loop_and_one_diagnostic_per_place),
        cmocka_unit_test(test_added_loop_survives_freeing_every_source_string),
        cmocka_unit_test(test_added_input_and_diagnostic_survive_freeing_their_sources),
        cmocka_unit_test(test_null_strings_and_empty_arrays_stay_null),
        cmocka_unit_test(test_add_rejects_a_count_without_its_array),
        cmocka_unit_test(test_sort_orders_inputs_by_file),
        cmocka_unit_test(test_sort_orders_loops_by_file_then_line_then_column),
        cmocka_unit_test(test_sort_orders_diagnostics_by_rule_within_the_same_location),
        cmocka_unit_test(test_sort_breaks_every_tie_so_insertion_order_does_not_matter),
        cmocka_unit_test(test_summarize_counts_inputs_loops_and_diagnostics),
        cmocka_unit_test(test_summarize_of_empty_results_is_all_zero),
        cmocka_unit_test(test_enum_names_are_the_documented_ones),
        cmocka_unit_test(test_severity_names_round_trip_through_parse),
        cmocka_unit_test(test_severity_parse_rejects_anything_else),
        cmocka_unit_test(test_add_reports_nomem_and_leaks_nothing_when_any_allocation_fails),
        cmocka_unit_test(test_fini_leaves_results_ready_for_init_and_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
