/* test_front.c: the libclang front end, checked through the --dump-facts text of small sources.
 * Each test writes a C file, parses it with ca_front_parse and looks for whole dump lines (the
 * line formats are in facts.h).  Python sources need the CPython headers, a declared
 * dependency: the tests fail, not skip, when /usr/include/python3.* is absent. */
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "front.h"
#include "preamble.h"
#include "front_fixture.h"
#include "testutil.h"

/* Parse `src` written to a temporary file `name`; the facts are the caller's to fini. */
static void parse(void **state, const char *name, const char *src, struct ca_tu_facts *f)
{
    struct fixture *fx = *state;
    const char *args[2] = {"-std=gnu11", fx->pyflag};
    char *path = tu_write_temp(name, src);
    struct ca_front_input in = {path, path, args, fx->pyflag[0] ? 2 : 1, NULL, 0, NULL, NULL, NULL};
    if (strstr(src, "Python.h") && !fx->pyflag[0]) fail_msg("the CPython headers (/usr/include/python3.*) are missing");
    assert_int_equal(ca_front_parse(fx->fe, &in, f), CA_OK);
    free(path);
}

/* Parse the file at `path` shown as `display`, with one more compiler argument (may be NULL). */
static void parse_path(void **state, const char *path, const char *display, const char *extra,
                       struct ca_tu_facts *f)
{
    struct fixture *fx = *state;
    const char *args[3] = {"-std=gnu11", fx->pyflag, extra};
    struct ca_front_input in = {path, display, args, 2, NULL, 0, NULL, NULL, NULL};
    if (!fx->pyflag[0]) fail_msg("the CPython headers (/usr/include/python3.*) are missing");
    if (extra) in.nargs = 3;
    assert_int_equal(ca_front_parse(fx->fe, &in, f), CA_OK);
}

/* Make directory `sub` (one level) in the temporary directory; returns its path (free it). */
static char *temp_dir(const char *sub)
{
    char *probe = tu_write_temp(".probe", ""), *slash = strrchr(probe, '/');
    size_t n = (size_t)(slash - probe) + 1 + strlen(sub) + 1;
    char *dir = malloc(n);
    assert_non_null(dir);
    snprintf(dir, n, "%.*s/%s", (int)(slash - probe), probe, sub);
    mkdir(dir, 0755);
    free(probe);
    return dir;
}

/* Parse and dump; the caller frees the text and fini's the facts. */
static char *parse_dump(void **state, const char *name, const char *src, struct ca_tu_facts *f)
{
    parse(state, name, src, f);
    return facts_dump_text(f);
}

static void has(const char *text, const char *needle)
{
    if (!strstr(text, needle)) fail_msg("missing:\n  %s\nin the dump:\n%s", needle, text);
}

static void lacks(const char *text, const char *needle)
{
    if (strstr(text, needle)) fail_msg("unexpected:\n  %s\nin the dump:\n%s", needle, text);
}

/* ------------------------------------------------------------------ tests of a call's result */

/* `if` conditions that compare a call's result with 0 mark which path runs when it was 0: the
 * call itself, a local last assigned it (in a declaration or an assignment, also inside the
 * condition), !v, v, 0 == v, v != 0; another assignment forgets it; other comparisons are no
 * such test.  The front end marks every call: which ones fork is the catalog's business. */
static void test_branches_on_a_calls_result_against_zero_are_marked(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "zero.c",
                         "int fork(void); int h(int); void _exit(int);\n"
                         "int a(void) { int pid = fork(); if (pid == 0) { h(1); _exit(0); } return pid; }\n"
                         "int b(void) { int pid; pid = fork(); if (pid != 0) return pid; h(2); return 0; }\n"
                         "int c(void) { if (fork() == 0) h(3); else h(4); return 0; }\n"
                         "int d(void) { int pid; if ((pid = fork())) { return pid; } h(5); return 0; }\n"
                         "int e(void) { int pid = fork(); if (!pid) h(6); if (pid > 0) h(7); pid = 3; if (pid == 0) h(8); return 0; }\n"
                         "int g(void) { int pid = fork(); if (0 != pid) ; else h(9); return 0; }\n"
                         "int k(int x) { if (x == 0) h(10); if (h(11) == 1) h(12); return 0; }\n",
                         &f);
    has(d, "ir a: (seq (call fork) (branch skip zero-of fork arm0 (seq (call h) (call _exit))) (return))\n");
    has(d, "ir b: (seq (call fork) (branch skip zero-of fork skip (return)) (call h) (return))\n");
    has(d, "ir c: (seq (call fork) (branch zero-of fork arm0 (call h) (call h)) (return))\n");
    has(d, "ir d: (seq (call fork) (branch skip zero-of fork skip (return)) (call h) (return))\n");
    has(d, "ir e: (seq (call fork) (branch skip zero-of fork arm0 (call h)) (branch skip (call h)) (branch skip (call h)) (return))\n");
    has(d, "ir g: (seq (call fork) (branch skip zero-of fork arm0 (call h)) (return))\n");
    has(d, "ir k: (seq (branch skip (call h)) (call h) (branch skip (call h)) (return))\n");
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ loops */

static void test_nested_loops_have_parent_depth_kind_and_locations(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "nested.c",
                         "void h(int);\n"
                         "void f(int n) {\n"
                         "    int i, j = 0, k = 0;\n"
                         "    for (i = 0; i < n; i++) {\n"
                         "        while (j < n) {\n"
                         "            do {\n"
                         "                h(k);\n"
                         "            } while (k--);\n"
                         "            j++;\n"
                         "        }\n"
                         "    }\n"
                         "    for (k = 0; k < 2; k++) h(k);\n"
                         "}\n",
                         &f);
    has(d, "func f 2:6-13 static=0 params=1\n");
    has(d, "loop #0 for 4:5-11 func=f parent=- depth=0 bound=var ");
    has(d, "loop #1 while 5:9-10 func=f parent=#0 depth=1 bound=var ");
    has(d, "loop #2 do 6:13-8 func=f parent=#1 depth=2 bound=unknown ");
    has(d, "loop #3 for 12:5-12 func=f parent=- depth=0 bound=const trip=2 ");
    has(d, "call 7:17 h func=f loop=#2 args=1\n");
    has(d, "call 12:29 h func=f loop=#3 args=1\n");
    assert_int_equal(f.nloops, 4);
    free(d);
    ca_facts_fini(&f);
}

static void test_for_with_missing_parts_is_told_apart_by_its_semicolons(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "forparts.c",
                         "int h(int);\n"
                         "void f(int n) {\n"
                         "    int i = 0;\n"
                         "    for (;;) { if (h(i)) break; }\n"
                         "    for (; i < n;) i += h(1);\n"
                         "    for (;; i = h(2)) { if (i > n) break; }\n"
                         "    for (i = h(3); h(i);) { }\n"
                         "}\n",
                         &f);
    has(d, "loop #0 for 4:5-4 func=f parent=- depth=0 bound=infinite trip=-1 ");
    has(d, "loop #1 for 5:5-5 func=f parent=- depth=0 bound=var ");
    has(d, "loop #2 for 6:5-6 func=f parent=- depth=0 bound=infinite ");
    has(d, "loop #3 for 7:5-7 func=f parent=- depth=0 bound=unknown ");
    has(d, "ir f: (seq"
           " (loop #0 test-first (seq) (seq (call h) (branch skip zero-of h skip (break))) (seq))"
           " (loop #1 test-first (seq) (seq (call h)) (seq))"
           " (loop #2 test-first (seq) (seq (branch skip (break))) (seq (call h)))"
           " (call h) (loop #3 test-first (seq (call h)) (seq) (seq)))\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_for_loop_made_by_a_macro_is_found_with_its_parts(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "formacro.c",
                         "#define FOREACH(i, n) for (i = 0; i < (n); i++)\n"
                         "int h(int);\n"
                         "void f(int n) {\n"
                         "    int i;\n"
                         "    FOREACH(i, n) h(i);\n"
                         "    FOREACH(i, 8) h(i);\n"
                         "}\n",
                         &f);
    has(d, "loop #0 for 5:5-5 func=f parent=- depth=0 bound=var ");
    has(d, "loop #1 for 6:5-6 func=f parent=- depth=0 bound=const trip=8 ");
    has(d, "call 5:19 h func=f loop=#0 args=1\n");
    has(d, "macro 5:5 FOREACH func=f loop=-\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_loop_inside_allow_threads_block_is_found(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "released.c",
                         "#include <Python.h>\n"
                         "static PyObject *f(PyObject *self, PyObject *arg) {\n"
                         "    long i, n = PyLong_AsLong(arg), s = 0;\n"
                         "    Py_BEGIN_ALLOW_THREADS\n"
                         "    for (i = 0; i < n; i++) {\n"
                         "        s += i;\n"
                         "    }\n"
                         "    Py_END_ALLOW_THREADS\n"
                         "    return PyLong_FromLong(s);\n"
                         "}\n",
                         &f);
    has(d, "func f 2:18-10 static=1 params=2\n");
    has(d, "loop #0 for 5:5-7 func=f parent=- depth=0 bound=var trip=-1 ops=3\n");
    has(d, "call 4:5 PyEval_SaveThread func=f loop=- pydecl macro=Py_BEGIN_ALLOW_THREADS args=0\n");
    has(d, "call 8:5 PyEval_RestoreThread func=f loop=- pydecl macro=Py_END_ALLOW_THREADS args=1\n");
    has(d, "macro 4:5 Py_BEGIN_ALLOW_THREADS func=f loop=-\n");
    has(d, "macro 8:5 Py_END_ALLOW_THREADS func=f loop=-\n");
    has(d, "ir f: (seq (call PyLong_AsLong) (call PyEval_SaveThread) (loop #0 test-first (seq) (seq) (seq))"
           " (call PyEval_RestoreThread) (return (call PyLong_FromLong)))\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_bounds_are_const_var_infinite_or_unknown(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "bounds.c",
                         "enum { WIDTH = 4 };\n"
                         "#define SIZE 16\n"
                         "int h(int);\n"
                         "void f(int n, int *p) {\n"
                         "    int i = 0, c;\n"
                         "    for (i = 0; i < 16; i++) h(i);\n"
                         "    for (i = 0; i <= SIZE; i++) h(i);\n"
                         "    for (i = WIDTH; i > 0; i--) h(i);\n"
                         "    for (i = 0; i < n; i++) h(i);\n"
                         "    while (i < h(0)) i++;\n"
                         "    while (1) { if (h(1)) break; }\n"
                         "    do { } while (2);\n"
                         "    while (p) p = 0;\n"
                         "    while ((c = h(2)) != -1) { }\n"
                         "    while (i < n && p) i++;\n"
                         "    for (int j = 3; 10 > j; j++) h(j);\n"
                         "}\n",
                         &f);
    has(d, "loop #0 for 6:5-6 func=f parent=- depth=0 bound=const trip=16 ");
    has(d, "loop #1 for 7:5-7 func=f parent=- depth=0 bound=const trip=17 ");
    has(d, "loop #2 for 8:5-8 func=f parent=- depth=0 bound=const trip=4 ");
    has(d, "loop #3 for 9:5-9 func=f parent=- depth=0 bound=var trip=-1 ");
    has(d, "loop #4 while 10:5-10 func=f parent=- depth=0 bound=var trip=-1 ");
    has(d, "loop #5 while 11:5-11 func=f parent=- depth=0 bound=infinite trip=-1 ");
    has(d, "loop #6 do 12:5-12 func=f parent=- depth=0 bound=infinite trip=-1 ");
    has(d, "loop #7 while 13:5-13 func=f parent=- depth=0 bound=unknown trip=-1 ");
    has(d, "loop #8 while 14:5-14 func=f parent=- depth=0 bound=unknown trip=-1 ");
    has(d, "loop #9 while 15:5-15 func=f parent=- depth=0 bound=unknown trip=-1 ");
    has(d, "loop #10 for 16:5-16 func=f parent=- depth=0 bound=const trip=7 ");
    free(d);
    ca_facts_fini(&f);
}

