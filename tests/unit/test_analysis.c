/* test_analysis.c: the whole-program analysis on hand-built facts (no libclang): GIL flow through
 * regions, wrappers, helpers, callbacks and error paths; classification; recommendations;
 * diagnostics.  Uses the real catalogs in rules/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analyze.h"
#include "testutil.h"

#include <unistd.h>

static struct ca_rules *rules;

/* ---- a tiny builder: one TU, functions with IR written as nested calls. */
struct tb {
    struct ca_tu_facts f;
    uint32_t func;  /* current function */
    uint32_t loop;  /* current innermost loop or CA_NONE */
    uint32_t line;  /* next line number to hand out */
};

static void tb_init(struct tb *b, const char *path, bool python)
{
    assert_int_equal(ca_facts_init(&b->f, path), CA_OK);
    b->f.python = python;
    b->func = CA_NONE;
    b->loop = CA_NONE;
    b->line = 10;
}

static uint32_t node(struct tb *b, enum ca_ir_kind k, uint32_t flags, uint32_t ref, const char *label)
{
    uint32_t i;
    assert_int_equal(ca_facts_add_ir(&b->f, k, flags, ref, label, &i), CA_OK);
    b->f.ir[i].loc.line = b->line;
    return i;
}

/* Start a function; returns its root SEQ. */
static uint32_t fn(struct tb *b, const char *name, bool is_static)
{
    struct ca_fact_func f = {.name = name, .loc = {b->line, 1}, .end = {b->line + 50, 1}, .is_static = is_static,
                             .ir_root = CA_NONE, .nparams = 1};
    uint32_t root;
    assert_int_equal(ca_facts_add_func(&b->f, &f, &b->func), CA_OK);
    root = node(b, CA_IR_SEQ, 0, CA_NONE, NULL);
    b->f.funcs[b->func].ir_root = root;
    b->line++;
    return root;
}

static uint32_t call(struct tb *b, uint32_t parent, const char *name, const char *macro, uint32_t flags)
{
    struct ca_fact_call c = {.func = b->func, .loop = b->loop, .loc = {b->line++, 5}, .name = name, .macro = macro,
                             .flags = flags | (macro ? CA_CALL_IN_MACRO : 0), .nargs = 1};
    if (strncmp(name, "Py", 2) == 0 || strncmp(name, "_Py", 3) == 0) c.flags |= CA_CALL_PYDECL; /* as Python.h declares them */
    uint32_t ci, n;
    assert_int_equal(ca_facts_add_call(&b->f, &c, &ci), CA_OK);
    n = node(b, CA_IR_CALL, 0, ci, NULL);
    ca_facts_ir_append(&b->f, parent, n);
    return ci;
}

/* Open a loop under `parent`; returns its body SEQ (cond is empty).  Close with loop_end. */
static uint32_t loop(struct tb *b, uint32_t parent, enum ca_bound bound, int64_t trip, uint32_t ops)
{
    struct ca_fact_loop l = {.func = b->func, .parent = b->loop, .kind = CA_LOOP_FOR, .bound = bound, .trip = trip,
                             .loc = {b->line++, 5}, .ops = ops};
    uint32_t li, n, cond, body, inc;
    if (b->loop != CA_NONE) l.depth = b->f.loops[b->loop].depth + 1;
    assert_int_equal(ca_facts_add_loop(&b->f, &l, &li), CA_OK);
    n = node(b, CA_IR_LOOP, CA_IR_TEST_FIRST, li, NULL);
    cond = node(b, CA_IR_SEQ, 0, CA_NONE, NULL);
    body = node(b, CA_IR_SEQ, 0, CA_NONE, NULL);
    inc = node(b, CA_IR_SEQ, 0, CA_NONE, NULL);
    ca_facts_ir_append(&b->f, n, cond);
    ca_facts_ir_append(&b->f, n, body);
    ca_facts_ir_append(&b->f, n, inc);
    ca_facts_ir_append(&b->f, parent, n);
    b->loop = li;
    return body;
}

static void loop_end(struct tb *b)
{
    b->f.loops[b->loop].end_line = b->line++;
    b->loop = b->f.loops[b->loop].parent;
}

static uint32_t branch(struct tb *b, uint32_t parent, bool may_skip, uint32_t *arm2)
{
    uint32_t br = node(b, CA_IR_BRANCH, may_skip ? CA_IR_MAY_SKIP : 0, CA_NONE, NULL);
    uint32_t a1 = node(b, CA_IR_SEQ, 0, CA_NONE, NULL);
    ca_facts_ir_append(&b->f, br, a1);
    if (arm2) {
        *arm2 = node(b, CA_IR_SEQ, 0, CA_NONE, NULL);
        ca_facts_ir_append(&b->f, br, *arm2);
    }
    ca_facts_ir_append(&b->f, parent, br);
    return a1;
}

static void ret(struct tb *b, uint32_t parent)
{
    ca_facts_ir_append(&b->f, parent, node(b, CA_IR_RETURN, 0, CA_NONE, NULL));
    b->line++;
}

