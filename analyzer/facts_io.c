/* facts_io.c: translation-unit facts to bytes and back (ca_facts_write, ca_facts_read); the format
 * is documented in facts_io.h.  Does not touch files, compress, or decide what is cached; judges
 * the facts only as far as the analysis needs to index arrays with them safely (indices, enums,
 * an acyclic IR, loop parents before their children).  No libclang.
 * Reading is on the hot path of a warm run: the string table goes to the arena in one copy and
 * every array is allocated once, with its exact size. */
#include "facts_io.h"

#include <stdbool.h>
#include <string.h>

#define HEADER_SIZE 28
static const char magic[8] = "CAFACTS"; /* with its NUL: 8 bytes */

/* Bytes of one record of each array.  ORDER FACTS_IO: these sizes, write_arrays and read_arrays
 * change together (and CA_FACTS_IO_VERSION is bumped); a size that does not match what
 * write_arrays puts is CA_ERR_INTERNAL, which the round-trip tests catch. */
enum {
    TU_SIZE = 10,
    FUNC_SIZE = 33,
    LOOP_SIZE = 44,
    CALL_SIZE = 44,
    MACRO_SIZE = 20,
    WRITE_SIZE = 21,
    FNREF_SIZE = 40,
    IR_SIZE = 32,
    DIAG_SIZE = 16,
    GLOBAL_SIZE = 24,
    PATH_SIZE = 4
};

/* A field added to facts.h changes these sizes (unless it fits in padding) and stops the build
 * here, so that it is not silently left out of the cache. */
#define FACTS_IO_SIZE(type, n) \
    _Static_assert(sizeof(void *) != 8 || sizeof(type) == (n), "a field was added to facts.h: update facts_io.c")
FACTS_IO_SIZE(struct ca_loc, 8);
FACTS_IO_SIZE(struct ca_fact_func, 48);
FACTS_IO_SIZE(struct ca_fact_loop, 48);
FACTS_IO_SIZE(struct ca_fact_call, 64);
FACTS_IO_SIZE(struct ca_fact_macro, 24);
FACTS_IO_SIZE(struct ca_fact_write, 32);
FACTS_IO_SIZE(struct ca_fact_fnref, 64);
FACTS_IO_SIZE(struct ca_ir_node, 40);
FACTS_IO_SIZE(struct ca_fact_diag, 24);
FACTS_IO_SIZE(struct ca_fact_global, 32);
FACTS_IO_SIZE(struct ca_tu_facts, 304);

#define FNV_OFFSET 0xcbf29ce484222325u
#define FNV_PRIME 0x100000001b3u

/* A little-endian 64-bit word, whatever the host's byte order. */
static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Four lanes so that the multiplications overlap (the checksum is most of the time a read takes).
 * Every step is a bijection of the lane given the word, and the final fold a bijection of each
 * lane given the others: a change to any one word always changes the result. */
uint64_t ca_facts_checksum(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h[4] = {FNV_OFFSET, FNV_OFFSET + 1, FNV_OFFSET + 2, FNV_OFFSET + 3}, w;
    size_t i = 0, k;
    for (; len - i >= 32; i += 32)
        for (k = 0; k < 4; k++) h[k] = (h[k] ^ load64(p + i + 8 * k)) * FNV_PRIME;
    for (; i < len; i += 8) { /* the rest into lane 0, the last word zero-padded */
        for (w = 0, k = 0; k < 8 && i + k < len; k++) w |= (uint64_t)p[i + k] << (8 * k);
        h[0] = (h[0] ^ w) * FNV_PRIME;
    }
    for (k = 1; k < 4; k++) h[0] = (h[0] ^ h[k]) * FNV_PRIME;
    return (h[0] ^ (uint64_t)len) * FNV_PRIME;
}

/* ------------------------------------------------------------------ writing */

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (unsigned char)(v >> (8 * k));
    return p + 4;
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; k++) p[k] = (unsigned char)(v >> (8 * k));
    return p + 8;
}

static unsigned char *put8(unsigned char *p, bool v)
{
    *p = v ? 1 : 0;
    return p + 1;
}

static unsigned char *put_loc(unsigned char *p, struct ca_loc l) { return put32(put32(p, l.line), l.col); }