static void test_arithmetic_loop_counts_operators(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "ops.c",
                         "struct v { double x; };\n"
                         "void f(double *a, const double *b, struct v *s, int n) {\n"
                         "    int i;\n"
                         "    for (i = 0; i < n; i++)\n"
                         "        a[i] = a[i] * 2.0 + b[i] + s->x;\n"
                         "    for (i = 0; i < n; i++) { double *q = &a[i]; (void)q; }\n"
                         "}\n",
                         &f);
    /* < ++ = [] [] * + [] + -> */
    has(d, "loop #0 for 4:5-5 func=f parent=- depth=0 bound=var trip=-1 ops=10\n");
    /* < ++ [] (the & is not an operation) */
    has(d, "loop #1 for 6:5-6 func=f parent=- depth=0 bound=var trip=-1 ops=3\n");
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ calls and macros */

static void test_calls_in_for_init_do_not_belong_to_the_loop(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "forinit.c",
                         "int start(void); int more(int); void step(int *);\n"
                         "void f(void) {\n"
                         "    int i;\n"
                         "    for (i = start(); more(i); step(&i)) { }\n"
                         "}\n",
                         &f);
    has(d, "call 4:14 start func=f loop=- args=0\n");
    has(d, "call 4:23 more func=f loop=#0 args=1\n");
    has(d, "call 4:32 step func=f loop=#0 args=1\n");
    has(d, "ir f: (seq (call start) (loop #0 test-first (seq (call more)) (seq) (seq (call step))))\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_indirect_calls_keep_the_callee_text(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "indirect.c",
                         "struct obj { int (*read)(int); };\n"
                         "typedef int (*fn_t)(int); int direct(int);\n"
                         "int f(struct obj *self, fn_t cb, fn_t *fp) {\n"
                         "    return self->read(1) + cb(2) + (*fp)(3) + (direct)(4);\n"
                         "}\n",
                         &f);
    has(d, "call 4:12 self->read func=f loop=- indirect field=read args=1 fptype=int (int)\n");
    has(d, "call 4:28 cb func=f loop=- indirect args=1 fptype=int (int)\n");
    has(d, "call 4:36 (*fp) func=f loop=- indirect args=1 fptype=int (int)\n");
    has(d, "call 4:47 direct func=f loop=- args=1\n");
    assert_int_equal(f.calls[0].flags, CA_CALL_INDIRECT);
    free(d);
    ca_facts_fini(&f);
}

static void test_calls_written_in_macro_arguments_are_the_users_and_do_while_zero_is_no_loop(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "macroarg.c",
                         "#include <unistd.h>\n"
                         "#define CHECK(x) do { if ((x) < 0) return -1; } while (0)\n"
                         "int f(int fd, char *b) {\n"
                         "    CHECK(read(fd, b, 4));\n"
                         "    return 0;\n"
                         "}\n",
                         &f);
    assert_int_equal(f.nloops, 0); /* do { } while (0) runs once: not a loop */
    has(d, "call 4:5 read func=f loop=- args=3\n");
    has(d, "macro 4:5 CHECK func=f loop=-\n");
    has(d, "(loop once ");
    assert_int_equal(f.calls[0].flags, 0);
    free(d);
    ca_facts_fini(&f);
}

static void test_only_functions_declared_by_python_headers_are_marked_pydecl(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "pydecl.c",
                         "#include <Python.h>\n"
                         "int PyBlake2_blake2b_update(void *s, const void *in, size_t n);\n"
                         "#define blake2b_update PyBlake2_blake2b_update\n"
                         "static PyObject *f(PyObject *self, PyObject *o) {\n"
                         "    blake2b_update(NULL, NULL, 0);\n"
                         "    return PyLong_FromLong(1);\n"
                         "}\n",
                         &f);
    has(d, "call 5:5 PyBlake2_blake2b_update func=f loop=- macro=blake2b_update args=3\n");
    has(d, "call 6:12 PyLong_FromLong func=f loop=- pydecl args=1\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_list_get_item_is_a_macro_fact_in_the_loop(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "getitem.c",
                         "#include <Python.h>\n"
                         "static PyObject *sum(PyObject *self, PyObject *list) {\n"
                         "    Py_ssize_t i, n = PyList_GET_SIZE(list);\n"
                         "    for (i = 0; i < n; i++) {\n"
                         "        PyObject *o = PyList_GET_ITEM(list, i);\n"
                         "        (void)o;\n"
                         "    }\n"
                         "    Py_RETURN_NONE;\n"
                         "}\n",
                         &f);
    has(d, "macro 3:23 PyList_GET_SIZE func=sum loop=-\n");
    has(d, "macro 5:23 PyList_GET_ITEM func=sum loop=#0\n");
    has(d, "macro 8:5 Py_RETURN_NONE func=sum loop=-\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_static_inline_helper_in_a_project_header_is_extracted_with_header_lines(void **state)
{
    struct ca_tu_facts f;
    char *h = tu_write_temp("inline.h", "static inline int twice(int x) {\n"
                                        "    int i, s = 0;\n"
                                        "    for (i = 0; i < 2; i++) s += x;\n"
                                        "    return s;\n"
                                        "}\n");
    char *d = parse_dump(state, "usesheader.c",
                         "#include \"inline.h\"\n"
                         "int f(int x) { return twice(x); }\n",
                         &f);
    char *line = malloc(strlen(h) + 64);
    assert_non_null(line);
    sprintf(line, "func twice 1:19-5 static=1 params=1 file=%s\n", h); /* display: absolute */
    has(d, line);
    has(d, "func f 2:5-2 static=0 params=1\n");
    has(d, "loop #0 for 3:5-3 func=twice parent=- depth=0 bound=const trip=2 ");
    has(d, "call 2:23 twice func=f loop=- args=1\n");
    assert_int_equal(f.nfuncs, 2);
    assert_string_equal(f.funcs[0].file, h);
    assert_null(f.funcs[1].file);
    free(line);
    free(h);
    free(d);
    ca_facts_fini(&f);
}

/* Argument Clinic's shape: the wrapper in clinic/mod.c.h, the _impl and the method table in the
 * main file.  The main file starts with one long macro use (SPAN) that covers the offsets of
 * the header function's body: none of the header's facts may be attributed to it. */
static void test_clinic_wrapper_in_a_subdirectory_header_is_extracted_with_its_file(void **state)
{
    struct ca_tu_facts f;
    char filler[401];
    char *dir = temp_dir("clinicproj"), *sub = temp_dir("clinicproj/clinic");
    char *hdr = tu_write_temp("clinicproj/clinic/mod.c.h",
                              "/* generated by Argument Clinic (shape only) */\n"
                              "#define MOD_READALL_METHODDEF \\\n"
                              "    {\"readall\", (PyCFunction)mod_readall, METH_NOARGS, NULL},\n"
                              "#define MOD_TWICE(x) ((x) * 2)\n"
                              "#define MOD_NEW(x) PyLong_FromLong(x)\n"
                              "\n"
                              "static PyObject *mod_readall_impl(PyObject *self);\n"
                              "\n"
                              "static PyObject *\n"
                              "mod_readall(PyObject *self, PyObject *Py_UNUSED(ignored))\n"
                              "{\n"
                              "    int i;\n"
                              "    for (i = 0; i < 4; i++)\n"
                              "        (void)MOD_NEW(MOD_TWICE(i));\n"
                              "    return mod_readall_impl(self);\n"
                              "}\n");
    char *out = tu_write_temp("outside.h", "static inline int out_helper(int x) { while (x) x--; return x; }\n");
    char *src = malloc(2000), *path, *d;
    assert_non_null(src);
    memset(filler, 'x', sizeof filler - 1);
    filler[sizeof filler - 1] = '\0';
    snprintf(src, 2000,
             "#define SPAN(...) 0\n"
             "static int span = SPAN(%s);\n"
             "#include <Python.h>\n"
             "#include \"../outside.h\"\n"
             "#include \"clinic/mod.c.h\"\n"
             "\n"
             "static PyObject *\n"
             "mod_readall_impl(PyObject *self)\n"
             "{\n"
             "    (void)span;\n"
             "    return PyLong_FromLong(out_helper(0));\n"
             "}\n"
             "\n"
             "static PyMethodDef methods[] = {\n"
             "    MOD_READALL_METHODDEF\n"
             "    {NULL, NULL, 0, NULL}};\n",
             filler);
    path = tu_write_temp("clinicproj/mod.c", src);
    parse_path(state, path, "Modules/_io/mod.c", NULL, &f);
    d = facts_dump_text(&f);
    has(d, " status=ok python=1 ft=0\n");
    has(d, "func mod_readall 10:1-16 static=1 params=2 file=Modules/_io/clinic/mod.c.h\n");
    has(d, "func mod_readall_impl 8:1-12 static=1 params=1\n");
    assert_int_equal(f.nfuncs, 2); /* not out_helper (../outside.h), nothing from Python.h */
    has(d, "loop #0 for 13:5-14 func=mod_readall parent=- depth=0 bound=const trip=4 ");
    assert_int_equal(f.nloops, 1);
    has(d, "call 14:15 PyLong_FromLong func=mod_readall loop=#0 pydecl macro=MOD_NEW args=1\n");
    has(d, "call 15:12 mod_readall_impl func=mod_readall loop=- args=1\n");
    has(d, "macro 14:15 MOD_NEW func=mod_readall loop=#0\n");
    has(d, "macro 14:23 MOD_TWICE func=mod_readall loop=#0\n");
    has(d, "ir mod_readall: (seq (loop #0 test-first (seq) (seq (call PyLong_FromLong)) (seq))"
           " (return (call mod_readall_impl)))\n");
    has(d, "fnref 15:5 mod_readall ctx=init field=ml_meth holder=PyMethodDef"
           " fntype=struct _object *(struct _object *, struct _object *)\n");
    lacks(d, "SPAN func=");
    lacks(d, "macro=SPAN");
    lacks(d, "out_helper func=out_helper");
    free(d);
    ca_facts_fini(&f);
    free(path);
    free(src);
    free(out);
    free(hdr);
    free(sub);
    free(dir);
}

/* Inside the main file's directory but not the project's: Python's headers (the directory of
 * the Python.h included) and system headers (-isystem).  Outside it: ../x.h. */
static void test_python_system_and_outside_headers_are_not_extracted(void **state)
{
    struct ca_tu_facts f;
    char *dir = temp_dir("hdrproj"), *py = temp_dir("hdrproj/pyinc"), *sys = temp_dir("hdrproj/sys");
    char *local = temp_dir("hdrproj/sub");
    char *files[5], *path, *d, isys[400];
    int i;
    files[0] = tu_write_temp("hdrproj/pyinc/Python.h",
                             "#include \"pyhelper.h\"\n"
                             "static inline int py_inline(int x) { while (x > 0) x--; return x; }\n");
    files[1] = tu_write_temp("hdrproj/pyinc/pyhelper.h", "static inline int py_helper(int x) { return x; }\n");
    files[2] = tu_write_temp("hdrproj/sys/syshelper.h",
                             "static inline int sys_inline(int x) { for (;;) if (x) break; return x; }\n");
    files[3] = tu_write_temp("outside2.h", "static inline int out_inline(int x) { return x; }\n");
    files[4] = tu_write_temp("hdrproj/sub/local.h",
                             "#define LOCAL_ONE 1\n"
                             "static inline int local_inline(int x) { return x + LOCAL_ONE; }\n"
                             "static int (*const local_table[])(int) = {local_inline};\n");
    path = tu_write_temp("hdrproj/main.c",
                         "#include \"pyinc/Python.h\"\n"
                         "#include <syshelper.h>\n"
                         "#include \"../outside2.h\"\n"
                         "#include \"sub/local.h\"\n"
                         "int f(int x) {\n"
                         "    return py_inline(x) + py_helper(x) + sys_inline(x) + out_inline(x) + local_inline(x)\n"
                         "        + (local_table[0] != 0);\n"
                         "}\n");
    snprintf(isys, sizeof isys, "-isystem%s", sys);
    parse_path(state, path, "hdrproj/main.c", isys, &f);
    d = facts_dump_text(&f);
    has(d, " status=ok python=1 ft=0\n");
    has(d, "func local_inline 2:19-2 static=1 params=1 file=hdrproj/sub/local.h\n");
    has(d, "func f 5:5-8 static=0 params=1\n");
    assert_int_equal(f.nfuncs, 2);
    assert_int_equal(f.nloops, 0);
    has(d, "macro 2:52 LOCAL_ONE func=local_inline loop=-\n");
    /* a header's file-scope table is placed at the main file's #include of that header */
    has(d, "fnref 4:10 local_inline ctx=init holder=int (*const)(int) fntype=int (int)\n");
    has(d, "call 6:12 py_inline func=f loop=- pydecl args=1\n");
    has(d, "call 6:42 sys_inline func=f loop=- args=1\n");
    for (i = 0; i < 5; i++) free(files[i]);
    free(d);
    ca_facts_fini(&f);
    free(path);
    free(local);
    free(sys);
    free(py);
    free(dir);
}

/* ------------------------------------------------------------------ writes */

static void test_writes_to_globals_and_static_locals_are_recorded_and_locals_are_not(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "writes.c",
                         "int counter;\n"
                         "int table[8];\n"
                         "struct { int n; } st;\n"
                         "void f(int *p) {\n"
                         "    static int calls;\n"
                         "    int local = 0, i;\n"
                         "    calls++;\n"
                         "    counter = 1;\n"
                         "    for (i = 0; i < 8; i++) table[i] = i;\n"
                         "    st.n += 2;\n"
                         "    local = 3;\n"
                         "    *p = local;\n"
                         "    (void)(counter == 2);\n"
                         "    (void)-counter;\n"
                         "    (void)-(counter--);\n"
                         "}\n",
                         &f);
    has(d, "write 7:5 calls func=f loop=- static-local\n");
    has(d, "write 8:5 counter func=f loop=-\n");
    has(d, "write 9:29 table func=f loop=#0\n");
    has(d, "write 10:5 st func=f loop=-\n");
    has(d, "write 15:13 counter func=f loop=-\n");
    lacks(d, " local ");
    assert_int_equal(f.nwrites, 5);
    free(d);
    ca_facts_fini(&f);
}

