/* test_config.c: .concadvise.json is found by walking up, read strictly (every error names
 * file:line:col and the key), its globs select inputs as documented, and severity overrides
 * change or remove diagnostics; allocation failures never leak (run under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
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
    tu_cleanup();
    return 0;
}

/* Parse `text` as /proj/.concadvise.json; returns the status, fills *c and *err. */
static enum ca_status parse(const char *text, struct ca_config *c, struct ca_config_error *err)
{
    ca_config_init(c);
    return ca_config_parse("/proj/.concadvise.json", text, strlen(text), c, err);
}

static void expect_error(const char *text, enum ca_status want, uint32_t line, uint32_t col, const char *needle)
{
    struct ca_config c;
    struct ca_config_error err;
    enum ca_status st = parse(text, &c, &err);
    if (st != want) fail_msg("status %d, expected %d for:\n%s", st, want, text);
    assert_string_equal(err.file, "/proj/.concadvise.json");
    if (err.line != line || err.col != col)
        fail_msg("error at %u:%u, expected %u:%u (%s)", err.line, err.col, line, col, err.message);
    if (!strstr(err.message, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.message, needle);
    assert_null(c.include); /* left empty */
    ca_config_error_fini(&err);
    ca_config_fini(&c);
}

/* ---- reading */

static void test_every_key_is_read_and_paths_resolve_against_the_config_directory(void **state)
{
    struct ca_config c;
    struct ca_config_error err;
    int sev;
    (void)state;
    assert_int_equal(parse("{\n"
                           "  \"include\": [\"src/**\"],\n"
                           "  \"exclude\": [\"src/vendor\", \"**/*_test.c\"],\n"
                           "  \"catalogs\": [\"tools/blocking.json\", \"/etc/concadvise/gil.json\"],\n"
                           "  \"severity\": {\"gil-cpu-loop-holds-gil\": \"off\", \"gil-blocking-io-held\": \"error\"},\n"
                           "  \"fail-on\": \"warning\",\n"
                           "  \"python-include\": \"py/include\",\n"
                           "  \"extra-args\": [\"-DNDEBUG\", \"-Iinclude\"]\n"
                           "}\n",
                           &c, &err),
                     CA_OK);
    assert_string_equal(c.dir, "/proj");
    assert_int_equal(c.ninclude, 1);
    assert_string_equal(c.include[0], "src/**");
    assert_int_equal(c.nexclude, 2);
    assert_string_equal(c.exclude[1], "**/*_test.c");
    assert_int_equal(c.ncatalogs, 2);
    assert_string_equal(c.catalogs[0], "/proj/tools/blocking.json");
    assert_string_equal(c.catalogs[1], "/etc/concadvise/gil.json");
    assert_int_equal(c.fail_on, CA_SEV_WARNING);
    assert_string_equal(c.python_include, "/proj/py/include");
    assert_int_equal(c.nextra, 2);
    assert_string_equal(c.extra_args[1], "-Iinclude"); /* verbatim */
    assert_true(ca_config_rule_severity(&c, "gil-cpu-loop-holds-gil", &sev));
    assert_int_equal(sev, CA_CONFIG_SEV_OFF);
    assert_true(ca_config_rule_severity(&c, "gil-blocking-io-held", &sev));
    assert_int_equal(sev, CA_SEV_ERROR);
    assert_false(ca_config_rule_severity(&c, "mt-thread-unsafe-call", &sev));
    assert_int_equal(ca_config_check_rules(&c, R, &err), CA_OK);
    ca_config_fini(&c);
    ca_config_fini(&c); /* twice is harmless */
}

static void test_an_empty_object_is_a_valid_config_that_changes_nothing(void **state)
{
    struct ca_config c;
    (void)state;
    assert_int_equal(parse("{}", &c, NULL), CA_OK);
    assert_int_equal(c.fail_on, CA_CONFIG_FAIL_UNSET);
    assert_null(c.python_include);
    assert_true(ca_config_selects(&c, "anything/at/all.c"));
    ca_config_fini(&c);
}

static void test_unknown_key_is_an_error_at_that_key(void **state)
{
    (void)state;
    expect_error("{\n  \"include\": [],\n  \"exlcude\": [\"x\"]\n}\n", CA_ERR_CONFIG, 3, 3, "unknown key \"exlcude\"");
    expect_error("{\"fail_on\": \"note\"}", CA_ERR_CONFIG, 1, 2, "expected one of: include, exclude, catalogs");
}

static void test_wrong_types_are_errors_at_the_value_naming_the_key(void **state)
{
    (void)state;
    expect_error("{\n  \"include\": \"src/**\"\n}", CA_ERR_CONFIG, 2, 14, "expected an array of strings for \"include\"");
    expect_error("{\"exclude\": [\"a\", 3]}", CA_ERR_CONFIG, 1, 19, "expected a string in \"exclude\", not a number");
    expect_error("{\"severity\": [\"off\"]}", CA_ERR_CONFIG, 1, 14, "expected an object");
    expect_error("{\"severity\": {\"gil-nested-release\": false}}", CA_ERR_CONFIG, 1, 37,
                 "expected a string for \"gil-nested-release\"");
    expect_error("{\"fail-on\": 1}", CA_ERR_CONFIG, 1, 13, "expected a string for \"fail-on\"");
    expect_error("{\"python-include\": \"\"}", CA_ERR_CONFIG, 1, 20, "must not be empty");
    expect_error("[]", CA_ERR_CONFIG, 1, 1, "expected an object at the top level");
}

static void test_bad_values_and_duplicates_are_errors(void **state)
{
    (void)state;
    expect_error("{\"severity\": {\"gil-nested-release\": \"fatal\"}}", CA_ERR_CONFIG, 1, 37,
                 "invalid severity \"fatal\" for \"gil-nested-release\" (expected one of: error, warning, note, off)");
    expect_error("{\"fail-on\": \"sometimes\"}", CA_ERR_CONFIG, 1, 13, "expected one of: error, warning, note, never");
    expect_error("{\"include\": [], \"include\": []}", CA_ERR_CONFIG, 1, 17, "duplicate key \"include\"");
    expect_error("{\"severity\": {\"a-b\": \"off\",\n \"a-b\": \"note\"}}", CA_ERR_CONFIG, 2, 2, "duplicate rule \"a-b\"");
}

static void test_malformed_json_is_a_parse_error_with_its_position(void **state)
{
    (void)state;
    expect_error("{\n  \"include\": [\"a\",]\n}\n", CA_ERR_PARSE, 2, 18, "trailing comma");
    expect_error("{\"include\": [\"a\"]", CA_ERR_PARSE, 1, 18, "unexpected end of file");
}

static void test_unknown_rule_ids_under_severity_are_errors_at_the_key(void **state)
{
    struct ca_config c;
    struct ca_config_error err;
    (void)state;
    assert_int_equal(parse("{\"severity\": {\n  \"gil-blocking-io-held\": \"note\",\n  \"gil-blocking-io\": \"off\"}}", &c, &err),
                     CA_OK);
    assert_int_equal(ca_config_check_rules(&c, R, &err), CA_ERR_CONFIG);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 3);
    assert_non_null(strstr(err.message, "unknown rule \"gil-blocking-io\""));
    ca_config_error_fini(&err);
    ca_config_fini(&c);
}