struct slot {
    const char *s; /* NULL: empty */
    uint64_t hash;
    uint32_t id;
};

struct writer {
    struct ca_buf *out; /* gets the header and the string table */
    struct ca_buf body; /* the arrays, appended after the string table at the end */
    struct slot *tab;   /* the strings seen so far: open addressing, size a power of two */
    size_t cap;
    uint32_t nstr;
    enum ca_status st;  /* sticky */
};

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

/* Doubles the string table (at least 64 slots), keeping it at most half full. */
static enum ca_status grow_tab(struct writer *w)
{
    size_t cap = w->cap ? 2 * w->cap : 64, i, j;
    struct slot *tab = ca_calloc(cap, sizeof *tab);
    if (!tab) return CA_ERR_NOMEM;
    for (i = 0; i < w->cap; i++) {
        if (!w->tab[i].s) continue;
        for (j = w->tab[i].hash & (cap - 1); tab[j].s; j = (j + 1) & (cap - 1)) {}
        tab[j] = w->tab[i];
    }
    ca_free(w->tab);
    w->tab = tab;
    w->cap = cap;
    return CA_OK;
}

/* The id of string `s` (0 for NULL); a string seen for the first time is appended to the table in
 * out.  On failure sets w->st and returns 0. */
static uint32_t sid(struct writer *w, const char *s)
{
    unsigned char len[4];
    size_t n, i;
    uint64_t h;
    if (!s || w->st) return 0;
    if (2 * ((size_t)w->nstr + 1) > w->cap && (w->st = grow_tab(w)) != CA_OK) return 0;
    n = strlen(s);
    h = hash_str(s, n);
    for (i = h & (w->cap - 1); w->tab[i].s; i = (i + 1) & (w->cap - 1))
        if (w->tab[i].hash == h && strcmp(w->tab[i].s, s) == 0) return w->tab[i].id;
    w->tab[i] = (struct slot){s, h, ++w->nstr};
    put32(len, (uint32_t)n);
    ca_buf_putn(w->out, (const char *)len, 4);
    ca_buf_putn(w->out, s, n + 1);
    return w->nstr;
}

/* Appends one record rec[0, end) to the body; its length must be `size`. */
static void emit(struct writer *w, const unsigned char *rec, const unsigned char *end, size_t size)
{
    if ((size_t)(end - rec) != size && !w->st) w->st = CA_ERR_INTERNAL;
    ca_buf_putn(&w->body, (const char *)rec, size);
}

static void emit_count(struct writer *w, uint32_t n)
{
    unsigned char rec[4];
    emit(w, rec, put32(rec, n), 4);
}

