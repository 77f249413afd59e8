/* results.c: the findings of a run as plain data: enum names, deep copies into the results'
 * arena, a total-order sort and the summary counts.
 * Does not judge code, merge duplicates or format anything (reports/ does that). */
#include "results.h"

#include <stdlib.h>
#include <string.h>

/* ---- enum names.  Each table is indexed by its enum: keep in step with results.h. */

/* ORDER CLASS */
static const char *const class_names[] = {"unknown", "io", "cpu", "mixed"};
/* ORDER GIL */
static const char *const gil_names[] = {"unknown", "held", "released", "mixed", "none"};
/* ORDER REC */
static const char *const rec_names[] = {"unknown", "none", "threading", "multiprocessing", "release-gil"};
/* ORDER CONF */
static const char *const conf_names[] = {"low", "medium", "high"};
/* ORDER SEV */
static const char *const severity_names[] = {"note", "warning", "error"};
/* ORDER INPUT */
static const char *const input_names[] = {"ok", "error", "missing", "included"};
/* ORDER FT */
static const char *const ft_names[] = {"n/a", "declared", "not-declared"};

#define NAME_OF(table, v) \
    ((unsigned)(v) < sizeof(table) / sizeof(table)[0] ? (table)[(unsigned)(v)] : "invalid")

const char *ca_class_str(enum ca_class c) { return NAME_OF(class_names, c); }
const char *ca_gil_str(enum ca_gil g) { return NAME_OF(gil_names, g); }
const char *ca_rec_str(enum ca_rec r) { return NAME_OF(rec_names, r); }
const char *ca_conf_str(enum ca_conf c) { return NAME_OF(conf_names, c); }
const char *ca_severity_str(enum ca_severity s) { return NAME_OF(severity_names, s); }
const char *ca_input_state_str(enum ca_input_state s) { return NAME_OF(input_names, s); }
const char *ca_ft_decl_str(enum ca_ft_decl f) { return NAME_OF(ft_names, f); }

bool ca_severity_parse(const char *s, enum ca_severity *out)
{
    unsigned i;
    if (!s) return false;
    for (i = 0; i < sizeof severity_names / sizeof severity_names[0]; i++) {
        if (strcmp(s, severity_names[i]) == 0) {
            if (out) *out = (enum ca_severity)i;
            return true;
        }
    }
    return false;
}

/* ---- life cycle */

void ca_results_init(struct ca_results *r)
{
    memset(r, 0, sizeof *r);
    ca_arena_init(&r->arena);
}

void ca_results_fini(struct ca_results *r)
{
    if (!r) return;
    ca_free(r->inputs);
    ca_free(r->loops);
    ca_free(r->diags);
    ca_free(r->regions);
    ca_free(r->unprofiled);
    ca_arena_fini(&r->arena);
    memset(r, 0, sizeof *r);
}

/* ---- deep copies.  Everything reachable from the added value is copied into r->arena before
 * the element is appended, so a failed add leaves the arrays as they were (the arena may keep
 * some unused bytes, freed with the results). */

/* Copy a string that may be NULL; false only when a non-NULL string could not be copied. */
static bool copy_str(struct ca_arena *a, const char *s, const char **out)
{
    if (!s) {
        *out = NULL;
        return true;
    }
    *out = ca_arena_strdup(a, s);
    return *out != NULL;
}

/* Arena array of n elements of `size` bytes; NULL for n == 0 (sets *ok false on OOM). */
static void *copy_array(struct ca_arena *a, const void *src, uint32_t n, size_t size, bool *ok)
{
    void *p;
    if (n == 0) return NULL;
    if (!src || (size_t)n > SIZE_MAX / size) {
        *ok = false;
        return NULL;
    }
    p = ca_arena_alloc(a, (size_t)n * size);
    if (!p) {
        *ok = false;
        return NULL;
    }
    memcpy(p, src, (size_t)n * size);
    return p;
}

enum ca_status ca_results_add_input(struct ca_results *r, const struct ca_input_result *v)
{
    struct ca_input_result c = *v;
    struct ca_input_error *errs;
    enum ca_status st;
    bool ok = true;
    uint32_t i;

