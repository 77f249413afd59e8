/* report_sarif.c: the SARIF 2.1.0 report (docs/sarif.md), in the shape GitHub code scanning
 * accepts: one run, the rule catalog in tool.driver.rules, one result per diagnostic with a
 * stable partial fingerprint, input failures as tool execution notifications.
 * Written by hand, like the JSON report, so that the layout is fixed byte for byte.  Does not
 * filter, sort or judge: every diagnostic becomes a result, in the order the results hold. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define SARIF_SCHEMA_URI "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define SRCROOT "%SRCROOT%"
#define FINGERPRINT_KEY "concadvise/v1"

/* ---- a pretty-printing emitter, the same layout as report_json.c: `items[d]` says whether the
 * container open at depth d already holds a member. */
#define MAX_DEPTH 16

struct jw {
    struct ca_buf *b;
    unsigned depth;
    bool items[MAX_DEPTH];
};



/* How a string is written inside the JSON quotes. */
enum text_mode {
    TEXT_PLAIN,    /* as is */
    TEXT_MESSAGE,  /* a SARIF plain-text message: a '[' that could open an embedded link
                      ("[text](n)", SARIF 3.11.6) is written "\[" */
    TEXT_MARKDOWN  /* GitHub-flavoured Markdown: its punctuation is backslash-escaped so that
                      plain text shows as written */
};

/* The first n bytes of s as JSON string content (no quotes): quote, backslash and control
 * characters escaped, valid UTF-8 copied, each invalid byte replaced by U+FFFD (SARIF files
 * are UTF-8).  s must be NUL-terminated at or after n. */
static void put_chars(struct ca_buf *b, const char *str, size_t n, enum text_mode mode)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    while (s < end) {
        size_t k = ca_utf8_len(s, SIZE_MAX);
        unsigned char c = *s;
        if (k == 0) {
            ca_buf_puts(b, "\\ufffd");
            s++;
            continue;
        }
        if (k > 1) {
            ca_buf_putn(b, (const char *)s, k);
            s += k;
            continue;
        }
        if ((mode == TEXT_MESSAGE && c == '[' && strstr((const char *)s, "](")) ||
            (mode == TEXT_MARKDOWN && strchr("\\`*_[]<>#|~", c)))
            ca_buf_puts(b, "\\\\"); /* a backslash, JSON-escaped */
        switch (c) {
        case '"': ca_buf_puts(b, "\\\""); break;
        case '\\': ca_buf_puts(b, "\\\\"); break;
        case '\b': ca_buf_puts(b, "\\b"); break;
        case '\f': ca_buf_puts(b, "\\f"); break;
        case '\n': ca_buf_puts(b, "\\n"); break;
        case '\r': ca_buf_puts(b, "\\r"); break;
        case '\t': ca_buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7F) ca_buf_printf(b, "\\u%04x", (unsigned)c);
            else ca_buf_putc(b, (char)c);
        }
        s++;
    }
}

static void put_json_str(struct ca_buf *b, const char *s, enum text_mode mode)
{
    if (!s) s = "";
    ca_buf_putc(b, '"');
    put_chars(b, s, strlen(s), mode);
    ca_buf_putc(b, '"');
}

static void begin_item(struct jw *w, const char *key)
{
    unsigned i;
    if (w->depth > 0) {
        if (w->items[w->depth]) ca_buf_putc(w->b, ',');
        ca_buf_putc(w->b, '\n');
        for (i = 0; i < w->depth; i++) ca_buf_puts(w->b, "  ");
        w->items[w->depth] = true;
    }
    if (key) {
        put_json_str(w->b, key, TEXT_PLAIN);
        ca_buf_puts(w->b, ": ");
    }
}

static void open_c(struct jw *w, const char *key, char c)
{
    begin_item(w, key);
    ca_buf_putc(w->b, c);
    w->depth++; /* at most 11 deep (a notification's region): < MAX_DEPTH */
    w->items[w->depth] = false;
}

static void close_c(struct jw *w, char c)
{
    unsigned i;
    bool had = w->items[w->depth];
    w->depth--;
    if (had) {
        ca_buf_putc(w->b, '\n');
        for (i = 0; i < w->depth; i++) ca_buf_puts(w->b, "  ");
    }
    ca_buf_putc(w->b, c);
}

