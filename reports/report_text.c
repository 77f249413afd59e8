/* report_text.c: the human report, in the file:line:col: severity: message form that editors
 * and CI problem matchers understand.  Sections, in order: loop findings (hot loops, or all
 * with all_loops, cut to the `top` hottest), diagnostics, input problems, a summary block.
 * Does not decide about colour (the CLI does, from the terminal and NO_COLOR) or print. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ORDER SEV: colour of each severity word; clang's bold style, as users know it. */
static const char *const sev_color[] = {"\033[1;36m", "\033[1;33m", "\033[1;31m"};
#define COLOR_RESET "\033[0m"

/* Copy a string, showing control bytes as \n, \r, \t or \xNN: a message must not break the
 * one-record-per-line layout nor smuggle an escape sequence onto the terminal.  Other bytes,
 * UTF-8 included, go through untouched; NULL prints as nothing. */
static void put_text(struct ca_buf *b, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    const unsigned char *run;
    if (!s) return;
    while (*s) {
        run = s;
        while (*s >= 0x20 && *s != 0x7F) s++;
        ca_buf_putn(b, (const char *)run, (size_t)(s - run));
        if (!*s) break;
        if (*s == '\n') ca_buf_puts(b, "\\n");
        else if (*s == '\r') ca_buf_puts(b, "\\r");
        else if (*s == '\t') ca_buf_puts(b, "\\t");
        else ca_buf_printf(b, "\\x%02x", (unsigned)*s);
        s++;
    }
}

/* "file:line:col: " with the parts that are known (line/column 0 = unknown). */
static void put_loc(struct ca_buf *b, const char *file, uint32_t line, uint32_t col)
{
    put_text(b, file);
    if (line) {
        ca_buf_printf(b, ":%" PRIu32, line);
        if (col) ca_buf_printf(b, ":%" PRIu32, col);
    }
    ca_buf_puts(b, ": ");
}

static void put_severity(struct ca_buf *b, enum ca_severity sev, bool color)
{
    bool known = (unsigned)sev < sizeof sev_color / sizeof sev_color[0];
    if (color && known) ca_buf_puts(b, sev_color[sev]);
    ca_buf_puts(b, ca_severity_str(sev));
    if (color && known) ca_buf_puts(b, COLOR_RESET);
    ca_buf_puts(b, ": ");
}

/* ORDER CLASS */
static const char *const class_phrase[] = {"workload unknown", "io-bound", "cpu-bound", "mixed io/cpu"};
/* ORDER GIL */
static const char *const gil_phrase[] = {"GIL unknown", "GIL held", "GIL released",
                                         "GIL partly released", "no GIL"};

#define PHRASE(table, v) \
    ((unsigned)(v) < sizeof(table) / sizeof(table)[0] ? (table)[(unsigned)(v)] : "invalid")

/* samples/x.c:21:5: note: while loop in recv_all(): io-bound, GIL held -> release-gil
 *     (confidence high, hotness 71), then its reasons and evidence, one per line. */