static void test_a_file_that_cannot_be_read_is_an_io_error_naming_it(void **state)
{
    struct ca_config c;
    struct ca_config_error err;
    (void)state;
    ca_config_init(&c);
    assert_int_equal(ca_config_load("/nonexistent/.concadvise.json", &c, &err), CA_ERR_IO);
    assert_string_equal(err.file, "/nonexistent/.concadvise.json");
    assert_int_equal(err.line, 0);
    assert_non_null(strstr(err.message, "cannot read"));
    ca_config_error_fini(&err);
    ca_config_fini(&c);
}

/* ---- discovery */

static void test_the_nearest_config_walking_up_from_a_file_is_found(void **state)
{
    char *dir = tu_write_temp("walk.marker", ""), *found = NULL, cwd[PATH_MAX];
    char path[PATH_MAX], real[PATH_MAX];
    (void)state;
    *strrchr(dir, '/') = '\0';
    snprintf(path, sizeof path, "%s/walk", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/walk/a", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/walk/a/b", dir);
    mkdir(path, 0700);
    free(tu_write_temp("walk/.concadvise.json", "{}"));
    /* walk/a/b/file.c: found in walk/ */
    snprintf(path, sizeof path, "%s/walk/a/b/file.c", dir);
    fclose(fopen(path, "w"));
    assert_int_equal(ca_config_find(path, &found), CA_OK);
    assert_non_null(found);
    snprintf(path, sizeof path, "%s/walk", dir);
    assert_non_null(realpath(path, real));
    strcat(real, "/.concadvise.json");
    assert_string_equal(found, real);
    ca_free(found);
    /* a path that does not exist starts at its nearest existing directory */
    snprintf(path, sizeof path, "%s/walk/a/b/new/unsaved.c", dir);
    assert_int_equal(ca_config_find(path, &found), CA_OK);
    assert_string_equal(found, real);
    ca_free(found);
    /* a nearer one wins */
    free(tu_write_temp("walk/a/.concadvise.json", "{}"));
    snprintf(path, sizeof path, "%s/walk/a/b/file.c", dir);
    assert_int_equal(ca_config_find(path, &found), CA_OK);
    assert_non_null(strstr(found, "/walk/a/.concadvise.json"));
    ca_free(found);
    /* NULL starts at the current directory */
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(path, sizeof path, "%s/walk/a/b", dir);
    assert_int_equal(chdir(path), 0);
    assert_int_equal(ca_config_find(NULL, &found), CA_OK);
    assert_non_null(strstr(found, "/walk/a/.concadvise.json"));
    ca_free(found);
    assert_int_equal(chdir(cwd), 0);
    free(dir);
}