static void method_table(struct tb *b, const char *fname)
{
    struct ca_fact_fnref r = {.ctx = CA_FNREF_INIT, .name = fname, .func = CA_NONE, .call = CA_NONE,
                              .holder_type = "PyMethodDef", .loc = {1, 1}};
    assert_int_equal(ca_facts_add_fnref(&b->f, &r, NULL), CA_OK);
}

static void begin_allow(struct tb *b, uint32_t parent) { call(b, parent, "PyEval_SaveThread", "Py_BEGIN_ALLOW_THREADS", 0); }
static void end_allow(struct tb *b, uint32_t parent) { call(b, parent, "PyEval_RestoreThread", "Py_END_ALLOW_THREADS", 0); }

/* Analyse one or more TUs and return the results (caller fini's). */
static void analyse(struct ca_tu_facts *tus, uint32_t n, struct ca_results *r)
{
    ca_results_init(r);
    assert_int_equal(ca_analyze(tus, n, rules, r), CA_OK);
    ca_results_sort(r);
}

static const struct ca_loop_result *loop_at(const struct ca_results *r, uint32_t line)
{
    for (uint32_t i = 0; i < r->nloops; i++)
        if (r->loops[i].line == line) return &r->loops[i];
    fail_msg("no loop at line %u", line);
    return NULL;
}

static uint32_t count_diags(const struct ca_results *r, const char *rule)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->ndiags; i++) n += strcmp(r->diags[i].rule, rule) == 0;
    return n;
}

static bool has_evidence(const struct ca_loop_result *l, const char *kind, const char *name)
{
    for (uint32_t i = 0; i < l->nevidence; i++)
        if (strcmp(l->evidence[i].kind, kind) == 0 && (!name || strcmp(l->evidence[i].name, name) == 0)) return true;
    return false;
}

static int setup(void **state)
{
    struct ca_rules_error err;
    (void)state;
    memset(&err, 0, sizeof err);
    if (ca_rules_load(tu_rules_dir(), &rules, &err) != CA_OK) {
        fprintf(stderr, "rules: %s:%u:%u: %s\n", err.file ? err.file : "?", err.line, err.col, err.message ? err.message : "");
        ca_rules_error_fini(&err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ca_rules_free(rules);
    return 0;
}

/* ---- tests */

static void test_read_loop_inside_allow_threads_is_io_released_threading(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "read_all", true);
    method_table(&b, "read_all");
    begin_allow(&b, root);
    l = b.line;
    body = loop(&b, root, CA_BOUND_UNKNOWN, -1, 3);
    call(&b, body, "read", NULL, 0);
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(r.nloops, 1);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_IO);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_RELEASED);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_THREADING);
    assert_true(has_evidence(loop_at(&r, l), "io-call", "read"));
    assert_true(has_evidence(loop_at(&r, l), "gil-release", "Py_BEGIN_ALLOW_THREADS"));
    assert_int_equal(r.ndiags, 0);
    assert_int_equal(r.nregions, 1); /* from Py_BEGIN_ALLOW_THREADS to Py_END_ALLOW_THREADS */
    assert_string_equal(r.regions[0].by, "Py_BEGIN_ALLOW_THREADS");
    assert_int_equal(r.regions[0].line, 11);
    assert_int_equal(r.regions[0].end_line, b.f.calls[2].loc.line);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_recv_loop_with_gil_held_recommends_release_and_warns(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "recv_all", true);
    method_table(&b, "recv_all");
    l = b.line;
    body = loop(&b, root, CA_BOUND_INFINITE, -1, 2);
    call(&b, body, "recv", NULL, 0);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_HELD);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_RELEASE_GIL);
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 1);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

/* PyThread_acquire_lock(lock, 0): the catalog's nonblocking_if_zero makes the try-lock no wait;
 * the same call with a non-constant flag still blocks. */
static void test_try_lock_with_a_zero_flag_does_not_block(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l1, l2, c;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "locks", true);
    method_table(&b, "locks");
    l1 = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    c = call(&b, body, "PyThread_acquire_lock", NULL, 0);
    b.f.calls[c].nargs = 2;
    b.f.calls[c].zero_args = 1u << 1;
    loop_end(&b);
    l2 = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    c = call(&b, body, "PyThread_acquire_lock", NULL, 0);
    b.f.calls[c].nargs = 2;
    b.f.calls[c].zero_args = 1u << 0; /* the lock argument is 0, not the flag */
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_not_equal(loop_at(&r, l1)->cls, CA_CLASS_IO);
    assert_int_equal(loop_at(&r, l2)->cls, CA_CLASS_IO);
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 1);
    assert_int_equal(r.diags[0].line, b.f.calls[c].loc.line);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

/* close() (catalog: rarely) with the GIL held: quiet on its own, where it closes one descriptor
 * on a clean-up path; reported in a loop, which it still makes I/O-bound. */
static void test_a_rarely_blocking_call_is_reported_only_in_a_loop(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l, c;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "closer", true);
    method_table(&b, "closer");
    call(&b, root, "close", NULL, 0);
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    c = call(&b, body, "close", NULL, 0);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_IO);
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 1);
    assert_int_equal(r.diags[0].line, b.f.calls[c].loc.line);
    assert_non_null(strstr(r.diags[0].message, "close() may block (file I/O) while the GIL is held inside a loop"));
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

