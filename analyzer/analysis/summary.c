/* summary.c: the whole-program phases.
 * 1. Bottom-up: each function's effects per entry state (exit states, where it does I/O, CPU
 *    work, Python API calls), to a fixpoint over the call graph (recursion converges because
 *    summaries only grow).
 * 2. Top-down: entry states.  Functions Python calls (entry tables, PyInit_*) start held; thread
 *    start routines start released; a function handed to another as a callback starts in the
 *    state of that call; everything else joins the states of its call sites.  Functions nobody
 *    reaches start `unknown` in a Python file and `none` in plain C.
 * 3. Unbalanced release: functions entered held whose exits disagree (held on some paths,
 *    released on others) get a finding at each exit that leaves released.
 * Function pointers other than callbacks and entry tables are not resolved here (stay unknown). */
#include <stdlib.h>
#include <string.h>

#include "program.h"

struct graph {
    uint32_t *start, *edges; /* CSR: callers of fn g are edges[start[g] .. start[g+1]) */
};

static void graph_fini(struct graph *g)
{
    ca_free(g->start);
    ca_free(g->edges);
}

static uint32_t fn_of_call(const struct ca_program *p, uint32_t tu, uint32_t call)
{
    return p->views[tu].fn_of[p->tus[tu].calls[call].func];
}

static enum ca_status build_callers(const struct ca_program *p, struct graph *g)
{
    uint32_t n = p->nfns, total = 0;
    uint32_t *fill;
    g->start = ca_calloc((size_t)n + 1, sizeof *g->start);
    fill = ca_calloc((size_t)n + 1, sizeof *fill);
    if (!g->start || !fill) { ca_free(fill); return CA_ERR_NOMEM; }
    for (uint32_t t = 0; t < p->ntus; t++)
        for (uint32_t c = 0; c < p->tus[t].ncalls; c++) {
            const struct ca_callsite *cs = &p->views[t].calls[c];
            if (fn_of_call(p, t, c) == CA_NONE) continue;
            for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) {
                g->start[ca_target(p, cs, ti) + 1]++;
                total++;
            }
        }
    for (uint32_t i = 0; i < n; i++) g->start[i + 1] += g->start[i];
    g->edges = ca_calloc(total ? total : 1, sizeof *g->edges);
    if (!g->edges) { ca_free(fill); return CA_ERR_NOMEM; }
    for (uint32_t t = 0; t < p->ntus; t++)
        for (uint32_t c = 0; c < p->tus[t].ncalls; c++) {
            const struct ca_callsite *cs = &p->views[t].calls[c];
            uint32_t from = fn_of_call(p, t, c);
            if (from == CA_NONE) continue;
            for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) {
                uint32_t tg = ca_target(p, cs, ti);
                g->edges[g->start[tg] + fill[tg]++] = from;
            }
        }
    ca_free(fill);
    return CA_OK;
}

/* A simple FIFO worklist over function ids with an "is queued" bit. */
struct worklist {
    uint32_t *q;
    bool *in;
    uint32_t head, tail, cap;
};

static enum ca_status wl_init(struct worklist *w, uint32_t n)
{
    memset(w, 0, sizeof *w);
    w->cap = n + 1;
    w->q = ca_calloc(w->cap, sizeof *w->q);
    w->in = ca_calloc(w->cap, sizeof *w->in);
    return w->q && w->in ? CA_OK : CA_ERR_NOMEM;
}
static void wl_fini(struct worklist *w) { ca_free(w->q); ca_free(w->in); }
static void wl_push(struct worklist *w, uint32_t f)
{
    if (w->in[f]) return;
    w->in[f] = true;
    w->q[w->tail] = f;
    w->tail = (w->tail + 1) % w->cap;
}
static bool wl_pop(struct worklist *w, uint32_t *f)
{
    if (w->head == w->tail) return false;
    *f = w->q[w->head];
    w->head = (w->head + 1) % w->cap;
    w->in[*f] = false;
    return true;
}

static bool sum_eq(const struct ca_fn_sum *a, const struct ca_fn_sum *b)
{
    return a->exit == b->exit && a->seen == b->seen && a->io == b->io && a->io_unbounded == b->io_unbounded &&
           a->cpu == b->cpu && a->api == b->api && a->unknown == b->unknown && a->io_ev == b->io_ev &&
           a->cpu_ev == b->cpu_ev && a->api_ev == b->api_ev;
}