    if (v->nerrors && !v->errors) return CA_ERR_USAGE;
    if (r->ninputs == UINT32_MAX) return CA_ERR_USAGE;
    if (!copy_str(&r->arena, v->file, &c.file)) return CA_ERR_NOMEM;
    errs = copy_array(&r->arena, v->errors, v->nerrors, sizeof *errs, &ok);
    if (!ok) return CA_ERR_NOMEM;
    for (i = 0; i < v->nerrors; i++) {
        if (!copy_str(&r->arena, v->errors[i].file, &errs[i].file) ||
            !copy_str(&r->arena, v->errors[i].message, &errs[i].message))
            return CA_ERR_NOMEM;
    }
    c.errors = errs;
    CA_PUSH(st, r->inputs, r->ninputs, r->cap_[0], c);
    return st;
}

enum ca_status ca_results_add_loop(struct ca_results *r, const struct ca_loop_result *v)
{
    struct ca_loop_result c = *v;
    const char **reasons;
    struct ca_evidence *ev;
    enum ca_status st;
    bool ok = true;
    uint32_t i;

    if ((v->nreasons && !v->reasons) || (v->nevidence && !v->evidence)) return CA_ERR_USAGE;
    if (r->nloops == UINT32_MAX) return CA_ERR_USAGE;
    if (!copy_str(&r->arena, v->benchmark_json, &c.benchmark_json) ||
        !copy_str(&r->arena, v->benchmark_line, &c.benchmark_line))
        return CA_ERR_NOMEM;
    if (!copy_str(&r->arena, v->file, &c.file) || !copy_str(&r->arena, v->function, &c.function) ||
        !copy_str(&r->arena, v->kind, &c.kind))
        return CA_ERR_NOMEM;
    reasons = copy_array(&r->arena, v->reasons, v->nreasons, sizeof *reasons, &ok);
    if (!ok) return CA_ERR_NOMEM;
    for (i = 0; i < v->nreasons; i++)
        if (!copy_str(&r->arena, v->reasons[i], &reasons[i])) return CA_ERR_NOMEM;
    ev = copy_array(&r->arena, v->evidence, v->nevidence, sizeof *ev, &ok);
    if (!ok) return CA_ERR_NOMEM;
    for (i = 0; i < v->nevidence; i++) {
        const struct ca_evidence *e = &v->evidence[i];
        if (!copy_str(&r->arena, e->file, &ev[i].file) || !copy_str(&r->arena, e->kind, &ev[i].kind) ||
            !copy_str(&r->arena, e->name, &ev[i].name) || !copy_str(&r->arena, e->via, &ev[i].via))
            return CA_ERR_NOMEM;
    }
    c.reasons = reasons;
    c.evidence = ev;
    CA_PUSH(st, r->loops, r->nloops, r->cap_[1], c);
    return st;
}

enum ca_status ca_results_add_diag(struct ca_results *r, const struct ca_diagnostic *v)
{
    struct ca_diagnostic c = *v;
    enum ca_status st;

    if (r->ndiags == UINT32_MAX) return CA_ERR_USAGE;
    if (!copy_str(&r->arena, v->rule, &c.rule) || !copy_str(&r->arena, v->file, &c.file) ||
        !copy_str(&r->arena, v->message, &c.message) ||
        !copy_str(&r->arena, v->function, &c.function) || !copy_str(&r->arena, v->fingerprint, &c.fingerprint))
        return CA_ERR_NOMEM;
    CA_PUSH(st, r->diags, r->ndiags, r->cap_[2], c);
    return st;
}

enum ca_status ca_results_add_region(struct ca_results *r, const struct ca_region *v)
{
    struct ca_region c = *v;
    enum ca_status st;
    if (r->nregions == UINT32_MAX) return CA_ERR_USAGE;
    if (!copy_str(&r->arena, v->file, &c.file) || !copy_str(&r->arena, v->function, &c.function) ||
        !copy_str(&r->arena, v->by, &c.by))
        return CA_ERR_NOMEM;
    CA_PUSH(st, r->regions, r->nregions, r->cap_[3], c);
    return st;
}

