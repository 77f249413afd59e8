/* test_facts_io.c: the binary form of facts.  Round trips of hand-built facts (every field, every
 * enum value) and of every .c file in samples/ as the front end sees it; concatenated records; and the
 * reader's refusals: every truncation, every flipped byte, and records crafted with a valid
 * checksum but bad content.  Allocation failures never leak (run under ASan). */
#define _GNU_SOURCE /* memmem */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "facts_io.h"
#include "front.h"
#include "front_fixture.h"
#include "testutil.h"

#define HEADER 28 /* magic, version, payload length, checksum */

/* ------------------------------------------------------------------ helpers */

/* One record of f in a fresh buffer (the caller fini's it). */
static struct ca_buf record(const struct ca_tu_facts *f)
{
    struct ca_buf b;
    ca_buf_init(&b);
    assert_int_equal(ca_facts_write(f, &b), CA_OK);
    assert_false(b.failed);
    assert_true(b.len > HEADER);
    return b;
}

/* Reads `len` bytes expecting `want`; the facts are fini'd. */
static void read_expect(const void *data, size_t len, enum ca_status want)
{
    struct ca_tu_facts f;
    size_t used = 12345;
    enum ca_status st = ca_facts_read(data, len, &f, &used);
    ca_facts_fini(&f);
    if (st != want) fail_msg("read of %zu bytes: %s, expected %s", len, ca_status_str(st), ca_status_str(want));
    if (st != CA_OK) assert_int_equal(used, 0);
}

/* Writes f and expects the reader to reject it although the checksum is right. */
static void rejected(const struct ca_tu_facts *f)
{
    struct ca_buf b = record(f);
    read_expect(b.data, b.len, CA_ERR_PARSE);
    ca_buf_fini(&b);
}

/* Recomputes the checksum of a record whose payload was edited. */
static void reseal(char *rec)
{
    uint64_t plen = 0, sum;
    for (int k = 0; k < 8; k++) plen |= (uint64_t)(unsigned char)rec[12 + k] << (8 * k);
    sum = ca_facts_checksum(rec + HEADER, (size_t)plen);
    for (int k = 0; k < 8; k++) rec[20 + k] = (char)(sum >> (8 * k));
}

static void same_str(const char *a, const char *b, const char *what)
{
    if (!a || !b) {
        if (a != b) fail_msg("%s: \"%s\" against \"%s\"", what, a ? a : "(null)", b ? b : "(null)");
        return;
    }
    if (strcmp(a, b) != 0) fail_msg("%s: \"%s\" against \"%s\"", what, a, b);
}

static void same_loc(struct ca_loc a, struct ca_loc b)
{
    assert_int_equal(a.line, b.line);
    assert_int_equal(a.col, b.col);
}

