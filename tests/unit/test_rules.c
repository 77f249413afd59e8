/* test_rules.c: the catalogs load and answer look-ups; broken files are rejected with the right
 * status, file, line and column; allocation failures never leak (run under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules.h"
#include "testutil.h"

static struct ca_rules *R; /* the real rules/ directory, loaded once */

static const char *const CATALOG_FILES[] = {"io.json", "cpu.json", "gil.json", "python_api.json", "thread_unsafe.json", NULL};
/* Every rule, sorted by id (the metadata is sorted the same way). */
static const char *const CHECK_IDS[] = {"concadvise-invalid-suppression", "concadvise-unused-suppression",
                                        "ft-borrowed-ref-in-loop", "ft-object-malloc-buffer", "ft-static-pyobject-state",
                                        "gil-api-without-gil", "gil-blocking-io-held", "gil-cpu-loop-holds-gil",
                                        "gil-nested-release", "gil-unbalanced-release", "mt-thread-unsafe-call", NULL};
#define NCHECK_IDS (sizeof CHECK_IDS / sizeof CHECK_IDS[0] - 1)

static int setup(void **state)
{
    struct ca_rules_error err;
    enum ca_status st = ca_rules_load(tu_rules_dir(), &R, &err);
    (void)state;
    if (st != CA_OK)
        fprintf(stderr, "%s:%u:%u: %s\n", err.file ? err.file : "?", err.line, err.col, err.message ? err.message : "");
    ca_rules_error_fini(&err);
    return st == CA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ca_rules_free(R);
    tu_cleanup();
    return 0;
}

static struct ca_func_info find(const char *name)
{
    struct ca_func_info fi;
    assert_true(ca_rules_find_func(R, name, &fi));
    return fi;
}

/* ---- helpers for broken files */

/* Write `text` as a user catalog and load it into the real rules; returns the status and
 * leaves the error in *err (caller finis it). */
static enum ca_status load_extra_text(const char *text, struct ca_rules_error *err)
{
    static int seq;
    char name[64];
    char *path;
    enum ca_status st;
    snprintf(name, sizeof name, "extra%d.json", seq++);
    path = tu_write_temp(name, text);
    st = ca_rules_load_extra(R, path, err);
    free(path);
    return st;
}

static void expect_error(const char *text, enum ca_status want, uint32_t line, uint32_t col, const char *msg_part)
{
    struct ca_rules_error err;
    enum ca_status st = load_extra_text(text, &err);
    if (st != want || err.line != line || err.col != col || !err.message || !strstr(err.message, msg_part))
        fprintf(stderr, "got %s %u:%u \"%s\", want %s %u:%u \"%s\"\n", ca_status_str(st), err.line, err.col,
                err.message ? err.message : "(null)", ca_status_str(want), line, col, msg_part);
    assert_int_equal(st, want);
    assert_non_null(err.file);
    assert_non_null(strstr(err.file, "extra"));
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_non_null(err.message);
    assert_non_null(strstr(err.message, msg_part));
    ca_rules_error_fini(&err);
}

static char *read_real(const char *rel)
{
    char path[512];
    char *text = NULL;
    snprintf(path, sizeof path, "%s/%s", tu_rules_dir(), rel);
    assert_int_equal(ca_file_read(path, &text, NULL), CA_OK);
    return text;
}

/* A copy of the real rules/ directory under the temporary directory, named `name`, without
 * the file `skip` and with `replace` (a path relative to rules/) holding `text` instead.
 * Returns the directory path (free with free()). */
static char *rules_copy(const char *name, const char *skip, const char *replace, const char *text)
{
    char rel[256], *marker, *dir;
    size_t dlen;
    snprintf(rel, sizeof rel, "%s.marker", name);
    marker = tu_write_temp(rel, "");
    dlen = strlen(marker) - strlen(rel) - 1;
    dir = malloc(dlen + strlen(name) + 2);
    assert_non_null(dir);
    sprintf(dir, "%.*s/%s", (int)dlen, marker, name);
    free(marker);
    mkdir(dir, 0700);
    snprintf(rel, sizeof rel, "%s/checks", dir);
    mkdir(rel, 0700);
    for (int pass = 0; pass < 2; pass++)
        for (const char *const *f = pass ? CHECK_IDS : CATALOG_FILES; *f; f++) {
            char src[256], dst[600], *body, *out;
            if (pass) snprintf(src, sizeof src, "checks/%s.json", *f);
            else snprintf(src, sizeof src, "%s", *f);
            if (skip && strcmp(src, skip) == 0) continue;
            body = replace && strcmp(src, replace) == 0 ? NULL : read_real(src);
            snprintf(dst, sizeof dst, "%s/%s", name, src);
            out = tu_write_temp(dst, body ? body : text);
            free(out);
            ca_free(body);
        }
    return dir;
}

static enum ca_status load_dir(const char *dir, struct ca_rules_error *err)
{
    struct ca_rules *r = NULL;
    enum ca_status st = ca_rules_load(dir, &r, err);
    if (st == CA_OK) assert_non_null(r);
    else assert_null(r);
    ca_rules_free(r);
    return st;
}

/* ---- the real catalogs */

