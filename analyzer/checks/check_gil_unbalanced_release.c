/* gil-unbalanced-release: a function entered with the GIL held that leaves it released on some
 * paths and held on others (summary.c finds the exits).  A function that always returns
 * released is a releasing wrapper (ImagingSectionEnter), not a bug, and stays quiet. */
#include "check.h"

enum ca_status ca_check_gil_unbalanced_release(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t i = 0; i < c->p->nfinds && st == CA_OK; i++) {
        const struct ca_gil_finding *fd = &c->p->finds[i];
        if (fd->kind != CA_FIND_RETURN_RELEASED) continue;
        st = ca_check_report(c, "gil-unbalanced-release", fd->tu, fd->func, fd->loc,
                             "this %s leaves %s() with the GIL released, while other paths re-acquire it: "
                             "re-acquire it first (Py_BLOCK_THREADS or Py_END_ALLOW_THREADS)",
                             fd->name, c->p->tus[fd->tu].funcs[fd->func].name);
    }
    return st;
}
