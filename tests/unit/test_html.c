/* test_html.c: the HTML writer, on hand-built results, source texts and a small rule catalog
 * written by the test.
 *
 * tests/golden/report.html is compared byte for byte; after an intended change regenerate it
 * with
 *     CA_UPDATE_GOLDEN=1 ./build/tests/test_html
 * and review the diff.  tests/html_browser_test.sh opens the same file in headless Chromium
 * (sorting, links, console errors, a screenshot). */
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

/* ---- the fixture: the SARIF test's shape (a loop nest, regions, failed inputs, an absolute
 * path, a file with characters to percent-encode) with source texts for three of the files:
 * two real-looking extensions and one full of text that must be escaped (a "</script><b>&"
 * line, CRLF, a tab, NUL and control bytes, an invalid UTF-8 byte).  The absolute file and the
 * odd one have no source: the page notes it. */

static const char src_io_held_recv[] =
    "/* io_held_recv.c: reads a request with the GIL held. */\n" /* 1 */
    "#include <Python.h>\n" /* 2 */
    "#include <stdio.h>\n" /* 3 */
    "#include <string.h>\n" /* 4 */
    "#include <sys/socket.h>\n" /* 5 */
    "\n" /* 6 */
    "struct header {\n" /* 7 */
    "    const char *name;\n" /* 8 */
    "    int (*parse)(const char *value);\n" /* 9 */
    "};\n" /* 10 */
    "\n" /* 11 */
    "static PyObject *\n" /* 12 */
    "recv_all(PyObject *self, PyObject *args)\n" /* 13 */
    "{\n" /* 14 */
    "    int fd;\n" /* 15 */
    "    Py_ssize_t want, received = 0;\n" /* 16 */
    "    char buf[4096];\n" /* 17 */
    "    PyObject *out = NULL;\n" /* 18 */
    "\n" /* 19 */
    "    if (!PyArg_ParseTuple(args, \"in\", &fd, &want)) return NULL;\n" /* 20 */
    "    while (received < want) {\n" /* 21 */
    "        ssize_t n;\n" /* 22 */
    "        n = recv(fd, buf, sizeof buf, 0);\n" /* 23 */
    "        if (n <= 0)\n" /* 24 */
    "            break;\n" /* 25 */
    "        received += n;\n" /* 26 */
    "        Py_XDECREF(out);\n" /* 27 */
    "        out = PyBytes_FromStringAndSize(buf, n);\n" /* 28 */
    "        if (!out) return NULL;\n" /* 29 */
    "    }\n" /* 30 */
    "    return out;\n" /* 31 */
    "}\n" /* 32 */
    "\n" /* 33 */
    "static int\n" /* 34 */
    "parse_headers(FILE *f, struct header *hdr, size_t nhdr)\n" /* 35 */
    "{\n" /* 36 */
    "    char line[256];\n" /* 37 */
    "    while (fgets(line, sizeof line, f)) {\n" /* 38 */
    "        char *value = strchr(line, ':');\n" /* 39 */
    "        for (size_t i = 0; i < nhdr; i++) {\n" /* 40 */
    "            if (hdr[i].parse(strtok(value, \" \\t\")) < 0) return -1;\n" /* 41 */
    "        }\n" /* 42 */
    "        if (line[0] == '\\n')\n" /* 43 */
    "            break;\n" /* 44 */
    "    }\n" /* 45 */
    "    return 0;\n" /* 46 */
    "}\n" /* 47 */;