static void write_loop(struct ca_buf *b, const struct ca_loop_result *l, bool color)
{
    uint32_t i;
    put_loc(b, l->file, l->line, l->col);
    put_severity(b, CA_SEV_NOTE, color);
    put_text(b, l->kind ? l->kind : "");
    ca_buf_puts(b, l->kind ? " loop" : "loop");
    if (l->function) {
        ca_buf_puts(b, " in ");
        put_text(b, l->function);
        ca_buf_puts(b, "()");
    }
    ca_buf_printf(b, ": %s, %s -> %s (confidence %s, hotness %" PRIu32 "%s)\n",
                  PHRASE(class_phrase, l->cls), PHRASE(gil_phrase, l->gil), ca_rec_str(l->rec),
                  ca_conf_str(l->conf), l->hotness, l->hot ? "" : ", not hot");
    if (l->profiled)
        ca_buf_printf(b, "    profile: %" PRIu32 ".%" PRIu32 "%% of the samples (%llu) have %s() on the stack\n",
                      l->profile_permille / 10, l->profile_permille % 10, (unsigned long long)l->profile_samples,
                      l->function ? l->function : "its function");
    if (l->benchmark_line) {
        ca_buf_puts(b, "    benchmark: ");
        put_text(b, l->benchmark_line);
        ca_buf_putc(b, '\n');
    }
    for (i = 0; i < l->nreasons; i++) {
        ca_buf_puts(b, "    reason: ");
        put_text(b, l->reasons[i]);
        ca_buf_putc(b, '\n');
    }
    for (i = 0; i < l->nevidence; i++) {
        const struct ca_evidence *e = &l->evidence[i];
        ca_buf_puts(b, "    evidence: ");
        put_loc(b, e->file ? e->file : l->file, e->line, e->col);
        put_text(b, e->kind);
        ca_buf_putc(b, ' ');
        put_text(b, e->name);
        if (e->via) {
            ca_buf_puts(b, " (via ");
            put_text(b, e->via);
            ca_buf_putc(b, ')');
        }
        ca_buf_putc(b, '\n');
    }
}

/* ---- choosing the loops to list */

struct pick {
    const struct ca_loop_result *loop;
    uint32_t index; /* position in the results, which is the display order */
};

