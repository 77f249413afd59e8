/* test_preamble.c: finding the precompilable preamble of a file (up to #include <Python.h>) in
 * its text, and its key.  Pure text: no clang, no files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "preamble.h"

/* The preamble length of a NUL-terminated text. */
static size_t plen(const char *text)
{
    return ca_preamble_len(text, strlen(text));
}

/* `pre` is a whole preamble, and `pre` followed by `rest` has exactly that preamble. */
static void preamble_is(const char *pre, const char *rest)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", pre, rest);
    if (plen(buf) != strlen(pre))
        fail_msg("preamble of\n%s\nis %zu bytes, expected %zu", buf, plen(buf), strlen(pre));
}

static void none(const char *text)
{
    if (plen(text) != 0) fail_msg("unexpected preamble of %zu bytes in\n%s", plen(text), text);
}

/* The key of the whole text, as a string ("" when it is not one preamble). */
static const char *key(const char *text, char *out, size_t size)
{
    size_t n = strlen(text);
    assert_true(size >= n + 3);
    if (!ca_preamble_key(text, n, out)) out[0] = '\0';
    return out;
}

static void test_preamble_ends_with_the_line_that_includes_python_h(void **state)
{
    preamble_is("#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n", "#include <stdio.h>\nint x;\n");
    preamble_is("#include \"Python.h\"\n", "\nstatic int f(void) { return 0; }\n");
    preamble_is("#include <Python.h>\n", "");
    (void)state;
}

static void test_cpython_modules_build_core_block_is_a_preamble(void **state)
{
    preamble_is("#ifndef Py_BUILD_CORE_BUILTIN\n"
                "#  define Py_BUILD_CORE_MODULE 1\n"
                "#endif\n"
                "\n"
                "#include \"Python.h\"\n",
                "#include \"pycore_moduleobject.h\"\n");
    preamble_is("#if defined(A) && A > 1\n#undef B\n#elif defined(C)\n#define D\n#else\n#endif\n"
                "#include <Python.h>\n", "int x;\n");
    (void)state;
}

static void test_any_spacing_and_a_trailing_comment_are_allowed_on_the_include_line(void **state)
{
    preamble_is("# include <Python.h>\n", "int x;\n");
    preamble_is("#include<Python.h>\n", "int x;\n");
    preamble_is("   #   include   \"Python.h\"   \n", "int x;\n");
    preamble_is("\t#include <Python.h> /* the C-API */ // and more\n", "int x;\n");
    preamble_is("#/* odd */include <Python.h>\n", "int x;\n");
    (void)state;
}

static void test_comments_and_blank_lines_before_it_belong_to_it(void **state)
{
    preamble_is("/* module.c: a module.\n"
                " * Two lines of doc. */\n"
                "\n"
                "// a line comment\n"
                "   \n"
                "/* one */ /* two */ #define PY_SSIZE_T_CLEAN /* after */\n"
                "#define MULTI 1 /* a comment that\n"
                "                   spans lines inside a directive */\n"
                "#include <Python.h>\n",
                "int x;\n");
    (void)state;
}

static void test_crlf_line_endings(void **state)
{
    preamble_is("/* doc */\r\n#define PY_SSIZE_T_CLEAN\r\n#include <Python.h>\r\n", "int x;\r\n");
    preamble_is("#define A \\\r\n  1\r\n#include \"Python.h\"\r\n", "int x;\r\n");
    (void)state;
}

static void test_continuation_lines_join_a_directive(void **state)
{
    preamble_is("#define LONG(a, b) \\\n    ((a) + \\\n     (b))\n#include <Python.h>\n", "int x;\n");
    preamble_is("#def\\\nine SPLIT 1\n#include <Pyth\\\non.h>\n", "int x;\n");
    /* a // comment ending in a backslash swallows the next line, whatever it holds */
    preamble_is("// comment \\\nint x;\n#include <Python.h>\n", "int y;\n");
    preamble_is("// comment \\\n#include <stdio.h>\n#include <Python.h>\n", "int x;\n");
    (void)state;
}

static void test_an_include_in_a_comment_or_a_string_is_not_the_include(void **state)
{
    none("/* #include <Python.h> */\nint x;\n");
    none("// #include <Python.h>\nint x;\n");
    preamble_is("// #include <Python.h>\n#include <Python.h>\n", "int x;\n");
    preamble_is("#define S \"/* not a comment\"\n#define C '\"'\n#include <Python.h>\n", "int x;\n");
    (void)state;
}