static void test_real_rules_directory_loads_with_every_rule(void **state)
{
    (void)state;
    assert_int_equal(ca_rules_nmeta(R), NCHECK_IDS);
    for (uint32_t i = 0; CHECK_IDS[i]; i++) {
        const struct ca_rule_meta *m = ca_rules_meta(R, i);
        assert_non_null(m);
        assert_string_equal(m->id, CHECK_IDS[i]); /* sorted by id */
        assert_ptr_equal(ca_rules_find_meta(R, CHECK_IDS[i]), m);
        assert_true(m->npositive > 0 && m->nnegative > 0);
        assert_non_null(strstr(m->doc, m->id));
    }
    assert_null(ca_rules_meta(R, NCHECK_IDS));
    assert_null(ca_rules_find_meta(R, "no-such-rule"));
    assert_string_equal(ca_rules_find_meta(R, "gil-api-without-gil")->severity, "error");
    assert_string_equal(ca_rules_find_meta(R, "gil-blocking-io-held")->severity, "warning");
    assert_string_equal(ca_rules_find_meta(R, "gil-cpu-loop-holds-gil")->severity, "note");
    assert_string_equal(ca_rules_find_meta(R, "gil-blocking-io-held")->name, "GilBlockingIoHeld");
    assert_string_equal(ca_rules_find_meta(R, "gil-blocking-io-held")->positive[1], "samples/io_via_helper.c");
    assert_string_equal(ca_rules_find_meta(R, "mt-thread-unsafe-call")->negative[0], "samples/plain_cpu_private.c");
}

static void test_read_is_bounded_file_io(void **state)
{
    struct ca_func_info fi = find("read");
    (void)state;
    assert_string_equal(fi.name, "read");
    assert_int_equal(fi.io, CA_IO_FILE);
    assert_false(fi.io_unbounded);
    assert_false(fi.python_api);
    assert_int_equal(fi.cpu_weight, 0);
    assert_int_equal(fi.gil, CA_GILFX_NONE);
    assert_int_equal(fi.spawn_arg, -1);
    assert_null(fi.unsafe_replacement);
    assert_false(fi.noreturn);
}

static void test_recv_is_unbounded_network_io(void **state)
{
    struct ca_func_info fi = find("recv");
    (void)state;
    assert_int_equal(fi.io, CA_IO_NET);
    assert_true(fi.io_unbounded);
    assert_int_equal(find("poll").io, CA_IO_POLL);
    assert_true(find("poll").io_unbounded);
    assert_int_equal(find("nanosleep").io, CA_IO_SLEEP);
    assert_int_equal(find("pthread_cond_wait").io, CA_IO_WAIT);
    assert_true(find("pthread_cond_wait").io_unbounded);
    assert_false(find("pthread_mutex_lock").io_unbounded);
    assert_int_equal(find("PQexec").io, CA_IO_DB);
    assert_int_equal(find("sqlite3_step").io, CA_IO_DB);
    assert_int_equal(find("curl_easy_perform").io, CA_IO_HTTP);
    assert_int_equal(find("SSL_read").io, CA_IO_TLS);
    assert_int_equal(find("getaddrinfo").io, CA_IO_DNS);
    assert_int_equal(find("popen").io, CA_IO_PROCESS);
    assert_int_equal(find("readline").io, CA_IO_TERMINAL);
}

static void test_pylist_append_is_python_api_with_cpu_cost(void **state)
{
    struct ca_func_info fi = find("PyList_Append");
    (void)state;
    assert_true(fi.python_api);
    assert_int_equal(fi.api_cost, CA_API_CPU);
    assert_string_equal(fi.name, "Py*");
    assert_int_equal(fi.io, CA_IO_NONE);
    assert_true(find("_PyBytes_Resize").python_api);
}

static void test_pyobject_callobject_has_call_cost_from_the_longest_prefix(void **state)
{
    struct ca_func_info fi = find("PyObject_CallObject");
    (void)state;
    assert_true(fi.python_api);
    assert_int_equal(fi.api_cost, CA_API_CALL);
    assert_string_equal(fi.name, "PyObject_Call*");
    assert_int_equal(find("PyObject_GetAttrString").api_cost, CA_API_CALL);
    assert_int_equal(find("PyIter_Next").api_cost, CA_API_CALL);
    assert_int_equal(find("PySys_WriteStdout").api_cost, CA_API_IO);
    assert_int_equal(find("PyObject_GetArenaAllocator").api_cost, CA_API_CPU); /* not PyObject_GetAttr* */
}

static void test_pymem_rawmalloc_is_known_but_needs_no_gil(void **state)
{
    struct ca_func_info fi = find("PyMem_RawMalloc");
    (void)state;
    assert_false(fi.python_api);
    assert_string_equal(fi.name, "PyMem_Raw*");
    assert_true(find("PyMem_Malloc").python_api);
    assert_false(find("PyGILState_Check").python_api);
    assert_false(find("PyBytes_AS_STRING").python_api);
    assert_false(find("PyOS_snprintf").python_api);
    assert_true(find("PyOS_double_to_string").python_api);
}