/* Hottest first; ties by file, line, column, then results order (a total order). */
static int cmp_hotness(const void *pa, const void *pb)
{
    const struct pick *a = pa, *b = pb;
    const struct ca_loop_result *x = a->loop, *y = b->loop;
    int c;
    if (x->hotness != y->hotness) return x->hotness > y->hotness ? -1 : 1;
    c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int cmp_index(const void *pa, const void *pb)
{
    const struct pick *a = pa, *b = pb;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* The summary: counts over every loop and input, whatever the listing showed. */
static void write_summary(struct ca_buf *b, const struct ca_results *r, const struct ca_text_options *o)
{
    /* most actionable first; ORDER REC */
    static const enum ca_rec rec_order[] = {CA_REC_THREADING, CA_REC_MULTIPROCESSING,
                                            CA_REC_RELEASE_GIL, CA_REC_NONE, CA_REC_UNKNOWN};
    static const enum ca_severity sev_order[] = {CA_SEV_ERROR, CA_SEV_WARNING, CA_SEV_NOTE};
    struct ca_results_summary s;
    const char *sep = "";
    size_t i;

    ca_results_summarize(r, &s);
    ca_buf_printf(b, "summary: %" PRIu32 " file%s analysed (%" PRIu32 " ok, %" PRIu32 " failed%s), %" PRIu32
                     " loop%s (%" PRIu32 " hot)\n",
                  s.files, s.files == 1 ? "" : "s", s.files_ok, s.files_failed,
                  s.files_included ? ", some included by others" : "", s.loops, s.loops == 1 ? "" : "s", s.hot_loops);
    if (r->profile_total) {
        ca_buf_printf(b, "  profile: %llu samples", (unsigned long long)r->profile_total);
        if (r->nunprofiled) {
            ca_buf_printf(b, "; %" PRIu32 " %s no analysed function:", r->nunprofiled,
                          r->nunprofiled == 1 ? "frame matches" : "frames match");
            for (i = 0; i < r->nunprofiled && i < 8; i++) {
                ca_buf_puts(b, i ? ", " : " ");
                put_text(b, r->unprofiled[i].frame);
                ca_buf_printf(b, " (%llu)", (unsigned long long)r->unprofiled[i].samples);
            }
            if (r->nunprofiled > 8) ca_buf_printf(b, ", and %" PRIu32 " more", r->nunprofiled - 8);
        }
        ca_buf_putc(b, '\n');
    }
    if (s.loops) {
        ca_buf_puts(b, "  loops by recommendation:");
        for (i = 0; i < sizeof rec_order / sizeof rec_order[0]; i++) {
            if (!s.by_rec[rec_order[i]]) continue;
            ca_buf_printf(b, "%s %s %" PRIu32, sep, ca_rec_str(rec_order[i]), s.by_rec[rec_order[i]]);
            sep = ",";
        }
        ca_buf_putc(b, '\n');
    }
    ca_buf_puts(b, "  diagnostics:");
    sep = "";
    for (i = 0; i < sizeof sev_order / sizeof sev_order[0]; i++) {
        uint32_t n = s.by_severity[sev_order[i]];
        if (!n) continue;
        ca_buf_printf(b, "%s %" PRIu32 " %s%s", sep, n, ca_severity_str(sev_order[i]), n == 1 ? "" : "s");
        sep = ",";
    }
    if (o->suppressed || o->baselined) {
        ca_buf_printf(b, "%s(", *sep ? " " : " none ");
        if (o->suppressed) ca_buf_printf(b, "%" PRIu32 " suppressed", o->suppressed);
        if (o->baselined) ca_buf_printf(b, "%s%" PRIu32 " in the baseline", o->suppressed ? ", " : "", o->baselined);
        ca_buf_puts(b, ")\n");
        return;
    }
    ca_buf_puts(b, *sep ? "\n" : " none\n");
}

static void write_input_problems(struct ca_buf *b, const struct ca_input_result *in, bool color)
{
    uint32_t j;
    for (j = 0; j < in->nerrors; j++) {
        const struct ca_input_error *e = &in->errors[j];
        put_loc(b, e->file ? e->file : in->file, e->line, e->col);
        put_severity(b, CA_SEV_ERROR, color);
        put_text(b, e->message);
        ca_buf_putc(b, '\n');
    }
    if (in->nerrors || in->state == CA_INPUT_OK) return;
    put_loc(b, in->file, 0, 0);
    put_severity(b, CA_SEV_ERROR, color);
    ca_buf_puts(b, in->state == CA_INPUT_MISSING ? "file not found\n" : "could not be analysed\n");
}

enum ca_status ca_report_text(const struct ca_results *r, const struct ca_text_options *o,
                              struct ca_buf *out)
{
    static const struct ca_text_options defaults = {.all_loops = false};
    enum ca_status st = CA_OK;
    struct pick *picks = NULL;
    uint32_t i, npicks = 0, nshown;
    size_t start = out->len;

    if (!o) o = &defaults;
    if (r->nloops) {
        picks = ca_malloc(r->nloops * sizeof *picks);
        if (!picks) {
            st = CA_ERR_NOMEM;
            goto out;
        }
    }
    for (i = 0; i < r->nloops; i++) {
        if (!o->all_loops && !r->loops[i].hot) continue;
        picks[npicks].loop = &r->loops[i];
        picks[npicks].index = i;
        npicks++;
    }
    /* --top keeps the hottest, then lists them in the results' (file) order like a compiler */
    nshown = npicks;
    if (o->top && npicks > o->top) {
        qsort(picks, npicks, sizeof *picks, cmp_hotness);
        nshown = o->top;
        qsort(picks, nshown, sizeof *picks, cmp_index);
    }
    for (i = 0; i < nshown; i++) write_loop(out, picks[i].loop, o->color);
    if (nshown < npicks)
        ca_buf_printf(out, "(%" PRIu32 " more %sloop%s not shown: --top %" PRIu32 " lists the hottest only)\n",
                      npicks - nshown, o->all_loops ? "" : "hot ", npicks - nshown == 1 ? "" : "s",
                      o->top);

    for (i = 0; i < r->ndiags; i++) {
        const struct ca_diagnostic *d = &r->diags[i];
        put_loc(out, d->file, d->line, d->col);
        put_severity(out, d->severity, o->color);
        put_text(out, d->message);
        ca_buf_puts(out, " [");
        put_text(out, d->rule);
        ca_buf_puts(out, "]\n");
    }
    for (i = 0; i < r->ninputs; i++) write_input_problems(out, &r->inputs[i], o->color);

    if (out->len > start) ca_buf_putc(out, '\n');
    write_summary(out, r, o);
out:
    ca_free(picks);
    if (st == CA_OK && out->failed) st = CA_ERR_NOMEM;
    return st;
}
