/* suppress.c: finds "concadvise: ignore[...]" comments in source text with a small C lexer
 * (comments, string and character literals; nothing else matters here), removes the findings
 * they cover from the results, and turns unused or invalid suppressions into diagnostics.
 * Does not read files or print. */
#include "suppress.h"

#include <string.h>

#define TAG "concadvise:"

void ca_suppressions_init(struct ca_suppressions *s)
{
    memset(s, 0, sizeof *s);
    ca_arena_init(&s->arena);
}

void ca_suppressions_fini(struct ca_suppressions *s)
{
    if (!s) return;
    ca_free(s->v);
    ca_arena_fini(&s->arena);
    memset(s, 0, sizeof *s);
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static bool is_id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

/* The reason: the rest of the comment with every run of white space (and the " * " that starts
 * the continuation lines of a block comment) folded into one space, without a leading ':' or
 * '-' separator.  NULL when nothing is left. */
static const char *fold_reason(struct ca_arena *a, const char *p, const char *end, bool *nomem)
{
    char *out, *w;
    while (p < end && (is_space(*p) || *p == ':' || *p == '-')) p++;
    if (p >= end) return NULL;
    if (!(out = ca_arena_alloc(a, (size_t)(end - p) + 1))) {
        *nomem = true;
        return NULL;
    }
    w = out;
    while (p < end) {
        if (is_space(*p)) {
            bool newline = false;
            while (p < end && is_space(*p)) newline |= *p++ == '\n';
            if (newline)
                while (p < end && (*p == '*' || is_space(*p))) p++;
            if (p < end) *w++ = ' ';
            continue;
        }
        *w++ = *p++;
    }
    *w = '\0';
    return out;
}

/* concadvise-suppression = "concadvise:" ws "ignore" ws? "[" id ("," id)* "]" reason?
 * over the comment text [p, end).  `col` is the column of p.  Appends a record when the text is
 * a suppression (well-formed or not); text that merely starts with "concadvise:" and no
 * "ignore" or "[" is someone's prose and is left alone. */
static enum ca_status parse_comment(struct ca_suppressions *s, const char *file, const char *p, const char *end,
                                    uint32_t line, uint32_t col, uint32_t end_line, bool report)
{
    struct ca_suppression rec;
    const char *q, *word;
    const char *ids[32];
    size_t idlen[32];
    uint32_t nids = 0;
    bool nomem = false;
    enum ca_status st;

    /* leading decoration of doc comments: extra stars, slashes or a bang */
    while (p < end && (*p == '*' || *p == '/' || *p == '!')) {
        p++;
        col++;
    }
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
        col++;
    }
    if ((size_t)(end - p) < strlen(TAG) || memcmp(p, TAG, strlen(TAG)) != 0) return CA_OK;
    memset(&rec, 0, sizeof rec);
    rec.file = file;
    rec.line = line;
    rec.col = col;
    rec.end_line = end_line;
    rec.report = report;
    q = p + strlen(TAG);
    while (q < end && is_space(*q)) q++;
    word = q;
    while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' || *q == '-')) q++;
    if ((size_t)(q - word) != 6 || memcmp(word, "ignore", 6) != 0) {
        const char *br = q;
        while (br < end && (*br == ' ' || *br == '\t')) br++;
        if (br >= end || *br != '[') return CA_OK; /* prose */
        rec.malformed = ca_arena_printf(&s->arena, "unknown directive \"%.*s\" (only ignore[...] exists)",
                                        (int)(q - word), word);
        if (!rec.malformed) return CA_ERR_NOMEM;
        goto add;
    }
    while (q < end && (*q == ' ' || *q == '\t')) q++;
    if (q >= end || *q != '[') {
        rec.malformed = "expected '[' and rule ids after \"ignore\"";
        goto add;
    }
    q++;
    for (;;) {
        const char *id;
        while (q < end && (is_space(*q) || *q == ',')) q++;
        if (q >= end) {
            rec.malformed = "missing ']' after the rule ids";
            goto add;
        }
        if (*q == ']') break;
        id = q;
        while (q < end && is_id_char(*q)) q++;
        if (q == id) {
            rec.malformed = ca_arena_printf(&s->arena, "unexpected '%c' in the rule ids (expected ids like gil-blocking-io-held)",
                                            *q);
            if (!rec.malformed) return CA_ERR_NOMEM;
            goto add;
        }
        if (nids == sizeof ids / sizeof ids[0]) {
            rec.malformed = "more than 32 rule ids";
            goto add;
        }
        ids[nids] = id;
        idlen[nids++] = (size_t)(q - id);
    }
    q++; /* ']' */
    if (!nids) {
        rec.malformed = "no rule id between '[' and ']'";
        goto add;
    }
    rec.rules = ca_arena_alloc(&s->arena, nids * sizeof *rec.rules);
    rec.used = ca_arena_alloc(&s->arena, nids * sizeof *rec.used);
    if (!rec.rules || !rec.used) return CA_ERR_NOMEM;
    for (uint32_t i = 0; i < nids; i++)
        if (!(rec.rules[i] = ca_arena_strndup(&s->arena, ids[i], idlen[i]))) return CA_ERR_NOMEM;
    rec.nrules = nids;
    rec.reason = fold_reason(&s->arena, q, end, &nomem);
    if (nomem) return CA_ERR_NOMEM;
add:
    CA_PUSH(st, s->v, s->n, s->cap, rec);
    return st;
}

