/* report_json.c: the JSON report (docs/json-output.md, docs/json-output.schema.json).
 * Written by hand rather than through cJSON: the layout (2-space indentation, key order,
 * integers only) is part of the byte-for-byte contract, and cJSON's printer indents with tabs
 * and prints numbers as doubles.  Does not sort, filter or judge: every loop is written. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

/* ---- a minimal pretty-printing emitter.  `items[d]` says whether the container open at depth
 * d already holds a member, which decides the comma and whether the close goes on its own
 * line ("[]" for an empty array). */
#define MAX_DEPTH 8

struct jw {
    struct ca_buf *b;
    unsigned depth;
    bool items[MAX_DEPTH];
};


/* A JSON string: quote, backslash and control characters escaped (the short forms where JSON
 * has one, else \u00XX; DEL too, for readability), valid UTF-8 copied as is, each invalid
 * byte replaced by U+FFFD so that the document is always valid UTF-8. */
static void put_json_str(struct ca_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    ca_buf_putc(b, '"');
    while (*s) {
        size_t n = ca_utf8_len(s, SIZE_MAX);
        unsigned char c = *s;
        if (n == 0) {
            ca_buf_puts(b, "\\ufffd");
            s++;
            continue;
        }
        if (n > 1) {
            ca_buf_putn(b, (const char *)s, n);
            s += n;
            continue;
        }
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
    ca_buf_putc(b, '"');
}

/* Start a member: comma and newline when needed, indentation, then the key (NULL in arrays). */
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
        put_json_str(w->b, key);
        ca_buf_puts(w->b, ": ");
    }
}

static void open_c(struct jw *w, const char *key, char c)
{
    begin_item(w, key);
    ca_buf_putc(w->b, c);
    w->depth++; /* at most 5 deep (root, loops, a loop, evidence, one evidence): < MAX_DEPTH */
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
    put_json_str(w->b, s ? s : "");
}

/* A string member that is null when absent (diagnostic function, evidence via). */
static void put_str_or_null(struct jw *w, const char *key, const char *s)
{
    begin_item(w, key);
    if (s) put_json_str(w->b, s);
    else ca_buf_puts(w->b, "null");
}

static void put_u32(struct jw *w, const char *key, uint32_t v)
{
    begin_item(w, key);
    ca_buf_printf(w->b, "%" PRIu32, v);
}

static void put_u64(struct jw *w, const char *key, uint64_t v)
{
    begin_item(w, key);
    ca_buf_printf(w->b, "%llu", (unsigned long long)v);
}

static void put_bool(struct jw *w, const char *key, bool v)
{
    begin_item(w, key);
    ca_buf_puts(w->b, v ? "true" : "false");
}

/* ---- the document.  Key order here is the documented order: change both together. */

static void write_tool(struct jw *w, const struct ca_report_meta *m)
{
    open_c(w, "tool", '{');
    put_str(w, "name", "concadvise");
    put_str(w, "version", m ? m->tool_version : NULL);
    put_str(w, "clang", m ? m->clang_version : NULL);
    close_c(w, '}');
}

static void write_inputs(struct jw *w, const struct ca_results *r)
{
    uint32_t i, j;
    open_c(w, "inputs", '[');
    for (i = 0; i < r->ninputs; i++) {
        const struct ca_input_result *in = &r->inputs[i];
        open_c(w, NULL, '{');
        put_str(w, "file", in->file);
        put_str(w, "status", ca_input_state_str(in->state));
        put_bool(w, "python", in->python);
        put_u32(w, "loops", in->nloops);
        put_str(w, "free_threading", ca_ft_decl_str(in->free_threading));
        open_c(w, "errors", '[');
        for (j = 0; j < in->nerrors; j++) {
            const struct ca_input_error *e = &in->errors[j];
            open_c(w, NULL, '{');
            put_str(w, "file", e->file ? e->file : in->file);
            put_u32(w, "line", e->line);
            put_u32(w, "column", e->col);
            put_str(w, "message", e->message);
            close_c(w, '}');
        }
        close_c(w, ']');
        close_c(w, '}');
    }
    close_c(w, ']');
}