static void test_writes_made_by_macros_are_recorded(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "macrowrites.c",
                         "int g;\n"
                         "#define SET(v) (g = (v))\n"
                         "#define BUMP(x) ++(x)\n"
                         "#define CHECK(x) do { if ((x) < 0) return -1; } while (0)\n"
                         "int f(void) {\n"
                         "    SET(3);\n"
                         "    BUMP(g);\n"
                         "    CHECK(g = 1);\n"
                         "    return 0;\n"
                         "}\n",
                         &f);
    has(d, "write 6:5 g func=f loop=-\n");
    has(d, "write 7:5 g func=f loop=-\n");
    has(d, "write 8:5 g func=f loop=-\n");
    assert_int_equal(f.nwrites, 3);
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ function references */

static void test_method_table_entries_are_init_fnrefs(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "methods.c",
                         "#include <Python.h>\n"
                         "static PyObject *meth(PyObject *self, PyObject *args) { Py_RETURN_NONE; }\n"
                         "static PyMethodDef methods[] = {\n"
                         "    {\"meth\", (PyCFunction)meth, METH_VARARGS, NULL},\n"
                         "    {NULL, NULL, 0, NULL}};\n",
                         &f);
    has(d, "fnref 4:27 meth ctx=init field=ml_meth holder=PyMethodDef"
           " fntype=struct _object *(struct _object *, struct _object *)\n");
    assert_int_equal(f.nfnrefs, 1);
    assert_int_equal(f.fnrefs[0].func, CA_NONE);
    free(d);
    ca_facts_fini(&f);
}

static void test_type_slots_type_objects_and_module_defs_are_init_fnrefs(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "slots.c",
                         "#include <Python.h>\n"
                         "static void dealloc(PyObject *self) { (void)self; }\n"
                         "static PyType_Slot slots[] = {{Py_tp_dealloc, dealloc}, {0, NULL}};\n"
                         "static PyTypeObject T = {PyVarObject_HEAD_INIT(NULL, 0) .tp_dealloc = (destructor)dealloc};\n"
                         "static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, .m_name = \"m\",\n"
                         "                                 .m_free = (freefunc)dealloc};\n",
                         &f);
    has(d, "fnref 3:47 dealloc ctx=init field=pfunc holder=PyType_Slot fntype=void (struct _object *)\n");
    has(d, " dealloc ctx=init field=tp_dealloc holder=PyTypeObject fntype=void (struct _object *)\n");
    has(d, "fnref 6:54 dealloc ctx=init field=m_free holder=PyModuleDef fntype=void (struct _object *)\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_thread_start_routine_is_an_arg_fnref(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "thread.c",
                         "#include <pthread.h>\n"
                         "static void *worker(void *arg) { return arg; }\n"
                         "int start(pthread_t *t) {\n"
                         "    return pthread_create(t, NULL, worker, NULL);\n"
                         "}\n",
                         &f);
    has(d, "call 4:12 pthread_create func=start loop=- args=4\n");
    has(d, "fnref 4:36 worker ctx=arg func=start call=4:12 pthread_create arg=2 fntype=void *(void *)\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_function_assigned_to_a_field_is_an_assign_fnref(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "assign.c",
                         "struct obj { void (*cb)(int); };\n"
                         "static void on_event(int x) { (void)x; }\n"
                         "void (*hook)(int);\n"
                         "int setup(struct obj *o) {\n"
                         "    o->cb = on_event;\n"
                         "    hook = &on_event;\n"
                         "    return hook == on_event;\n"
                         "}\n",
                         &f);
    has(d, "fnref 5:13 on_event ctx=assign func=setup field=cb holder=cb fntype=void (int)\n");
    has(d, "fnref 6:13 on_event ctx=assign func=setup fntype=void (int)\n");
    has(d, "fnref 7:20 on_event ctx=other func=setup fntype=void (int)\n");
    has(d, "write 6:5 hook func=setup loop=-\n");
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ function types and fields */

/* The call through a table element, through a struct member and through a member of a table
 * element all carry the called type; the candidates' fnrefs carry the same interned string. */
static void test_indirect_call_fptype_equals_a_candidate_functions_fntype(void **state)
{
    struct ca_tu_facts f;
    const char *ty = "void (unsigned char *, const unsigned char *, int)";
    uint32_t i;
    char *d = parse_dump(state, "fptype.c",
                         "typedef void (*shuffle_t)(unsigned char *, const unsigned char *, int);\n"
                         "struct state { int n; shuffle_t shuffle; };\n"
                         "struct ent { shuffle_t fn; };\n"
                         "static void a(unsigned char *o, const unsigned char *in, int n) { (void)o, (void)in, (void)n; }\n"
                         "static void b(unsigned char *o, const unsigned char *in, const int n) { (void)o, (void)in; }\n"
                         "static shuffle_t tbl[] = {a, b};\n"
                         "static struct ent ents[] = {{a}};\n"
                         "void run(struct state *st, int i, unsigned char *o, const unsigned char *in, int n) {\n"
                         "    tbl[i](o, in, n);\n"
                         "    st->shuffle(o, in, n);\n"
                         "    ents[i].fn(o, in, n);\n"
                         "    a(o, in, n);\n"
                         "}\n",
                         &f);
    has(d, "call 9:5 tbl[i] func=run loop=- indirect args=3"
           " fptype=void (unsigned char *, const unsigned char *, int)\n");
    has(d, "call 10:5 st->shuffle func=run loop=- indirect field=shuffle args=3 fptype=void (unsigned char *, const "
           "unsigned char *, int)\n");
    has(d, "call 11:5 ents[i].fn func=run loop=- indirect field=fn args=3 fptype=");
    has(d, "call 12:5 a func=run loop=- args=3\n");
    has(d, "fnref 6:27 a ctx=init holder=shuffle_t fntype=void (unsigned char *, const unsigned char *, int)\n");
    has(d, "fnref 6:30 b ctx=init holder=shuffle_t fntype=void (unsigned char *, const unsigned char *, int)\n");
    has(d, "fnref 7:30 a ctx=init field=fn holder=ent fntype=");
    assert_int_equal(f.ncalls, 4);
    assert_null(f.calls[3].fptype);
    assert_null(f.calls[3].field);
    assert_null(f.calls[0].field);
    assert_string_equal(f.calls[1].field, "shuffle");
    for (i = 0; i < 3; i++) assert_string_equal(f.calls[i].fptype, ty);
    assert_int_equal(f.nfnrefs, 3);
    for (i = 0; i < f.nfnrefs; i++) assert_ptr_equal(f.fnrefs[i].fntype, f.calls[0].fptype); /* interned */
    free(d);
    ca_facts_fini(&f);
}

static void test_static_initialisers_name_the_field_of_designated_and_positional_entries(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "initfields.c",
                         "typedef int (*op_t)(int);\n"
                         "static int inc(int x) { return x + 1; }\n"
                         "static int dec(int x) { return x - 1; }\n"
                         "struct ops { const char *name; op_t pack; op_t unpack; int flags; op_t extra[2]; };\n"
                         "struct pair { int a, b; };\n"
                         "struct nested { struct pair p; op_t f; };\n"
                         "static struct ops designated = {.unpack = dec, .pack = inc};\n"
                         "static struct ops positional = {\"p\", inc, dec, 0, {inc, dec}};\n"
                         "static struct ops mixed = {.name = \"m\", inc, .flags = 1, {(op_t)&dec}};\n"
                         "static const struct ops table[] = {{\"t\", .unpack = inc}, {\"u\", dec}};\n"
                         "static struct nested elided = {1, 2, inc};\n"
                         "static struct nested braced = {{1, 2}, inc};\n"
                         "static struct nested deep = {.p.b = 2, dec};\n"
                         "static op_t plain = inc;\n",
                         &f);
    has(d, "fnref 7:43 dec ctx=init field=unpack holder=ops fntype=int (int)\n");
    has(d, "fnref 7:56 inc ctx=init field=pack holder=ops fntype=int (int)\n");
    has(d, "fnref 8:38 inc ctx=init field=pack holder=ops ");
    has(d, "fnref 8:43 dec ctx=init field=unpack holder=ops ");
    has(d, "fnref 8:52 inc ctx=init field=extra holder=ops ");
    has(d, "fnref 8:57 dec ctx=init field=extra holder=ops ");
    has(d, "fnref 9:41 inc ctx=init field=pack holder=ops ");
    has(d, "fnref 9:66 dec ctx=init field=extra holder=ops ");
    has(d, "fnref 10:52 inc ctx=init field=unpack holder=ops ");
    has(d, "fnref 10:64 dec ctx=init field=pack holder=ops ");
    has(d, "fnref 11:38 inc ctx=init holder=nested "); /* brace elision: not followed */
    has(d, "fnref 12:40 inc ctx=init field=f holder=nested ");
    has(d, "fnref 13:40 dec ctx=init holder=nested "); /* after a nested designator */
    has(d, "fnref 14:21 inc ctx=init holder=op_t ");
    assert_int_equal(f.nfnrefs, 14);
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ console streams */

