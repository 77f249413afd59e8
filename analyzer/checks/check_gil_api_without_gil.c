/* gil-api-without-gil: a Python C-API function that needs the GIL, called where the GIL is
 * released on every path.  Calls made by macros that are safe without the GIL
 * (PyBytes_AS_STRING) do not count (see program.c). */
#include "check.h"

enum ca_status ca_check_gil_api_without_gil(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < c->p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &c->p->tus[t];
        for (uint32_t i = 0; i < f->ncalls && st == CA_OK; i++) {
            const struct ca_callsite *cs = &c->p->views[t].calls[i];
            if (!cs->api) continue;
            if (ca_gstate_curs(c->p->views[t].before[i]) != (1u << CA_CUR_RELEASED)) continue;
            st = ca_check_report(c, "gil-api-without-gil", t, f->calls[i].func, f->calls[i].loc,
                                 "%s() needs the GIL but is called with the GIL released: a crash or memory corruption; "
                                 "move it out of the released region or re-acquire the GIL around it",
                                 f->calls[i].macro ? f->calls[i].macro : f->calls[i].name);
        }
    }
    return st;
}
