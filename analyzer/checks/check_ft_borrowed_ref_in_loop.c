/* ft-borrowed-ref-in-loop: a Python C-API call that returns a borrowed reference, inside a hot
 * loop.  Under the GIL the container keeps the object alive; on a free-threaded build (PEP 703)
 * another thread may remove it and drop the last reference while the loop still uses it.  The
 * catalog (rules/python_api.json, "borrowed") names the strong-reference replacement. */
#include "check.h"

enum ca_status ca_check_ft_borrowed_ref_in_loop(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < c->p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &c->p->tus[t];
        for (uint32_t i = 0; i < f->ncalls && st == CA_OK; i++) {
            const struct ca_callsite *cs = &c->p->views[t].calls[i];
            uint32_t l = f->calls[i].loop;
            if (!cs->known || !cs->pyfunc || !cs->info.ft_borrowed || l == CA_NONE) continue;
            if (!c->loops[c->loop_base[t] + l].hot) continue; /* only where the loop matters */
            st = ca_check_report(c, "ft-borrowed-ref-in-loop", t, f->calls[i].func, f->calls[i].loc,
                                 "%s() returns a borrowed reference in a hot loop: on a free-threaded build "
                                 "another thread can drop the object while it is used; use %s",
                                 f->calls[i].name, cs->info.ft_borrowed);
        }
    }
    return st;
}
