/* ft-object-malloc-buffer: PyObject_Malloc/Calloc/Realloc called directly.  Extensions allocate
 * objects through PyObject_New/PyType_GenericAlloc; a direct call is almost always a raw buffer.
 * On a free-threaded build the object domain is a per-thread heap for GC-tracked objects and
 * must not hold buffers (PEP 703, "Memory allocators"): use PyMem_Malloc. */
#include "check.h"

#include <string.h>

enum ca_status ca_check_ft_object_malloc_buffer(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t t = 0; t < c->p->ntus && st == CA_OK; t++) {
        const struct ca_tu_facts *f = &c->p->tus[t];
        for (uint32_t i = 0; i < f->ncalls && st == CA_OK; i++) {
            const struct ca_callsite *cs = &c->p->views[t].calls[i];
            if (!cs->known || !cs->pyfunc || !cs->info.ft_object_alloc) continue;
            st = ca_check_report(c, "ft-object-malloc-buffer", t, f->calls[i].func, f->calls[i].loc,
                                 "%s() allocates from the object domain; for a raw buffer use PyMem_%s, which "
                                 "free-threaded builds require for non-object memory",
                                 f->calls[i].name, f->calls[i].name + strlen("PyObject_"));
        }
    }
    return st;
}