/* Every field of a and b is equal (strings by content, NULL only equal to NULL). */
static void same_facts(const struct ca_tu_facts *a, const struct ca_tu_facts *b)
{
    uint32_t i;
    same_str(a->path, b->path, "path");
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->python, b->python);
    assert_int_equal(a->ft_declared, b->ft_declared);
    assert_int_equal(a->nfuncs, b->nfuncs);
    for (i = 0; i < a->nfuncs; i++) {
        const struct ca_fact_func *x = &a->funcs[i], *y = &b->funcs[i];
        same_str(x->name, y->name, "func name");
        same_loc(x->loc, y->loc);
        same_loc(x->end, y->end);
        assert_int_equal(x->is_static, y->is_static);
        assert_int_equal(x->ir_root, y->ir_root);
        assert_int_equal(x->nparams, y->nparams);
        same_str(x->file, y->file, "func file");
    }
    assert_int_equal(a->nloops, b->nloops);
    for (i = 0; i < a->nloops; i++) {
        const struct ca_fact_loop *x = &a->loops[i], *y = &b->loops[i];
        assert_int_equal(x->func, y->func);
        assert_int_equal(x->parent, y->parent);
        assert_int_equal(x->depth, y->depth);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->bound, y->bound);
        assert_true(x->trip == y->trip);
        same_loc(x->loc, y->loc);
        assert_int_equal(x->end_line, y->end_line);
        assert_int_equal(x->ops, y->ops);
    }
    assert_int_equal(a->ncalls, b->ncalls);
    for (i = 0; i < a->ncalls; i++) {
        const struct ca_fact_call *x = &a->calls[i], *y = &b->calls[i];
        assert_int_equal(x->func, y->func);
        assert_int_equal(x->loop, y->loop);
        same_loc(x->loc, y->loc);
        same_str(x->name, y->name, "call name");
        same_str(x->macro, y->macro, "call macro");
        assert_int_equal(x->flags, y->flags);
        assert_int_equal(x->nargs, y->nargs);
        assert_int_equal(x->zero_args, y->zero_args);
        same_str(x->fptype, y->fptype, "call fptype");
        same_str(x->field, y->field, "call field");
    }
    assert_int_equal(a->nmacros, b->nmacros);
    for (i = 0; i < a->nmacros; i++) {
        const struct ca_fact_macro *x = &a->macros[i], *y = &b->macros[i];
        assert_int_equal(x->func, y->func);
        assert_int_equal(x->loop, y->loop);
        same_loc(x->loc, y->loc);
        same_str(x->name, y->name, "macro name");
    }
    assert_int_equal(a->nwrites, b->nwrites);
    for (i = 0; i < a->nwrites; i++) {
        const struct ca_fact_write *x = &a->writes[i], *y = &b->writes[i];
        assert_int_equal(x->func, y->func);
        assert_int_equal(x->loop, y->loop);
        same_loc(x->loc, y->loc);
        same_str(x->name, y->name, "write name");
        assert_int_equal(x->is_static_local, y->is_static_local);
    }
    assert_int_equal(a->nfnrefs, b->nfnrefs);
    for (i = 0; i < a->nfnrefs; i++) {
        const struct ca_fact_fnref *x = &a->fnrefs[i], *y = &b->fnrefs[i];
        assert_int_equal(x->ctx, y->ctx);
        same_str(x->name, y->name, "fnref name");
        assert_int_equal(x->func, y->func);
        assert_int_equal(x->call, y->call);
        assert_int_equal(x->arg, y->arg);
        same_str(x->holder_type, y->holder_type, "fnref holder_type");
        same_loc(x->loc, y->loc);
        same_str(x->fntype, y->fntype, "fnref fntype");
        same_str(x->field, y->field, "fnref field");
    }
    assert_int_equal(a->nir, b->nir);
    for (i = 0; i < a->nir; i++) {
        const struct ca_ir_node *x = &a->ir[i], *y = &b->ir[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->flags, y->flags);
        assert_int_equal(x->first_child, y->first_child);
        assert_int_equal(x->next_sibling, y->next_sibling);
        assert_int_equal(x->ref, y->ref);
        same_str(x->label, y->label, "ir label");
        same_loc(x->loc, y->loc);
    }
    assert_int_equal(a->ndiags, b->ndiags);
    for (i = 0; i < a->ndiags; i++) {
        same_str(a->diags[i].file, b->diags[i].file, "diag file");
        same_loc(a->diags[i].loc, b->diags[i].loc);
        same_str(a->diags[i].message, b->diags[i].message, "diag message");
    }
    assert_int_equal(a->nglobals, b->nglobals);
    for (i = 0; i < a->nglobals; i++) {
        const struct ca_fact_global *x = &a->globals[i], *y = &b->globals[i];
        same_str(x->name, y->name, "global name");
        same_loc(x->loc, y->loc);
        same_str(x->file, y->file, "global file");
        assert_int_equal(x->is_static, y->is_static);
        assert_int_equal(x->is_const, y->is_const);
        assert_int_equal(x->pyobject, y->pyobject);
        assert_int_equal(x->is_static_local, y->is_static_local);
        assert_int_equal(x->func, y->func);
    }
    assert_int_equal(a->nincluded_c, b->nincluded_c);
    for (i = 0; i < a->nincluded_c; i++) same_str(a->included_c[i], b->included_c[i], "included_c");
    assert_int_equal(a->ndeps, b->ndeps);
    for (i = 0; i < a->ndeps; i++) same_str(a->deps[i], b->deps[i], "deps");
}

/* Writes f, reads it back and checks: every field equal, the same dump, and writing the read
 * facts gives the same bytes. */
static void round_trip(const struct ca_tu_facts *f)
{
    struct ca_buf b = record(f), b2;
    struct ca_tu_facts g;
    size_t used = 0;
    char *d1 = facts_dump_text(f), *d2;
    assert_int_equal(ca_facts_read(b.data, b.len, &g, &used), CA_OK);
    assert_int_equal(used, b.len);
    same_facts(f, &g);
    d2 = facts_dump_text(&g);
    assert_string_equal(d1, d2);
    b2 = record(&g);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.data, b.data, b.len);
    free(d1);
    free(d2);
    ca_buf_fini(&b);
    ca_buf_fini(&b2);
    ca_facts_fini(&g);
}