/* The tu fields and every array, in the order of facts.h.  ORDER FACTS_IO */
static void write_arrays(struct writer *w, const struct ca_tu_facts *f)
{
    unsigned char rec[64], *p;
    uint32_t i;
    p = put32(rec, sid(w, f->path));
    p = put32(p, (uint32_t)f->status);
    p = put8(p, f->python);
    emit(w, rec, put8(p, f->ft_declared), TU_SIZE);
    emit_count(w, f->nfuncs);
    for (i = 0; i < f->nfuncs; i++) {
        const struct ca_fact_func *x = &f->funcs[i];
        p = put32(rec, sid(w, x->name));
        p = put_loc(p, x->loc);
        p = put_loc(p, x->end);
        p = put8(p, x->is_static);
        p = put32(p, x->ir_root);
        p = put32(p, x->nparams);
        emit(w, rec, put32(p, sid(w, x->file)), FUNC_SIZE);
    }
    emit_count(w, f->nloops);
    for (i = 0; i < f->nloops; i++) {
        const struct ca_fact_loop *x = &f->loops[i];
        p = put32(rec, x->func);
        p = put32(p, x->parent);
        p = put32(p, x->depth);
        p = put32(p, (uint32_t)x->kind);
        p = put32(p, (uint32_t)x->bound);
        p = put64(p, (uint64_t)x->trip);
        p = put_loc(p, x->loc);
        p = put32(p, x->end_line);
        emit(w, rec, put32(p, x->ops), LOOP_SIZE);
    }
    emit_count(w, f->ncalls);
    for (i = 0; i < f->ncalls; i++) {
        const struct ca_fact_call *x = &f->calls[i];
        p = put32(rec, x->func);
        p = put32(p, x->loop);
        p = put_loc(p, x->loc);
        p = put32(p, sid(w, x->name));
        p = put32(p, sid(w, x->macro));
        p = put32(p, x->flags);
        p = put32(p, x->nargs);
        p = put32(p, x->zero_args);
        p = put32(p, sid(w, x->fptype));
        emit(w, rec, put32(p, sid(w, x->field)), CALL_SIZE);
    }
    emit_count(w, f->nmacros);
    for (i = 0; i < f->nmacros; i++) {
        const struct ca_fact_macro *x = &f->macros[i];
        p = put32(rec, x->func);
        p = put32(p, x->loop);
        p = put_loc(p, x->loc);
        emit(w, rec, put32(p, sid(w, x->name)), MACRO_SIZE);
    }
    emit_count(w, f->nwrites);
    for (i = 0; i < f->nwrites; i++) {
        const struct ca_fact_write *x = &f->writes[i];
        p = put32(rec, x->func);
        p = put32(p, x->loop);
        p = put_loc(p, x->loc);
        p = put32(p, sid(w, x->name));
        emit(w, rec, put8(p, x->is_static_local), WRITE_SIZE);
    }
    emit_count(w, f->nfnrefs);
    for (i = 0; i < f->nfnrefs; i++) {
        const struct ca_fact_fnref *x = &f->fnrefs[i];
        p = put32(rec, (uint32_t)x->ctx);
        p = put32(p, sid(w, x->name));
        p = put32(p, x->func);
        p = put32(p, x->call);
        p = put32(p, x->arg);
        p = put32(p, sid(w, x->holder_type));
        p = put_loc(p, x->loc);
        p = put32(p, sid(w, x->fntype));
        emit(w, rec, put32(p, sid(w, x->field)), FNREF_SIZE);
    }
    emit_count(w, f->nir);
    for (i = 0; i < f->nir; i++) {
        const struct ca_ir_node *x = &f->ir[i];
        p = put32(rec, (uint32_t)x->kind);
        p = put32(p, x->flags);
        p = put32(p, x->first_child);
        p = put32(p, x->next_sibling);
        p = put32(p, x->ref);
        p = put32(p, sid(w, x->label));
        emit(w, rec, put_loc(p, x->loc), IR_SIZE);
    }
    emit_count(w, f->ndiags);
    for (i = 0; i < f->ndiags; i++) {
        const struct ca_fact_diag *x = &f->diags[i];
        p = put32(rec, sid(w, x->file));
        p = put_loc(p, x->loc);
        emit(w, rec, put32(p, sid(w, x->message)), DIAG_SIZE);
    }
    emit_count(w, f->nglobals);
    for (i = 0; i < f->nglobals; i++) {
        const struct ca_fact_global *x = &f->globals[i];
        p = put32(rec, sid(w, x->name));
        p = put_loc(p, x->loc);
        p = put32(p, sid(w, x->file));
        p = put8(p, x->is_static);
        p = put8(p, x->is_const);
        p = put8(p, x->pyobject);
        p = put8(p, x->is_static_local);
        emit(w, rec, put32(p, x->func), GLOBAL_SIZE);
    }
    emit_count(w, f->nincluded_c);
    for (i = 0; i < f->nincluded_c; i++) emit(w, rec, put32(rec, sid(w, f->included_c[i])), PATH_SIZE);
    emit_count(w, f->ndeps);
    for (i = 0; i < f->ndeps; i++) emit(w, rec, put32(rec, sid(w, f->deps[i])), PATH_SIZE);
}

enum ca_status ca_facts_write(const struct ca_tu_facts *f, struct ca_buf *out)
{
    static const char zeros[HEADER_SIZE + 4];
    struct writer w = {out, {NULL, 0, 0, 0}, NULL, 0, 0, CA_OK};
    size_t start = out->len, plen;
    unsigned char hdr[HEADER_SIZE], *p;