static const char src_mixed_wait[] =
    "/* mixed_wait.c: a worker that waits for a pipe, then touches Python objects. */\n" /* 1 */
    "#include <Python.h>\n" /* 2 */
    "#include <unistd.h>\n" /* 3 */
    "\n" /* 4 */
    "static PyObject *results;\n" /* 5 */
    "static long g_count;\n" /* 6 */
    "\n" /* 7 */
    "static void *\n" /* 8 */
    "worker_main(void *arg)\n" /* 9 */
    "{\n" /* 10 */
    "    int fd = *(int *)arg;\n" /* 11 */
    "    char buf[512];\n" /* 12 */
    "    ssize_t n = 0;\n" /* 13 */
    "\n" /* 14 */
    "    while (g_count < 1000) {\n" /* 15 */
    "        Py_BEGIN_ALLOW_THREADS\n" /* 16 */
    "        n = read(fd, buf, sizeof buf);\n" /* 17 */
    "        Py_END_ALLOW_THREADS\n" /* 18 */
    "        if (n <= 0 || PyList_Append(results, PyBytes_FromStringAndSize(buf, n)) < 0)\n" /* 19 */
    "            break;\n" /* 20 */
    "        g_count++;\n" /* 21 */
    "        if (g_count % 100 == 0)\n" /* 22 */
    "            fprintf(stderr, \"%ld chunks\\n\", g_count);\n" /* 23 */
    "    }\n" /* 24 */
    "    if (n < 0) {\n" /* 25 */
    "        PyThreadState *save = PyEval_SaveThread();\n" /* 26 */
    "        close(fd);\n" /* 27 */
    "        /* the GIL is still released here */\n" /* 28 */
    "        PyErr_SetString(PyExc_OSError, \"read failed\");\n" /* 29 */
    "        PyEval_RestoreThread(save);\n" /* 30 */
    "    }\n" /* 31 */
    "    return NULL;\n" /* 32 */
    "}\n" /* 33 */
    "\n" /* 34 */
    "static void\n" /* 35 */
    "compute(unsigned char *dst, const unsigned char *src, size_t n, size_t blocks)\n" /* 36 */
    "{\n" /* 37 */
    "    ImagingSectionEnter(&cookie);\n" /* 38 */
    "    z_stream zs = {0};\n" /* 39 */
    "    for (size_t i = 0; i < blocks; i++) {\n" /* 40 */
    "        size_t off = i * n;\n" /* 41 */
    "        deflate_block(&zs, src + off, n, dst + off);\n" /* 42 */
    "        checksum ^= dst[off];\n" /* 43 */
    "    }\n" /* 44 */
    "    total += blocks;\n" /* 45 */
    "    ImagingSectionLeave(&cookie);\n" /* 46 */
    "}\n" /* 47 */
    "\n" /* 48 */
    "static void\n" /* 49 */
    "split_fields(char *line)\n" /* 50 */
    "{\n" /* 51 */
    "    for (char *f = strtok(line, \",\"); f; f = strtok(NULL, \",\"))\n" /* 52 */
    "        count_field(f);\n" /* 53 */
    "}\n" /* 54 */;

static const char src_escape[] =
    "/* escape.c: text that must be escaped in a page */\n"                  /* 1 */
    "static const char *s = \"</script><b>&\";\n"                              /* 2 */
    "int f(void) {\r\n"                                                      /* 3 */
    "\tfor (int i = 0; i < 3; i++) { x(\"<!--\", '\0', '\x01', \"\xFF\"); }\n" /* 4 */
    "}\n";                                                                   /* 5 */

#define ABS_FILE "/abs/src dir/\xC3\xBCn\xC3\xAF.c"
#define ODD_FILE "./odd/a b%[1]:x.c"

static const struct ca_source fixture_sources[] = {
    {"samples/mixed_wait.c", src_mixed_wait, sizeof src_mixed_wait - 1},
    {"samples/escape.c", src_escape, sizeof src_escape - 1},
    {"samples/io_held_recv.c", src_io_held_recv, sizeof src_io_held_recv - 1},
    {"samples/unused.c", "int unused;\n", 12},
    {"samples/mixed_wait.c", "/* a second text for the same file: ignored */\n", 47},
};

static const struct ca_input_error broken_errors[] = {
    {"samples/broken.c", 12, 18, "expected ';' after expression"},
    {"samples/broken.h", 3, 1, "unknown type name 'PyObjekt' <T>"},
};

#define INPUT(file_, state_, python_, nloops_, errors_, nerrors_) \
    {.file = file_, .state = state_, .python = python_, .nloops = nloops_, .errors = errors_, .nerrors = nerrors_}

static const struct ca_input_result fixture_inputs[] = {
    INPUT("samples/mixed_wait.c", CA_INPUT_OK, true, 2, NULL, 0),
    INPUT("samples/broken.c", CA_INPUT_ERROR, true, 0, (struct ca_input_error *)broken_errors, N(broken_errors)),
    INPUT("samples/missing.c", CA_INPUT_MISSING, false, 0, NULL, 0),
    INPUT("samples/io_held_recv.c", CA_INPUT_OK, true, 3, NULL, 0),
    INPUT("samples/escape.c", CA_INPUT_OK, false, 1, NULL, 0),
    INPUT(ABS_FILE, CA_INPUT_OK, false, 1, NULL, 0),
    INPUT(ODD_FILE, CA_INPUT_OK, false, 0, NULL, 0),
    INPUT("samples/parse_fail.c", CA_INPUT_ERROR, false, 0, NULL, 0),
};