static uint32_t ir(struct ca_tu_facts *f, enum ca_ir_kind kind, uint32_t flags, uint32_t ref, const char *label,
                   uint32_t parent)
{
    uint32_t idx;
    assert_int_equal(ca_facts_add_ir(f, kind, flags, ref, label, &idx), CA_OK);
    if (parent != CA_NONE) ca_facts_ir_append(f, parent, idx);
    return idx;
}

/* Facts that use every field: NULL and "" strings, CA_NONE links, a negative and a huge trip,
 * every enum value and flag, header functions, fnrefs of every ctx, IR of every kind. */
static void build(struct ca_tu_facts *f)
{
    static const struct ca_fact_func funcs[] = {
        {"f0", {3, 5}, {40, 1}, true, CA_NONE, 2, NULL},
        {"hdr_fn", {7, 1}, {12, 2}, false, CA_NONE, 0, "Modules/clinic/x.c.h"},
        {"", {0, 0}, {0, 0}, false, CA_NONE, UINT32_MAX, ""},
    };
    static const struct ca_fact_loop loops[] = {
        {0, CA_NONE, 0, CA_LOOP_FOR, CA_BOUND_CONST, 16, {5, 3}, 30, 7},
        {0, 0, 1, CA_LOOP_WHILE, CA_BOUND_VAR, -1, {6, 5}, 20, 0},
        {0, 1, 2, CA_LOOP_DO, CA_BOUND_INFINITE, INT64_MIN, {7, 9}, 9, UINT32_MAX},
        {1, CA_NONE, 0, CA_LOOP_FOR, CA_BOUND_UNKNOWN, INT64_MAX, {8, 1}, 10, 1},
    };
    static const struct ca_fact_call calls[] = {
        {0, CA_NONE, {4, 2}, "PyEval_SaveThread", "Py_BEGIN_ALLOW_THREADS", CA_CALL_IN_MACRO | CA_CALL_PYDECL, 0,
         0, NULL, NULL},
        {0, 1, {6, 9}, "self->read", NULL, CA_CALL_INDIRECT, 1, 0, "int (int)", "read"},
        {0, 2, {7, 11}, "fprintf", NULL, CA_CALL_STDSTREAM, 3, 0x80000005u, NULL, NULL},
        {1, 3, {9, 3}, "", "", CA_CALL_INDIRECT | CA_CALL_IN_MACRO | CA_CALL_PYDECL | CA_CALL_STDSTREAM, 0, 0, "",
         ""},
    };
    static const struct ca_fact_macro macros[] = {{0, 0, {5, 20}, "PyList_GET_ITEM"}, {1, CA_NONE, {9, 1}, ""}};
    static const struct ca_fact_write writes[] = {{0, 1, {6, 1}, "counter", false}, {1, CA_NONE, {10, 4}, "cache", true}};
    static const struct ca_fact_fnref fnrefs[] = {
        {CA_FNREF_ARG, "worker", 0, 2, 1, NULL, {7, 30}, "void *(void *)", NULL},
        {CA_FNREF_INIT, "meth", CA_NONE, CA_NONE, 0, "PyMethodDef", {50, 7}, "PyObject *(PyObject *, PyObject *)",
         "ml_meth"},
        {CA_FNREF_ASSIGN, "cb", 1, CA_NONE, 0, "tp_free", {11, 5}, "void (void *)", "tp_free"},
        {CA_FNREF_OTHER, "f0", 0, CA_NONE, UINT32_MAX, NULL, {12, 8}, "int (int)", NULL},
        {CA_FNREF_ARG, "", CA_NONE, CA_NONE, 0, "", {0, 0}, "", ""},
    };
    static const struct ca_fact_diag diags[] = {{"x.c", {1, 2}, "expected ';'"}, {NULL, {0, 0}, ""}};
    static const struct ca_fact_global globals[] = {
        {"g_state", {2, 1}, NULL, true, false, true, false, CA_NONE},
        {"cache", {9, 12}, "Modules/clinic/x.c.h", true, true, false, true, 1},
        {"", {0, 0}, "", false, false, false, false, CA_NONE},
    };
    uint32_t root0, root1, lp, seq, sw, body, i;
    assert_int_equal(ca_facts_init(f, "Modules/x.c"), CA_OK);
    f->status = CA_TU_PARSE_ERROR;
    f->python = true;
    f->ft_declared = true;
    for (i = 0; i < 3; i++) assert_int_equal(ca_facts_add_func(f, &funcs[i], NULL), CA_OK);
    for (i = 0; i < 4; i++) assert_int_equal(ca_facts_add_loop(f, &loops[i], NULL), CA_OK);
    for (i = 0; i < 4; i++) assert_int_equal(ca_facts_add_call(f, &calls[i], NULL), CA_OK);
    for (i = 0; i < 2; i++) assert_int_equal(ca_facts_add_macro(f, &macros[i], NULL), CA_OK);
    for (i = 0; i < 2; i++) assert_int_equal(ca_facts_add_write(f, &writes[i], NULL), CA_OK);
    for (i = 0; i < 5; i++) assert_int_equal(ca_facts_add_fnref(f, &fnrefs[i], NULL), CA_OK);
    for (i = 0; i < 2; i++) assert_int_equal(ca_facts_add_diag(f, &diags[i], NULL), CA_OK);
    for (i = 0; i < 3; i++) assert_int_equal(ca_facts_add_global(f, &globals[i], NULL), CA_OK);
    assert_int_equal(ca_facts_add_included_c(f, "/src/call_python.c", NULL), CA_OK);
    assert_int_equal(ca_facts_add_included_c(f, "", NULL), CA_OK);
    assert_int_equal(ca_facts_add_dep(f, "/src/call_python.c", NULL), CA_OK);
    assert_int_equal(ca_facts_add_dep(f, "/usr/include/python3/Python.h", NULL), CA_OK);

    /* f0: (seq (call) (loop #0 (seq (branch skip zero-of call 0 arm0 (call))) (seq (switch (seq) (seq (case) (case default)
     * (break))) (return) (goto fail) (goto *) (label fail) (continue) (loop once)) (seq)) (call)) */
    root0 = ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, CA_NONE);
    f->funcs[0].ir_root = root0;
    ir(f, CA_IR_CALL, 0, 0, NULL, root0);
    lp = ir(f, CA_IR_LOOP, CA_IR_TEST_FIRST, 0, NULL, root0);
    seq = ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, lp);
    ir(f, CA_IR_CALL, 0, 1, NULL, ir(f, CA_IR_BRANCH, CA_IR_MAY_SKIP | CA_IR_ZERO_ARM0, 0, NULL, seq));
    seq = ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, lp);
    sw = ir(f, CA_IR_SWITCH, 0, CA_NONE, NULL, seq);
    ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, sw);
    body = ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, sw);
    ir(f, CA_IR_CASE, 0, CA_NONE, NULL, body);
    ir(f, CA_IR_CASE, CA_IR_DEFAULT, CA_NONE, NULL, body);
    ir(f, CA_IR_BREAK, 0, CA_NONE, NULL, body);
    f->ir[ir(f, CA_IR_RETURN, 0, CA_NONE, NULL, seq)].loc = (struct ca_loc){14, 9};
    f->ir[ir(f, CA_IR_GOTO, 0, CA_NONE, "fail", seq)].loc = (struct ca_loc){15, 13};
    f->ir[ir(f, CA_IR_GOTO, 0, CA_NONE, NULL, seq)].loc = (struct ca_loc){16, 13};
    ir(f, CA_IR_LABEL, 0, CA_NONE, "fail", seq);
    ir(f, CA_IR_CONTINUE, 0, CA_NONE, NULL, seq);
    ir(f, CA_IR_LOOP, 0, CA_NONE, NULL, seq);
    ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, lp);
    ir(f, CA_IR_CALL, 0, 2, NULL, root0);
    /* hdr_fn: (seq (loop #3 test-first skip default (call)) (label "")) */
    root1 = ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, CA_NONE);
    f->funcs[1].ir_root = root1;
    lp = ir(f, CA_IR_LOOP, CA_IR_TEST_FIRST | CA_IR_MAY_SKIP | CA_IR_DEFAULT, 3, NULL, root1);
    ir(f, CA_IR_CALL, 0, 3, NULL, lp);
    ir(f, CA_IR_LABEL, 0, CA_NONE, "", root1);
    /* a node that belongs to no function */
    ir(f, CA_IR_SEQ, 0, CA_NONE, NULL, CA_NONE);
}

