/* program.c: joins the facts of every translation unit into one program: the function table,
 * call-site resolution and catalog roles.  No flow analysis here (gilflow.c, summary.c). */
#include "program.h"

#include <stdlib.h>
#include <string.h>

ca_curs ca_gstate_curs(ca_gstate s)
{
    ca_curs c = 0;
    for (unsigned cur = 0; cur < CA_NSTATES; cur++)
        if (s & (((1u << CA_NSAVED) - 1) << (cur * CA_NSAVED)))
            c |= (ca_curs)(1u << (cur == CA_CUR_NESTED ? CA_CUR_RELEASED : cur));
    return c;
}

/* The name index: every definition as (name, fn id), sorted by name then id.  Resolution from
 * TU t: t's own definition of the name (static or not) first, else the single external
 * definition elsewhere; several external definitions elsewhere make the name ambiguous, and an
 * ambiguous call stays unknown rather than picking one. */
struct ca_name_ent {
    const char *name;
    uint32_t fn;
};

static int cmp_name(const void *a, const void *b)
{
    const struct ca_name_ent *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->fn > y->fn) - (x->fn < y->fn);
}

/* Index of the first definition whose name is >= name. */
static uint32_t names_lower(const struct ca_program *p, const char *name)
{
    uint32_t lo = 0, hi = p->nnames;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->names[mid].name, name) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

uint32_t ca_program_resolve(const struct ca_program *p, uint32_t tu, const char *name)
{
    uint32_t found = CA_NONE, nfound = 0;
    for (uint32_t i = names_lower(p, name); i < p->nnames && strcmp(p->names[i].name, name) == 0; i++) {
        const struct ca_fn *fn = &p->fns[p->names[i].fn];
        if (fn->tu == tu) return p->names[i].fn;
        if (p->tus[fn->tu].funcs[fn->idx].is_static) continue;
        found = p->names[i].fn;
        nfound++;
    }
    return nfound == 1 ? found : CA_NONE;
}

void ca_program_call_at(const struct ca_program *p, uint32_t gid, uint32_t *tu, uint32_t *call)
{
    uint32_t lo = 0, hi = p->ntus;
    while (hi - lo > 1) { /* last tu whose base <= gid */
        uint32_t mid = lo + (hi - lo) / 2;
        if (p->call_base[mid] <= gid) lo = mid; else hi = mid;
    }
    *tu = lo;
    *call = gid - p->call_base[lo];
}

static enum ca_status alloc_views(struct ca_program *p)
{
    for (uint32_t t = 0; t < p->ntus; t++) {
        struct ca_tu_facts *f = &p->tus[t];
        struct ca_tu_view *v = &p->views[t];
        v->calls = ca_calloc(f->ncalls, sizeof *v->calls);
        v->before = ca_calloc(f->ncalls, sizeof *v->before);
        v->after = ca_calloc(f->ncalls, sizeof *v->after);
        v->loop_head = ca_calloc(f->nloops, sizeof *v->loop_head);
        v->loop_seen = ca_calloc(f->nloops, sizeof *v->loop_seen);
        v->loop_child = ca_calloc(f->nloops ? f->nloops : 1, sizeof *v->loop_child);
        v->fn_of = ca_calloc(f->nfuncs, sizeof *v->fn_of);
        if (!v->calls || !v->before || !v->after || !v->loop_head || !v->loop_seen || !v->loop_child || !v->fn_of)
            return CA_ERR_NOMEM;
        p->call_base[t] = p->ncalls_total;
        p->ncalls_total += f->ncalls;
    }
    return CA_OK;
}

/* Like ca_program_resolve, but a name defined externally in several other TUs gives all of
 * them (the linker picks one; we cannot know which, so the analysis joins them). */
static enum ca_status resolve_call(struct ca_program *p, uint32_t tu, const char *name, struct ca_callsite *cs)
{
    uint32_t n = 0;
    enum ca_status st = CA_OK;
    cs->target = ca_program_resolve(p, tu, name);
    if (cs->target != CA_NONE) return CA_OK;
    for (uint32_t i = names_lower(p, name); i < p->nnames && strcmp(p->names[i].name, name) == 0; i++) {
        const struct ca_fn *fn = &p->fns[p->names[i].fn];
        if (p->tus[fn->tu].funcs[fn->idx].is_static) continue;
        if (n == 0) cs->alt = (uint32_t)p->nalts;
        CA_PUSH(st, p->alts, p->nalts, p->alts_cap, p->names[i].fn);
        if (st != CA_OK) return st;
        n++;
    }
    if (n >= 2) {
        cs->nalt = n;
        cs->target = p->alts[cs->alt];
    } else {
        p->nalts -= n;
    }
    return CA_OK;
}