enum ca_status ca_results_add_unprofiled(struct ca_results *r, const struct ca_unprofiled *v)
{
    struct ca_unprofiled c = *v;
    enum ca_status st;
    if (!copy_str(&r->arena, v->frame, &c.frame)) return CA_ERR_NOMEM;
    CA_PUSH(st, r->unprofiled, r->nunprofiled, r->cap_[4], c);
    return st;
}

/* ---- sort.  The keys the header promises come first; after them every other field the
 * writers print breaks ties, so the comparison is a total order over what is visible and the
 * output does not depend on the order of the adds (a loop in a header reached from two
 * translation units arrives twice, in whatever order the workers finish).  Strings compare
 * bytewise (strcmp), never by locale; NULL sorts before every string. */

static int cmp_str(const char *a, const char *b)
{
    if (a == b) return 0;
    if (!a) return -1;
    if (!b) return 1;
    return strcmp(a, b);
}

static int cmp_u32(uint32_t a, uint32_t b) { return a < b ? -1 : a > b; }

/* Evaluate comparisons in order and return the first that differs. */
#define CMP(expr)                 \
    do {                          \
        int c_ = (expr);          \
        if (c_) return c_;        \
    } while (0)

static int cmp_input_error(const struct ca_input_error *a, const struct ca_input_error *b)
{
    CMP(cmp_str(a->file, b->file));
    CMP(cmp_u32(a->line, b->line));
    CMP(cmp_u32(a->col, b->col));
    return cmp_str(a->message, b->message);
}

static int cmp_input(const void *pa, const void *pb)
{
    const struct ca_input_result *a = pa, *b = pb;
    uint32_t i;
    CMP(cmp_str(a->file, b->file));
    CMP(cmp_u32(a->state, b->state));
    CMP(cmp_u32(a->python, b->python));
    CMP(cmp_u32(a->nloops, b->nloops));
    CMP(cmp_u32(a->nerrors, b->nerrors));
    /* the errors themselves keep clang's order; they only break ties here */
    for (i = 0; i < a->nerrors; i++) CMP(cmp_input_error(&a->errors[i], &b->errors[i]));
    return 0;
}

static int cmp_evidence(const struct ca_evidence *a, const struct ca_evidence *b)
{
    CMP(cmp_str(a->file, b->file));
    CMP(cmp_u32(a->line, b->line));
    CMP(cmp_u32(a->col, b->col));
    CMP(cmp_str(a->kind, b->kind));
    CMP(cmp_str(a->name, b->name));
    return cmp_str(a->via, b->via);
}

static int cmp_loop(const void *pa, const void *pb)
{
    const struct ca_loop_result *a = pa, *b = pb;
    uint32_t i;
    CMP(cmp_str(a->file, b->file));
    CMP(cmp_u32(a->line, b->line));
    CMP(cmp_u32(a->col, b->col));
    CMP(cmp_u32(a->end_line, b->end_line));
    CMP(cmp_str(a->function, b->function));
    CMP(cmp_str(a->kind, b->kind));
    CMP(cmp_u32(a->depth, b->depth));
    CMP(cmp_u32(a->cls, b->cls));
    CMP(cmp_u32(a->gil, b->gil));
    CMP(cmp_u32(a->python_api, b->python_api));
    CMP(cmp_u32(a->rec, b->rec));
    CMP(cmp_u32(a->conf, b->conf));
    CMP(cmp_u32(a->hotness, b->hotness));
    CMP(cmp_u32(a->hot, b->hot));
    CMP(cmp_u32(a->nreasons, b->nreasons));
    for (i = 0; i < a->nreasons; i++) CMP(cmp_str(a->reasons[i], b->reasons[i]));
    CMP(cmp_u32(a->nevidence, b->nevidence));
    for (i = 0; i < a->nevidence; i++) CMP(cmp_evidence(&a->evidence[i], &b->evidence[i]));
    return 0;
}