    ca_buf_putn(out, zeros, sizeof zeros); /* the header and the string count, set below */
    write_arrays(&w, f);
    if (w.st == CA_OK && (out->failed || w.body.failed)) w.st = CA_ERR_NOMEM;
    if (w.st != CA_OK) goto out;
    ca_buf_putn(out, w.body.data, w.body.len);
    if (out->failed) {
        w.st = CA_ERR_NOMEM;
        goto out;
    }
    put32((unsigned char *)out->data + start + HEADER_SIZE, w.nstr);
    plen = out->len - start - HEADER_SIZE;
    memcpy(hdr, magic, sizeof magic);
    p = put32(hdr + sizeof magic, CA_FACTS_IO_VERSION);
    p = put64(p, plen);
    put64(p, ca_facts_checksum(out->data + start + HEADER_SIZE, plen));
    memcpy(out->data + start, hdr, HEADER_SIZE);
out:
    if (w.st == CA_ERR_NOMEM) out->failed = 1;
    ca_buf_fini(&w.body);
    ca_free(w.tab);
    return w.st;
}

/* ------------------------------------------------------------------ reading */

struct reader {
    const unsigned char *p, *end; /* the unread rest of the payload */
    const char **strs;            /* string id k is strs[k - 1] */
    uint32_t nstr;
    enum ca_status st;            /* sticky: the first failure */
};

static void fail(struct reader *r, enum ca_status st)
{
    if (r->st == CA_OK) r->st = st;
}

/* n records of `size` bytes: their start (the reader moves past them), NULL if truncated. */
static const unsigned char *take(struct reader *r, uint32_t n, size_t size)
{
    const unsigned char *p = r->p;
    if (r->st || n > (size_t)(r->end - r->p) / size) {
        fail(r, CA_ERR_PARSE);
        return NULL;
    }
    r->p += (size_t)n * size;
    return p;
}

/* Field readers: the record was taken whole, so they need no bounds checks. */
static uint32_t get32(const unsigned char **q)
{
    const unsigned char *p = *q;
    *q += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char **q)
{
    uint64_t lo = get32(q);
    return lo | (uint64_t)get32(q) << 32;
}

static struct ca_loc get_loc(const unsigned char **q)
{
    struct ca_loc l;
    l.line = get32(q);
    l.col = get32(q);
    return l;
}

static bool get_bool(struct reader *r, const unsigned char **q)
{
    unsigned char v = *(*q)++;
    if (v > 1) fail(r, CA_ERR_PARSE);
    return v == 1;
}

/* An enum value or flag set: v must be below `limit`. */
static uint32_t get_below(struct reader *r, const unsigned char **q, uint32_t limit)
{
    uint32_t v = get32(q);
    if (v >= limit) fail(r, CA_ERR_PARSE);
    return v;
}

static const char *get_str(struct reader *r, const unsigned char **q)
{
    uint32_t id = get32(q);
    if (id > r->nstr) {
        fail(r, CA_ERR_PARSE);
        return NULL;
    }
    return id ? r->strs[id - 1] : NULL;
}

/* The string table: validated in place, then copied to the arena in one block that the strings
 * point into. */
static void read_strings(struct reader *r, struct ca_arena *arena)
{
    const unsigned char *q = take(r, 1, 4), *start;
    unsigned char *copy;
    uint32_t n, i, len;
    if (!q) return;
    n = get32(&q);
    start = r->p;
    if (n > (size_t)(r->end - start) / 5) { /* each takes 5 bytes at least */
        fail(r, CA_ERR_PARSE);
        return;
    }
    for (i = 0; i < n; i++) {
        if (r->end - r->p < 4) break;
        len = get32(&r->p);
        if (len >= (size_t)(r->end - r->p) || memchr(r->p, 0, len) || r->p[len]) break;
        r->p += (size_t)len + 1;
    }
    if (i < n) {
        fail(r, CA_ERR_PARSE);
        return;
    }
    if (n == 0) return;
    r->strs = ca_malloc((size_t)n * sizeof *r->strs);
    copy = ca_arena_alloc(arena, (size_t)(r->p - start));
    if (!r->strs || !copy) {
        fail(r, CA_ERR_NOMEM);
        return;
    }
    memcpy(copy, start, (size_t)(r->p - start));
    for (q = copy, i = 0; i < n; i++) {
        len = get32(&q);
        r->strs[i] = (const char *)q;
        q += (size_t)len + 1;
    }
    r->nstr = n;
}