static void put_str(struct jw *w, const char *key, const char *s)
{
    begin_item(w, key);
    put_json_str(w->b, s, TEXT_PLAIN);
}

static void put_u32(struct jw *w, const char *key, uint32_t v)
{
    begin_item(w, key);
    ca_buf_printf(w->b, "%" PRIu32, v);
}

static void put_bool(struct jw *w, const char *key, bool v)
{
    begin_item(w, key);
    ca_buf_puts(w->b, v ? "true" : "false");
}

/* A SARIF message or multiformat string: {"text": s}. */
static void put_text_obj(struct jw *w, const char *key, const char *s, enum text_mode mode)
{
    open_c(w, key, '{');
    begin_item(w, "text");
    put_json_str(w->b, s, mode);
    close_c(w, '}');
}

/* ---- locations */

/* A byte that may stand for itself in a URI path: RFC 3986 pchar, less ':' (in the first
 * segment of a relative reference it would read as a scheme) and '%' (always encoded). */
static bool uri_plain(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~!$&'()*+,;=@/", c));
}

/* artifactLocation of a display path.  An absolute path becomes a file:// URI; a relative one
 * stays relative (leading "./" dropped) with uriBaseId %SRCROOT%, the directory the analysis
 * ran in, which code scanning maps to the repository root.  Every other byte, spaces, '%',
 * ':' and each byte of a non-ASCII character included, is percent-encoded. */
static void put_artifact_location(struct jw *w, const char *file)
{
    const unsigned char *s = (const unsigned char *)(file ? file : "");
    bool absolute = s[0] == '/';
    open_c(w, "artifactLocation", '{');
    begin_item(w, "uri");
    ca_buf_putc(w->b, '"');
    if (absolute) ca_buf_puts(w->b, "file://");
    else
        while (s[0] == '.' && s[1] == '/') {
            const unsigned char *t = s + 2;
            while (*t == '/') t++;
            if (!*t) break; /* "./" alone stays as it is */
            s = t;
        }
    for (; *s; s++) {
        if (uri_plain(*s)) ca_buf_putc(w->b, (char)*s);
        else ca_buf_printf(w->b, "%%%02X", (unsigned)*s);
    }
    ca_buf_putc(w->b, '"');
    if (!absolute) put_str(w, "uriBaseId", SRCROOT);
    close_c(w, '}');
}

/* One location object: the file, the region when the line is known (SARIF lines and columns
 * start at 1, so 0 = unknown is left out), and the function as a logical location. */
static void put_location(struct jw *w, const char *file, uint32_t line, uint32_t col, const char *function)
{
    open_c(w, NULL, '{');
    open_c(w, "physicalLocation", '{');
    put_artifact_location(w, file);
    if (line) {
        open_c(w, "region", '{');
        put_u32(w, "startLine", line);
        if (col) put_u32(w, "startColumn", col);
        close_c(w, '}');
    }
    close_c(w, '}');
    if (function) {
        open_c(w, "logicalLocations", '[');
        open_c(w, NULL, '{');
        put_str(w, "name", function);
        put_str(w, "kind", "function");
        close_c(w, '}');
        close_c(w, ']');
    }
    close_c(w, '}');
}

/* ---- the rule table: every rule of the metadata (sorted by id), then, sorted, the ids that
 * diagnostics use and the metadata does not know (a rule added by a newer analyzer than the
 * rules directory, or no metadata at all), so that every result has a valid ruleIndex. */
struct rule_table {
    const struct ca_rules *rules;
    uint32_t nmeta;
    const char **extra; /* borrowed from the results */
    size_t nextra;
};

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Index of id in the metadata, which ca_rules keeps sorted by id, or -1. */
static long meta_index(const struct rule_table *t, const char *id)
{
    uint32_t lo = 0, hi = t->nmeta;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ca_rules_meta(t->rules, mid)->id, id);
        if (c == 0) return (long)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static const char *diag_rule(const struct ca_diagnostic *d) { return d->rule ? d->rule : ""; }