/* Functions whose address is taken, for calls through pointers: matched by the canonical
 * function type, and by the struct member they are stored in when both sides know it. */
struct ca_addr_taken {
    const char *fntype, *field;
    uint32_t fn;
};

static int cmp_taken(const void *a, const void *b)
{
    const struct ca_addr_taken *x = a, *y = b;
    int c = strcmp(x->fntype, y->fntype);
    if (c) return c;
    return (x->fn > y->fn) - (x->fn < y->fn);
}

static enum ca_status collect_taken(struct ca_program *p)
{
    size_t n = 0, cap = 0;
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < p->ntus && st == CA_OK; t++)
        for (uint32_t r = 0; r < p->tus[t].nfnrefs && st == CA_OK; r++) {
            const struct ca_fact_fnref *ref = &p->tus[t].fnrefs[r];
            struct ca_addr_taken a = {ref->fntype, ref->field, ca_program_resolve(p, t, ref->name)};
            if (!a.fntype || a.fn == CA_NONE) continue;
            CA_PUSH(st, p->taken, n, cap, a);
        }
    p->ntaken = (uint32_t)n;
    if (n > 1) qsort(p->taken, n, sizeof *p->taken, cmp_taken);
    return st;
}

/* Candidates of an indirect call: same type; same member when some candidate was stored in it. */
static enum ca_status resolve_pointer(struct ca_program *p, const struct ca_fact_call *call, struct ca_callsite *cs)
{
    uint32_t lo = 0, hi = p->ntaken, n = 0;
    bool by_field = false;
    enum ca_status st = CA_OK;
    size_t start = p->nalts;
    if (!call->fptype || !p->ntaken) return CA_OK;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->taken[mid].fntype, call->fptype) < 0) lo = mid + 1; else hi = mid;
    }
    for (uint32_t i = lo; call->field && i < p->ntaken && strcmp(p->taken[i].fntype, call->fptype) == 0; i++)
        if (p->taken[i].field && strcmp(p->taken[i].field, call->field) == 0) by_field = true;
    /* Precise or nothing: through a member, only the functions stored in that member; through a
     * plain pointer, only a handful of candidates of the type.  A popular type matched loosely
     * floods hundreds of functions with every call site's state. */
    if (call->field && !by_field) return CA_OK;
    for (uint32_t i = lo; i < p->ntaken && strcmp(p->taken[i].fntype, call->fptype) == 0; i++) {
        if (by_field && !(p->taken[i].field && strcmp(p->taken[i].field, call->field) == 0)) continue;
        if (n && p->alts[p->nalts - 1] == p->taken[i].fn) continue; /* sorted by fn within a type */
        if (n == (by_field ? CA_MAX_POINTER_TARGETS : CA_MAX_TYPE_ONLY_TARGETS)) { n++; break; }
        CA_PUSH(st, p->alts, p->nalts, p->alts_cap, p->taken[i].fn);
        if (st != CA_OK) return st;
        n++;
    }
    if (n == 0 || n > (by_field ? CA_MAX_POINTER_TARGETS : CA_MAX_TYPE_ONLY_TARGETS)) {
        p->nalts = start;
        return CA_OK;
    }
    cs->alt = (uint32_t)start;
    cs->nalt = n >= 2 ? n : 0;
    cs->target = p->alts[start];
    if (n == 1) p->nalts = start;
    cs->via_pointer = true;
    cs->unknown = false;
    return CA_OK;
}

static enum ca_status classify_call(struct ca_program *p, uint32_t tu, uint32_t c)
{
    const struct ca_tu_facts *f = &p->tus[tu];
    const struct ca_fact_call *call = &f->calls[c];
    struct ca_callsite *cs = &p->views[tu].calls[c];
    cs->target = CA_NONE;
    cs->info.spawn_arg = -1;
    enum ca_status st;
    if (call->flags & CA_CALL_INDIRECT) {
        cs->unknown = true;
        return resolve_pointer(p, call, cs);
    }
    if ((st = resolve_call(p, tu, call->name, cs)) != CA_OK) return st;
    if (cs->target != CA_NONE) return CA_OK; /* the program's own definition wins over a catalog */
    cs->known = ca_rules_find_func(p->rules, call->name, &cs->info);
    if (!cs->known) {
        cs->unknown = true;
        cs->info.spawn_arg = -1;
        return CA_OK;
    }
    /* A call made by a macro that is safe without the GIL (PyBytes_AS_STRING -> Py_TYPE) does
     * not count as Python API use. */
    /* fprintf(stderr, ...), fputs(s, stdout): console output, not file I/O */
    if ((call->flags & CA_CALL_STDSTREAM) && cs->info.io == CA_IO_FILE) cs->info.io = CA_IO_CONSOLE;
    /* PyThread_acquire_lock(lock, 0) (NOWAIT_LOCK) only tries: not a wait */
    if (cs->info.io && cs->info.nonblocking_if_zero >= 0 && (call->zero_args >> cs->info.nonblocking_if_zero) & 1u) {
        cs->info.io = CA_IO_NONE;
        cs->info.io_unbounded = false;
    }
    cs->pyfunc = (call->flags & CA_CALL_PYDECL) != 0;
    /* The catalog's "Py*" patterns apply only to functions Python's headers declare: a project's
     * own PyBlake2_blake2b_update or PyFoo_helper is not the C-API. */
    cs->api = cs->info.python_api && cs->pyfunc &&
              !(call->macro && ca_rules_macro_role(p->rules, call->macro) == CA_MACRO_NO_GIL);
    return CA_OK;
}