static const char *recv_reasons[] = {
    "every iteration blocks in recv() (network I/O, may wait without limit)",
    "the GIL is held around the call, so all other Python threads stall while it waits",
    "PyBytes_FromStringAndSize() needs the GIL: release it around recv() only",
};
static const struct ca_evidence recv_evidence[] = {
    {"samples/io_held_recv.c", 23, 13, "io-call", "recv", NULL},
    {"samples/io_held_recv.c", 28, 15, "python-api", "PyBytes_FromStringAndSize", NULL},
    {"samples/io_held_recv.c", 21, 12, "bound", "received < want", NULL},
};
static const char *outer_reasons[] = {"reads header lines with fgets() until an empty one"};
static const struct ca_evidence outer_evidence[] = {
    {"samples/io_held_recv.c", 38, 12, "io-call", "fgets", NULL},
    {"samples/io_held_recv.c", 40, 9, "nested-loop", "for", NULL},
};
static const char *headers_reasons[] = {"hdr[i].parse() is called through a function pointer: its cost is unknown"};
static const struct ca_evidence headers_evidence[] = {
    {"samples/io_held_recv.c", 41, 17, "indirect-call", "hdr[i].parse", NULL},
    {"samples/io_held_recv.c", 41, 30, "thread-unsafe", "strtok", NULL},
};
static const char *worker_reasons[] = {
    "reads from a pipe with the GIL released, then appends to a list with it held",
    "the waiting part already lets other Python threads run",
};
static const struct ca_evidence worker_evidence[] = {
    {"samples/mixed_wait.c", 16, 9, "gil-release", "Py_BEGIN_ALLOW_THREADS", NULL},
    {"samples/mixed_wait.c", 17, 13, "io-call", "read", NULL},
    {"samples/mixed_wait.c", 18, 9, "gil-acquire", "Py_END_ALLOW_THREADS", NULL},
    {"samples/mixed_wait.c", 19, 21, "python-api", "PyList_Append", NULL},
    {"samples/mixed_wait.c", 21, 9, "global-write", "g_count", NULL},
};
static const char *compute_reasons[] = {"CPU work with the GIL released: threads run in parallel"};
static const struct ca_evidence compute_evidence[] = {
    {"samples/zlib_helpers.h", 88, 5, "cpu-call", "deflate", "deflate_block -> deflate"},
};
static const char *abs_reasons[] = {"sums an array: CPU-bound, no Python objects"};
static const struct ca_evidence abs_evidence[] = {
    {NULL, 3, 5, "bound", "i < n", NULL},
};
static const char *escape_reasons[] = {"reason with </script><script>alert(1)</script> & \"quotes\" 'too'"};
static const struct ca_evidence escape_evidence[] = {
    {"samples/escape.c", 4, 30, "unknown-call", "<img src=x onerror=alert(1)>", "a -> <b>"},
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
    LOOP(ABS_FILE, 3, 5, 6, "sum", "for", 0, CA_CLASS_CPU, CA_GIL_NONE, false,
         CA_REC_MULTIPROCESSING, CA_CONF_HIGH, 80, true, abs_reasons, abs_evidence),
    LOOP("samples/escape.c", 4, 2, 4, "f<T>\"&'", "for", 0, CA_CLASS_CPU, CA_GIL_NONE, false,
         CA_REC_NONE, CA_CONF_HIGH, 3, false, escape_reasons, escape_evidence),
};

#define DIAG(rule_, sev_, file_, line_, col_, message_, function_)                                   \
    {.rule = rule_, .severity = sev_, .file = file_, .line = line_, .col = col_, .message = message_, \
     .function = function_}

