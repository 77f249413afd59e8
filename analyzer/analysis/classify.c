/* classify.c: what each loop does, and what it is.
 * A loop's profile gathers, over the calls in its condition, step and body (nested loops
 * included), the catalog roles and the callees' summaries in the GIL states the flow run saw;
 * then the classification (io / cpu / mixed / unknown), the GIL state while the body runs and
 * a static hotness estimate (docs/hotness.md).  No recommendation here (advise.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loops.h"

/* ---- cost model (docs/hotness.md; change both together) */
#define TRIP_VAR 1000.0      /* a data-sized loop */
#define TRIP_INFINITE 1000.0 /* runs until break: an event or read loop */
#define TRIP_UNKNOWN 100.0
#define W_IO 50.0
#define W_IO_UNBOUNDED 200.0
#define W_API 5.0
#define W_API_CALL 20.0
#define W_CALLEE 5.0
#define W_CALLEE_LOOPS 200.0
#define W_UNKNOWN 10.0
#define TRIVIAL_COST 2000.0
#define UNREACHED_FACTOR 0.1 /* a Python file's loop that no entry point reaches: cost x 0.1 */

static double trip_of(const struct ca_fact_loop *l)
{
    switch (l->bound) {
    case CA_BOUND_CONST: return l->trip > 0 ? (double)l->trip : 1.0;
    case CA_BOUND_VAR: return TRIP_VAR;
    case CA_BOUND_INFINITE: return TRIP_INFINITE;
    case CA_BOUND_UNKNOWN: break;
    }
    return TRIP_UNKNOWN;
}

static void add_ev(struct ca_loop_profile *lp, const char *file, struct ca_loc loc, const char *kind,
                   const char *name, const char *via)
{
    struct ca_evidence *e;
    for (uint32_t i = 0; i < lp->nev; i++) /* one line of evidence per kind and place */
        if (lp->ev[i].line == loc.line && lp->ev[i].col == loc.col && strcmp(lp->ev[i].kind, kind) == 0) return;
    if (lp->nev == CA_MAX_EVIDENCE) return;
    e = &lp->ev[lp->nev++];
    e->file = file;
    e->line = loc.line;
    e->col = loc.col;
    e->kind = kind;
    e->name = name;
    e->via = via;
}

/* Follow a summary witness down to the call that does it: the name of the leaf and the chain of
 * helpers ("read_block -> fill").  `which` selects io/cpu/api. */
static void witness(struct ca_program *p, uint32_t gid, int which, const char **leaf, struct ca_loc *loc,
                    const char **file, const char **via)
{
    char chain[512];
    size_t len = 0;
    chain[0] = '\0';
    for (int hops = 0; hops < 16 && gid != CA_NONE; hops++) {
        uint32_t tu, call, next = CA_NONE;
        ca_program_call_at(p, gid, &tu, &call);
        const struct ca_callsite *cs = &p->views[tu].calls[call];
        *leaf = p->tus[tu].calls[call].name;
        *loc = p->tus[tu].calls[call].loc;
        *file = ca_func_file(&p->tus[tu], p->tus[tu].calls[call].func);
        if (cs->target == CA_NONE) break;
        {
            const struct ca_fn *g = &p->fns[cs->target];
            int n = snprintf(chain + len, sizeof chain - len, "%s%s", len ? " -> " : "", g->name);
            if (n > 0 && (size_t)n < sizeof chain - len) len += (size_t)n;
            for (unsigned c = 0; c < CA_NCUR && next == CA_NONE; c++)
                next = which == 0 ? g->sum[c].io_ev : which == 1 ? g->sum[c].cpu_ev : g->sum[c].api_ev;
        }
        gid = next;
    }
    *via = len ? ca_arena_strdup(&p->arena, chain) : NULL;
}