static void test_pyeval_savethread_releases_the_gil(void **state)
{
    (void)state;
    assert_int_equal(find("PyEval_SaveThread").gil, CA_GILFX_RELEASE);
    assert_false(find("PyEval_SaveThread").python_api);
    assert_int_equal(find("PyEval_RestoreThread").gil, CA_GILFX_ACQUIRE);
    assert_int_equal(find("PyEval_ReleaseThread").gil, CA_GILFX_RELEASE);
    assert_int_equal(find("PyEval_AcquireThread").gil, CA_GILFX_ACQUIRE);
    assert_int_equal(find("PyGILState_Ensure").gil, CA_GILFX_ENSURE);
    assert_int_equal(find("PyGILState_Release").gil, CA_GILFX_ENSURE_RELEASE);
    assert_true(find("Py_FatalError").noreturn);
    assert_true(find("abort").noreturn);
    assert_true(find("__assert_fail").noreturn);
}

static void test_strtok_is_unsafe_with_strtok_r_as_replacement(void **state)
{
    struct ca_func_info fi = find("strtok");
    (void)state;
    assert_non_null(fi.unsafe_replacement);
    assert_string_equal(fi.unsafe_replacement, "strtok_r");
    assert_int_equal(fi.cpu_weight, 2); /* also in cpu.json: roles merge */
    assert_string_equal(find("localtime").unsafe_replacement, "localtime_r");
    assert_null(find("strtok_r").unsafe_replacement);
    assert_null(find("readdir").unsafe_replacement);
}

static void test_pthread_create_spawns_at_argument_2(void **state)
{
    (void)state;
    assert_int_equal(find("pthread_create").spawn_arg, 2);
    assert_int_equal(find("PyThread_start_new_thread").spawn_arg, 0);
    assert_int_equal(find("thrd_create").spawn_arg, 1);
    assert_int_equal(find("abort").spawn_arg, -1);
}

static void test_the_raw_lock_does_not_block_when_its_flag_is_zero(void **state)
{
    (void)state;
    assert_int_equal(find("PyThread_acquire_lock").nonblocking_if_zero, 1);
    assert_int_equal(find("PyThread_acquire_lock_timed").nonblocking_if_zero, 1);
    assert_int_equal(find("recv").nonblocking_if_zero, -1);
    assert_int_equal(find("qsort").nonblocking_if_zero, -1); /* not in the io catalog at all */
}

/* close() waits only on a network file system's flush or a lingering socket; fork() waits for
 * nothing (and CPython forks with the GIL held on purpose). */
static void test_close_blocks_rarely_and_fork_is_no_wait(void **state)
{
    (void)state;
    assert_int_equal(find("close").io, CA_IO_FILE);
    assert_true(find("close").io_rarely);
    assert_false(find("recv").io_rarely);
    {
        struct ca_func_info fi;
        /* excluded: known to be no wait, so no entry that blocks */
        assert_false(ca_rules_find_func(R, "fork", &fi) && fi.io != CA_IO_NONE);
    }
    assert_int_equal(find("vfork").io, CA_IO_PROCESS);
    assert_true(find("vfork").io_unbounded);
    assert_true(find("fork").forks && find("vfork").forks && find("forkpty").forks);
    assert_false(find("pthread_create").forks);
}

static void test_memcpy_has_a_cpu_weight(void **state)
{
    (void)state;
    assert_true(find("memcpy").cpu_weight > 0);
    assert_true(find("deflate").cpu_weight > find("memcpy").cpu_weight);
    assert_true(find("sqrt").cpu_weight >= 1);
    assert_int_equal(find("memcpy").io, CA_IO_NONE);
}

static void test_unknown_name_is_not_found_and_info_has_defaults(void **state)
{
    struct ca_func_info fi;
    (void)state;
    memset(&fi, 0x5a, sizeof fi);
    assert_false(ca_rules_find_func(R, "my_helper_function", &fi));
    assert_null(fi.name);
    assert_int_equal(fi.io, CA_IO_NONE);
    assert_int_equal(fi.spawn_arg, -1);
    assert_false(fi.python_api);
    assert_false(ca_rules_find_func(R, "", &fi));
    assert_false(ca_rules_find_func(NULL, "read", &fi));
    assert_false(ca_rules_find_func(R, "mmap", &fi)); /* "excluded" is documentation only */
}

static void test_a_name_in_several_catalogs_gets_every_role(void **state)
{
    struct ca_func_info fi = find("gethostbyname");
    (void)state;
    assert_int_equal(fi.io, CA_IO_DNS);
    assert_string_equal(fi.unsafe_replacement, "getaddrinfo");
    fi = find("gzread");
    assert_int_equal(fi.io, CA_IO_FILE);
    assert_true(fi.cpu_weight > 0);
    fi = find("PyThread_acquire_lock"); /* exact in io.json, "PyThread_*" in python_api.json */
    assert_int_equal(fi.io, CA_IO_WAIT);
    assert_true(fi.io_unbounded);
    assert_false(fi.python_api);
    assert_string_equal(fi.name, "PyThread_acquire_lock");
}

static void test_macro_roles(void **state)
{
    (void)state;
    assert_int_equal(ca_rules_macro_role(R, "PyList_GET_ITEM"), CA_MACRO_NEEDS_GIL);
    assert_int_equal(ca_rules_macro_role(R, "Py_INCREF"), CA_MACRO_NEEDS_GIL);
    assert_int_equal(ca_rules_macro_role(R, "PyUnicode_READ_CHAR"), CA_MACRO_NEEDS_GIL);
    assert_int_equal(ca_rules_macro_role(R, "PyBytes_AS_STRING"), CA_MACRO_NO_GIL);
    assert_int_equal(ca_rules_macro_role(R, "Py_BEGIN_ALLOW_THREADS"), CA_MACRO_NO_GIL);
    assert_int_equal(ca_rules_macro_role(R, "Py_MIN"), CA_MACRO_NO_GIL);
    assert_int_equal(ca_rules_macro_role(R, "MY_MACRO"), CA_MACRO_UNKNOWN);
    assert_int_equal(ca_rules_macro_role(R, "PyList_Append"), CA_MACRO_UNKNOWN); /* a function, not a macro */
    /* Py_INCREF is also a static inline function: as a call it is Python API. */
    assert_true(find("Py_INCREF").python_api);
}

