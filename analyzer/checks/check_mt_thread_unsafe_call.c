/* mt-thread-unsafe-call: a libc call with hidden shared state (strtok, rand, localtime...)
 * inside a loop, where parallelising the loop would make it race. */
#include "check.h"

enum ca_status ca_check_mt_thread_unsafe_call(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < c->p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &c->p->tus[t];
        for (uint32_t i = 0; i < f->ncalls && st == CA_OK; i++) {
            const struct ca_callsite *cs = &c->p->views[t].calls[i];
            if (!cs->known || !cs->info.unsafe_replacement || f->calls[i].loop == CA_NONE) continue;
            if (cs->in_child) continue; /* a forked child has one thread */
            st = ca_check_report(c, "mt-thread-unsafe-call", t, f->calls[i].func, f->calls[i].loc,
                                 "%s() is not thread-safe (hidden shared state) and runs in a loop: use %s, or "
                                 "parallelise with processes",
                                 f->calls[i].name, cs->info.unsafe_replacement);
        }
    }
    return st;
}