/* Effects of a call site in the states it was reached in (all states when unreached). */
static struct ca_fn_sum call_effects(const struct ca_program *p, uint32_t tu, uint32_t c)
{
    struct ca_fn_sum s;
    const struct ca_callsite *cs = &p->views[tu].calls[c];
    ca_curs curs = ca_gstate_curs(p->views[tu].before[c]);
    memset(&s, 0, sizeof s);
    s.io_ev = s.cpu_ev = s.api_ev = CA_NONE;
    if (!curs) curs = (1u << CA_NCUR) - 1;
    if (cs->target != CA_NONE) {
        ca_flow_callee_effects(p, cs, curs, &s);
        return s;
    }
    /* the catalog's role; console output counts here, for the loop that makes the call */
    if (cs->info.io != CA_IO_NONE) s.io = curs;
    if (cs->info.io_unbounded) s.io_unbounded = curs;
    if (cs->info.cpu_weight) s.cpu = curs;
    if (cs->api) s.api = curs;
    if (cs->unknown) s.unknown = curs;
    return s;
}

/* Add one call site to the profile of loop `lp` (the call sits in that loop or a nested one). */
static void profile_call(struct ca_program *p, struct ca_loop_profile *lp, uint32_t tu, uint32_t c, bool direct)
{
    const struct ca_tu_facts *f = &p->tus[tu];
    const struct ca_fact_call *fc = &f->calls[c];
    const struct ca_callsite *cs = &p->views[tu].calls[c];
    struct ca_fn_sum e = call_effects(p, tu, c);
    ca_curs before = ca_gstate_curs(p->views[tu].before[c]), after = ca_gstate_curs(p->views[tu].after[c]);
    const char *leaf, *file, *via;
    struct ca_loc loc;
    double w = 0;

    lp->ncalls++;
    if (before != after || (e.seen & ~before)) lp->gil_transition = true;
    if (cs->known && cs->info.gil != CA_GILFX_NONE) lp->body_releases = true;
    if (cs->known && (cs->info.gil == CA_GILFX_RELEASE || cs->info.gil == CA_GILFX_ENSURE_RELEASE)) {
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "gil-release", fc->macro ? fc->macro : fc->name, NULL);
    } else if (cs->known && (cs->info.gil == CA_GILFX_ACQUIRE || cs->info.gil == CA_GILFX_ENSURE)) {
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "gil-acquire", fc->macro ? fc->macro : fc->name, NULL);
    } else if (cs->target != CA_NONE && (e.seen & (1u << CA_CUR_RELEASED)) && !(before & (1u << CA_CUR_RELEASED))) {
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "gil-release", fc->name, "releases the GIL inside");
    }
    if (e.io) {
        lp->io = true;
        if (e.io_unbounded) lp->io_unbounded = true;
        if (cs->target != CA_NONE) witness(p, p->call_base[tu] + c, 0, &leaf, &loc, &file, &via);
        else leaf = fc->name, loc = fc->loc, file = ca_func_file(f, fc->func), via = NULL;
        if (!lp->io_name) lp->io_name = leaf;
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "io-call", leaf, via);
        w += e.io_unbounded ? W_IO_UNBOUNDED : W_IO;
    }
    if (e.api) {
        lp->api = true;
        lp->napi++;
        if (cs->target == CA_NONE && cs->info.api_cost == CA_API_CALL) lp->api_call_python = true;
        if (cs->target == CA_NONE && cs->info.api_cost == CA_API_IO) {
            lp->io = true;
            if (!lp->io_name) lp->io_name = fc->name;
            add_ev(lp, ca_func_file(f, fc->func), fc->loc, "io-call", fc->name, NULL);
        }
        if (cs->target != CA_NONE) witness(p, p->call_base[tu] + c, 2, &leaf, &loc, &file, &via);
        else leaf = fc->name, via = NULL;
        if (!lp->api_name) lp->api_name = leaf;
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "python-api", leaf, via);
        w += cs->target == CA_NONE && cs->info.api_cost == CA_API_CALL ? W_API_CALL : W_API;
    }
    if (e.cpu) {
        lp->cpu_call = true;
        if (cs->target != CA_NONE) witness(p, p->call_base[tu] + c, 1, &leaf, &loc, &file, &via);
        else leaf = fc->name, via = NULL;
        if (!lp->cpu_name) lp->cpu_name = leaf;
        if (cs->target != CA_NONE || cs->info.cpu_weight >= 10) lp->heavy_cpu = true;
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "cpu-call", leaf, via);
        w += cs->target == CA_NONE ? cs->info.cpu_weight : W_CALLEE;
    }
    if (cs->via_pointer) {
        lp->pointer_calls = true;
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "pointer-call", fc->name[0] ? fc->name : "(function pointer)",
               ca_ntargets(cs) > 1 ? ca_arena_printf(&p->arena, "one of %u functions of its type", ca_ntargets(cs))
                                   : p->fns[cs->target].name);
    }
    if (cs->target != CA_NONE) {
        w += W_CALLEE;
        bool loops = false;
        for (uint32_t ti = 0; ti < ca_ntargets(cs); ti++) loops |= p->fns[ca_target(p, cs, ti)].has_loops;
        if (loops) {
            lp->callee_loops = true;
            w += W_CALLEE_LOOPS;
        }
    }
    if (cs->unknown && cs->target == CA_NONE) {
        lp->nunknown++;
        lp->unknown_call = true;
        if (!lp->unknown_name) lp->unknown_name = fc->name[0] ? fc->name : "(function pointer)";
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, fc->flags & CA_CALL_INDIRECT ? "indirect-call" : "unknown-call",
               fc->name[0] ? fc->name : "(function pointer)", NULL);
        w += W_UNKNOWN;
    }
    if (cs->known && cs->info.unsafe_replacement) {
        lp->unsafe = true;
        if (!lp->unsafe_name) { lp->unsafe_name = fc->name; lp->unsafe_repl = cs->info.unsafe_replacement; }
        add_ev(lp, ca_func_file(f, fc->func), fc->loc, "thread-unsafe", fc->name, NULL);
    }
    if (direct) lp->work += w;
}