static void test_python_h_inside_a_conditional_has_no_preamble(void **state)
{
    none("#ifdef HAVE_PYTHON\n#include \"Python.h\"\n#endif\n");
    none("#if 1\n#include <Python.h>\n#endif\n");
    none("#ifndef X\n#else\n#include <Python.h>\n#endif\n");
    (void)state;
}

static void test_unbalanced_conditionals_have_no_preamble(void **state)
{
    none("#endif\n#include <Python.h>\n");
    none("#else\n#include <Python.h>\n");
    none("#elif X\n#include <Python.h>\n");
    none("#if A\n#endif\n#endif\n#include <Python.h>\n");
    (void)state;
}

static void test_an_earlier_include_has_no_preamble(void **state)
{
    none("#include \"pythoncapi_compat.h\"\n#include <Python.h>\n");
    none("#include <stdio.h>\n#include <Python.h>\n");
    none("#ifdef _WIN32\n#include <windows.h>\n#endif\n#include <Python.h>\n");
    (void)state;
}

static void test_code_or_other_directives_first_have_no_preamble(void **state)
{
    none("int x;\n#include <Python.h>\n");
    none("#pragma once\n#include <Python.h>\n");
    none("#line 10\n#include <Python.h>\n");
    none("#error no\n#include <Python.h>\n");
    none("#\n#include <Python.h>\n");
    none("#include_next <Python.h>\n");
    none("#import <Python.h>\n");
    none("#define X 1 /* spans\n */ int y;\nint z;\n"); /* the comment joins the lines: no include */
    (void)state;
}

static void test_other_header_names_are_not_python_h(void **state)
{
    none("#include <python3.11/Python.h>\n");
    none("#include <python.h>\n");
    none("#include <Python.hh>\n");
    none("#include <Python.h\n");
    none("#include \"Python.h>\n");
    none("#include PYTHON_HEADER\n");
    none("#include < Python.h>\n");
    (void)state;
}

static void test_file_that_never_includes_python_h_has_no_preamble(void **state)
{
    none("");
    none("\n\n");
    none("/* only a comment */\n");
    none("#define X 1\n");
    none("#include <stdio.h>\nint main(void) { return 0; }\n");
    assert_int_equal(ca_preamble_len(NULL, 0), 0);
    (void)state;
}

static void test_no_newline_at_the_end_of_the_file(void **state)
{
    preamble_is("#define PY_SSIZE_T_CLEAN\n#include <Python.h>", "");
    preamble_is("#include <Python.h> // last", "");
    assert_int_equal(ca_preamble_len("#include <Python.h>\nint x;", 20), 20);
    /* the length given is what counts, not a NUL */
    assert_int_equal(ca_preamble_len("#include <Python.h>\n", 12), 0);
    (void)state;
}

static void test_has_include_in_a_condition_has_no_preamble(void **state)
{
    /* it would look next to the precompiled header, not next to the file */
    none("#if __has_include(\"config.h\")\n#define HAVE_CONFIG 1\n#endif\n#include <Python.h>\n");
    none("#if 0\n#elif __has_include_next(<x.h>)\n#endif\n#include <Python.h>\n");
    /* a macro that uses it is expanded later, in the file */
    preamble_is("#define HAS_CONFIG __has_include(\"config.h\")\n#include <Python.h>\n", "int x;\n");
    (void)state;
}

static void test_a_block_comment_running_past_the_include_line_has_no_preamble(void **state)
{
    none("#include <Python.h> /* starts here\n and ends here */\nint x;\n");
    none("#include /* a\n */ <Python.h>\n");
    none("/* never closed\n#include <Python.h>\n");
    (void)state;
}

static void test_lone_carriage_returns_and_nul_bytes_have_no_preamble(void **state)
{
    none("#define A 1\r#include <Python.h>\r");
    assert_int_equal(ca_preamble_len("#define A\0 1\n#include <Python.h>\n", 33), 0);
    (void)state;
}