static enum ca_status bottom_up(struct ca_program *p, const struct graph *g)
{
    struct worklist w;
    enum ca_status st = wl_init(&w, p->nfns);
    uint32_t f;
    if (st != CA_OK) goto out;
    for (f = 0; f < p->nfns; f++) wl_push(&w, f);
    while (wl_pop(&w, &f)) {
        bool changed = false;
        for (unsigned cur = 0; cur < CA_NCUR; cur++) {
            struct ca_fn_sum s;
            struct ca_flow_rec rec;
            memset(&s, 0, sizeof s);
            s.io_ev = s.cpu_ev = s.api_ev = CA_NONE;
            memset(&rec, 0, sizeof rec);
            rec.sum = &s;
            if ((st = ca_flow_run(p, p->fns[f].tu, p->fns[f].idx, CA_CFG(cur, CA_SAVED_NONE), &rec)) != CA_OK)
                goto out;
            s.exit = ca_gstate_curs(rec.exit);
            s.seen |= (ca_curs)(1u << cur);
            if (!sum_eq(&s, &p->fns[f].sum[cur])) {
                p->fns[f].sum[cur] = s;
                changed = true;
            }
        }
        if (changed)
            for (uint32_t e = g->start[f]; e < g->start[f + 1]; e++) wl_push(&w, g->edges[e]);
    }
out:
    wl_fini(&w);
    return st;
}

static void set_entry(struct ca_program *p, uint32_t fn, ca_curs c, enum ca_entry_why why, const char *detail)
{
    struct ca_fn *f = &p->fns[fn];
    if ((f->entry | c) == f->entry) return;
    f->entry |= c;
    if (f->why == CA_ENTRY_NONE || why == CA_ENTRY_PYTHON || why == CA_ENTRY_THREAD) {
        if (f->why != CA_ENTRY_PYTHON) { f->why = why; f->why_detail = detail; }
    }
}

static void seed_roots(struct ca_program *p)
{
    for (uint32_t i = 0; i < p->nfns; i++)
        if (ca_rules_is_entry_func(p->rules, p->fns[i].name))
            set_entry(p, i, 1u << CA_CUR_HELD, CA_ENTRY_PYTHON, "module init function");
    for (uint32_t t = 0; t < p->ntus; t++) {
        const struct ca_tu_facts *f = &p->tus[t];
        for (uint32_t r = 0; r < f->nfnrefs; r++) {
            const struct ca_fact_fnref *ref = &f->fnrefs[r];
            uint32_t fn = ca_program_resolve(p, t, ref->name);
            if (fn == CA_NONE) continue;
            if (ref->ctx == CA_FNREF_INIT && ref->holder_type && ca_rules_is_entry_table(p->rules, ref->holder_type))
                set_entry(p, fn, 1u << CA_CUR_HELD, CA_ENTRY_PYTHON,
                          ca_arena_printf(&p->arena, "listed in a %s table", ref->holder_type));
            else if (ref->ctx == CA_FNREF_ARG && ref->call < f->ncalls) {
                const struct ca_callsite *cs = &p->views[t].calls[ref->call];
                if (cs->known && cs->info.spawn_arg >= 0 && (uint32_t)cs->info.spawn_arg == ref->arg)
                    set_entry(p, fn, 1u << CA_CUR_RELEASED, CA_ENTRY_THREAD,
                              ca_arena_printf(&p->arena, "thread start routine of %s()", f->calls[ref->call].name));
                else if (cs->pyfunc) /* Py_AddPendingCall, PyCapsule_New destructors: Python runs them held */
                    set_entry(p, fn, 1u << CA_CUR_HELD, CA_ENTRY_PYTHON,
                              ca_arena_printf(&p->arena, "callback handed to %s()", f->calls[ref->call].name));
                else if (cs->target == CA_NONE && !(cs->known && cs->info.sync_callbacks))
                    /* Handed to a C library that keeps it: the library calls it later, from
                     * whatever call into it triggers it (expat: during XML_Parse, GIL held;
                     * OpenSSL's password callback: during a load made with the GIL released).
                     * Which, the program does not say: unknown, never guessed. */
                    set_entry(p, fn, 1u << CA_CUR_UNKNOWN, CA_ENTRY_DEFAULT,
                              ca_arena_printf(&p->arena, "callback handed to the C library function %s()",
                                              f->calls[ref->call].name));
            }
        }
    }
}