static void test_entry_tables_and_entry_functions(void **state)
{
    (void)state;
    assert_true(ca_rules_is_entry_table(R, "PyMethodDef"));
    assert_true(ca_rules_is_entry_table(R, "const PyMethodDef"));
    assert_true(ca_rules_is_entry_table(R, "struct PyModuleDef"));
    assert_true(ca_rules_is_entry_table(R, "PyType_Slot"));
    assert_true(ca_rules_is_entry_table(R, "PyTypeObject"));
    assert_true(ca_rules_is_entry_table(R, "struct _typeobject"));
    assert_true(ca_rules_is_entry_table(R, "PyBufferProcs"));
    assert_false(ca_rules_is_entry_table(R, "PyMemberDef"));
    assert_false(ca_rules_is_entry_table(R, "int"));
    assert_false(ca_rules_is_entry_table(R, ""));
    assert_true(ca_rules_is_entry_func(R, "PyInit__sqlite3"));
    assert_true(ca_rules_is_entry_func(R, "PyModExport_spam"));
    assert_false(ca_rules_is_entry_func(R, "initspam"));
    assert_false(ca_rules_is_entry_func(R, "PyList_Append"));
}

static void test_io_kind_names(void **state)
{
    (void)state;
    assert_string_equal(ca_io_kind_str(CA_IO_NONE), "none");
    assert_string_equal(ca_io_kind_str(CA_IO_FILE), "file");
    assert_string_equal(ca_io_kind_str(CA_IO_TERMINAL), "terminal");
    assert_string_equal(ca_io_kind_str((enum ca_io_kind)99), "unknown");
}

/* ---- prefixes and user files */

static void test_longest_prefix_wins_and_exact_beats_prefix(void **state)
{
    struct ca_rules_error err;
    (void)state;
    assert_int_equal(load_extra_text("{\"catalog\": \"cpu\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"zz*\", \"weight\": 1},\n"
                                     " {\"name\": \"zzlong*\", \"weight\": 7},\n"
                                     " {\"name\": \"zzlongest\", \"weight\": 9}]}\n", &err),
                     CA_OK);
    assert_null(err.message);
    assert_int_equal(find("zzshort").cpu_weight, 1);
    assert_string_equal(find("zzshort").name, "zz*");
    assert_int_equal(find("zzlong_x").cpu_weight, 7);
    assert_int_equal(find("zzlongest").cpu_weight, 9);
    assert_string_equal(find("zzlongest").name, "zzlongest");
    assert_int_equal(find("zzlongestx").cpu_weight, 7);
    assert_int_equal(find("zz").cpu_weight, 1); /* a prefix matches the bare prefix too */
}

static void test_load_extra_overrides_a_builtin_role_and_keeps_the_others(void **state)
{
    struct ca_rules_error err;
    struct ca_func_info fi;
    (void)state;
    assert_int_equal(load_extra_text("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"gethostbyname\", \"kind\": \"none\", \"note\": \"cached here\"},\n"
                                     " {\"name\": \"my_blocking_wait\", \"kind\": \"wait\", \"unbounded\": true}]}\n",
                                     &err),
                     CA_OK);
    fi = find("gethostbyname");
    assert_int_equal(fi.io, CA_IO_NONE);
    assert_string_equal(fi.unsafe_replacement, "getaddrinfo"); /* thread_unsafe role kept */
    fi = find("my_blocking_wait");
    assert_int_equal(fi.io, CA_IO_WAIT);
    assert_true(fi.io_unbounded);

    assert_int_equal(load_extra_text("{\"catalog\": \"gil\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"ImagingSectionEnter\", \"effect\": \"release\"},\n"
                                     " {\"name\": \"ImagingSectionLeave\", \"effect\": \"acquire\"}]}\n", &err),
                     CA_OK);
    assert_int_equal(find("ImagingSectionEnter").gil, CA_GILFX_RELEASE);
    assert_int_equal(find("ImagingSectionLeave").gil, CA_GILFX_ACQUIRE);

    assert_int_equal(load_extra_text("{\"catalog\": \"python_api\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"PyList_Append\", \"api\": false}],\n"
                                     " \"macros\": [{\"name\": \"MY_GET\", \"role\": \"needs-gil\"}]}\n", &err),
                     CA_OK);
    assert_false(find("PyList_Append").python_api);
    assert_true(find("PyList_Insert").python_api);
    assert_int_equal(ca_rules_macro_role(R, "MY_GET"), CA_MACRO_NEEDS_GIL);

    /* restore, for the tests that follow */
    assert_int_equal(load_extra_text("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"gethostbyname\", \"kind\": \"dns\"}]}\n", &err), CA_OK);
    assert_int_equal(load_extra_text("{\"catalog\": \"python_api\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"PyList_Append\"}]}\n", &err), CA_OK);
    assert_true(find("PyList_Append").python_api);
}