static bool contains_tag(const char *p, const char *end)
{
    size_t n = strlen(TAG);
    for (; (size_t)(end - p) >= n; p++)
        if (*p == TAG[0] && memcmp(p, TAG, n) == 0) return true;
    return false;
}

/* A lexer that knows exactly what can hide a comment marker: string and character literals.
 * Line splices inside a // comment continue it (as in C); anything else is skipped. */
enum ca_status ca_suppress_scan(struct ca_suppressions *s, const char *file, const char *text, size_t len,
                                bool report)
{
    const char *p = text, *end = text + len, *line_start = text;
    const char *fcopy = NULL;
    uint32_t line = 1;
    enum ca_status st = CA_OK;

    if (!text) return CA_OK;
    while (p < end && st == CA_OK) {
        char c = *p;
        if (c == '\n') {
            line++;
            line_start = ++p;
        } else if (c == '"' || c == '\'') {
            p++;
            while (p < end && *p != c && *p != '\n') {
                if (*p == '\\' && p + 1 < end) {
                    if (p[1] == '\n') {
                        line++;
                        line_start = p + 2;
                    }
                    p++;
                }
                p++;
            }
            if (p < end && *p == c) p++;
        } else if (c == '/' && p + 1 < end && (p[1] == '/' || p[1] == '*')) {
            bool block = p[1] == '*';
            uint32_t start_line = line, col = (uint32_t)(p - line_start) + 3;
            const char *body = p + 2, *bend;
            p = body;
            if (block) {
                while (p + 1 < end && !(p[0] == '*' && p[1] == '/')) {
                    if (*p == '\n') {
                        line++;
                        line_start = p + 1;
                    }
                    p++;
                }
                bend = p + 1 < end ? p : end;
                p = p + 1 < end ? p + 2 : end;
            } else {
                while (p < end && !(*p == '\n' && !(p > body && p[-1] == '\\'))) {
                    if (*p == '\n') {
                        line++;
                        line_start = p + 1;
                    }
                    p++;
                }
                bend = p;
            }
            if (contains_tag(body, bend)) {
                if (!fcopy && !(fcopy = ca_arena_strdup(&s->arena, file))) return CA_ERR_NOMEM;
                st = parse_comment(s, fcopy, body, bend, start_line, col, line, report);
            }
        } else {
            p++;
        }
    }
    return st;
}

static bool covers(const struct ca_suppression *sp, const struct ca_diagnostic *d, uint32_t *k)
{
    if (d->line < sp->line || d->line > sp->end_line + 1 || strcmp(d->file, sp->file) != 0) return false;
    for (uint32_t i = 0; i < sp->nrules; i++)
        if (strcmp(sp->rules[i], d->rule) == 0) {
            *k = i;
            return true;
        }
    return false;
}

void ca_suppress_apply(struct ca_suppressions *s, struct ca_results *r, uint32_t *removed)
{
    uint32_t w = 0, gone = 0;
    for (uint32_t i = 0; i < r->ndiags; i++) {
        const struct ca_diagnostic *d = &r->diags[i];
        bool hit = false;
        if (d->file && d->rule && strncmp(d->rule, "concadvise-", 11) != 0) {
            for (size_t j = 0; j < s->n && !hit; j++) {
                uint32_t k;
                if (covers(&s->v[j], d, &k)) {
                    s->v[j].used[k]++;
                    hit = true;
                }
            }
        }
        if (hit) gone++;
        else r->diags[w++] = r->diags[i];
    }
    r->ndiags = w;
    if (removed) *removed = gone;
}

