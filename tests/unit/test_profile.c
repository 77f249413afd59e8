/* test_profile.c: collapsed stacks -> loop weights (--profile). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "profile.h"
#include "testutil.h"

static void add_loop(struct ca_results *r, const char *fn, uint32_t line)
{
    struct ca_loop_result l;
    memset(&l, 0, sizeof l);
    l.file = "m.c";
    l.line = line;
    l.col = 5;
    l.function = fn;
    l.kind = "for";
    assert_int_equal(ca_results_add_loop(r, &l), CA_OK);
}

static struct ca_profile *parse(const char *text)
{
    struct ca_profile *p = NULL;
    struct ca_profile_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(ca_profile_parse("t.folded", text, strlen(text), &p, &err), CA_OK);
    return p;
}

static void test_frame_names_are_normalised_across_profilers(void **state)
{
    char out[64];
    const char *cases[][2] = {
        {"blur+0x1f", "blur"},
        {"blur [_imaging.cpython-311-x86_64-linux-gnu.so]", "blur"},
        {"blur (src/_imaging.c:120)", "blur"},
        {"ImagingFilter.isra.0", "ImagingFilter"},
        {"ImagingFilter.constprop.3.cold", "ImagingFilter"},
        {"libImaging.so`ImagingFilter", "ImagingFilter"},
        {"do_syscall_64_[k]", "do_syscall_64"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(ca_profile_frame_name(cases[i][0], strlen(cases[i][0]), out, sizeof out), cases[i][1]);
}

static void test_loops_get_the_inclusive_share_of_their_function(void **state)
{
    struct ca_results r;
    struct ca_profile *p = parse("main;py_call;blur;blur_row 60\n"
                                 "main;py_call;blur 20\n"
                                 "main;py_call;sum 15\n"
                                 "main;idle 5\n");
    const char *fns[] = {"blur", "blur_row", "sum", "unused"};
    (void)state;
    ca_results_init(&r);
    add_loop(&r, "blur", 10);
    add_loop(&r, "blur_row", 30);
    add_loop(&r, "sum", 50);
    add_loop(&r, "cold", 70);
    assert_int_equal(ca_profile_apply(p, fns, 4, &r), CA_OK);
    assert_int_equal(r.profile_total, 100);
    assert_true(r.loops[0].profiled);
    assert_int_equal(r.loops[0].profile_samples, 80); /* itself and its callee blur_row */
    assert_int_equal(r.loops[0].profile_permille, 800);
    assert_int_equal(r.loops[1].profile_permille, 600);
    assert_int_equal(r.loops[2].profile_permille, 150);
    assert_false(r.loops[3].profiled);
    /* main, py_call, idle match nothing analysed: listed once each, most samples first */
    assert_int_equal(r.nunprofiled, 3);
    assert_string_equal(r.unprofiled[0].frame, "main");
    assert_int_equal(r.unprofiled[0].samples, 100);
    assert_string_equal(r.unprofiled[1].frame, "py_call");
    assert_string_equal(r.unprofiled[2].frame, "idle");
    ca_results_fini(&r);
    ca_profile_free(p);
}

static void test_recursion_is_counted_once_per_stack(void **state)
{
    struct ca_results r;
    struct ca_profile *p = parse("walk;walk;walk 10\nother 10\n");
    const char *fns[] = {"walk"};
    (void)state;
    ca_results_init(&r);
    add_loop(&r, "walk", 1);
    assert_int_equal(ca_profile_apply(p, fns, 1, &r), CA_OK);
    assert_int_equal(r.loops[0].profile_samples, 10);
    assert_int_equal(r.loops[0].profile_permille, 500);
    ca_results_fini(&r);
    ca_profile_free(p);
}

static void test_python_frames_never_match_c_functions(void **state)
{
    struct ca_results r;
    struct ca_profile *p = parse("<module> (run.py:3);blur (filters.py:10) 7\n<module> (run.py:3);blur 3\n");
    const char *fns[] = {"blur"};
    (void)state;
    ca_results_init(&r);
    add_loop(&r, "blur", 1);
    assert_int_equal(ca_profile_apply(p, fns, 1, &r), CA_OK);
    assert_int_equal(r.loops[0].profile_samples, 3); /* only the native frame of the second stack */
    assert_int_equal(r.nunprofiled, 2);               /* <module> (Python), blur (Python) */
    assert_string_equal(r.unprofiled[1].frame, "blur (Python)");
    ca_results_fini(&r);
    ca_profile_free(p);
}

static void test_bad_line_names_file_and_line(void **state)
{
    struct ca_profile *p = NULL;
    struct ca_profile_error err;
    const char *text = "# perf\nmain;f 3\nmain;g three\n";
    (void)state;
    memset(&err, 0, sizeof err);
    assert_int_equal(ca_profile_parse("prof.folded", text, strlen(text), &p, &err), CA_ERR_PARSE);
    assert_null(p);
    assert_string_equal(err.file, "prof.folded");
    assert_int_equal(err.line, 3);
    ca_profile_error_fini(&err);
}

static void test_allocation_failures_do_not_leak(void **state)
{
    const char *text = "a;b;c 1\nb;c;d 2\nx;y 3\n";
    (void)state;
    for (long n = 1; n < 200; n++) {
        struct ca_profile *p = NULL;
        struct ca_profile_error err;
        enum ca_status st;
        memset(&err, 0, sizeof err);
        ca_alloc_fail_after(n);
        st = ca_profile_parse("t", text, strlen(text), &p, &err);
        ca_alloc_fail_after(0);
        ca_profile_error_fini(&err);
        ca_profile_free(p);
        if (st == CA_OK) return;
        assert_int_equal(st, CA_ERR_NOMEM);
    }
    fail_msg("never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_names_are_normalised_across_profilers),
        cmocka_unit_test(test_loops_get_the_inclusive_share_of_their_function),
        cmocka_unit_test(test_recursion_is_counted_once_per_stack),
        cmocka_unit_test(test_python_frames_never_match_c_functions),
        cmocka_unit_test(test_bad_line_names_file_and_line),
        cmocka_unit_test(test_allocation_failures_do_not_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
