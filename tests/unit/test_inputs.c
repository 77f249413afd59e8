/* test_inputs.c: directory walking, compile databases and synthesised flags.
 * Every test builds its own tree under the per-process temporary directory, which is also the
 * working directory while the group runs, so display paths are short and predictable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inputs.h"
#include "testutil.h"

static char tmpdir[PATH_MAX]; /* absolute, physical: what getcwd() reports inside it */
static char oldcwd[PATH_MAX];

/* ---- tree building */

static void mkdirs(const char *rel)
{
    char buf[PATH_MAX], *s;
    snprintf(buf, sizeof buf, "%s", rel);
    for (s = buf + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        mkdir(buf, 0755);
        *s = '/';
    }
    mkdir(buf, 0755);
}

static void put(const char *rel, const char *text)
{
    char dir[PATH_MAX], *slash;
    FILE *f;
    snprintf(dir, sizeof dir, "%s", rel);
    slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        mkdirs(dir);
    }
    f = fopen(rel, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Absolute form of a path relative to the temporary directory; a ring of buffers so that a
 * few can be used in one expression. */
static const char *A(const char *rel)
{
    static char ring[8][2 * PATH_MAX];
    static unsigned next;
    char *b = ring[next++ % 8];
    snprintf(b, sizeof ring[0], "%s/%s", tmpdir, rel);
    return b;
}

static const char *I(const char *rel)
{
    static char ring[8][2 * PATH_MAX];
    static unsigned next;
    char *b = ring[next++ % 8];
    snprintf(b, sizeof ring[0], "-I%s/%s", tmpdir, rel);
    return b;
}

static cJSON *entry(const char *dir, const char *file)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "directory", dir);
    cJSON_AddStringToObject(e, "file", file);
    return e;
}

static cJSON *entry_command(const char *dir, const char *file, const char *command)
{
    cJSON *e = entry(dir, file);
    cJSON_AddStringToObject(e, "command", command);
    return e;
}

/* args: NULL-terminated */
static cJSON *entry_arguments(const char *dir, const char *file, const char *const *args)
{
    cJSON *e = entry(dir, file), *a = cJSON_AddArrayToObject(e, "arguments");
    for (; *args; args++) cJSON_AddItemToArray(a, cJSON_CreateString(*args));
    return e;
}

static void write_db(const char *rel, cJSON *arr)
{
    char *s = cJSON_Print(arr);
    put(rel, s);
    cJSON_free(s);
    cJSON_Delete(arr);
}

/* ---- running and looking */

static struct ca_inputs_options opts(const char *const *paths, size_t npaths)
{
    struct ca_inputs_options o;
    memset(&o, 0, sizeof o);
    o.paths = paths;
    o.npaths = npaths;
    o.no_discovery = true;
    o.python_include = "/opt/py/include/python3.12";
    return o;
}

static void collect_ok(const struct ca_inputs_options *o, struct ca_input_list *l)
{
    struct ca_inputs_error e;
    enum ca_status st = ca_inputs_collect(o, l, &e);
    if (st != CA_OK) print_error("unexpected %s: %s\n", ca_status_str(st), e.message ? e.message : "-");
    assert_int_equal(st, CA_OK);
    assert_null(e.message);
    ca_inputs_error_fini(&e);
}

static const struct ca_input *find(const struct ca_input_list *l, const char *display)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].display, display) == 0) return &l->items[i];
    print_error("no input displayed as %s\n", display);
    fail();
    return NULL;
}

/* The displays, in order, must be exactly `want` (NULL-terminated). */
static void assert_displays(const struct ca_input_list *l, const char *const *want)
{
    size_t i;
    for (i = 0; want[i]; i++) {
        if (i >= l->n) print_error("missing %s\n", want[i]);
        assert_true(i < l->n);
        assert_string_equal(l->items[i].display, want[i]);
    }
    for (; i < l->n; i++) print_error("unexpected %s\n", l->items[i].display);
    assert_int_equal(l->n, i);
}

/* The arguments must be exactly `want` (NULL-terminated). */
static void assert_args(const struct ca_input *it, const char *const *want)
{
    size_t i;
    for (i = 0; want[i]; i++) {
        if (i >= it->nargs) print_error("%s: missing argument %s\n", it->display, want[i]);
        assert_true(i < it->nargs);
        assert_string_equal(it->args[i], want[i]);
    }
    for (; i < it->nargs; i++) print_error("%s: unexpected argument %s\n", it->display, it->args[i]);
    assert_int_equal(it->nargs, i);
}