static void test_no_config_anywhere_gives_null(void **state)
{
    char *found = (char *)"x";
    (void)state;
    assert_int_equal(ca_config_find("/", &found), CA_OK);
    if (found) assert_string_equal(found, "/.concadvise.json"); /* only if the machine has one */
    ca_free(found);
}

/* ---- globs and selection */

static void test_glob_stars_question_marks_and_classes(void **state)
{
    (void)state;
    assert_true(ca_config_glob_match("*.c", "a.c"));
    assert_false(ca_config_glob_match("*.c", "src/a.c"));
    assert_true(ca_config_glob_match("src/*.c", "src/a.c"));
    assert_false(ca_config_glob_match("src/*.c", "src/x/a.c"));
    assert_true(ca_config_glob_match("src/**", "src/x/y/a.c"));
    assert_true(ca_config_glob_match("src/**/a.c", "src/a.c"));
    assert_true(ca_config_glob_match("src/**/a.c", "src/x/y/a.c"));
    assert_false(ca_config_glob_match("src/**/a.c", "src/x/ya.c"));
    assert_true(ca_config_glob_match("**/test_*.c", "test_io.c"));
    assert_true(ca_config_glob_match("**/test_*.c", "a/b/test_io.c"));
    assert_true(ca_config_glob_match("mod?.c", "mod1.c"));
    assert_false(ca_config_glob_match("mod?.c", "mod/.c"));
    assert_true(ca_config_glob_match("mod[0-9].c", "mod7.c"));
    assert_false(ca_config_glob_match("mod[!0-9].c", "mod7.c"));
    assert_true(ca_config_glob_match("mod[!0-9].c", "modx.c"));
    assert_true(ca_config_glob_match("a\\*.c", "a*.c"));
    assert_false(ca_config_glob_match("a\\*.c", "ab.c"));
    assert_true(ca_config_glob_match("[oops", "[oops")); /* unclosed class: literal */
    assert_true(ca_config_glob_match("", ""));
    assert_false(ca_config_glob_match("", "a"));
}

static void test_exclude_wins_over_include_and_directories_exclude_their_files(void **state)
{
    struct ca_config c;
    (void)state;
    assert_int_equal(parse("{\"include\": [\"src/**\", \"tools/gen.c\"], \"exclude\": [\"src/vendor/\", \"*_test.c\"]}", &c,
                           NULL),
                     CA_OK);
    assert_true(ca_config_selects(&c, "src/a.c"));
    assert_true(ca_config_selects(&c, "./src/deep/b.c"));
    assert_true(ca_config_selects(&c, "tools/gen.c"));
    assert_false(ca_config_selects(&c, "tools/other.c"));       /* not included */
    assert_false(ca_config_selects(&c, "src/vendor/zlib/inflate.c")); /* directory excluded */
    assert_false(ca_config_selects(&c, "src/deep/io_test.c"));  /* no '/': any depth */
    assert_true(ca_config_selects(&c, "src/vendor.c"));
    ca_config_fini(&c);
    assert_true(ca_config_selects(NULL, "whatever.c"));
}

static void test_patterns_also_match_paths_relative_to_the_config_directory(void **state)
{
    struct ca_config c;
    char cwd[PATH_MAX], text[PATH_MAX + 64], *cfg;
    (void)state;
    assert_non_null(getcwd(cwd, sizeof cwd));
    /* the config lives in the cwd's parent: "<basename of cwd>/x.c" is how it sees ./x.c */
    cfg = strrchr(cwd, '/');
    assert_non_null(cfg);
    snprintf(text, sizeof text, "{\"exclude\": [\"%s/skip.c\"]}", cfg + 1);
    ca_config_init(&c);
    {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/../.concadvise.json", cwd);
        assert_int_equal(ca_config_parse(path, text, strlen(text), &c, NULL), CA_OK);
    }
    assert_false(ca_config_selects(&c, "skip.c"));
    assert_false(ca_config_selects(&c, "./skip.c"));
    {
        char abs[PATH_MAX + 16];
        snprintf(abs, sizeof abs, "%s/skip.c", cwd);
        assert_false(ca_config_selects(&c, abs));
    }
    assert_true(ca_config_selects(&c, "keep.c"));
    ca_config_fini(&c);
}

