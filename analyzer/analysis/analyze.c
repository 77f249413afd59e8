/* analyze.c: runs the analysis phases in order and turns loop profiles into results. */
#include "analyze.h"

#include "check.h"
#include "loops.h"

#define MAX_REASONS 10

static enum ca_status add_loops(struct ca_program *p, const struct ca_loop_profile *lps, uint32_t n,
                                struct ca_results *out)
{
    struct ca_arena scratch;
    enum ca_status st = CA_OK;
    ca_arena_init(&scratch);
    for (uint32_t i = 0; i < n && st == CA_OK; i++) {
        const struct ca_loop_profile *lp = &lps[i];
        const struct ca_tu_facts *f = &p->tus[lp->tu];
        const struct ca_fact_loop *fl = &f->loops[lp->loop];
        const char *reasons[MAX_REASONS];
        struct ca_loop_result r = {0};
        r.file = ca_func_file(f, fl->func);
        r.line = fl->loc.line;
        r.col = fl->loc.col;
        r.end_line = fl->end_line;
        r.function = f->funcs[fl->func].name;
        r.kind = ca_loop_kind_str(fl->kind);
        r.depth = fl->depth;
        r.cls = lp->cls;
        r.gil = lp->gil;
        r.python_api = lp->api;
        r.hotness = lp->hotness;
        r.hot = lp->hot;
        ca_loops_advise(p, lp, &scratch, &r.rec, &r.conf, reasons, &r.nreasons, MAX_REASONS);
        r.reasons = reasons;
        r.evidence = (struct ca_evidence *)lp->ev;
        r.nevidence = lp->nev;
        st = ca_results_add_loop(out, &r);
    }
    ca_arena_fini(&scratch);
    return st;
}

/* GIL-released regions, for the annotated source view: from a call after which the GIL is
 * released on every path (and was held before it on some) to the next call in the same function
 * after which it is held again, or the function's end.  Calls are numbered in source order. */
static enum ca_status add_regions(struct ca_program *p, struct ca_results *out)
{
    const ca_curs H = 1u << CA_CUR_HELD, R = 1u << CA_CUR_RELEASED;
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &p->tus[t];
        const struct ca_tu_view *v = &p->views[t];
        for (uint32_t c = 0; c < f->ncalls && st == CA_OK; c++) {
            ca_curs before = ca_gstate_curs(v->before[c]), after = ca_gstate_curs(v->after[c]);
            const struct ca_fact_call *fc = &f->calls[c];
            struct ca_region rg;
            if (after != R || !(before & H)) continue;
            rg.file = ca_func_file(f, fc->func);
            rg.line = fc->loc.line;
            rg.col = fc->loc.col;
            rg.end_line = f->funcs[fc->func].end.line;
            rg.function = f->funcs[fc->func].name;
            rg.by = fc->macro && v->calls[c].known ? fc->macro : fc->name;
            for (uint32_t d = c + 1; d < f->ncalls; d++) {
                if (f->calls[d].func != fc->func) continue;
                if ((ca_gstate_curs(v->before[d]) & R) && ca_gstate_curs(v->after[d]) == H) {
                    rg.end_line = f->calls[d].loc.line;
                    break;
                }
            }
            st = ca_results_add_region(out, &rg);
        }
    }
    return st;
}

enum ca_status ca_analyze(struct ca_tu_facts *tus, uint32_t ntus, const struct ca_rules *rules,
                          struct ca_results *out)
{
    struct ca_program p;
    struct ca_loop_profile *lps = NULL;
    uint32_t nlps = 0, *base = NULL;
    enum ca_status st = ca_program_build(&p, tus, ntus, rules);
    if (st == CA_OK) st = ca_program_solve(&p);
    if (st == CA_OK) st = ca_loops_profile(&p, &lps, &nlps);
    if (st == CA_OK) st = add_loops(&p, lps, nlps, out);
    if (st == CA_OK) st = add_regions(&p, out);
    if (st == CA_OK && !(base = ca_calloc(ntus ? ntus : 1, sizeof *base))) st = CA_ERR_NOMEM;
    if (st == CA_OK) {
        struct ca_check_ctx c = {&p, lps, nlps, base, out};
        for (uint32_t t = 1; t < ntus; t++) base[t] = base[t - 1] + tus[t - 1].nloops;
#define CA_CHECK(name, id) if (st == CA_OK) st = ca_check_##name(&c);
#include "check_list.h"
#undef CA_CHECK
    }
    ca_free(base);
    ca_free(lps);
    ca_program_fini(&p);
    return st;
}