static bool lists_equal(const struct ca_input_list *a, const struct ca_input_list *b)
{
    size_t i, j;
    if (a->n != b->n) return false;
    if (!a->compdb_path != !b->compdb_path || (a->compdb_path && strcmp(a->compdb_path, b->compdb_path))) return false;
    if (!a->python_include != !b->python_include ||
        (a->python_include && strcmp(a->python_include, b->python_include)))
        return false;
    for (i = 0; i < a->n; i++) {
        const struct ca_input *x = &a->items[i], *y = &b->items[i];
        if (strcmp(x->display, y->display) || strcmp(x->path, y->path) || x->nargs != y->nargs ||
            x->from_compdb != y->from_compdb || x->missing != y->missing)
            return false;
        for (j = 0; j < x->nargs; j++)
            if (strcmp(x->args[j], y->args[j])) return false;
    }
    return true;
}

/* ---- walking */

static void test_directory_walk_finds_c_files_recursively_and_skips_hidden_git_and_build_dirs(void **state)
{
    static const char *const skipped[] = {
        "w/.hidden/h.c", "w/.git/g.c",  "w/build/b.c",  "w/build-asan/b.c", "w/cmake-build-debug/b.c",
        "w/_build/b.c",  "w/CMakeFiles/b.c", "w/__pycache__/b.c", "w/node_modules/b.c", "w/venv/b.c",
        "w/.venv/b.c",   "w/.tox/b.c",  "w/.dot.c",
    };
    const char *paths[] = {"w"}, *build[] = {"w/build"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    size_t i;
    (void)state;
    put("w/a.c", "int a;\n");
    put("w/notes.txt", "");
    put("w/x.h", "");
    put("w/a.cc", "");
    put("w/sub/b.c", "");
    put("w/sub/deep/c.c", "");
    put("w/builder/ok.c", "");
    for (i = 0; i < sizeof skipped / sizeof *skipped; i++) put(skipped[i], "");

    collect_ok(&o, &l);
    assert_displays(&l, (const char *const[]){"w/a.c", "w/builder/ok.c", "w/sub/b.c", "w/sub/deep/c.c", NULL});
    assert_string_equal(l.items[0].path, "w/a.c");
    assert_false(l.items[0].from_compdb);
    assert_false(l.items[0].missing);
    assert_null(l.compdb_path);
    ca_input_list_fini(&l);

    /* a build directory named explicitly is walked */
    o = opts(build, 1);
    collect_ok(&o, &l);
    assert_displays(&l, (const char *const[]){"w/build/b.c", NULL});
    ca_input_list_fini(&l);
}

static void test_explicit_file_is_taken_whatever_its_extension(void **state)
{
    const char *paths[] = {"e/script.inc", "e/a.cc"};
    struct ca_inputs_options o = opts(paths, 2);
    struct ca_input_list l;
    (void)state;
    put("e/script.inc", "");
    put("e/a.cc", "");
    collect_ok(&o, &l);
    assert_displays(&l, (const char *const[]){"e/a.cc", "e/script.inc", NULL});
    /* clang would take an unknown extension for a linker input: say it is C */
    assert_args(find(&l, "e/script.inc"), (const char *const[]){"-x", "c", I("e"), "-I/opt/py/include/python3.12", NULL});
    assert_args(find(&l, "e/a.cc"), (const char *const[]){I("e"), "-I/opt/py/include/python3.12", NULL});
    ca_input_list_fini(&l);
}

static void test_symlink_loop_terminates_and_file_reached_twice_is_listed_once(void **state)
{
    const char *paths[] = {"s", "s/sub/b.c", "./s/a.c"};
    struct ca_inputs_options o = opts(paths, 3);
    struct ca_input_list l;
    (void)state;
    put("s/a.c", "");
    put("s/sub/b.c", "");
    assert_int_equal(symlink("..", "s/sub/up"), 0);       /* loop back to s */
    assert_int_equal(symlink("sub", "s/zlink"), 0);       /* second way into sub */
    assert_int_equal(symlink("a.c", "s/m_alias.c"), 0);   /* second name for a.c */
    assert_int_equal(symlink("nowhere", "s/dangling.c"), 0);
    collect_ok(&o, &l);
    assert_displays(&l, (const char *const[]){"s/a.c", "s/sub/b.c", NULL});
    ca_input_list_fini(&l);
}

static void test_missing_path_comes_back_with_missing_true(void **state)
{
    const char *paths[] = {"nope/x.c", "m", "nope/x.c"};
    struct ca_inputs_options o = opts(paths, 3);
    struct ca_input_list l;
    const struct ca_input *it;
    (void)state;
    put("m/a.c", "");
    collect_ok(&o, &l);
    assert_displays(&l, (const char *const[]){"m/a.c", "nope/x.c", NULL});
    it = find(&l, "nope/x.c");
    assert_true(it->missing);
    assert_false(it->from_compdb);
    assert_string_equal(it->path, "nope/x.c");
    assert_int_equal(it->nargs, 0);
    assert_false(find(&l, "m/a.c")->missing);
    ca_input_list_fini(&l);
}

static void test_display_paths_are_joined_as_given(void **state)
{
    static const char *const given[][2] = {
        {"samples/", "samples/a.c"}, {"samples//", "samples/a.c"}, {"samples", "samples/a.c"},
        {"./samples", "./samples/a.c"}, {"./x.c", "./x.c"},        {"samples/../x.c", "samples/../x.c"},
    };
    struct ca_input_list l;
    size_t i;
    (void)state;
    put("samples/a.c", "");
    put("x.c", "");
    for (i = 0; i < sizeof given / sizeof *given; i++) {
        const char *paths[] = {given[i][0]};
        struct ca_inputs_options o = opts(paths, 1);
        collect_ok(&o, &l);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.items[0].display, given[i][1]);
        assert_string_equal(l.items[0].path, given[i][1]);
        ca_input_list_fini(&l);
    }
    {
        const char *paths[] = {A("samples/")};
        struct ca_inputs_options o = opts(paths, 1);
        collect_ok(&o, &l);
        assert_displays(&l, (const char *const[]){A("samples/a.c"), NULL});
        ca_input_list_fini(&l);
    }
}