static void test_load_extra_failure_leaves_the_rules_unchanged(void **state)
{
    struct ca_rules_error err;
    (void)state;
    assert_int_equal(load_extra_text("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"read\", \"kind\": \"none\"},\n"
                                     " {\"name\": \"qq_new\", \"kind\": \"fiel\"}]}\n", &err),
                     CA_ERR_CONFIG);
    ca_rules_error_fini(&err);
    assert_int_equal(find("read").io, CA_IO_FILE);
    assert_false(ca_rules_find_func(R, "qq_new", &(struct ca_func_info){0}));
}

static void test_json_escapes_are_decoded(void **state)
{
    struct ca_rules_error err;
    (void)state;
    assert_int_equal(load_extra_text("\xEF\xBB\xBF{\"catalog\": \"thread_unsafe\", \"version\": 1, \"entries\": [\n"
                                     " {\"name\": \"zz\\u0041bc\", \"replacement\": \"a \\\"b\\\" \\u00e9 \\ud83d\\ude00\\n\\t\\/\"}]}",
                                     &err),
                     CA_OK);
    assert_string_equal(find("zzAbc").unsafe_replacement, "a \"b\" \xC3\xA9 \xF0\x9F\x98\x80\n\t/");
}

/* ---- broken files: status, line and column */

static void test_malformed_json_reports_line_and_column(void **state)
{
    (void)state;
    expect_error("{\n  \"catalog\": \"io\",\n  \"version\": 1\n  \"entries\": []\n}\n", CA_ERR_PARSE, 4, 3,
                 "unexpected character '\"' (expected ',' or '}')");
    expect_error("{\"catalog\": \"io\", \"entries\": [1, 2,]}", CA_ERR_PARSE, 1, 35, "trailing comma");
    expect_error("{\"catalog\": \"io\",\n \"entries\": [\"abc]}", CA_ERR_PARSE, 2, 14, "unterminated string");
    expect_error("{\"catalog\": \"i\\qo\"}", CA_ERR_PARSE, 1, 15, "invalid escape");
    expect_error("{\"catalog\": \"a\tb\"}", CA_ERR_PARSE, 1, 15, "control character");
    expect_error("{\"catalog\": \"\\u12G4\"}", CA_ERR_PARSE, 1, 14, "invalid \\u escape");
    expect_error("{\"catalog\": \"\\ud800x\"}", CA_ERR_PARSE, 1, 14, "unpaired surrogate");
    expect_error("{\"catalog\": \"\\u0000\"}", CA_ERR_PARSE, 1, 14, "\\u0000");
    expect_error("{\"version\": 01}", CA_ERR_PARSE, 1, 14, "unexpected character '1'");
    expect_error("{\"version\": -}", CA_ERR_PARSE, 1, 13, "invalid number");
    expect_error("{\"version\": 1.}", CA_ERR_PARSE, 1, 13, "invalid number");
    expect_error("{\"version\": tru}", CA_ERR_PARSE, 1, 13, "expected a value");
    expect_error("{\"a\": 1} x", CA_ERR_PARSE, 1, 10, "after the JSON value");
    expect_error("", CA_ERR_PARSE, 1, 1, "unexpected end of file");
    expect_error("{\"a\" 1}", CA_ERR_PARSE, 1, 6, "expected ':'");
    expect_error("{1: 2}", CA_ERR_PARSE, 1, 2, "expected a string key");
    expect_error("{\"a\": [1, 2\n", CA_ERR_PARSE, 2, 1, "unexpected end of file");
    expect_error("{\"name\": \"\xC3\xA9\xC3\xA9\", }", CA_ERR_PARSE, 1, 14, "trailing comma"); /* columns count characters */
}

static void test_deep_nesting_is_rejected_not_overflowed(void **state)
{
    char text[400];
    size_t i;
    (void)state;
    for (i = 0; i < 200; i++) text[i] = '[';
    text[i] = '\0';
    expect_error(text, CA_ERR_PARSE, 1, 65, "nesting deeper");
}

static void test_unknown_key_reports_line_and_column_of_that_key(void **state)
{
    (void)state;
    expect_error("{\n"
                 "  \"catalog\": \"io\",\n"
                 "  \"version\": 1,\n"
                 "  \"entries\": [\n"
                 "    {\"name\": \"read\", \"kind\": \"file\"},\n"
                 "    {\"name\": \"zz_x\",    \"knd\": \"file\"}\n"
                 "  ]\n"
                 "}\n",
                 CA_ERR_CONFIG, 6, 25, "unknown key \"knd\" (expected one of: name, kind, unbounded, rarely, nonblocking_if_zero, note)");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [], \"macros\": []}", CA_ERR_CONFIG, 1, 48,
                 "unknown key \"macros\" (expected one of: catalog, version, description, entries, excluded)");
}