static void test_calls_with_stdout_or_stderr_as_an_argument_are_stdstream(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "stdstream.c",
                         "#include <stdio.h>\n"
                         "void f(FILE *fp, const char *s) {\n"
                         "    fprintf(stderr, \"x %s\\n\", s);\n"
                         "    fputs(s, stdout);\n"
                         "    fflush((stdout));\n"
                         "    fprintf(fp, \"y\\n\");\n"
                         "    fputs(s, (FILE *)stderr);\n"
                         "    fputs(s, fp == stdout ? fp : stderr);\n"
                         "}\n",
                         &f);
    has(d, "call 3:5 fprintf func=f loop=- stdstream args=3\n");
    has(d, "call 4:5 fputs func=f loop=- stdstream args=2\n");
    has(d, "call 5:5 fflush func=f loop=- stdstream args=1\n");
    has(d, "call 6:5 fprintf func=f loop=- args=2\n");
    has(d, "call 7:5 fputs func=f loop=- stdstream args=2\n");
    has(d, "call 8:5 fputs func=f loop=- args=2\n"); /* only a plain reference counts */
    assert_int_equal(f.calls[0].flags, CA_CALL_STDSTREAM);
    free(d);
    ca_facts_fini(&f);
}

static void test_arguments_that_are_the_constant_zero_are_marked(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "zero.c",
                         "#define NOWAIT 0\n"
                         "#define WAIT 1\n"
                         "enum mode { M_TRY, M_WAIT };\n"
                         "typedef long ssize;\n"
                         "int lock(void *l, int w, long t);\n"
                         "void f(void *l, int v) {\n"
                         "    lock(l, 0, 5);\n"
                         "    lock(l, NOWAIT, (ssize)0);\n"
                         "    lock(l, (0), 0L);\n"
                         "    lock(l, M_TRY, -1);\n"
                         "    lock(l, v, 1);\n"
                         "    lock(l, WAIT, 0 + 1);\n"
                         "    lock(l, M_WAIT, v - v);\n"
                         "    lock(0, 0.0 == 1, 0);\n"
                         "}\n",
                         &f);
    (void)d;
    assert_int_equal(f.ncalls, 8);
    assert_int_equal(f.calls[0].zero_args, 1u << 1);              /* lock(l, 0, 5) */
    assert_int_equal(f.calls[1].zero_args, 1u << 1 | 1u << 2);    /* a macro that is 0, a cast 0 */
    assert_int_equal(f.calls[2].zero_args, 1u << 1 | 1u << 2);    /* parentheses, 0L */
    assert_int_equal(f.calls[3].zero_args, 1u << 1);              /* an enumerator of value 0 */
    assert_int_equal(f.calls[4].zero_args, 0);                    /* a variable */
    assert_int_equal(f.calls[5].zero_args, 0);                    /* 1, and an expression: not evaluated */
    assert_int_equal(f.calls[6].zero_args, 0);
    assert_int_equal(f.calls[7].zero_args, 1u << 0 | 1u << 2);    /* a null pointer constant 0 counts too */
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ globals */

static void test_globals_and_static_locals_are_recorded_with_their_kind(void **state)
{
    struct ca_tu_facts f;
    uint32_t i;
    char *d = parse_dump(state, "globals.c",
                         "#include <Python.h>\n"
                         "static PyObject *cache;\n"
                         "static const char *const names[] = {\"a\", \"b\"};\n"
                         "int counter;\n"
                         "extern int declared_only;\n"
                         "PyTypeObject *type_ref;\n"
                         "static _Thread_local int tls;\n"
                         "static PyObject *objs[4];\n"
                         "static const char *text;\n"
                         "int counter = 2;\n"
                         "typedef struct { PyObject_HEAD int x; } ModObject;\n"
                         "static ModObject *modp;\n"
                         "static struct { int a; } plain_struct;\n"
                         "static PyObject *f(PyObject *self, PyObject *arg) {\n"
                         "    static int calls;\n"
                         "    static PyObject *interned;\n"
                         "    int local = calls++;\n"
                         "    (void)local;\n"
                         "    return interned ? interned : cache;\n"
                         "}\n",
                         &f);
    has(d, "global 2:18 cache static pyobject\n");
    has(d, "global 3:26 names static const\n");
    has(d, "global 4:5 counter\n");
    has(d, "global 6:15 type_ref pyobject\n");
    has(d, "global 8:18 objs static pyobject\n");
    has(d, "global 9:20 text static\n");
    has(d, "global 12:19 modp static pyobject\n");
    has(d, "global 13:26 plain_struct static\n");
    has(d, "global 15:16 calls static func=f\n");
    has(d, "global 16:22 interned static pyobject func=f\n");
    lacks(d, " declared_only");
    lacks(d, " tls");
    lacks(d, " local");
    assert_int_equal(f.nglobals, 10);
    for (i = 0; i < f.nglobals; i++) {
        const struct ca_fact_global *g = &f.globals[i];
        assert_int_equal(g->is_static_local, strcmp(g->name, "calls") == 0 || strcmp(g->name, "interned") == 0);
        assert_int_equal(g->func, g->is_static_local ? 0 : CA_NONE);
        assert_null(g->file);
    }
    free(d);
    ca_facts_fini(&f);
}

static void test_globals_of_a_project_header_carry_its_file_and_lines(void **state)
{
    struct ca_tu_facts f;
    char *dir = temp_dir("globproj"), *sub = temp_dir("globproj/sub");
    char *hdr = tu_write_temp("globproj/sub/state.h",
                              "static int hits;\n"
                              "static inline int bump(void) { static int n; return ++n + hits; }\n");
    char *path = tu_write_temp("globproj/main.c", "#include \"sub/state.h\"\nint g(void) { return bump(); }\n");
    char *d;
    parse_path(state, path, "proj/main.c", NULL, &f);
    d = facts_dump_text(&f);
    has(d, "global 1:12 hits static file=proj/sub/state.h\n");
    has(d, "global 2:43 n static func=bump file=proj/sub/state.h\n");
    free(d);
    ca_facts_fini(&f);
    free(path);
    free(hdr);
    free(sub);
    free(dir);
}

/* ------------------------------------------------------------------ free-threading declaration */

static void test_free_threading_is_declared_by_a_gil_slot_behind_an_ifdef(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "ftslot.c",
                         "#include <Python.h>\n"
                         "static PyModuleDef_Slot slots[] = {\n"
                         "#ifdef Py_mod_gil\n"
                         "    {Py_mod_gil, Py_MOD_GIL_NOT_USED},\n"
                         "#endif\n"
                         "    {0, NULL}};\n",
                         &f);
    has(d, " status=ok python=1 ft=1\n");
    assert_true(f.ft_declared);
    free(d);
    ca_facts_fini(&f);
}

static void test_free_threading_is_not_declared_by_comments_strings_or_other_words(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "ftnone.c",
                         "#include <Python.h>\n"
                         "/* TODO: add Py_mod_gil once we support 3.13 */\n"
                         "// PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n"
                         "static const char *doc = \"PyModule_ExperimentalSetGIL\";\n"
                         "static int Py_mod_gil_like;\n",
                         &f);
    has(d, " status=ok python=1 ft=0\n");
    assert_false(f.ft_declared);
    free(d);
    ca_facts_fini(&f);
}