static ca_gstate entry_state(ca_curs c)
{
    ca_gstate s = 0;
    for (unsigned cur = 0; cur < CA_NCUR; cur++)
        if (c & (1u << cur)) s |= CA_CFG(cur, CA_SAVED_NONE);
    return s;
}

/* Does any definition the call site may reach make an indirect call? */
static bool calls_through_pointer(const struct ca_program *p, const struct ca_callsite *cs)
{
    for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) {
        const struct ca_fn *g = &p->fns[ca_target(p, cs, ti)];
        const struct ca_tu_facts *f = &p->tus[g->tu];
        for (uint32_t c = 0; c < f->ncalls; c++)
            if (f->calls[c].func == g->idx && (f->calls[c].flags & CA_CALL_INDIRECT)) return true;
    }
    return false;
}

/* Propagate entry states from functions in the worklist to their callees and callbacks. */
static enum ca_status top_down_from(struct ca_program *p, struct worklist *w)
{
    uint32_t fi;
    enum ca_status st;
    while (wl_pop(w, &fi)) {
        struct ca_fn *fn = &p->fns[fi];
        struct ca_flow_rec rec;
        const struct ca_tu_facts *f = &p->tus[fn->tu];
        const struct ca_tu_view *v = &p->views[fn->tu];
        memset(&rec, 0, sizeof rec);
        rec.view = &p->views[fn->tu];
        rec.prog = p;
        if ((st = ca_flow_run(p, fn->tu, fn->idx, entry_state(fn->entry), &rec)) != CA_OK) return st;
        for (uint32_t c = 0; c < f->ncalls; c++) {
            const struct ca_callsite *cs = &v->calls[c];
            ca_curs in = ca_gstate_curs(v->before[c]);
            if (f->calls[c].func != fn->idx) continue;
            for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) {
                uint32_t tg = ca_target(p, cs, ti);
                if ((p->fns[tg].entry | in) != p->fns[tg].entry) {
                    set_entry(p, tg, in, CA_ENTRY_CALLERS, NULL);
                    wl_push(w, tg);
                }
            }
        }
        for (uint32_t r = 0; r < f->nfnrefs; r++) { /* synchronous callbacks: the caller's state */
            const struct ca_fact_fnref *ref = &f->fnrefs[r];
            uint32_t cb;
            if (ref->ctx != CA_FNREF_ARG || ref->func != fn->idx || ref->call >= f->ncalls) continue;
            if (v->calls[ref->call].known && (v->calls[ref->call].info.spawn_arg >= 0 || v->calls[ref->call].pyfunc))
                continue; /* a thread or a Python callback: seeded as a root */
            if (v->calls[ref->call].target == CA_NONE && !(v->calls[ref->call].known && v->calls[ref->call].info.sync_callbacks))
                continue; /* kept by a C library for later: seeded as a root (released) */
            /* Handed to a function of the program that never calls through a pointer: it stores
             * the function (a registry, a table), it does not run it.  Stay quiet. */
            if (v->calls[ref->call].target != CA_NONE && !calls_through_pointer(p, &v->calls[ref->call])) continue;
            cb = ca_program_resolve(p, fn->tu, ref->name);
            if (cb == CA_NONE) continue;
            ca_curs in = ca_gstate_curs(v->before[ref->call]);
            if ((p->fns[cb].entry | in) != p->fns[cb].entry) {
                set_entry(p, cb, in, CA_ENTRY_CALLERS,
                          ca_arena_printf(&p->arena, "callback passed to %s()", f->calls[ref->call].name));
                wl_push(w, cb);
            }
        }
    }
    return CA_OK;
}