static enum ca_severity rule_severity(const struct ca_rules *rules, const char *id, enum ca_severity dflt)
{
    const struct ca_rule_meta *m = ca_rules_find_meta(rules, id);
    enum ca_severity sev;
    return m && ca_severity_parse(m->severity, &sev) ? sev : dflt;
}

static enum ca_status add(struct ca_results *r, const struct ca_suppression *sp, const char *rule, enum ca_severity sev,
                          const char *message)
{
    struct ca_diagnostic d;
    memset(&d, 0, sizeof d);
    d.rule = rule;
    d.severity = sev;
    d.file = sp->file;
    d.line = sp->line;
    d.col = sp->col;
    d.message = message;
    return ca_results_add_diag(r, &d);
}

/* "a, b and c": the unknown ids of sp, or (unused) its known ids that silenced nothing. */
static void put_ids(struct ca_buf *b, const struct ca_suppression *sp, const struct ca_rules *rules, bool unused)
{
    uint32_t n = 0, total = 0;
    for (uint32_t i = 0; i < sp->nrules; i++) {
        bool known = !rules || ca_rules_find_meta(rules, sp->rules[i]);
        total += unused ? (known && !sp->used[i]) : !known;
    }
    for (uint32_t i = 0; i < sp->nrules; i++) {
        bool known = !rules || ca_rules_find_meta(rules, sp->rules[i]);
        if (unused ? !(known && !sp->used[i]) : known) continue;
        ca_buf_printf(b, "%s%s", n == 0 ? "" : n + 1 == total ? " and " : ", ", sp->rules[i]);
        n++;
    }
}

enum ca_status ca_suppress_report(const struct ca_suppressions *s, const struct ca_rules *rules, struct ca_results *r)
{
    enum ca_severity unused_sev = rule_severity(rules, CA_SUPPRESS_UNUSED_RULE, CA_SEV_NOTE);
    enum ca_severity invalid_sev = rule_severity(rules, CA_SUPPRESS_INVALID_RULE, CA_SEV_WARNING);
    enum ca_status st = CA_OK;
    struct ca_buf b;

    ca_buf_init(&b);
    for (size_t j = 0; j < s->n && st == CA_OK; j++) {
        const struct ca_suppression *sp = &s->v[j];
        uint32_t unknown = 0, unused = 0;
        if (!sp->report) continue;
        if (sp->malformed) {
            ca_buf_fini(&b);
            ca_buf_printf(&b, "malformed suppression comment: %s (write: concadvise: ignore[RULE-ID,...] reason)",
                          sp->malformed);
            st = b.failed ? CA_ERR_NOMEM : add(r, sp, CA_SUPPRESS_INVALID_RULE, invalid_sev, b.data);
            continue;
        }
        for (uint32_t i = 0; i < sp->nrules; i++) {
            bool known = !rules || ca_rules_find_meta(rules, sp->rules[i]);
            unknown += !known;
            unused += known && !sp->used[i];
        }
        if (unknown) {
            ca_buf_fini(&b);
            ca_buf_puts(&b, unknown == 1 ? "suppression names an unknown rule: " : "suppression names unknown rules: ");
            put_ids(&b, sp, rules, false);
            ca_buf_puts(&b, " (see concadvise --list-rules)");
            st = b.failed ? CA_ERR_NOMEM : add(r, sp, CA_SUPPRESS_INVALID_RULE, invalid_sev, b.data);
        }
        if (st == CA_OK && !sp->reason) {
            ca_buf_fini(&b);
            ca_buf_puts(&b, "suppression without a reason: say after the ']' why the finding does not apply");
            st = b.failed ? CA_ERR_NOMEM : add(r, sp, CA_SUPPRESS_INVALID_RULE, invalid_sev, b.data);
        }
        if (st == CA_OK && unused) {
            ca_buf_fini(&b);
            ca_buf_puts(&b, "unused suppression: no ");
            put_ids(&b, sp, rules, true);
            ca_buf_puts(&b, " finding on this line or the next; remove it or move it to the line before the finding");
            st = b.failed ? CA_ERR_NOMEM : add(r, sp, CA_SUPPRESS_UNUSED_RULE, unused_sev, b.data);
        }
    }
    ca_buf_fini(&b);
    return st;
}
