/* profile.h: measured weight for loops, from a sampling profiler's collapsed stacks.
 * Reads `frame;frame;...;frame COUNT` lines (perf script | stackcollapse-perf.pl, py-spy
 * record --format raw, and other profilers that write Brendan Gregg's collapsed format),
 * normalises frame names, and gives each loop the share of samples in which its function is on
 * the stack (the function and its callees: inclusive).  Frames that match no analysed function
 * are listed once, with their samples.  Pure library code: no printing. */
#ifndef CA_PROFILE_H
#define CA_PROFILE_H

#include <stdint.h>

#include "results.h"

struct ca_profile;

struct ca_profile_error {
    char *file;
    unsigned line;
    char *message;
};
void ca_profile_error_fini(struct ca_profile_error *e);

/* Parse a collapsed-stack file.  Lines that are empty or start with '#' are skipped; a line
 * without a trailing integer count is an error naming file and line (CA_ERR_PARSE). */
CA_MUST_USE enum ca_status ca_profile_load(const char *path, struct ca_profile **out, struct ca_profile_error *err);
/* Same from text in memory (`name` is used in errors). */
CA_MUST_USE enum ca_status ca_profile_parse(const char *name, const char *text, size_t len, struct ca_profile **out,
                                            struct ca_profile_error *err);
void ca_profile_free(struct ca_profile *p);

/* Normalise one frame: "fn+0x1f [lib.so]" -> "fn", "fn (file.c:12)" -> "fn",
 * "fn.isra.0"/".constprop.1"/".part.2"/".cold" -> "fn", "lib.so`fn" -> "fn".  Writes into out
 * (size n); returns out. */
char *ca_profile_frame_name(const char *frame, size_t len, char *out, size_t n);

/* Weigh the loops of *r: each loop whose function appears in some stack gets profile samples and
 * a share (per mille of all samples); unmatched frames (sorted by samples, then name) are added
 * to r->unprofiled.  `functions` are the names of every analysed function (with or without loops):
 * a frame naming one of them is matched.  Matching is by function name; Python-level frames
 * (py-spy's "fn (file.py:12)") never match a C function. */
CA_MUST_USE enum ca_status ca_profile_apply(const struct ca_profile *p, const char *const *functions,
                                            size_t nfunctions, struct ca_results *r);

uint64_t ca_profile_total(const struct ca_profile *p);

#endif