static void test_free_threading_declared_in_a_project_header_counts(void **state)
{
    struct ca_tu_facts f;
    char *hdr = tu_write_temp("ftexec.h",
                              "static inline int mod_exec(PyObject *m) {\n"
                              "#ifdef Py_GIL_DISABLED\n"
                              "    PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED);\n"
                              "#endif\n"
                              "    return m == NULL;\n"
                              "}\n");
    char *d = parse_dump(state, "ftmain.c", "#include <Python.h>\n#include \"ftexec.h\"\n", &f);
    has(d, " status=ok python=1 ft=1\n");
    free(d);
    free(hdr);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ included .c files */

static void test_included_c_files_are_listed_by_real_path(void **state)
{
    struct ca_tu_facts f;
    char *frag = tu_write_temp("frag.c", "static int frag_helper(int x) { return x; }\n");
    char *inner = tu_write_temp("inner.c", "static int inner_helper(int x) { return x; }\n");
    char *clinic = tu_write_temp("incl.c.h", "#include \"inner.c\"\n");
    char real_frag[PATH_MAX], real_inner[PATH_MAX], *line, *d;
    assert_non_null(realpath(frag, real_frag));
    assert_non_null(realpath(inner, real_inner));
    d = parse_dump(state, "includer.c",
                   "#include \"frag.c\"\n"
                   "#include \"incl.c.h\"\n"
                   "#include \"frag.c\"\n"
                   "int f(int x) { return frag_helper(x) + inner_helper(x); }\n",
                   &f);
    assert_int_equal(f.nincluded_c, 2); /* once each; not the .c.h, not the main file */
    assert_string_equal(f.included_c[0], real_frag);
    assert_string_equal(f.included_c[1], real_inner);
    line = malloc(strlen(real_frag) + 32);
    assert_non_null(line);
    sprintf(line, "\ninclude-c %s\n", real_frag);
    has(d, line);
    free(line);
    free(d);
    ca_facts_fini(&f);
    free(frag);
    free(inner);
    free(clinic);
}

static void test_included_c_files_are_listed_when_the_tu_has_errors(void **state)
{
    struct ca_tu_facts f;
    char *frag = tu_write_temp("badfrag.c", "static int broken(void) { return missing_name; }\n");
    char *d = parse_dump(state, "badincluder.c", "#include \"badfrag.c\"\n", &f);
    assert_int_equal(f.status, CA_TU_PARSE_ERROR);
    assert_int_equal(f.nincluded_c, 1);
    has(d, "badfrag.c\n");
    free(d);
    ca_facts_fini(&f);
    free(frag);
}

/* ------------------------------------------------------------------ IR */

static void test_ir_of_if_else_keeps_both_arms_and_if_without_else_may_skip(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "ifelse.c",
                         "int a(void); int b(void); int c(void);\n"
                         "void f(int x) {\n"
                         "    if (a()) b(); else c();\n"
                         "    if (x) b();\n"
                         "    if (x) { } else { c(); a(); }\n"
                         "    if (x) x++; else x--;\n"
                         "}\n",
                         &f);
    has(d, "ir f: (seq (call a) (branch zero-of a arm1 (call b) (call c)) (branch skip (call b))"
           " (branch skip (seq (call c) (call a))))\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_ir_of_logical_operators_may_skip_the_right_side(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "logical.c",
                         "int a(void); int b(void); void c(int);\n"
                         "void f(int x) {\n"
                         "    if (a() && b()) c(1);\n"
                         "    x = x || b();\n"
                         "    c(x && x);\n"
                         "    x = x ? a() : 0;\n"
                         "}\n",
                         &f);
    has(d, "ir f: (seq (call a) (branch skip (call b)) (branch skip (call c)) (branch skip (call b)) (call c)"
           " (branch skip (call a)))\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_ir_of_goto_and_labels(void **state)
{
    struct ca_tu_facts f;
    uint32_t i;
    char *d = parse_dump(state, "goto.c",
                         "int h(void);\n"
                         "int f(int x) {\n"
                         "again:\n"
                         "    if (h()) goto out;\n"
                         "    if (x--) goto again;\n"
                         "out:\n"
                         "    return x;\n"
                         "}\n",
                         &f);
    has(d, "ir f: (seq (label again) (call h) (branch skip zero-of h skip (goto out)) (branch skip (goto again)) (label out)"
           " (return))\n");
    /* RETURN and GOTO carry the keyword's location */
    for (i = 0; i < f.nir; i++) {
        const struct ca_ir_node *n = &f.ir[i];
        if (n->kind == CA_IR_RETURN) assert_true(n->loc.line == 7 && n->loc.col == 5);
        if (n->kind == CA_IR_GOTO) assert_true((n->loc.line == 4 || n->loc.line == 5) && n->loc.col == 14);
        if (n->kind == CA_IR_CALL) assert_int_equal(n->loc.line, 0);
    }
    free(d);
    ca_facts_fini(&f);
}

static void test_ir_of_switch_has_case_and_default_nodes(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "switch.c",
                         "void h(int);\n"
                         "void f(int x) {\n"
                         "    switch (h(0), x) {\n"
                         "    case 1: h(1);\n"
                         "    case 2: case 3: h(2); break;\n"
                         "    default: return;\n"
                         "    }\n"
                         "}\n",
                         &f);
    has(d, "ir f: (seq (switch (seq (call h)) (seq (case) (call h) (case) (case) (call h) (break)"
           " (case default) (return))))\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_ir_of_return_inside_a_released_block(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "blockreturn.c",
                         "#include <Python.h>\n"
                         "static PyObject *f(PyObject *self, PyObject *arg) {\n"
                         "    int fail = arg == NULL;\n"
                         "    Py_BEGIN_ALLOW_THREADS\n"
                         "    if (fail) {\n"
                         "        Py_BLOCK_THREADS\n"
                         "        return NULL;\n"
                         "    }\n"
                         "    Py_END_ALLOW_THREADS\n"
                         "    Py_RETURN_NONE;\n"
                         "}\n",
                         &f);
    /* the tail depends on how this Python version spells Py_RETURN_NONE */
    has(d, "ir f: (seq (call PyEval_SaveThread) (branch skip (seq (call PyEval_RestoreThread) (return)))"
           " (call PyEval_RestoreThread) (return");
    has(d, "call 6:9 PyEval_RestoreThread func=f loop=- pydecl macro=Py_BLOCK_THREADS args=1\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_call_nodes_contain_the_calls_in_their_arguments(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "nestedcalls.c",
                         "int g(int); int h(int, int);\n"
                         "int f(int x) {\n"
                         "    int n = h(g(x), x ? g(1) : 0);\n"
                         "    return n;\n"
                         "}\n",
                         &f);
    has(d, "call 3:13 h func=f loop=- args=2\n");
    has(d, "call 3:15 g func=f loop=- args=1\n");
    has(d, "ir f: (seq (call h (call g) (branch skip (call g))) (return))\n");
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ translation units */

static void test_file_with_a_syntax_error_is_a_parse_error_with_clangs_message(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "syntax.c",
                         "int f(void) {\n"
                         "    return 1 +;\n"
                         "}\n",
                         &f);
    has(d, " status=parse-error python=0 ft=0\n");
    has(d, "syntax.c:2:15 expected expression\n");
    assert_int_equal(f.status, CA_TU_PARSE_ERROR);
    assert_int_equal(f.nfuncs, 0);
    assert_int_equal(f.ndiags, 1);
    free(d);
    ca_facts_fini(&f);
}

static void test_only_the_first_twenty_errors_are_recorded(void **state)
{
    struct ca_tu_facts f;
    char src[2000] = "";
    size_t i, len = 0;
    for (i = 0; i < 25; i++) len += (size_t)snprintf(src + len, sizeof src - len, "int e%zu = missing%zu;\n", i, i);
    parse(state, "manyerrors.c", src, &f);
    assert_int_equal(f.status, CA_TU_PARSE_ERROR);
    assert_int_equal(f.ndiags, 20);
    assert_int_equal(f.diags[0].loc.line, 1);
    assert_string_equal(f.diags[0].message, "use of undeclared identifier 'missing0'");
    ca_facts_fini(&f);
}

static void test_missing_file_is_reported_missing(void **state)
{
    struct fixture *fx = *state;
    struct ca_tu_facts f;
    struct ca_front_input in = {"/nonexistent/concadvise/x.c", "x.c", NULL, 0, NULL, 0, NULL, NULL, NULL};
    assert_int_equal(ca_front_parse(fx->fe, &in, &f), CA_OK);
    assert_int_equal(f.status, CA_TU_MISSING);
    assert_string_equal(f.path, "x.c");
    assert_int_equal(f.nfuncs, 0);
    ca_facts_fini(&f);
}

static void test_python_flag_is_set_only_when_python_h_is_included(void **state)
{
    struct ca_tu_facts f;
    char *d = parse_dump(state, "withpy.c", "#include <Python.h>\nint x;\n", &f);
    has(d, " status=ok python=1 ft=0\n");
    free(d);
    ca_facts_fini(&f);
    d = parse_dump(state, "withoutpy.c", "#include <stdio.h>\nint x;\n", &f);
    has(d, " status=ok python=0 ft=0\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_unsaved_buffer_replaces_the_file_contents(void **state)
{
    struct fixture *fx = *state;
    struct ca_tu_facts f;
    const char *text = "void h(void);\nvoid edited(void) { while (1) h(); }\n";
    char *path = tu_write_temp("unsaved.c", "int old;\n");
    struct ca_front_input in = {path, "shown.c", NULL, 0, text, strlen(text), NULL, NULL, NULL};
    char *d;
    assert_int_equal(ca_front_parse(fx->fe, &in, &f), CA_OK);
    d = facts_dump_text(&f);
    has(d, "tu shown.c status=ok python=0 ft=0\n");
    has(d, "func edited 2:6-2 static=0 params=0\n");
    has(d, "loop #0 while 2:21-2 func=edited parent=- depth=0 bound=infinite ");
    free(d);
    free(path);
    ca_facts_fini(&f);
}

/* Each allocation in turn fails: the parse reports CA_ERR_NOMEM (never crashes), and the
 * sanitizer build proves that nothing leaks. */
static void test_allocation_failures_return_nomem_without_leaks(void **state)
{
    struct fixture *fx = *state;
    char *hdr = tu_write_temp("alloc.h",
                              "#define ONE 1\n"
                              "static inline int helper(int x) { while (x > ONE) x--; return x; }\n"
                              "static int (*const helpers[])(int) = {helper};\n");
    char *frag = tu_write_temp("allocfrag.c", "static int counted(void) { static int n; return ++n; }\n");
    char *path = tu_write_temp("alloc.c",
                               "#include \"alloc.h\"\n"
                               "#include \"allocfrag.c\"\n"
                               "/* Py_mod_gil */ static const char *ft = \"Py_mod_gil\"; int Py_mod_gil;\n"
                               "int g; int h(int);\n"
                               "static void cb(int x) { (void)x; }\n"
                               "struct s { void (*f)(int); } tab[] = {{cb}};\n"
                               "#define TWICE(x) (h(x) + h(x))\n"
                               "int f(int n) { int i; tab[0].f(n);\n"
                               "  for (i = 0; i < n; i++) { g += TWICE(i); if (g) break; }\n"
                               "  switch (n) { case 1: return h(1); default: break; } return g; }\n");
    struct ca_front_input in = {path, path, NULL, 0, NULL, 0, NULL, NULL, NULL};
    long n;
    for (n = 1; n < 100000; n++) {
        struct ca_tu_facts f;
        enum ca_status st;
        ca_alloc_fail_after(n);
        st = ca_front_parse(fx->fe, &in, &f);
        ca_alloc_fail_after(0);
        ca_facts_fini(&f);
        if (st == CA_OK) break;
        assert_int_equal(st, CA_ERR_NOMEM);
    }
    assert_true(n > 5); /* the seam was reached */
    free(path);
    free(frag);
    free(hdr);
}

struct job {
    struct ca_front_input in;
    struct ca_tu_facts f;
    enum ca_status st;
};

static void *parse_job(void *arg)
{
    struct job *j = arg;
    struct ca_front *fe;
    j->st = ca_front_new(&fe);
    if (j->st == CA_OK) {
        j->st = ca_front_parse(fe, &j->in, &j->f);
        ca_front_free(fe);
    }
    return NULL;
}

static void test_two_fronts_parse_in_parallel_threads(void **state)
{
    struct job jobs[2];
    pthread_t t[2];
    char *p0 = tu_write_temp("par0.c", "void h(int);\nvoid a(int n) { int i; for (i = 0; i < n; i++) h(i); }\n");
    char *p1 = tu_write_temp("par1.c", "void h(int);\nvoid b(void) { while (1) h(0); }\n");
    int i;
    memset(jobs, 0, sizeof jobs);
    jobs[0].in.path = jobs[0].in.display = p0;
    jobs[1].in.path = jobs[1].in.display = p1;
    for (i = 0; i < 2; i++) assert_int_equal(pthread_create(&t[i], NULL, parse_job, &jobs[i]), 0);
    for (i = 0; i < 2; i++) pthread_join(t[i], NULL);
    for (i = 0; i < 2; i++) {
        assert_int_equal(jobs[i].st, CA_OK);
        assert_int_equal(jobs[i].f.nloops, 1);
        assert_int_equal(jobs[i].f.ncalls, 1);
        ca_facts_fini(&jobs[i].f);
    }
    free(p0);
    free(p1);
    (void)state;
}

/* ------------------------------------------------------------------ dump format */

static void test_dump_of_hand_built_facts_follows_the_documented_format(void **state)
{
    struct ca_tu_facts f;
    struct ca_fact_func fn = {"run", {3, 5}, {20, 1}, true, CA_NONE, 2, NULL};
    struct ca_fact_loop lp = {0, CA_NONE, 0, CA_LOOP_WHILE, CA_BOUND_CONST, 16, {5, 5}, 9, 7};
    struct ca_fact_call call = {0, 0, {6, 9}, "read", "CHECK", CA_CALL_IN_MACRO, 3, 0, NULL, NULL};
    struct ca_fact_call icall = {0, CA_NONE, {12, 5}, "", NULL, CA_CALL_INDIRECT, 0, 0, NULL, NULL};
    struct ca_fact_call scall = {0, CA_NONE, {13, 5}, "fputs", NULL, CA_CALL_STDSTREAM, 2, 0, NULL, NULL};
    struct ca_fact_call mcall = {0, CA_NONE, {14, 5}, "st->pack", NULL, CA_CALL_INDIRECT, 1, 0, "void (int)", "pack"};
    struct ca_fact_macro m = {0, 0, {6, 9}, "CHECK"};
    struct ca_fact_write wr = {0, 0, {7, 9}, "count", true};
    struct ca_fact_fnref r1 = {CA_FNREF_ARG, "worker", 0, 0, 2, NULL, {6, 20}, NULL, NULL};
    struct ca_fact_fnref r2 = {CA_FNREF_INIT, "meth", CA_NONE, CA_NONE, CA_NONE, "PyMethodDef", {30, 14}, NULL, NULL};
    struct ca_fact_fnref r3 = {CA_FNREF_INIT, "pk", CA_NONE, CA_NONE, CA_NONE, "ops", {31, 9}, "void (int)", "pack"};
    struct ca_fact_global g1 = {"cache", {2, 18}, NULL, true, false, true, false, CA_NONE};
    struct ca_fact_global g2 = {"names", {3, 19}, "x.h", false, true, false, false, CA_NONE};
    struct ca_fact_global g3 = {"calls", {4, 16}, NULL, true, false, false, true, 0};
    struct ca_fact_diag dg = {"x.c", {1, 2}, "boom"};
    uint32_t root, loop, c0, c1, s0, s1, br, lab, gt;
    char *d;
    (void)state;
    assert_int_equal(ca_facts_init(&f, "x.c"), CA_OK);
    f.python = true;
    f.ft_declared = true;
    assert_int_equal(ca_facts_add_included_c(&f, "/src/frag.c", NULL), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_SEQ, 0, CA_NONE, NULL, &root), CA_OK);
    fn.ir_root = root;
    assert_int_equal(ca_facts_add_func(&f, &fn, NULL), CA_OK);
    assert_int_equal(ca_facts_add_loop(&f, &lp, NULL), CA_OK);
    assert_int_equal(ca_facts_add_call(&f, &call, NULL), CA_OK);
    assert_int_equal(ca_facts_add_call(&f, &icall, NULL), CA_OK);
    assert_int_equal(ca_facts_add_call(&f, &scall, NULL), CA_OK);
    assert_int_equal(ca_facts_add_call(&f, &mcall, NULL), CA_OK);
    assert_int_equal(ca_facts_add_macro(&f, &m, NULL), CA_OK);
    assert_int_equal(ca_facts_add_write(&f, &wr, NULL), CA_OK);
    assert_int_equal(ca_facts_add_fnref(&f, &r1, NULL), CA_OK);
    assert_int_equal(ca_facts_add_fnref(&f, &r2, NULL), CA_OK);
    assert_int_equal(ca_facts_add_fnref(&f, &r3, NULL), CA_OK);
    assert_int_equal(ca_facts_add_global(&f, &g1, NULL), CA_OK);
    assert_int_equal(ca_facts_add_global(&f, &g2, NULL), CA_OK);
    assert_int_equal(ca_facts_add_global(&f, &g3, NULL), CA_OK);
    assert_int_equal(ca_facts_add_diag(&f, &dg, NULL), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_LOOP, CA_IR_TEST_FIRST, 0, NULL, &loop), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_SEQ, 0, CA_NONE, NULL, &s0), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_SEQ, 0, CA_NONE, NULL, &s1), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_CALL, 0, 0, NULL, &c0), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_BRANCH, CA_IR_MAY_SKIP, CA_NONE, NULL, &br), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_CALL, 0, 1, NULL, &c1), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_LABEL, 0, CA_NONE, "out", &lab), CA_OK);
    assert_int_equal(ca_facts_add_ir(&f, CA_IR_GOTO, 0, CA_NONE, NULL, &gt), CA_OK);
    ca_facts_ir_append(&f, root, loop);
    ca_facts_ir_append(&f, loop, s0);
    ca_facts_ir_append(&f, loop, s1);
    ca_facts_ir_append(&f, s1, c0);
    ca_facts_ir_append(&f, root, br);
    ca_facts_ir_append(&f, br, c1);
    ca_facts_ir_append(&f, root, lab);
    ca_facts_ir_append(&f, root, gt);
    d = facts_dump_text(&f);
    assert_string_equal(d, "tu x.c status=ok python=1 ft=1\n"
                           "include-c /src/frag.c\n"
                           "func run 3:5-20 static=1 params=2\n"
                           "loop #0 while 5:5-9 func=run parent=- depth=0 bound=const trip=16 ops=7\n"
                           "call 6:9 read func=run loop=#0 macro=CHECK args=3\n"
                           "call 12:5 ? func=run loop=- indirect args=0\n"
                           "call 13:5 fputs func=run loop=- stdstream args=2\n"
                           "call 14:5 st->pack func=run loop=- indirect field=pack args=1 fptype=void (int)\n"
                           "macro 6:9 CHECK func=run loop=#0\n"
                           "write 7:9 count func=run loop=#0 static-local\n"
                           "fnref 6:20 worker ctx=arg func=run call=6:9 read arg=2\n"
                           "fnref 30:14 meth ctx=init holder=PyMethodDef\n"
                           "fnref 31:9 pk ctx=init field=pack holder=ops fntype=void (int)\n"
                           "global 2:18 cache static pyobject\n"
                           "global 3:19 names const file=x.h\n"
                           "global 4:16 calls static func=run\n"
                           "ir run: (seq (loop #0 test-first (seq) (seq (call read))) (branch skip (call ?))"
                           " (label out) (goto *))\n"
                           "diag x.c:1:2 boom\n");
    free(d);
    ca_facts_fini(&f);
}