/* ---- compile databases */

static void test_compdb_arguments_are_filtered_and_working_directory_comes_first(void **state)
{
    const char *paths[] = {"c5/proj/src"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    const struct ca_input *it;
    char wd[2 * PATH_MAX], wd2[2 * PATH_MAX], bpath[2 * PATH_MAX];
    (void)state;
    put("c5/proj/src/a.c", "");
    put("c5/proj/src/b.c", "");
    snprintf(bpath, sizeof bpath, "%s", A("c5/proj/src/b.c"));
    {
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(
            arr, entry_arguments(A("c5/proj/build"), "../src/a.c",
                                 (const char *const[]){"ccache", "/usr/bin/gcc", "-c", "-o", "a.o", "-oa2.o", "-MD",
                                                       "-MMD", "-MF", "a.d", "-MFa2.d", "-MT", "t", "-MQ", "q",
                                                       "-MP", "-M", "-MM", "-Wp,-MD,x.d", "-Werror",
                                                       "-Werror=format", "-I../inc", "-DFOO=1", "-Wall",
                                                       "-include", "cfg.h", "--", "../src/a.c", NULL}));
        cJSON_AddItemToArray(arr, entry_arguments(A("c5/proj/build"), "../src/b.c",
                                                  (const char *const[]){"cc", "-DB", bpath, "-c", NULL}));
        write_db("c5/proj/build/compile_commands.json", arr);
    }
    o.compdb_dir = "c5/proj/build";
    collect_ok(&o, &l);
    assert_string_equal(l.compdb_path, "c5/proj/build/compile_commands.json");
    assert_displays(&l, (const char *const[]){"c5/proj/src/a.c", "c5/proj/src/b.c", NULL});
    it = find(&l, "c5/proj/src/a.c");
    assert_true(it->from_compdb);
    assert_string_equal(it->path, A("c5/proj/build/../src/a.c"));
    /* relative paths are made absolute against the entry's directory (no -working-directory:
     * clang would change the process's current directory) */
    snprintf(wd, sizeof wd, "-I%s", A("c5/proj/build/../inc"));
    snprintf(wd2, sizeof wd2, "%s", A("c5/proj/build/cfg.h"));
    assert_args(it, (const char *const[]){wd, "-DFOO=1", "-Wall", "-include", wd2, NULL});
    /* the source written differently from "file" is still recognised, by real path */
    assert_args(find(&l, "c5/proj/src/b.c"), (const char *const[]){"-DB", NULL});
    ca_input_list_fini(&l);
}

static void test_compdb_command_is_split_like_a_shell(void **state)
{
    const char *paths[] = {"c6/src/a.c"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    char wd[2 * PATH_MAX], wd2[2 * PATH_MAX];
    cJSON *arr = cJSON_CreateArray();
    (void)state;
    put("c6/src/a.c", "");
    cJSON_AddItemToArray(arr, entry_command(A("c6"), "src/a.c",
                                            "ccache cc -c -o out/a.o -MD -MF out/a.d -Werror -Iinc -I 'my dir' "
                                            "\"-DMSG=\\\"hi there\\\"\" -DX=a\\ b -DY=\"a\\\\b\" -DZ=\"$HOME\\q\" "
                                            "\\\n  -DE='' -D'P'Q\"R\" src/a.c"));
    write_db("c6/compile_commands.json", arr);
    o.compdb_dir = "c6/compile_commands.json";
    collect_ok(&o, &l);
    snprintf(wd, sizeof wd, "-I%s", A("c6/inc"));
    snprintf(wd2, sizeof wd2, "%s", A("c6/my dir"));
    assert_int_equal(l.n, 1);
    assert_true(l.items[0].from_compdb);
    assert_args(&l.items[0], (const char *const[]){wd, "-I", wd2, "-DMSG=\"hi there\"", "-DX=a b",
                                                   "-DY=a\\b", "-DZ=$HOME\\q", "-DE=", "-DPQR", NULL});
    ca_input_list_fini(&l);
}

static void test_compdb_is_discovered_in_a_parent_directory(void **state)
{
    const char *paths[] = {"c7/proj/src"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    cJSON *arr = cJSON_CreateArray();
    (void)state;
    put("c7/proj/src/a.c", "");
    put("c7/proj/src/z.c", "");
    cJSON_AddItemToArray(arr, entry_arguments(A("c7/proj"), "src/a.c",
                                              (const char *const[]){"cc", "-DP=1", "-c", "src/a.c", NULL}));
    write_db("c7/proj/compile_commands.json", arr);
    o.no_discovery = false;
    collect_ok(&o, &l);
    assert_non_null(l.compdb_path);
    assert_string_equal(l.compdb_path, A("c7/proj/compile_commands.json"));
    assert_true(find(&l, "c7/proj/src/a.c")->from_compdb);
    assert_false(find(&l, "c7/proj/src/z.c")->from_compdb);
    ca_input_list_fini(&l);

    o.no_discovery = true;
    collect_ok(&o, &l);
    assert_null(l.compdb_path);
    assert_false(find(&l, "c7/proj/src/a.c")->from_compdb);
    ca_input_list_fini(&l);
}

static void test_compdb_is_discovered_in_build_subdirectory(void **state)
{
    const char *paths[] = {"c8/proj/src/a.c"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    cJSON *arr = cJSON_CreateArray();
    (void)state;
    put("c8/proj/src/a.c", "");
    cJSON_AddItemToArray(arr, entry_arguments(A("c8/proj/build"), "../src/a.c",
                                              (const char *const[]){"cc", "-DQ", "../src/a.c", NULL}));
    write_db("c8/proj/build/compile_commands.json", arr);
    o.no_discovery = false;
    collect_ok(&o, &l);
    assert_string_equal(l.compdb_path, A("c8/proj/build/compile_commands.json"));
    assert_int_equal(l.n, 1);
    assert_true(l.items[0].from_compdb);
    assert_string_equal(l.items[0].args[0], "-DQ");
    ca_input_list_fini(&l);
}

static void test_p_to_a_json_file_without_paths_lists_every_entry(void **state)
{
    struct ca_inputs_options o = opts(NULL, 0);
    struct ca_input_list l;
    const struct ca_input *it;
    cJSON *arr = cJSON_CreateArray();
    (void)state;
    put("c9/p/a.c", "");
    put("c9/p/b.c", "");
    put("c9/p/c.c", "");
    cJSON_AddItemToArray(arr, entry_arguments(A("c9/p"), "a.c", (const char *const[]){"cc", "-DFIRST", "a.c", NULL}));
    cJSON_AddItemToArray(arr, entry_arguments(A("c9/p"), A("c9/p/b.c"), (const char *const[]){"cc", "b.c", NULL}));
    cJSON_AddItemToArray(arr,
                         entry_arguments(A("c9/p"), "./a.c", (const char *const[]){"cc", "-DSECOND", "a.c", NULL}));
    cJSON_AddItemToArray(arr, entry_command(A("c9/p"), "gone.c", "cc -c gone.c"));
    cJSON_AddItemToArray(arr, entry_command("p", "c.c", "cc -c c.c")); /* relative to the database */
    write_db("c9/db.json", arr);
    o.compdb_dir = "c9/db.json";
    collect_ok(&o, &l);
    assert_string_equal(l.compdb_path, "c9/db.json");
    assert_displays(&l, (const char *const[]){A("c9/p/a.c"), A("c9/p/b.c"), A("c9/p/c.c"), A("c9/p/gone.c"), NULL});
    it = find(&l, A("c9/p/a.c"));
    assert_true(it->from_compdb);
    assert_string_equal(it->path, A("c9/p/a.c"));
    assert_string_equal(it->args[0], "-DFIRST"); /* duplicate entries: the first wins */
    it = find(&l, A("c9/p/gone.c"));
    assert_true(it->missing);
    assert_int_equal(it->nargs, 0);
    assert_false(find(&l, A("c9/p/c.c"))->missing);
    ca_input_list_fini(&l);
}

static void test_p_to_a_missing_database_is_a_config_error(void **state)
{
    struct ca_inputs_options o = opts(NULL, 0);
    struct ca_input_list l;
    struct ca_inputs_error e;
    (void)state;
    mkdirs("c19/empty");
    o.compdb_dir = "c19/empty";
    assert_int_equal(ca_inputs_collect(&o, &l, &e), CA_ERR_CONFIG);
    assert_string_equal(e.file, "c19/empty/compile_commands.json");
    assert_non_null(strstr(e.message, "no compile database"));
    assert_int_equal(l.n, 0);
    assert_null(l.items);
    ca_inputs_error_fini(&e);
    ca_input_list_fini(&l);
}

static void test_malformed_compdb_reports_line_and_column(void **state)
{
    struct ca_inputs_options o = opts(NULL, 0);
    struct ca_input_list l;
    struct ca_inputs_error e;
    (void)state;
    put("c10/compile_commands.json", "[\n  {\"directory\": \"/x\",\n   \"file\": \"a.c\" \"command\": \"cc a.c\"}\n]\n");
    o.compdb_dir = "c10";
    assert_int_equal(ca_inputs_collect(&o, &l, &e), CA_ERR_PARSE);
    assert_string_equal(e.file, "c10/compile_commands.json");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 18);
    assert_non_null(e.message);
    assert_int_equal(l.n, 0);
    ca_inputs_error_fini(&e);
    ca_input_list_fini(&l);

    put("c10/trailing.json", "[]\n]");
    o.compdb_dir = "c10/trailing.json";
    assert_int_equal(ca_inputs_collect(&o, &l, &e), CA_ERR_PARSE);
    assert_int_equal(e.line, 2);
    assert_int_equal(e.col, 1);
    ca_inputs_error_fini(&e);
    ca_input_list_fini(&l);
}

static void expect_config(const char *text, unsigned line, unsigned col, const char *needle)
{
    struct ca_inputs_options o = opts(NULL, 0);
    struct ca_input_list l;
    struct ca_inputs_error e;
    put("c11/db.json", text);
    o.compdb_dir = "c11/db.json";
    assert_int_equal(ca_inputs_collect(&o, &l, &e), CA_ERR_CONFIG);
    assert_string_equal(e.file, "c11/db.json");
    if (!strstr(e.message, needle)) print_error("message \"%s\" lacks \"%s\"\n", e.message, needle);
    assert_non_null(strstr(e.message, needle));
    assert_int_equal(e.line, line);
    assert_int_equal(e.col, col);
    ca_inputs_error_fini(&e);
    ca_input_list_fini(&l);
}

static void test_wrong_compdb_shape_reports_config_error_at_the_entry(void **state)
{
    (void)state;
    expect_config("[\n  {\"directory\": \"/x\", \"file\": \"a.c\", \"arguments\": [\"cc\", \"a.c\"]},\n"
                  "  {\"directory\": \"/x\", \"arguments\": [\"cc\", \"b.c\"]}\n]\n",
                  3, 3, "entry [1]: \"file\"");
    expect_config("[{\"directory\": \"/x\", \"file\": \"a.c\", \"arguments\": [\"cc\", 3]}]", 1, 2,
                  "entry [0]: \"arguments\"");
    expect_config("[{\"directory\": \"/x\", \"file\": \"a.c\", \"arguments\": \"cc a.c\"}]", 1, 2, "\"arguments\"");
    /* the entry scanner must not be fooled by brackets, commas and quotes inside strings */
    expect_config("[ {\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc a.c\"},"
                  " {\"directory\": \"/x\", \"file\": \"b.c\", \"arguments\": [\"cc\", \"],\\\"{\"]},\n"
                  "    {\"directory\": \"/x\", \"file\": \"a.c\"}]",
                  2, 5, "entry [2]: has neither");
    expect_config("[{\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc a.c\"}, 7]", 1, 59,
                  "entry [1]: is not an object");
    expect_config("[{\"file\": \"a.c\", \"command\": \"cc a.c\"}]", 1, 2, "\"directory\"");
    expect_config("\n  {\"entries\": []}", 2, 3, "not a JSON array");
}

static void test_unterminated_quote_in_command_is_a_config_error(void **state)
{
    (void)state;
    expect_config("[{\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc '-DX=1 a.c\"}]", 1, 2,
                  "unterminated quote");
    expect_config("[{\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc \\\"-DX=1 a.c\"}]", 1, 2,
                  "unterminated quote");
    expect_config("[{\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"  \"}]", 1, 2, "empty");
}

/* ---- synthesised flags */

static void test_file_not_in_database_gets_synthesised_include_flags(void **state)
{
    const char *paths[] = {"s13/proj"}, *one[] = {"s13/proj/src/a.c"}, *bare[] = {"s13a.c"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    char here[2 * PATH_MAX];
    (void)state;
    put("s13/proj/include/foo.h", "");
    put("s13/proj/src/a.c", "");
    put("s13/proj/src/priv/p.h", "");
    put("s13/proj/build/gen.h", "");
    put("s13/proj/.hidden/h.h", "");
    put("s13/proj/doc/readme.txt", "");
    put("s13/proj/doc/h.hpp", "");
    put("s13a.c", "");
    collect_ok(&o, &l);
    assert_string_equal(l.python_include, "/opt/py/include/python3.12");
    assert_args(find(&l, "s13/proj/src/a.c"),
                (const char *const[]){I("s13/proj"), I("s13/proj/include"), I("s13/proj/src/priv"),
                                      "-I/opt/py/include/python3.12", NULL});
    assert_false(l.items[0].from_compdb);
    ca_input_list_fini(&l);

    o = opts(one, 1);
    collect_ok(&o, &l);
    assert_args(&l.items[0], (const char *const[]){I("s13/proj/src"), "-I/opt/py/include/python3.12", NULL});
    ca_input_list_fini(&l);

    o = opts(bare, 1);
    o.python_include = NULL;
    setenv("CONCADVISE_PYTHON_INCLUDE", "/env/py", 1);
    collect_ok(&o, &l);
    unsetenv("CONCADVISE_PYTHON_INCLUDE");
    snprintf(here, sizeof here, "-I%s", tmpdir);
    assert_args(&l.items[0], (const char *const[]){here, "-I/env/py", NULL});
    ca_input_list_fini(&l);
}

static void test_python_include_option_beats_environment_beats_system(void **state)
{
    const char *paths[] = {"py/a.c"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    (void)state;
    put("py/a.c", "");
    setenv("CONCADVISE_PYTHON_INCLUDE", "/env/py", 1);
    o.python_include = "/opt/py";
    collect_ok(&o, &l);
    assert_string_equal(l.python_include, "/opt/py");
    assert_string_equal(l.items[0].args[l.items[0].nargs - 1], "-I/opt/py");
    ca_input_list_fini(&l);

    o.python_include = NULL;
    collect_ok(&o, &l);
    assert_string_equal(l.python_include, "/env/py");
    ca_input_list_fini(&l);

    o.python_include = ""; /* explicitly none */
    collect_ok(&o, &l);
    assert_null(l.python_include);
    assert_int_equal(l.items[0].nargs, 1);
    ca_input_list_fini(&l);
    o.python_include = NULL;

    unsetenv("CONCADVISE_PYTHON_INCLUDE");
    collect_ok(&o, &l);
    if (l.python_include) { /* depends on the machine: a python3.N directory that holds Python.h */
        char probe[PATH_MAX + 16];
        struct stat sb;
        assert_true(strncmp(l.python_include, "/usr/include/python3.", 21) == 0 ||
                    strncmp(l.python_include, "/usr/local/include/python3.", 27) == 0);
        snprintf(probe, sizeof probe, "%s/Python.h", l.python_include);
        assert_int_equal(stat(probe, &sb), 0);
        assert_string_equal(l.items[0].args[l.items[0].nargs - 1] + 2, l.python_include);
    } else {
        assert_int_equal(l.items[0].nargs, 1); /* just -I of its directory */
    }
    ca_input_list_fini(&l);
}

static void test_header_directories_are_depth_limited_and_capped(void **state)
{
    const char *deep[] = {"s15a/proj"}, *wide[] = {"s15b/proj"};
    struct ca_inputs_options o = opts(deep, 1);
    struct ca_input_list l;
    char rel[64];
    unsigned i;
    (void)state;
    put("s15a/proj/a.c", "");
    put("s15a/proj/d1/d2/d3/d4/d5/d6/h6.h", "");
    put("s15a/proj/d1/d2/d3/d4/d5/d6/d7/h7.h", "");
    o.python_include = NULL;
    setenv("CONCADVISE_PYTHON_INCLUDE", "/py", 1);
    collect_ok(&o, &l);
    assert_args(&l.items[0], (const char *const[]){I("s15a/proj"), I("s15a/proj/d1/d2/d3/d4/d5/d6"), "-I/py", NULL});
    ca_input_list_fini(&l);

    put("s15b/proj/a.c", "");
    for (i = 0; i < 70; i++) {
        snprintf(rel, sizeof rel, "s15b/proj/m/h%02u/x.h", i);
        put(rel, "");
    }
    put("s15b/proj/zz/deeper/y.h", ""); /* depth 2 too, but after m/ in breadth-first order */
    o = opts(wide, 1);
    o.python_include = NULL;
    collect_ok(&o, &l);
    unsetenv("CONCADVISE_PYTHON_INCLUDE");
    assert_int_equal(l.items[0].nargs, 1 + 64 + 1);
    assert_string_equal(l.items[0].args[0], I("s15b/proj"));
    assert_string_equal(l.items[0].args[1], I("s15b/proj/m/h00"));
    assert_string_equal(l.items[0].args[64], I("s15b/proj/m/h63"));
    ca_input_list_fini(&l);
}

static void test_extra_args_are_appended_to_database_and_synthesised_files(void **state)
{
    const char *paths[] = {"x16"}, *extra[] = {"-DEXTRA=1", "-w"};
    struct ca_inputs_options o = opts(paths, 1);
    struct ca_input_list l;
    const struct ca_input *db, *syn;
    cJSON *arr = cJSON_CreateArray();
    (void)state;
    put("x16/a.c", "");
    put("x16/b.c", "");
    cJSON_AddItemToArray(arr, entry_command(A("x16"), "a.c", "cc -DA -c a.c"));
    write_db("x16/compile_commands.json", arr);
    o.compdb_dir = "x16";
    o.extra_args = extra;
    o.nextra = 2;
    collect_ok(&o, &l);
    db = find(&l, "x16/a.c");
    syn = find(&l, "x16/b.c");
    assert_true(db->from_compdb);
    assert_false(syn->from_compdb);
    assert_string_equal(db->args[db->nargs - 3], "-DA");
    assert_string_equal(db->args[db->nargs - 2], "-DEXTRA=1");
    assert_string_equal(db->args[db->nargs - 1], "-w");
    assert_args(syn, (const char *const[]){I("x16"), "-I/opt/py/include/python3.12", "-DEXTRA=1", "-w", NULL});
    ca_input_list_fini(&l);
}

static void test_output_is_sorted_and_deterministic(void **state)
{
    const char *paths[] = {"s17/z.c", "s17", "s17/b"}, *rev[] = {"s17/b", "s17", "s17/z.c"};
    struct ca_inputs_options o = opts(paths, 3);
    struct ca_input_list a, b, c;
    (void)state;
    put("s17/z.c", "");
    put("s17/m.c", "");
    put("s17/b/a.c", "");
    put("s17/A.c", "");
    put("s17/b_.c", "");
    collect_ok(&o, &a);
    collect_ok(&o, &b);
    assert_displays(&a, (const char *const[]){"s17/A.c", "s17/b/a.c", "s17/b_.c", "s17/m.c", "s17/z.c", NULL});
    assert_true(lists_equal(&a, &b));
    o = opts(rev, 3);
    collect_ok(&o, &c);
    assert_displays(&c, (const char *const[]){"s17/A.c", "s17/b/a.c", "s17/b_.c", "s17/m.c", "s17/z.c", NULL});
    ca_input_list_fini(&a);
    ca_input_list_fini(&b);
    ca_input_list_fini(&c);
}

/* ---- robustness */

/* Fail the Nth allocation for N = 1, 2, ... until the run succeeds: every run must either fail
 * with NOMEM (nothing to free, no error text) or give exactly the baseline. */
static void fail_each_allocation(const struct ca_inputs_options *o, enum ca_status expect)
{
    struct ca_input_list base, l;
    struct ca_inputs_error e;
    long n;
    int successes = 0;
    assert_int_equal(ca_inputs_collect(o, &base, &e), expect);
    ca_inputs_error_fini(&e);
    for (n = 1; n < 100000 && successes < 3; n++) {
        enum ca_status st;
        ca_alloc_fail_after(n);
        st = ca_inputs_collect(o, &l, &e);
        ca_alloc_fail_after(0);
        if (st == CA_ERR_NOMEM) {
            assert_int_equal(l.n, 0);
            assert_null(l.items);
            assert_null(l.compdb_path);
            assert_null(e.message);
            assert_null(e.file);
        } else {
            assert_int_equal(st, expect);
            assert_true(lists_equal(&base, &l));
            if (expect != CA_OK) assert_non_null(e.message);
            successes++;
        }
        ca_input_list_fini(&l);
        ca_inputs_error_fini(&e);
    }
    assert_int_equal(successes, 3);
    ca_input_list_fini(&base);
}

static void test_allocation_failures_never_leak_or_crash(void **state)
{
    const char *paths[] = {"f18/proj", "f18/gone.c", "f18/one.c"}, *extra[] = {"-w"};
    struct ca_inputs_options o = opts(paths, 3);
    cJSON *arr = cJSON_CreateArray();
    (void)state;
    put("f18/proj/src/a.c", "");
    put("f18/proj/src/b.c", "");
    put("f18/proj/include/a.h", "");
    put("f18/proj/lib/x/y.h", "");
    put("f18/one.c", "");
    cJSON_AddItemToArray(arr, entry_command(A("f18/proj"), "src/a.c", "ccache cc -I'inc dir' -DX=\"1 2\" -c src/a.c"));
    cJSON_AddItemToArray(arr, entry_arguments(A("f18/proj"), "src/zz.c", (const char *const[]){"cc", "zz.c", NULL}));
    write_db("f18/compile_commands.json", arr);
    o.compdb_dir = "f18";
    o.extra_args = extra;
    o.nextra = 1;
    fail_each_allocation(&o, CA_OK);

    o = opts(NULL, 0);
    o.compdb_dir = "f18";
    fail_each_allocation(&o, CA_OK);

    put("f18/bad.json", "[{\"directory\": \"/x\", \"file\": \"a.c\", \"command\": \"cc 'a\"}]");
    o.compdb_dir = "f18/bad.json";
    fail_each_allocation(&o, CA_ERR_CONFIG);

    put("f18/broken.json", "[{\"directory\": \"/x\",,}]");
    o.compdb_dir = "f18/broken.json";
    fail_each_allocation(&o, CA_ERR_PARSE);
}

static void test_fini_accepts_zeroed_structs(void **state)
{
    struct ca_input_list l;
    struct ca_inputs_error e;
    (void)state;
    memset(&l, 0, sizeof l);
    memset(&e, 0, sizeof e);
    ca_input_list_fini(&l);
    ca_inputs_error_fini(&e);
    ca_input_list_fini(NULL);
    ca_inputs_error_fini(NULL);
    ca_input_list_fini(&l); /* twice: fini leaves it zeroed */
}

static int setup(void **state)
{
    char *anchor = tu_write_temp("anchor", "");
    char *slash = strrchr(anchor, '/');
    (void)state;
    *slash = '\0';
    if (!getcwd(oldcwd, sizeof oldcwd) || chdir(anchor) != 0 || !getcwd(tmpdir, sizeof tmpdir)) {
        free(anchor);
        return -1;
    }
    free(anchor);
    unsetenv("CONCADVISE_PYTHON_INCLUDE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(oldcwd) != 0) return -1;
    tu_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directory_walk_finds_c_files_recursively_and_skips_hidden_git_and_build_dirs),
        cmocka_unit_test(test_explicit_file_is_taken_whatever_its_extension),
        cmocka_unit_test(test_symlink_loop_terminates_and_file_reached_twice_is_listed_once),
        cmocka_unit_test(test_missing_path_comes_back_with_missing_true),
        cmocka_unit_test(test_display_paths_are_joined_as_given),
        cmocka_unit_test(test_compdb_arguments_are_filtered_and_working_directory_comes_first),
        cmocka_unit_test(test_compdb_command_is_split_like_a_shell),
        cmocka_unit_test(test_compdb_is_discovered_in_a_parent_directory),
        cmocka_unit_test(test_compdb_is_discovered_in_build_subdirectory),
        cmocka_unit_test(test_p_to_a_json_file_without_paths_lists_every_entry),
        cmocka_unit_test(test_p_to_a_missing_database_is_a_config_error),
        cmocka_unit_test(test_malformed_compdb_reports_line_and_column),
        cmocka_unit_test(test_wrong_compdb_shape_reports_config_error_at_the_entry),
        cmocka_unit_test(test_unterminated_quote_in_command_is_a_config_error),
        cmocka_unit_test(test_file_not_in_database_gets_synthesised_include_flags),
        cmocka_unit_test(test_python_include_option_beats_environment_beats_system),
        cmocka_unit_test(test_header_directories_are_depth_limited_and_capped),
        cmocka_unit_test(test_extra_args_are_appended_to_database_and_synthesised_files),
        cmocka_unit_test(test_output_is_sorted_and_deterministic),
        cmocka_unit_test(test_allocation_failures_never_leak_or_crash),
        cmocka_unit_test(test_fini_accepts_zeroed_structs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