static const struct ca_diagnostic fixture_diags[] = {
    DIAG("mt-thread-unsafe-call", CA_SEV_WARNING, "samples/mixed_wait.c", 52, 20,
         "strtok() is not thread-safe; use strtok_r()", "split_fields"),
    DIAG("gil-blocking-io-held", CA_SEV_WARNING, "samples/io_held_recv.c", 23, 13,
         "recv() may block while the GIL is held", "recv_all"),
    DIAG("ft-static-pyobject-state", CA_SEV_NOTE, "samples/mixed_wait.c", 5, 1,
         "module state in a static PyObject * is shared between interpreters", NULL),
    DIAG("advise-release-gil", CA_SEV_NOTE, "samples/io_held_recv.c", 23, 13,
         "release the GIL around recv() with Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS", "recv_all"),
    DIAG("gil-api-without-gil", CA_SEV_ERROR, "samples/mixed_wait.c", 29, 9,
         "PyErr_SetString() called while the GIL is released", "worker_main"),
    DIAG("mt-thread-unsafe-call", CA_SEV_WARNING, "samples/io_held_recv.c", 41, 30,
         "strtok() is not thread-safe; use strtok_r()", "parse_headers"),
    DIAG("gil-blocking-io-held", CA_SEV_WARNING, ABS_FILE, 4, 9, "fread() may block while the GIL is held", "sum"),
    DIAG("advise-release-gil", CA_SEV_NOTE, ODD_FILE, 7, 0, "quote \" and <tag> & ampersand", NULL),
    DIAG("mt-thread-unsafe-call", CA_SEV_WARNING, "samples/escape.c", 2, 25,
         "the string \"</script><b>&\" must not end the page's <script>", NULL),
    DIAG("gil-blocking-io-held", CA_SEV_WARNING, "samples/escape.c", 90, 1, "a finding past the end of the text", NULL),
};

static const struct ca_region fixture_regions[] = {
    {.file = "samples/mixed_wait.c", .line = 16, .col = 9, .end_line = 18, .function = "worker_main",
     .by = "Py_BEGIN_ALLOW_THREADS"},
    {.file = "samples/mixed_wait.c", .line = 26, .col = 9, .end_line = 30, .function = "worker_main",
     .by = "PyEval_SaveThread"},
    {.file = "samples/mixed_wait.c", .line = 38, .col = 5, .end_line = 46, .function = "compute",
     .by = "ImagingSectionEnter"},
    {.file = ABS_FILE, .line = 2, .col = 5, .end_line = 7, .function = "sum", .by = "Py_BEGIN_ALLOW_THREADS"},
};

static const struct ca_report_meta fixture_meta = {.tool_version = "0.1.0",
                                                   .clang_version = "Debian clang version 14.0.6",
                                                   .suppressed = 2, .baselined = 1};

static void build_fixture(struct ca_results *r, bool reversed)
{
    const struct fixture_set set = {fixture_inputs, N(fixture_inputs), fixture_loops,  N(fixture_loops),
                                    fixture_diags,  N(fixture_diags),  fixture_regions, N(fixture_regions)};
    fixture_build(r, &set, reversed);
}

/* ---- helpers */

static char *render_with(const struct ca_results *r, const struct ca_rules *rules, const struct ca_source *src,
                         size_t nsrc)
{
    struct ca_buf b;
    char *s;
    ca_buf_init(&b);
    assert_int_equal(ca_report_html(r, rules, &fixture_meta, src, nsrc, &b), CA_OK);
    s = ca_buf_take(&b);
    assert_non_null(s);
    return s;
}