static void test_dump_of_a_header_function_names_its_file(void **state)
{
    struct ca_tu_facts f;
    struct ca_fact_func fn = {"wrap", {10, 1}, {16, 1}, true, CA_NONE, 2, "Modules/_io/clinic/fileio.c.h"};
    char file[] = "Modules/x.h";
    struct ca_fact_func fh = {"helper", {2, 19}, {4, 1}, false, CA_NONE, 0, file};
    char *d;
    (void)state;
    assert_int_equal(ca_facts_init(&f, "Modules/_io/fileio.c"), CA_OK);
    assert_int_equal(ca_facts_add_func(&f, &fn, NULL), CA_OK);
    assert_int_equal(ca_facts_add_func(&f, &fh, NULL), CA_OK);
    file[0] = '?'; /* the builder copied the path */
    d = facts_dump_text(&f);
    assert_string_equal(d, "tu Modules/_io/fileio.c status=ok python=0 ft=0\n"
                           "func wrap 10:1-16 static=1 params=2 file=Modules/_io/clinic/fileio.c.h\n"
                           "func helper 2:19-4 static=0 params=0 file=Modules/x.h\n");
    free(d);
    ca_facts_fini(&f);
}

/* ------------------------------------------------------------------ precompiled preambles
 * The contract: with a PCH the facts (dump, python, deps) are those of a plain parse, and any
 * doubt gives a plain parse.  Most tests use a small fake Python.h in a directory of their own,
 * so that its PCH builds in milliseconds and can be changed. */

#define FAKE_PYTHON_H                                                                              \
    "#ifndef FAKE_PYTHON_H\n"                                                                      \
    "#define FAKE_PYTHON_H\n"                                                                      \
    "#include <stddef.h>\n"                                                                        \
    "#define Py_BEGIN_ALLOW_THREADS { void *_save = fake_save();\n"                               \
    "#define Py_END_ALLOW_THREADS fake_restore(_save); }\n"                                        \
    "void *fake_save(void);\n"                                                                     \
    "void fake_restore(void *);\n"                                                                 \
    "int fake_api(int);\n"                                                                         \
    "static inline int fake_inline(int x) { while (x > 1) x /= 2; return x; }\n"                   \
    "#define FAKE_VALUE 1\n"                                                                       \
    "#endif\n"

#define FAKE_MAIN                                                                                  \
    "/* uses the fake Python.h */\n"                                                               \
    "#define PY_SSIZE_T_CLEAN\n"                                                                   \
    "#include <Python.h>\n"                                                                        \
    "#include <stddef.h>\n"                                                                        \
    "int f(int n) {\n"                                                                             \
    "    int i, s = 0;\n"                                                                          \
    "    Py_BEGIN_ALLOW_THREADS\n"                                                                 \
    "    for (i = 0; i < n; i++) s += fake_api(i) + fake_inline(i) + FAKE_VALUE;\n"               \
    "    Py_END_ALLOW_THREADS\n"                                                                   \
    "    return s;\n"                                                                              \
    "}\n"

/* The fake Python.h edited: FAKE_VALUE is now a call. */
#define FAKE_PYTHON_H_EDITED                                                                       \
    "#define Py_BEGIN_ALLOW_THREADS {\n#define Py_END_ALLOW_THREADS }\nint fake_api(int);\n"          \
    "int fake_inline(int);\n#define FAKE_VALUE fake_value()\nint fake_value(void);\n"