/* ------------------------------------------------------------------ round trips */

static void test_hand_built_facts_with_every_field_round_trip_exactly(void **state)
{
    struct ca_tu_facts f;
    (void)state;
    build(&f);
    for (int s = CA_TU_OK; s <= CA_TU_MISSING; s++) {
        f.status = (enum ca_tu_status)s;
        f.python = s != CA_TU_OK;
        f.ft_declared = s == CA_TU_OK;
        round_trip(&f);
    }
    f.path = NULL; /* NULL and "" are told apart everywhere */
    round_trip(&f);
    f.path = "";
    round_trip(&f);
    ca_facts_fini(&f);
}

static void test_empty_facts_round_trip(void **state)
{
    struct ca_tu_facts f;
    (void)state;
    assert_int_equal(ca_facts_init(&f, "empty.c"), CA_OK);
    round_trip(&f);
    ca_facts_fini(&f);
}

static void test_equal_strings_are_stored_once(void **state)
{
    struct ca_tu_facts f;
    struct ca_buf b;
    char *at;
    (void)state;
    build(&f);
    b = record(&f);
    at = memmem(b.data, b.len, "int (int)", 10); /* with its NUL: used by a call and a fnref */
    assert_non_null(at);
    assert_null(memmem(at + 1, b.len - (size_t)(at + 1 - b.data), "int (int)", 10));
    ca_buf_fini(&b);
    ca_facts_fini(&f);
}