static int cmp_diag(const void *pa, const void *pb)
{
    const struct ca_diagnostic *a = pa, *b = pb;
    CMP(cmp_str(a->file, b->file));
    CMP(cmp_u32(a->line, b->line));
    CMP(cmp_u32(a->col, b->col));
    CMP(cmp_str(a->rule, b->rule));
    CMP(cmp_str(a->message, b->message));
    CMP(cmp_u32(a->severity, b->severity));
    return cmp_str(a->function, b->function);
}

static int cmp_region(const void *a, const void *b)
{
    const struct ca_region *x = a, *y = b;
    int c = cmp_str(x->file, y->file);
    if (!c) c = cmp_u32(x->line, y->line);
    if (!c) c = cmp_u32(x->col, y->col);
    if (!c) c = cmp_u32(x->end_line, y->end_line);
    if (!c) c = cmp_str(x->function, y->function);
    if (!c) c = cmp_str(x->by, y->by);
    return c;
}

void ca_results_sort(struct ca_results *r)
{
    /* qsort is not stable, which is harmless: elements that compare equal print the same. */
    if (r->ninputs > 1) qsort(r->inputs, r->ninputs, sizeof *r->inputs, cmp_input);
    if (r->nloops > 1) qsort(r->loops, r->nloops, sizeof *r->loops, cmp_loop);
    if (r->ndiags > 1) qsort(r->diags, r->ndiags, sizeof *r->diags, cmp_diag);
    if (r->nregions > 1) qsort(r->regions, r->nregions, sizeof *r->regions, cmp_region);
}

/* ---- dedupe */

static bool same_str(const char *a, const char *b) { return cmp_str(a, b) == 0; }

void ca_results_dedupe(struct ca_results *r)
{
    uint32_t i, n;
    for (i = n = 0; i < r->nloops; i++) {
        const struct ca_loop_result *a = &r->loops[i], *k = n ? &r->loops[n - 1] : NULL;
        if (k && same_str(a->file, k->file) && a->line == k->line && a->col == k->col) continue;
        r->loops[n++] = *a;
    }
    r->nloops = n;
    for (i = n = 0; i < r->ndiags; i++) {
        const struct ca_diagnostic *a = &r->diags[i], *k = n ? &r->diags[n - 1] : NULL;
        if (k && same_str(a->file, k->file) && a->line == k->line && a->col == k->col && same_str(a->rule, k->rule) &&
            same_str(a->message, k->message))
            continue;
        r->diags[n++] = *a;
    }
    r->ndiags = n;
    for (i = n = 0; i < r->nregions; i++) {
        const struct ca_region *a = &r->regions[i], *k = n ? &r->regions[n - 1] : NULL;
        if (k && same_str(a->file, k->file) && a->line == k->line && a->col == k->col) continue;
        r->regions[n++] = *a;
    }
    r->nregions = n;
}

/* ---- summary */

#define COUNT_IN(arr, v)                                                     \
    do {                                                                     \
        if ((unsigned)(v) < sizeof(arr) / sizeof(arr)[0]) (arr)[(unsigned)(v)]++; \
    } while (0)

void ca_results_summarize(const struct ca_results *r, struct ca_results_summary *s)
{
    uint32_t i;
    memset(s, 0, sizeof *s);
    s->files = r->ninputs;
    for (i = 0; i < r->ninputs; i++) {
        if (r->inputs[i].state == CA_INPUT_OK) s->files_ok++;
        else if (r->inputs[i].state == CA_INPUT_INCLUDED) s->files_included++;
        else s->files_failed++;
    }
    s->loops = r->nloops;
    for (i = 0; i < r->nloops; i++) {
        const struct ca_loop_result *l = &r->loops[i];
        if (l->hot) s->hot_loops++;
        COUNT_IN(s->by_class, l->cls);
        COUNT_IN(s->by_gil, l->gil);
        COUNT_IN(s->by_rec, l->rec);
    }
    for (i = 0; i < r->ndiags; i++) COUNT_IN(s->by_severity, r->diags[i].severity);
}
