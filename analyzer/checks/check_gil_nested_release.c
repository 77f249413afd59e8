/* gil-nested-release: releasing the GIL when it is already released, or re-acquiring it while
 * it is held (gilflow.c ends the path there, so one mistake gives one diagnostic). */
#include "check.h"

enum ca_status ca_check_gil_nested_release(struct ca_check_ctx *c)
{
    enum ca_status st = CA_OK;
    for (uint32_t i = 0; i < c->p->nfinds && st == CA_OK; i++) {
        const struct ca_gil_finding *fd = &c->p->finds[i];
        if (fd->kind == CA_FIND_NESTED_RELEASE)
            st = ca_check_report(c, "gil-nested-release", fd->tu, fd->func, fd->loc,
                                 "%s() releases the GIL, but it is already released on a path that reaches here: "
                                 "a fatal error in CPython",
                                 fd->name);
        else if (fd->kind == CA_FIND_NESTED_ACQUIRE)
            st = ca_check_report(c, "gil-nested-release", fd->tu, fd->func, fd->loc,
                                 "%s() re-acquires the GIL, but it is already held on a path that reaches here: "
                                 "a deadlock or fatal error",
                                 fd->name);
    }
    return st;
}
