/* check.h: the diagnostic checks.  A check is one file, check_<name>.c, defining
 * `enum ca_status ca_check_<name>(struct ca_check_ctx *)`, plus one line in check_list.h.
 * Checks read the solved program and the loop profiles; they only add diagnostics. */
#ifndef CA_CHECK_H
#define CA_CHECK_H

#include "loops.h"

struct ca_check_ctx {
    struct ca_program *p;
    const struct ca_loop_profile *loops; uint32_t nloops; /* in (tu, loop) order */
    const uint32_t *loop_base;                            /* [ntus]: index of tu's first loop */
    struct ca_results *out;
};

/* Add a diagnostic of rule `id` (default severity from its metadata; note if it has none) at
 * `loc` in the file of function `func` of TU `tu` (the TU's file when func is CA_NONE). */
CA_MUST_USE enum ca_status ca_check_report(struct ca_check_ctx *c, const char *id, uint32_t tu, uint32_t func,
                                           struct ca_loc loc, const char *fmt, ...) CA_PRINTF(6, 7);
/* The same at an explicit place: `file` (display path) and `function` (may be NULL). */
CA_MUST_USE enum ca_status ca_check_report_at(struct ca_check_ctx *c, const char *id, const char *file,
                                              const char *function, struct ca_loc loc, const char *fmt, ...)
    CA_PRINTF(6, 7);

#define CA_CHECK(name, id) CA_MUST_USE enum ca_status ca_check_##name(struct ca_check_ctx *c);
#include "check_list.h"
#undef CA_CHECK

#endif
