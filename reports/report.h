/* report.h: the report writers.  Each turns a struct ca_results into text appended to a
 * struct ca_buf; they are pure functions of their arguments: no libclang, no facts, no files, no
 * environment (colour and NO_COLOR are the CLI's decision, passed in), no locale, no clock.
 * The same results always give the same bytes.
 *
 * Ownership: the writers borrow everything they are given and keep nothing; what they write
 * belongs to the caller's buffer.  On CA_ERR_NOMEM the buffer holds a truncated report (its
 * `failed` flag is set) and must still be released with ca_buf_fini; nothing else leaks.
 * Thread-safety: reentrant; several writers may read the same results at once.
 *
 * The writers print the results in the order they hold: call ca_results_sort first. */
#ifndef CA_REPORT_H
#define CA_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "ca_base.h"
#include "results.h"

/* The JSON schema version written by ca_report_json (docs/json-output.md).  Major changes on a
 * rename, removal or change of meaning; minor on an addition. */
#define CA_REPORT_JSON_SCHEMA_VERSION "1.2"

/* About the run, for the JSON "tool" object and the summary.  Strings are borrowed; NULL prints
 * as "".  The worker count is deliberately absent: the report is identical for any -j. */
struct ca_report_meta {
    const char *tool_version;  /* e.g. "0.1.0" */
    const char *clang_version; /* clang_getClangVersion(), e.g. "Debian clang version 14.0.6" */
    uint32_t suppressed;       /* findings silenced by inline suppression comments */
    uint32_t baselined;        /* findings left out because the --baseline file holds them */
};

struct ca_text_options {
    bool all_loops; /* list every loop, not only the hot ones */
    bool color;     /* wrap severity words in ANSI colours; false: no escape byte at all */
    uint32_t top;   /* at most this many loop lines, hottest first chosen; 0 = no limit */
    uint32_t suppressed, baselined; /* for the summary, as in struct ca_report_meta */
};

/* The human report: one problem-matcher line per hot loop (per loop with all_loops) with its
 * reasons and evidence indented below, then the diagnostics, then input problems, then a
 * summary block.  `o` may be NULL (defaults: hot loops, no colour, no limit).  Control bytes
 * in strings are shown escaped (\n, \t, \xNN) so that every record stays on its lines and no
 * stray escape sequence reaches the terminal.  Appends to `out` (initialised by the caller).
 * Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_report_text(const struct ca_results *r, const struct ca_text_options *o,
                                          struct ca_buf *out);

/* The machine report described in docs/json-output.md (schema CA_REPORT_JSON_SCHEMA_VERSION):
 * every input, every loop (hot or not), every diagnostic and the summary; fixed key order,
 * 2-space indentation, integers only, final newline, valid UTF-8 (an invalid byte in a string
 * becomes U+FFFD).  `m` may be NULL (versions print as "").  Appends to `out`.
 * Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_report_json(const struct ca_results *r, const struct ca_report_meta *m,
                                          struct ca_buf *out);

/* ---- SARIF and HTML (docs/sarif.md, docs/html-report.md) */

struct ca_rules;

/* A SARIF 2.1.0 log (docs/sarif.md) that GitHub code scanning accepts: one run whose
 * tool.driver.rules lists every rule of `rules` (which may be NULL) plus any rule id that a
 * diagnostic uses and the metadata lacks; one result per diagnostic with ruleIndex, level,
 * location (relative paths as %SRCROOT%-relative URIs, absolute ones as file:// URIs),
 * partialFingerprints["concadvise/v1"] and, when the diagnostic lies inside a loop of the
 * results, that loop's classification, GIL state, advice, confidence and hotness in
 * `properties`; every input that failed as a tool execution notification; the summary counts
 * in run.properties.  Fixed key order, 2-space indentation, final newline, valid UTF-8.
 * `m` may be NULL.  Appends to `out`.  Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_report_sarif(const struct ca_results *r, const struct ca_rules *rules,
                                           const struct ca_report_meta *m, struct ca_buf *out);

/* The text of one source file for the HTML report, borrowed.  `file` is the display path as the
 * results spell it; `text` holds `len` bytes (NUL bytes allowed; NULL means not available). */
struct ca_source {
    const char *file;
    const char *text;
    size_t len;
};

/* One self-contained HTML page (docs/html-report.md): inline CSS and script, no network (a
 * Content-Security-Policy forbids it).  A header with the versions and summary, bar charts of
 * the loops by classification, GIL state and advice and of the diagnostics by severity, a
 * sortable and filterable table of the loops (hottest first), the diagnostics, the inputs that
 * failed, an annotated view of each file that has findings (loops tinted by advice, GIL-released
 * regions barred, diagnostics under their line, a loop's reasons and evidence on click of its
 * first line; anchors #L<file index>-<line>), and the rule legend from `rules` (may be NULL).
 * A file absent from `sources` gets a note instead of its code.  `m` may be NULL; `sources`
 * may be NULL when `nsources` is 0.  Appends to `out`.  Returns CA_OK or CA_ERR_NOMEM. */
CA_MUST_USE enum ca_status ca_report_html(const struct ca_results *r, const struct ca_rules *rules,
                                          const struct ca_report_meta *m, const struct ca_source *sources,
                                          size_t nsources, struct ca_buf *out);

#endif