enum ca_status ca_program_build(struct ca_program *p, struct ca_tu_facts *tus, uint32_t ntus,
                                const struct ca_rules *rules)
{
    enum ca_status st = CA_OK;
    size_t fncap = 0;
    memset(p, 0, sizeof *p);
    ca_arena_init(&p->arena);
    p->tus = tus;
    p->ntus = ntus;
    p->rules = rules;
    p->views = ca_calloc(ntus, sizeof *p->views);
    p->call_base = ca_calloc(ntus, sizeof *p->call_base);
    if (!p->views || !p->call_base) { st = CA_ERR_NOMEM; goto out; }
    if ((st = alloc_views(p)) != CA_OK) goto out;

    for (uint32_t t = 0; t < ntus; t++) { /* function table */
        struct ca_tu_facts *f = &tus[t];
        for (uint32_t i = 0; i < f->nfuncs; i++) {
            p->views[t].fn_of[i] = CA_NONE;
            if (f->funcs[i].ir_root == CA_NONE) continue;
            st = ca_grow((void **)&p->fns, &fncap, (size_t)p->nfns + 1, sizeof *p->fns);
            if (st != CA_OK) goto out;
            memset(&p->fns[p->nfns], 0, sizeof *p->fns);
            p->fns[p->nfns].tu = t;
            p->fns[p->nfns].idx = i;
            p->fns[p->nfns].name = f->funcs[i].name;
            for (unsigned c = 0; c < CA_NCUR; c++)
                p->fns[p->nfns].sum[c].io_ev = p->fns[p->nfns].sum[c].cpu_ev = p->fns[p->nfns].sum[c].api_ev = CA_NONE;
            p->views[t].fn_of[i] = p->nfns++;
        }
    }
    p->names = ca_calloc(p->nfns ? p->nfns : 1, sizeof *p->names);
    if (!p->names) { st = CA_ERR_NOMEM; goto out; }
    for (uint32_t i = 0; i < p->nfns; i++) {
        p->names[i].name = p->fns[i].name;
        p->names[i].fn = i;
    }
    p->nnames = p->nfns;
    qsort(p->names, p->nnames, sizeof *p->names, cmp_name);
    if ((st = collect_taken(p)) != CA_OK) goto out;
    for (uint32_t t = 0; t < ntus; t++)
        for (uint32_t c = 0; c < tus[t].ncalls && st == CA_OK; c++) st = classify_call(p, t, c);
    if (st != CA_OK) goto out;
    if ((st = ca_program_mark_fork_children(p)) != CA_OK) goto out;
    for (uint32_t t = 0; t < ntus; t++)
        for (uint32_t l = 0; l < tus[t].nloops; l++) {
            uint32_t fn = p->views[t].fn_of[tus[t].loops[l].func];
            if (fn != CA_NONE) p->fns[fn].has_loops = true;
        }
out:
    return st;
}

void ca_program_fini(struct ca_program *p)
{
    if (!p) return;
    for (uint32_t t = 0; p->views && t < p->ntus; t++) {
        struct ca_tu_view *v = &p->views[t];
        ca_free(v->calls);
        ca_free(v->before);
        ca_free(v->after);
        ca_free(v->loop_head);
        ca_free(v->loop_seen);
        ca_free(v->loop_child);
        ca_free(v->fn_of);
    }
    ca_free(p->views);
    ca_free(p->call_base);
    ca_free(p->fns);
    ca_free(p->names);
    ca_free(p->alts);
    ca_free(p->taken);
    ca_free(p->finds);
    ca_arena_fini(&p->arena);
    memset(p, 0, sizeof *p);
}