/* Set path's modification time `secs` seconds from now: a change the PCH's stamps must see. */
static void stamp_later(const char *path, long secs)
{
    struct timeval later[2];
    gettimeofday(&later[0], NULL);
    later[0].tv_sec += secs;
    later[1] = later[0];
    assert_int_equal(utimes(path, later), 0);
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A new empty directory (mkdtemp) under the test's temporary directory, which teardown removes. */
static char *new_dir(void)
{
    char *probe = tu_write_temp(".probe", ""), *slash = strrchr(probe, '/');
    char *dir = malloc(strlen(probe) + 16);
    assert_non_null(dir);
    sprintf(dir, "%.*s/dXXXXXX", (int)(slash - probe), probe);
    assert_non_null(mkdtemp(dir));
    free(probe);
    return dir;
}

/* Entries of `dir` other than . and .. */
static int count_entries(const char *dir)
{
    glob_t g;
    char *pat = path_in(dir, "*");
    int n = glob(pat, 0, NULL, &g) == 0 ? (int)g.gl_pathc : 0;
    globfree(&g);
    free(pat);
    return n;
}

/* Everything a parse with a PCH must reproduce: the dump, python and the deps. */
static char *dump_all(const struct ca_tu_facts *f)
{
    char *text = NULL;
    size_t len = 0;
    uint32_t i;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    ca_facts_dump(out, f);
    fprintf(out, "python=%d\n", f->python);
    for (i = 0; i < f->ndeps; i++) fprintf(out, "dep %s\n", f->deps[i]);
    fclose(out);
    return text;
}

/* A directory with the fake Python.h; *flag is "-I<dir>" (free both). */
static char *fake_python(char **flag)
{
    char *dir = new_dir(), *h = path_in(dir, "Python.h");
    write_file(h, FAKE_PYTHON_H);
    *flag = malloc(strlen(dir) + 3);
    assert_non_null(*flag);
    sprintf(*flag, "-I%s", dir);
    free(h);
    return dir;
}

/* Build the PCH of the preamble of `text` into `dir` (files "pre.h" and "pre.pch"); returns the
 * PCH's path (free it).  Asserts success. */
static char *build_pch(struct ca_front *fe, const char *const *args, size_t nargs, const char *text, const char *dir,
                       struct ca_pch_info *pi)
{
    char *hdr = path_in(dir, "pre.h"), *pch = path_in(dir, "pre.pch");
    size_t pl = ca_preamble_len(text, strlen(text));
    assert_true(pl > 0);
    assert_int_equal(ca_front_build_pch(fe, args, nargs, text, pl, hdr, pch, pi), CA_OK);
    free(hdr);
    return pch;
}

/* Parse `in` plainly and with the PCH: the same facts, and the PCH used as expected.  Returns the
 * dump (free it). */
static char *same_facts(struct ca_front *fe, const struct ca_front_input *in, const char *pch,
                        const struct ca_pch_info *pi, bool expect_used)
{
    struct ca_front_input plain = *in, with = *in;
    struct ca_tu_facts a, b;
    bool used = !expect_used;
    char *da, *db;
    plain.pch = NULL;
    plain.pch_info = NULL;
    plain.pch_used = NULL;
    with.pch = pch;
    with.pch_info = pi;
    with.pch_used = &used;
    assert_int_equal(ca_front_parse(fe, &plain, &a), CA_OK);
    assert_int_equal(ca_front_parse(fe, &with, &b), CA_OK);
    da = dump_all(&a);
    db = dump_all(&b);
    if (strcmp(da, db) != 0) fail_msg("%s: plain facts:\n%s\nwith the PCH:\n%s", in->path, da, db);
    if (used != expect_used) fail_msg("%s: pch_used is %d", in->path, used);
    free(db);
    ca_facts_fini(&a);
    ca_facts_fini(&b);
    return da;
}

static void test_pch_facts_equal_plain_facts_for_every_sample_with_a_preamble(void **state)
{
    struct fixture *fx = *state;
    const char *args[2] = {"-std=gnu11", fx->pyflag};
    struct ca_pch_info pis[8];
    char *pchs[8], *keys[8], *dir = new_dir();
    size_t ngroups = 0, nsamples = 0, i, k;
    glob_t g;
    if (!fx->pyflag[0]) fail_msg("the CPython headers (/usr/include/python3.*) are missing");
    assert_int_equal(glob(CA_SOURCE_DIR "/samples/*.c", 0, NULL, &g), 0);
    for (i = 0; i < g.gl_pathc; i++) {
        struct ca_front_input in = {g.gl_pathv[i], g.gl_pathv[i], args, 2, NULL, 0, NULL, NULL, NULL};
        char *text, *key, *d;
        size_t len, pl;
        assert_int_equal(ca_file_read(g.gl_pathv[i], &text, &len), CA_OK);
        if (!(pl = ca_preamble_len(text, len))) {
            ca_free(text);
            continue;
        }
        key = malloc(pl + 3);
        assert_non_null(key);
        assert_true(ca_preamble_key(text, pl, key) > 0);
        for (k = 0; k < ngroups && strcmp(keys[k], key) != 0; k++) {}
        if (k == ngroups) { /* one PCH per distinct preamble key, as the engine would */
            char sub[16], *gdir;
            assert_true(ngroups < 8);
            snprintf(sub, sizeof sub, "g%zu", k);
            gdir = path_in(dir, sub);
            assert_int_equal(mkdir(gdir, 0755), 0);
            pchs[k] = build_pch(fx->fe, args, 2, text, gdir, &pis[k]);
            keys[k] = key;
            ngroups++;
            free(gdir);
        } else {
            free(key);
        }
        d = same_facts(fx->fe, &in, pchs[k], &pis[k], true);
        has(d, "python=1\n");
        free(d);
        nsamples++;
        ca_free(text);
    }
    globfree(&g);
    assert_true(nsamples >= 15);
    assert_true(ngroups < nsamples); /* samples with different leading comments share a PCH */
    for (k = 0; k < ngroups; k++) {
        ca_pch_info_fini(&pis[k]);
        free(pchs[k]);
        free(keys[k]);
    }
    free(dir);
}

static void test_pch_info_names_python_h_and_the_headers_it_read(void **state)
{
    struct fixture *fx = *state;
    const char *args[1] = {fx->pyflag};
    const char *text = "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n";
    struct ca_pch_info pi;
    char *dir = new_dir(), *pch, pydir[300];
    bool saw_python_h = false, saw_stdio = false;
    size_t i;
    pch = build_pch(fx->fe, args, 1, text, dir, &pi);
    assert_int_equal(pi.len, strlen(text));
    assert_memory_equal(pi.preamble, text, pi.len);
    assert_true(pi.python);
    snprintf(pydir, sizeof pydir, "%s/", fx->pyflag + 2);
    assert_string_equal(pi.pydir, pydir);
    assert_non_null(pi.pyreal);
    assert_int_equal(pi.pyreal[strlen(pi.pyreal) - 1], '/');
    assert_true(pi.ndeps > 50);
    for (i = 0; i < pi.ndeps; i++) {
        size_t n = strlen(pi.deps[i]);
        if (i) assert_true(strcmp(pi.deps[i - 1], pi.deps[i]) < 0); /* sorted, unique */
        assert_true(pi.dep_stamps[i].dev || pi.dep_stamps[i].ino);
        assert_true(pi.dep_stamps[i].size >= 0);
        if (n >= 9 && strcmp(pi.deps[i] + n - 9, "/Python.h") == 0) {
            saw_python_h = true;
            assert_true(pi.dep_python[i]);
        }
        if (strcmp(pi.deps[i], "/usr/include/stdio.h") == 0) {
            saw_stdio = true;
            assert_false(pi.dep_python[i]);
        }
    }
    assert_true(saw_python_h);
    assert_true(saw_stdio);
    assert_int_equal(count_entries(dir), 2); /* pre.h and pre.pch, no temporary left */
    ca_pch_info_fini(&pi);
    ca_pch_info_fini(&pi); /* fini of a zeroed info is harmless */
    free(pch);
    free(dir);
}

static void test_pch_stands_for_a_preamble_that_differs_only_in_comments_and_spacing(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "main.c"), *d;
    const char *args[1] = {flag};
    struct ca_front_input in = {src, "main.c", args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    pch = build_pch(fx->fe, args, 1, "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n", dir, &pi);
    write_file(src, FAKE_MAIN);
    d = same_facts(fx->fe, &in, pch, &pi, true);
    /* lines and columns of the file, after a preamble of another length in the PCH */
    has(d, "tu main.c status=ok python=1 ft=0\n");
    has(d, "func f 5:5-11 static=0 params=1\n");
    has(d, "call 7:5 fake_save func=f loop=- pydecl macro=Py_BEGIN_ALLOW_THREADS args=0\n");
    has(d, "call 8:34 fake_api func=f loop=#0 pydecl args=1\n");
    has(d, "macro 8:65 FAKE_VALUE func=f loop=#0\n");
    free(d);
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_text_scans_read_the_preamble_that_the_pch_blanks(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "ft.c"), *d;
    const char *args[1] = {flag};
    const char *text = "#define GIL_SLOT Py_mod_gil\n#include <Python.h>\nint g(void) { return 0; }\n";
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    pch = build_pch(fx->fe, args, 1, text, dir, &pi);
    write_file(src, text);
    d = same_facts(fx->fe, &in, pch, &pi, true);
    has(d, " status=ok python=1 ft=1\n");
    free(d);
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_unsaved_text_and_crlf_files_are_parsed_with_the_pch(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "ed.c"), *d;
    const char *args[1] = {flag};
    const char *crlf = "/* doc */\r\n#define PY_SSIZE_T_CLEAN\r\n#include <Python.h>\r\n"
                       "int h(int n) {\r\n  while (n) n = fake_api(n);\r\n  return n;\r\n}\r\n";
    struct ca_front_input in = {src, src, args, 1, FAKE_MAIN, strlen(FAKE_MAIN), NULL, NULL, NULL};
    struct ca_pch_info pi;
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, dir, &pi);
    write_file(src, "int on_disk;\n"); /* no preamble: the editor's text is what counts */
    d = same_facts(fx->fe, &in, pch, &pi, true);
    has(d, "func f 5:5-11 static=0 params=1\n");
    free(d);
    in.unsaved = NULL;
    in.unsaved_len = 0;
    write_file(src, crlf);
    d = same_facts(fx->fe, &in, pch, &pi, true);
    has(d, "call 5:17 fake_api func=h loop=#0 pydecl args=1\n");
    free(d);
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_project_headers_and_included_c_files_after_the_preamble_are_as_plain(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "proj.c"), *d;
    char *hdr = path_in(dir, "helper.h"), *frag = path_in(dir, "frag.c");
    const char *args[1] = {flag};
    struct ca_front_input in = {src, "proj.c", args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    write_file(hdr, "static inline int helper(int x) { while (x > 1) x = fake_api(x); return x; }\n");
    write_file(frag, "static int counted(void) { static int n; return ++n; }\n");
    write_file(src, "#include <Python.h>\n#include \"helper.h\"\n#include \"frag.c\"\n"
                    "int g(int n) { return helper(n) + counted(); }\n");
    pch = build_pch(fx->fe, args, 1, "#include <Python.h>\n", dir, &pi);
    d = same_facts(fx->fe, &in, pch, &pi, true);
    has(d, "func helper 1:19-1 static=1 params=1 file=helper.h\n");
    has(d, "include-c ");
    has(d, "/frag.c\n");
    has(d, "/helper.h\n");
    has(d, "/Python.h\n");
    free(d);
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(hdr);
    free(frag);
    free(dir);
    free(pydir);
    free(flag);
}

/* CA_CALL_PYDECL compares clang's spelling of a declaration's file with that of Python.h; a PCH
 * names its files by absolute path, whatever the -I said. */
static void test_python_declarations_are_pydecl_with_a_relative_include_directory(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "rel.c"), *d;
    char cwd[PATH_MAX], rel[300], dotrel[300];
    const char *slash = strrchr(pydir, '/');
    const char *args[1] = {rel};
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    snprintf(rel, sizeof rel, "-I..%s", slash);
    snprintf(dotrel, sizeof dotrel, "-I./../%s", slash + 1);
    write_file(src, FAKE_MAIN);
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, ".", &pi);
    d = same_facts(fx->fe, &in, pch, &pi, true);
    has(d, "call 8:34 fake_api func=f loop=#0 pydecl args=1\n");
    free(d);
    ca_pch_info_fini(&pi);
    free(pch);
    args[0] = dotrel;
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, ".", &pi);
    d = same_facts(fx->fe, &in, pch, &pi, true);
    has(d, "call 8:34 fake_api func=f loop=#0 pydecl args=1\n");
    free(d);
    assert_int_equal(chdir(cwd), 0);
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_corrupt_or_missing_pch_gives_a_plain_parse(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "c.c"), *d;
    const char *args[1] = {flag};
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    char garbage[4096];
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, dir, &pi);
    write_file(src, FAKE_MAIN);
    memset(garbage, 'x', sizeof garbage - 1);
    garbage[sizeof garbage - 1] = '\0';
    memcpy(garbage, "CPCH", 4); /* the magic, then nonsense */
    write_file(pch, garbage);
    d = same_facts(fx->fe, &in, pch, &pi, false);
    has(d, " status=ok python=1 ft=0\n");
    free(d);
    write_file(pch, "");
    free(same_facts(fx->fe, &in, pch, &pi, false));
    assert_int_equal(unlink(pch), 0);
    free(same_facts(fx->fe, &in, pch, &pi, false));
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_pch_of_another_preamble_or_other_options_gives_a_plain_parse(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "o.c");
    const char *args[3] = {flag, "-DEXTRA=1", NULL};
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    write_file(src, FAKE_MAIN);
    /* another preamble */
    pch = build_pch(fx->fe, args, 1, "#define OTHER 1\n#include <Python.h>\n", dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, false));
    /* no preamble at all */
    write_file(src, "#include <stddef.h>\n#include <Python.h>\nint x;\n");
    free(same_facts(fx->fe, &in, pch, &pi, false));
    ca_pch_info_fini(&pi);
    free(pch);
    /* built with -DEXTRA=1, used without it, and the other way round */
    write_file(src, FAKE_MAIN);
    pch = build_pch(fx->fe, args, 2, FAKE_MAIN, dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, false));
    in.nargs = 2;
    free(same_facts(fx->fe, &in, pch, &pi, true));
    ca_pch_info_fini(&pi);
    free(pch);
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, false));
    /* arguments that put text before the file */
    args[1] = "-include";
    args[2] = "stddef.h";
    in.nargs = 3;
    ca_pch_info_fini(&pi);
    free(pch);
    pch = build_pch(fx->fe, args, 3, FAKE_MAIN, dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, false));
    ca_pch_info_fini(&pi);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

/* Edit the fake Python.h (stamped `secs` from now): the PCH is refused and the facts are the
 * edited header's. */
static void facts_follow_the_edited_header(struct fixture *fx, const struct ca_front_input *in, const char *pch,
                                           const struct ca_pch_info *pi, const char *pyh, long secs)
{
    char *d;
    write_file(pyh, FAKE_PYTHON_H_EDITED);
    stamp_later(pyh, secs);
    d = same_facts(fx->fe, in, pch, pi, false);
    has(d, " fake_value func=f ");
    free(d);
}

static void test_pch_is_not_used_after_a_header_it_read_changed(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "s.c");
    char *pyh = path_in(pydir, "Python.h");
    const char *args[1] = {flag};
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    write_file(src, FAKE_MAIN);
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, true));
    /* touched: same text, a later time */
    stamp_later(pyh, 10);
    free(same_facts(fx->fe, &in, pch, &pi, false));
    /* rebuilt, then changed: the facts follow the new header */
    ca_pch_info_fini(&pi);
    free(pch);
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, true));
    facts_follow_the_edited_header(fx, &in, pch, &pi, pyh, 20);
    ca_pch_info_fini(&pi);
    free(pch);
    free(pyh);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

