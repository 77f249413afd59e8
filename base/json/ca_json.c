/* ca_json.c: the positioned JSON reader (RFC 8259 text into a tree in an arena, remembering
 * the byte offset of every value and every object key) and a string quoter for writers.
 * Moved here from analyzer/rules.c so that the catalog, config and baseline loaders share it.
 * It does not check what a document means; see ca_json.h for the limits. */
#include "ca_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jreader {
    const char *s;
    size_t n, pos;
    struct ca_arena *arena;
    int depth;
    enum ca_status st; /* CA_OK, CA_ERR_PARSE or CA_ERR_NOMEM */
    size_t err_off;
    char err[128];
};

static bool jfail(struct jreader *p, size_t off, const char *fmt, ...) CA_PRINTF(3, 4);
static bool jfail(struct jreader *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    if (p->st != CA_OK) return false;
    p->st = CA_ERR_PARSE;
    p->err_off = off;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    return false;
}

static bool jnomem(struct jreader *p)
{
    p->st = CA_ERR_NOMEM;
    return false;
}

static bool at(const struct jreader *p, char c) { return p->pos < p->n && p->s[p->pos] == c; }

static void skip_ws(struct jreader *p)
{
    while (p->pos < p->n) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

/* "unexpected ..." at the current position, saying what was expected there. */
static bool unexpected(struct jreader *p, const char *what)
{
    unsigned char c;
    if (p->pos >= p->n) return jfail(p, p->pos, "unexpected end of file (expected %s)", what);
    c = (unsigned char)p->s[p->pos];
    if (c >= 0x20 && c < 0x7f) return jfail(p, p->pos, "unexpected character '%c' (expected %s)", c, what);
    return jfail(p, p->pos, "unexpected byte 0x%02x (expected %s)", c, what);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The four hex digits of a \uXXXX escape starting at s[i] (the backslash). */
static bool hex4(const struct jreader *p, size_t i, uint32_t *out)
{
    uint32_t v = 0;
    if (i + 6 > p->n || p->s[i] != '\\' || p->s[i + 1] != 'u') return false;
    for (size_t k = i + 2; k < i + 6; k++) {
        int h = hexval(p->s[k]);
        if (h < 0) return false;
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return true;
}

static size_t put_utf8(char *w, uint32_t cp)
{
    if (cp < 0x80) { w[0] = (char)cp; return 1; }
    if (cp < 0x800) {
        w[0] = (char)(0xC0 | cp >> 6);
        w[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (char)(0xE0 | cp >> 12);
        w[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        w[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (char)(0xF0 | cp >> 18);
    w[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    w[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    w[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* string = '"' chars '"'.  The first pass finds the closing quote, so the decoded text (never
 * longer than the raw text) gets one arena allocation. */
static bool parse_string(struct jreader *p, const char **out)
{
    size_t start = p->pos + 1, i = start;
    char *buf, *w;

    while (i < p->n && p->s[i] != '"') {
        if ((unsigned char)p->s[i] < 0x20)
            return jfail(p, i, "control character in a string (write it as an escape)");
        i += p->s[i] == '\\' ? 2 : 1;
    }
    if (i >= p->n) return jfail(p, p->pos, "unterminated string");
    buf = ca_arena_alloc(p->arena, i - start + 1);
    if (!buf) return jnomem(p);
    w = buf;
    for (i = start; p->s[i] != '"';) {
        uint32_t cp, lo;
        if (p->s[i] != '\\') {
            *w++ = p->s[i++];
            continue;
        }
        switch (p->s[i + 1]) {
        case '"': case '\\': case '/': *w++ = p->s[i + 1]; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u':
            if (!hex4(p, i, &cp)) return jfail(p, i, "invalid \\u escape (expected four hex digits)");
            if (cp >= 0xDC00 && cp <= 0xDFFF) return jfail(p, i, "unpaired surrogate in a \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (!hex4(p, i + 6, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return jfail(p, i, "unpaired surrogate in a \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            if (cp == 0) return jfail(p, i, "\\u0000 is not allowed in strings");
            w += put_utf8(w, cp);
            i += 6;
            continue;
        default:
            return jfail(p, i, "invalid escape in a string");
        }
        i += 2;
    }
    *w = '\0';
    p->pos = i + 1;
    *out = buf;
    return true;
}

static bool is_digit(const struct jreader *p, size_t i) { return i < p->n && p->s[i] >= '0' && p->s[i] <= '9'; }

/* number = '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool parse_number(struct jreader *p, double *out)
{
    size_t i = p->pos;
    char buf[64];

    if (i < p->n && p->s[i] == '-') i++;
    if (!is_digit(p, i)) return jfail(p, p->pos, "invalid number");
    if (p->s[i] == '0') i++;
    else while (is_digit(p, i)) i++;
    if (i < p->n && p->s[i] == '.') {
        if (!is_digit(p, ++i)) return jfail(p, p->pos, "invalid number (expected a digit after '.')");
        while (is_digit(p, i)) i++;
    }
    if (i < p->n && (p->s[i] == 'e' || p->s[i] == 'E')) {
        i++;
        if (i < p->n && (p->s[i] == '+' || p->s[i] == '-')) i++;
        if (!is_digit(p, i)) return jfail(p, p->pos, "invalid number (expected a digit in the exponent)");
        while (is_digit(p, i)) i++;
    }
    if (i - p->pos >= sizeof buf) return jfail(p, p->pos, "number too long");
    memcpy(buf, p->s + p->pos, i - p->pos);
    buf[i - p->pos] = '\0';
    *out = strtod(buf, NULL);
    p->pos = i;
    return true;
}

static bool parse_value(struct jreader *p, struct ca_json *v);

static struct ca_json *new_node(struct jreader *p)
{
    struct ca_json *n = ca_arena_alloc(p->arena, sizeof *n);
    if (!n) jnomem(p);
    return n;
}

/* array = '[' (value (',' value)*)? ']' */
static bool parse_array(struct jreader *p, struct ca_json *v)
{
    struct ca_json **tail = &v->child;
    v->type = CA_JSON_ARR;
    p->pos++;
    skip_ws(p);
    if (at(p, ']')) {
        p->pos++;
        return true;
    }
    for (;;) {
        struct ca_json *e = new_node(p);
        size_t comma;
        if (!e || !parse_value(p, e)) return false;
        *tail = e;
        tail = &e->next;
        skip_ws(p);
        if (at(p, ']')) break;
        if (!at(p, ',')) return unexpected(p, "',' or ']'");
        comma = p->pos++;
        skip_ws(p);
        if (at(p, ']')) return jfail(p, comma, "trailing comma before ']'");
    }
    p->pos++;
    return true;
}

/* object = '{' (string ':' value (',' string ':' value)*)? '}' */
static bool parse_object(struct jreader *p, struct ca_json *v)
{
    struct ca_json **tail = &v->child;
    v->type = CA_JSON_OBJ;
    p->pos++;
    skip_ws(p);
    if (at(p, '}')) {
        p->pos++;
        return true;
    }
    for (;;) {
        struct ca_json *m;
        size_t comma;
        if (!at(p, '"')) return unexpected(p, "a string key");
        if (!(m = new_node(p))) return false;
        m->key_off = p->pos;
        if (!parse_string(p, &m->key)) return false;
        skip_ws(p);
        if (!at(p, ':')) return unexpected(p, "':'");
        p->pos++;
        if (!parse_value(p, m)) return false;
        *tail = m;
        tail = &m->next;
        skip_ws(p);
        if (at(p, '}')) break;
        if (!at(p, ',')) return unexpected(p, "',' or '}'");
        comma = p->pos++;
        skip_ws(p);
        if (at(p, '}')) return jfail(p, comma, "trailing comma before '}'");
    }
    p->pos++;
    return true;
}

static bool literal(struct jreader *p, const char *word, struct ca_json *v, enum ca_json_type t, bool b)
{
    size_t n = strlen(word);
    if (p->n - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return unexpected(p, "a value");
    p->pos += n;
    v->type = t;
    v->b = b;
    return true;
}

static bool parse_value(struct jreader *p, struct ca_json *v)
{
    bool ok;
    skip_ws(p);
    v->off = p->pos;
    if (p->pos >= p->n) return unexpected(p, "a value");
    switch (p->s[p->pos]) {
    case '{':
    case '[':
        if (++p->depth > CA_JSON_MAX_DEPTH) return jfail(p, p->pos, "nesting deeper than %d levels", CA_JSON_MAX_DEPTH);
        ok = p->s[p->pos] == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
        return ok;
    case '"':
        v->type = CA_JSON_STR;
        return parse_string(p, &v->str);
    case 't': return literal(p, "true", v, CA_JSON_BOOL, true);
    case 'f': return literal(p, "false", v, CA_JSON_BOOL, false);
    case 'n': return literal(p, "null", v, CA_JSON_NULL, false);
    default:
        if (p->s[p->pos] == '-' || (p->s[p->pos] >= '0' && p->s[p->pos] <= '9')) {
            v->type = CA_JSON_NUM;
            return parse_number(p, &v->num);
        }
        return unexpected(p, "a value");
    }
}

/* Parse a whole document: one value, surrounded by white space. */
static enum ca_status parse_document(struct jreader *p, struct ca_json **out)
{
    struct ca_json *root = new_node(p);
    if (!root) return p->st;
    if (p->n >= 3 && memcmp(p->s, "\xEF\xBB\xBF", 3) == 0) p->pos = 3;
    if (!parse_value(p, root)) return p->st;
    skip_ws(p);
    if (p->pos < p->n) {
        jfail(p, p->pos, "unexpected text after the JSON value");
        return p->st;
    }
    *out = root;
    return CA_OK;
}

enum ca_status ca_json_parse(const char *text, size_t len, struct ca_arena *arena, struct ca_json **out,
                             struct ca_json_error *err)
{
    struct jreader p;
    enum ca_status st;
    memset(&p, 0, sizeof p);
    p.s = text;
    p.n = len;
    p.arena = arena;
    *out = NULL;
    st = parse_document(&p, out);
    if (st == CA_ERR_PARSE && err) {
        err->off = p.err_off;
        memcpy(err->message, p.err, sizeof err->message);
    }
    return st;
}

void ca_json_line_col(const char *s, size_t n, size_t off, uint32_t *line, uint32_t *col)
{
    uint32_t l = 1, c = 1;
    size_t i = n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (; i < off && i < n; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

const char *ca_json_type_name(enum ca_json_type t)
{
    switch (t) {
    case CA_JSON_NULL: return "null";
    case CA_JSON_BOOL: return "a boolean";
    case CA_JSON_NUM: return "a number";
    case CA_JSON_STR: return "a string";
    case CA_JSON_ARR: return "an array";
    case CA_JSON_OBJ: return "an object";
    }
    return "a value";
}

bool ca_json_is_int(const struct ca_json *v)
{
    return v->type == CA_JSON_NUM && v->num > -1e15 && v->num < 1e15 && v->num == (double)(long long)v->num;
}

const struct ca_json *ca_json_find(const struct ca_json *obj, const char *key)
{
    if (!obj || obj->type != CA_JSON_OBJ) return NULL;
    for (const struct ca_json *m = obj->child; m; m = m->next)
        if (strcmp(m->key, key) == 0) return m;
    return NULL;
}

void ca_json_put_str(struct ca_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    ca_buf_putc(b, '"');
    for (; *s; s++) {
        switch (*s) {
        case '"': ca_buf_puts(b, "\\\""); break;
        case '\\': ca_buf_puts(b, "\\\\"); break;
        case '\n': ca_buf_puts(b, "\\n"); break;
        case '\r': ca_buf_puts(b, "\\r"); break;
        case '\t': ca_buf_puts(b, "\\t"); break;
        default:
            if (*s < 0x20 || *s == 0x7F) ca_buf_printf(b, "\\u%04x", (unsigned)*s);
            else ca_buf_putc(b, (char)*s);
        }
    }
    ca_buf_putc(b, '"');
}