static void test_wrong_type_reports_the_value(void **state)
{
    (void)state;
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n  {\"name\": 42, \"kind\": \"file\"}]}",
                 CA_ERR_CONFIG, 2, 12, "expected a string for \"name\", not a number");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n  {\"name\": \"x\", \"kind\": \"file\", \"unbounded\": \"yes\"}]}",
                 CA_ERR_CONFIG, 2, 46, "expected a boolean for \"unbounded\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": {}}", CA_ERR_CONFIG, 1, 44,
                 "expected an array for \"entries\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\"read\"]}", CA_ERR_CONFIG, 1, 45,
                 "expected an object in \"entries\"");
    expect_error("[]", CA_ERR_CONFIG, 1, 1, "expected an object at the top level");
    expect_error("{\"catalog\": \"cpu\", \"version\": 1, \"entries\": [{\"name\": \"x\", \"weight\": 101}]}",
                 CA_ERR_CONFIG, 1, 70, "\"weight\" must be an integer from 0 to 100");
    expect_error("{\"catalog\": \"cpu\", \"version\": 1, \"entries\": [{\"name\": \"x\", \"weight\": 2.5}]}",
                 CA_ERR_CONFIG, 1, 70, "must be an integer");
    expect_error("{\"catalog\": \"cpu\", \"version\": 2, \"entries\": []}", CA_ERR_CONFIG, 1, 31, "unsupported version 2");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [{\"name\": \"x\", \"kind\": \"wait\", "
                 "\"nonblocking_if_zero\": 32}]}",
                 CA_ERR_CONFIG, 1, 98, "\"nonblocking_if_zero\" must be an integer from 0 to 31");
}

static void test_bad_enum_value_is_rejected_with_the_choices(void **state)
{
    (void)state;
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n  {\"name\": \"x\", \"kind\": \"fiel\"}]}",
                 CA_ERR_CONFIG, 2, 25, "invalid value \"fiel\" for \"kind\" (expected one of: none, file, net");
    expect_error("{\"catalog\": \"gil\", \"version\": 1, \"entries\": [{\"name\": \"x\", \"effect\": \"drop\"}]}",
                 CA_ERR_CONFIG, 1, 70, "invalid value \"drop\" for \"effect\"");
    expect_error("{\"catalog\": \"iox\", \"version\": 1, \"entries\": []}", CA_ERR_CONFIG, 1, 13,
                 "invalid value \"iox\" for \"catalog\" (expected one of: io, cpu, gil, python_api, thread_unsafe)");
}

static void test_missing_fields_and_bad_names_are_rejected(void **state)
{
    (void)state;
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n  {\"kind\": \"file\"}]}", CA_ERR_CONFIG, 2, 3,
                 "missing \"name\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n  {\"name\": \"x\"}]}", CA_ERR_CONFIG, 2, 3,
                 "missing \"kind\"");
    expect_error("{\"version\": 1, \"entries\": []}", CA_ERR_CONFIG, 1, 1, "missing \"catalog\"");
    expect_error("{\"catalog\": \"io\", \"entries\": []}", CA_ERR_CONFIG, 1, 1, "missing \"version\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1}", CA_ERR_CONFIG, 1, 1, "missing \"entries\"");
    expect_error("{\"catalog\": \"gil\", \"version\": 1, \"entries\": [{\"name\": \"x\"}]}", CA_ERR_CONFIG, 1, 46,
                 "has no role (give at least one of: effect, spawn_arg, noreturn, sync_callbacks, forks)");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [{\"name\": \"a*b\", \"kind\": \"file\"}]}",
                 CA_ERR_CONFIG, 1, 54, "invalid name \"a*b\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [{\"name\": \"*\", \"kind\": \"file\"}]}",
                 CA_ERR_CONFIG, 1, 54, "invalid name \"*\"");
    expect_error("{\"catalog\": \"thread_unsafe\", \"version\": 1, \"entries\": [{\"name\": \"x\", \"replacement\": \"\"}]}",
                 CA_ERR_CONFIG, 1, 85, "must not be empty");
}

static void test_duplicates_are_rejected(void **state)
{
    (void)state;
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n"
                 "  {\"name\": \"zz_dup\", \"kind\": \"file\"},\n"
                 "  {\"name\": \"zz_dup\", \"kind\": \"net\"}]}",
                 CA_ERR_CONFIG, 3, 12, "duplicate name \"zz_dup\" in \"entries\" (first at line 2)");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [\n  {\"name\": \"x\", \"kind\": \"file\", \"kind\": \"net\"}]}",
                 CA_ERR_CONFIG, 2, 33, "duplicate key \"kind\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"version\": 1, \"entries\": []}", CA_ERR_CONFIG, 1, 33,
                 "duplicate key \"version\"");
    expect_error("{\"catalog\": \"io\", \"version\": 1, \"entries\": [{\"name\": \"zz\", \"kind\": \"file\"}],\n"
                 " \"excluded\": [{\"name\": \"zz\", \"note\": \"no\"}]}",
                 CA_ERR_CONFIG, 2, 24, "\"zz\" is in both \"entries\" and \"excluded\"");
}

static void test_missing_or_unreadable_user_file_is_an_io_error(void **state)
{
    struct ca_rules_error err;
    (void)state;
    assert_int_equal(ca_rules_load_extra(R, "/nonexistent/extra.json", &err), CA_ERR_IO);
    assert_string_equal(err.file, "/nonexistent/extra.json");
    assert_int_equal(err.line, 0);
    ca_rules_error_fini(&err);
    ca_rules_error_fini(NULL);
}

/* ---- broken rules directories */

static void test_missing_catalog_file_is_a_config_error_naming_it(void **state)
{
    struct ca_rules_error err;
    char *dir = rules_copy("nocpu", "cpu.json", NULL, NULL);
    (void)state;
    assert_int_equal(load_dir(dir, &err), CA_ERR_CONFIG);
    assert_non_null(strstr(err.file, "nocpu/cpu.json"));
    assert_string_equal(err.message, "missing catalog file");
    assert_int_equal(err.line, 0);
    ca_rules_error_fini(&err);
    free(dir);
    assert_int_equal(load_dir("/nonexistent-rules", &err), CA_ERR_CONFIG);
    ca_rules_error_fini(&err);
}

static void test_a_copy_of_the_rules_directory_loads(void **state)
{
    struct ca_rules_error err;
    char *dir = rules_copy("copy", NULL, NULL, NULL);
    (void)state;
    assert_int_equal(load_dir(dir, &err), CA_OK);
    assert_null(err.message);
    free(dir);
}

static void test_catalog_file_must_hold_its_own_catalog(void **state)
{
    struct ca_rules_error err;
    char *dir = rules_copy("swapped", NULL, "io.json", "{\"catalog\": \"cpu\", \"version\": 1, \"entries\": []}");
    (void)state;
    assert_int_equal(load_dir(dir, &err), CA_ERR_CONFIG);
    assert_non_null(strstr(err.file, "swapped/io.json"));
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 13);
    assert_non_null(strstr(err.message, "must hold the \"io\" catalog"));
    ca_rules_error_fini(&err);
    free(dir);
}