static char *render(const struct ca_results *r, const struct ca_rules *rules)
{
    return render_with(r, rules, fixture_sources, N(fixture_sources));
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* The class attribute of the source line with this anchor id ("L3-21"), as a heap string. */
static char *row_classes(const char *out, const char *id)
{
    char key[64];
    const char *at, *start;
    snprintf(key, sizeof key, "\" id=\"%s\"", id);
    at = strstr(out, key);
    if (!at) fail_msg("no line with id %s", id);
    for (start = at; start > out && strncmp(start, "<div class=\"", 12) != 0; start--) {}
    start += 12;
    return ca_strndup(start, (size_t)(at - start));
}

static bool has_class(const char *out, const char *id, const char *cls)
{
    char *classes = row_classes(out, id), *tok, *save = NULL;
    bool found = false;
    for (tok = strtok_r(classes, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        if (strcmp(tok, cls) == 0) found = true;
    ca_free(classes);
    return found;
}

/* The JSON data block, parsed. */
static cJSON *data_block(const char *out)
{
    const char *start = strstr(out, "id=\"ca-data\">"), *end;
    char *text;
    cJSON *doc;
    assert_non_null(start);
    start += strlen("id=\"ca-data\">");
    end = strstr(start, "</script>");
    assert_non_null(end);
    text = ca_strndup(start, (size_t)(end - start));
    doc = cJSON_Parse(text);
    ca_free(text);
    if (!doc) fail_msg("the data block is not valid JSON");
    return doc;
}

/* Files get indices in byte order of their names: ./odd (0), /abs (1), escape (2),
 * io_held_recv (3), mixed_wait (4). */
#define F_ODD "0"
#define F_ABS "1"
#define F_ESCAPE "2"
#define F_IO "3"
#define F_MIXED "4"

/* ---- tests */

static void test_html_report_matches_its_golden_file(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, rules);
    check_golden(GOLDEN("report.html"), out);
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

static void test_every_text_is_escaped(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    const cJSON *loop, *l;
    cJSON *doc;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, rules);
    /* exactly the page's own two scripts: nothing from the data opened or closed one */
    assert_int_equal(count(out, "<script"), 2);
    assert_int_equal(count(out, "</script"), 2);
    assert_null(strstr(out, "<b>"));
    assert_null(strstr(out, "<img"));
    assert_null(strstr(out, "<tag>"));
    assert_null(strstr(out, "<T>"));
    /* the source line, the diagnostic and the function name, as text */
    assert_non_null(strstr(out, "static const char *s = &quot;&lt;/script&gt;&lt;b&gt;&amp;&quot;;</span>"));
    assert_non_null(strstr(out, "the string &quot;&lt;/script&gt;&lt;b&gt;&amp;&quot; must not end the page&#39;s "
                                "&lt;script&gt;"));
    assert_non_null(strstr(out, "<td>f&lt;T&gt;&quot;&amp;&#39;</td>"));
    assert_non_null(strstr(out, "unknown type name &#39;PyObjekt&#39; &lt;T&gt;"));
    /* CRLF: the CR is not shown; a tab stays; NUL and control bytes as marked \xNN; an
     * invalid byte as U+FFFD */
    assert_non_null(strstr(out, "int f(void) {</span>"));
    assert_non_null(strstr(out, "\">\tfor (int i = 0;"));
    assert_non_null(strstr(out, "&#39;<span class=\"ctl\">\\x00</span>&#39;, &#39;<span class=\"ctl\">\\x01</span>&#39;, "
                                "&quot;\xEF\xBF\xBD&quot;"));
    /* the data block: '<', '>' and '&' escaped, and it decodes back to the original text */
    assert_non_null(strstr(out, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026"));
    doc = data_block(out);
    loop = NULL;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(doc, "loops"))
        if (strcmp(cJSON_GetObjectItemCaseSensitive(l, "file")->valuestring, "samples/escape.c") == 0) loop = l;
    assert_non_null(loop);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(loop, "reasons"), 0)->valuestring,
                        escape_reasons[0]);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(loop, "function")->valuestring, "f<T>\"&'");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(loop, "evidence"), 0), "name")->valuestring,
                        "<img src=x onerror=alert(1)>");
    cJSON_Delete(doc);
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

static void test_a_file_missing_from_the_sources_is_noted(void **state)
{
    struct ca_results r;
    const char *sec, *next, *p;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL);
    sec = strstr(out, "<details class=\"file\" id=\"F" F_ABS "\"");
    assert_non_null(sec);
    next = strstr(sec, "</details>");
    assert_non_null(next);
    assert_non_null(strstr(sec, "/abs/src dir/\xC3\xBCn\xC3\xAF.c"));
    assert_true(strstr(sec, "Source not available") < next);
    /* its findings are listed by line, each with the anchor the links use */
    assert_true(strstr(sec, "id=\"L" F_ABS "-3\"") < next);
    assert_true(strstr(sec, "id=\"L" F_ABS "-4\"") < next);
    assert_true(strstr(sec, "GIL released from line 2 to line 7") < next);
    /* a file with a source has no note */
    sec = strstr(out, "<details class=\"file\" id=\"F" F_IO "\"");
    next = strstr(sec, "</details>");
    p = strstr(sec, "Source not available");
    assert_true(p == NULL || p > next);
    /* a finding past the end of the given text is listed after the code */
    sec = strstr(out, "<details class=\"file\" id=\"F" F_ESCAPE "\"");
    next = strstr(sec, "</details>");
    assert_true(strstr(sec, "Findings past the end of the text") < next);
    assert_true(strstr(sec, "id=\"L" F_ESCAPE "-90\"") < next);
    /* without any source every file gets the note */
    ca_free(out);
    out = render_with(&r, NULL, NULL, 0);
    assert_int_equal(count(out, "Source not available"), 5);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_every_link_to_a_source_line_has_its_anchor(void **state)
{
    struct ca_results r;
    char *out, id[64];
    const char *p;
    size_t links = 0;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL);
    for (p = strstr(out, "href=\"#L"); p; p = strstr(p + 1, "href=\"#L")) {
        size_t n = strcspn(p + 7, "\"");
        char key[80];
        assert_true(n < sizeof id);
        memcpy(id, p + 7, n);
        id[n] = '\0';
        snprintf(key, sizeof key, "id=\"%s\"", id);
        if (!strstr(out, key)) fail_msg("link #%s has no anchor", id);
        if (count(out, key) != 1) fail_msg("anchor %s is not unique", id);
        links++;
    }
    /* a link per table row and per diagnostic at least */
    assert_true(links >= N(fixture_loops) + N(fixture_diags));
    ca_free(out);
    ca_results_fini(&r);
}