/* The count of the next array and its records; allocates the array (exact size, recorded in
 * *cap for ca_facts_fini and later growth).  Returns the records, NULL when there are none or on
 * failure (r->st says which). */
static const unsigned char *take_array(struct reader *r, uint32_t *n, size_t rsize, void **arr, size_t esize,
                                       size_t *cap)
{
    const unsigned char *q = take(r, 1, 4), *recs;
    if (!q) return NULL;
    *n = get32(&q);
    recs = take(r, *n, rsize);
    if (!recs || *n == 0) {
        *n = 0;
        return NULL;
    }
    *arr = ca_malloc((size_t)*n * esize);
    if (!*arr) {
        *n = 0;
        fail(r, CA_ERR_NOMEM);
        return NULL;
    }
    *cap = *n;
    return recs;
}

#define TAKE(r, f, arr, n, rsize, k) \
    take_array(r, &(f)->n, rsize, (void **)&(f)->arr, sizeof *(f)->arr, &(f)->cap_[k])

/* Everything after the string table.  ORDER FACTS_IO */
static void read_arrays(struct reader *r, struct ca_tu_facts *f)
{
    const unsigned char *q = take(r, 1, TU_SIZE);
    uint32_t i;
    if (!q) return;
    f->path = get_str(r, &q);
    f->status = (enum ca_tu_status)get_below(r, &q, CA_TU_MISSING + 1);
    f->python = get_bool(r, &q);
    f->ft_declared = get_bool(r, &q);
    q = TAKE(r, f, funcs, nfuncs, FUNC_SIZE, 0);
    for (i = 0; i < f->nfuncs; i++) {
        struct ca_fact_func *x = &f->funcs[i];
        x->name = get_str(r, &q);
        x->loc = get_loc(&q);
        x->end = get_loc(&q);
        x->is_static = get_bool(r, &q);
        x->ir_root = get32(&q);
        x->nparams = get32(&q);
        x->file = get_str(r, &q);
    }
    q = TAKE(r, f, loops, nloops, LOOP_SIZE, 1);
    for (i = 0; i < f->nloops; i++) {
        struct ca_fact_loop *x = &f->loops[i];
        x->func = get32(&q);
        x->parent = get32(&q);
        x->depth = get32(&q);
        x->kind = (enum ca_loop_kind)get_below(r, &q, CA_LOOP_DO + 1);
        x->bound = (enum ca_bound)get_below(r, &q, CA_BOUND_INFINITE + 1);
        x->trip = (int64_t)get64(&q);
        x->loc = get_loc(&q);
        x->end_line = get32(&q);
        x->ops = get32(&q);
    }
    q = TAKE(r, f, calls, ncalls, CALL_SIZE, 2);
    for (i = 0; i < f->ncalls; i++) {
        struct ca_fact_call *x = &f->calls[i];
        x->func = get32(&q);
        x->loop = get32(&q);
        x->loc = get_loc(&q);
        x->name = get_str(r, &q);
        x->macro = get_str(r, &q);
        x->flags = get_below(r, &q, CA_CALL_STDSTREAM << 1);
        x->nargs = get32(&q);
        x->zero_args = get32(&q);
        x->fptype = get_str(r, &q);
        x->field = get_str(r, &q);
    }
    q = TAKE(r, f, macros, nmacros, MACRO_SIZE, 3);
    for (i = 0; i < f->nmacros; i++) {
        struct ca_fact_macro *x = &f->macros[i];
        x->func = get32(&q);
        x->loop = get32(&q);
        x->loc = get_loc(&q);
        x->name = get_str(r, &q);
    }
    q = TAKE(r, f, writes, nwrites, WRITE_SIZE, 4);
    for (i = 0; i < f->nwrites; i++) {
        struct ca_fact_write *x = &f->writes[i];
        x->func = get32(&q);
        x->loop = get32(&q);
        x->loc = get_loc(&q);
        x->name = get_str(r, &q);
        x->is_static_local = get_bool(r, &q);
    }
    q = TAKE(r, f, fnrefs, nfnrefs, FNREF_SIZE, 5);
    for (i = 0; i < f->nfnrefs; i++) {
        struct ca_fact_fnref *x = &f->fnrefs[i];
        x->ctx = (enum ca_fnref_ctx)get_below(r, &q, CA_FNREF_OTHER + 1);
        x->name = get_str(r, &q);
        x->func = get32(&q);
        x->call = get32(&q);
        x->arg = get32(&q);
        x->holder_type = get_str(r, &q);
        x->loc = get_loc(&q);
        x->fntype = get_str(r, &q);
        x->field = get_str(r, &q);
    }
    q = TAKE(r, f, ir, nir, IR_SIZE, 7);
    for (i = 0; i < f->nir; i++) {
        struct ca_ir_node *x = &f->ir[i];
        x->kind = (enum ca_ir_kind)get_below(r, &q, CA_IR_LABEL + 1);
        x->flags = get_below(r, &q, CA_IR_ZERO_SKIP << 1);
        x->first_child = get32(&q);
        x->next_sibling = get32(&q);
        x->ref = get32(&q);
        x->label = get_str(r, &q);
        x->loc = get_loc(&q);
    }
    q = TAKE(r, f, diags, ndiags, DIAG_SIZE, 6);
    for (i = 0; i < f->ndiags; i++) {
        struct ca_fact_diag *x = &f->diags[i];
        x->file = get_str(r, &q);
        x->loc = get_loc(&q);
        x->message = get_str(r, &q);
    }
    q = TAKE(r, f, globals, nglobals, GLOBAL_SIZE, 8);
    for (i = 0; i < f->nglobals; i++) {
        struct ca_fact_global *x = &f->globals[i];
        x->name = get_str(r, &q);
        x->loc = get_loc(&q);
        x->file = get_str(r, &q);
        x->is_static = get_bool(r, &q);
        x->is_const = get_bool(r, &q);
        x->pyobject = get_bool(r, &q);
        x->is_static_local = get_bool(r, &q);
        x->func = get32(&q);
    }
    q = TAKE(r, f, included_c, nincluded_c, PATH_SIZE, 9);
    for (i = 0; i < f->nincluded_c; i++) f->included_c[i] = get_str(r, &q);
    q = TAKE(r, f, deps, ndeps, PATH_SIZE, 10);
    for (i = 0; i < f->ndeps; i++) f->deps[i] = get_str(r, &q);
}

