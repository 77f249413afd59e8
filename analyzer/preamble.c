/* preamble.c: ca_preamble_len and ca_preamble_key (contract in preamble.h).  One small scanner
 * over the beginning of a C file that knows what translation phases 1-3 do to it (line splices,
 * comments, string and character literals) and the names of the directives it accepts; it stops
 * at the first thing that is not part of a preamble, and can write down, as it goes, the tokens
 * the preprocessor will see (the key).  It does not evaluate #if conditions or expand macros: the
 * text of the precompiled header and the file's are the same directives, so whatever those
 * conditions mean, they mean the same in both. */
#include "preamble.h"

#include <stdbool.h>
#include <string.h>

struct scan {
    const char *s;
    size_t n, i;
    bool bad;   /* something that disqualifies the text was seen */
    char *out;  /* the key, when wanted (NULL: not written) */
    size_t nout;
    bool space; /* white space (or a comment) was skipped since the last character written */
};

/* The character at the cursor after any line splices (backslash, newline), or -1 at the end. */
static int peek(struct scan *c)
{
    for (;;) {
        if (c->i + 1 < c->n && c->s[c->i] == '\\' && c->s[c->i + 1] == '\n')
            c->i += 2;
        else if (c->i + 2 < c->n && c->s[c->i] == '\\' && c->s[c->i + 1] == '\r' && c->s[c->i + 2] == '\n')
            c->i += 3;
        else
            break;
    }
    if (c->i >= c->n) return -1;
    if (c->s[c->i] == '\0') c->bad = true;
    if (c->s[c->i] == '\r' && !(c->i + 1 < c->n && c->s[c->i + 1] == '\n')) c->bad = true;
    return (unsigned char)c->s[c->i];
}

/* The character after the one at the cursor, splices skipped, or -1. */
static int peek2(struct scan *c)
{
    struct scan t = *c;
    if (peek(&t) < 0) return -1;
    t.i++;
    return peek(&t);
}

static void next(struct scan *c)
{
    if (peek(c) >= 0) c->i++;
}

/* Write `ch` to the key, after one space if white space came before it. */
static void emit(struct scan *c, int ch)
{
    if (!c->out) return;
    if (c->space) c->out[c->nout++] = ' ';
    c->space = false;
    c->out[c->nout++] = (char)ch;
}

/* The character at the cursor, written to the key, and the cursor past it. */
static void take(struct scan *c)
{
    int ch = peek(c);
    if (ch < 0) return;
    emit(c, ch);
    c->i++;
}

