/* gil-blocking-io-held: a blocking call made while the GIL is held on every path that reaches
 * it.  Reported at the blocking call itself (also inside helpers), once per call site.  Calls
 * reached in an unknown or path-dependent state stay quiet, and so do calls the catalog says
 * block only rarely, outside loops, and calls in a forked child. */
#include "check.h"

enum ca_status ca_check_gil_blocking_io_held(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < c->p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &c->p->tus[t];
        for (uint32_t i = 0; i < f->ncalls && st == CA_OK; i++) {
            const struct ca_callsite *cs = &c->p->views[t].calls[i];
            if (!cs->known || cs->target != CA_NONE || cs->info.io == CA_IO_NONE || cs->info.io == CA_IO_CONSOLE)
                continue; /* printing to the console holds the GIL briefly; not worth a warning */
            if (ca_gstate_curs(c->p->views[t].before[i]) != (1u << CA_CUR_HELD)) continue;
            /* close() of a descriptor on an error path never waits in practice; a thousand in a
             * loop can */
            if (cs->info.io_rarely && f->calls[i].loop == CA_NONE) continue;
            if (cs->in_child) continue; /* a forked child has one thread: nobody waits for its GIL */
            st = ca_check_report(c, "gil-blocking-io-held", t, f->calls[i].func, f->calls[i].loc,
                                 "%s() %s (%s I/O%s) while the GIL is held%s: every other Python thread waits; "
                                 "release the GIL around it (Py_BEGIN_ALLOW_THREADS) if it touches no Python object",
                                 f->calls[i].name, cs->info.io_rarely ? "may block" : "blocks", ca_io_kind_str(cs->info.io),
                                 cs->info.io_unbounded ? ", may wait without limit" : "",
                                 f->calls[i].loop != CA_NONE ? " inside a loop" : "");
        }
    }
    return st;
}