static enum ca_status rule_table_init(struct rule_table *t, const struct ca_results *r, const struct ca_rules *rules)
{
    uint32_t i;
    size_t j, n = 0;
    memset(t, 0, sizeof *t);
    t->rules = rules;
    t->nmeta = rules ? ca_rules_nmeta(rules) : 0;
    if (r->ndiags == 0) return CA_OK;
    if (!(t->extra = ca_malloc(r->ndiags * sizeof *t->extra))) return CA_ERR_NOMEM;
    for (i = 0; i < r->ndiags; i++)
        if (meta_index(t, diag_rule(&r->diags[i])) < 0) t->extra[n++] = diag_rule(&r->diags[i]);
    qsort(t->extra, n, sizeof *t->extra, cmp_str_ptr);
    for (j = 0; j < n; j++)
        if (t->nextra == 0 || strcmp(t->extra[t->nextra - 1], t->extra[j]) != 0) t->extra[t->nextra++] = t->extra[j];
    return CA_OK;
}

static uint32_t rule_index(const struct rule_table *t, const char *id)
{
    long m = meta_index(t, id);
    const char **e;
    if (m >= 0) return (uint32_t)m;
    e = bsearch(&id, t->extra, t->nextra, sizeof *t->extra, cmp_str_ptr);
    return e ? t->nmeta + (uint32_t)(e - t->extra) : 0; /* rule_table_init added every id */
}

/* properties.tags: "concurrency" and the rule's family, the id up to its first '-'. */
static void put_rule_properties(struct jw *w, const char *id, const char *doc)
{
    const char *dash = strchr(id, '-');
    open_c(w, "properties", '{');
    open_c(w, "tags", '[');
    put_str(w, NULL, "concurrency");
    begin_item(w, NULL);
    ca_buf_putc(w->b, '"');
    put_chars(w->b, id, dash ? (size_t)(dash - id) : strlen(id), TEXT_PLAIN);
    ca_buf_putc(w->b, '"');
    close_c(w, ']');
    if (doc) put_str(w, "doc", doc);
    close_c(w, '}');
}

static void write_rule_meta(struct jw *w, const struct ca_rule_meta *m)
{
    const char *id = m->id ? m->id : "";
    open_c(w, NULL, '{');
    put_str(w, "id", id);
    if (m->name) put_str(w, "name", m->name);
    put_text_obj(w, "shortDescription", m->summary, TEXT_PLAIN);
    put_text_obj(w, "fullDescription", m->description, TEXT_PLAIN);
    open_c(w, "help", '{');
    put_str(w, "text", m->help);
    /* The same help for viewers that render Markdown: the title in bold, the help, and the
     * repository-relative documentation page (GitHub wants helpUri absolute, so none). */
    begin_item(w, "markdown");
    ca_buf_puts(w->b, "\"**");
    if (m->title) put_chars(w->b, m->title, strlen(m->title), TEXT_MARKDOWN);
    ca_buf_puts(w->b, "**\\n\\n");
    if (m->help) put_chars(w->b, m->help, strlen(m->help), TEXT_MARKDOWN);
    if (m->doc) {
        ca_buf_puts(w->b, "\\n\\nDocumentation: `");
        put_chars(w->b, m->doc, strlen(m->doc), TEXT_PLAIN);
        ca_buf_puts(w->b, "` in the concadvise sources.");
    }
    ca_buf_putc(w->b, '"');
    close_c(w, '}');
    open_c(w, "defaultConfiguration", '{');
    put_str(w, "level", m->severity ? m->severity : "warning"); /* SARIF's levels are our names */
    close_c(w, '}');
    put_rule_properties(w, id, m->doc);
    close_c(w, '}');
}

/* A rule known only by the id a diagnostic carries. */
static void write_rule_bare(struct jw *w, const char *id)
{
    open_c(w, NULL, '{');
    put_str(w, "id", id);
    put_rule_properties(w, id, NULL);
    close_c(w, '}');
}

/* ---- the driver and the invocation */

static void write_tool(struct jw *w, const struct rule_table *t, const struct ca_report_meta *m)
{
    uint32_t i;
    size_t j;
    open_c(w, "tool", '{');
    open_c(w, "driver", '{');
    put_str(w, "name", "concadvise");
    if (m && m->tool_version && m->tool_version[0]) put_str(w, "version", m->tool_version);
    open_c(w, "rules", '[');
    for (i = 0; i < t->nmeta; i++) write_rule_meta(w, ca_rules_meta(t->rules, i));
    for (j = 0; j < t->nextra; j++) write_rule_bare(w, t->extra[j]);
    close_c(w, ']');
    if (m && m->clang_version && m->clang_version[0]) {
        open_c(w, "properties", '{');
        put_str(w, "clang", m->clang_version);
        close_c(w, '}');
    }
    close_c(w, '}');
    close_c(w, '}');
}