/* i is an index into an array of n, or CA_NONE when `none` allows it. */
static bool in_range(uint32_t i, uint32_t n, bool none) { return i < n || (none && i == CA_NONE); }

/* The IR is a forest: every node has one incoming link at most, counting first_child,
 * next_sibling and function roots (so a root is no child and belongs to one function), and
 * there is no cycle.  With one parent at most, a breadth-first walk from the parentless nodes
 * queues each node once at most; a node it does not reach lies on a cycle or below one. */
static enum ca_status check_ir(const struct ca_tu_facts *f)
{
    uint32_t *indeg = NULL, *queue, head = 0, tail = 0, i;
    enum ca_status st = CA_ERR_PARSE;
    if (f->nir == 0) return CA_OK;
    indeg = ca_calloc(2 * (size_t)f->nir, sizeof *indeg);
    if (!indeg) return CA_ERR_NOMEM;
    queue = indeg + f->nir;
    for (i = 0; i < f->nir; i++) {
        const struct ca_ir_node *x = &f->ir[i];
        if (x->first_child != CA_NONE && indeg[x->first_child]++) goto out;
        if (x->next_sibling != CA_NONE && indeg[x->next_sibling]++) goto out;
    }
    for (i = 0; i < f->nir; i++)
        if (!indeg[i]) queue[tail++] = i;
    for (i = 0; i < f->nfuncs; i++)
        if (f->funcs[i].ir_root != CA_NONE && indeg[f->funcs[i].ir_root]++) goto out;
    while (head < tail) {
        const struct ca_ir_node *x = &f->ir[queue[head++]];
        if (x->first_child != CA_NONE) queue[tail++] = x->first_child;
        if (x->next_sibling != CA_NONE) queue[tail++] = x->next_sibling;
    }
    st = tail == f->nir ? CA_OK : CA_ERR_PARSE;
out:
    ca_free(indeg);
    return st;
}