static enum ca_gil gil_of(const struct ca_tu_facts *f, const struct ca_loop_profile *lp)
{
    ca_curs seen = lp->seen | lp->head, py = seen & ~(1u << CA_CUR_NONE);
    const ca_curs H = 1u << CA_CUR_HELD, R = 1u << CA_CUR_RELEASED;
    (void)f;
    if (!py) return seen ? CA_GIL_NONE : CA_GIL_UNKNOWN;
    /* The body itself releases and re-acquires: mixed, whatever state it was entered in. */
    if (lp->gil_transition && (py & H) && (py & R) && lp->body_releases) return CA_GIL_MIXED;
    if (py & (1u << CA_CUR_UNKNOWN)) return CA_GIL_UNKNOWN;
    if ((lp->head & H) && (lp->head & R)) return CA_GIL_UNKNOWN; /* depends on the path taken */
    if (py == H) return CA_GIL_HELD;
    if (py == R) return CA_GIL_RELEASED;
    return lp->gil_transition ? CA_GIL_MIXED : CA_GIL_UNKNOWN;
}

/* The classification rules (docs/analysis.md):
 * - io: blocking calls (catalog, or in a callee, or a Python API that does I/O) and no
 *   substantial computation; mixed: blocking calls plus substantial computation (a nested loop
 *   that computes, a CPU-heavy call, or a long arithmetic body);
 * - unknown: the work is calls nobody can see into (function pointers, functions neither defined
 *   in the run nor catalogued) and the loop's own arithmetic is small next to them;
 * - cpu: everything else that runs: arithmetic, Python object work, CPU-heavy calls. */
static enum ca_class class_of(const struct ca_loop_profile *lp)
{
    bool substantial = lp->heavy_cpu || lp->nested_cpu || lp->body_ops >= 16 || lp->callee_loops;
    if (lp->io) return substantial ? CA_CLASS_MIXED : CA_CLASS_IO;
    if (lp->unknown_call && !lp->cpu_call && !lp->api && !lp->callee_loops && !lp->nested_cpu &&
        lp->body_ops < 4 * (lp->nunknown + 1))
        return CA_CLASS_UNKNOWN;
    return CA_CLASS_CPU;
}

