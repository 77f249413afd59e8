/* facts.c: building and releasing translation-unit facts.  The dump format lives in
 * facts_dump.c.  No libclang here. */
#include "facts.h"

#include <stdlib.h>
#include <string.h>

enum ca_status ca_facts_init(struct ca_tu_facts *f, const char *path)
{
    memset(f, 0, sizeof *f);
    ca_arena_init(&f->arena);
    f->path = ca_arena_strdup(&f->arena, path ? path : "");
    return f->path ? CA_OK : CA_ERR_NOMEM;
}

void ca_facts_fini(struct ca_tu_facts *f)
{
    if (!f) return;
    ca_free(f->funcs);
    ca_free(f->loops);
    ca_free(f->calls);
    ca_free(f->macros);
    ca_free(f->writes);
    ca_free(f->fnrefs);
    ca_free(f->ir);
    ca_free(f->diags);
    ca_free(f->globals);
    ca_free(f->included_c);
    ca_free(f->deps);
    ca_arena_fini(&f->arena);
    memset(f, 0, sizeof *f);
}

/* Append `v` (size `size`) to *arr with count *n and capacity *cap; index via *idx. */
static enum ca_status push(void **arr, uint32_t *n, size_t *cap, const void *v, size_t size, uint32_t *idx)
{
    enum ca_status st = ca_grow(arr, cap, (size_t)*n + 1, size);
    if (st != CA_OK) return st;
    memcpy((char *)*arr + (size_t)*n * size, v, size);
    if (idx) *idx = *n;
    (*n)++;
    return CA_OK;
}

/* Copy a string into the arena; NULL stays NULL. */
static enum ca_status dup(struct ca_tu_facts *f, const char **s)
{
    if (!*s) return CA_OK;
    *s = ca_arena_strdup(&f->arena, *s);
    return *s ? CA_OK : CA_ERR_NOMEM;
}

enum ca_status ca_facts_add_func(struct ca_tu_facts *f, const struct ca_fact_func *v, uint32_t *idx)
{
    struct ca_fact_func c = *v;
    enum ca_status st = dup(f, &c.name);
    if (st == CA_OK) st = dup(f, &c.file);
    return st ? st : push((void **)&f->funcs, &f->nfuncs, &f->cap_[0], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_loop(struct ca_tu_facts *f, const struct ca_fact_loop *v, uint32_t *idx)
{
    return push((void **)&f->loops, &f->nloops, &f->cap_[1], v, sizeof *v, idx);
}

enum ca_status ca_facts_add_call(struct ca_tu_facts *f, const struct ca_fact_call *v, uint32_t *idx)
{
    struct ca_fact_call c = *v;
    enum ca_status st = dup(f, &c.name);
    if (st == CA_OK) st = dup(f, &c.macro);
    if (st == CA_OK) st = dup(f, &c.fptype);
    if (st == CA_OK) st = dup(f, &c.field);
    return st ? st : push((void **)&f->calls, &f->ncalls, &f->cap_[2], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_macro(struct ca_tu_facts *f, const struct ca_fact_macro *v, uint32_t *idx)
{
    struct ca_fact_macro c = *v;
    enum ca_status st = dup(f, &c.name);
    return st ? st : push((void **)&f->macros, &f->nmacros, &f->cap_[3], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_write(struct ca_tu_facts *f, const struct ca_fact_write *v, uint32_t *idx)
{
    struct ca_fact_write c = *v;
    enum ca_status st = dup(f, &c.name);
    return st ? st : push((void **)&f->writes, &f->nwrites, &f->cap_[4], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_fnref(struct ca_tu_facts *f, const struct ca_fact_fnref *v, uint32_t *idx)
{
    struct ca_fact_fnref c = *v;
    enum ca_status st = dup(f, &c.name);
    if (st == CA_OK) st = dup(f, &c.holder_type);
    if (st == CA_OK) st = dup(f, &c.fntype);
    if (st == CA_OK) st = dup(f, &c.field);
    return st ? st : push((void **)&f->fnrefs, &f->nfnrefs, &f->cap_[5], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_diag(struct ca_tu_facts *f, const struct ca_fact_diag *v, uint32_t *idx)
{
    struct ca_fact_diag c = *v;
    enum ca_status st = dup(f, &c.file);
    if (st == CA_OK) st = dup(f, &c.message);
    return st ? st : push((void **)&f->diags, &f->ndiags, &f->cap_[6], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_global(struct ca_tu_facts *f, const struct ca_fact_global *v, uint32_t *idx)
{
    struct ca_fact_global c = *v;
    enum ca_status st = dup(f, &c.name);
    if (st == CA_OK) st = dup(f, &c.file);
    return st ? st : push((void **)&f->globals, &f->nglobals, &f->cap_[8], &c, sizeof c, idx);
}

enum ca_status ca_facts_add_included_c(struct ca_tu_facts *f, const char *path, uint32_t *idx)
{
    enum ca_status st = dup(f, &path);
    return st ? st : push((void **)&f->included_c, &f->nincluded_c, &f->cap_[9], &path, sizeof path, idx);
}

enum ca_status ca_facts_add_dep(struct ca_tu_facts *f, const char *path, uint32_t *idx)
{
    enum ca_status st = dup(f, &path);
    return st ? st : push((void **)&f->deps, &f->ndeps, &f->cap_[10], &path, sizeof path, idx);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void ca_facts_sort_deps(struct ca_tu_facts *f)
{
    uint32_t n = 0;
    if (f->ndeps > 1) qsort(f->deps, f->ndeps, sizeof *f->deps, cmp_str);
    for (uint32_t i = 0; i < f->ndeps; i++)
        if (!n || strcmp(f->deps[n - 1], f->deps[i]) != 0) f->deps[n++] = f->deps[i];
    f->ndeps = n;
}

enum ca_status ca_facts_add_ir(struct ca_tu_facts *f, enum ca_ir_kind kind, uint32_t flags, uint32_t ref,
                               const char *label, uint32_t *idx)
{
    struct ca_ir_node n = {kind, flags, CA_NONE, CA_NONE, ref, label, {0, 0}};
    enum ca_status st = dup(f, &n.label);
    return st ? st : push((void **)&f->ir, &f->nir, &f->cap_[7], &n, sizeof n, idx);
}

void ca_facts_ir_append(struct ca_tu_facts *f, uint32_t parent, uint32_t child)
{
    uint32_t *link = &f->ir[parent].first_child;
    while (*link != CA_NONE) link = &f->ir[*link].next_sibling;
    *link = child;
}

/* ORDER LOOPKIND */
const char *ca_loop_kind_str(enum ca_loop_kind k)
{
    static const char *const names[] = {"for", "while", "do"};
    return (unsigned)k < 3 ? names[k] : "?";
}

/* ORDER BOUND */
const char *ca_bound_str(enum ca_bound b)
{
    static const char *const names[] = {"unknown", "const", "var", "infinite"};
    return (unsigned)b < 4 ? names[b] : "?";
}