static const char *const RULE_TEMPLATE =
    "{\n"
    "  \"id\": \"gil-nested-release\",\n"
    "  \"name\": \"GilNestedRelease\",\n"
    "  \"severity\": \"%s\",\n"
    "  \"title\": \"t\", \"summary\": \"s\", \"description\": \"d\", \"help\": \"h\",\n"
    "  \"doc\": \"docs/rules/gil-nested-release.md\",\n"
    "  \"samples\": {\"positive\": [\"samples/a.c\"], \"negative\": []}%s\n"
    "}\n";

static void expect_rule_error(const char *name, const char *text, uint32_t line, uint32_t col, const char *msg_part)
{
    struct ca_rules_error err;
    char *dir = rules_copy(name, NULL, "checks/gil-nested-release.json", text);
    enum ca_status st = load_dir(dir, &err);
    if (st != CA_ERR_CONFIG || err.line != line || err.col != col || !err.message || !strstr(err.message, msg_part))
        fprintf(stderr, "got %s %u:%u \"%s\"\n", ca_status_str(st), err.line, err.col, err.message ? err.message : "");
    assert_int_equal(st, CA_ERR_CONFIG);
    assert_non_null(strstr(err.file, "checks/gil-nested-release.json"));
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_non_null(strstr(err.message, msg_part));
    ca_rules_error_fini(&err);
    free(dir);
}

static void test_rule_file_with_an_unknown_severity_is_rejected(void **state)
{
    char text[1024];
    (void)state;
    snprintf(text, sizeof text, RULE_TEMPLATE, "fatal", "");
    expect_rule_error("sev", text, 4, 15, "invalid value \"fatal\" for \"severity\" (expected one of: error, warning, note)");
}

static void test_rule_file_with_an_unknown_key_is_rejected(void **state)
{
    char text[1024];
    (void)state;
    snprintf(text, sizeof text, RULE_TEMPLATE, "error", ",\n  \"matcher\": \"x\"");
    expect_rule_error("key", text, 8, 3, "unknown key \"matcher\"");
}

static void test_rule_file_must_match_its_id_doc_and_samples(void **state)
{
    char text[1024];
    (void)state;
    snprintf(text, sizeof text, RULE_TEMPLATE, "error", "");
    *strstr(text, "release\",\n  \"name") = 'X'; /* id "gil-nested-Xelease" */
    expect_rule_error("id", text, 2, 9, "invalid id");
    snprintf(text, sizeof text, RULE_TEMPLATE, "error", "");
    memcpy(strstr(text, "docs/rules/"), "docs/rulez/", 11);
    expect_rule_error("doc", text, 6, 10, "\"doc\" must be \"docs/rules/gil-nested-release.md\"");
    snprintf(text, sizeof text, RULE_TEMPLATE, "error", "");
    memcpy(strstr(text, "samples/a.c"), "../etc/a.c!", 11);
    expect_rule_error("sample", text, 7, 28, "must lie under samples/");
    expect_rule_error("empty", "{\"id\": \"gil-nested-release\"}", 1, 1, "missing \"name\"");
    expect_rule_error("other", "{\"id\": \"gil-other-rule\"}", 1, 1, "missing \"name\"");
}

/* ---- concurrency and allocation failures */

static void *lookup_worker(void *arg)
{
    long bad = 0;
    (void)arg;
    for (int i = 0; i < 20000; i++) {
        struct ca_func_info fi;
        bad += !ca_rules_find_func(R, "PyObject_CallMethod", &fi) || fi.api_cost != CA_API_CALL;
        bad += !ca_rules_find_func(R, "recv", &fi) || fi.io != CA_IO_NET;
        bad += ca_rules_find_func(R, "not_a_known_function", &fi);
        bad += ca_rules_macro_role(R, "PyList_GET_ITEM") != CA_MACRO_NEEDS_GIL;
    }
    return (void *)bad;
}

