/* gil-cpu-loop-holds-gil: a hot CPU-bound loop that holds the GIL and calls no Python API: a
 * release opportunity.  Only the outermost such loop of a nest is reported; not in a forked child,
 * which has one thread. */
#include "check.h"

static bool qualifies(const struct ca_loop_profile *lp)
{
    return lp->cls == CA_CLASS_CPU && lp->gil == CA_GIL_HELD && !lp->api && lp->hot && !lp->trivial && !lp->in_child;
}

enum ca_status ca_check_gil_cpu_loop_holds_gil(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t i = 0; i < c->nloops && st == CA_OK; i++) {
        const struct ca_loop_profile *lp = &c->loops[i];
        const struct ca_tu_facts *f = &c->p->tus[lp->tu];
        const struct ca_fact_loop *fl = &f->loops[lp->loop];
        bool outer_too = false;
        if (!qualifies(lp)) continue;
        for (uint32_t a = fl->parent; a != CA_NONE && !outer_too; a = f->loops[a].parent)
            outer_too = qualifies(&c->loops[c->loop_base[lp->tu] + a]);
        if (outer_too) continue;
        st = ca_check_report(c, "gil-cpu-loop-holds-gil", lp->tu, fl->func, fl->loc,
                             "CPU-bound loop holds the GIL and calls no Python API: release the GIL "
                             "around it (Py_BEGIN_ALLOW_THREADS) so threads can run it in parallel");
    }
    return st;
}
