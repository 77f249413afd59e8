/* analyze.h: the whole-program analysis, from every file's facts to loop results and
 * diagnostics.  Pure: no libclang, no I/O; single-threaded (run after parsing). */
#ifndef CA_ANALYZE_H
#define CA_ANALYZE_H

#include "facts.h"
#include "results.h"
#include "rules.h"

/* Analyse the facts of all files together (borrowed; TUs with a status other than ok should
 * be passed too: they contribute nothing) and append every loop and diagnostic to *out.
 * Returns CA_ERR_NOMEM only. */
CA_MUST_USE enum ca_status ca_analyze(struct ca_tu_facts *tus, uint32_t ntus, const struct ca_rules *rules,
                                      struct ca_results *out);

#endif
