/* test_json.c: the positioned JSON reader of base/json (its error messages and limits are
 * exercised through the catalog loader in test_rules.c): positions of keys and values, look-up
 * of members, and the string quoting used by writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ca_json.h"

static void test_values_and_keys_carry_their_offsets(void **state)
{
    static const char text[] = "\xEF\xBB\xBF{\n  \"a\": [1, true],\n  \"b\": {\"c\": null}\n}\n";
    struct ca_arena a;
    struct ca_json *root;
    const struct ca_json *m;
    uint32_t line, col;
    (void)state;
    ca_arena_init(&a);
    assert_int_equal(ca_json_parse(text, strlen(text), &a, &root, NULL), CA_OK);
    assert_int_equal(root->type, CA_JSON_OBJ);
    m = ca_json_find(root, "b");
    assert_non_null(m);
    ca_json_line_col(text, strlen(text), m->key_off, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    ca_json_line_col(text, strlen(text), m->off, &line, &col);
    assert_int_equal(col, 8);
    assert_int_equal(ca_json_find(m, "c")->type, CA_JSON_NULL);
    assert_null(ca_json_find(root, "z"));
    assert_null(ca_json_find(ca_json_find(root, "a"), "x")); /* not an object */
    assert_true(ca_json_is_int(ca_json_find(root, "a")->child));
    assert_string_equal(ca_json_type_name(ca_json_find(root, "a")->child->next->type), "a boolean");
    ca_arena_fini(&a);
}

static void test_errors_give_an_offset_and_a_message(void **state)
{
    static const char text[] = "{\"a\": 1,}";
    struct ca_arena a;
    struct ca_json *root;
    struct ca_json_error err;
    (void)state;
    ca_arena_init(&a);
    assert_int_equal(ca_json_parse(text, strlen(text), &a, &root, &err), CA_ERR_PARSE);
    assert_null(root);
    assert_int_equal(err.off, 7);
    assert_string_equal(err.message, "trailing comma before '}'");
    ca_arena_fini(&a);
}

static void test_strings_are_quoted_for_writers(void **state)
{
    struct ca_buf b;
    (void)state;
    ca_buf_init(&b);
    ca_json_put_str(&b, "a\"b\\c\nd\x01 caf\xc3\xa9");
    ca_json_put_str(&b, NULL);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\u0001 caf\xc3\xa9\"\"\"");
    ca_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_and_keys_carry_their_offsets),
        cmocka_unit_test(test_errors_give_an_offset_and_a_message),
        cmocka_unit_test(test_strings_are_quoted_for_writers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