static void test_preambles_that_differ_in_comments_and_spacing_have_one_key(void **state)
{
    char a[256], b[256], c[256];
    assert_string_equal(key("/* doc of a.c */\n#define PY_SSIZE_T_CLEAN\n\n#include <Python.h>\n", a, sizeof a),
                        "#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n");
    assert_string_equal(key("// b.c\r\n  #  define   PY_SSIZE_T_CLEAN  /* x */\r\n#include<Python.h>", b, sizeof b), a);
    assert_string_equal(key("#ifndef Py_BUILD_CORE_BUILTIN\n#  define Py_BUILD_CORE_MODULE 1\n#endif\n\n"
                            "#include \"Python.h\"\n", c, sizeof c),
                        "#ifndef Py_BUILD_CORE_BUILTIN\n#define Py_BUILD_CORE_MODULE 1\n#endif\n#include \"Python.h\"\n");
    assert_string_equal(key("#define A(x) \\\n  ((x) +/* c */1)\n#include <Python.h>\n", c, sizeof c),
                        "#define A(x) ((x) + 1)\n#include <Python.h>\n");
    (void)state;
}

static void test_keys_keep_what_the_preprocessor_tells_apart(void **state)
{
    char a[256], b[256];
    /* a function-like macro and an object-like one */
    assert_string_not_equal(key("#define F(x) x\n#include <Python.h>\n", a, sizeof a),
                            key("#define F (x) x\n#include <Python.h>\n", b, sizeof b));
    /* tokens glued or apart */
    assert_string_not_equal(key("#define G a+b\n#include <Python.h>\n", a, sizeof a),
                            key("#define G a + b\n#include <Python.h>\n", b, sizeof b));
    /* a string literal as written */
    assert_string_not_equal(key("#define S \"a  b\"\n#include <Python.h>\n", a, sizeof a),
                            key("#define S \"a b\"\n#include <Python.h>\n", b, sizeof b));
    assert_string_equal(a, "#define S \"a  b\"\n#include <Python.h>\n");
    /* where the header is looked for first */
    assert_string_not_equal(key("#include <Python.h>\n", a, sizeof a), key("#include \"Python.h\"\n", b, sizeof b));
    (void)state;
}

static void test_key_of_text_that_is_not_exactly_one_preamble_is_empty(void **state)
{
    char a[256];
    assert_string_equal(key("#include <Python.h>\nint x;\n", a, sizeof a), "");
    assert_string_equal(key("#include <stdio.h>\n", a, sizeof a), "");
    assert_string_equal(key("", a, sizeof a), "");
    assert_int_equal(ca_preamble_key("#include <Python.h>\n", 20, NULL), 0);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_preamble_ends_with_the_line_that_includes_python_h),
        cmocka_unit_test(test_cpython_modules_build_core_block_is_a_preamble),
        cmocka_unit_test(test_any_spacing_and_a_trailing_comment_are_allowed_on_the_include_line),
        cmocka_unit_test(test_comments_and_blank_lines_before_it_belong_to_it),
        cmocka_unit_test(test_crlf_line_endings),
        cmocka_unit_test(test_continuation_lines_join_a_directive),
        cmocka_unit_test(test_an_include_in_a_comment_or_a_string_is_not_the_include),
        cmocka_unit_test(test_python_h_inside_a_conditional_has_no_preamble),
        cmocka_unit_test(test_unbalanced_conditionals_have_no_preamble),
        cmocka_unit_test(test_an_earlier_include_has_no_preamble),
        cmocka_unit_test(test_code_or_other_directives_first_have_no_preamble),
        cmocka_unit_test(test_other_header_names_are_not_python_h),
        cmocka_unit_test(test_file_that_never_includes_python_h_has_no_preamble),
        cmocka_unit_test(test_no_newline_at_the_end_of_the_file),
        cmocka_unit_test(test_has_include_in_a_condition_has_no_preamble),
        cmocka_unit_test(test_a_block_comment_running_past_the_include_line_has_no_preamble),
        cmocka_unit_test(test_lone_carriage_returns_and_nul_bytes_have_no_preamble),
        cmocka_unit_test(test_preambles_that_differ_in_comments_and_spacing_have_one_key),
        cmocka_unit_test(test_keys_keep_what_the_preprocessor_tells_apart),
        cmocka_unit_test(test_key_of_text_that_is_not_exactly_one_preamble_is_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