/* Every .c file in samples/ through the front end, with the flags test_front uses. */
static void test_every_sample_parsed_by_the_front_end_round_trips(void **state)
{
    struct fixture *fx = *state;
    glob_t g;
    size_t i;
    if (!fx->pyflag[0]) fail_msg("the CPython headers (/usr/include/python3.*) are missing");
    assert_int_equal(glob(CA_SOURCE_DIR "/samples/*.c", 0, NULL, &g), 0);
    assert_true(g.gl_pathc > 10);
    for (i = 0; i < g.gl_pathc; i++) {
        const char *args[2] = {"-std=gnu11", fx->pyflag};
        struct ca_front_input in = {.path = g.gl_pathv[i], .display = g.gl_pathv[i], .args = args, .nargs = 2};
        struct ca_tu_facts f;
        assert_int_equal(ca_front_parse(fx->fe, &in, &f), CA_OK);
        assert_int_equal(f.status, CA_TU_OK);
        assert_true(f.nfuncs > 0 && f.ndeps > 0);
        round_trip(&f);
        ca_facts_fini(&f);
    }
    globfree(&g);
}

static void test_concatenated_records_read_back_one_after_another(void **state)
{
    struct fixture *fx = *state;
    const char *args[2] = {"-std=gnu11", fx->pyflag};
    struct ca_front_input in = {.path = CA_SOURCE_DIR "/samples/io_released_read.c",
                                .display = "samples/io_released_read.c", .args = args, .nargs = 2};
    struct ca_tu_facts f[3], g;
    struct ca_buf b;
    size_t at = 0, used;
    build(&f[0]);
    assert_int_equal(ca_front_parse(fx->fe, &in, &f[1]), CA_OK);
    assert_int_equal(ca_facts_init(&f[2], "empty.c"), CA_OK);
    ca_buf_init(&b);
    for (int i = 0; i < 3; i++) assert_int_equal(ca_facts_write(&f[i], &b), CA_OK);
    for (int i = 0; i < 3; i++) {
        char *d1 = facts_dump_text(&f[i]), *d2;
        assert_int_equal(ca_facts_read(b.data + at, b.len - at, &g, &used), CA_OK);
        assert_true(used > HEADER && used <= b.len - at);
        same_facts(&f[i], &g);
        d2 = facts_dump_text(&g);
        assert_string_equal(d1, d2);
        free(d1);
        free(d2);
        ca_facts_fini(&g);
        at += used;
    }
    assert_int_equal(at, b.len);
    for (int i = 0; i < 3; i++) ca_facts_fini(&f[i]);
    ca_buf_fini(&b);
}

/* ------------------------------------------------------------------ damaged records */

static void test_every_truncation_is_a_parse_error(void **state)
{
    struct ca_tu_facts f;
    struct ca_buf b;
    char *copy;
    (void)state;
    build(&f);
    b = record(&f);
    for (size_t n = 0; n < b.len; n++) {
        copy = malloc(n ? n : 1); /* exactly n bytes, so that ASan sees any read past them */
        assert_non_null(copy);
        memcpy(copy, b.data, n);
        read_expect(copy, n, CA_ERR_PARSE);
        free(copy);
    }
    read_expect(b.data, b.len, CA_OK);
    ca_buf_fini(&b);
    ca_facts_fini(&f);
}

static void test_every_flipped_byte_is_a_parse_error(void **state)
{
    static const unsigned char masks[] = {0x01, 0x80, 0xff};
    struct ca_tu_facts f;
    struct ca_buf b;
    (void)state;
    build(&f);
    b = record(&f);
    for (size_t i = 0; i < b.len; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            b.data[i] ^= (char)masks[m];
            read_expect(b.data, b.len, CA_ERR_PARSE);
            b.data[i] ^= (char)masks[m];
        }
    }
    read_expect(b.data, b.len, CA_OK);
    ca_buf_fini(&b);
    ca_facts_fini(&f);
}