static void test_lookups_run_concurrently(void **state)
{
    pthread_t th[4];
    (void)state;
    for (int i = 0; i < 4; i++) assert_int_equal(pthread_create(&th[i], NULL, lookup_worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        assert_int_equal(pthread_join(th[i], &bad), 0);
        assert_null(bad);
    }
}

static void test_allocation_failures_never_leak_or_crash(void **state)
{
    long n;
    char *extra = tu_write_temp("alloc_extra.json",
                                "{\"catalog\": \"python_api\", \"version\": 1, \"entries\": [\n"
                                " {\"name\": \"qqalloc_*\", \"api\": false}, {\"name\": \"read\", \"cost\": \"io\"}],\n"
                                " \"macros\": [{\"name\": \"ZZ_MACRO\", \"role\": \"no-gil\"}]}\n");
    (void)state;
    for (n = 1; n < 100000; n++) {
        struct ca_rules *r = NULL;
        struct ca_rules_error err;
        enum ca_status st;
        ca_alloc_fail_after(n);
        st = ca_rules_load(tu_rules_dir(), &r, &err);
        ca_alloc_fail_after(0);
        if (st == CA_OK) {
            ca_rules_free(r);
            break;
        }
        assert_int_equal(st, CA_ERR_NOMEM);
        assert_null(r);
        ca_rules_error_fini(&err);
    }
    assert_true(n > 20 && n < 100000); /* it did fail along the way, and then succeeded */
    for (n = 1; n < 100000; n++) {
        struct ca_rules_error err;
        struct ca_func_info fi;
        enum ca_status st;
        ca_alloc_fail_after(n);
        st = ca_rules_load_extra(R, extra, &err);
        ca_alloc_fail_after(0);
        ca_rules_error_fini(&err);
        if (st == CA_OK) break;
        assert_int_equal(st, CA_ERR_NOMEM);
        assert_false(ca_rules_find_func(R, "qqalloc_x", &fi)); /* unchanged on failure */
        assert_int_equal(find("read").io, CA_IO_FILE);
    }
    assert_true(ca_rules_find_func(R, "qqalloc_x", &(struct ca_func_info){0}));
    assert_int_equal(ca_rules_macro_role(R, "ZZ_MACRO"), CA_MACRO_NO_GIL);
    assert_true(find("read").python_api);
    free(extra);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_rules_directory_loads_with_every_rule),
        cmocka_unit_test(test_read_is_bounded_file_io),
        cmocka_unit_test(test_recv_is_unbounded_network_io),
        cmocka_unit_test(test_pylist_append_is_python_api_with_cpu_cost),
        cmocka_unit_test(test_pyobject_callobject_has_call_cost_from_the_longest_prefix),
        cmocka_unit_test(test_pymem_rawmalloc_is_known_but_needs_no_gil),
        cmocka_unit_test(test_pyeval_savethread_releases_the_gil),
        cmocka_unit_test(test_strtok_is_unsafe_with_strtok_r_as_replacement),
        cmocka_unit_test(test_pthread_create_spawns_at_argument_2),
        cmocka_unit_test(test_the_raw_lock_does_not_block_when_its_flag_is_zero),
        cmocka_unit_test(test_close_blocks_rarely_and_fork_is_no_wait),
        cmocka_unit_test(test_memcpy_has_a_cpu_weight),
        cmocka_unit_test(test_unknown_name_is_not_found_and_info_has_defaults),
        cmocka_unit_test(test_a_name_in_several_catalogs_gets_every_role),
        cmocka_unit_test(test_macro_roles),
        cmocka_unit_test(test_entry_tables_and_entry_functions),
        cmocka_unit_test(test_io_kind_names),
        cmocka_unit_test(test_lookups_run_concurrently),
        cmocka_unit_test(test_longest_prefix_wins_and_exact_beats_prefix),
        cmocka_unit_test(test_load_extra_overrides_a_builtin_role_and_keeps_the_others),
        cmocka_unit_test(test_load_extra_failure_leaves_the_rules_unchanged),
        cmocka_unit_test(test_json_escapes_are_decoded),
        cmocka_unit_test(test_malformed_json_reports_line_and_column),
        cmocka_unit_test(test_deep_nesting_is_rejected_not_overflowed),
        cmocka_unit_test(test_unknown_key_reports_line_and_column_of_that_key),
        cmocka_unit_test(test_wrong_type_reports_the_value),
        cmocka_unit_test(test_bad_enum_value_is_rejected_with_the_choices),
        cmocka_unit_test(test_missing_fields_and_bad_names_are_rejected),
        cmocka_unit_test(test_duplicates_are_rejected),
        cmocka_unit_test(test_missing_or_unreadable_user_file_is_an_io_error),
        cmocka_unit_test(test_missing_catalog_file_is_a_config_error_naming_it),
        cmocka_unit_test(test_a_copy_of_the_rules_directory_loads),
        cmocka_unit_test(test_catalog_file_must_hold_its_own_catalog),
        cmocka_unit_test(test_rule_file_with_an_unknown_severity_is_rejected),
        cmocka_unit_test(test_rule_file_with_an_unknown_key_is_rejected),
        cmocka_unit_test(test_rule_file_must_match_its_id_doc_and_samples),
        cmocka_unit_test(test_allocation_failures_never_leak_or_crash),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