/* One notification per clang error of a failed input, or one saying why when there is none. */
static void write_input_notifications(struct jw *w, const struct ca_input_result *in)
{
    uint32_t j, n = in->nerrors ? in->nerrors : 1;
    const char *file = in->file ? in->file : "";
    for (j = 0; j < n; j++) {
        const struct ca_input_error *e = in->nerrors ? &in->errors[j] : NULL;
        open_c(w, NULL, '{');
        put_str(w, "level", "error");
        if (e) put_text_obj(w, "message", e->message, TEXT_MESSAGE);
        else put_text_obj(w, "message",
                          in->state == CA_INPUT_MISSING ? "the file does not exist or cannot be read"
                                                        : "the file could not be parsed", TEXT_MESSAGE);
        open_c(w, "locations", '[');
        if (e) put_location(w, e->file ? e->file : file, e->line, e->col, NULL);
        else put_location(w, file, 0, 0, NULL);
        close_c(w, ']');
        open_c(w, "properties", '{');
        put_str(w, "input", file);
        put_str(w, "status", ca_input_state_str(in->state));
        close_c(w, '}');
        close_c(w, '}');
    }
}

static void write_invocation(struct jw *w, const struct ca_results *r)
{
    uint32_t i;
    bool any = false;
    open_c(w, "invocations", '[');
    open_c(w, NULL, '{');
    /* The run completed; inputs that failed are reported below, not as a failed execution. */
    put_bool(w, "executionSuccessful", true);
    for (i = 0; i < r->ninputs; i++) {
        if (r->inputs[i].state == CA_INPUT_OK) continue;
        if (!any) open_c(w, "toolExecutionNotifications", '[');
        any = true;
        write_input_notifications(w, &r->inputs[i]);
    }
    if (any) close_c(w, ']');
    close_c(w, '}');
    close_c(w, ']');
}

/* ---- results */

/* The innermost loop of the results that contains the place: same file, line between the loop's
 * first and last line; among those the one that starts last (then the deepest).  Loops are
 * sorted by file: binary search for the file's first loop, then scan while loops start at or
 * before the line. */
static const struct ca_loop_result *enclosing_loop(const struct ca_results *r, const char *file, uint32_t line)
{
    uint32_t lo = 0, hi = r->nloops, i;
    const struct ca_loop_result *best = NULL;
    if (!file || !line) return NULL;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(r->loops[mid].file ? r->loops[mid].file : "", file) < 0) lo = mid + 1;
        else hi = mid;
    }
    for (i = lo; i < r->nloops; i++) {
        const struct ca_loop_result *l = &r->loops[i];
        uint32_t end = l->end_line > l->line ? l->end_line : l->line;
        if (!l->file || strcmp(l->file, file) != 0 || l->line > line) break;
        if (end < line) continue;
        if (!best || l->line > best->line || (l->line == best->line && l->depth >= best->depth)) best = l;
    }
    return best;
}

static void write_result(struct jw *w, const struct ca_results *r, const struct rule_table *t,
                         const struct ca_diagnostic *d)
{
    const struct ca_loop_result *l = enclosing_loop(r, d->file, d->line);
    open_c(w, NULL, '{');
    put_str(w, "ruleId", diag_rule(d));
    put_u32(w, "ruleIndex", rule_index(t, diag_rule(d)));
    put_str(w, "level", ca_severity_str(d->severity));
    put_text_obj(w, "message", d->message, TEXT_MESSAGE);
    open_c(w, "locations", '[');
    put_location(w, d->file, d->line, d->col, d->function);
    close_c(w, ']');
    if (d->fingerprint) {
        open_c(w, "partialFingerprints", '{');
        put_str(w, FINGERPRINT_KEY, d->fingerprint);
        close_c(w, '}');
    }
    if (l) {
        open_c(w, "properties", '{');
        put_u32(w, "loop_line", l->line);
        put_u32(w, "loop_end_line", l->end_line);
        put_str(w, "classification", ca_class_str(l->cls));
        put_str(w, "gil", ca_gil_str(l->gil));
        put_bool(w, "python_api", l->python_api);
        put_str(w, "recommendation", ca_rec_str(l->rec));
        put_str(w, "confidence", ca_conf_str(l->conf));
        put_u32(w, "hotness", l->hotness);
        put_bool(w, "hot", l->hot);
        close_c(w, '}');
    }
    close_c(w, '}');
}