/* ---- severity overrides */

static void test_severity_overrides_change_and_off_removes_diagnostics(void **state)
{
    struct ca_config c;
    struct ca_results r;
    uint32_t removed = 99;
    static const struct ca_diagnostic d[] = {
        {"gil-blocking-io-held", CA_SEV_WARNING, "a.c", 3, 1, "m1", "f", NULL},
        {"gil-cpu-loop-holds-gil", CA_SEV_NOTE, "a.c", 4, 1, "m2", "f", NULL},
        {"mt-thread-unsafe-call", CA_SEV_WARNING, "a.c", 5, 1, "m3", "f", NULL},
        {"gil-cpu-loop-holds-gil", CA_SEV_NOTE, "b.c", 1, 1, "m4", "g", NULL},
    };
    (void)state;
    assert_int_equal(parse("{\"severity\": {\"gil-cpu-loop-holds-gil\": \"off\", \"gil-blocking-io-held\": \"error\"}}", &c,
                           NULL),
                     CA_OK);
    ca_results_init(&r);
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) assert_int_equal(ca_results_add_diag(&r, &d[i]), CA_OK);
    ca_config_apply_severity(&c, &r, &removed);
    assert_int_equal(removed, 2);
    assert_int_equal(r.ndiags, 2);
    assert_string_equal(r.diags[0].rule, "gil-blocking-io-held");
    assert_int_equal(r.diags[0].severity, CA_SEV_ERROR);
    assert_string_equal(r.diags[1].rule, "mt-thread-unsafe-call");
    assert_int_equal(r.diags[1].severity, CA_SEV_WARNING);
    ca_results_fini(&r);
    ca_config_fini(&c);
}

/* ---- allocation failures */

static void test_allocation_failures_never_leak(void **state)
{
    static const char text[] = "{\"include\": [\"src/**\"], \"exclude\": [\"x\"], \"catalogs\": [\"c.json\"],\n"
                               " \"severity\": {\"gil-nested-release\": \"note\"}, \"fail-on\": \"never\",\n"
                               " \"python-include\": \"/usr/include/python3.11\", \"extra-args\": [\"-DX\"]}";
    long n;
    (void)state;
    for (n = 1; n < 10000; n++) {
        struct ca_config c;
        struct ca_config_error err;
        enum ca_status st;
        ca_config_init(&c);
        ca_alloc_fail_after(n);
        st = ca_config_parse("/p/.concadvise.json", text, strlen(text), &c, &err);
        ca_alloc_fail_after(0);
        ca_config_error_fini(&err);
        if (st == CA_OK) {
            assert_int_equal(c.fail_on, CA_CONFIG_FAIL_NEVER);
            ca_config_fini(&c);
            break;
        }
        assert_int_equal(st, CA_ERR_NOMEM);
        ca_config_fini(&c);
    }
    assert_true(n > 3 && n < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_is_read_and_paths_resolve_against_the_config_directory),
        cmocka_unit_test(test_an_empty_object_is_a_valid_config_that_changes_nothing),
        cmocka_unit_test(test_unknown_key_is_an_error_at_that_key),
        cmocka_unit_test(test_wrong_types_are_errors_at_the_value_naming_the_key),
        cmocka_unit_test(test_bad_values_and_duplicates_are_errors),
        cmocka_unit_test(test_malformed_json_is_a_parse_error_with_its_position),
        cmocka_unit_test(test_unknown_rule_ids_under_severity_are_errors_at_the_key),
        cmocka_unit_test(test_a_file_that_cannot_be_read_is_an_io_error_naming_it),
        cmocka_unit_test(test_the_nearest_config_walking_up_from_a_file_is_found),
        cmocka_unit_test(test_no_config_anywhere_gives_null),
        cmocka_unit_test(test_glob_stars_question_marks_and_classes),
        cmocka_unit_test(test_exclude_wins_over_include_and_directories_exclude_their_files),
        cmocka_unit_test(test_patterns_also_match_paths_relative_to_the_config_directory),
        cmocka_unit_test(test_severity_overrides_change_and_off_removes_diagnostics),
        cmocka_unit_test(test_allocation_failures_never_leak),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