/* Code that runs only where fork() returned 0 has one thread: what follows `if (pid != 0)
 * return pid;`, and a helper called only from there, get no GIL advice nor warnings; a helper
 * the parent calls too keeps them, and so does the parent's own code. */
static void test_code_in_a_forked_child_gets_no_gil_advice(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t only, both, rec, root, body, arm, f, l_only, l_both, l_rec, l_parent, c_write, c_parent;
    const struct ca_loop_result *lr;
    (void)state;
    tb_init(&b, "m.c", true);
    only = fn(&b, "child_closer", true);
    l_only = b.line;
    body = loop(&b, only, CA_BOUND_VAR, -1, 2);
    call(&b, body, "close", NULL, 0);
    loop_end(&b);
    rec = fn(&b, "debug_tree", true); /* called by nobody but itself: no child's */
    l_rec = b.line;
    body = loop(&b, rec, CA_BOUND_VAR, -1, 2);
    call(&b, body, "close", NULL, 0);
    loop_end(&b);
    call(&b, rec, "debug_tree", NULL, 0);
    both = fn(&b, "shared_closer", true);
    l_both = b.line;
    body = loop(&b, both, CA_BOUND_VAR, -1, 2);
    call(&b, body, "close", NULL, 0);
    loop_end(&b);
    root = fn(&b, "spawn", false);
    method_table(&b, "spawn");
    l_parent = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    c_parent = call(&b, body, "recv", NULL, 0);
    loop_end(&b);
    call(&b, root, "shared_closer", NULL, 0);
    f = call(&b, root, "fork", NULL, 0);
    arm = branch(&b, root, true, NULL); /* if (pid != 0) return pid; */
    b.f.ir[arm - 1].ref = f;
    b.f.ir[arm - 1].flags |= CA_IR_ZERO_SKIP;
    ret(&b, arm);
    call(&b, root, "child_closer", NULL, 0);
    call(&b, root, "shared_closer", NULL, 0);
    c_write = call(&b, root, "write", NULL, 0);
    analyse(&b.f, 1, &r);
    lr = loop_at(&r, l_only);
    assert_int_equal(lr->rec, CA_REC_NONE);
    assert_int_equal(lr->gil, CA_GIL_HELD); /* true, but it keeps nobody waiting */
    assert_non_null(strstr(lr->reasons[lr->nreasons - 1], "forked child process"));
    assert_int_equal(loop_at(&r, l_both)->rec, CA_REC_RELEASE_GIL);
    lr = loop_at(&r, l_rec);
    for (uint32_t i = 0; i < lr->nreasons; i++) assert_null(strstr(lr->reasons[i], "forked child"));
    assert_int_equal(loop_at(&r, l_parent)->rec, CA_REC_RELEASE_GIL);
    /* warnings: the parent's recv and the shared helper's close; not the child's write or close */
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 2);
    {
        bool parent_reported = false;
        for (uint32_t i = 0; i < r.ndiags; i++) {
            assert_int_not_equal(r.diags[i].line, b.f.calls[c_write].loc.line);
            if (r.diags[i].line == b.f.calls[c_parent].loc.line) parent_reported = true;
        }
        assert_true(parent_reported);
    }
    ca_results_fini(&r);
    /* without the test of fork's result, the same code is the parent's: all of it is advised */
    b.f.ir[arm - 1].flags &= ~(uint32_t)CA_IR_ZERO_SKIP;
    b.f.ir[arm - 1].ref = CA_NONE;
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l_only)->rec, CA_REC_RELEASE_GIL);
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 4);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_release_and_reacquire_per_iteration_is_mixed(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "per_iter", true);
    method_table(&b, "per_iter");
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    begin_allow(&b, body);
    call(&b, body, "read", NULL, 0);
    end_allow(&b, body);
    call(&b, body, "PyList_Append", NULL, 0);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_MIXED);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_IO);
    assert_true(loop_at(&r, l)->python_api);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_THREADING);
    assert_int_equal(r.ndiags, 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_wrapper_function_that_saves_thread_releases_for_its_caller(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "section_enter", true);
    call(&b, root, "PyEval_SaveThread", NULL, 0);
    root = fn(&b, "section_leave", true);
    call(&b, root, "PyEval_RestoreThread", NULL, 0);
    root = fn(&b, "invert", true);
    method_table(&b, "invert");
    call(&b, root, "section_enter", NULL, 0);
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 6);
    (void)body;
    loop_end(&b);
    call(&b, root, "section_leave", NULL, 0);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_RELEASED);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_CPU);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_THREADING);
    assert_int_equal(count_diags(&r, "gil-unbalanced-release"), 0); /* a wrapper, not a bug */
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_same_named_noop_wrapper_does_not_release(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, l;
    (void)state;
    tb_init(&b, "m.c", true);
    fn(&b, "section_enter", true); /* a stub from a non-Python build: does nothing */
    root = fn(&b, "invert", true);
    method_table(&b, "invert");
    call(&b, root, "section_enter", NULL, 0);
    l = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 6);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_HELD);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_RELEASE_GIL);
    assert_int_equal(count_diags(&r, "gil-cpu-loop-holds-gil"), 1);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_io_reached_through_a_helper_is_io_with_the_helper_in_evidence(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "read_record", true);
    call(&b, root, "fread", NULL, 0);
    root = fn(&b, "load", true);
    method_table(&b, "load");
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    call(&b, body, "read_record", NULL, 0);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_IO);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_HELD);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_RELEASE_GIL);
    assert_true(has_evidence(loop_at(&r, l), "io-call", "fread"));
    assert_string_equal(loop_at(&r, l)->evidence[0].via, "read_record");
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 1); /* at the fread in the helper */
    assert_int_equal(r.diags[0].line, 11);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_thread_start_routine_starts_without_the_gil(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l, spawn;
    struct ca_fact_fnref ref = {.ctx = CA_FNREF_ARG, .name = "worker", .func = 0, .call = 0, .arg = 0, .holder_type = NULL, .loc = {3, 3}};
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "worker", true);
    l = b.line;
    body = loop(&b, root, CA_BOUND_INFINITE, -1, 2);
    call(&b, body, "read", NULL, 0);
    call(&b, body, "PyGILState_Ensure", NULL, 0);
    call(&b, body, "PyObject_CallFunction", NULL, 0);
    call(&b, body, "PyGILState_Release", NULL, 0);
    loop_end(&b);
    root = fn(&b, "start", true);
    method_table(&b, "start");
    spawn = call(&b, root, "PyThread_start_new_thread", NULL, 0);
    ref.func = b.func;
    ref.call = spawn;
    ref.arg = 0;
    assert_int_equal(ca_facts_add_fnref(&b.f, &ref, NULL), CA_OK);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_MIXED);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_THREADING);
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 0);
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_api_call_in_released_region_is_an_error(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "bad", true);
    method_table(&b, "bad");
    begin_allow(&b, root);
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    call(&b, body, "PyLong_FromLong", NULL, 0);
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 1);
    assert_int_equal(r.diags[0].severity, CA_SEV_ERROR);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_macro_safe_without_gil_does_not_count_as_api_use(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "fill", true);
    method_table(&b, "fill");
    begin_allow(&b, root);
    l = b.line;
    body = loop(&b, root, CA_BOUND_UNKNOWN, -1, 3);
    call(&b, body, "Py_TYPE", "PyBytes_AS_STRING", 0);
    call(&b, body, "read", NULL, 0);
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_false(loop_at(&r, l)->python_api);
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_early_return_inside_released_region_is_unbalanced(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, arm;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "save", true);
    method_table(&b, "save");
    begin_allow(&b, root);
    call(&b, root, "write", NULL, 0);
    arm = branch(&b, root, true, NULL);
    ret(&b, arm); /* line of this return is reported */
    end_allow(&b, root);
    ret(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-unbalanced-release"), 1);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_goto_error_path_that_reacquires_is_balanced(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, arm, lab;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "save", true);
    method_table(&b, "save");
    begin_allow(&b, root);
    call(&b, root, "write", NULL, 0);
    arm = branch(&b, root, true, NULL);
    call(&b, arm, "PyEval_RestoreThread", "Py_BLOCK_THREADS", 0);
    ca_facts_ir_append(&b.f, arm, node(&b, CA_IR_GOTO, 0, CA_NONE, "error"));
    end_allow(&b, root);
    ret(&b, root);
    lab = node(&b, CA_IR_LABEL, 0, CA_NONE, "error");
    ca_facts_ir_append(&b.f, root, lab);
    call(&b, root, "PyErr_SetFromErrno", NULL, 0);
    ret(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-unbalanced-release"), 0);
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 0);
    assert_int_equal(count_diags(&r, "gil-nested-release"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_goto_error_path_that_forgets_to_reacquire_calls_api_without_gil(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, arm, lab;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "save", true);
    method_table(&b, "save");
    begin_allow(&b, root);
    call(&b, root, "write", NULL, 0);
    arm = branch(&b, root, true, NULL);
    ca_facts_ir_append(&b.f, arm, node(&b, CA_IR_GOTO, 0, CA_NONE, "error"));
    end_allow(&b, root);
    ret(&b, root);
    lab = node(&b, CA_IR_LABEL, 0, CA_NONE, "error");
    ca_facts_ir_append(&b.f, root, lab);
    call(&b, root, "PyErr_SetFromErrno", NULL, 0);
    ret(&b, root);
    analyse(&b.f, 1, &r);
    /* The error label is reached released on one path and held on none: the API call is
     * definitely without the GIL, and that return leaves released. */
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 1);
    assert_int_equal(count_diags(&r, "gil-unbalanced-release"), 1);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_release_inside_released_region_is_nested_once(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "write_record", true);
    begin_allow(&b, root);
    call(&b, root, "write", NULL, 0);
    end_allow(&b, root);
    root = fn(&b, "dump", true);
    method_table(&b, "dump");
    begin_allow(&b, root);
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    call(&b, body, "write_record", NULL, 0);
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-nested-release"), 1);
    assert_int_equal(r.diags[0].line, 11); /* the helper's Py_BEGIN_ALLOW_THREADS */
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_loop_that_only_calls_through_a_pointer_is_unknown(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "apply", true);
    method_table(&b, "apply");
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 5);
    call(&b, body, "self->handler", NULL, CA_CALL_INDIRECT);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_UNKNOWN);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_UNKNOWN);
    assert_true(has_evidence(loop_at(&r, l), "indirect-call", "self->handler"));
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_plain_c_loops_have_no_gil_and_unsafe_calls_push_to_processes(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l1, l2;
    struct ca_fact_write w;
    (void)state;
    tb_init(&b, "p.c", false);
    root = fn(&b, "sum", false);
    l1 = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 6);
    loop_end(&b);
    root = fn(&b, "tokens", false);
    l2 = b.line;
    body = loop(&b, root, CA_BOUND_UNKNOWN, -1, 4);
    call(&b, body, "strtok", NULL, 0);
    memset(&w, 0, sizeof w);
    w.func = b.func;
    w.loop = b.loop;
    w.loc.line = b.line++;
    w.name = "counter";
    assert_int_equal(ca_facts_add_write(&b.f, &w, NULL), CA_OK);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l1)->gil, CA_GIL_NONE);
    assert_int_equal(loop_at(&r, l1)->rec, CA_REC_THREADING);
    assert_int_equal(loop_at(&r, l2)->rec, CA_REC_MULTIPROCESSING);
    assert_int_equal(count_diags(&r, "mt-thread-unsafe-call"), 1);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_trivial_constant_loop_gets_no_recommendation_and_no_diagnostic(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "clamp", true);
    method_table(&b, "clamp");
    l = b.line;
    loop(&b, root, CA_BOUND_CONST, 4, 4);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_NONE);
    assert_false(loop_at(&r, l)->hot);
    assert_int_equal(r.ndiags, 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_entry_state_flows_across_files_to_a_plain_c_helper(void **state)
{
    struct tb a, b;
    struct ca_tu_facts tus[2];
    struct ca_results r;
    uint32_t root, l;
    (void)state;
    tb_init(&a, "lib.c", false); /* like Pillow's libImaging: no Python.h */
    root = fn(&a, "ImagingBlur", false);
    l = a.line;
    loop(&a, root, CA_BOUND_VAR, -1, 8);
    loop_end(&a);
    tb_init(&b, "mod.c", true);
    root = fn(&b, "blur", true);
    method_table(&b, "blur");
    begin_allow(&b, root);
    call(&b, root, "ImagingBlur", NULL, 0);
    end_allow(&b, root);
    tus[0] = a.f;
    tus[1] = b.f;
    analyse(tus, 2, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_RELEASED);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_THREADING);
    ca_results_fini(&r);
    ca_facts_fini(&tus[0]);
    ca_facts_fini(&tus[1]);
}