/* Every index in range (CA_NONE where facts.h allows it), loop parents before their loops (so
 * parent chains end), and the IR a forest. */
static enum ca_status check_links(const struct ca_tu_facts *f)
{
    uint32_t i;
    for (i = 0; i < f->nfuncs; i++)
        if (!in_range(f->funcs[i].ir_root, f->nir, true)) return CA_ERR_PARSE;
    for (i = 0; i < f->nloops; i++)
        if (!in_range(f->loops[i].func, f->nfuncs, false) || !in_range(f->loops[i].parent, i, true))
            return CA_ERR_PARSE;
    for (i = 0; i < f->ncalls; i++)
        if (!in_range(f->calls[i].func, f->nfuncs, false) || !in_range(f->calls[i].loop, f->nloops, true))
            return CA_ERR_PARSE;
    for (i = 0; i < f->nmacros; i++)
        if (!in_range(f->macros[i].func, f->nfuncs, false) || !in_range(f->macros[i].loop, f->nloops, true))
            return CA_ERR_PARSE;
    for (i = 0; i < f->nwrites; i++)
        if (!in_range(f->writes[i].func, f->nfuncs, false) || !in_range(f->writes[i].loop, f->nloops, true))
            return CA_ERR_PARSE;
    for (i = 0; i < f->nfnrefs; i++)
        if (!in_range(f->fnrefs[i].func, f->nfuncs, true) || !in_range(f->fnrefs[i].call, f->ncalls, true))
            return CA_ERR_PARSE;
    for (i = 0; i < f->nglobals; i++) {
        const struct ca_fact_global *g = &f->globals[i];
        if (g->is_static_local ? g->func >= f->nfuncs : g->func != CA_NONE) return CA_ERR_PARSE;
    }
    for (i = 0; i < f->nir; i++) {
        const struct ca_ir_node *x = &f->ir[i];
        unsigned zero = x->flags & (CA_IR_ZERO_ARM0 | CA_IR_ZERO_ARM1 | CA_IR_ZERO_SKIP);
        bool ref_ok = x->kind == CA_IR_LOOP     ? in_range(x->ref, f->nloops, true)
                      : x->kind == CA_IR_CALL   ? in_range(x->ref, f->ncalls, false)
                      : x->kind == CA_IR_BRANCH ? (zero ? (zero & (zero - 1)) == 0 && in_range(x->ref, f->ncalls, false)
                                                        : x->ref == CA_NONE)
                                                : x->ref == CA_NONE;
        if (!ref_ok || !in_range(x->first_child, f->nir, true) || !in_range(x->next_sibling, f->nir, true))
            return CA_ERR_PARSE;
    }
    return check_ir(f);
}

enum ca_status ca_facts_read(const void *data, size_t len, struct ca_tu_facts *out, size_t *used)
{
    const unsigned char *d = data, *q;
    struct reader r = {NULL, NULL, NULL, 0, CA_OK};
    uint64_t plen, sum;
    *used = 0;
    r.st = ca_facts_init(out, NULL);
    if (r.st != CA_OK) goto out;
    if (len < HEADER_SIZE || memcmp(d, magic, sizeof magic) != 0) {
        r.st = CA_ERR_PARSE;
        goto out;
    }
    q = d + sizeof magic;
    if (get32(&q) != CA_FACTS_IO_VERSION || (plen = get64(&q)) > len - HEADER_SIZE) {
        r.st = CA_ERR_PARSE;
        goto out;
    }
    sum = get64(&q);
    r.p = d + HEADER_SIZE;
    r.end = r.p + plen;
    if (ca_facts_checksum(r.p, (size_t)plen) != sum) {
        r.st = CA_ERR_PARSE;
        goto out;
    }
    read_strings(&r, &out->arena);
    read_arrays(&r, out);
    if (r.st == CA_OK && r.p != r.end) r.st = CA_ERR_PARSE;
    if (r.st == CA_OK) r.st = check_links(out);
    if (r.st == CA_OK) *used = HEADER_SIZE + (size_t)plen;
out:
    ca_free(r.strs);
    return r.st;
}