/* ---- run.properties.summary: the counts of the JSON report's summary, same keys and order. */

static void write_counts(struct jw *w, const char *key, const uint32_t *counts, const int *order,
                         size_t n, const char *(*name)(int))
{
    size_t i;
    open_c(w, key, '{');
    for (i = 0; i < n; i++) put_u32(w, name(order[i]), counts[order[i]]);
    close_c(w, '}');
}

static const char *class_name(int v) { return ca_class_str((enum ca_class)v); }
static const char *gil_name(int v) { return ca_gil_str((enum ca_gil)v); }
static const char *rec_name(int v) { return ca_rec_str((enum ca_rec)v); }
static const char *sev_name(int v) { return ca_severity_str((enum ca_severity)v); }

static void write_summary(struct jw *w, const struct ca_results *r, const struct ca_report_meta *m)
{
    static const int class_order[] = {CA_CLASS_IO, CA_CLASS_CPU, CA_CLASS_MIXED, CA_CLASS_UNKNOWN};
    static const int gil_order[] = {CA_GIL_HELD, CA_GIL_RELEASED, CA_GIL_MIXED, CA_GIL_NONE,
                                    CA_GIL_UNKNOWN};
    static const int rec_order[] = {CA_REC_THREADING, CA_REC_MULTIPROCESSING, CA_REC_RELEASE_GIL,
                                    CA_REC_NONE, CA_REC_UNKNOWN};
    static const int sev_order[] = {CA_SEV_ERROR, CA_SEV_WARNING, CA_SEV_NOTE};
    struct ca_results_summary s;

    ca_results_summarize(r, &s);
    open_c(w, "properties", '{');
    open_c(w, "summary", '{');
    put_u32(w, "files", s.files);
    put_u32(w, "files_ok", s.files_ok);
    put_u32(w, "files_failed", s.files_failed);
    put_u32(w, "loops", s.loops);
    put_u32(w, "hot_loops", s.hot_loops);
    write_counts(w, "by_classification", s.by_class, class_order, 4, class_name);
    write_counts(w, "by_gil", s.by_gil, gil_order, 5, gil_name);
    write_counts(w, "by_recommendation", s.by_rec, rec_order, 5, rec_name);
    write_counts(w, "diagnostics", s.by_severity, sev_order, 3, sev_name);
    put_u32(w, "suppressed", m ? m->suppressed : 0);
    put_u32(w, "baselined", m ? m->baselined : 0);
    close_c(w, '}');
    close_c(w, '}');
}

enum ca_status ca_report_sarif(const struct ca_results *r, const struct ca_rules *rules,
                               const struct ca_report_meta *m, struct ca_buf *out)
{
    struct rule_table t;
    struct jw w;
    uint32_t i;
    enum ca_status st;

    if ((st = rule_table_init(&t, r, rules)) != CA_OK) {
        out->failed = 1;
        goto out;
    }
    memset(&w, 0, sizeof w);
    w.b = out;
    open_c(&w, NULL, '{');
    put_str(&w, "$schema", SARIF_SCHEMA_URI);
    put_str(&w, "version", "2.1.0");
    open_c(&w, "runs", '[');
    open_c(&w, NULL, '{');
    write_tool(&w, &t, m);
    write_invocation(&w, r);
    open_c(&w, "originalUriBaseIds", '{');
    open_c(&w, SRCROOT, '{');
    put_text_obj(&w, "description", "The directory the analysis ran in; relative paths are resolved against it.",
                 TEXT_MESSAGE);
    close_c(&w, '}');
    close_c(&w, '}');
    open_c(&w, "results", '[');
    for (i = 0; i < r->ndiags; i++) write_result(&w, r, &t, &r->diags[i]);
    close_c(&w, ']');
    write_summary(&w, r, m);
    close_c(&w, '}');
    close_c(&w, ']');
    close_c(&w, '}');
    ca_buf_putc(out, '\n');
    st = out->failed ? CA_ERR_NOMEM : CA_OK;
out:
    ca_free(t.extra);
    return st;
}