/* Loops ordered deepest first, so nested loops are done before the loops around them. */
struct by_depth {
    uint32_t depth, loop;
};

static int cmp_depth(const void *a, const void *b)
{
    const struct by_depth *x = a, *y = b;
    if (x->depth != y->depth) return x->depth > y->depth ? -1 : 1;
    return (x->loop > y->loop) - (x->loop < y->loop);
}

static enum ca_status profile_tu(struct ca_program *p, uint32_t tu, struct ca_loop_profile *lps)
{
    const struct ca_tu_facts *f = &p->tus[tu];
    const struct ca_tu_view *v = &p->views[tu];
    struct by_depth *order;
    for (uint32_t l = 0; l < f->nloops; l++) {
        struct ca_loop_profile *lp = &lps[l];
        const struct ca_fact_loop *fl = &f->loops[l];
        uint32_t control = fl->kind == CA_LOOP_FOR ? 2 : 1;
        lp->tu = tu;
        lp->loop = l;
        lp->head = ca_gstate_curs(v->loop_head[l]);
        lp->in_child = v->loop_child[l];
        lp->seen = v->loop_seen[l];
        lp->trip = trip_of(fl);
        lp->body_ops = fl->ops > control ? fl->ops - control : 0;
        lp->work = 1.0 + lp->body_ops;
        lp->const_chain = fl->bound == CA_BOUND_CONST;
        lp->iterations = lp->trip;
        for (uint32_t a = fl->parent; a != CA_NONE; a = f->loops[a].parent) {
            lp->iterations *= trip_of(&f->loops[a]);
            if (f->loops[a].bound != CA_BOUND_CONST) lp->const_chain = false;
        }
    }
    for (uint32_t c = 0; c < f->ncalls; c++) /* each call counts for its loop and every enclosing one */
        for (uint32_t l = f->calls[c].loop; l != CA_NONE; l = f->loops[l].parent)
            profile_call(p, &lps[l], tu, c, l == f->calls[c].loop);
    for (uint32_t m = 0; m < f->nmacros; m++) {
        const struct ca_fact_macro *fm = &f->macros[m];
        if (ca_rules_macro_role(p->rules, fm->name) != CA_MACRO_NEEDS_GIL) continue;
        for (uint32_t l = fm->loop; l != CA_NONE; l = f->loops[l].parent) {
            lps[l].api = true;
            lps[l].napi++;
            if (!lps[l].api_name) lps[l].api_name = fm->name;
            add_ev(&lps[l], ca_func_file(f, fm->func), fm->loc, "python-api", fm->name, NULL);
            if (l == fm->loop) lps[l].work += W_API;
        }
    }
    for (uint32_t w = 0; w < f->nwrites; w++) {
        const struct ca_fact_write *fw = &f->writes[w];
        for (uint32_t l = fw->loop; l != CA_NONE; l = f->loops[l].parent) {
            lps[l].global_write = true;
            if (!lps[l].global_name) lps[l].global_name = fw->name;
            add_ev(&lps[l], ca_func_file(f, fw->func), fw->loc, "global-write", fw->name, NULL);
        }
    }
    /* Inclusive work: children before parents (deeper first). */
    order = ca_calloc(f->nloops ? f->nloops : 1, sizeof *order);
    if (!order) return CA_ERR_NOMEM;
    for (uint32_t l = 0; l < f->nloops; l++) {
        order[l].depth = f->loops[l].depth;
        order[l].loop = l;
    }
    qsort(order, f->nloops, sizeof *order, cmp_depth);
    for (uint32_t i = 0; i < f->nloops; i++) {
        uint32_t l = order[i].loop, par = f->loops[l].parent;
        struct ca_loop_profile *lp = &lps[l];
        if (par == CA_NONE) continue;
        lps[par].work += lp->trip * lp->work;
        if (!lp->const_chain || f->loops[l].bound != CA_BOUND_CONST) lps[par].const_chain = false;
        if (lp->body_ops >= 1 || lp->cpu_call || lp->nested_cpu) lps[par].nested_cpu = true;
        add_ev(&lps[par], ca_func_file(f, f->loops[l].func), f->loops[l].loc, "nested-loop", ca_loop_kind_str(f->loops[l].kind), NULL);
    }
    ca_free(order);
    for (uint32_t l = 0; l < f->nloops; l++) {
        struct ca_loop_profile *lp = &lps[l];
        double cost = lp->iterations * lp->work;
        /* In a Python extension, a loop that no entry point, thread or caller reaches (its
         * function starts `unknown` by default) matters less than one Python calls. */
        {
            uint32_t fn = v->fn_of[f->loops[l].func];
            if (f->python && fn != CA_NONE && p->fns[fn].why == CA_ENTRY_DEFAULT &&
                !(p->fns[fn].entry & ((1u << CA_CUR_HELD) | (1u << CA_CUR_RELEASED))))
                cost *= UNREACHED_FACTOR;
        }
        double score = cost > 1 ? 100.0 * log10(cost) / 9.0 : 0;
        lp->hotness = score >= 100 ? 100 : (uint32_t)lround(score);
        lp->cls = class_of(lp);
        lp->gil = gil_of(f, lp);
        lp->trivial = lp->const_chain && cost < TRIVIAL_COST && !lp->io && !lp->callee_loops && !lp->unknown_call;
        lp->hot = !lp->trivial && lp->hotness >= CA_HOT_THRESHOLD;
        /* Which release covers a loop that starts released: the last releasing call before it. */
        if (lp->head & (1u << CA_CUR_RELEASED))
            for (uint32_t c = 0; c < f->ncalls; c++) {
                const struct ca_fact_call *fc = &f->calls[c];
                const struct ca_callsite *cs = &v->calls[c];
                bool releases = (cs->known && cs->info.gil == CA_GILFX_RELEASE) ||
                                (cs->target != CA_NONE && (ca_gstate_curs(v->after[c]) & (1u << CA_CUR_RELEASED)) &&
                                 !(ca_gstate_curs(v->before[c]) & (1u << CA_CUR_RELEASED)));
                if (fc->func != f->loops[l].func || !releases) continue;
                if (fc->loc.line > f->loops[l].loc.line ||
                    (fc->loc.line == f->loops[l].loc.line && fc->loc.col >= f->loops[l].loc.col))
                    continue;
                lp->release_name = fc->macro && cs->known ? fc->macro : fc->name;
                lp->release_line = fc->loc.line;
                if (fc->loop == CA_NONE || fc->loop != l)
                    add_ev(lp, ca_func_file(f, fc->func), fc->loc, "gil-release", lp->release_name, NULL);
            }
    }
    return CA_OK;
}

static int cmp_ev(const void *a, const void *b)
{
    const struct ca_evidence *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c) return c;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return strcmp(x->kind, y->kind);
}

enum ca_status ca_loops_profile(struct ca_program *p, struct ca_loop_profile **out, uint32_t *n)
{
    uint32_t total = 0, at = 0;
    struct ca_loop_profile *lps;
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < p->ntus; t++) total += p->tus[t].nloops;
    *out = NULL;
    *n = 0;
    lps = ca_calloc(total ? total : 1, sizeof *lps);
    if (!lps) return CA_ERR_NOMEM;
    for (uint32_t t = 0; t < p->ntus && st == CA_OK; t++) {
        st = profile_tu(p, t, lps + at);
        at += p->tus[t].nloops;
    }
    if (st != CA_OK) { ca_free(lps); return st; }
    for (uint32_t i = 0; i < total; i++) qsort(lps[i].ev, lps[i].nev, sizeof lps[i].ev[0], cmp_ev);
    *out = lps;
    *n = total;
    return CA_OK;
}
