/* ca_json.h: a small JSON reader that remembers where everything is, for the files users write
 * by hand (rule catalogs, .concadvise.json, baselines): every error must name the line and
 * column of the offending key or value, and cJSON keeps no positions.  It parses RFC 8259 text
 * into a read-only tree in an arena and says nothing about what the document means: each loader
 * checks its own schema on the tree.  It also quotes strings for writers.  No I/O, no printing.
 *
 * Deliberate limits: no "\u0000" in strings (values are C strings), at most CA_JSON_MAX_DEPTH
 * levels of nesting (a hostile file cannot blow the stack), numbers are kept as double.
 * Duplicate keys are kept, in document order; the schema code rejects them. */
#ifndef CA_JSON_H
#define CA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ca_base.h"

#define CA_JSON_MAX_DEPTH 64

enum ca_json_type { CA_JSON_NULL, CA_JSON_BOOL, CA_JSON_NUM, CA_JSON_STR, CA_JSON_ARR, CA_JSON_OBJ };

/* One value.  Arrays and objects hold their elements as a list in document order. */
struct ca_json {
    enum ca_json_type type;
    size_t off;           /* byte offset of the value's first character */
    const char *key;      /* object members: the decoded key */
    size_t key_off;       /* object members: offset of the key's opening quote */
    const char *str;      /* CA_JSON_STR: decoded, NUL-terminated */
    double num;           /* CA_JSON_NUM */
    bool b;               /* CA_JSON_BOOL */
    struct ca_json *child;/* CA_JSON_ARR, CA_JSON_OBJ: first element or member */
    struct ca_json *next; /* next sibling, document order */
};

/* Where and why a document is malformed (caller storage; no heap). */
struct ca_json_error {
    size_t off;
    char message[128]; /* e.g. "unexpected character '}' (expected a value)" */
};

/* Parse text[0..len) (one value surrounded by white space; a UTF-8 byte-order mark is skipped)
 * into a tree allocated in `arena`, which owns it.  Returns CA_OK, CA_ERR_PARSE with *err
 * filled (when err is not NULL), or CA_ERR_NOMEM.  Reentrant. */
CA_MUST_USE enum ca_status ca_json_parse(const char *text, size_t len, struct ca_arena *arena, struct ca_json **out,
                                         struct ca_json_error *err);

/* 1-based line and column of byte `off` of text; the column counts characters (UTF-8 lead
 * bytes), a byte-order mark is not counted. */
void ca_json_line_col(const char *text, size_t len, size_t off, uint32_t *line, uint32_t *col);

/* "null", "a boolean", "a number", "a string", "an array", "an object": for messages. */
const char *ca_json_type_name(enum ca_json_type t);

/* An integral number of sane size (|v| < 1e15), so that a cast to long long is defined. */
bool ca_json_is_int(const struct ca_json *v);

/* The member `key` of object `obj` (the first when duplicated), or NULL.  Borrowed. */
const struct ca_json *ca_json_find(const struct ca_json *obj, const char *key);

/* Append `s` as a JSON string: quoted, with '"', '\' and control characters escaped.
 * Bytes >= 0x80 are copied as they are (the caller passes UTF-8). */
void ca_json_put_str(struct ca_buf *b, const char *s);

#endif