static void test_recursive_functions_reach_a_fixpoint(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l, arm;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "walk", true); /* walk() calls itself and reads */
    arm = branch(&b, root, true, NULL);
    call(&b, arm, "walk", NULL, 0);
    call(&b, root, "read", NULL, 0);
    root = fn(&b, "scan", true);
    method_table(&b, "scan");
    begin_allow(&b, root);
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    call(&b, body, "walk", NULL, 0);
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->cls, CA_CLASS_IO);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_RELEASED);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_unreached_function_in_python_file_is_unknown_not_guessed(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "orphan", false);
    l = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 8);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_UNKNOWN);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_UNKNOWN);
    assert_int_equal(r.ndiags, 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_project_function_named_like_the_api_is_not_the_api(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, c;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "update", true);
    method_table(&b, "update");
    begin_allow(&b, root);
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    c = call(&b, body, "PyBlake2_blake2b_update", NULL, 0); /* #define blake2b_update PyBlake2_... */
    b.f.calls[c].flags &= ~(uint32_t)CA_CALL_PYDECL;    /* declared by the project, not Python */
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

/* Pillow defines ImagingSectionEnter twice (libImaging/Except.c and _webp.c). */
static void duplicate_wrappers(bool second_is_stub, enum ca_gil expect)
{
    struct tb a, b, c;
    struct ca_tu_facts tus[3];
    struct ca_results r;
    uint32_t root, l;
    tb_init(&a, "Except.c", true);
    root = fn(&a, "section_enter", false);
    call(&a, root, "PyEval_SaveThread", NULL, 0);
    root = fn(&a, "section_leave", false);
    call(&a, root, "PyEval_RestoreThread", NULL, 0);
    tb_init(&b, "_webp.c", true);
    root = fn(&b, "section_enter", false);
    if (!second_is_stub) call(&b, root, "PyEval_SaveThread", NULL, 0);
    root = fn(&b, "section_leave", false);
    if (!second_is_stub) call(&b, root, "PyEval_RestoreThread", NULL, 0);
    tb_init(&c, "Filter.c", true);
    root = fn(&c, "filter", true);
    method_table(&c, "filter");
    call(&c, root, "section_enter", NULL, 0);
    l = c.line;
    loop(&c, root, CA_BOUND_VAR, -1, 6);
    loop_end(&c);
    call(&c, root, "section_leave", NULL, 0);
    tus[0] = a.f;
    tus[1] = b.f;
    tus[2] = c.f;
    analyse(tus, 3, &r);
    assert_int_equal(loop_at(&r, l)->gil, expect);
    ca_results_fini(&r);
    for (int i = 0; i < 3; i++) ca_facts_fini(&tus[i]);
}

static void test_duplicate_wrappers_that_agree_release_the_gil(void **state)
{
    (void)state;
    duplicate_wrappers(false, CA_GIL_RELEASED);
}

static void test_a_wrapper_and_a_same_named_stub_make_the_state_unknown(void **state)
{
    (void)state;
    duplicate_wrappers(true, CA_GIL_UNKNOWN);
}

static void test_console_output_in_an_error_helper_does_not_make_a_loop_io(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l1, l2;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "report_error", true); /* like libmpdec's error paths */
    call(&b, root, "perror", NULL, 0);
    call(&b, root, "fprintf", NULL, CA_CALL_STDSTREAM); /* fprintf(stderr, ...) */
    root = fn(&b, "crunch", true);
    method_table(&b, "crunch");
    l1 = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 8);
    call(&b, body, "report_error", NULL, 0);
    loop_end(&b);
    l2 = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    call(&b, body, "printf", NULL, 0); /* printing every item: that loop does I/O */
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l1)->cls, CA_CLASS_CPU);
    assert_int_equal(loop_at(&r, l2)->cls, CA_CLASS_IO);
    assert_int_equal(count_diags(&r, "gil-blocking-io-held"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_loop_that_releases_around_io_is_mixed_even_when_entry_is_unknown(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "preadv_impl", false); /* nobody known calls it */
    l = b.line;
    body = loop(&b, root, CA_BOUND_UNKNOWN, -1, 3);
    begin_allow(&b, body);
    call(&b, body, "preadv2", NULL, 0);
    end_allow(&b, body);
    call(&b, body, "PyErr_CheckSignals", NULL, 0);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_MIXED);
    assert_int_equal(loop_at(&r, l)->rec, CA_REC_THREADING);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_function_stored_by_a_registry_does_not_inherit_the_callers_state(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, reg, l;
    struct ca_fact_fnref ref = {.ctx = CA_FNREF_ARG, .name = "lt_F", .func = 0, .call = 0, .arg = 2, .holder_type = NULL, .loc = {3, 3}};
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "lt_F", true);
    l = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 8);
    loop_end(&b);
    root = fn(&b, "install", true); /* stores the pointer in a dict; never calls it */
    call(&b, root, "PyDict_SetItemString", NULL, 0);
    root = fn(&b, "PyInit_m", false);
    reg = call(&b, root, "install", NULL, 0);
    ref.func = b.func;
    ref.call = reg;
    assert_int_equal(ca_facts_add_fnref(&b.f, &ref, NULL), CA_OK);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, CA_GIL_UNKNOWN); /* not "held" by a guess */
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