static bool hspace(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool ident_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* A block comment at the cursor (after its slash-star): skipped to its end.  False when it is
 * not closed, or when it spans a line break and `one_line` asks it not to. */
static bool block_comment(struct scan *c, bool one_line)
{
    int ch;
    while ((ch = peek(c)) >= 0) {
        if (ch == '*' && peek2(c) == '/') {
            next(c);
            next(c);
            return true;
        }
        if (ch == '\n' && one_line) return false;
        next(c);
    }
    return false;
}

/* Skip white space and comments (c->space records that there were some).  `lines`: line breaks
 * too (between directives); otherwise the cursor stops at a line break (inside a directive),
 * and a block comment may still span lines unless `one_line`.  False on an unclosed comment. */
static bool skip_space(struct scan *c, bool lines, bool one_line)
{
    int ch;
    while ((ch = peek(c)) >= 0) {
        if (hspace(ch) || (lines && ch == '\n')) {
            next(c);
        } else if (ch == '/' && peek2(c) == '*') {
            next(c);
            next(c);
            if (!block_comment(c, one_line)) return false;
        } else if (ch == '/' && peek2(c) == '/') {
            while ((ch = peek(c)) >= 0 && ch != '\n') next(c);
        } else {
            break;
        }
        c->space = true;
    }
    return true;
}

/* An identifier at the cursor, written to the key, and copied into buf (truncated; "" when there
 * is none). */
static void ident(struct scan *c, char *buf, size_t size)
{
    size_t k = 0;
    int ch;
    while ((ch = peek(c)) >= 0 && ident_char(ch)) {
        if (k + 1 < size) buf[k++] = (char)ch;
        take(c);
    }
    buf[k] = '\0';
}

/* The rest of a directive, up to (not including) the line break that ends it.  `cond`: the
 * directive is #if or #elif, whose condition may not use __has_include. */
static bool directive_rest(struct scan *c, bool cond)
{
    char word[32];
    int ch, quote;
    for (;;) {
        if (!skip_space(c, false, false)) return false;
        ch = peek(c);
        if (ch < 0 || ch == '\n') return !c->bad;
        if (ch == '"' || ch == '\'') {
            quote = ch;
            take(c);
            while ((ch = peek(c)) >= 0 && ch != quote && ch != '\n') {
                take(c);
                if (ch == '\\' && peek(c) != '\n') take(c);
            }
            if (ch == quote) take(c);
        } else if (ident_char(ch)) {
            ident(c, word, sizeof word);
            if (cond && strncmp(word, "__has_include", 13) == 0) return false;
        } else {
            take(c);
        }
    }
}

/* #include at the cursor (after the word): true when it names Python.h and nothing but white
 * space and comments follow on its line.  Key: one space, then the header name as written. */
static bool python_include(struct scan *c)
{
    static const char name[] = "Python.h";
    int open, close, ch;
    size_t k = 0;
    if (!skip_space(c, false, true)) return false;
    open = peek(c);
    if (open != '<' && open != '"') return false;
    close = open == '<' ? '>' : '"';
    c->space = true;
    take(c);
    while ((ch = peek(c)) >= 0 && ch != close && ch != '\n') {
        if (k >= sizeof name - 1 || ch != name[k]) return false;
        k++;
        take(c);
    }
    if (ch != close || k != sizeof name - 1) return false;
    take(c);
    if (!skip_space(c, false, true)) return false;
    ch = peek(c);
    return !c->bad && (ch < 0 || ch == '\n');
}

/* The preamble's length, 0 when there is none; its key in c->out when c->out is set. */
static size_t scan(struct scan *c)
{
    char word[16];
    int depth = 0, ch;
    bool cond;
    for (;;) {
        if (!skip_space(c, true, false) || c->bad) return 0;
        c->space = false;
        if (peek(c) != '#') return 0; /* code, or the end without Python.h */
        take(c);
        if (!skip_space(c, false, false)) return 0;
        c->space = false;
        ident(c, word, sizeof word);
        cond = strcmp(word, "if") == 0 || strcmp(word, "elif") == 0;
        if (strcmp(word, "include") == 0) {
            if (depth != 0 || !python_include(c)) return 0;
            ch = peek(c);
            if (ch == '\n') next(c);
            c->space = false;
            emit(c, '\n');
            return c->i;
        }
        if (strcmp(word, "if") == 0 || strcmp(word, "ifdef") == 0 || strcmp(word, "ifndef") == 0) {
            depth++;
        } else if (strcmp(word, "elif") == 0 || strcmp(word, "else") == 0) {
            if (depth == 0) return 0;
        } else if (strcmp(word, "endif") == 0) {
            if (depth-- == 0) return 0;
        } else if (strcmp(word, "define") != 0 && strcmp(word, "undef") != 0) {
            return 0; /* #pragma, #line, #error, a null directive, ... */
        }
        if (!directive_rest(c, cond)) return 0;
        c->space = false;
        emit(c, '\n');
    }
}

size_t ca_preamble_len(const char *text, size_t len)
{
    struct scan c;
    if (!text) return 0;
    memset(&c, 0, sizeof c);
    c.s = text;
    c.n = len;
    return scan(&c);
}

size_t ca_preamble_key(const char *text, size_t len, char *out)
{
    struct scan c;
    if (!text || !out) return 0;
    memset(&c, 0, sizeof c);
    c.s = text;
    c.n = len;
    c.out = out;
    if (scan(&c) != len || len == 0) return 0;
    out[c.nout] = '\0';
    return c.nout;
}
