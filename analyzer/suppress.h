/* suppress.h: inline suppressions, written in the analysed source as a line or block comment:
 *
 *     // concadvise: ignore[gil-blocking-io-held] the descriptor is non-blocking
 *     // concadvise: ignore[rule-a,rule-b] reason
 *
 * A suppression silences the findings of the named rules on the comment's own lines and on the
 * line after it.  The reason is required: a suppression without one still works, but is reported
 * (rule concadvise-invalid-suppression), and so is one that names an unknown rule or is
 * malformed; a suppression that silences nothing is reported as unused (rule
 * concadvise-unused-suppression).  This module scans text it is given (it does not read files)
 * and works on results; it never prints.
 *
 * Ownership: a struct ca_suppressions owns its records and strings (one arena).  Not
 * thread-safe (the CLI uses it on one thread after the analysis). */
#ifndef CA_SUPPRESS_H
#define CA_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ca_base.h"
#include "results.h"
#include "rules.h"

#define CA_SUPPRESS_UNUSED_RULE "concadvise-unused-suppression"
#define CA_SUPPRESS_INVALID_RULE "concadvise-invalid-suppression"

struct ca_suppression {
    const char *file;           /* display path of the file it is written in */
    uint32_t line, col;         /* where "concadvise:" starts */
    uint32_t end_line;          /* last line of the comment: it covers line .. end_line + 1 */
    const char **rules;         /* the rule ids named, in order (may be none when malformed) */
    uint32_t *used;             /* per rule id: findings it silenced */
    uint32_t nrules;
    const char *reason;         /* NULL when missing */
    const char *malformed;      /* what is wrong with the syntax, or NULL */
    bool report;                /* report it when unused or invalid (the file was analysed) */
};

struct ca_suppressions {
    struct ca_suppression *v;
    size_t n, cap;
    struct ca_arena arena;
};

void ca_suppressions_init(struct ca_suppressions *s);
void ca_suppressions_fini(struct ca_suppressions *s); /* NULL-safe */

/* Find the suppression comments in text[0..len) of `file` (display path) and append them.
 * Comments are found as a C lexer finds them (not inside string or character literals); only a
 * comment whose text starts with "concadvise:" is a suppression.  `report` is stored in each
 * record (false for headers read only because a finding points into them).
 * Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_suppress_scan(struct ca_suppressions *s, const char *file, const char *text, size_t len,
                                            bool report);

/* Remove from r every diagnostic that a suppression covers (same file, line within its range,
 * rule named), keeping the order, and count the use in the suppression.  *removed (may be NULL)
 * gets the number removed.  Diagnostics of the concadvise- family are never suppressed. */
void ca_suppress_apply(struct ca_suppressions *s, struct ca_results *r, uint32_t *removed);

/* Append to r one diagnostic per reportable suppression that is invalid (no reason, an unknown
 * rule id, malformed) and one per reportable suppression with rule ids that silenced nothing.
 * Severities come from the rules' metadata (`rules` may be NULL: note and warning).  Call after
 * ca_suppress_apply; the caller sorts and fingerprints r afterwards.
 * Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_suppress_report(const struct ca_suppressions *s, const struct ca_rules *rules,
                                              struct ca_results *r);

#endif
