/* baseline.h: baselines, the findings a project has accepted, so that a CI run fails on new
 * findings only.  A baseline is a JSON file (docs/cli.md, "Baselines") listing each finding's
 * fingerprint (ca_results_fingerprint: no line or column in it, so it survives edits that move
 * the finding) with its rule, file, function and message for people reading the file.
 * This module reads and writes that format and filters results; it does not print or open
 * files for writing (the CLI writes what ca_baseline_write produces).
 *
 * Ownership: a struct ca_baseline owns its fingerprints (one arena).  A loaded baseline is
 * read-only: ca_baseline_has may run concurrently. */
#ifndef CA_BASELINE_H
#define CA_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ca_base.h"
#include "results.h"

#define CA_BASELINE_VERSION 1

struct ca_baseline {
    const char **fingerprints; /* sorted, distinct */
    size_t n;
    struct ca_arena arena;
};

/* A problem with the file: where and what; owned strings (free with _fini). */
struct ca_baseline_error {
    char *file;
    uint32_t line, col; /* 0 when not applicable (the file cannot be read) */
    char *message;
};
void ca_baseline_error_fini(struct ca_baseline_error *e);

void ca_baseline_init(struct ca_baseline *b);
void ca_baseline_fini(struct ca_baseline *b); /* NULL-safe; b may be init'ed again */

/* Read the baseline at `path` into *b (initialised by the caller; left empty on failure).
 * CA_ERR_IO: cannot be read; CA_ERR_PARSE: not JSON; CA_ERR_CONFIG: not a baseline (unknown
 * key, wrong type, unsupported version, a fingerprint that is not 32 lowercase hex digits);
 * *err says where (when err is not NULL). */
CA_MUST_USE enum ca_status ca_baseline_load(const char *path, struct ca_baseline *b, struct ca_baseline_error *err);
/* The same over text in memory (`path` names it in errors). */
CA_MUST_USE enum ca_status ca_baseline_parse(const char *path, const char *text, size_t len, struct ca_baseline *b,
                                             struct ca_baseline_error *err);

/* Is this fingerprint in the baseline?  NULL is never. */
bool ca_baseline_has(const struct ca_baseline *b, const char *fingerprint);

/* Remove from r the diagnostics whose fingerprint is in b, keeping the order; *removed (may be
 * NULL) gets how many. */
void ca_baseline_apply(const struct ca_baseline *b, struct ca_results *r, uint32_t *removed);

/* Append to `out` a baseline document holding every diagnostic of r that has a fingerprint:
 * {"version": 1, "tool_version": ..., "entries": [...]}, entries sorted by file, rule, function,
 * message and fingerprint (never by line, so that regenerating it after unrelated edits changes
 * nothing), one entry per line.  Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_baseline_write(const struct ca_results *r, const char *tool_version, struct ca_buf *out);

#endif