/* cb passed as argument `arg` of a call to `receiver` made from a method (GIL held). */
static void callback_case(const char *receiver, uint32_t arg, const char *cb_body_call, enum ca_gil expect_loop)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, reg, l, body;
    struct ca_fact_fnref ref = {.ctx = CA_FNREF_ARG, .name = "cb", .func = 0, .call = 0, .arg = 0, .holder_type = NULL, .loc = {3, 3}};
    tb_init(&b, "m.c", true);
    root = fn(&b, "cb", true);
    l = b.line;
    body = loop(&b, root, CA_BOUND_VAR, -1, 8);
    if (cb_body_call) call(&b, body, cb_body_call, NULL, 0);
    loop_end(&b);
    root = fn(&b, "meth", true);
    method_table(&b, "meth");
    reg = call(&b, root, receiver, NULL, 0);
    ref.func = b.func;
    ref.call = reg;
    ref.arg = arg;
    assert_int_equal(ca_facts_add_fnref(&b.f, &ref, NULL), CA_OK);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l)->gil, expect_loop);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_qsort_comparator_runs_in_the_callers_state(void **state)
{
    (void)state;
    callback_case("qsort", 3, NULL, CA_GIL_HELD);
}

static void test_callback_kept_by_a_c_library_starts_unknown(void **state)
{
    (void)state; /* SSL_CTX_set_default_passwd_cb(ctx, cb): called later, from a call we cannot see */
    callback_case("SSL_CTX_set_default_passwd_cb", 1, NULL, CA_GIL_UNKNOWN);
}