/* A record with no strings: header, u32 0, tu {path 0, status, python, ft}, 11 counts of 0. */
#define TU_AT (HEADER + 4)
static void minimal(char rec[HEADER + 4 + 10 + 44], size_t *len)
{
    struct ca_tu_facts f;
    struct ca_buf b;
    assert_int_equal(ca_facts_init(&f, NULL), CA_OK);
    f.path = NULL;
    b = record(&f);
    assert_int_equal(b.len, HEADER + 4 + 10 + 44);
    memcpy(rec, b.data, b.len);
    *len = b.len;
    ca_buf_fini(&b);
    ca_facts_fini(&f);
}

static void test_resealed_records_with_bad_bytes_are_rejected(void **state)
{
    char rec[HEADER + 4 + 10 + 44 + 1], big[sizeof rec];
    size_t len;
    (void)state;
    minimal(rec, &len);
    read_expect(rec, len, CA_OK);
    rec[TU_AT] = 1; /* string id 1 of 0 */
    reseal(rec);
    read_expect(rec, len, CA_ERR_PARSE);
    minimal(rec, &len);
    rec[TU_AT + 4] = 3; /* status */
    reseal(rec);
    read_expect(rec, len, CA_ERR_PARSE);
    minimal(rec, &len);
    rec[TU_AT + 8] = 2; /* python is a bool */
    reseal(rec);
    read_expect(rec, len, CA_ERR_PARSE);
    minimal(rec, &len);
    memset(rec + TU_AT + 10, 0xff, 4); /* 2^32-1 functions in a few bytes */
    reseal(rec);
    read_expect(rec, len, CA_ERR_PARSE);
    minimal(rec, &len);
    memset(rec + HEADER, 0xff, 4); /* 2^32-1 strings */
    reseal(rec);
    read_expect(rec, len, CA_ERR_PARSE);
    minimal(rec, &len);
    rec[8] = CA_FACTS_IO_VERSION + 1;
    read_expect(rec, len, CA_ERR_PARSE);
    /* a payload with a byte after the last array */
    minimal(big, &len);
    big[len] = 0;
    big[12]++; /* payload length, low byte */
    reseal(big);
    read_expect(big, len + 1, CA_ERR_PARSE);
    /* the same bytes, read as a record followed by something else, are fine */
    minimal(big, &len);
    big[len] = 'x';
    read_expect(big, len + 1, CA_OK);
}

/* Finds `s` with its NUL in the string table, replaces byte `at` of it and reseals. */
static void patch_string(struct ca_buf *b, const char *s, size_t at, char c)
{
    char *p = memmem(b->data, b->len, s, strlen(s) + 1);
    assert_non_null(p);
    p[at] = c;
    reseal(b->data);
}

static void test_strings_with_an_embedded_or_missing_nul_are_rejected(void **state)
{
    struct ca_tu_facts f;
    struct ca_buf b;
    (void)state;
    build(&f);
    f.funcs[0].name = "EMBEDXNUL";
    b = record(&f);
    read_expect(b.data, b.len, CA_OK);
    patch_string(&b, "EMBEDXNUL", 5, '\0');
    read_expect(b.data, b.len, CA_ERR_PARSE);
    ca_buf_fini(&b);
    b = record(&f);
    patch_string(&b, "EMBEDXNUL", 9, 'L'); /* the terminator */
    read_expect(b.data, b.len, CA_ERR_PARSE);
    ca_buf_fini(&b);
    ca_facts_fini(&f);
}

/* Each case edits fresh hand-built facts; the writer writes them as they are and the reader,
 * checksum notwithstanding, refuses them. */
static void test_out_of_range_indices_are_rejected(void **state)
{
    struct ca_tu_facts f;
    (void)state;
#define CASE(edit)          \
    do {                    \
        build(&f);          \
        edit;               \
        rejected(&f);       \
        ca_facts_fini(&f);  \
    } while (0)
    CASE(f.funcs[2].ir_root = f.nir);
    CASE(f.loops[0].func = f.nfuncs);
    CASE(f.loops[0].func = CA_NONE);
    CASE(f.loops[1].parent = 1);            /* itself */
    CASE(f.loops[1].parent = 2);            /* a later loop: parent chains could cycle */
    CASE(f.calls[0].func = CA_NONE);
    CASE(f.calls[0].loop = f.nloops);
    CASE(f.macros[0].func = f.nfuncs);
    CASE(f.macros[0].loop = f.nloops);
    CASE(f.writes[0].func = 7);
    CASE(f.writes[0].loop = f.nloops);
    CASE(f.fnrefs[0].func = f.nfuncs);
    CASE(f.fnrefs[0].call = f.ncalls);
    CASE(f.globals[0].func = 0);            /* not a static local: no function */
    CASE(f.globals[1].func = CA_NONE);      /* a static local: its function */
    CASE(f.ir[1].ref = f.ncalls);           /* CALL: a call index */
    CASE(f.ir[1].ref = CA_NONE);
    CASE(f.ir[2].ref = f.nloops);           /* LOOP: a loop index or CA_NONE */
    CASE(f.ir[0].ref = 0);                  /* SEQ: no ref */
    CASE(assert_int_equal(f.ir[4].kind, CA_IR_BRANCH); f.ir[4].ref = f.ncalls); /* BRANCH testing a call's result */
    CASE(f.ir[4].ref = CA_NONE);
    CASE(f.ir[4].flags |= CA_IR_ZERO_SKIP); /* ... and one zero path */
    CASE(f.ir[4].flags = CA_IR_MAY_SKIP);   /* a plain BRANCH: no ref */
    CASE(f.ir[0].first_child = f.nir);
    CASE(f.ir[1].next_sibling = f.nir + 5);
#undef CASE
}