static void write_loop(struct jw *w, const struct ca_loop_result *l)
{
    uint32_t j;
    open_c(w, NULL, '{');
    put_str(w, "file", l->file);
    put_u32(w, "line", l->line);
    put_u32(w, "column", l->col);
    put_u32(w, "end_line", l->end_line);
    put_str(w, "function", l->function);
    put_str(w, "kind", l->kind);
    put_u32(w, "depth", l->depth);
    put_str(w, "classification", ca_class_str(l->cls));
    put_str(w, "gil", ca_gil_str(l->gil));
    put_bool(w, "python_api", l->python_api);
    put_str(w, "recommendation", ca_rec_str(l->rec));
    put_str(w, "confidence", ca_conf_str(l->conf));
    put_u32(w, "hotness", l->hotness);
    put_bool(w, "hot", l->hot);
    put_bool(w, "profiled", l->profiled);
    put_u64(w, "profile_samples", l->profile_samples);
    put_u32(w, "profile_permille", l->profile_permille);
    begin_item(w, "benchmark"); /* pre-rendered by the benchmark module (docs/bench.md), or null */
    ca_buf_puts(w->b, l->benchmark_json ? l->benchmark_json : "null");
    open_c(w, "reasons", '[');
    for (j = 0; j < l->nreasons; j++) put_str(w, NULL, l->reasons[j]);
    close_c(w, ']');
    open_c(w, "evidence", '[');
    for (j = 0; j < l->nevidence; j++) {
        const struct ca_evidence *e = &l->evidence[j];
        open_c(w, NULL, '{');
        put_str(w, "file", e->file ? e->file : l->file);
        put_u32(w, "line", e->line);
        put_u32(w, "column", e->col);
        put_str(w, "kind", e->kind);
        put_str(w, "name", e->name);
        put_str_or_null(w, "via", e->via);
        close_c(w, '}');
    }
    close_c(w, ']');
    close_c(w, '}');
}

static void write_diag(struct jw *w, const struct ca_diagnostic *d)
{
    open_c(w, NULL, '{');
    put_str(w, "rule", d->rule);
    put_str(w, "severity", ca_severity_str(d->severity));
    put_str(w, "file", d->file);
    put_u32(w, "line", d->line);
    put_u32(w, "column", d->col);
    put_str_or_null(w, "function", d->function);
    put_str(w, "message", d->message);
    put_str(w, "fingerprint", d->fingerprint);
    close_c(w, '}');
}

/* Counts keyed by enum name, in the documented order (unknown last). */
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
    open_c(w, "summary", '{');
    put_u32(w, "files", s.files);
    put_u32(w, "files_ok", s.files_ok);
    put_u32(w, "files_failed", s.files_failed);
    put_u32(w, "files_included", s.files_included);
    put_u32(w, "loops", s.loops);
    put_u32(w, "hot_loops", s.hot_loops);
    write_counts(w, "by_classification", s.by_class, class_order, 4, class_name);
    write_counts(w, "by_gil", s.by_gil, gil_order, 5, gil_name);
    write_counts(w, "by_recommendation", s.by_rec, rec_order, 5, rec_name);
    write_counts(w, "diagnostics", s.by_severity, sev_order, 3, sev_name);
    put_u32(w, "suppressed", m ? m->suppressed : 0);
    put_u32(w, "baselined", m ? m->baselined : 0);
    close_c(w, '}');
}

enum ca_status ca_report_json(const struct ca_results *r, const struct ca_report_meta *m,
                              struct ca_buf *out)
{
    struct jw w;
    uint32_t i;

    memset(&w, 0, sizeof w);
    w.b = out;
    open_c(&w, NULL, '{');
    put_str(&w, "schema_version", CA_REPORT_JSON_SCHEMA_VERSION);
    write_tool(&w, m);
    write_inputs(&w, r);
    open_c(&w, "loops", '[');
    for (i = 0; i < r->nloops; i++) write_loop(&w, &r->loops[i]);
    close_c(&w, ']');
    open_c(&w, "diagnostics", '[');
    for (i = 0; i < r->ndiags; i++) write_diag(&w, &r->diags[i]);
    close_c(&w, ']');
    open_c(&w, "regions", '[');
    for (i = 0; i < r->nregions; i++) {
        const struct ca_region *g = &r->regions[i];
        open_c(&w, NULL, '{');
        put_str(&w, "file", g->file);
        put_u32(&w, "line", g->line);
        put_u32(&w, "column", g->col);
        put_u32(&w, "end_line", g->end_line);
        put_str(&w, "function", g->function);
        put_str(&w, "by", g->by);
        close_c(&w, '}');
    }
    close_c(&w, ']');
    open_c(&w, "profile", '{');
    put_u64(&w, "total_samples", r->profile_total);
    open_c(&w, "unmatched", '[');
    for (i = 0; i < r->nunprofiled; i++) {
        open_c(&w, NULL, '{');
        put_str(&w, "frame", r->unprofiled[i].frame);
        put_u64(&w, "samples", r->unprofiled[i].samples);
        close_c(&w, '}');
    }
    close_c(&w, ']');
    close_c(&w, '}');
    write_summary(&w, r, m);
    close_c(&w, '}');
    ca_buf_putc(out, '\n');
    return out->failed ? CA_ERR_NOMEM : CA_OK;
}