/* Pillow's unpackers: a table of functions of one type, called through state->shuffle(). */
static void test_call_through_a_pointer_reaches_the_functions_of_its_type(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, body, l1, l2, c;
    const char *T = "void (unsigned char *, const unsigned char *, int)";
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "unpackRGB", true);
    l1 = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 9);
    loop_end(&b);
    root = fn(&b, "unpackL", true);
    l2 = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 4);
    loop_end(&b);
    for (int i = 0; i < 2; i++) { /* static struct { ...; ImagingShuffler unpack; } unpackers[] */
        struct ca_fact_fnref ref = {.ctx = CA_FNREF_INIT, .name = i ? "unpackL" : "unpackRGB", .func = CA_NONE,
                                    .call = CA_NONE, .holder_type = "struct (unnamed)", .fntype = T,
                                    .field = "shuffle", .loc = {2, 2}};
        assert_int_equal(ca_facts_add_fnref(&b.f, &ref, NULL), CA_OK);
    }
    root = fn(&b, "decode", true);
    method_table(&b, "decode");
    begin_allow(&b, root);
    body = loop(&b, root, CA_BOUND_VAR, -1, 2);
    c = call(&b, body, "state->shuffle", NULL, CA_CALL_INDIRECT);
    b.f.calls[c].fptype = T;
    b.f.calls[c].field = "shuffle";
    loop_end(&b);
    end_allow(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(loop_at(&r, l1)->gil, CA_GIL_RELEASED); /* entry state flows through the pointer */
    assert_int_equal(loop_at(&r, l2)->gil, CA_GIL_RELEASED);
    assert_int_equal(loop_at(&r, l1)->rec, CA_REC_THREADING);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static bool has_reason(const struct ca_loop_result *l, const char *part)
{
    for (uint32_t i = 0; i < l->nreasons; i++)
        if (strstr(l->reasons[i], part)) return true;
    return false;
}

static void test_advice_says_what_changes_on_a_free_threaded_build(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, l;
    (void)state;
    for (int declared = 0; declared < 2; declared++) {
        tb_init(&b, "m.c", true);
        b.f.ft_declared = declared;
        root = fn(&b, "crunch", true);
        method_table(&b, "crunch");
        l = b.line;
        loop(&b, root, CA_BOUND_VAR, -1, 8);
        loop_end(&b);
        analyse(&b.f, 1, &r);
        assert_int_equal(loop_at(&r, l)->rec, CA_REC_RELEASE_GIL);
        assert_true(has_reason(loop_at(&r, l), declared ? "declares Py_mod_gil: threads run this loop"
                                                        : "becomes a candidate for threads once"));
        ca_results_fini(&r);
        ca_facts_fini(&b.f);
    }
}

static void test_a_loop_nothing_reaches_is_less_hot_than_one_python_calls(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, l1, l2;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "called", true);
    method_table(&b, "called");
    l1 = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 8);
    loop_end(&b);
    root = fn(&b, "orphan", false);
    l2 = b.line;
    loop(&b, root, CA_BOUND_VAR, -1, 8);
    loop_end(&b);
    analyse(&b.f, 1, &r);
    assert_true(loop_at(&r, l2)->hotness < loop_at(&r, l1)->hotness);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_run_once_do_while_zero_macro_is_not_iterated(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, once, body, cond;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "newsock", true); /* PySSL_BEGIN_ALLOW_THREADS: do { _save = PyEval_SaveThread(); } while (0) */
    method_table(&b, "newsock");
    once = node(&b, CA_IR_LOOP, 0, CA_NONE, NULL);
    body = node(&b, CA_IR_SEQ, 0, CA_NONE, NULL);
    cond = node(&b, CA_IR_SEQ, 0, CA_NONE, NULL);
    ca_facts_ir_append(&b.f, once, body);
    ca_facts_ir_append(&b.f, once, cond);
    ca_facts_ir_append(&b.f, root, once);
    call(&b, body, "PyEval_SaveThread", "PySSL_BEGIN_ALLOW_THREADS", 0);
    call(&b, root, "SSL_new", NULL, 0);
    call(&b, root, "PyEval_RestoreThread", "PySSL_END_ALLOW_THREADS", 0);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-nested-release"), 0);
    assert_int_equal(count_diags(&r, "gil-unbalanced-release"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_release_and_acquire_under_correlated_conditions_stay_quiet(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, arm;
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "call_fp", true); /* if (!api) Py_UNBLOCK_THREADS; f(); if (!api) Py_BLOCK_THREADS; */
    method_table(&b, "call_fp");
    arm = branch(&b, root, true, NULL);
    call(&b, arm, "PyEval_SaveThread", "Py_UNBLOCK_THREADS", 0);
    call(&b, root, "ffi_call", NULL, 0);
    arm = branch(&b, root, true, NULL);
    call(&b, arm, "PyEval_RestoreThread", "Py_BLOCK_THREADS", 0);
    ret(&b, root);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-nested-release"), 0);
    assert_int_equal(count_diags(&r, "gil-unbalanced-release"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

static void test_callback_handed_to_the_python_api_runs_with_the_gil(void **state)
{
    struct tb b;
    struct ca_results r;
    uint32_t root, reg;
    struct ca_fact_fnref ref = {.ctx = CA_FNREF_ARG, .name = "pending", .func = 0, .call = 0, .arg = 0, .holder_type = NULL, .loc = {3, 3}};
    (void)state;
    tb_init(&b, "m.c", true);
    root = fn(&b, "pending", true);
    call(&b, root, "PyObject_CallNoArgs", NULL, 0);
    root = fn(&b, "schedule", true);
    method_table(&b, "schedule");
    begin_allow(&b, root);
    reg = call(&b, root, "Py_AddPendingCall", NULL, 0);
    end_allow(&b, root);
    ref.func = b.func;
    ref.call = reg;
    assert_int_equal(ca_facts_add_fnref(&b.f, &ref, NULL), CA_OK);
    analyse(&b.f, 1, &r);
    assert_int_equal(count_diags(&r, "gil-api-without-gil"), 0);
    ca_results_fini(&r);
    ca_facts_fini(&b.f);
}

/* Every check has metadata, a doc page, positive and negative samples; every rule in the metadata
 * has a matcher (a check, or the suppression module for concadvise-* rules). */
static const char *const CHECK_LIST[] = {
#define CA_CHECK(name, id) id,
#include "check_list.h"
#undef CA_CHECK
    NULL};

static void test_every_rule_has_a_matcher_a_doc_and_samples(void **state)
{
    char path[512];
    (void)state;
    for (uint32_t i = 0; CHECK_LIST[i]; i++) {
        const struct ca_rule_meta *m = ca_rules_find_meta(rules, CHECK_LIST[i]);
        assert_non_null(m);
        snprintf(path, sizeof path, "%s/%s", CA_SOURCE_DIR, m->doc);
        assert_int_equal(access(path, R_OK), 0);
        assert_true(m->npositive > 0);
        assert_true(m->nnegative > 0);
        for (uint32_t k = 0; k < m->npositive; k++) {
            snprintf(path, sizeof path, "%s/%s", CA_SOURCE_DIR, m->positive[k]);
            assert_int_equal(access(path, R_OK), 0);
        }
    }
    for (uint32_t i = 0; i < ca_rules_nmeta(rules); i++) {
        const char *id = ca_rules_meta(rules, i)->id;
        bool matched = strncmp(id, "concadvise-", 11) == 0;
        for (uint32_t k = 0; CHECK_LIST[k] && !matched; k++) matched = strcmp(CHECK_LIST[k], id) == 0;
        if (!matched) fail_msg("rule %s has no check", id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_rule_has_a_matcher_a_doc_and_samples),
        cmocka_unit_test(test_read_loop_inside_allow_threads_is_io_released_threading),
        cmocka_unit_test(test_recv_loop_with_gil_held_recommends_release_and_warns),
        cmocka_unit_test(test_try_lock_with_a_zero_flag_does_not_block),
        cmocka_unit_test(test_a_rarely_blocking_call_is_reported_only_in_a_loop),
        cmocka_unit_test(test_code_in_a_forked_child_gets_no_gil_advice),
        cmocka_unit_test(test_release_and_reacquire_per_iteration_is_mixed),
        cmocka_unit_test(test_wrapper_function_that_saves_thread_releases_for_its_caller),
        cmocka_unit_test(test_same_named_noop_wrapper_does_not_release),
        cmocka_unit_test(test_io_reached_through_a_helper_is_io_with_the_helper_in_evidence),
        cmocka_unit_test(test_thread_start_routine_starts_without_the_gil),
        cmocka_unit_test(test_api_call_in_released_region_is_an_error),
        cmocka_unit_test(test_macro_safe_without_gil_does_not_count_as_api_use),
        cmocka_unit_test(test_early_return_inside_released_region_is_unbalanced),
        cmocka_unit_test(test_goto_error_path_that_reacquires_is_balanced),
        cmocka_unit_test(test_goto_error_path_that_forgets_to_reacquire_calls_api_without_gil),
        cmocka_unit_test(test_release_inside_released_region_is_nested_once),
        cmocka_unit_test(test_loop_that_only_calls_through_a_pointer_is_unknown),
        cmocka_unit_test(test_plain_c_loops_have_no_gil_and_unsafe_calls_push_to_processes),
        cmocka_unit_test(test_trivial_constant_loop_gets_no_recommendation_and_no_diagnostic),
        cmocka_unit_test(test_entry_state_flows_across_files_to_a_plain_c_helper),
        cmocka_unit_test(test_recursive_functions_reach_a_fixpoint),
        cmocka_unit_test(test_unreached_function_in_python_file_is_unknown_not_guessed),
        cmocka_unit_test(test_run_once_do_while_zero_macro_is_not_iterated),
        cmocka_unit_test(test_advice_says_what_changes_on_a_free_threaded_build),
        cmocka_unit_test(test_a_loop_nothing_reaches_is_less_hot_than_one_python_calls),
        cmocka_unit_test(test_call_through_a_pointer_reaches_the_functions_of_its_type),
        cmocka_unit_test(test_qsort_comparator_runs_in_the_callers_state),
        cmocka_unit_test(test_callback_kept_by_a_c_library_starts_unknown),
        cmocka_unit_test(test_loop_that_releases_around_io_is_mixed_even_when_entry_is_unknown),
        cmocka_unit_test(test_function_stored_by_a_registry_does_not_inherit_the_callers_state),
        cmocka_unit_test(test_console_output_in_an_error_helper_does_not_make_a_loop_io),
        cmocka_unit_test(test_duplicate_wrappers_that_agree_release_the_gil),
        cmocka_unit_test(test_a_wrapper_and_a_same_named_stub_make_the_state_unknown),
        cmocka_unit_test(test_project_function_named_like_the_api_is_not_the_api),
        cmocka_unit_test(test_release_and_acquire_under_correlated_conditions_stay_quiet),
        cmocka_unit_test(test_callback_handed_to_the_python_api_runs_with_the_gil),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