static void test_enum_values_and_flags_out_of_range_are_rejected(void **state)
{
    struct ca_tu_facts f;
    (void)state;
#define CASE(edit)          \
    do {                    \
        build(&f);          \
        edit;               \
        rejected(&f);       \
        ca_facts_fini(&f);  \
    } while (0)
    CASE(f.status = (enum ca_tu_status)(CA_TU_MISSING + 1));
    CASE(f.loops[0].kind = (enum ca_loop_kind)(CA_LOOP_DO + 1));
    CASE(f.loops[0].bound = (enum ca_bound)(CA_BOUND_INFINITE + 1));
    CASE(f.fnrefs[0].ctx = (enum ca_fnref_ctx)(CA_FNREF_OTHER + 1));
    CASE(f.ir[0].kind = (enum ca_ir_kind)(CA_IR_LABEL + 1));
    CASE(f.ir[0].flags = CA_IR_ZERO_SKIP << 1);
    CASE(f.calls[0].flags = CA_CALL_STDSTREAM << 1);
#undef CASE
}

static void test_ir_cycles_and_nodes_with_two_parents_are_rejected(void **state)
{
    struct ca_tu_facts f;
    uint32_t a, b;
    (void)state;
#define CASE(edit)          \
    do {                    \
        build(&f);          \
        edit;               \
        rejected(&f);       \
        ca_facts_fini(&f);  \
    } while (0)
    CASE(f.ir[1].first_child = f.funcs[0].ir_root);   /* back to the root */
    CASE(f.ir[1].next_sibling = 1);                   /* itself */
    CASE(f.ir[3].first_child = 2);                    /* a child of its child */
    CASE(f.ir[f.nir - 1].first_child = 1);            /* 1 has two parents */
    CASE(f.funcs[2].ir_root = f.funcs[0].ir_root);    /* two functions, one body */
    CASE(f.funcs[2].ir_root = 1);                     /* a root that is a child */
    /* a ring that no function reaches */
    CASE((a = ir(&f, CA_IR_SEQ, 0, CA_NONE, NULL, CA_NONE), b = ir(&f, CA_IR_SEQ, 0, CA_NONE, NULL, a),
          f.ir[b].first_child = a));
#undef CASE
    build(&f); /* the unchanged facts are accepted */
    round_trip(&f);
    ca_facts_fini(&f);
}

/* What the analysis relies on in accepted facts: links index their arrays, and loop parents and
 * IR trees can be followed to their ends. */
static void walk_like_the_analysis(const struct ca_tu_facts *f)
{
    uint32_t i, n, stack[64], top;
    for (i = 0; i < f->nloops; i++) {
        assert_true(f->loops[i].func < f->nfuncs);
        for (n = 0, top = f->loops[i].parent; top != CA_NONE; top = f->loops[top].parent) assert_true(++n <= i);
    }
    for (i = 0; i < f->ncalls; i++)
        assert_true(f->calls[i].func < f->nfuncs && (f->calls[i].loop == CA_NONE || f->calls[i].loop < f->nloops));
    for (i = 0; i < f->nfuncs; i++) {
        if (f->funcs[i].ir_root == CA_NONE) continue;
        n = 0;
        top = 0;
        stack[top++] = f->funcs[i].ir_root;
        while (top) {
            const struct ca_ir_node *x = &f->ir[stack[--top]];
            assert_true(++n <= f->nir);
            if (x->kind == CA_IR_CALL) assert_true(x->ref < f->ncalls);
            assert_true(top + 2 <= 64);
            if (x->first_child != CA_NONE) stack[top++] = x->first_child;
            if (x->next_sibling != CA_NONE) stack[top++] = x->next_sibling;
        }
    }
}