static void test_loop_table_starts_with_the_hottest(void **state)
{
    struct ca_results r;
    char *out;
    const char *p;
    long last = 101, rows = 0;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL);
    for (p = strstr(out, "<td class=\"h\" data-v=\""); p; p = strstr(p + 1, "<td class=\"h\" data-v=\"")) {
        long v = strtol(p + strlen("<td class=\"h\" data-v=\""), NULL, 10);
        assert_true(v <= last);
        last = v;
        rows++;
    }
    assert_int_equal(rows, N(fixture_loops));
    /* the hottest row first, its hot class set, and each row links to its line */
    p = strstr(out, "<tbody>");
    assert_non_null(strstr(p, "<tr class=\"hot\" data-i=\"0\"><td data-v=\"00000001:0000000003:0000000005\">"
                              "<a class=\"loc\" href=\"#L" F_ABS "-3\">"));
    ca_free(out);
    ca_results_fini(&r);
}

static void test_source_lines_show_loops_regions_and_diagnostics(void **state)
{
    struct ca_results r;
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, NULL);
    /* a loop's lines are tinted by its advice; its first line opens the details */
    assert_true(has_class(out, "L" F_IO "-21", "head"));
    assert_true(has_class(out, "L" F_IO "-21", "r-release-gil"));
    assert_true(has_class(out, "L" F_IO "-30", "r-release-gil"));
    assert_false(has_class(out, "L" F_IO "-31", "t"));
    assert_non_null(strstr(out, "data-loops=\""));
    /* inside a nest the inner loop's tint wins; the outer one resumes after it */
    assert_true(has_class(out, "L" F_IO "-41", "r-unknown"));
    assert_true(has_class(out, "L" F_IO "-44", "r-release-gil"));
    /* diagnostics mark their line with the worst severity */
    assert_true(has_class(out, "L" F_IO "-41", "d-warning"));
    assert_true(has_class(out, "L" F_IO "-23", "d-warning"));
    assert_true(has_class(out, "L" F_MIXED "-29", "d-error"));
    /* GIL-released regions: a bar from the releasing line to the re-acquiring one */
    assert_true(has_class(out, "L" F_MIXED "-16", "rel"));
    assert_true(has_class(out, "L" F_MIXED "-16", "rs"));
    assert_true(has_class(out, "L" F_MIXED "-18", "re"));
    assert_false(has_class(out, "L" F_MIXED "-19", "rel"));
    assert_true(has_class(out, "L" F_MIXED "-29", "rel"));
    assert_non_null(strstr(out, "title=\"GIL released by PyEval_SaveThread until line 30\""));
    /* a second text for the same file is ignored: the first one given wins */
    assert_null(strstr(out, "a second text for the same file"));
    /* a source no finding refers to is not shown */
    assert_null(strstr(out, "int unused;"));
    ca_free(out);
    ca_results_fini(&r);
}