static enum ca_status top_down(struct ca_program *p, const struct graph *g)
{
    struct worklist w;
    enum ca_status st = wl_init(&w, p->nfns);
    if (st != CA_OK) goto out;
    seed_roots(p);
    for (uint32_t i = 0; i < p->nfns; i++)
        if (p->fns[i].entry) wl_push(&w, i);
    for (;;) {
        bool any = false, progress = false;
        if ((st = top_down_from(p, &w)) != CA_OK) goto out;
        /* Unreached functions: first those nobody calls, then (cycles) the rest. */
        for (int pass = 0; pass < 2 && !progress; pass++)
            for (uint32_t i = 0; i < p->nfns; i++) {
                if (p->fns[i].entry) continue;
                any = true;
                if (pass == 0 && g->start[i + 1] > g->start[i]) continue;
                set_entry(p, i, p->tus[p->fns[i].tu].python ? 1u << CA_CUR_UNKNOWN : 1u << CA_CUR_NONE,
                          CA_ENTRY_DEFAULT, NULL);
                wl_push(&w, i);
                progress = true;
            }
        if (!any || !progress) break;
    }
out:
    wl_fini(&w);
    return st;
}

static void find_returns(struct ca_program *p, uint32_t tu, uint32_t func, uint32_t node, const ca_gstate *rs)
{
    const struct ca_tu_facts *f = &p->tus[tu];
    for (uint32_t c = f->ir[node].first_child; c != CA_NONE; c = f->ir[c].next_sibling) {
        /* definite only: every path reaching this return is released (see gilflow.c) */
        if (f->ir[c].kind == CA_IR_RETURN && ca_gstate_curs(rs[c]) == (1u << CA_CUR_RELEASED)) {
            struct ca_gil_finding fd = {CA_FIND_RETURN_RELEASED, tu, func, f->ir[c].loc, "return"};
            enum ca_status st;
            size_t n = p->nfinds;
            if (!fd.loc.line) fd.loc = f->funcs[func].end;
            CA_PUSH(st, p->finds, n, p->finds_cap, fd);
            if (st == CA_OK) p->nfinds = (uint32_t)n;
        }
        find_returns(p, tu, func, c, rs);
    }
}

static enum ca_status unbalanced(struct ca_program *p)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < p->ntus; t++) {
        const struct ca_tu_facts *f = &p->tus[t];
        ca_gstate *rs = NULL;
        for (uint32_t i = 0; i < f->nfuncs; i++) {
            uint32_t fi = p->views[t].fn_of[i];
            struct ca_flow_rec rec;
            ca_curs ex;
            if (fi == CA_NONE || !(p->fns[fi].entry & (1u << CA_CUR_HELD))) continue;
            ex = p->fns[fi].sum[CA_CUR_HELD].exit;
            if (!(ex & (1u << CA_CUR_HELD)) || !(ex & (1u << CA_CUR_RELEASED))) continue;
            if (!rs && !(rs = ca_calloc(f->nir, sizeof *rs))) return CA_ERR_NOMEM;
            memset(rs, 0, f->nir * sizeof *rs);
            memset(&rec, 0, sizeof rec);
            rec.ret_states = rs;
            if ((st = ca_flow_run(p, t, i, CA_CFG(CA_CUR_HELD, CA_SAVED_NONE), &rec)) != CA_OK) break;
            find_returns(p, t, i, f->funcs[i].ir_root, rs);
            if (ca_gstate_curs(rs[f->funcs[i].ir_root]) == (1u << CA_CUR_RELEASED)) { /* falls off the end */
                struct ca_gil_finding fd = {CA_FIND_RETURN_RELEASED, t, i, f->funcs[i].end, "end of function"};
                size_t n = p->nfinds;
                CA_PUSH(st, p->finds, n, p->finds_cap, fd);
                if (st != CA_OK) break;
                p->nfinds = (uint32_t)n;
            }
        }
        ca_free(rs);
        if (st != CA_OK) return st;
    }
    return st;
}

enum ca_status ca_program_solve(struct ca_program *p)
{
    struct graph g = {NULL, NULL};
    enum ca_status st = build_callers(p, &g);
    if (st == CA_OK) st = bottom_up(p, &g);
    if (st == CA_OK) st = top_down(p, &g);
    if (st == CA_OK) st = unbalanced(p);
    graph_fini(&g);
    return st;
}