/* Random edits of the payload, resealed: the reader rejects them or returns facts that are safe
 * to use. */
static void test_randomly_damaged_records_with_a_valid_checksum_are_rejected_or_safe(void **state)
{
    struct ca_tu_facts f, g;
    struct ca_buf b;
    uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift64 */
    char *copy;
    size_t used;
    int accepted = 0;
    (void)state;
    build(&f);
    b = record(&f);
    copy = malloc(b.len);
    assert_non_null(copy);
    for (int round = 0; round < 4000; round++) {
        enum ca_status st;
        memcpy(copy, b.data, b.len);
        for (int edits = 1 + round % 3; edits > 0; edits--) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            copy[HEADER + x % (b.len - HEADER)] ^= (char)(1u << (x >> 61));
        }
        reseal(copy);
        st = ca_facts_read(copy, b.len, &g, &used);
        if (st == CA_OK) {
            walk_like_the_analysis(&g);
            accepted++;
        } else {
            assert_int_equal(st, CA_ERR_PARSE);
        }
        ca_facts_fini(&g);
    }
    assert_true(accepted > 0); /* some edits (a line number, a string's byte) are harmless */
    free(copy);
    ca_buf_fini(&b);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ allocation failures */

static void test_allocation_failures_return_nomem_without_leaks(void **state)
{
    struct fixture *fx = *state;
    const char *args[2] = {"-std=gnu11", fx->pyflag};
    struct ca_front_input in = {.path = CA_SOURCE_DIR "/samples/gilstate_callback.c",
                                .display = "samples/gilstate_callback.c", .args = args, .nargs = 2};
    struct ca_tu_facts f[2], g;
    struct ca_buf b, rec;
    long n, nw = 0, nr = 0;
    size_t used;
    build(&f[0]);
    assert_int_equal(ca_front_parse(fx->fe, &in, &f[1]), CA_OK);
    for (int i = 0; i < 2; i++) {
        for (n = 1; n < 10000; n++) {
            enum ca_status st;
            ca_buf_init(&b);
            ca_alloc_fail_after(n);
            st = ca_facts_write(&f[i], &b);
            ca_alloc_fail_after(0);
            if (st == CA_OK) {
                rec = record(&f[i]);
                assert_int_equal(b.len, rec.len);
                assert_memory_equal(b.data, rec.data, b.len);
                ca_buf_fini(&rec);
                ca_buf_fini(&b);
                break;
            }
            assert_int_equal(st, CA_ERR_NOMEM);
            assert_true(b.failed);
            ca_buf_fini(&b);
        }
        nw += n;
        rec = record(&f[i]);
        for (n = 1; n < 10000; n++) {
            enum ca_status st;
            ca_alloc_fail_after(n);
            st = ca_facts_read(rec.data, rec.len, &g, &used);
            ca_alloc_fail_after(0);
            if (st == CA_OK) same_facts(&f[i], &g);
            ca_facts_fini(&g);
            if (st == CA_OK) break;
            assert_int_equal(st, CA_ERR_NOMEM);
        }
        nr += n;
        ca_buf_fini(&rec);
    }
    assert_true(nw > 4 && nw < 10000 && nr > 4 && nr < 10000); /* failures happened, then success */
    for (int i = 0; i < 2; i++) ca_facts_fini(&f[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_built_facts_with_every_field_round_trip_exactly),
        cmocka_unit_test(test_empty_facts_round_trip),
        cmocka_unit_test(test_equal_strings_are_stored_once),
        cmocka_unit_test(test_every_sample_parsed_by_the_front_end_round_trips),
        cmocka_unit_test(test_concatenated_records_read_back_one_after_another),
        cmocka_unit_test(test_every_truncation_is_a_parse_error),
        cmocka_unit_test(test_every_flipped_byte_is_a_parse_error),
        cmocka_unit_test(test_resealed_records_with_bad_bytes_are_rejected),
        cmocka_unit_test(test_strings_with_an_embedded_or_missing_nul_are_rejected),
        cmocka_unit_test(test_out_of_range_indices_are_rejected),
        cmocka_unit_test(test_enum_values_and_flags_out_of_range_are_rejected),
        cmocka_unit_test(test_ir_cycles_and_nodes_with_two_parents_are_rejected),
        cmocka_unit_test(test_randomly_damaged_records_with_a_valid_checksum_are_rejected_or_safe),
        cmocka_unit_test(test_allocation_failures_return_nomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, front_fixture_setup, front_fixture_teardown);
}