/* clang checks the headers of a PCH only when they are not system headers. */
static void test_pch_is_not_used_after_a_system_header_it_read_changed(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "sys.c");
    char *pyh = path_in(pydir, "Python.h");
    const char *args[2] = {"-isystem", pydir};
    struct ca_front_input in = {src, src, args, 2, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    write_file(src, FAKE_MAIN);
    pch = build_pch(fx->fe, args, 2, FAKE_MAIN, dir, &pi);
    free(same_facts(fx->fe, &in, pch, &pi, true));
    facts_follow_the_edited_header(fx, &in, pch, &pi, pyh, 10);
    ca_pch_info_fini(&pi);
    free(pch);
    free(pyh);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_rewriting_the_pch_header_file_keeps_the_pch_valid(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pch, *src = path_in(dir, "r.c");
    char *hdr = path_in(dir, "pre.h");
    const char *args[1] = {flag};
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    write_file(src, FAKE_MAIN);
    pch = build_pch(fx->fe, args, 1, FAKE_MAIN, dir, &pi);
    write_file(hdr, "/* rewritten by someone else */\n#include <Python.h>\n");
    stamp_later(hdr, 10);
    free(same_facts(fx->fe, &in, pch, &pi, true));
    assert_int_equal(unlink(hdr), 0);
    free(same_facts(fx->fe, &in, pch, &pi, true));
    ca_pch_info_fini(&pi);
    free(pch);
    free(hdr);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_python_h_next_to_the_file_gives_a_plain_parse(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *pchdir = new_dir(), *pch, *src = path_in(dir, "n.c");
    char *local = path_in(dir, "Python.h");
    const char *args[1] = {flag};
    const char *text = "#include \"Python.h\"\nint n(void) { return local_api(); }\n";
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    write_file(local, "int local_api(void);\n");
    write_file(src, text);
    pch = build_pch(fx->fe, args, 1, text, pchdir, &pi); /* finds the fake one: another Python.h */
    free(same_facts(fx->fe, &in, pch, &pi, false));
    ca_pch_info_fini(&pi);
    free(pch);
    free(local);
    free(src);
    free(pchdir);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_build_pch_reports_a_preamble_with_an_error_and_leaves_no_pch(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *hdr = path_in(dir, "e.h"), *pch = path_in(dir, "e.pch");
    const char *args[1] = {flag};
    const char *bad_if = "#if 1 +\n#endif\n#include <Python.h>\n";
    const char *not_found = "#include \"Python.h\"\n";
    struct ca_pch_info pi;
    assert_int_equal(ca_front_build_pch(fx->fe, args, 1, bad_if, strlen(bad_if), hdr, pch, &pi), CA_ERR_PARSE);
    ca_pch_info_fini(&pi);
    assert_int_equal(ca_front_build_pch(fx->fe, NULL, 0, not_found, strlen(not_found), hdr, pch, &pi), CA_ERR_PARSE);
    ca_pch_info_fini(&pi);
    assert_int_equal(count_entries(dir), 1); /* the header, no PCH and no temporary file */
    assert_int_equal(access(pch, F_OK), -1);
    free(hdr);
    free(pch);
    free(dir);
    free(pydir);
    free(flag);
}

static void test_build_pch_refuses_text_that_is_not_a_whole_preamble(void **state)
{
    struct fixture *fx = *state;
    char *dir = new_dir(), *hdr = path_in(dir, "u.h"), *pch = path_in(dir, "u.pch");
    const char *text = "#include <Python.h>\nint x;\n";
    struct ca_pch_info pi;
    assert_int_equal(ca_front_build_pch(fx->fe, NULL, 0, text, strlen(text), hdr, pch, &pi), CA_ERR_USAGE);
    ca_pch_info_fini(&pi);
    assert_int_equal(ca_front_build_pch(fx->fe, NULL, 0, text, 0, hdr, pch, &pi), CA_ERR_USAGE);
    ca_pch_info_fini(&pi);
    assert_int_equal(count_entries(dir), 0);
    free(hdr);
    free(pch);
    free(dir);
}

struct build_job {
    const char *const *args;
    const char *hdr, *pch;
    struct ca_pch_info pi;
    enum ca_status st;
};

static void *build_job(void *arg)
{
    struct build_job *j = arg;
    struct ca_front *fe;
    int round;
    j->st = ca_front_new(&fe);
    for (round = 0; round < 3 && j->st == CA_OK; round++) {
        ca_pch_info_fini(&j->pi);
        j->st = ca_front_build_pch(fe, j->args, 1, FAKE_MAIN, ca_preamble_len(FAKE_MAIN, strlen(FAKE_MAIN)), j->hdr,
                                   j->pch, &j->pi);
    }
    ca_front_free(fe);
    return NULL;
}

static void test_concurrent_builds_of_one_pch_leave_a_valid_pch(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *src = path_in(dir, "main.c");
    char *hdr = path_in(dir, "shared.h"), *pch = path_in(dir, "shared.pch");
    const char *args[1] = {flag};
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct build_job jobs[2];
    pthread_t t[2];
    int i;
    write_file(src, FAKE_MAIN);
    memset(jobs, 0, sizeof jobs);
    for (i = 0; i < 2; i++) {
        jobs[i].args = args;
        jobs[i].hdr = hdr;
        jobs[i].pch = pch;
        assert_int_equal(pthread_create(&t[i], NULL, build_job, &jobs[i]), 0);
    }
    for (i = 0; i < 2; i++) pthread_join(t[i], NULL);
    assert_int_equal(count_entries(dir), 3); /* main.c, shared.h, shared.pch */
    for (i = 0; i < 2; i++) {
        assert_int_equal(jobs[i].st, CA_OK);
        free(same_facts(fx->fe, &in, pch, &jobs[i].pi, true));
        ca_pch_info_fini(&jobs[i].pi);
    }
    free(hdr);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

/* Each allocation in turn fails, in the build and in the parse with the PCH: CA_ERR_NOMEM,
 * never a crash or a plain parse in disguise; the sanitizer build proves that nothing leaks. */
static void test_allocation_failures_with_a_pch_return_nomem_without_leaks(void **state)
{
    struct fixture *fx = *state;
    char *flag, *pydir = fake_python(&flag), *dir = new_dir(), *src = path_in(dir, "a.c");
    char *hdr = path_in(dir, "a.h"), *pch = path_in(dir, "a.pch");
    const char *args[1] = {flag};
    const char *other = "/* other comment */\n#define  PY_SSIZE_T_CLEAN\n#include <Python.h>\n";
    struct ca_front_input in = {src, src, args, 1, NULL, 0, NULL, NULL, NULL};
    struct ca_pch_info pi;
    bool used = false;
    long n;
    write_file(src, FAKE_MAIN);
    for (n = 1; n < 100000; n++) {
        enum ca_status st;
        ca_alloc_fail_after(n);
        st = ca_front_build_pch(fx->fe, args, 1, other, strlen(other), hdr, pch, &pi);
        ca_alloc_fail_after(0);
        if (st == CA_OK) break;
        assert_int_equal(st, CA_ERR_NOMEM);
        ca_pch_info_fini(&pi);
    }
    assert_true(n > 3);
    in.pch = pch;
    in.pch_info = &pi;
    in.pch_used = &used;
    for (n = 1; n < 100000; n++) {
        struct ca_tu_facts f;
        enum ca_status st;
        ca_alloc_fail_after(n);
        st = ca_front_parse(fx->fe, &in, &f);
        ca_alloc_fail_after(0);
        ca_facts_fini(&f);
        if (st == CA_OK) break;
        assert_int_equal(st, CA_ERR_NOMEM);
    }
    assert_true(n > 5);
    assert_true(used);
    ca_pch_info_fini(&pi);
    free(hdr);
    free(pch);
    free(src);
    free(dir);
    free(pydir);
    free(flag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nested_loops_have_parent_depth_kind_and_locations),
        cmocka_unit_test(test_for_with_missing_parts_is_told_apart_by_its_semicolons),
        cmocka_unit_test(test_branches_on_a_calls_result_against_zero_are_marked),
        cmocka_unit_test(test_for_loop_made_by_a_macro_is_found_with_its_parts),
        cmocka_unit_test(test_loop_inside_allow_threads_block_is_found),
        cmocka_unit_test(test_bounds_are_const_var_infinite_or_unknown),
        cmocka_unit_test(test_arithmetic_loop_counts_operators),
        cmocka_unit_test(test_calls_in_for_init_do_not_belong_to_the_loop),
        cmocka_unit_test(test_indirect_calls_keep_the_callee_text),
        cmocka_unit_test(test_calls_written_in_macro_arguments_are_the_users_and_do_while_zero_is_no_loop),
        cmocka_unit_test(test_only_functions_declared_by_python_headers_are_marked_pydecl),
        cmocka_unit_test(test_list_get_item_is_a_macro_fact_in_the_loop),
        cmocka_unit_test(test_static_inline_helper_in_a_project_header_is_extracted_with_header_lines),
        cmocka_unit_test(test_clinic_wrapper_in_a_subdirectory_header_is_extracted_with_its_file),
        cmocka_unit_test(test_python_system_and_outside_headers_are_not_extracted),
        cmocka_unit_test(test_writes_to_globals_and_static_locals_are_recorded_and_locals_are_not),
        cmocka_unit_test(test_writes_made_by_macros_are_recorded),
        cmocka_unit_test(test_method_table_entries_are_init_fnrefs),
        cmocka_unit_test(test_type_slots_type_objects_and_module_defs_are_init_fnrefs),
        cmocka_unit_test(test_thread_start_routine_is_an_arg_fnref),
        cmocka_unit_test(test_function_assigned_to_a_field_is_an_assign_fnref),
        cmocka_unit_test(test_indirect_call_fptype_equals_a_candidate_functions_fntype),
        cmocka_unit_test(test_static_initialisers_name_the_field_of_designated_and_positional_entries),
        cmocka_unit_test(test_calls_with_stdout_or_stderr_as_an_argument_are_stdstream),
        cmocka_unit_test(test_globals_and_static_locals_are_recorded_with_their_kind),
        cmocka_unit_test(test_globals_of_a_project_header_carry_its_file_and_lines),
        cmocka_unit_test(test_free_threading_is_declared_by_a_gil_slot_behind_an_ifdef),
        cmocka_unit_test(test_free_threading_is_not_declared_by_comments_strings_or_other_words),
        cmocka_unit_test(test_free_threading_declared_in_a_project_header_counts),
        cmocka_unit_test(test_included_c_files_are_listed_by_real_path),
        cmocka_unit_test(test_included_c_files_are_listed_when_the_tu_has_errors),
        cmocka_unit_test(test_ir_of_if_else_keeps_both_arms_and_if_without_else_may_skip),
        cmocka_unit_test(test_ir_of_logical_operators_may_skip_the_right_side),
        cmocka_unit_test(test_ir_of_goto_and_labels),
        cmocka_unit_test(test_ir_of_switch_has_case_and_default_nodes),
        cmocka_unit_test(test_ir_of_return_inside_a_released_block),
        cmocka_unit_test(test_call_nodes_contain_the_calls_in_their_arguments),
        cmocka_unit_test(test_file_with_a_syntax_error_is_a_parse_error_with_clangs_message),
        cmocka_unit_test(test_only_the_first_twenty_errors_are_recorded),
        cmocka_unit_test(test_missing_file_is_reported_missing),
        cmocka_unit_test(test_python_flag_is_set_only_when_python_h_is_included),
        cmocka_unit_test(test_unsaved_buffer_replaces_the_file_contents),
        cmocka_unit_test(test_allocation_failures_return_nomem_without_leaks),
        cmocka_unit_test(test_two_fronts_parse_in_parallel_threads),
        cmocka_unit_test(test_arguments_that_are_the_constant_zero_are_marked),
        cmocka_unit_test(test_dump_of_hand_built_facts_follows_the_documented_format),
        cmocka_unit_test(test_dump_of_a_header_function_names_its_file),
        cmocka_unit_test(test_pch_facts_equal_plain_facts_for_every_sample_with_a_preamble),
        cmocka_unit_test(test_pch_info_names_python_h_and_the_headers_it_read),
        cmocka_unit_test(test_pch_stands_for_a_preamble_that_differs_only_in_comments_and_spacing),
        cmocka_unit_test(test_text_scans_read_the_preamble_that_the_pch_blanks),
        cmocka_unit_test(test_unsaved_text_and_crlf_files_are_parsed_with_the_pch),
        cmocka_unit_test(test_project_headers_and_included_c_files_after_the_preamble_are_as_plain),
        cmocka_unit_test(test_python_declarations_are_pydecl_with_a_relative_include_directory),
        cmocka_unit_test(test_corrupt_or_missing_pch_gives_a_plain_parse),
        cmocka_unit_test(test_pch_of_another_preamble_or_other_options_gives_a_plain_parse),
        cmocka_unit_test(test_pch_is_not_used_after_a_header_it_read_changed),
        cmocka_unit_test(test_pch_is_not_used_after_a_system_header_it_read_changed),
        cmocka_unit_test(test_rewriting_the_pch_header_file_keeps_the_pch_valid),
        cmocka_unit_test(test_python_h_next_to_the_file_gives_a_plain_parse),
        cmocka_unit_test(test_build_pch_reports_a_preamble_with_an_error_and_leaves_no_pch),
        cmocka_unit_test(test_build_pch_refuses_text_that_is_not_a_whole_preamble),
        cmocka_unit_test(test_concurrent_builds_of_one_pch_leave_a_valid_pch),
        cmocka_unit_test(test_allocation_failures_with_a_pch_return_nomem_without_leaks),
    };
    return cmocka_run_group_tests(tests, front_fixture_setup, front_fixture_teardown);
}