static void test_page_is_self_contained(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    char *out;
    (void)state;
    build_fixture(&r, false);
    out = render(&r, rules);
    assert_non_null(strstr(out, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    assert_null(strstr(out, "http:"));
    assert_null(strstr(out, "https:"));
    assert_null(strstr(out, "src=\""));
    assert_null(strstr(out, "url("));
    assert_null(strstr(out, "@import"));
    assert_null(strstr(out, "<link"));
    assert_int_equal(strncmp(out, "<!DOCTYPE html>\n", 16), 0);
    assert_non_null(strstr(out, "not shown: 2 suppressed \xC2\xB7 1 baselined"));
    assert_non_null(strstr(out, "</html>\n"));
    /* the legend comes from the rule metadata */
    assert_non_null(strstr(out, "<dt id=\"rule-gil-api-without-gil\">"));
    assert_non_null(strstr(out, "Release the GIL &lt;here&gt; &amp; *now*"));
    ca_free(out);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

static void test_output_is_deterministic(void **state)
{
    struct ca_source reversed[N(fixture_sources)];
    struct ca_results r1, r2;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    char *a, *b;
    uint32_t i;
    (void)state;
    build_fixture(&r1, false);
    build_fixture(&r2, true);
    a = render(&r1, rules);
    b = render(&r1, rules);
    assert_string_equal(a, b);
    ca_free(b);
    /* results added in the other order, sources given in the other order (but the duplicate
     * for mixed_wait.c still after the real one, as the first given wins) */
    for (i = 0; i < N(fixture_sources); i++) reversed[i] = fixture_sources[N(fixture_sources) - 1 - i];
    reversed[0] = fixture_sources[3];
    reversed[1] = fixture_sources[0];
    reversed[4] = fixture_sources[4];
    b = render_with(&r2, rules, reversed, N(reversed));
    assert_string_equal(a, b);
    ca_free(a);
    ca_free(b);
    ca_rules_free(rules);
    ca_results_fini(&r1);
    ca_results_fini(&r2);
}

static void test_empty_results_give_a_page(void **state)
{
    struct ca_results r;
    char *out;
    cJSON *doc;
    (void)state;
    ca_results_init(&r);
    out = render_with(&r, NULL, NULL, 0);
    assert_non_null(strstr(out, "No loops were found."));
    assert_non_null(strstr(out, "No diagnostics."));
    assert_non_null(strstr(out, "No file has findings."));
    assert_null(strstr(out, "id=\"ca-loops\""));
    doc = data_block(out);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "loops")), 0);
    cJSON_Delete(doc);
    ca_free(out);
    ca_results_fini(&r);
}

static void test_html_writer_reports_nomem_without_leaking(void **state)
{
    struct ca_results r;
    struct ca_rules *rules = fixture_load_rules(fixture_rules_dir());
    struct ca_buf ref, b;
    enum ca_status st = CA_ERR_NOMEM;
    long n;
    (void)state;
    build_fixture(&r, false);
    ca_buf_init(&ref);
    assert_int_equal(ca_report_html(&r, rules, &fixture_meta, fixture_sources, N(fixture_sources), &ref), CA_OK);
    for (n = 1; n < 400 && st != CA_OK; n++) {
        ca_buf_init(&b);
        ca_alloc_fail_after(n);
        st = ca_report_html(&r, rules, &fixture_meta, fixture_sources, N(fixture_sources), &b);
        ca_alloc_fail_after(0);
        if (st == CA_OK) assert_string_equal(b.data, ref.data);
        else {
            assert_int_equal(st, CA_ERR_NOMEM);
            assert_true(b.failed);
        }
        ca_buf_fini(&b);
    }
    assert_int_equal(st, CA_OK);
    assert_true(n > 5); /* the page's own arrays and the buffer growth were each made to fail */
    ca_buf_init(&b);
    b.failed = 1;
    assert_int_equal(ca_report_html(&r, rules, &fixture_meta, fixture_sources, N(fixture_sources), &b), CA_ERR_NOMEM);
    ca_buf_fini(&b);
    ca_buf_fini(&ref);
    ca_rules_free(rules);
    ca_results_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_report_matches_its_golden_file),
        cmocka_unit_test(test_every_text_is_escaped),
        cmocka_unit_test(test_a_file_missing_from_the_sources_is_noted),
        cmocka_unit_test(test_every_link_to_a_source_line_has_its_anchor),
        cmocka_unit_test(test_loop_table_starts_with_the_hottest),
        cmocka_unit_test(test_source_lines_show_loops_regions_and_diagnostics),
        cmocka_unit_test(test_page_is_self_contained),
        cmocka_unit_test(test_output_is_deterministic),
        cmocka_unit_test(test_empty_results_give_a_page),
        cmocka_unit_test(test_html_writer_reports_nomem_without_leaking),
    };
    return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
